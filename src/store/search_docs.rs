//! What of a message and of a visitor the full-text index holds, and the index's
//! document count in `meta`: shared by both parts of the index (`search_index.rs`
//! writes the main postings, `search_recent.rs` the recent part).

use redb::{ReadableTable, WriteTransaction};

use super::StoreError;
use super::records::{MessageV1, VisitorV2};
use super::tables::*;
use super::values::{StoredAuthorKind, StoredEvent};

/// The searchable text of a message, if it has any: notes (an agent's or an API
/// key's), and visitors' and agents' words, captions and file names.
pub fn message_text(m: &MessageV1) -> Option<String> {
    let person = matches!(
        m.author_kind,
        StoredAuthorKind::Visitor | StoredAuthorKind::Agent
    );
    match &m.event {
        Some(StoredEvent::Note) => Some(m.body.clone()),
        _ if !person => None,
        None => Some(m.body.clone()),
        Some(StoredEvent::Attachments { files }) => {
            let mut text = m.body.clone();
            for f in files {
                text.push('\n');
                text.push_str(&f.name);
            }
            Some(text)
        }
        Some(_) => None,
    }
}

/// The searchable text of a visitor: name, email and attribute values.
pub fn visitor_text(v: &VisitorV2) -> String {
    let mut text = String::new();
    for part in v.name.iter().chain(v.email.iter()) {
        text.push_str(part);
        text.push('\n');
    }
    for (_, value) in &v.attributes {
        text.push_str(value);
        text.push('\n');
    }
    text
}

pub(super) fn meta_u64(tx: &WriteTransaction, key: &str) -> Result<u64, StoreError> {
    Ok(tx
        .open_table(META)?
        .get(key)?
        .and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
        .map_or(0, u64::from_le_bytes))
}

pub(super) fn set_meta_u64(tx: &WriteTransaction, key: &str, value: u64) -> Result<(), StoreError> {
    tx.open_table(META)?
        .insert(key, value.to_le_bytes().as_slice())?;
    Ok(())
}

/// Counts one document more (`add`) or less in `meta`.
pub(super) fn count_document(tx: &WriteTransaction, add: bool) -> Result<(), StoreError> {
    match add {
        true => {
            let n = meta_u64(tx, SEARCH_DOCUMENTS)?;
            set_meta_u64(tx, SEARCH_DOCUMENTS, n + 1)
        }
        false => uncount_documents(tx, 1),
    }
}

/// Counts `gone` documents less in `meta`.
pub(super) fn uncount_documents(tx: &WriteTransaction, gone: u64) -> Result<(), StoreError> {
    let n = meta_u64(tx, SEARCH_DOCUMENTS)?;
    set_meta_u64(tx, SEARCH_DOCUMENTS, n.saturating_sub(gone))
}
