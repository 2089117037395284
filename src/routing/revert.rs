//! Undoing a decision whose commit failed. The hub stores every placement the router
//! decides and tells nobody until the commit returns; meanwhile the decision holds its
//! place here (so the next event cannot give the conversation out twice or overfill an
//! agent). If the commit fails, [`Router::revert`] puts the conversation back where the
//! store still has it.

use super::{ConversationId, Placement, Router};

impl Router {
    /// Puts an open conversation back at `stored`, the placement the store still has:
    /// with that agent (whatever their load or presence, as at start-up; queued instead
    /// if the agent is unknown or disabled), in line at its original place, or with the
    /// bot (a queued position in `stored` is ignored). Does not drain the queue, so a
    /// reverted automatic assignment is not retried at once: the hub calls
    /// [`Router::drain`] later. Returns `false`, changing nothing, if it is not open.
    pub fn revert(&mut self, conv: ConversationId, stored: Placement) -> bool {
        let Some(ticket) = self.open.get(&conv).map(|open| open.ticket) else {
            return false;
        };
        self.forget(conv);
        self.admit(conv, ticket);
        match stored {
            Placement::Assigned(agent) if self.agents.get(&agent).is_some_and(|a| a.enabled) => {
                self.attach(conv, agent, false);
            }
            Placement::Assigned(_) | Placement::Queued { .. } => {
                self.enqueue(conv, ticket);
            }
            Placement::WithBot => {
                self.give_to_bot(conv);
            }
        }
        true
    }
}
