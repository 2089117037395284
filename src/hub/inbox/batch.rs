//! Coalesced inbox updates for agents: what an agent is told about conversations that
//! are not theirs (a new conversation in the queue, someone else's assignment, a
//! colleague's load) waits here and goes out once per hub tick, so a burst of new
//! conversations cannot fill an agent's outbound queue and get the agent disconnected.
//! Frames about the agent's own conversations do not pass through here: they go at once.
//!
//! Invariants (checked by the tests below, without a server):
//! 1. Per connection, a conversation or an agent is pending at most once: a second
//!    update replaces the first, and [`InboxBatch::take`] hands out the latest.
//! 2. `take(conn, room)` hands out at most `room` updates; the rest stay pending, in
//!    order (lowest conversation id first, then agents), for a later tick.
//! 3. Nothing is kept for a connection once it is forgotten, and a summary is kept only
//!    while some connection still has it pending.
//!
//! Pure: no clock, no I/O. The hub owns one and flushes it on every tick.

use std::collections::{BTreeSet, HashMap};

use crate::protocol::ConversationSummary;

use crate::hub::event::ConnId;

/// One update to hand out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// The latest summary put for a conversation (the hub sends a fresher one if the
    /// conversation is still live).
    Conversation(ConversationSummary),
    /// An agent's presence or load changed (the hub sends the current figures).
    Agent(u64),
}

/// What one connection has not been told yet.
#[derive(Debug, Default)]
struct Pending {
    conversations: BTreeSet<u64>,
    agents: BTreeSet<u64>,
}

/// Pending inbox updates per agent connection.
#[derive(Debug, Default)]
pub struct InboxBatch {
    /// Per agent connection: conversations and agents to tell it about.
    pending: HashMap<ConnId, Pending>,
    /// The latest summary of every conversation pending somewhere, and on how many
    /// connections it is pending.
    latest: HashMap<u64, (ConversationSummary, usize)>,
}

impl InboxBatch {
    /// Notes a conversation's new state for each of `conns`.
    pub fn conversation(
        &mut self,
        summary: ConversationSummary,
        conns: impl IntoIterator<Item = ConnId>,
    ) {
        let id = summary.id;
        let mut added = 0;
        for conn in conns {
            if self
                .pending
                .entry(conn)
                .or_default()
                .conversations
                .insert(id)
            {
                added += 1;
            }
        }
        let waiting = self.latest.get(&id).map_or(0, |(_, n)| *n) + added;
        if waiting > 0 {
            self.latest.insert(id, (summary, waiting));
        }
    }

    /// Notes that an agent's presence or load changed, for each of `conns`.
    pub fn agent(&mut self, agent: u64, conns: impl IntoIterator<Item = ConnId>) {
        for conn in conns {
            self.pending.entry(conn).or_default().agents.insert(agent);
        }
    }

    /// Connections with something pending.
    pub fn conns(&self) -> Vec<ConnId> {
        let mut conns: Vec<ConnId> = self.pending.keys().copied().collect();
        conns.sort_unstable();
        conns
    }

    /// Takes up to `room` updates for `conn`, oldest conversation first.
    pub fn take(&mut self, conn: ConnId, room: usize) -> Vec<Update> {
        let Some(pending) = self.pending.get_mut(&conn) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        while out.len() < room {
            let Some(id) = pending.conversations.pop_first() else {
                break;
            };
            if let Some(summary) = release(&mut self.latest, id) {
                out.push(Update::Conversation(summary));
            }
        }
        while out.len() < room {
            let Some(agent) = pending.agents.pop_first() else {
                break;
            };
            out.push(Update::Agent(agent));
        }
        if pending.conversations.is_empty() && pending.agents.is_empty() {
            self.pending.remove(&conn);
        }
        out
    }

    /// Drops everything pending for a connection that is gone.
    pub fn forget(&mut self, conn: ConnId) {
        if let Some(pending) = self.pending.remove(&conn) {
            for id in pending.conversations {
                release(&mut self.latest, id);
            }
        }
    }
}

/// One connection no longer waits for conversation `id`: its summary, which is dropped
/// once no connection waits for it.
fn release(
    latest: &mut HashMap<u64, (ConversationSummary, usize)>,
    id: u64,
) -> Option<ConversationSummary> {
    let (summary, waiting) = latest.get_mut(&id)?;
    *waiting -= 1;
    if *waiting == 0 {
        latest.remove(&id).map(|(summary, _)| summary)
    } else {
        Some(summary.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ConversationStatus;

    fn summary(id: u64, agent: Option<u64>, last_seq: u64) -> ConversationSummary {
        ConversationSummary {
            id,
            visitor: id,
            visitor_name: None,
            site: "default".into(),
            status: if agent.is_some() {
                ConversationStatus::Assigned
            } else {
                ConversationStatus::Queued
            },
            agent,
            last_seq,
            last_at_ms: 0,
            created_ms: 0,
            queue_position: None,
            read_visitor: 0,
            read_agent: 0,
            preview: String::new(),
        }
    }

    #[test]
    fn the_latest_summary_wins_and_each_is_pending_once() {
        let mut batch = InboxBatch::default();
        for seq in 1..=5 {
            batch.conversation(summary(9, None, seq), [1, 2]);
        }
        batch.conversation(summary(9, Some(4), 6), [1, 2]);
        batch.agent(4, [1]);
        batch.agent(4, [1]);
        assert_eq!(
            batch.take(1, 100),
            vec![
                Update::Conversation(summary(9, Some(4), 6)),
                Update::Agent(4)
            ]
        );
        assert_eq!(batch.take(1, 100), vec![]);
        assert_eq!(
            batch.take(2, 100),
            vec![Update::Conversation(summary(9, Some(4), 6))]
        );
        assert!(batch.conns().is_empty() && batch.latest.is_empty());
    }

    #[test]
    fn room_limits_a_flush_and_the_rest_waits_in_order() {
        let mut batch = InboxBatch::default();
        for id in (1..=10).rev() {
            batch.conversation(summary(id, None, 1), [7]);
        }
        batch.agent(3, [7]);
        let ids = |updates: Vec<Update>| -> Vec<u64> {
            updates
                .into_iter()
                .map(|u| match u {
                    Update::Conversation(s) => s.id,
                    Update::Agent(a) => 1000 + a,
                })
                .collect()
        };
        assert_eq!(ids(batch.take(7, 4)), vec![1, 2, 3, 4]);
        // A newer state of a conversation still pending replaces it in place.
        batch.conversation(summary(6, Some(2), 3), [7]);
        assert_eq!(batch.take(7, 0), vec![]);
        let next = batch.take(7, 3);
        assert_eq!(next[1], Update::Conversation(summary(6, Some(2), 3)));
        assert_eq!(ids(batch.take(7, 100)), vec![8, 9, 10, 1003]);
        assert!(batch.conns().is_empty());
    }

    #[test]
    fn a_forgotten_connection_leaves_nothing_behind() {
        let mut batch = InboxBatch::default();
        batch.conversation(summary(1, None, 1), [1, 2]);
        batch.conversation(summary(2, None, 1), [2]);
        batch.conversation(summary(3, None, 1), []);
        assert!(!batch.latest.contains_key(&3), "nobody waits for it");
        batch.forget(2);
        assert_eq!(batch.conns(), vec![1]);
        assert_eq!(batch.latest.len(), 1);
        batch.forget(1);
        assert!(batch.pending.is_empty() && batch.latest.is_empty());
    }
}
