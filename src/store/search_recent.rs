//! The recent part of the full-text index (issue #16): a new message's terms go into a
//! small table ordered by term and then by arrival ([`SEARCH_RECENT`]), in the
//! message's own commit, so every term lands on the last page of its run and a group
//! commit of hundreds of messages dirties a few pages instead of one per term and
//! conversation. The writer merges it into the main postings (`termconvseq_count`,
//! ordered by conversation) in steps of its own: when the writer has nothing else to
//! do, or when the recent part has grown past [`MERGE_AT`] and the writer keeps up
//! (past [`MERGE_HARD_AT`] whatever waits). Many messages per conversation then share
//! a page of the main postings.
//!
//! Invariants:
//! 1. A committed message's terms are in the main postings or in the recent part (never
//!    both, but for the start-up pass over old data, which may index a message the live
//!    path added too: the merge then skips the copy, and until it runs the message
//!    counts twice in its ranking, never in whether it is found).
//! 2. A merge step moves postings in one transaction: a crash leaves them in one place
//!    or the other. Its commit need not be durable (nothing is acknowledged by it): a
//!    later durable commit makes it so, and a power cut before that leaves the recent
//!    part as it was.
//! 3. The writer's [`RecentState`] counts what the table holds; it is dropped after a
//!    failed commit and counted again from the table.
//!
//! Readers look in both parts ([`RecentTerms`], used by `search_read.rs`).

use std::collections::{HashMap, HashSet};

use redb::{ReadTransaction, ReadableTable, WriteTransaction};

use super::StoreError;
use super::records::MessageV1;
use super::tables::*;
use crate::search::tokens::term_counts;

/// Past this many postings the recent part is merged even while the writer is busy,
/// one small step after each batch (about 80 MB of table; a query reads at most this
/// many postings of a term). Below it, merges wait until the writer is idle: many
/// messages per conversation then share a page of the main postings, and nothing is
/// merged while acknowledgements wait. Busy steps each touch about one page of the
/// main postings per posting (the recent part is in arrival order, the main postings
/// in conversation order), so they cost the tail latency what they save in bytes:
/// measured at 524,288, where a 30 s run at 5,000 msg/s reached it (docs/BENCHMARKS.md,
/// issue #16).
pub const MERGE_AT: u64 = 2_097_152;
/// Past this many postings (about 320 MB of table) the recent part is merged after
/// every batch even while the writer falls behind: the bound on its size and on what a
/// query reads.
pub const MERGE_HARD_AT: u64 = 8_388_608;
/// Most postings moved by one merge step while the writer is busy (bounds the pause
/// it adds to the next acknowledgements).
pub const MERGE_BUSY_STEP: usize = 4_096;
/// Most postings moved by one merge step while the writer is idle (a job that
/// arrives meanwhile waits for at most one step).
pub const MERGE_IDLE_STEP: usize = 32_768;

/// What the writer knows of the recent part (counted from the table on first use).
#[derive(Debug, Default)]
pub struct RecentState {
    /// None until counted.
    counted: Option<Counted>,
}

#[derive(Debug, Default)]
struct Counted {
    /// Postings in the table.
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
                let (key, value) = row?;
                counted.postings += 1;
                counted.next = counted.next.max(key.value().1 + 1);
                *counted.conversations.entry(value.value().0).or_default() += 1;
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
    let doc = counted.next;
    counted.next += 1;
    counted.postings += counts.len() as u64;
    *counted.conversations.entry(conversation).or_default() += counts.len() as u64;
    let mut recent = tx.open_table(SEARCH_RECENT)?;
    for (term, n) in &counts {
        recent.insert((term.as_str(), doc), (conversation, seq, *n))?;
    }
    drop(recent);
    super::search_docs::count_document(tx, true)?;
    Ok(true)
}

/// Moves up to `budget` postings (the first in term order) into the main postings;
/// returns how many moved.
pub(super) fn merge_step(
    tx: &WriteTransaction,
    state: &mut RecentState,
    budget: usize,
) -> Result<u64, StoreError> {
    let mut taken: Vec<(String, u64, u64, u64, u32)> = Vec::new();
    {
        let recent = tx.open_table(SEARCH_RECENT)?;
        for row in recent.iter()?.take(budget.max(1)) {
            let (key, value) = row?;
            let (term, doc) = key.value();
            let (conversation, seq, n) = value.value();
            taken.push((term.to_string(), doc, conversation, seq, n));
        }
    }
    let mut recent = tx.open_table(SEARCH_RECENT)?;
    for (term, doc, ..) in &taken {
        recent.remove((term.as_str(), *doc))?;
    }
    drop(recent);
    // In the main table's order: one pass over its pages.
    taken.sort_unstable_by(|a, b| (&a.0, a.2, a.3).cmp(&(&b.0, b.2, b.3)));
    let mut postings = tx.open_table(SEARCH_POSTINGS)?;
    let mut terms = tx.open_table(SEARCH_TERMS)?;
    let mut added: u64 = 0;
    for (i, (term, _, conversation, seq, n)) in taken.iter().enumerate() {
        if postings
            .insert((term.as_str(), *conversation, *seq), *n)?
            .is_none()
        {
            added += 1;
        }
        let last_of_term = taken.get(i + 1).is_none_or(|next| &next.0 != term);
        if last_of_term && added > 0 {
            let now = terms.get(term.as_str())?.map_or(0, |v| v.value());
            terms.insert(term.as_str(), now + added)?;
        }
        if last_of_term {
            added = 0;
        }
    }
    drop((postings, terms));
    let counted = state.counted(tx)?;
    counted.postings = counted.postings.saturating_sub(taken.len() as u64);
    for (_, _, conversation, _, _) in &taken {
        if let Some(n) = counted.conversations.get_mut(conversation) {
            *n -= 1;
            if *n == 0 {
                counted.conversations.remove(conversation);
            }
        }
    }
    Ok(taken.len() as u64)
}

/// Removes conversation `id`'s postings from the recent part (inside the transaction
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
            let (key, value) = row?;
            let (conversation, seq, _) = value.value();
            if conversation == id {
                let (term, doc) = key.value();
                doomed.push((term.to_string(), doc));
                seqs.insert(seq);
            }
        }
    }
    let mut recent = tx.open_table(SEARCH_RECENT)?;
    for (term, doc) in &doomed {
        recent.remove((term.as_str(), *doc))?;
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

/// A query term's postings in the recent part, read once per query.
#[derive(Debug, Default)]
pub struct RecentTerms {
    /// Conversation → (seq, count) of each message holding one of the terms.
    by_conversation: HashMap<u64, Vec<(u64, u32)>>,
    /// Term → in how many recent messages it occurs.
    documents: HashMap<String, u64>,
}

impl RecentTerms {
    /// Reads the recent postings of `terms`.
    pub fn read(tx: &ReadTransaction, terms: &[(String, u64)]) -> Result<Self, StoreError> {
        let table = tx.open_table(SEARCH_RECENT)?;
        let mut out = RecentTerms::default();
        for (term, _) in terms {
            let t = term.as_str();
            for row in table.range((t, 0)..=(t, u64::MAX))? {
                let (conversation, seq, n) = row?.1.value();
                *out.documents.entry(term.clone()).or_default() += 1;
                out.by_conversation
                    .entry(conversation)
                    .or_default()
                    .push((seq, n));
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

/// The distinct terms in the recent part starting with `prefix`, at most `limit`.
pub fn recent_terms_with_prefix(
    tx: &ReadTransaction,
    prefix: &str,
    limit: usize,
) -> Result<Vec<String>, StoreError> {
    let table = tx.open_table(SEARCH_RECENT)?;
    let mut out: Vec<String> = Vec::new();
    let mut from = prefix.to_string();
    let mut first = true;
    while out.len() < limit {
        let next = match first {
            true => table.range((from.as_str(), 0)..)?.next(),
            false => table.range((from.as_str(), u64::MAX)..)?.next(),
        };
        first = false;
        let Some(row) = next else { break };
        let (key, _) = row?;
        let term = key.value().0;
        if !term.starts_with(prefix) {
            break;
        }
        if out.last().is_none_or(|last| last != term) {
            out.push(term.to_string());
        }
        from = term.to_string();
        if key.value().1 == u64::MAX {
            break;
        }
    }
    Ok(out)
}
