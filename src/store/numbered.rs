//! Records in tables keyed by a number the store chooses (canned replies, FAQ entries):
//! create under the next number, replace an existing one, delete one.

use redb::{ReadableTable, TableDefinition, WriteTransaction};

use super::StoreError;
use super::ops::Outcome;

/// Stores a record in a table keyed by a number the store chooses: replaces `id` (which
/// must exist), or takes the next number after the highest. Returns the id.
pub(super) fn put_numbered(
    tx: &WriteTransaction,
    table: TableDefinition<u64, &[u8]>,
    id: Option<u64>,
    bytes: &[u8],
    what: &'static str,
) -> Result<u64, StoreError> {
    let mut rows = tx.open_table(table)?;
    let id = match id {
        Some(id) if rows.get(id)?.is_some() => id,
        Some(_) => return Err(StoreError::NotFound(what)),
        None => rows.last()?.map(|(k, _)| k.value()).unwrap_or(0) + 1,
    };
    rows.insert(id, bytes)?;
    Ok(id)
}

/// Deletes a numbered record; `NotFound` if there is none.
pub(super) fn delete_numbered(
    tx: &WriteTransaction,
    table: TableDefinition<u64, &[u8]>,
    id: u64,
    what: &'static str,
) -> Result<Outcome, StoreError> {
    if tx.open_table(table)?.remove(id)?.is_none() {
        return Err(StoreError::NotFound(what));
    }
    Ok(Outcome::Done)
}
