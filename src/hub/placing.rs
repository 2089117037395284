//! Applying the router's placements: a new conversation goes to the bot, an agent or the
//! queue; an assignment or a return to the queue is stored with its system message, and
//! agents and the visitor are told once it is committed. Where a conversation sits is
//! always read back from the [`crate::routing::Router`], never kept in live state.
//!
//! The router holds an assignment from the moment it is decided (so the next event
//! cannot give the conversation out twice or overfill an agent), but that reservation is
//! shown to nobody: summaries show where the store has it (`pending`), and no frame
//! leaves until the commit returns. If the commit fails the router is put back
//! ([`crate::routing::Router::revert`]); an automatic assignment goes back in line and
//! the next tick tries again.

use crate::protocol::{ConversationEvent, ConversationStatus, QueuePosition, ServerFrame};
use crate::routing::Placement;

use crate::store::{Appended, StoreError};

use super::Hub;
use super::event::{Asker, WriteTag};
use super::live::TimerEvent;

impl Hub {
    /// Places a conversation whose first message was just committed: with the bot if it
    /// runs, else to an agent with room or the queue.
    pub(super) async fn on_conversation_opened(&mut self, conversation: u64) {
        let idle_deadline = self.config.now_ms() + self.config.idle_close_ms;
        let Some(live) = self.conversations.get_mut(&conversation) else {
            return;
        };
        live.durable = true;
        if self.config.idle_close_ms > 0 {
            live.idle_timer = Some(
                self.wheel
                    .insert(idle_deadline, TimerEvent::IdleClose(conversation)),
            );
        }
        let placement = if self.bot.is_some() {
            self.router.place_with_bot(conversation)
        } else {
            self.router.place_new(conversation)
        };
        self.apply_new_placement(conversation, placement).await;
    }

    /// Tells everyone where a conversation no agent has had yet was placed (the bot, an
    /// agent, the queue).
    pub(super) async fn apply_new_placement(&mut self, conversation: u64, placement: Placement) {
        match placement {
            Placement::Assigned(agent) => self.assign_automatically(conversation, agent).await,
            // The bot has the first say (see `hub/bot.rs`); agents see it in "all open".
            Placement::Queued { .. } | Placement::WithBot => {
                if let Some(summary) = self.summary_of(conversation) {
                    self.announce_conversation(summary, None);
                }
            }
        }
        self.refresh_queue();
        self.refresh_totals();
    }

    /// Records an assignment the router made by itself from the queue.
    pub(super) async fn assign_automatically(&mut self, conversation: u64, agent: u64) {
        let event = ConversationEvent::Assigned { agent };
        let before = Some(Placement::Queued { position: 0 });
        self.set_assignment(conversation, before, event, 0, None)
            .await;
    }

    /// Applies automatic assignments made by the router.
    pub(super) async fn apply_assignments(&mut self, assigned: Vec<(u64, u64)>) {
        for (conversation, agent) in assigned {
            self.assign_automatically(conversation, agent).await;
        }
    }

    /// Takes an agent's conversations back (`disable`: and disables them) and applies
    /// the router's placements: each goes to another agent or back in line.
    pub(super) async fn take_back(&mut self, agent: u64, disable: bool) {
        let former: Vec<u64> = self.router.conversations_of(agent).collect();
        let placements = if disable {
            self.router.disable_agent(agent)
        } else {
            self.router.requeue_agent(agent)
        };
        for (conversation, placement) in placements.unwrap_or_default() {
            // Conversations the drain gave out came from the queue, not from `agent`.
            let before = match former.contains(&conversation) {
                true => Placement::Assigned(agent),
                false => Placement::Queued { position: 0 },
            };
            let event = match placement {
                Placement::Assigned(agent) => ConversationEvent::Assigned { agent },
                Placement::Queued { .. } | Placement::WithBot => ConversationEvent::Queued,
            };
            self.set_assignment(conversation, Some(before), event, 0, None)
                .await;
        }
    }

    /// Stores where the router now has a conversation (an agent, or the queue) with the
    /// system message `event`. The router holds the decision at once; nobody is told
    /// until the commit returns ([`Hub::on_placed_written`]). `before` is where the
    /// router had it before the decision (`None`: closed, for a reopen); `asker` asked.
    pub(super) async fn set_assignment(
        &mut self,
        conversation: u64,
        before: Option<Placement>,
        event: ConversationEvent,
        by: u64,
        asker: Option<Asker>,
    ) {
        let Some(placed) = self.router.placement(conversation) else {
            return;
        };
        if !self.conversations.contains_key(&conversation) {
            return;
        }
        let (status, agent) = match placed {
            Placement::Assigned(agent) => (ConversationStatus::Assigned, Some(agent)),
            Placement::Queued { .. } | Placement::WithBot => (ConversationStatus::Queued, None),
        };
        let previous = match before {
            Some(Placement::Assigned(a)) if agent != Some(a) => Some(a),
            _ => None,
        };
        self.pending.reserve(conversation, before);
        let tag = WriteTag::Placed {
            conversation,
            placed,
            previous,
            asker,
        };
        self.write_status(conversation, status, agent, event, by, tag)
            .await;
    }

    /// A placement came back from the writer. Committed: agents (`previous`, the agent
    /// it was taken from, at once) and the visitor are told, and its system message goes
    /// out. Not committed: the router goes back to where the store has it (an automatic
    /// assignment back in line, tried again on the next tick) and `asker` is told.
    pub(super) async fn on_placed_written(
        &mut self,
        conversation: u64,
        placed: Placement,
        previous: Option<u64>,
        asker: Option<Asker>,
        result: Result<Appended, StoreError>,
    ) {
        let appended = match result {
            Ok(appended) => appended,
            Err(e) => {
                match self.pending.settle(conversation, None) {
                    Some(Some(stored)) => {
                        self.router.revert(conversation, stored);
                        if let Placement::Assigned(agent) = stored {
                            self.retry_take_back(agent);
                        }
                    }
                    Some(None) => self.undo_reopen(conversation).await,
                    None => {}
                }
                // While storage is down an automatic assignment is retried every tick.
                if e.is_unavailable() {
                    tracing::debug!(conversation, error = %e, "placement not stored");
                } else {
                    tracing::warn!(conversation, error = %e, "placement not stored");
                }
                if let Some(asker) = &asker {
                    self.refuse_unstored(asker, conversation, "the change", &e);
                }
                if matches!(
                    self.router.placement(conversation),
                    Some(Placement::Queued { .. })
                ) {
                    // Agents may not have seen it in line yet (a new conversation).
                    if let Some(summary) = self.summary_of(conversation) {
                        self.announce_conversation(summary, None);
                    }
                }
                self.refresh_queue();
                return;
            }
        };
        self.pending.settle(conversation, Some(placed));
        let Some(summary) = self.summary_of(conversation) else {
            return;
        };
        let visitor = summary.visitor;
        self.announce_conversation(summary, previous);
        let agent = match placed {
            Placement::Assigned(agent) => Some(agent),
            Placement::Queued { .. } | Placement::WithBot => None,
        };
        if agent.is_some() {
            if let Some(live) = self.conversations.get_mut(&conversation) {
                live.told_position = None;
            }
            let frame = ServerFrame::QueuePosition(QueuePosition {
                conversation,
                position: 0,
            });
            self.send_to_visitor(visitor, frame);
        }
        let seq = appended.seq;
        self.committed(appended, None);
        if let Some(asker) = &asker {
            Hub::tell_committed(asker, conversation, seq);
        }
        for a in [previous, agent].into_iter().flatten() {
            self.broadcast_agent_info(a);
        }
        self.refresh_queue();
    }

    /// A conversation went back to `agent` because taking it back was not stored: if
    /// they are still gone, their grace period starts again, so it is tried once more
    /// when that ends.
    fn retry_take_back(&mut self, agent: u64) {
        let at = self.config.now_ms() + self.config.agent_grace_ms;
        if let Some(live) = self.agents.get_mut(&agent)
            && live.conns.is_empty()
            && live.grace.is_none()
            && !self.shutting_down
        {
            live.grace = Some(self.wheel.insert(at, TimerEvent::AgentGrace(agent)));
        }
    }

    /// Tells visitors whose queue position changed their new one.
    pub(super) fn refresh_queue(&mut self) {
        let queued: Vec<u64> = self.router.queued().collect();
        let mut changed = Vec::new();
        for (index, conversation) in queued.iter().enumerate() {
            let position = index as u32 + 1;
            if let Some(live) = self.conversations.get_mut(conversation)
                && live.told_position != Some(position)
            {
                live.told_position = Some(position);
                changed.push((live.visitor, *conversation, position));
            }
        }
        for (visitor, conversation, position) in changed {
            self.send_to_visitor(
                visitor,
                ServerFrame::QueuePosition(QueuePosition {
                    conversation,
                    position,
                }),
            );
        }
        self.refresh_totals();
    }
}
