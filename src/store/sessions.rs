//! Ending an agent's login sessions inside a write transaction (after a password
//! change or reset). The sessions table is keyed by token digest, so this scans it:
//! a shop has a handful of agents and sessions, and passwords change rarely.

use redb::{ReadableTable, WriteTransaction};

use super::StoreError;
use super::records::{SessionRecord, decode};
use super::tables::SESSIONS;

/// Deletes every session of `agent` except the one whose digest is `keep`, and
/// returns how many were deleted.
pub(super) fn end_sessions(
    tx: &WriteTransaction,
    agent: u64,
    keep: Option<[u8; 32]>,
) -> Result<usize, StoreError> {
    let mut table = tx.open_table(SESSIONS)?;
    let mut doomed = Vec::new();
    for row in table.iter()? {
        let (digest, value) = row?;
        let SessionRecord::V1 { agent: owner, .. } = decode(value.value(), "sessions")?;
        if owner == agent && keep.is_none_or(|k| k.as_slice() != digest.value()) {
            doomed.push(digest.value().to_vec());
        }
    }
    for digest in &doomed {
        table.remove(digest.as_slice())?;
    }
    Ok(doomed.len())
}
