//! At most one "a visitor is waiting" email per agent and conversation in each batching
//! window (`--email-batch-minutes`): the first goes out at once; a message while one is
//! still scheduled adds nothing (the scheduled email is rendered when it is sent, so it
//! shows the new message too); a message after that schedules the next email no sooner
//! than one window after the last. Pure and in memory: a restart forgets it, which at
//! worst sends one email early. Entries older than [`FORGET_MS`] are dropped, so memory
//! stays bounded by the conversations of the last two days.

use std::collections::HashMap;

/// Entries whose last email was planned this long ago are forgotten.
pub const FORGET_MS: u64 = 2 * 24 * 3_600_000;

/// The planned send times per (agent, conversation).
#[derive(Debug, Default)]
pub struct Batches {
    /// (agent, conversation) → the not-before time of the last email planned.
    last: HashMap<(u64, u64), u64>,
    /// When entries were last pruned.
    pruned_ms: u64,
}

/// What [`Batches::plan`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Send an email no sooner than this (ms since the Unix epoch); `again` when an
    /// earlier one was planned for this conversation.
    Send {
        /// Not before this time.
        not_before_ms: u64,
        /// An earlier email about this conversation was planned for this agent.
        again: bool,
    },
    /// An email is already scheduled and will show the new message.
    Covered,
}

impl Batches {
    /// Nothing planned yet.
    pub fn new() -> Batches {
        Batches::default()
    }

    /// Decides about one new reason to email `agent` about `conversation` at `now_ms`.
    pub fn plan(&mut self, agent: u64, conversation: u64, now_ms: u64, window_ms: u64) -> Decision {
        self.prune(now_ms);
        let decision = match self.last.get(&(agent, conversation)) {
            None => Decision::Send {
                not_before_ms: now_ms,
                again: false,
            },
            Some(&t) if t > now_ms => Decision::Covered,
            Some(&t) => Decision::Send {
                not_before_ms: now_ms.max(t.saturating_add(window_ms)),
                again: true,
            },
        };
        if let Decision::Send { not_before_ms, .. } = decision {
            self.last.insert((agent, conversation), not_before_ms);
        }
        decision
    }

    /// How many (agent, conversation) pairs are remembered.
    pub fn len(&self) -> usize {
        self.last.len()
    }

    /// True when nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.last.is_empty()
    }

    /// Drops entries older than [`FORGET_MS`], at most once an hour.
    fn prune(&mut self, now_ms: u64) {
        if now_ms.saturating_sub(self.pruned_ms) < 3_600_000 {
            return;
        }
        self.pruned_ms = now_ms;
        self.last
            .retain(|_, t| now_ms.saturating_sub(*t) < FORGET_MS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: u64 = 600_000;

    #[test]
    fn one_email_per_window_and_the_first_at_once() {
        let mut b = Batches::new();
        let t0 = 10_000_000;
        assert_eq!(
            b.plan(1, 7, t0, W),
            Decision::Send {
                not_before_ms: t0,
                again: false
            }
        );
        // Another agent is planned on its own.
        assert_eq!(
            b.plan(2, 7, t0, W),
            Decision::Send {
                not_before_ms: t0,
                again: false
            }
        );
        // A message a minute later: the next email waits for the window.
        assert_eq!(
            b.plan(1, 7, t0 + 60_000, W),
            Decision::Send {
                not_before_ms: t0 + W,
                again: true
            }
        );
        // Two more while that one is scheduled: covered by it.
        assert_eq!(b.plan(1, 7, t0 + 120_000, W), Decision::Covered);
        assert_eq!(b.plan(1, 7, t0 + W - 1, W), Decision::Covered);
        // Long after: at once again.
        assert_eq!(
            b.plan(1, 7, t0 + 5 * W, W),
            Decision::Send {
                not_before_ms: t0 + 5 * W,
                again: true
            }
        );
    }

    #[test]
    fn old_entries_are_forgotten() {
        let mut b = Batches::new();
        for c in 0..100 {
            b.plan(1, c, 10_000_000, W);
        }
        assert_eq!(b.len(), 100);
        b.plan(1, 1000, 10_000_000 + FORGET_MS + 1, W);
        assert_eq!(b.len(), 1);
    }
}
