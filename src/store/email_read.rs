//! Reading what the store keeps about visitors' email addresses (records and ops in
//! `email_records.rs`): the address a visitor confirmed, and unsubscribed addresses.

use super::email_records::*;
use super::records::decode;
use super::{Store, StoreError};

impl Store {
    /// The address `visitor` confirmed, if any (compare it with their stored email).
    pub fn confirmed_email(&self, visitor: u64) -> Result<Option<ConfirmedV1>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(VISITOR_CONFIRMED)?;
        match table.get(visitor)? {
            Some(v) => match decode::<ConfirmedRecord>(v.value(), "email confirmations")? {
                ConfirmedRecord::V1(c) => Ok(Some(c)),
            },
            None => Ok(None),
        }
    }

    /// Whether `address` unsubscribed from visitor emails.
    pub fn email_opted_out(&self, address: &str) -> Result<bool, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(ADDRESS_OPTOUT)?;
        Ok(table.get(address_key(address).as_str())?.is_some())
    }
}
