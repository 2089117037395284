//! Rebuilding the hub's live state from storage at start: agents, open conversations,
//! their assignments and the queue, and the visitor messages the bot had not answered
//! when the server stopped.

use crate::protocol::{AuthorKind, ConversationStatus};
use crate::store::StoreError;
use crate::timer::unix_ms;

use super::Hub;
use super::live::{LiveAgent, LiveConversation, TimerEvent};

/// A visitor message that was committed (and acknowledged) in a conversation the bot
/// answers, with no decision after it: the server stopped before the bot had decided.
pub(super) struct Unanswered {
    pub conversation: u64,
    pub seq: u64,
    pub text: String,
    /// The language the visitor's browser last reported.
    pub language: Option<String>,
}

impl Hub {
    /// Loads agents and open conversations. Every agent starts offline; agents who hold
    /// conversations get the usual grace period to come back before those are requeued.
    /// Returns the visitor messages the bot still has to decide.
    pub(super) fn restore(&mut self) -> Result<Vec<Unanswered>, StoreError> {
        let mut unanswered = Vec::new();
        let now = self.config.now_ms();
        for (id, account) in self.store.agents()? {
            self.router
                .add_agent(id, account.capacity.or(Some(self.config.default_capacity)));
            if account.disabled {
                let _ = self.router.disable_agent(id);
            }
            self.agents.insert(id, LiveAgent::offline(account));
        }
        let (_, max_conversation) = self.store.max_ids()?;
        self.next_conversation = max_conversation;
        let wall = unix_ms();
        for open in self.store.open_conversations()? {
            let idle_timer = (self.config.idle_close_ms > 0).then(|| {
                let quiet = wall.saturating_sub(open.last_at_ms);
                let remaining = self.config.idle_close_ms.saturating_sub(quiet);
                self.wheel
                    .insert(now + remaining, TimerEvent::IdleClose(open.id))
            });
            // Bot conversations stay with the bot (or, with `--no-bot` now, join the queue).
            let with_bot = open.record.status == ConversationStatus::Bot && self.bot.is_some();
            match (open.record.status.into(), open.record.agent) {
                (ConversationStatus::Assigned, Some(agent)) => {
                    self.router.restore_assigned(open.id, agent);
                }
                _ if with_bot => {
                    self.router.restore_with_bot(open.id);
                }
                _ => {
                    self.router.restore_queued(open.id);
                }
            }
            let agent = self.router.assignee(open.id);
            let visitor = self.store.visitor(open.record.visitor)?;
            if with_bot && agent.is_none() {
                // The newest message is the visitor's own: the bot never answered it.
                let (newest, _) = self.store.messages_before(open.id, 0, 1)?;
                if let Some((seq, message)) = newest.into_iter().next()
                    && message.author_kind == AuthorKind::Visitor
                    && message.event.is_none()
                {
                    unanswered.push(Unanswered {
                        conversation: open.id,
                        seq,
                        text: message.body,
                        language: visitor.as_ref().and_then(|v| v.language.clone()),
                    });
                }
            }
            let read = self.store.read_state(open.id)?;
            let visitor_name = visitor.and_then(|v| v.name);
            let preview = self.store.preview(open.id)?;
            let labels = self
                .store
                .labels_of(&[open.id])?
                .remove(&open.id)
                .unwrap_or_default();
            self.conversations.open(
                open.id,
                LiveConversation {
                    last_seq: open.last_seq,
                    last_at_ms: open.last_at_ms,
                    created_ms: open.record.created_ms,
                    durable: true,
                    read,
                    idle_timer,
                    visitor_name,
                    preview,
                    labels,
                    ..LiveConversation::new(open.record.visitor, open.record.site, now)
                },
            );
        }
        let holders: Vec<u64> = self
            .agents
            .keys()
            .copied()
            .filter(|a| self.router.open_count(*a) > 0)
            .collect();
        for agent in holders {
            let timer = self.wheel.insert(
                now + self.config.agent_grace_ms,
                TimerEvent::AgentGrace(agent),
            );
            if let Some(live) = self.agents.get_mut(&agent) {
                live.grace = Some(timer);
            }
        }
        self.refresh_queue();
        tracing::info!(
            agents = self.agents.len(),
            open_conversations = self.conversations.len(),
            queued = self.router.queue_len(),
            unanswered = unanswered.len(),
            "restored live state"
        );
        Ok(unanswered)
    }
}
