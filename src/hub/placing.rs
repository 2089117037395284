//! Applying the router's placements: a new conversation goes to the bot, an agent or the
//! queue; an assignment or a return to the queue is stored with its system message, and
//! agents and the visitor are told. Where a conversation sits is always read back from
//! the [`crate::routing::Router`], never kept in live state.

use crate::protocol::{ConversationEvent, ConversationStatus, QueuePosition, ServerFrame};
use crate::routing::Placement;

use super::Hub;
use super::event::WriteTag;
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
    async fn assign_automatically(&mut self, conversation: u64, agent: u64) {
        let event = ConversationEvent::Assigned { agent };
        self.set_assignment(conversation, None, event, 0).await;
    }

    /// Applies automatic assignments made by the router.
    pub(super) async fn apply_assignments(&mut self, assigned: Vec<(u64, u64)>) {
        for (conversation, agent) in assigned {
            self.assign_automatically(conversation, agent).await;
        }
        self.refresh_queue();
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
            let previous = former.contains(&conversation).then_some(agent);
            let event = match placement {
                Placement::Assigned(agent) => ConversationEvent::Assigned { agent },
                Placement::Queued { .. } | Placement::WithBot => ConversationEvent::Queued,
            };
            self.set_assignment(conversation, previous, event, 0).await;
        }
        self.refresh_queue();
    }

    /// Stores where the router now has a conversation (an agent, or the queue) with the
    /// system message `event`, and tells agents (`previous`, the agent it was taken
    /// from, at once) and the visitor.
    pub(super) async fn set_assignment(
        &mut self,
        conversation: u64,
        previous: Option<u64>,
        event: ConversationEvent,
        by: u64,
    ) {
        if !self.conversations.contains_key(&conversation) {
            return;
        }
        let agent = self.router.assignee(conversation);
        let status = match agent {
            Some(_) => ConversationStatus::Assigned,
            None => ConversationStatus::Queued,
        };
        self.write_status(conversation, status, agent, event, by, WriteTag::Status)
            .await;
        let Some(summary) = self.summary_of(conversation) else {
            return;
        };
        let visitor = summary.visitor;
        self.announce_conversation(summary, previous);
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
        for a in [previous, agent].into_iter().flatten() {
            self.broadcast_agent_info(a);
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
