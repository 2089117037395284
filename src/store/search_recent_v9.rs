//! The upgrade from schema 9 (and 8): their recent part of the search index held one
//! row per term of each new message, ordered by term ([`SEARCH_RECENT_V9`]). Schema 10
//! keeps new messages one row each, then in segments (`search_recent.rs`). The upgrade
//! moves every old row into the main postings, as a merge step would, in the
//! upgrade's own transaction, and deletes the old table: a crash leaves the directory at 9 with its rows, or at 10
//! without them. The document count is unchanged (every message stays indexed once).

use redb::{ReadableTable, WriteTransaction};

use super::StoreError;
use super::search_recent::{Moving, add_to_main};
use super::tables::SEARCH_RECENT_V9;

/// Rows read and moved at a time (bounds the upgrade's memory, whatever the old part
/// held: up to 8,388,608 rows).
const CHUNK: usize = 65_536;

/// Moves every row of the old recent part into the main postings and deletes it.
pub(super) fn merge_all(tx: &WriteTransaction) -> Result<u64, StoreError> {
    let mut moved = 0;
    loop {
        let mut keys: Vec<(String, u64)> = Vec::new();
        let mut moving: Vec<Moving> = Vec::new();
        {
            let old = tx.open_table(SEARCH_RECENT_V9)?;
            for row in old.iter()?.take(CHUNK) {
                let (key, value) = row?;
                let (term, arrival) = key.value();
                let (conversation, seq, n) = value.value();
                keys.push((term.to_string(), arrival));
                moving.push((term.to_string(), conversation, seq, n));
            }
        }
        if keys.is_empty() {
            break;
        }
        let mut old = tx.open_table(SEARCH_RECENT_V9)?;
        for (term, arrival) in &keys {
            old.remove((term.as_str(), *arrival))?;
        }
        drop(old);
        moved += moving.len() as u64;
        add_to_main(tx, moving)?;
    }
    tx.delete_table(SEARCH_RECENT_V9)?;
    if moved > 0 {
        tracing::info!(
            postings = moved,
            "upgrade: the search index's recent part is merged into its main postings"
        );
    }
    Ok(moved)
}
