//! Labels in the store (schema 7, issue #15): their record, their tables and the
//! writer's ops on them ([`LabelOp`], applied in `labels.rs` with the reads). A
//! conversation's labels are kept in two multimaps that always agree, conversation →
//! labels and label → conversations; only `labels.rs` writes them, both in one place.

use redb::{MultimapTableDefinition, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::StoreError;
use super::values::StoredHandoffReason;

/// Label id → [`LabelRecord`].
pub const LABELS: TableDefinition<u64, &[u8]> = TableDefinition::new("labelid_label");
/// Conversation id → its label ids.
pub const CONVERSATION_LABELS: MultimapTableDefinition<u64, u64> =
    MultimapTableDefinition::new("convid_labelid");
/// Label id → the conversations that carry it (the same pairs, the other way round).
pub const LABEL_CONVERSATIONS: MultimapTableDefinition<u64, u64> =
    MultimapTableDefinition::new("labelid_convid");
/// `meta` key: the highest label id ever given (ids are never reused: the audit log
/// names them).
pub const LAST_LABEL_ID: &str = "last_label_id";

/// Most labels a shop may define.
pub const MAX_LABELS: usize = 100;
/// Most labels one conversation may carry.
pub const MAX_PER_CONVERSATION: usize = 10;

/// A label as stored.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum LabelRecord {
    /// Version 1.
    V1(LabelV1),
}

/// Version 1 of a label.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct LabelV1 {
    /// Its name, 1–32 characters, unique without regard to case.
    pub name: String,
    /// Its colour, `#rrggbb` in lower case.
    pub colour: String,
    /// Hand-off reasons that add it to the conversation handed off, in the same commit.
    pub on_handoff: Vec<StoredHandoffReason>,
    /// FAQ entries whose bot answer adds it to the conversation, in the same commit.
    pub on_faq: Vec<u64>,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: u64,
}

impl LabelRecord {
    /// The current version, owned.
    pub fn into_latest(self) -> LabelV1 {
        match self {
            LabelRecord::V1(l) => l,
        }
    }
}

/// The writer's ops on labels.
#[derive(Debug, Clone)]
pub enum LabelOp {
    /// Create (`id` None, [`super::Outcome::LabelSaved`] with the new id) or replace a
    /// label. Refused with `Conflict` when another label has the name (any case) or
    /// when there are [`MAX_LABELS`] already; `NotFound` for an unknown id.
    Put {
        /// The label to replace.
        id: Option<u64>,
        /// The label.
        record: LabelV1,
    },
    /// Delete a label and take it off every conversation
    /// ([`super::Outcome::LabelDeleted`]).
    Delete {
        /// Its id.
        id: u64,
    },
    /// Add a label to a conversation or take it off ([`super::Outcome::Labels`]).
    /// `NotFound` for an unknown conversation or label; `Conflict` when the conversation
    /// has [`MAX_PER_CONVERSATION`] labels already. Adding a label it has, or removing
    /// one it has not, changes nothing and succeeds.
    Tag {
        /// The conversation.
        conversation: u64,
        /// The label.
        label: u64,
        /// True to add, false to remove.
        on: bool,
    },
}

/// Creates the tables (at open).
pub(super) fn create_tables(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(LABELS)?;
    tx.open_multimap_table(CONVERSATION_LABELS)?;
    tx.open_multimap_table(LABEL_CONVERSATIONS)?;
    Ok(())
}
