//! The recent part of the full-text index (issue #16): one row per new message, keyed
//! by arrival ([`SEARCH_RECENT`]: arrival → conversation, seq and the message's terms
//! with their counts), written in the message's own commit. A commit appends its
//! messages' rows at the end of one table, so it dirties a page or two however many
//! terms they hold. (Until schema 10 the part was ordered by term, one row per term:
//! a chat message's twenty to forty terms then dirtied as many pages in every commit;
//! `search_recent_v9.rs` merges such a part at the upgrade.)
//!
//! The writer merges the part into the main postings (`termconvseq_count`, ordered by
//! term and conversation) in steps of its own, oldest messages first: when the writer
//! has nothing else to do, or when the part has grown past [`MERGE_AT`] postings and
//! the writer keeps up (past [`MERGE_HARD_AT`] whatever waits). Many messages per
//! conversation then share a page of the main postings.
//!
//! Invariants:
//! 1. A committed message's terms are in the main postings or in the recent part (never
//!    both, but for the start-up pass over old data, which may index a message the live
//!    path added too: the merge then skips the copy, and until it runs the message
//!    counts twice in its ranking, never in whether it is found).
//! 2. A merge step moves whole messages in one transaction: a crash leaves each in one
//!    place or the other. Its commit need not be durable (nothing is acknowledged by
//!    it): a later durable commit makes it so, and a power cut before that leaves the
//!    recent part as it was.
//! 3. The writer's [`RecentState`] counts what the table holds; it is dropped after a
//!    failed commit and counted again from the table.
//!
//! Readers look in both parts ([`RecentTerms`], used by `search_read.rs`). A query
//! reads the whole recent part once per term group: its bound ([`MERGE_HARD_AT`]) is
//! also the bound on that read.

use std::collections::{BTreeSet, HashMap, HashSet};

use redb::{ReadTransaction, ReadableTable, WriteTransaction};

use super::StoreError;
use super::records::MessageV1;
use super::tables::*;
use crate::search::tokens::term_counts;

/// Past this many postings the recent part is merged even while the writer is busy,
/// one small step after each batch (a query reads at most this many postings while
/// the writer keeps up). Below it, merges wait until the writer is idle: many messages
/// per conversation then share a page of the main postings, and nothing is merged
/// while acknowledgements wait. Busy steps each touch about one page of the main
/// postings per posting, so they cost the tail latency what they save in bytes:
/// measured at 524,288, where a 30 s run at 5,000 msg/s reached it (docs/BENCHMARKS.md,
/// issue #16).
pub const MERGE_AT: u64 = 2_097_152;
/// Past this many postings the recent part is merged after every batch even while the
/// writer falls behind: the bound on its size and on what a query reads.
pub const MERGE_HARD_AT: u64 = 8_388_608;
/// Postings moved by one merge step while the writer is busy (bounds the pause it adds
/// to the next acknowledgements; a step moves whole messages, so one more message's).
pub const MERGE_BUSY_STEP: usize = 4_096;
/// Postings moved by one merge step while the writer is idle (a job that arrives
/// meanwhile waits for at most one step).
pub const MERGE_IDLE_STEP: usize = 32_768;

/// What the writer knows of the recent part (counted from the table on first use).
#[derive(Debug, Default)]
pub struct RecentState {
    /// None until counted.
    counted: Option<Counted>,
}

#[derive(Debug, Default)]
struct Counted {
    /// Postings (terms of messages) in the table.
    postings: u64,
    /// The next arrival number.
    next: u64,
    /// Conversation → its postings in the table.
    conversations: HashMap<u64, u64>,
}

impl RecentState {
    /// Postings in the recent part (0 before the first count).
    pub fn postings(&self) -> u64 {
        self.counted.as_ref().map_or(0, |c| c.postings)
    }

    /// Forgets the counts (after a failed commit).
    pub fn forget(&mut self) {
        self.counted = None;
    }

    fn counted(&mut self, tx: &WriteTransaction) -> Result<&mut Counted, StoreError> {
        if self.counted.is_none() {
            let table = tx.open_table(SEARCH_RECENT)?;
            let mut counted = Counted::default();
            for row in table.iter()? {
                let (arrival, value) = row?;
                let (conversation, _, terms) = value.value();
                counted.postings += terms.len() as u64;
                counted.next = counted.next.max(arrival.value() + 1);
                *counted.conversations.entry(conversation).or_default() += terms.len() as u64;
            }
            self.counted = Some(counted);
        }
        Ok(self.counted.get_or_insert_with(Counted::default))
    }

    /// True until the table is counted (on the first message or merge step).
    pub fn uncounted(&self) -> bool {
        self.counted.is_none()
    }
}

/// Adds a new message's terms to the recent part; true when it had any. `counted`:
/// its terms as its sender counted them (`super::search_docs::new_message_terms`), if
/// it did.
pub(super) fn add_message(
    tx: &WriteTransaction,
    state: &mut RecentState,
    (conversation, seq): (u64, u64),
    message: &MessageV1,
    counted: Option<crate::search::tokens::TermCounts>,
) -> Result<bool, StoreError> {
    let counts = match counted {
        Some(counts) => counts,
        None => match super::search_docs::message_text(message) {
            Some(text) => term_counts(&text),
            None => return Ok(false),
        },
    };
    if counts.is_empty() {
        return Ok(false);
    }
    let counted = state.counted(tx)?;
    let arrival = counted.next;
    counted.next += 1;
    counted.postings += counts.len() as u64;
    *counted.conversations.entry(conversation).or_default() += counts.len() as u64;
    let terms: Vec<(&str, u32)> = counts.iter().map(|(t, n)| (t.as_str(), *n)).collect();
    tx.open_table(SEARCH_RECENT)?
        .insert(arrival, (conversation, seq, terms))?;
    super::search_docs::count_document(tx, true)?;
    Ok(true)
}

/// One posting on its way to the main postings: (term, conversation, seq, count).
pub(super) type Moving = (String, u64, u64, u32);

/// Moves the oldest messages' postings into the main postings, whole messages until at
/// least `budget` postings (or all) moved; returns how many moved.
pub(super) fn merge_step(
    tx: &WriteTransaction,
    state: &mut RecentState,
    budget: usize,
) -> Result<u64, StoreError> {
    let mut taken: Vec<u64> = Vec::new();
    let mut moving: Vec<Moving> = Vec::new();
    {
        let recent = tx.open_table(SEARCH_RECENT)?;
        for row in recent.iter()? {
            if moving.len() >= budget.max(1) {
                break;
            }
            let (arrival, value) = row?;
            let (conversation, seq, terms) = value.value();
            taken.push(arrival.value());
            moving.extend(
                terms
                    .into_iter()
                    .map(|(term, n)| (term.to_string(), conversation, seq, n)),
            );
        }
    }
    let mut recent = tx.open_table(SEARCH_RECENT)?;
    for arrival in &taken {
        recent.remove(*arrival)?;
    }
    drop(recent);
    let counted = state.counted(tx)?;
    counted.postings = counted.postings.saturating_sub(moving.len() as u64);
    for (_, conversation, _, _) in &moving {
        if let Some(n) = counted.conversations.get_mut(conversation) {
            *n -= 1;
            if *n == 0 {
                counted.conversations.remove(conversation);
            }
        }
    }
    let moved = moving.len() as u64;
    add_to_main(tx, moving)?;
    Ok(moved)
}

/// Inserts `moving` into the main postings in their order (one pass over its pages)
/// and counts each term's new documents in `term_documents`.
pub(super) fn add_to_main(
    tx: &WriteTransaction,
    mut moving: Vec<Moving>,
) -> Result<(), StoreError> {
    moving.sort_unstable_by(|a, b| (&a.0, a.1, a.2).cmp(&(&b.0, b.1, b.2)));
    let mut postings = tx.open_table(SEARCH_POSTINGS)?;
    let mut terms = tx.open_table(SEARCH_TERMS)?;
    let mut added: u64 = 0;
    for (i, (term, conversation, seq, n)) in moving.iter().enumerate() {
        if postings
            .insert((term.as_str(), *conversation, *seq), *n)?
            .is_none()
        {
            added += 1;
        }
        let last_of_term = moving.get(i + 1).is_none_or(|next| &next.0 != term);
        if last_of_term && added > 0 {
            let now = terms.get(term.as_str())?.map_or(0, |v| v.value());
            terms.insert(term.as_str(), now + added)?;
        }
        if last_of_term {
            added = 0;
        }
    }
    Ok(())
}

/// Removes conversation `id`'s messages from the recent part (inside the transaction
/// that deletes its messages), with one document less per message; returns those
/// messages' seqs (their documents are off the count now).
pub(super) fn forget_conversation(
    tx: &WriteTransaction,
    state: &mut RecentState,
    id: u64,
) -> Result<HashSet<u64>, StoreError> {
    let counted = state.counted(tx)?;
    let Some(held) = counted.conversations.remove(&id) else {
        return Ok(HashSet::new());
    };
    counted.postings = counted.postings.saturating_sub(held);
    let mut doomed = Vec::new();
    let mut seqs = HashSet::new();
    {
        let recent = tx.open_table(SEARCH_RECENT)?;
        for row in recent.iter()? {
            let (arrival, value) = row?;
            let (conversation, seq, _) = value.value();
            if conversation == id {
                doomed.push(arrival.value());
                seqs.insert(seq);
            }
        }
    }
    let mut recent = tx.open_table(SEARCH_RECENT)?;
    for arrival in &doomed {
        recent.remove(*arrival)?;
    }
    drop(recent);
    super::search_docs::uncount_documents(tx, seqs.len() as u64)?;
    Ok(seqs)
}

/// Empties the recent part (a rebuild of the index).
pub(super) fn reset(tx: &WriteTransaction, state: &mut RecentState) -> Result<(), StoreError> {
    tx.delete_table(SEARCH_RECENT)?;
    tx.open_table(SEARCH_RECENT)?;
    state.counted = Some(Counted::default());
    Ok(())
}

/// Postings in the recent part, counted from the table.
#[cfg(test)]
pub(super) fn postings_in(tx: &ReadTransaction) -> Result<u64, StoreError> {
    let table = tx.open_table(SEARCH_RECENT)?;
    let mut n = 0;
    for row in table.iter()? {
        n += row?.1.value().2.len() as u64;
    }
    Ok(n)
}

/// A query term group's postings in the recent part, read once per group.
#[derive(Debug, Default)]
pub struct RecentTerms {
    /// Conversation → (seq, count) of each message holding one of the terms.
    by_conversation: HashMap<u64, Vec<(u64, u32)>>,
    /// Term → in how many recent messages it occurs.
    documents: HashMap<String, u64>,
}

impl RecentTerms {
    /// Reads the recent postings of `terms` (one pass over the recent part).
    pub fn read(tx: &ReadTransaction, terms: &[(String, u64)]) -> Result<Self, StoreError> {
        let mut out = RecentTerms::default();
        if terms.is_empty() {
            return Ok(out);
        }
        let wanted: HashSet<&str> = terms.iter().map(|(t, _)| t.as_str()).collect();
        let table = tx.open_table(SEARCH_RECENT)?;
        for row in table.iter()? {
            let (_, value) = row?;
            let (conversation, seq, message_terms) = value.value();
            for (term, n) in message_terms {
                if let Some(term) = wanted.get(term) {
                    *out.documents.entry(term.to_string()).or_default() += 1;
                    out.by_conversation
                        .entry(conversation)
                        .or_default()
                        .push((seq, n));
                }
            }
        }
        Ok(out)
    }

    /// In how many recent messages `term` (one of those read) occurs.
    pub fn documents(&self, term: &str) -> u64 {
        self.documents.get(term).copied().unwrap_or(0)
    }

    /// How often the terms occur in conversation `id`'s recent messages.
    pub fn count_in(&self, id: u64) -> u32 {
        self.by_conversation
            .get(&id)
            .map_or(0, |m| m.iter().map(|(_, n)| n).sum())
    }

    /// Conversation → how often the terms occur in its recent messages.
    pub fn counts(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.by_conversation
            .iter()
            .map(|(id, m)| (*id, m.iter().map(|(_, n)| n).sum()))
    }

    /// The seqs of conversation `id`'s recent messages holding a term.
    pub fn seqs_in(&self, id: u64) -> impl Iterator<Item = u64> + '_ {
        self.by_conversation
            .get(&id)
            .into_iter()
            .flat_map(|m| m.iter().map(|(seq, _)| *seq))
    }
}

/// The distinct terms in the recent part starting with `prefix`, in order, at most
/// `limit` (one pass over the recent part).
pub fn recent_terms_with_prefix(
    tx: &ReadTransaction,
    prefix: &str,
    limit: usize,
) -> Result<Vec<String>, StoreError> {
    let table = tx.open_table(SEARCH_RECENT)?;
    let mut found: BTreeSet<String> = BTreeSet::new();
    for row in table.iter()? {
        let (_, value) = row?;
        for (term, _) in value.value().2 {
            if term.starts_with(prefix) && !found.contains(term) {
                found.insert(term.to_string());
                if found.len() > limit {
                    found.pop_last();
                }
            }
        }
    }
    Ok(found.into_iter().collect())
}
