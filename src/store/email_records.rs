//! What the store keeps about visitors' email addresses: which address each visitor
//! confirmed (a click on the link of a confirmation email), and which addresses asked
//! for no more emails (one-click unsubscribe). Two small tables of their own, versioned
//! records like `records.rs` (golden bytes in the tests below) and their ops; the reads
//! are in `email_read.rs`.
//!
//! A confirmation names the address: a visitor counts as confirmed only while their
//! stored email is that address, and storing a different email deletes the
//! confirmation in the same transaction (`apply::upsert_visitor`), so changing the
//! address un-confirms it. Addresses are keyed lower-cased.

use redb::{ReadableTable, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::StoreError;
use super::records::encode;

/// Visitor id → [`ConfirmedRecord`]: the address that visitor confirmed (since schema 3).
pub const VISITOR_CONFIRMED: TableDefinition<u64, &[u8]> =
    TableDefinition::new("visitorid_emailconfirmed");
/// Lower-cased address → [`OptOutRecord`]: no visitor emails to it (since schema 3).
pub const ADDRESS_OPTOUT: TableDefinition<&str, &[u8]> = TableDefinition::new("address_optout");

/// Creates the tables (at open).
pub(super) fn create_tables(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(VISITOR_CONFIRMED)?;
    tx.open_table(ADDRESS_OPTOUT)?;
    Ok(())
}

/// A visitor's confirmed address, as stored.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum ConfirmedRecord {
    /// Version 1.
    V1(ConfirmedV1),
}

/// Version 1 of a confirmation.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ConfirmedV1 {
    /// The address, as the visitor typed it.
    pub address: String,
    /// When the link was followed, ms since the Unix epoch.
    pub at_ms: u64,
}

/// An address that asked for no more emails, as stored.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum OptOutRecord {
    /// Version 1.
    V1(OptOutV1),
}

/// Version 1 of an opt-out.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct OptOutV1 {
    /// When, ms since the Unix epoch.
    pub at_ms: u64,
}

/// The key of an address: trimmed and lower-cased.
pub fn address_key(address: &str) -> String {
    address.trim().to_lowercase()
}

/// Stores `visitor`'s confirmation of `address` (replacing an older one).
pub(super) fn confirm(
    tx: &WriteTransaction,
    visitor: u64,
    address: String,
    at_ms: u64,
) -> Result<(), StoreError> {
    let record = ConfirmedRecord::V1(ConfirmedV1 { address, at_ms });
    tx.open_table(VISITOR_CONFIRMED)?
        .insert(visitor, encode(&record).as_slice())?;
    Ok(())
}

/// Forgets `visitor`'s confirmation (their address changed).
pub(super) fn unconfirm(tx: &WriteTransaction, visitor: u64) -> Result<(), StoreError> {
    tx.open_table(VISITOR_CONFIRMED)?.remove(visitor)?;
    Ok(())
}

/// Records that `address` wants no more visitor emails (kept if already there).
pub(super) fn opt_out(tx: &WriteTransaction, address: &str, at_ms: u64) -> Result<(), StoreError> {
    let key = address_key(address);
    let mut table = tx.open_table(ADDRESS_OPTOUT)?;
    if table.get(key.as_str())?.is_none() {
        let record = OptOutRecord::V1(OptOutV1 { at_ms });
        table.insert(key.as_str(), encode(&record).as_slice())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::records::decode;

    #[test]
    fn golden_bytes() {
        // Matched without a wildcard: a new variant needs its golden bytes here.
        let confirmed = ConfirmedRecord::V1(ConfirmedV1 {
            address: "a@b.c".into(),
            at_ms: 300,
        });
        let golden: &[u8] = match confirmed {
            ConfirmedRecord::V1(_) => &[0, 5, b'a', b'@', b'b', b'.', b'c', 0xac, 0x02],
        };
        assert_eq!(encode(&confirmed), golden);
        assert_eq!(
            decode::<ConfirmedRecord>(golden, "t").expect("decodes"),
            confirmed
        );
        let opt_out = OptOutRecord::V1(OptOutV1 { at_ms: 1 });
        let golden: &[u8] = match opt_out {
            OptOutRecord::V1(_) => &[0, 1],
        };
        assert_eq!(encode(&opt_out), golden);
        assert_eq!(
            decode::<OptOutRecord>(golden, "t").expect("decodes"),
            opt_out
        );
    }

    #[test]
    fn address_keys_ignore_case_and_spaces() {
        assert_eq!(address_key(" Eve@Example.COM "), "eve@example.com");
    }
}
