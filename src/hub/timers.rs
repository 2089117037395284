//! The hub's clock: every tick advances the one timing wheel and handles what fired
//! (heartbeats, agent grace periods, idle conversations, typing expiry, overdue bot
//! decisions and responder calls), then sends agents their coalesced inbox updates.

use super::Hub;
use super::live::TimerEvent;

impl Hub {
    pub(super) async fn on_tick(&mut self) {
        let now = self.config.now_ms();
        let mut fired = Vec::new();
        self.wheel.advance(now, &mut fired);
        for event in fired {
            match event {
                TimerEvent::Heartbeat(conn) => self.on_heartbeat(conn),
                TimerEvent::AgentGrace(agent) => self.on_agent_grace(agent).await,
                TimerEvent::IdleClose(conversation) => self.on_idle_check(conversation).await,
                TimerEvent::BotOverdue { conversation, seq } => {
                    self.on_bot_overdue(conversation, seq).await
                }
                TimerEvent::ResponderOverdue { conversation, seq } => {
                    self.on_responder_overdue(conversation, seq).await
                }
                TimerEvent::TypingOff {
                    conversation,
                    kind,
                    id,
                } => self.on_typing_expired(conversation, kind, id),
            }
        }
        // Assignments whose commit failed went back in line: try them again.
        let assigned = self.router.drain();
        self.apply_assignments(assigned).await;
        self.flush_inbox();
    }

    /// Closes a conversation that has been quiet for the idle period; otherwise checks
    /// again when the period would end (one timer per conversation, never rescheduled
    /// per message).
    async fn on_idle_check(&mut self, conversation: u64) {
        let now = self.config.now_ms();
        let idle = self.config.idle_close_ms;
        let Some(live) = self.conversations.get_mut(&conversation) else {
            return;
        };
        live.idle_timer = None;
        let due = live.last_activity_ms + idle;
        if due > now {
            live.idle_timer = Some(self.wheel.insert(due, TimerEvent::IdleClose(conversation)));
            return;
        }
        if !self
            .conversations
            .get(&conversation)
            .is_some_and(|c| c.closing)
        {
            self.close_conversation(conversation, 0, None).await;
        }
    }
}
