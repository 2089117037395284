//! The external responder's settings row: its read and how [`WriteOp::PutResponder`]
//! applies (the record is in `responder_records.rs`).
//!
//! [`WriteOp::PutResponder`]: super::WriteOp::PutResponder

use redb::WriteTransaction;

use super::records::{decode, encode};
use super::responder_records::{ResponderRecord, ResponderV1};
use super::tables::SETTINGS;
use super::{Outcome, Store, StoreError};

/// The row's key in `name_settings`.
const KEY: &str = "responder";

impl Store {
    /// The responder's settings (off until an admin saves some).
    pub fn responder(&self) -> Result<ResponderV1, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(SETTINGS)?;
        match table.get(KEY)? {
            Some(v) => Ok(decode::<ResponderRecord>(v.value(), "responder")?.into_latest()),
            None => Ok(ResponderV1::default()),
        }
    }
}

/// Applies [`super::WriteOp::PutResponder`]: replaces the row.
pub(super) fn put(tx: &WriteTransaction, settings: ResponderV1) -> Result<Outcome, StoreError> {
    tx.open_table(SETTINGS)?
        .insert(KEY, encode(&ResponderRecord::V1(settings)).as_slice())?;
    Ok(Outcome::Done)
}
