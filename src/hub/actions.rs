//! Agent actions and routing in the hub: placing new conversations, claim, transfer,
//! close, reopen, presence and account changes. Decisions come from [`crate::routing`];
//! this file applies them: live state, a system message in the conversation, notices.

use crate::protocol::{
    ClientFrame, ConversationEvent, ConversationStatus, ConversationSummary, ErrorCode, Presence,
};
use crate::routing::{self, Placement, RoutingError, TransferOutcome};
use crate::store::records::AgentV4;
use crate::store::{StoreError, WriteOp};

use super::Hub;
use super::event::{Asker, Completion, ConnId, WriteTag};
use super::live::{LiveAgent, LiveConversation, TimerEvent};

fn routing_presence(p: Presence) -> routing::Presence {
    match p {
        Presence::Online => routing::Presence::Online,
        Presence::Away => routing::Presence::Away,
        Presence::Offline => routing::Presence::Offline,
    }
}

fn routing_error_code(e: &RoutingError) -> ErrorCode {
    match e {
        RoutingError::UnknownAgent(_) | RoutingError::UnknownConversation(_) => ErrorCode::NotFound,
        RoutingError::AgentDisabled(_) | RoutingError::AgentNotOnline(_) => ErrorCode::Conflict,
        RoutingError::NotAssigned(_)
        | RoutingError::AlreadyAssignedTo(_)
        | RoutingError::SameAgent(_) => ErrorCode::Conflict,
    }
}

impl Hub {
    /// A conversation agents may claim or transfer: live and not being closed.
    fn movable(&self, conversation: u64) -> Result<(), RoutingError> {
        match self.conversations.get(&conversation) {
            Some(c) if !c.closing => Ok(()),
            _ => Err(RoutingError::UnknownConversation(conversation)),
        }
    }

    /// The router's claim, of a movable conversation; returns where it was before.
    fn claim(&mut self, conversation: u64, agent: u64) -> Result<Option<Placement>, RoutingError> {
        self.movable(conversation)?;
        let before = self.router.placement(conversation);
        self.router.claim(conversation, agent)?;
        Ok(before)
    }

    /// The router's transfer, of a movable conversation.
    fn transfer(&mut self, conversation: u64, to: u64) -> Result<TransferOutcome, RoutingError> {
        self.movable(conversation)?;
        self.router.transfer(conversation, to)
    }

    /// Claims a conversation for `agent` (`by` acted), as the console's `claim` does.
    pub(super) async fn claim_for(&mut self, asker: Asker, conversation: u64, agent: u64, by: u64) {
        match self.claim(conversation, agent) {
            Ok(before) => {
                let event = ConversationEvent::Assigned { agent };
                self.set_assignment(conversation, before, event, by, Some(asker))
                    .await;
            }
            Err(e) => {
                let code = routing_error_code(&e);
                self.refuse_to(&asker, code, e.to_string(), None, Some(conversation))
            }
        }
    }

    /// Hands an assigned conversation to agent `to` (`by` acted), as the console's
    /// `transfer` does.
    pub(super) async fn transfer_to(&mut self, asker: Asker, conversation: u64, to: u64, by: u64) {
        match self.transfer(conversation, to) {
            Ok(outcome) => {
                let event = ConversationEvent::Transferred {
                    from: outcome.previous,
                    to,
                };
                let before = Some(Placement::Assigned(outcome.previous));
                self.set_assignment(conversation, before, event, by, Some(asker))
                    .await;
                self.apply_assignments(outcome.assigned).await;
            }
            Err(e) => {
                let code = routing_error_code(&e);
                self.refuse_to(&asker, code, e.to_string(), None, Some(conversation))
            }
        }
    }

    /// Closes an open conversation in agent `by`'s name, as the console's `close` does.
    pub(super) async fn close_as(&mut self, asker: Asker, conversation: u64, by: u64) {
        let open = self
            .conversations
            .get(&conversation)
            .is_some_and(|c| !c.closing);
        if !open {
            let why = "the conversation is not open";
            self.refuse_to(&asker, ErrorCode::Conflict, why, None, Some(conversation));
            return;
        }
        self.close_conversation(conversation, by, Some(asker)).await;
    }

    pub(super) async fn agent_action(&mut self, conn: ConnId, agent: u64, frame: ClientFrame) {
        let asker = Asker::Conn(conn);
        match frame {
            ClientFrame::Claim(r) => self.claim_for(asker, r.conversation, agent, agent).await,
            ClientFrame::Transfer(t) => {
                self.transfer_to(asker, t.conversation, t.to_agent, agent)
                    .await
            }
            ClientFrame::Close(r) => self.close_as(asker, r.conversation, agent).await,
            ClientFrame::Reopen(r) => {
                if self.conversations.contains_key(&r.conversation) {
                    self.refuse(
                        conn,
                        ErrorCode::Conflict,
                        "the conversation is already open",
                        None,
                        Some(r.conversation),
                    );
                    return;
                }
                let store = self.store.clone();
                let completions = self.completions.clone();
                let conversation = r.conversation;
                // Read on the reader pool; the result comes back as a completion.
                self.readers
                    .spawn(move || {
                        let loaded = store.summary(conversation);
                        let labels = store
                            .labels_of(&[conversation])
                            .ok()
                            .and_then(|mut found| found.remove(&conversation))
                            .unwrap_or_default();
                        let _ = completions.try_send(Completion::Reopen {
                            conn,
                            agent,
                            conversation,
                            loaded,
                            labels,
                        });
                    })
                    .await;
            }
            ClientFrame::Presence(p) => {
                if p.presence == Presence::Offline {
                    self.refuse(
                        conn,
                        ErrorCode::InvalidField,
                        "presence is online or away; disconnect to go offline",
                        None,
                        None,
                    );
                    return;
                }
                if let Some(a) = self.agents.get_mut(&agent) {
                    a.presence = p.presence;
                    a.chosen = p.presence;
                }
                self.set_router_presence(agent, p.presence).await;
            }
            // Whether Web Push reaches this agent (`presence`, `push::rules`).
            ClientFrame::Visibility(v) => self.conns.set_visible(conn, v.visible),
            ClientFrame::Label(l) => self.set_label(asker, l).await,
            _ => self.refuse(
                conn,
                ErrorCode::UnexpectedFrame,
                "not allowed here",
                None,
                None,
            ),
        }
    }

    /// Tells the router an agent's presence and applies the assignments it makes.
    pub(super) async fn set_router_presence(&mut self, agent: u64, presence: Presence) {
        match self.router.set_presence(agent, routing_presence(presence)) {
            Ok(assigned) => self.apply_assignments(assigned).await,
            Err(e) => tracing::warn!(agent, error = %e, "presence change refused by the router"),
        }
        self.broadcast_agent_info(agent);
    }

    /// Stores a status change with its system message; `tag` says what to do when the
    /// commit returns.
    pub(super) async fn write_status(
        &mut self,
        conversation: u64,
        status: ConversationStatus,
        agent: Option<u64>,
        event: ConversationEvent,
        by: u64,
        tag: WriteTag,
    ) {
        let mut message = self.system_message(&event);
        message.body = self.describe(&event, by);
        self.write(
            WriteOp::ChangeStatus {
                conversation,
                status: status.into(),
                agent,
                message,
            },
            tag,
        )
        .await;
    }

    pub(super) async fn on_reopen_loaded(
        &mut self,
        conn: ConnId,
        agent: u64,
        conversation: u64,
        (loaded, labels): (Result<Option<ConversationSummary>, StoreError>, Vec<u64>),
    ) {
        let record = match loaded {
            Ok(Some(found)) => found,
            Ok(None) => {
                return self.refuse(
                    conn,
                    ErrorCode::NotFound,
                    "no such conversation",
                    None,
                    Some(conversation),
                );
            }
            Err(e) => {
                return self.refuse(
                    conn,
                    ErrorCode::StorageUnavailable,
                    e.to_string(),
                    None,
                    Some(conversation),
                );
            }
        };
        let key = (record.visitor, record.site.clone());
        if self.conversations.contains_key(&conversation)
            || record.status != ConversationStatus::Closed
        {
            return self.refuse(
                conn,
                ErrorCode::Conflict,
                "the conversation is already open",
                None,
                Some(conversation),
            );
        }
        if self.conversations.open_for(key.0, &key.1).is_some() {
            let why = "the visitor has started a newer conversation";
            return self.refuse(conn, ErrorCode::Conflict, why, None, Some(conversation));
        }
        let now = self.config.now_ms();
        let idle_timer = (self.config.idle_close_ms > 0).then(|| {
            self.wheel.insert(
                now + self.config.idle_close_ms,
                TimerEvent::IdleClose(conversation),
            )
        });
        self.conversations.open(
            conversation,
            LiveConversation {
                last_seq: record.last_seq,
                last_at_ms: record.last_at_ms,
                created_ms: record.created_ms,
                durable: true,
                read: [record.read_visitor, record.read_agent],
                idle_timer,
                visitor_name: record.visitor_name.clone(),
                preview: record.preview.clone(),
                labels,
                ..LiveConversation::new(record.visitor, record.site.clone(), now)
            },
        );
        let event = ConversationEvent::Reopened { by: agent };
        self.router.reopen(conversation, record.agent);
        self.set_assignment(conversation, None, event, agent, Some(Asker::Conn(conn)))
            .await;
        self.refresh_totals();
    }

    /// An account was created or changed through the API.
    pub(super) async fn on_agent_saved(&mut self, id: u64, account: AgentV4) {
        let capacity = account.capacity.unwrap_or(self.config.default_capacity);
        let disabled = account.disabled;
        match self.agents.get_mut(&id) {
            Some(live) => live.account = account,
            None => {
                self.agents.insert(id, LiveAgent::offline(account));
                self.router.add_agent(id, None);
            }
        }
        if disabled {
            let conns = self
                .agents
                .get(&id)
                .map(|a| a.conns.clone())
                .unwrap_or_default();
            for conn in conns {
                self.kill(conn, 1008, "account disabled");
            }
            self.take_back(id, true).await;
        } else {
            if let Ok(assigned) = self.router.enable_agent(id) {
                self.apply_assignments(assigned).await;
            }
            if let Ok(assigned) = self.router.set_capacity(id, capacity) {
                self.apply_assignments(assigned).await;
            }
        }
        self.broadcast_agent_info(id);
    }

    /// An agent's grace period ran out: their conversations go back to the queue.
    pub(super) async fn on_agent_grace(&mut self, agent: u64) {
        let Some(live) = self.agents.get_mut(&agent) else {
            return;
        };
        live.grace = None;
        if !live.conns.is_empty() {
            return;
        }
        self.take_back(agent, false).await;
        self.broadcast_agent_info(agent);
    }
}
