//! The erased visitors' table (a GDPR erasure leaves only the id, see `erase.rs`):
//! its definition and creation at open; the read is `Store::is_erased` in `read.rs`.

use redb::{TableDefinition, WriteTransaction};

use super::StoreError;

/// Visitor id → when it was erased (ms since the Unix epoch, u64): ids only, never
/// reused, so a signed token naming one is refused (since schema 6; older builds ignore
/// the table).
pub const ERASED_VISITORS: TableDefinition<u64, u64> = TableDefinition::new("visitorid_erasedms");

/// Creates the table (at open).
pub(super) fn create_tables(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(ERASED_VISITORS)?;
    Ok(())
}
