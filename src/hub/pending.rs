//! Placements waiting for their commit: for each conversation whose assignment the
//! router has decided but the store has not confirmed, where the store still has it.
//!
//! The router holds a decision from the moment it is made (its reservation), so the
//! next event cannot give the same conversation out twice; nobody is told until the
//! commit returns. Writes come back in the order they were made, so one count per
//! conversation is enough.
//!
//! # Invariants (checked by the tests below)
//! 1. A conversation has an entry exactly while at least one of its placement writes
//!    has not come back.
//! 2. `stored` is the placement of the last of its writes that was committed, or the one
//!    it had before its first pending write (`None`: it was closed, for a reopen).
//! 3. [`Pending::settle`] asks for a revert only when the last pending write failed,
//!    and then to `stored`.

use std::collections::BTreeMap;

use crate::routing::Placement;

/// One conversation's pending placement writes.
#[derive(Debug)]
struct Entry {
    /// Where the store has it (`None`: closed).
    stored: Option<Placement>,
    /// Placement writes sent and not yet back.
    writes: u32,
}

/// Conversations with placement writes in flight. See the module docs.
#[derive(Debug, Default)]
pub(super) struct Pending {
    /// By conversation.
    entries: BTreeMap<u64, Entry>,
}

impl Pending {
    /// A placement write for `conversation` goes to the writer; `before` is where the
    /// router had it before this decision (kept only if nothing else is pending).
    pub(super) fn reserve(&mut self, conversation: u64, before: Option<Placement>) {
        self.entries
            .entry(conversation)
            .or_insert(Entry {
                stored: before,
                writes: 0,
            })
            .writes += 1;
    }

    /// Where the store has a conversation with writes in flight; `None` if it has none.
    pub(super) fn stored(&self, conversation: u64) -> Option<Option<Placement>> {
        self.entries.get(&conversation).map(|e| e.stored)
    }

    /// A placement write came back: `committed` is its placement if stored, `None` if
    /// it failed. Returns where to put the router back when the last write in flight
    /// failed (`Some(None)`: the conversation is closed in the store).
    pub(super) fn settle(
        &mut self,
        conversation: u64,
        committed: Option<Placement>,
    ) -> Option<Option<Placement>> {
        let entry = self.entries.get_mut(&conversation)?;
        entry.writes = entry.writes.saturating_sub(1);
        if committed.is_some() {
            entry.stored = committed;
        }
        if entry.writes > 0 {
            return None;
        }
        let done = self.entries.remove(&conversation)?;
        committed.is_none().then_some(done.stored)
    }

    /// Drops a conversation that no longer exists (its visitor was erased): its writes
    /// still in flight come back to no entry, so nothing is reverted.
    pub(super) fn forget(&mut self, conversation: u64) {
        self.entries.remove(&conversation);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Placement::{Assigned, Queued};

    const QUEUED: Placement = Queued { position: 0 };

    #[test]
    fn a_failed_write_reverts_to_the_last_committed_placement() {
        let mut p = Pending::default();
        p.reserve(1, Some(QUEUED));
        assert_eq!(p.stored(1), Some(Some(QUEUED)));
        assert_eq!(p.settle(1, None), Some(Some(QUEUED)));
        assert_eq!(p.stored(1), None);

        // Claimed (committed), then transferred (failed): back to the claimer.
        p.reserve(2, Some(QUEUED));
        p.reserve(2, Some(Assigned(7)));
        assert_eq!(p.settle(2, Some(Assigned(7))), None);
        assert_eq!(p.stored(2), Some(Some(Assigned(7))));
        assert_eq!(p.settle(2, None), Some(Some(Assigned(7))));

        // A failure followed by a commit: the router already has what the store has.
        p.reserve(3, None);
        p.reserve(3, Some(Assigned(1)));
        assert_eq!(p.settle(3, None), None);
        assert_eq!(p.settle(3, Some(Assigned(2))), None);
        assert_eq!(p.stored(3), None);
        assert_eq!(
            p.settle(3, None),
            None,
            "nothing pending: nothing to revert"
        );
    }
}
