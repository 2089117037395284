//! A visitor's erasure (GDPR, `WriteOp::EraseVisitor`), applied in one write
//! transaction: everything the store keeps of one visitor goes, or nothing does.
//!
//! What goes: every conversation of theirs, open or closed, with its messages,
//! attachments, client ids and read markers (`apply_conversations::delete_conversation`);
//! their uploads not sent yet; a file's bytes once no upload or attachment names it any
//! more (the same reference counting as retention: `apply_files::release`, removed from
//! disk by the writer after the commit); their record and token; their verified-customer
//! binding; their confirmed address, and the unsubscribe of their address unless another
//! visitor has that address; the outbox's recorded events, delivery jobs and logged
//! attempts about them or their conversations (a job's target may be their address).
//!
//! What stays: ids the hub and other records may still hold (a visitor id is never
//! handed out again: `VisitorIds`), the audit entry the caller adds, with counts only,
//! and the id in `erase_records::ERASED_VISITORS`: visitor tokens are signed, not stored
//! (`ws::visitor_token`), so the erased visitor's browser still holds a token that
//! verifies; the hello treats a token naming an erased id as no token (a new visitor),
//! so neither the id nor a verified customer's binding ever comes back. A backup reads
//! rows, so a backup made after the commit holds none of the rest.

use std::collections::HashSet;

use redb::{ReadableMultimapTable, ReadableTable, WriteTransaction};

use super::StoreError;
use super::apply_conversations::delete_conversation;
use super::apply_files::release;
use super::email_records::{ADDRESS_OPTOUT, ConfirmedRecord, VISITOR_CONFIRMED, address_key};
use super::erase_records::ERASED_VISITORS;
use super::file_records::{UPLOADS, UploadRecord};
use super::identity_records::{CUSTOMER_VISITOR, VISITOR_CUSTOMER};
use super::ops::{Erased, Outcome, WriterState};
use super::outbox_records::{
    AttemptRecord, JobRecord, OUTBOX, OUTBOX_JOBS, OUTBOX_LOG, OutboxRecord, StoredOutboxEvent,
};
use super::records::{ConversationRecord, VisitorRecord, decode};
use super::tables::*;
use super::values::StoredAuthorKind;

/// `WriteOp::EraseVisitor`: `NotFound("visitor")` when the store holds neither a record
/// nor a conversation of `visitor`.
pub(super) fn erase_visitor(
    tx: &WriteTransaction,
    visitor: u64,
    at_ms: u64,
    state: &mut WriterState,
) -> Result<Outcome, StoreError> {
    // Their name, email and attributes leave the search index (it reads the record).
    super::search_index::unindex_visitor(tx, visitor)?;
    let record = tx
        .open_table(VISITORS)?
        .remove(visitor)?
        .map(|v| decode::<VisitorRecord>(v.value(), "visitors"))
        .transpose()?
        .map(VisitorRecord::into_latest);
    let ids: Vec<u64> = tx
        .open_multimap_table(VISITOR_CONVERSATIONS)?
        .get(visitor)?
        .map(|r| r.map(|v| v.value()))
        .collect::<Result<_, _>>()?;
    if record.is_none() && ids.is_empty() {
        return Err(StoreError::NotFound("visitor"));
    }
    tx.open_table(ERASED_VISITORS)?.insert(visitor, at_ms)?;
    let mut erased = Erased::default();
    for id in &ids {
        let Some(conversation) = tx
            .open_table(CONVERSATIONS)?
            .get(*id)?
            .map(|v| decode::<ConversationRecord>(v.value(), "conversations"))
            .transpose()?
        else {
            continue;
        };
        let deleted = delete_conversation(tx, *id, conversation.latest(), state)?;
        erased.conversations += 1;
        erased.messages += deleted.messages;
        erased.files += deleted.attachments;
    }
    erased.files += remove_uploads(tx, state, visitor)?;
    tx.open_table(VISITOR_BY_TOKEN)?
        .retain(|_, owner| owner != visitor)?;
    tx.open_table(OPEN_BY_VISITOR)?
        .retain_in((visitor, "")..(visitor.saturating_add(1), ""), |_, _| false)?;
    tx.open_table(VISITOR_CUSTOMER)?.remove(visitor)?;
    tx.open_table(CUSTOMER_VISITOR)?
        .retain(|_, owner| owner != visitor)?;
    let mut addresses: Vec<String> = record.and_then(|r| r.email).into_iter().collect();
    if let Some(confirmed) = tx.open_table(VISITOR_CONFIRMED)?.remove(visitor)? {
        let ConfirmedRecord::V1(c) = decode(confirmed.value(), "confirmed emails")?;
        addresses.push(c.address);
    }
    forget_opt_outs(tx, addresses)?;
    let conversations: HashSet<u64> = ids.into_iter().collect();
    forget_outbox(tx, visitor, &conversations)?;
    Ok(Outcome::VisitorErased(erased))
}

/// Drops the visitor's uploads not sent yet; returns how many.
fn remove_uploads(
    tx: &WriteTransaction,
    state: &mut WriterState,
    visitor: u64,
) -> Result<u64, StoreError> {
    let mut theirs = Vec::new();
    for row in tx.open_table(UPLOADS)?.iter()? {
        let (id, value) = row?;
        let upload = decode::<UploadRecord>(value.value(), "uploads")?.into_latest();
        if upload.owner_kind == StoredAuthorKind::Visitor && upload.owner_id == visitor {
            theirs.push((id.value().to_vec(), upload.digest));
        }
    }
    let mut uploads = tx.open_table(UPLOADS)?;
    for (id, digest) in &theirs {
        uploads.remove(id.as_slice())?;
        release(tx, state, digest)?;
    }
    Ok(theirs.len() as u64)
}

/// Removes the unsubscribe of each address no remaining visitor has (one pass over the
/// visitors, only when there is an address to look for).
fn forget_opt_outs(tx: &WriteTransaction, addresses: Vec<String>) -> Result<(), StoreError> {
    let mut keys: HashSet<String> = addresses.iter().map(|a| address_key(a)).collect();
    if keys.is_empty() {
        return Ok(());
    }
    for row in tx.open_table(VISITORS)?.iter()? {
        let (_, value) = row?;
        let other = decode::<VisitorRecord>(value.value(), "visitors")?.into_latest();
        if let Some(email) = other.email {
            keys.remove(&address_key(&email));
        }
    }
    let mut opt_outs = tx.open_table(ADDRESS_OPTOUT)?;
    for key in keys {
        opt_outs.remove(key.as_str())?;
    }
    Ok(())
}

/// Removes outbox rows about the visitor or their conversations. A row that does not
/// decode is kept (it is not known to be theirs).
fn forget_outbox(
    tx: &WriteTransaction,
    visitor: u64,
    conversations: &HashSet<u64>,
) -> Result<(), StoreError> {
    let theirs = |event: &StoredOutboxEvent| {
        event.visitor == visitor || conversations.contains(&event.conversation)
    };
    tx.open_table(OUTBOX)?.retain(|_, bytes| {
        !matches!(decode::<OutboxRecord>(bytes, "outbox"), Ok(OutboxRecord::V1(e)) if theirs(&e))
    })?;
    tx.open_table(OUTBOX_JOBS)?.retain(|_, bytes| {
        !matches!(decode::<JobRecord>(bytes, "outbox jobs"), Ok(JobRecord::V1(j)) if theirs(&j.event))
    })?;
    tx.open_table(OUTBOX_LOG)?.retain(|_, bytes| {
        !matches!(decode::<AttemptRecord>(bytes, "outbox log"), Ok(AttemptRecord::V1(a)) if theirs(&a.event))
    })?;
    Ok(())
}
