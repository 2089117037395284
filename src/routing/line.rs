//! The waiting line: queued conversations in order, and the tickets that fix that order.

use std::collections::{BTreeMap, BTreeSet};

use super::types::ConversationId;

/// A conversation's place in line, fixed when it is created or reopened and kept while it
/// stays open, so a conversation taken back from an agent returns to where it stood.
///
/// A conversation newer than any seen gets `(its id, 0)`; one reopened (or arriving out of
/// id order) gets `(newest id seen, next seq)`, which sorts after every ticket so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Ticket {
    /// A conversation id this ticket sorts right after (or at, when `seq` is 0).
    after: ConversationId,
    /// Tie-breaker among tickets with the same `after`; 0 only for the conversation `after`.
    seq: u64,
}

/// Queued conversations in ticket order, plus the counters that hand out tickets.
#[derive(Debug, Default)]
pub(super) struct Line {
    /// Queued conversations, next in line first.
    queue: BTreeMap<Ticket, ConversationId>,
    /// Highest conversation id seen so far.
    newest: ConversationId,
    /// Last `seq` handed out.
    seq: u64,
}

impl Line {
    /// A ticket that sorts after every ticket handed out so far.
    pub(super) fn fresh_ticket(&mut self, conv: ConversationId) -> Ticket {
        if conv > self.newest {
            self.newest = conv;
            Ticket {
                after: conv,
                seq: 0,
            }
        } else {
            self.seq += 1;
            Ticket {
                after: self.newest,
                seq: self.seq,
            }
        }
    }

    /// The ticket of a conversation restored from storage: its creation (id) order.
    pub(super) fn restored_ticket(&mut self, conv: ConversationId) -> Ticket {
        self.newest = self.newest.max(conv);
        Ticket {
            after: conv,
            seq: 0,
        }
    }

    /// Puts a conversation in line at its ticket's place; returns its 1-based position.
    pub(super) fn insert(&mut self, ticket: Ticket, conv: ConversationId) -> usize {
        self.queue.insert(ticket, conv);
        self.position(ticket)
    }

    /// Takes a conversation out of line (no-op if that ticket is not queued).
    pub(super) fn remove(&mut self, ticket: Ticket) {
        self.queue.remove(&ticket);
    }

    /// Takes the conversation next in line.
    pub(super) fn pop_first(&mut self) -> Option<ConversationId> {
        self.queue.pop_first().map(|(_, conv)| conv)
    }

    /// 1-based position of a queued ticket: O(conversations ahead of it).
    pub(super) fn position(&self, ticket: Ticket) -> usize {
        self.queue.range(..ticket).count() + 1
    }

    /// 1-based positions of those of `convs` that are queued, in one pass.
    pub(super) fn positions_of(
        &self,
        convs: &BTreeSet<ConversationId>,
    ) -> BTreeMap<ConversationId, usize> {
        self.iter()
            .enumerate()
            .filter(|(_, conv)| convs.contains(conv))
            .map(|(i, conv)| (conv, i + 1))
            .collect()
    }

    /// Queued conversations, next in line first.
    pub(super) fn iter(&self) -> impl Iterator<Item = ConversationId> + '_ {
        self.queue.values().copied()
    }

    /// Queued conversations with their tickets, next in line first (for invariant checks).
    #[cfg(test)]
    pub(super) fn entries(&self) -> impl Iterator<Item = (Ticket, ConversationId)> + '_ {
        self.queue.iter().map(|(&ticket, &conv)| (ticket, conv))
    }

    /// Number of queued conversations.
    pub(super) fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether nobody is waiting.
    pub(super) fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
}
