//! Applying the conversation ops inside a write transaction: appending messages
//! (idempotent by client id, through the writer's `super::client_ids`), changing a conversation's status, purging a closed one,
//! deleting one whatever its status (a visitor's erasure, `erase.rs`).
//! Each checks before it writes, so a refused op leaves nothing behind.

use redb::{ReadableTable, WriteTransaction};

use super::StoreError;
use super::apply_files::{attach, check_uploads, detach};
use super::ops::{Appended, NewMessage, Outcome, WriterState};
use super::records::*;
use super::search_index::unindex_conversation;
use super::search_recent::add_message;
use super::tables::*;
use super::values::{StoredEvent, StoredStatus};
use super::{messages_read::MessageReader, messages_recent::WriteMessages};

/// Appends a message, or returns the stored one when its client id was seen before
/// (a retry: its uploads were consumed by the first attempt and are not looked at).
pub(super) fn append(
    tx: &WriteTransaction,
    conversation: u64,
    message: NewMessage,
    state: &mut WriterState,
) -> Result<Appended, StoreError> {
    let mut messages = WriteMessages::write(tx)?;
    if let Some(client_id) = &message.client_id
        && let Some(seq) = state.client_ids.find(&messages, conversation, client_id)?
    {
        let record = messages
            .get(conversation, seq)?
            .ok_or(StoreError::NotFound("deduplicated message"))?;
        return Ok(Appended {
            conversation,
            seq,
            duplicate: true,
            message: record.latest().clone(),
            labels: None,
        });
    }
    let uploads = match message.attachments.is_empty() {
        true => Vec::new(),
        false => check_uploads(
            tx,
            message.author_kind,
            message.author_id,
            &message.attachments,
        )?,
    };
    let last = match state.seqs.get(&conversation) {
        Some(seq) => *seq,
        None => messages.last(conversation)?.map_or(0, |(seq, _)| seq),
    };
    let seq = last + 1;
    let attached = !uploads.is_empty();
    let event = match uploads.is_empty() {
        true => message.event,
        false => Some(attach(
            tx,
            conversation,
            seq,
            &message.attachments,
            uploads,
        )?),
    };
    let record = MessageV1 {
        at_ms: message.at_ms,
        author_kind: message.author_kind,
        author_id: message.author_id,
        author_name: message.author_name,
        body: message.body,
        client_id: message.client_id,
        event,
    };
    messages.append(
        &mut state.messages,
        conversation,
        seq,
        encode(&MessageRecord::V1(record.clone())).as_slice(),
    )?;
    if let Some(client_id) = &record.client_id {
        state.client_ids.record(conversation, client_id, seq);
    }
    // In the message's own commit: a committed message is always searchable.
    if state.search_index {
        // The sender counted the caption; the names are known now (`with_file_names`).
        let counted = match attached {
            true => (state.counted_terms.take())
                .map(|body| super::search_docs::with_file_names(body, record.event.as_ref())),
            false => state.counted_terms.take(),
        };
        add_message(tx, &mut state.recent, (conversation, seq), &record, counted)?;
    }
    state.seqs.insert(conversation, seq);
    let labels = super::labels::auto_label(tx, conversation, record.event.as_ref())?;
    Ok(Appended {
        conversation,
        seq,
        duplicate: false,
        message: record,
        labels,
    })
}

pub(super) fn change_status(
    tx: &WriteTransaction,
    conversation: u64,
    status: StoredStatus,
    agent: Option<u64>,
    at_ms: u64,
) -> Result<(), StoreError> {
    let mut convs = tx.open_table(CONVERSATIONS)?;
    let mut record = match convs.get(conversation)? {
        Some(v) => decode::<ConversationRecord>(v.value(), "conversations")?
            .latest()
            .clone(),
        None => return Err(StoreError::NotFound("conversation")),
    };
    let mut open = tx.open_table(OPEN_BY_VISITOR)?;
    let key = (record.visitor, record.site.as_str());
    let open_now = open.get(key)?.map(|v| v.value());
    match status {
        StoredStatus::Closed => {
            if open_now == Some(conversation) {
                open.remove(key)?;
            }
        }
        _ => match open_now {
            Some(id) if id != conversation => {
                return Err(StoreError::Conflict(
                    "the visitor has started a newer conversation".into(),
                ));
            }
            Some(_) => {}
            None => {
                open.insert(key, conversation)?;
            }
        },
    }
    record.status = status;
    record.agent = agent.or(record.agent);
    record.updated_ms = at_ms;
    convs.insert(
        conversation,
        encode(&ConversationRecord::V1(record)).as_slice(),
    )?;
    Ok(())
}

pub(super) fn purge(
    tx: &WriteTransaction,
    id: u64,
    state: &mut WriterState,
) -> Result<Outcome, StoreError> {
    let convs = tx.open_table(CONVERSATIONS)?;
    let record = match convs.get(id)? {
        Some(v) => decode::<ConversationRecord>(v.value(), "conversations")?
            .latest()
            .clone(),
        None => return Err(StoreError::NotFound("conversation")),
    };
    if record.status != StoredStatus::Closed {
        return Err(StoreError::Conflict(
            "only closed conversations are purged".into(),
        ));
    }
    drop(convs);
    delete_conversation(tx, id, &record, state)?;
    Ok(Outcome::Done)
}

/// What deleting one conversation removed.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Deleted {
    /// Its messages.
    pub messages: u64,
    /// Its attachments (each one reference to a file fewer).
    pub attachments: u64,
}

/// Deletes conversation `id` (stored as `record`), open or not, and everything in it:
/// messages, attachments (a file's bytes go once nothing names them), client ids, read
/// markers, its place in the visitor's history and open-conversation index.
pub(super) fn delete_conversation(
    tx: &WriteTransaction,
    id: u64,
    record: &ConversationV1,
    state: &mut WriterState,
) -> Result<Deleted, StoreError> {
    // The index first: it reads the messages to know their words.
    unindex_conversation(tx, id, &mut state.recent)?;
    let mut messages = WriteMessages::write(tx)?;
    let stored = messages.all(id)?;
    let keys_len = stored.len() as u64;
    let mut attached = Vec::new();
    for (_, record) in stored {
        if let MessageRecord::V1(MessageV1 {
            event: Some(StoredEvent::Attachments { files }),
            ..
        }) = record
        {
            attached.extend(files);
        }
    }
    messages.remove_conversation(&mut state.messages, id)?;
    drop(messages);
    detach(tx, state, &attached)?;
    let mut read = tx.open_table(READ_STATE)?;
    read.remove((id, 0u8))?;
    read.remove((id, 1u8))?;
    tx.open_multimap_table(VISITOR_CONVERSATIONS)?
        .remove(record.visitor, id)?;
    super::labels::forget_conversation(tx, id)?;
    super::ratings::forget(tx, id)?;
    let mut open = tx.open_table(OPEN_BY_VISITOR)?;
    let key = (record.visitor, record.site.as_str());
    if open.get(key)?.is_some_and(|v| v.value() == id) {
        open.remove(key)?;
    }
    tx.open_table(CONVERSATIONS)?.remove(id)?;
    state.seqs.remove(&id);
    state.client_ids.forget_conversation(id);
    Ok(Deleted {
        messages: keys_len,
        attachments: attached.len() as u64,
    })
}
