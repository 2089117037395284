//! Chat traffic in the hub: sends (opening conversations on a visitor's first message),
//! their committed results (ack, fan-out), sync subscriptions, notes and visitor profiles.

use std::time::Instant;

use crate::protocol::{
    Ack, AuthorKind, ClientFrame, ConversationStatus, ErrorCode, Resync, ServerFrame,
};
use crate::store::{Appended, NewMessage, Outcome, StoreError, WriteOp};
use crate::timer::unix_ms;

use super::Hub;
use super::event::{ConnId, Identity, Outbound, WriteTag};
use super::live::LiveConversation;

impl Hub {
    pub(super) async fn on_frame(&mut self, conn: ConnId, frame: ClientFrame, received: Instant) {
        let Some(identity) = self.conns.get(&conn).and_then(|c| c.identity.clone()) else {
            self.refuse(
                conn,
                ErrorCode::UnexpectedFrame,
                "say hello first",
                None,
                None,
            );
            return;
        };
        match (identity, frame) {
            (Identity::Visitor { id, site }, ClientFrame::Send(send)) => {
                self.visitor_send(conn, id, site, send, received).await
            }
            (Identity::Agent { id }, ClientFrame::Send(send)) => {
                self.agent_send(conn, id, send, received).await
            }
            (Identity::Agent { id }, ClientFrame::Note(note)) => {
                self.agent_note(conn, id, note, received).await
            }
            (Identity::Visitor { id, .. }, ClientFrame::Profile(profile)) => {
                self.visitor_profile(conn, id, profile).await
            }
            (Identity::Visitor { id, .. }, ClientFrame::BotFeedback(feedback)) => {
                self.bot_feedback(conn, id, feedback).await
            }
            (who, ClientFrame::Sync(sync)) => {
                self.on_sync(conn, &who, sync.conversation, sync.after_seq)
            }
            (who, ClientFrame::Typing(t)) => self.on_typing(conn, &who, t.conversation, t.on),
            (who, ClientFrame::Read(r)) => self.on_read(conn, &who, r.conversation, r.seq).await,
            (Identity::Agent { id }, frame) => self.agent_action(conn, id, frame).await,
            (Identity::Visitor { .. }, _) => self.refuse(
                conn,
                ErrorCode::Forbidden,
                "only agents can do that",
                None,
                None,
            ),
        }
    }

    /// Sends an error frame to one connection.
    pub(super) fn refuse(
        &mut self,
        conn: ConnId,
        code: ErrorCode,
        message: impl Into<String>,
        client_id: Option<String>,
        conversation: Option<u64>,
    ) {
        self.metrics.frames_rejected_total.inc();
        let mut frame = code.frame(message);
        frame.client_id = client_id;
        frame.conversation = conversation;
        self.send_to(conn, ServerFrame::Error(frame));
    }

    async fn visitor_send(
        &mut self,
        conn: ConnId,
        visitor: u64,
        site: String,
        send: crate::protocol::Send,
        received: Instant,
    ) {
        let open = self.open_by_visitor.get(&(visitor, site.clone())).copied();
        if let Some(asked) = send.conversation
            && Some(asked) != open
        {
            let (code, why) = if self.visitor_owns(visitor, asked) {
                (
                    ErrorCode::Conflict,
                    "that conversation is closed; send without a conversation to start a new one",
                )
            } else {
                (
                    ErrorCode::NotFound,
                    "no such conversation; send without a conversation to start a new one",
                )
            };
            self.refuse(conn, code, why, Some(send.client_id), Some(asked));
            return;
        }
        let message = NewMessage {
            author_kind: AuthorKind::Visitor.into(),
            author_id: visitor,
            author_name: String::new(),
            body: send.body,
            client_id: Some(send.client_id.clone()),
            event: None,
            at_ms: unix_ms(),
        };
        let (op, opened) = match open {
            Some(conversation) => (
                WriteOp::Append {
                    conversation,
                    message,
                },
                false,
            ),
            None => {
                let status = if self.bot.is_some() {
                    ConversationStatus::Bot
                } else {
                    ConversationStatus::Queued
                };
                let conversation = self.open_conversation(visitor, &site, status);
                (
                    WriteOp::OpenConversation {
                        conversation,
                        status: status.into(),
                        visitor,
                        site,
                        message,
                        visitor_details: self.unsaved_visitors.get(&visitor).cloned(),
                    },
                    true,
                )
            }
        };
        self.write(
            op,
            WriteTag::Send {
                conn,
                client_id: send.client_id,
                received,
                opened,
            },
        )
        .await;
    }

    /// Creates the live side of a new conversation (made durable by the first message's
    /// write) and subscribes all of the visitor's connections: they have missed nothing.
    fn open_conversation(&mut self, visitor: u64, site: &str, status: ConversationStatus) -> u64 {
        self.next_conversation += 1;
        let id = self.next_conversation;
        let now = self.config.now_ms();
        self.conversations.insert(
            id,
            LiveConversation {
                visitor,
                site: site.to_string(),
                status,
                agent: None,
                last_seq: 0,
                last_at_ms: unix_ms(),
                last_activity_ms: now,
                created_ms: unix_ms(),
                durable: false,
                queue_position: None,
                subscribers: Vec::new(),
                typing: Vec::new(),
                read: [0, 0],
                idle_timer: None,
                visitor_name: self.visitor_names.get(&visitor).cloned(),
                preview: String::new(),
                bot_decided: 0,
            },
        );
        self.open_by_visitor.insert((visitor, site.to_string()), id);
        let conns: Vec<ConnId> = self.visitors.get(&visitor).cloned().unwrap_or_default();
        for conn in conns {
            let same_site = matches!(
                self.conns.get(&conn).and_then(|c| c.identity.as_ref()),
                Some(Identity::Visitor { site: s, .. }) if s == site
            );
            if same_site {
                self.subscribe(conn, id);
            }
        }
        id
    }

    async fn agent_send(
        &mut self,
        conn: ConnId,
        agent: u64,
        send: crate::protocol::Send,
        received: Instant,
    ) {
        let Some(conversation) = send.conversation else {
            self.refuse(
                conn,
                ErrorCode::InvalidField,
                "agents must name the conversation",
                Some(send.client_id),
                None,
            );
            return;
        };
        let Some(live) = self.conversations.get(&conversation) else {
            self.refuse(
                conn,
                ErrorCode::Conflict,
                "the conversation is closed or unknown",
                Some(send.client_id),
                Some(conversation),
            );
            return;
        };
        if live.agent != Some(agent) || live.status != ConversationStatus::Assigned {
            let why = "the conversation is not assigned to you; claim it first";
            self.refuse(
                conn,
                ErrorCode::NotAssigned,
                why,
                Some(send.client_id),
                Some(conversation),
            );
            return;
        }
        let name = self
            .agents
            .get(&agent)
            .map(|a| a.account.name.clone())
            .unwrap_or_default();
        let message = NewMessage {
            author_kind: AuthorKind::Agent.into(),
            author_id: agent,
            author_name: name,
            body: send.body,
            client_id: Some(send.client_id.clone()),
            event: None,
            at_ms: unix_ms(),
        };
        let tag = WriteTag::Send {
            conn,
            client_id: send.client_id,
            received,
            opened: false,
        };
        self.write(
            WriteOp::Append {
                conversation,
                message,
            },
            tag,
        )
        .await;
    }

    /// An internal note: any agent may add one to an open conversation; only agents see it.
    async fn agent_note(
        &mut self,
        conn: ConnId,
        agent: u64,
        note: crate::protocol::Note,
        received: Instant,
    ) {
        let open = self
            .conversations
            .get(&note.conversation)
            .is_some_and(|c| c.status != ConversationStatus::Closed);
        if !open {
            let why = "the conversation is closed or unknown";
            self.refuse(
                conn,
                ErrorCode::Conflict,
                why,
                Some(note.client_id),
                Some(note.conversation),
            );
            return;
        }
        // Its fields were checked at the edge (`ws::frame_check`).
        let message = NewMessage {
            author_kind: AuthorKind::Agent.into(),
            author_id: agent,
            author_name: self
                .agents
                .get(&agent)
                .map(|a| a.account.name.clone())
                .unwrap_or_default(),
            body: note.body,
            client_id: Some(note.client_id.clone()),
            event: Some(crate::protocol::ConversationEvent::Note.into()),
            at_ms: unix_ms(),
        };
        let tag = WriteTag::Send {
            conn,
            client_id: note.client_id,
            received,
            opened: false,
        };
        self.write(
            WriteOp::Append {
                conversation: note.conversation,
                message,
            },
            tag,
        )
        .await;
    }

    /// A visitor's name/email: stored, and agents see the name at once.
    async fn visitor_profile(
        &mut self,
        conn: ConnId,
        visitor: u64,
        profile: crate::protocol::Profile,
    ) {
        let name = profile
            .name
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty());
        let email = profile
            .email
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty());
        if name
            .as_ref()
            .is_some_and(|n| n.chars().count() > 80 || n.chars().any(char::is_control))
        {
            self.refuse(
                conn,
                ErrorCode::InvalidField,
                "the name must be 1-80 printable characters",
                None,
                None,
            );
            return;
        }
        let plausible = |e: &String| {
            e.len() <= 254
                && e.split_once('@')
                    .is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
        };
        if email.as_ref().is_some_and(|e| !plausible(e)) {
            self.refuse(
                conn,
                ErrorCode::InvalidField,
                "that does not look like an email address",
                None,
                None,
            );
            return;
        }
        if let Some(name) = &name {
            self.visitor_names.insert(visitor, name.clone());
            let mine: Vec<u64> = self
                .conversations
                .iter()
                .filter(|(_, c)| c.visitor == visitor)
                .map(|(id, _)| *id)
                .collect();
            for id in mine {
                if let Some(live) = self.conversations.get_mut(&id) {
                    live.visitor_name = Some(name.clone());
                    let summary = live.summary(id);
                    self.announce_conversation(summary, None);
                }
            }
        }
        // A visitor with no record yet: the profile's commit creates it.
        let update = crate::store::VisitorUpdate {
            name,
            email,
            ..self
                .unsaved_visitors
                .get(&visitor)
                .cloned()
                .unwrap_or_default()
        };
        let op = WriteOp::UpsertVisitor {
            id: visitor,
            token_digest: None,
            update,
        };
        self.write(op, WriteTag::Background("visitor profile"))
            .await;
    }

    /// A write came back: acknowledge, fan out, and route new conversations.
    pub(super) async fn on_written(&mut self, tag: WriteTag, result: Result<Outcome, StoreError>) {
        match (tag, result) {
            (
                WriteTag::Send {
                    conn,
                    client_id,
                    received,
                    opened,
                },
                Ok(Outcome::Appended(a)),
            ) => {
                let ack = ServerFrame::Ack(Ack {
                    client_id,
                    conversation: a.conversation,
                    seq: a.seq,
                    duplicate: a.duplicate,
                });
                let (conversation, duplicate, seq) = (a.conversation, a.duplicate, a.seq);
                // A new visitor message where the bot answers: the bot reads it.
                let for_bot = (!duplicate
                    && a.message.author_kind == AuthorKind::Visitor
                    && self.bot_active(conversation))
                .then(|| a.message.body.clone());
                // Live state first, then the ack: whoever sees the ack sees a hub that
                // already knows the message.
                if duplicate {
                    self.metrics.messages_duplicate_total.inc();
                } else {
                    self.metrics.messages_total.inc();
                    self.committed(a, Some(conn));
                }
                // Counted before the ack leaves: whoever sees the ack sees it counted.
                self.metrics
                    .ack_seconds
                    .observe(received.elapsed().as_micros() as u64);
                self.send_to(conn, ack);
                if opened && !duplicate {
                    self.on_conversation_opened(conversation).await;
                }
                if let Some(text) = for_bot {
                    self.ask_bot(conversation, seq, text).await;
                }
            }
            (
                WriteTag::Send {
                    conn,
                    client_id,
                    opened,
                    ..
                },
                Err(e),
            ) => {
                if opened {
                    self.forget_unopened(conn);
                }
                let code = match e {
                    StoreError::NotFound(_) | StoreError::Conflict(_) => ErrorCode::Conflict,
                    _ => ErrorCode::StorageUnavailable,
                };
                self.refuse(
                    conn,
                    code,
                    format!("not stored: {e}"),
                    Some(client_id),
                    None,
                );
            }
            (WriteTag::Status, Ok(Outcome::Appended(a))) => self.committed(a, None),
            (tag, Err(e)) if e.is_unavailable() => {
                tracing::debug!(?tag, error = %e, "write refused")
            }
            (tag, Err(e)) => tracing::error!(?tag, error = %e, "write failed"),
            (_, Ok(_)) => {}
        }
    }

    /// A new conversation's first write failed: drop its live side.
    fn forget_unopened(&mut self, conn: ConnId) {
        let Some(Identity::Visitor { id, site }) =
            self.conns.get(&conn).and_then(|c| c.identity.clone())
        else {
            return;
        };
        if let Some(conversation) = self.open_by_visitor.get(&(id, site.clone())).copied()
            && self
                .conversations
                .get(&conversation)
                .is_some_and(|c| !c.durable)
        {
            self.conversations.remove(&conversation);
            self.open_by_visitor.remove(&(id, site));
        }
    }

    /// Records a committed message in live state and sends it to subscribers.
    fn committed(&mut self, appended: Appended, origin: Option<ConnId>) {
        let now = self.config.now_ms();
        let Some(live) = self.conversations.get_mut(&appended.conversation) else {
            return;
        };
        live.last_seq = live.last_seq.max(appended.seq);
        live.last_at_ms = appended.message.at_ms;
        live.last_activity_ms = now;
        let note = appended
            .message
            .event
            .as_ref()
            .is_some_and(crate::store::values::StoredEvent::agents_only);
        if crate::store::values::StoredEvent::previewed(appended.message.event.as_ref()) {
            live.preview = crate::store::preview_of(&appended.message.body);
        }
        // Retire the live entry with the closing message itself, not with an earlier
        // message that was still in flight when the conversation was closed.
        let closed = live.status == ConversationStatus::Closed
            && matches!(
                appended.message.event,
                Some(crate::store::values::StoredEvent::Closed { .. })
            );
        let frame = ServerFrame::Message(
            appended
                .message
                .to_wire(appended.conversation, appended.seq),
        );
        if note {
            self.publish_to_agents(appended.conversation, frame, origin);
        } else {
            self.publish(appended.conversation, frame, origin);
        }
        if closed {
            self.retire(appended.conversation);
        }
    }

    /// Drops a closed conversation from live state once its closing message is out.
    fn retire(&mut self, conversation: u64) {
        let Some(live) = self.conversations.remove(&conversation) else {
            return;
        };
        for key in live
            .typing
            .iter()
            .map(|(_, _, t)| *t)
            .chain(live.idle_timer)
        {
            self.wheel.cancel(key);
        }
        self.refresh_totals();
    }

    fn on_sync(&mut self, conn: ConnId, who: &Identity, conversation: u64, after_seq: u64) {
        if let (Identity::Visitor { id, .. }, Some(live)) =
            (who, self.conversations.get(&conversation))
            && live.visitor != *id
        {
            self.refuse(
                conn,
                ErrorCode::NotFound,
                "no such conversation",
                None,
                Some(conversation),
            );
            return;
        }
        self.subscribe(conn, conversation);
        match self.conversations.get(&conversation).map(|c| c.last_seq) {
            Some(last) if after_seq > last => {
                let frame = ServerFrame::Resync(Resync {
                    conversation,
                    server_seq: last,
                    reason: "the server has fewer messages than you; drop yours and sync from 0"
                        .into(),
                });
                self.send_to(conn, frame);
            }
            upto => self.deliver(
                conn,
                Outbound::Replay {
                    conversation,
                    after_seq,
                    upto_seq: upto,
                },
            ),
        }
    }
}
