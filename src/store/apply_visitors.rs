//! Creating a visitor's record or merging new details into it, inside a write
//! transaction: shared by the visitor ops (`apply.rs`) and the identity ops
//! (`identity.rs`). A changed email address is no longer confirmed.

use redb::{ReadableTable, WriteTransaction};

use super::StoreError;
use super::ops::VisitorUpdate;
use super::records::{VisitorRecord, VisitorV2, decode, encode};
use super::search_index::reindex_visitor;
use super::tables::VISITORS;

/// Creates a visitor's record or merges `update` into it; true when it sets an email
/// address the record did not have.
pub(super) fn upsert_visitor(
    tx: &WriteTransaction,
    id: u64,
    update: VisitorUpdate,
) -> Result<bool, StoreError> {
    let mut visitors = tx.open_table(VISITORS)?;
    let old = match visitors.get(id)? {
        Some(v) => Some(decode::<VisitorRecord>(v.value(), "visitors")?.into_latest()),
        None => None,
    };
    let mut record = old.clone().unwrap_or_else(|| VisitorV2 {
        created_ms: update.seen_ms.unwrap_or(0),
        ..VisitorV2::default()
    });
    record.last_seen_ms = update.seen_ms.unwrap_or(record.last_seen_ms);
    record.page = update.page.or(record.page);
    record.referrer = update.referrer.or(record.referrer);
    record.language = update.language.or(record.language);
    record.user_agent = update.user_agent.or(record.user_agent);
    record.utc_offset_min = update.utc_offset_min.or(record.utc_offset_min);
    record.name = update.name.or(record.name);
    let new_email = update.email.is_some() && update.email != record.email;
    record.email = update.email.or(record.email);
    if new_email {
        // A confirmation names an address: another address is not confirmed.
        super::email_records::unconfirm(tx, id)?;
    }
    // The search index follows the name, email and attributes in the same commit.
    reindex_visitor(tx, id, old.as_ref(), Some(&record))?;
    visitors.insert(id, encode(&VisitorRecord::V2(record)).as_slice())?;
    Ok(new_email)
}
