//! The recent part of the full-text index (issue #16), in two tiers, and the writer's
//! steps that move postings through it to the main postings (`termconvseq_count`,
//! ordered by term and conversation).
//!
//! 1. **New rows** ([`SEARCH_NEW`]): one row per new message, keyed by arrival, holding
//!    its terms and their counts, written in the message's own commit. A commit
//!    appends its messages' rows at the end of one table, so it dirties a page or two
//!    however many terms they hold (a chat message has twenty to forty).
//! 2. **Segments** ([`SEARCH_SEGMENTS`]): once [`FOLD_AT`] rows wait and the writer
//!    keeps up ([`FOLD_HARD_AT`] whatever waits), a fold step turns every row into one
//!    segment, keyed (segment, term) with the term's postings as one value. A new
//!    segment's number is above every other, so a fold writes its pages at the end of
//!    the table, packed, a few hundred bytes per message: inserting the same postings
//!    into a table ordered by term (schemas 8 and 9) dirtied a page per distinct term.
//!
//! Merge steps move the segments' postings into the main postings, oldest segment
//! first, whole terms: when the writer has nothing else to do, or when the segments
//! hold [`MERGE_AT`] postings or [`MERGE_SEGMENTS_AT`] segments and the writer keeps
//! up (the `HARD` bounds whatever waits). A fold's many messages per conversation then
//! share a page of the main postings. Rows reach the main postings only through a
//! segment, and fewer than [`FOLD_AT`] stay rows however long the writer idles: a shop
//! with a message a minute then writes each message once to the rows, then once more
//! in a batch of a thousand, instead of about thirty scattered pages of the main
//! postings per message at the next idle moment.
//!
//! Invariants:
//! 1. A committed message's terms are in exactly one place: the main postings, a new
//!    row, or one segment (but for the start-up pass over old data, which may index a
//!    message the live path added too: the merge then skips the copy, and until it
//!    runs the message counts twice in its ranking, never in whether it is found).
//! 2. A fold or merge step moves postings in one transaction: a crash leaves them in
//!    one place or the other. Its commit need not be durable (nothing is acknowledged
//!    by it): a later durable commit makes it so, and a power cut before that leaves
//!    the recent part as it was.
//! 3. The writer's [`RecentState`] counts what the tables hold; it is dropped after a
//!    failed commit and counted again from the tables.
//!
//! Readers look in all three places (`super::search_recent_read`).

use std::collections::{BTreeMap, HashMap, HashSet};

use redb::{ReadableTable, WriteTransaction};

use super::StoreError;
use super::records::MessageV1;
use super::search_segment::{Posting, decode, encode};
use super::tables::*;
use crate::search::tokens::term_counts;

/// Rows that wait before a fold while the writer keeps up. A query scans every row
/// (about 2.5 µs each), so this bounds what the rows cost a query; a fold of 1,024
/// chat-like messages writes a few pages per message (docs/BENCHMARKS.md, issue #16).
pub const FOLD_AT: u64 = 1_024;
/// Rows past which they are folded after every batch even while the writer falls
/// behind: the bound on the rows a query scans.
pub const FOLD_HARD_AT: u64 = 4_096;
/// Postings in the segments past which they are merged even while the writer is busy,
/// one small step after each batch. Below it, merges wait until the writer is idle:
/// many messages per conversation then share a page of the main postings, and nothing
/// is merged while acknowledgements wait. Busy steps each touch about one page of the
/// main postings per posting, so they cost the tail latency what they save in bytes.
pub const MERGE_AT: u64 = 2_097_152;
/// Segments past which they are merged while the writer keeps up (a query looks each
/// of its terms up once per segment).
pub const MERGE_SEGMENTS_AT: usize = 256;
/// Postings past which (about 40 MB of segments) the segments are merged after every
/// batch even while the writer falls behind, with steps that grow with the excess
/// ([`MERGE_HARD_CATCH_UP`]): the bound on their size.
pub const MERGE_HARD_AT: u64 = 8_388_608;
/// Segments past which they are merged after every batch whatever waits.
pub const MERGE_SEGMENTS_HARD_AT: usize = 1_024;
/// Postings moved by one merge step while the writer is busy (bounds the pause it adds
/// to the next acknowledgements; a step moves whole terms or messages, so a little
/// more).
pub const MERGE_BUSY_STEP: usize = 4_096;
/// Past a hard bound a busy step also moves this fraction (one in n) of the excess, so
/// a writer taking in more postings per batch than [`MERGE_BUSY_STEP`] (a full batch of
/// chat messages brings 20,000-40,000) stops the part's growth: the excess settles
/// near n batches' intake, and the writer's pace falls to the merges' own.
pub const MERGE_HARD_CATCH_UP: u64 = 8;
/// Postings moved by one merge step while the writer is idle (a job that arrives
/// meanwhile waits for at most one step).
pub const MERGE_IDLE_STEP: usize = 32_768;

/// What the writer knows of the recent part (counted from the tables on first use).
#[derive(Debug, Default)]
pub struct RecentState {
    /// None until counted.
    counted: Option<Counted>,
}

#[derive(Debug, Default)]
struct Counted {
    /// Rows in [`SEARCH_NEW`].
    rows: u64,
    /// Postings (terms of messages) in those rows.
    row_postings: u64,
    /// The next arrival number.
    next_arrival: u64,
    /// Segment number → postings in it.
    segments: BTreeMap<u64, u64>,
    /// Conversation → its postings in either tier.
    conversations: HashMap<u64, u64>,
}

impl Counted {
    fn read(tx: &WriteTransaction) -> Result<Self, StoreError> {
        let mut counted = Counted::default();
        for row in tx.open_table(SEARCH_NEW)?.iter()? {
            let (arrival, value) = row?;
            let (conversation, _, terms) = value.value();
            counted.rows += 1;
            counted.row_postings += terms.len() as u64;
            counted.next_arrival = counted.next_arrival.max(arrival.value() + 1);
            *counted.conversations.entry(conversation).or_default() += terms.len() as u64;
        }
        for row in tx.open_table(SEARCH_SEGMENTS)?.iter()? {
            let (key, value) = row?;
            let postings = decode(value.value())?;
            *counted.segments.entry(key.value().0).or_default() += postings.len() as u64;
            for (conversation, _, _) in postings {
                *counted.conversations.entry(conversation).or_default() += 1;
            }
        }
        Ok(counted)
    }

    /// Takes `n` postings of `conversation` off its count.
    fn uncount(&mut self, conversation: u64, n: u64) {
        if let Some(held) = self.conversations.get_mut(&conversation) {
            *held = held.saturating_sub(n);
            if *held == 0 {
                self.conversations.remove(&conversation);
            }
        }
    }
}

impl RecentState {
    /// Postings in the segments (0 before the first count).
    pub fn segment_postings(&self) -> u64 {
        self.counted
            .as_ref()
            .map_or(0, |c| c.segments.values().sum())
    }

    /// Segments (0 before the first count).
    pub fn segments(&self) -> usize {
        self.counted.as_ref().map_or(0, |c| c.segments.len())
    }

    /// New rows waiting for a fold (0 before the first count).
    pub fn rows(&self) -> u64 {
        self.counted.as_ref().map_or(0, |c| c.rows)
    }

    /// Forgets the counts (after a failed commit).
    pub fn forget(&mut self) {
        self.counted = None;
    }

    fn counted(&mut self, tx: &WriteTransaction) -> Result<&mut Counted, StoreError> {
        if self.counted.is_none() {
            self.counted = Some(Counted::read(tx)?);
        }
        Ok(self.counted.get_or_insert_with(Counted::default))
    }

    /// A state as if counted: `rows` new rows of 30 postings, and `segments` segments
    /// holding `segment_postings` between them (for tests of the writer's policy).
    #[cfg(test)]
    pub(super) fn counted_as(rows: u64, segment_postings: u64, segments: u64) -> RecentState {
        let mut counted = Counted {
            rows,
            row_postings: rows * 30,
            ..Counted::default()
        };
        for number in 0..segments {
            let share = segment_postings / segments
                + u64::from(number == 0) * (segment_postings % segments);
            counted.segments.insert(number, share);
        }
        RecentState {
            counted: Some(counted),
        }
    }

    /// True until the tables are counted (on the first message or step).
    pub fn uncounted(&self) -> bool {
        self.counted.is_none()
    }
}

/// Adds a new message's row to the recent part; true when it had any terms. `counted`:
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
    let state = state.counted(tx)?;
    let arrival = state.next_arrival;
    state.next_arrival += 1;
    state.rows += 1;
    state.row_postings += counts.len() as u64;
    *state.conversations.entry(conversation).or_default() += counts.len() as u64;
    let terms: Vec<(&str, u32)> = counts.iter().map(|(t, n)| (t.as_str(), *n)).collect();
    tx.open_table(SEARCH_NEW)?
        .insert(arrival, (conversation, seq, terms))?;
    super::search_docs::count_document(tx, true)?;
    Ok(true)
}

/// Turns every new row into one segment, numbered above every other; returns the
/// postings it holds.
pub(super) fn fold_step(tx: &WriteTransaction, state: &mut RecentState) -> Result<u64, StoreError> {
    let counted = state.counted(tx)?;
    let mut by_term: BTreeMap<String, Vec<Posting>> = BTreeMap::new();
    {
        let rows = tx.open_table(SEARCH_NEW)?;
        for row in rows.iter()? {
            let (_, value) = row?;
            let (conversation, seq, terms) = value.value();
            for (term, n) in terms {
                match by_term.get_mut(term) {
                    Some(list) => list.push((conversation, seq, n)),
                    None => {
                        by_term.insert(term.to_string(), vec![(conversation, seq, n)]);
                    }
                }
            }
        }
    }
    if by_term.is_empty() {
        return Ok(0);
    }
    let number = counted.segments.last_key_value().map_or(0, |(n, _)| n + 1);
    let mut postings = 0;
    let mut segments = tx.open_table(SEARCH_SEGMENTS)?;
    for (term, list) in &by_term {
        postings += list.len() as u64;
        segments.insert((number, term.as_str()), encode(list).as_slice())?;
    }
    drop(segments);
    tx.delete_table(SEARCH_NEW)?;
    tx.open_table(SEARCH_NEW)?;
    counted.segments.insert(number, postings);
    counted.rows = 0;
    counted.row_postings = 0;
    Ok(postings)
}

/// One posting on its way to the main postings: (term, conversation, seq, count).
pub(super) type Moving = (String, u64, u64, u32);

/// Moves at least `budget` postings (or all the segments hold) into the main
/// postings: whole terms of the oldest segments, in term order within each; returns
/// how many moved. New rows stay: they reach a segment by a fold.
pub(super) fn merge_step(
    tx: &WriteTransaction,
    state: &mut RecentState,
    budget: usize,
) -> Result<u64, StoreError> {
    let budget = budget.max(1);
    let counted = state.counted(tx)?;
    let mut moving: Vec<Moving> = Vec::new();
    let mut taken: Vec<(u64, String)> = Vec::new();
    {
        let segments = tx.open_table(SEARCH_SEGMENTS)?;
        for row in segments.iter()? {
            if moving.len() >= budget {
                break;
            }
            let (key, value) = row?;
            let (segment, term) = key.value();
            let postings = decode(value.value())?;
            if let Some(left) = counted.segments.get_mut(&segment) {
                *left = left.saturating_sub(postings.len() as u64);
            }
            taken.push((segment, term.to_string()));
            for (conversation, seq, n) in postings {
                moving.push((term.to_string(), conversation, seq, n));
            }
        }
    }
    let mut segments = tx.open_table(SEARCH_SEGMENTS)?;
    for (segment, term) in &taken {
        segments.remove((*segment, term.as_str()))?;
    }
    drop(segments);
    // A segment whose every term moved has nothing left on its count.
    counted.segments.retain(|_, left| *left > 0);
    for (_, conversation, _, _) in &moving {
        counted.uncount(*conversation, 1);
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

/// Removes conversation `id`'s postings from the recent part (inside the transaction
/// that deletes its messages), with one document less per message; returns those
/// messages' seqs (their documents are off the count now).
pub(super) fn forget_conversation(
    tx: &WriteTransaction,
    state: &mut RecentState,
    id: u64,
) -> Result<HashSet<u64>, StoreError> {
    let counted = state.counted(tx)?;
    if counted.conversations.remove(&id).is_none() {
        return Ok(HashSet::new());
    }
    let mut seqs = HashSet::new();
    let mut doomed_rows = Vec::new();
    for row in tx.open_table(SEARCH_NEW)?.iter()? {
        let (arrival, value) = row?;
        let (conversation, seq, terms) = value.value();
        if conversation == id {
            doomed_rows.push(arrival.value());
            seqs.insert(seq);
            counted.rows = counted.rows.saturating_sub(1);
            counted.row_postings = counted.row_postings.saturating_sub(terms.len() as u64);
        }
    }
    let mut rows = tx.open_table(SEARCH_NEW)?;
    for arrival in doomed_rows {
        rows.remove(arrival)?;
    }
    drop(rows);
    let mut rewritten: Vec<(u64, String, Vec<Posting>)> = Vec::new();
    for row in tx.open_table(SEARCH_SEGMENTS)?.iter()? {
        let (key, value) = row?;
        let postings = decode(value.value())?;
        if postings
            .iter()
            .any(|(conversation, _, _)| *conversation == id)
        {
            let (segment, term) = key.value();
            let (gone, kept): (Vec<Posting>, Vec<Posting>) =
                postings.into_iter().partition(|p| p.0 == id);
            seqs.extend(gone.iter().map(|(_, seq, _)| *seq));
            if let Some(left) = counted.segments.get_mut(&segment) {
                *left = left.saturating_sub(gone.len() as u64);
            }
            rewritten.push((segment, term.to_string(), kept));
        }
    }
    let mut segments = tx.open_table(SEARCH_SEGMENTS)?;
    for (segment, term, kept) in rewritten {
        match kept.is_empty() {
            true => segments.remove((segment, term.as_str()))?,
            false => segments.insert((segment, term.as_str()), encode(&kept).as_slice())?,
        };
    }
    drop(segments);
    // A segment whose every posting was the conversation's has no key left.
    counted.segments.retain(|_, left| *left > 0);
    super::search_docs::uncount_documents(tx, seqs.len() as u64)?;
    Ok(seqs)
}

/// Empties the recent part (a rebuild of the index).
pub(super) fn reset(tx: &WriteTransaction, state: &mut RecentState) -> Result<(), StoreError> {
    tx.delete_table(SEARCH_NEW)?;
    tx.delete_table(SEARCH_SEGMENTS)?;
    tx.open_table(SEARCH_NEW)?;
    tx.open_table(SEARCH_SEGMENTS)?;
    state.counted = Some(Counted::default());
    Ok(())
}

/// (rows, postings in them, postings in segments), counted from the tables.
#[cfg(test)]
pub(super) fn tiers_in(tx: &redb::ReadTransaction) -> Result<(u64, u64, u64), StoreError> {
    use redb::ReadableTableMetadata;
    let rows = tx.open_table(SEARCH_NEW)?;
    let mut row_postings = 0;
    for row in rows.iter()? {
        row_postings += row?.1.value().2.len() as u64;
    }
    let mut segment_postings = 0;
    for row in tx.open_table(SEARCH_SEGMENTS)?.iter()? {
        segment_postings += decode(row?.1.value())?.len() as u64;
    }
    Ok((rows.len()?, row_postings, segment_postings))
}
