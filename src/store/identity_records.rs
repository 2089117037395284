//! Verified customers' storage (issue #14, schema 6): each site's identity secret, the
//! binding of a shop's user id to one visitor per site, what that visitor was verified
//! as, and the writer's ops on them ([`IdentityOp`], applied in `identity.rs`, which
//! also reads them). What the secret and the hash mean is in `crate::identity`.

use redb::{TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::StoreError;

/// Site → [`SiteIdentityRecord`]: the site's identity secret (since schema 6).
pub const SITE_IDENTITY: TableDefinition<&str, &[u8]> = TableDefinition::new("site_identity");
/// (site, the shop's user id) → the visitor id of that customer (since schema 6).
pub const CUSTOMER_VISITOR: TableDefinition<(&str, &str), u64> =
    TableDefinition::new("siteuser_visitorid");
/// Visitor id → [`CustomerRecord`]: who a verified visitor is (since schema 6).
pub const VISITOR_CUSTOMER: TableDefinition<u64, &[u8]> =
    TableDefinition::new("visitorid_customer");

/// Creates the tables (at open).
pub(super) fn create_tables(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(SITE_IDENTITY)?;
    tx.open_table(CUSTOMER_VISITOR)?;
    tx.open_table(VISITOR_CUSTOMER)?;
    Ok(())
}

/// A site's identity secret, as stored.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum SiteIdentityRecord {
    /// Version 1.
    V1(SiteIdentityV1),
}

/// Version 1 of a site's identity settings.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct SiteIdentityV1 {
    /// The secret the shop's server computes hashes with (64 hex digits; the text is
    /// the HMAC key). Empty: none made yet.
    pub secret: String,
    /// When the secret was made or last rotated, ms since the Unix epoch.
    pub created_ms: u64,
    /// Refuse identify calls without a valid hash on this site.
    pub require: bool,
}

impl SiteIdentityRecord {
    /// The record in the current version's shape.
    pub fn latest(self) -> SiteIdentityV1 {
        match self {
            SiteIdentityRecord::V1(v) => v,
        }
    }
}

/// Who a verified visitor is, as stored.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum CustomerRecord {
    /// Version 1.
    V1(CustomerV1),
}

/// Version 1 of a verified customer.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct CustomerV1 {
    /// The site the identity was verified on.
    pub site: String,
    /// The shop's user id.
    pub user_id: String,
    /// The avatar URL the shop gave (https only).
    pub avatar: Option<String>,
    /// First verified, ms since the Unix epoch.
    pub first_verified_ms: u64,
    /// Last verified, ms since the Unix epoch.
    pub last_verified_ms: u64,
}

impl CustomerRecord {
    /// The record in the current version's shape.
    pub fn latest(self) -> CustomerV1 {
        match self {
            CustomerRecord::V1(v) => v,
        }
    }
}

/// What a verified identify (or the REST API) says about a customer; checked by
/// `crate::identity` before it reaches the store.
#[derive(Debug, Clone, Default)]
pub struct CustomerDetails {
    /// Name (None: unchanged).
    pub name: Option<String>,
    /// Email (None: unchanged).
    pub email: Option<String>,
    /// Avatar URL (None: unchanged).
    pub avatar: Option<String>,
    /// Attributes to set; a `None` value removes the key (None: unchanged).
    pub attributes: Option<Vec<(String, Option<String>)>>,
}

/// The writer's ops on identities.
#[derive(Debug, Clone)]
pub enum IdentityOp {
    /// Store a site's identity settings (a new or rotated secret, or `require`).
    PutSite {
        /// The site.
        site: String,
        /// Its settings.
        record: SiteIdentityV1,
    },
    /// Bind a verified user id to a visitor (or find the one bound before), then store
    /// `details` on it: [`super::Outcome::CustomerBound`] names the visitor. A new
    /// binding takes `adopt` (the anonymous visitor of the same browser) when it is
    /// stored and bound to nobody, else `fresh` (an unused visitor id).
    BindCustomer {
        /// The site.
        site: String,
        /// The shop's user id.
        user_id: String,
        /// The browser's anonymous visitor, if it presented a token.
        adopt: Option<u64>,
        /// An id from the visitor id blocks, used when nothing else fits.
        fresh: u64,
        /// What to store.
        details: CustomerDetails,
        /// Now, ms since the Unix epoch.
        at_ms: u64,
    },
    /// Change a stored visitor's name, email or attributes (`PATCH /api/visitors/ID`);
    /// `NotFound` if there is no such visitor; `Conflict` when the attributes would
    /// exceed `max_attributes`.
    PatchVisitor {
        /// The visitor.
        visitor: u64,
        /// What changes.
        details: CustomerDetails,
        /// Most attributes after the change.
        max_attributes: usize,
    },
}
