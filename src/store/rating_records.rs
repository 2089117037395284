//! The records of visitors' ratings (schema 7, issue #15) and of whether the widget
//! asks for them, and the ratings' table; written and read in `ratings.rs`.

use redb::{TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::StoreError;

/// Conversation id → [`RatingRecord`].
pub const RATINGS: TableDefinition<u64, &[u8]> = TableDefinition::new("convid_rating");

/// A rating as stored.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum RatingRecord {
    /// Version 1.
    V1(RatingV1),
}

/// Version 1 of a rating.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct RatingV1 {
    /// 1 (bad) to 5 (very good).
    pub score: u8,
    /// What the visitor added (empty: nothing).
    pub comment: String,
    /// When, ms since the Unix epoch.
    pub at_ms: u64,
}

impl RatingRecord {
    /// The current version, owned.
    pub fn into_latest(self) -> RatingV1 {
        match self {
            RatingRecord::V1(r) => r,
        }
    }
}

/// `name_settings` key of whether the widget asks "How did we do?" (a row beside
/// `"widget"`, like `"responder"`: older builds never read it).
pub const CSAT_KEY: &str = "csat";

/// Whether the widget asks for a rating, as stored.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum CsatRecord {
    /// Version 1.
    V1 {
        /// True: closed conversations ask "How did we do?".
        ask: bool,
    },
}

/// Creates the table (at open).
pub(super) fn create_tables(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(RATINGS)?;
    Ok(())
}
