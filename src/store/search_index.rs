//! Writing the full-text index inside the writer's transactions (issue #15): a
//! message's terms in the same commit as the message (into the recent part since
//! issue #16, `search_recent.rs`; the start-up pass writes the main postings), a visitor's name, email and
//! attribute values in the same commit as the visitor record, removal in the same
//! commit as a purge. So a search never misses a committed message and never shows a
//! purged one. Also the start-up pass over data written before the index existed
//! (`SearchOp::Backfill`, resumable by the markers in `meta`) and the rebuild
//! (`SearchOp::Reset`).
//!
//! Every write is idempotent: indexing a message twice (the live path, then the
//! start-up pass that reaches its conversation) leaves the same rows and counts.
//! Which messages are indexed: visitors' and agents' words (notes and attachment
//! captions and file names included); never the bot's answers or system lines.

use redb::{ReadableTable, Table, WriteTransaction};

use super::StoreError;
use super::ops::Outcome;
use super::records::{MessageV1, VisitorRecord, VisitorV2, decode};
use super::search_docs::{count_document, message_text, meta_u64, set_meta_u64, visitor_text};
use super::search_ops::{IndexProgress, SearchOp};
use super::search_recent::RecentState;
use super::tables::*;
use super::{messages_read::MessageReader, messages_recent::WriteMessages};

use crate::search::tokens::term_counts;

/// The tokenizer's version: an index built with another one is rebuilt at start.
pub const INDEX_VERSION: u64 = 1;

/// Adds `delta` (±1) to a term's document count, removing it at zero.
fn count_term(terms: &mut Table<&str, u64>, term: &str, add: bool) -> Result<(), StoreError> {
    let now = terms.get(term)?.map_or(0, |v| v.value());
    match (add, now) {
        (true, n) => {
            terms.insert(term, n + 1)?;
        }
        (false, 0 | 1) => {
            terms.remove(term)?;
        }
        (false, n) => {
            terms.insert(term, n - 1)?;
        }
    }
    Ok(())
}

/// Indexes one stored message (nothing when it has no searchable text); true when it
/// was not indexed before.
fn index_message(
    tx: &WriteTransaction,
    conversation: u64,
    seq: u64,
    message: &MessageV1,
) -> Result<bool, StoreError> {
    let Some(text) = message_text(message) else {
        return Ok(false);
    };
    let counts = term_counts(&text);
    let mut postings = tx.open_table(SEARCH_POSTINGS)?;
    let mut terms = tx.open_table(SEARCH_TERMS)?;
    let mut new = false;
    for (term, n) in &counts {
        if postings
            .insert((term.as_str(), conversation, seq), *n)?
            .is_none()
        {
            count_term(&mut terms, term, true)?;
            new = true;
        }
    }
    drop((postings, terms));
    if new {
        count_document(tx, true)?;
    }
    Ok(new)
}

/// Removes one message's entries; `counted`: its document was already taken off the
/// count (it had postings in the recent part too).
fn unindex_message(
    tx: &WriteTransaction,
    conversation: u64,
    seq: u64,
    message: &MessageV1,
    counted: bool,
) -> Result<(), StoreError> {
    let Some(text) = message_text(message) else {
        return Ok(());
    };
    let mut postings = tx.open_table(SEARCH_POSTINGS)?;
    let mut terms = tx.open_table(SEARCH_TERMS)?;
    let mut removed = false;
    for (term, _) in term_counts(&text) {
        if postings
            .remove((term.as_str(), conversation, seq))?
            .is_some()
        {
            count_term(&mut terms, &term, false)?;
            removed = true;
        }
    }
    drop((postings, terms));
    if removed && !counted {
        count_document(tx, false)?;
    }
    Ok(())
}

/// Removes every entry of conversation `id`'s messages, in both parts of the index.
/// Call it inside the transaction that deletes the messages, before they are deleted
/// (`purge` does; so must any other path that deletes a conversation, such as a
/// visitor's erasure).
pub(super) fn unindex_conversation(
    tx: &WriteTransaction,
    id: u64,
    recent: &mut RecentState,
) -> Result<(), StoreError> {
    let counted = super::search_recent::forget_conversation(tx, recent, id)?;
    let stored = WriteMessages::write(tx)?.all(id)?;
    for (seq, record) in stored {
        unindex_message(tx, id, seq, record.latest(), counted.contains(&seq))?;
    }
    Ok(())
}

/// Moves a visitor's entries from `old` to `new` (either may be absent).
pub(super) fn reindex_visitor(
    tx: &WriteTransaction,
    id: u64,
    old: Option<&VisitorV2>,
    new: Option<&VisitorV2>,
) -> Result<(), StoreError> {
    let old_counts = old
        .map(|v| term_counts(&visitor_text(v)))
        .unwrap_or_default();
    let new_counts = new
        .map(|v| term_counts(&visitor_text(v)))
        .unwrap_or_default();
    if old_counts == new_counts {
        return Ok(());
    }
    let mut postings = tx.open_table(SEARCH_VISITOR_POSTINGS)?;
    let mut terms = tx.open_table(SEARCH_TERMS)?;
    let (mut had, mut has) = (false, false);
    for (term, _) in &old_counts {
        if postings.remove((term.as_str(), id))?.is_some() {
            count_term(&mut terms, term, false)?;
            had = true;
        }
    }
    for (term, n) in &new_counts {
        if postings.insert((term.as_str(), id), *n)?.is_none() {
            count_term(&mut terms, term, true)?;
            has = true;
        }
    }
    drop((postings, terms));
    if had != has {
        count_document(tx, has)?;
    }
    Ok(())
}

/// Removes visitor `id`'s entries (name, email, attributes). Call it inside the
/// transaction that deletes or blanks the visitor record, before it does (a visitor's
/// erasure; `upsert_visitor` and the identity ops keep the entries in step themselves).
pub fn unindex_visitor(tx: &WriteTransaction, id: u64) -> Result<(), StoreError> {
    let old = match tx.open_table(VISITORS)?.get(id)? {
        Some(v) => Some(decode::<VisitorRecord>(v.value(), "visitors")?.into_latest()),
        None => None,
    };
    reindex_visitor(tx, id, old.as_ref(), None)
}

/// Creates the index's tables (at open, and again after a reset).
pub(super) fn create_tables(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(SEARCH_POSTINGS)?;
    tx.open_table(SEARCH_VISITOR_POSTINGS)?;
    tx.open_table(SEARCH_TERMS)?;
    tx.open_table(SEARCH_NEW)?;
    tx.open_table(SEARCH_SEGMENTS)?;
    Ok(())
}

/// Forgets the index in a transaction of its own (the writer's start with indexing
/// off: what it writes will not be indexed, so the next start must rebuild).
pub(super) fn mark_stale(db: &super::Handle) -> Result<(), StoreError> {
    let tx = db.begin_write()?;
    apply(&tx, SearchOp::Reset, &mut RecentState::default())?;
    tx.commit()?;
    Ok(())
}

/// Applies a search op.
pub(super) fn apply(
    tx: &WriteTransaction,
    op: SearchOp,
    recent: &mut RecentState,
) -> Result<Outcome, StoreError> {
    match op {
        SearchOp::Backfill { messages } => backfill(tx, messages.max(1)).map(Outcome::Indexed),
        SearchOp::Fold => {
            super::search_recent::fold_step(tx, recent)?;
            Ok(Outcome::Done)
        }
        SearchOp::Merge { postings } => {
            super::search_recent::merge_step(tx, recent, postings)?;
            Ok(Outcome::Done)
        }
        SearchOp::Reset => {
            super::search_recent::reset(tx, recent)?;
            tx.delete_table(SEARCH_POSTINGS)?;
            tx.delete_table(SEARCH_VISITOR_POSTINGS)?;
            tx.delete_table(SEARCH_TERMS)?;
            create_tables(tx)?;
            let mut meta = tx.open_table(META)?;
            for key in [
                SEARCH_DOCUMENTS,
                SEARCH_CONVERSATIONS_DONE,
                SEARCH_VISITORS_DONE,
                SEARCH_INDEX_VERSION,
            ] {
                meta.remove(key)?;
            }
            Ok(Outcome::Done)
        }
    }
}

/// One step of the start-up pass: the conversations after the marker, then the
/// visitors, about `budget` documents per step.
fn backfill(tx: &WriteTransaction, budget: usize) -> Result<IndexProgress, StoreError> {
    let mut progress = IndexProgress::default();
    if meta_u64(tx, SEARCH_INDEX_VERSION)? == INDEX_VERSION {
        progress.done = true;
        return Ok(progress);
    }
    let mark = meta_u64(tx, SEARCH_CONVERSATIONS_DONE)?;
    progress.conversation_mark = mark;
    let mut batch: Vec<(u64, Vec<(u64, MessageV1)>)> = Vec::new();
    let mut count = 0usize;
    let mut more_conversations = false;
    {
        let conversations = tx.open_table(CONVERSATIONS)?;
        let messages = WriteMessages::write(tx)?;
        for row in conversations.range(mark.saturating_add(1)..)? {
            if count >= budget {
                more_conversations = true;
                break;
            }
            let id = row?.0.value();
            let stored: Vec<(u64, MessageV1)> = messages
                .all(id)?
                .into_iter()
                .map(|(seq, record)| (seq, record.latest().clone()))
                .collect();
            count += stored.len().max(1);
            batch.push((id, stored));
        }
    }
    for (id, stored) in batch {
        for (seq, message) in stored {
            if message_text(&message).is_some() {
                index_message(tx, id, seq, &message)?;
                progress.messages += 1;
            }
        }
        progress.conversations += 1;
        progress.conversation_mark = id;
    }
    set_meta_u64(tx, SEARCH_CONVERSATIONS_DONE, progress.conversation_mark)?;
    if more_conversations || count >= budget {
        return Ok(progress);
    }
    let visitor_mark = meta_u64(tx, SEARCH_VISITORS_DONE)?;
    let mut visitors = Vec::new();
    let mut more_visitors = false;
    {
        let table = tx.open_table(VISITORS)?;
        for row in table.range(visitor_mark.saturating_add(1)..)? {
            if visitors.len() + count >= budget {
                more_visitors = true;
                break;
            }
            let (key, value) = row?;
            let record = decode::<VisitorRecord>(value.value(), "visitors")?.into_latest();
            visitors.push((key.value(), record));
        }
    }
    for (id, record) in &visitors {
        // Idempotent: the record as it is now, against nothing, adds only missing rows.
        index_visitor_again(tx, *id, record)?;
        progress.visitors += 1;
        set_meta_u64(tx, SEARCH_VISITORS_DONE, *id)?;
    }
    if !more_visitors {
        set_meta_u64(tx, SEARCH_INDEX_VERSION, INDEX_VERSION)?;
        progress.done = true;
    }
    Ok(progress)
}

/// Indexes a visitor's current record, adding only the rows that are missing.
fn index_visitor_again(tx: &WriteTransaction, id: u64, v: &VisitorV2) -> Result<(), StoreError> {
    let counts = term_counts(&visitor_text(v));
    let mut postings = tx.open_table(SEARCH_VISITOR_POSTINGS)?;
    let mut terms = tx.open_table(SEARCH_TERMS)?;
    let mut new = false;
    for (term, n) in &counts {
        if postings.insert((term.as_str(), id), *n)?.is_none() {
            count_term(&mut terms, term, true)?;
            new = true;
        }
    }
    drop((postings, terms));
    if new {
        count_document(tx, true)?;
    }
    Ok(())
}
