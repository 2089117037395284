//! Labels: the writer's ops ([`LabelOp`]) and the reads. The two multimaps of
//! `label_records` (conversation → labels, label → conversations) are written only by
//! [`set_pair`] and [`forget_conversation`], so they always hold the same pairs.
//! Automatic labels ([`auto_label`]) are added by the writer in the commit of the
//! message that earns them: a hand-off with a reason, or a bot answer from an FAQ entry.

use std::collections::BTreeMap;

use redb::{ReadableMultimapTable, ReadableTable, WriteTransaction};

use super::label_records::*;
use super::ops::Outcome;
use super::records::{decode, encode};
use super::tables::{CONVERSATIONS, META};
use super::values::StoredEvent;
use super::{Store, StoreError};

impl Store {
    /// Every label, by id.
    pub fn labels(&self) -> Result<Vec<(u64, LabelV1)>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(LABELS)?;
        let mut all = Vec::new();
        for row in table.iter()? {
            let (id, value) = row?;
            let record: LabelRecord = decode(value.value(), "labels")?;
            all.push((id.value(), record.into_latest()));
        }
        Ok(all)
    }

    /// The labels of each of these conversations that has any, ids ascending.
    pub fn labels_of(&self, conversations: &[u64]) -> Result<BTreeMap<u64, Vec<u64>>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_multimap_table(CONVERSATION_LABELS)?;
        let mut found = BTreeMap::new();
        for &conversation in conversations {
            let mut labels = Vec::new();
            for label in table.get(conversation)? {
                labels.push(label?.value());
            }
            if !labels.is_empty() {
                found.insert(conversation, labels);
            }
        }
        Ok(found)
    }

    /// The conversations that carry a label, ids descending, below `before` (0: all).
    pub fn labelled(&self, label: u64, before: u64) -> Result<Vec<u64>, StoreError> {
        let tx = self.db().begin_read()?;
        labelled_in(&tx.open_multimap_table(LABEL_CONVERSATIONS)?, label, before)
    }
}

/// The conversations of `table` that carry `label`, ids descending, below `before`.
pub(super) fn labelled_in(
    table: &impl ReadableMultimapTable<u64, u64>,
    label: u64,
    before: u64,
) -> Result<Vec<u64>, StoreError> {
    let end = if before == 0 { u64::MAX } else { before };
    let mut ids = Vec::new();
    for id in table.get(label)? {
        let id = id?.value();
        if id < end {
            ids.push(id);
        }
    }
    ids.sort_unstable_by(|a, b| b.cmp(a));
    Ok(ids)
}

/// Applies one op on labels.
pub(super) fn apply(tx: &WriteTransaction, op: LabelOp) -> Result<Outcome, StoreError> {
    match op {
        LabelOp::Put { id, record } => put(tx, id, record),
        LabelOp::Delete { id } => delete(tx, id),
        LabelOp::Tag {
            conversation,
            label,
            on,
        } => {
            if tx.open_table(CONVERSATIONS)?.get(conversation)?.is_none() {
                return Err(StoreError::NotFound("conversation"));
            }
            if tx.open_table(LABELS)?.get(label)?.is_none() {
                return Err(StoreError::NotFound("label"));
            }
            set_pair(tx, conversation, label, on)?;
            Ok(Outcome::Labels {
                conversation,
                labels: labels_in(tx, conversation)?,
            })
        }
    }
}

fn put(tx: &WriteTransaction, id: Option<u64>, record: LabelV1) -> Result<Outcome, StoreError> {
    let mut table = tx.open_table(LABELS)?;
    let wanted = record.name.to_lowercase();
    let mut count = 0;
    for row in table.iter()? {
        let (other, value) = row?;
        count += 1;
        let name = decode::<LabelRecord>(value.value(), "labels")?
            .into_latest()
            .name;
        if Some(other.value()) != id && name.to_lowercase() == wanted {
            return Err(StoreError::Conflict(
                "a label with that name already exists".into(),
            ));
        }
    }
    let id = match id {
        Some(id) => {
            if table.get(id)?.is_none() {
                return Err(StoreError::NotFound("label"));
            }
            id
        }
        None => {
            if count >= MAX_LABELS {
                return Err(StoreError::Conflict(format!(
                    "there are {MAX_LABELS} labels already; delete one first"
                )));
            }
            let mut meta = tx.open_table(META)?;
            let last = meta
                .get(LAST_LABEL_ID)?
                .and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
                .map_or(0, u64::from_le_bytes);
            let id = last + 1;
            meta.insert(LAST_LABEL_ID, id.to_le_bytes().as_slice())?;
            id
        }
    };
    table.insert(id, encode(&LabelRecord::V1(record)).as_slice())?;
    Ok(Outcome::LabelSaved(id))
}

fn delete(tx: &WriteTransaction, id: u64) -> Result<Outcome, StoreError> {
    if tx.open_table(LABELS)?.remove(id)?.is_none() {
        return Err(StoreError::NotFound("label"));
    }
    let carriers = labelled_in(&tx.open_multimap_table(LABEL_CONVERSATIONS)?, id, 0)?;
    let mut changed = Vec::with_capacity(carriers.len());
    for conversation in carriers {
        set_pair(tx, conversation, id, false)?;
        changed.push((conversation, labels_in(tx, conversation)?));
    }
    Ok(Outcome::LabelDeleted { changed })
}

/// Adds (or removes) one conversation–label pair in both multimaps; `Conflict` when an
/// addition would pass [`MAX_PER_CONVERSATION`].
fn set_pair(
    tx: &WriteTransaction,
    conversation: u64,
    label: u64,
    on: bool,
) -> Result<(), StoreError> {
    let mut by_conversation = tx.open_multimap_table(CONVERSATION_LABELS)?;
    let mut by_label = tx.open_multimap_table(LABEL_CONVERSATIONS)?;
    if on {
        let has = by_conversation.get(conversation)?.count();
        let already = by_label
            .get(label)?
            .any(|c| c.is_ok_and(|c| c.value() == conversation));
        if already {
            return Ok(());
        }
        if has >= MAX_PER_CONVERSATION {
            return Err(StoreError::Conflict(format!(
                "a conversation carries at most {MAX_PER_CONVERSATION} labels"
            )));
        }
        by_conversation.insert(conversation, label)?;
        by_label.insert(label, conversation)?;
    } else {
        by_conversation.remove(conversation, label)?;
        by_label.remove(label, conversation)?;
    }
    Ok(())
}

/// A conversation's labels inside a write transaction, ids ascending.
fn labels_in(tx: &WriteTransaction, conversation: u64) -> Result<Vec<u64>, StoreError> {
    let table = tx.open_multimap_table(CONVERSATION_LABELS)?;
    let mut labels = Vec::new();
    for label in table.get(conversation)? {
        labels.push(label?.value());
    }
    Ok(labels)
}

/// Takes every label off a conversation that is being deleted (retention, erasure).
pub(super) fn forget_conversation(
    tx: &WriteTransaction,
    conversation: u64,
) -> Result<(), StoreError> {
    for label in labels_in(tx, conversation)? {
        set_pair(tx, conversation, label, false)?;
    }
    Ok(())
}

/// The labels an admin attached to what `event` records (a hand-off reason, a bot
/// answer's FAQ entry) are added to the conversation; returns its labels when that
/// changed them. A full conversation keeps the labels it has: an automatic label
/// never refuses the message that earned it.
pub(super) fn auto_label(
    tx: &WriteTransaction,
    conversation: u64,
    event: Option<&StoredEvent>,
) -> Result<Option<Vec<u64>>, StoreError> {
    let earns = |l: &LabelV1| match event {
        Some(StoredEvent::HandedOff { reason }) => l.on_handoff.contains(reason),
        Some(StoredEvent::BotAnswer { faq_id }) => l.on_faq.contains(faq_id),
        _ => false,
    };
    if !matches!(
        event,
        Some(StoredEvent::HandedOff { .. } | StoredEvent::BotAnswer { .. })
    ) {
        return Ok(None);
    }
    let mut earned = Vec::new();
    for row in tx.open_table(LABELS)?.iter()? {
        let (id, value) = row?;
        if earns(&decode::<LabelRecord>(value.value(), "labels")?.into_latest()) {
            earned.push(id.value());
        }
    }
    if earned.is_empty() {
        return Ok(None);
    }
    let before = labels_in(tx, conversation)?;
    for label in earned {
        match set_pair(tx, conversation, label, true) {
            Ok(()) | Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let after = labels_in(tx, conversation)?;
    Ok((after != before).then_some(after))
}
