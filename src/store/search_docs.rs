//! What of a message and of a visitor the full-text index holds, and the index's
//! document count in `meta`: shared by both parts of the index (`search_index.rs`
//! writes the main postings, `search_recent.rs` the recent part).

use std::borrow::Cow;

use redb::{ReadableTable, WriteTransaction};

use super::StoreError;
use super::records::{MessageV1, VisitorV2};
use super::tables::*;
use super::values::{StoredAuthorKind, StoredEvent};
use crate::search::tokens::{TermCounts, merge_counts, term_counts};

/// The searchable text of a message, if it has any: notes (an agent's or an API
/// key's), and visitors' and agents' words, captions and file names.
pub fn message_text(m: &MessageV1) -> Option<Cow<'_, str>> {
    text_of(m.author_kind, m.event.as_ref(), &m.body)
}

/// The terms of a message about to be stored, counted by its sender before the writer
/// takes it (`super::writer`: tokenizing stays off the writer's thread), or None when
/// it has no searchable text. For a message with uploads these are its body's terms:
/// the file names are known only once the uploads are attached, and the writer adds
/// their terms then ([`with_file_names`]).
pub fn new_message_terms(
    kind: StoredAuthorKind,
    event: Option<&StoredEvent>,
    body: &str,
    uploads: bool,
) -> Option<TermCounts> {
    // With uploads it is stored with the event `Attachments`, whose names come later.
    let no_names = StoredEvent::Attachments { files: Vec::new() };
    let event = if uploads { Some(&no_names) } else { event };
    text_of(kind, event, body).map(|text| term_counts(&text))
}

/// The terms of a person's message without an event (a visitor's or an agent's text or
/// caption), counted where it arrives (`ws::frame_terms`, on the connection's own
/// task): what [`new_message_terms`] gives for such a message, with or without uploads.
pub fn plain_message_terms(body: &str) -> TermCounts {
    term_counts(body)
}

/// `body_terms` (a message's body, [`new_message_terms`]) with the terms of the file
/// names its uploads got when they were attached (`event`): the terms of the whole
/// [`message_text`], with only the short names tokenized on the writer's thread. A file
/// name is its own line of that text, so no term spans a name and its neighbour.
pub fn with_file_names(body_terms: TermCounts, event: Option<&StoredEvent>) -> TermCounts {
    let Some(StoredEvent::Attachments { files }) = event else {
        return body_terms;
    };
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    merge_counts(body_terms, term_counts(&names.join("\n")))
}

/// [`message_text`] from a message's parts (the body itself unless file names follow it).
fn text_of<'a>(
    kind: StoredAuthorKind,
    event: Option<&StoredEvent>,
    body: &'a str,
) -> Option<Cow<'a, str>> {
    let person = matches!(kind, StoredAuthorKind::Visitor | StoredAuthorKind::Agent);
    match event {
        Some(StoredEvent::Note) => Some(Cow::Borrowed(body)),
        _ if !person => None,
        None => Some(Cow::Borrowed(body)),
        Some(StoredEvent::Attachments { files }) if files.is_empty() => Some(Cow::Borrowed(body)),
        Some(StoredEvent::Attachments { files }) => {
            let mut text = body.to_string();
            for f in files {
                text.push('\n');
                text.push_str(&f.name);
            }
            Some(Cow::Owned(text))
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
    read_u64(&tx.open_table(META)?, key)
}

/// A number in an open `META` (0 when it is not there).
fn read_u64(
    meta: &impl ReadableTable<&'static str, &'static [u8]>,
    key: &str,
) -> Result<u64, StoreError> {
    Ok(meta
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
        true => change_documents(tx, |n| n + 1),
        false => uncount_documents(tx, 1),
    }
}

/// Counts `gone` documents less in `meta`.
pub(super) fn uncount_documents(tx: &WriteTransaction, gone: u64) -> Result<(), StoreError> {
    change_documents(tx, |n| n.saturating_sub(gone))
}

/// Reads and rewrites the document count with `META` opened once (this runs for every
/// stored message, in the writer).
fn change_documents(
    tx: &WriteTransaction,
    change: impl FnOnce(u64) -> u64,
) -> Result<(), StoreError> {
    let mut meta = tx.open_table(META)?;
    let n = read_u64(&meta, SEARCH_DOCUMENTS)?;
    meta.insert(SEARCH_DOCUMENTS, change(n).to_le_bytes().as_slice())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ops::NewMessage;
    use crate::store::values::StoredAttachment;

    fn new(kind: StoredAuthorKind, event: Option<StoredEvent>, body: &str) -> NewMessage {
        NewMessage {
            author_kind: kind,
            author_id: 1,
            author_name: "n".into(),
            body: body.into(),
            client_id: None,
            event,
            at_ms: 0,
            attachments: Vec::new(),
        }
    }

    fn stored(m: &NewMessage) -> MessageV1 {
        MessageV1 {
            at_ms: m.at_ms,
            author_kind: m.author_kind,
            author_id: m.author_id,
            author_name: m.author_name.clone(),
            body: m.body.clone(),
            client_id: m.client_id.clone(),
            event: m.event.clone(),
        }
    }

    #[test]
    fn the_senders_terms_are_the_writers_terms() {
        let file = StoredAttachment {
            token: [7; 16],
            name: "receipt photo.jpg".into(),
            content_type: "image/jpeg".into(),
            size: 10,
        };
        let cases = [
            new(
                StoredAuthorKind::Visitor,
                None,
                "Teapots, two teapots! 茶壺",
            ),
            new(StoredAuthorKind::Agent, None, "On its way"),
            new(
                StoredAuthorKind::Agent,
                Some(StoredEvent::Note),
                "refund them",
            ),
            new(StoredAuthorKind::Bot, None, "bot words are not indexed"),
            new(
                StoredAuthorKind::System,
                Some(StoredEvent::Note),
                "a key's note",
            ),
            new(
                StoredAuthorKind::Visitor,
                Some(StoredEvent::Attachments { files: vec![file] }),
                "caption",
            ),
        ];
        for m in &cases {
            let writers = message_text(&stored(m)).map(|text| term_counts(&text));
            let senders = new_message_terms(m.author_kind, m.event.as_ref(), &m.body, false);
            assert_eq!(senders, writers, "{m:?}");
        }
    }

    fn file(name: &str) -> StoredAttachment {
        StoredAttachment {
            token: [7; 16],
            name: name.into(),
            content_type: "image/jpeg".into(),
            size: 10,
        }
    }

    #[test]
    fn a_caption_counted_by_the_sender_and_the_names_by_the_writer_make_the_whole_text() {
        let mut rng = fastrand::Rng::with_seed(11);
        let pieces = [
            "teapot",
            "Teapots",
            "cups",
            "茶壺",
            "茶",
            "照片",
            "photo",
            "IMG",
            "2024",
            "a",
            "",
            " ",
            "receipt.jpg",
            "é",
            "İ",
            "x-y",
        ];
        let mut text = |n: usize| -> String {
            (0..rng.usize(..n))
                .map(|_| pieces[rng.usize(..pieces.len())])
                .collect::<Vec<_>>()
                .join(if rng.bool() { "" } else { " " })
        };
        for _ in 0..500 {
            let caption = text(8);
            let names: Vec<StoredAttachment> = (0..4).map(|_| file(&text(4))).collect();
            for kind in [StoredAuthorKind::Visitor, StoredAuthorKind::Agent] {
                let mut m = new(kind, None, &caption);
                let senders = new_message_terms(kind, None, &caption, true);
                m.event = Some(StoredEvent::Attachments {
                    files: names.clone(),
                });
                let writers = message_text(&stored(&m)).map(|text| term_counts(&text));
                let together = senders.map(|terms| with_file_names(terms, m.event.as_ref()));
                assert_eq!(together, writers, "{caption:?} {names:?}");
            }
        }
        let bot = new_message_terms(StoredAuthorKind::Bot, None, "bot words", true);
        assert_eq!(bot, None);
    }
}
