//! Applying the writer's identity ops ([`IdentityOp`]) inside a write transaction, and
//! reading identities: a site's secret, the visitor bound to a user id, who a visitor
//! was verified as. Invariant: `siteuser_visitorid` and `visitorid_customer` agree (a
//! binding and its customer record are written in the same transaction, never apart),
//! and a visitor is bound to at most one user id.

use redb::{ReadableTable, WriteTransaction};

use super::apply_visitors::upsert_visitor;
use super::identity_records::*;
use super::ops::{Outcome, VisitorUpdate};
use super::records::{VisitorRecord, decode, encode};
use super::tables::VISITORS;
use super::{Store, StoreError};

/// Applies one [`IdentityOp`] inside `tx`.
pub(super) fn apply(tx: &WriteTransaction, op: IdentityOp) -> Result<Outcome, StoreError> {
    match op {
        IdentityOp::PutSite { site, record } => {
            let bytes = encode(&SiteIdentityRecord::V1(record));
            tx.open_table(SITE_IDENTITY)?
                .insert(site.as_str(), bytes.as_slice())?;
            Ok(Outcome::Done)
        }
        IdentityOp::BindCustomer {
            site,
            user_id,
            adopt,
            fresh,
            details,
            at_ms,
        } => {
            let bound = tx
                .open_table(CUSTOMER_VISITOR)?
                .get((site.as_str(), user_id.as_str()))?
                .map(|v| v.value());
            let visitor = match bound {
                Some(visitor) => visitor,
                None => {
                    let adoptable = match adopt {
                        Some(id) => {
                            tx.open_table(VISITORS)?.get(id)?.is_some()
                                && tx.open_table(VISITOR_CUSTOMER)?.get(id)?.is_none()
                        }
                        None => false,
                    };
                    let visitor = if adoptable {
                        adopt.unwrap_or(fresh)
                    } else {
                        fresh
                    };
                    if visitor == 0 {
                        // Bound when the caller looked, gone now (erased): say hello again.
                        return Err(StoreError::Conflict(
                            "the customer changed; try again".into(),
                        ));
                    }
                    tx.open_table(CUSTOMER_VISITOR)?
                        .insert((site.as_str(), user_id.as_str()), visitor)?;
                    visitor
                }
            };
            let mut customers = tx.open_table(VISITOR_CUSTOMER)?;
            let mut customer = match customers.get(visitor)? {
                Some(v) => decode::<CustomerRecord>(v.value(), "customers")?.latest(),
                None => CustomerV1 {
                    site,
                    user_id,
                    first_verified_ms: at_ms,
                    ..CustomerV1::default()
                },
            };
            customer.last_verified_ms = at_ms;
            if details.avatar.is_some() {
                customer.avatar.clone_from(&details.avatar);
            }
            customers.insert(visitor, encode(&CustomerRecord::V1(customer)).as_slice())?;
            drop(customers);
            patch(tx, visitor, details, usize::MAX, Some(at_ms))?;
            Ok(Outcome::CustomerBound(visitor))
        }
        IdentityOp::PatchVisitor {
            visitor,
            details,
            max_attributes,
        } => {
            if tx.open_table(VISITORS)?.get(visitor)?.is_none() {
                return Err(StoreError::NotFound("visitor"));
            }
            if let Some(avatar) = &details.avatar {
                let mut customers = tx.open_table(VISITOR_CUSTOMER)?;
                let found = customers
                    .get(visitor)?
                    .map(|v| decode::<CustomerRecord>(v.value(), "customers"))
                    .transpose()?;
                if let Some(record) = found {
                    let mut customer = record.latest();
                    customer.avatar = Some(avatar.clone());
                    customers.insert(visitor, encode(&CustomerRecord::V1(customer)).as_slice())?;
                }
            }
            patch(tx, visitor, details, max_attributes, None)?;
            Ok(Outcome::Done)
        }
    }
}

/// Stores name, email (through `upsert_visitor`, which unconfirms a changed address)
/// and merges the attributes; refuses more than `max` attributes after the merge.
fn patch(
    tx: &WriteTransaction,
    visitor: u64,
    details: CustomerDetails,
    max: usize,
    seen_ms: Option<u64>,
) -> Result<(), StoreError> {
    let update = VisitorUpdate {
        seen_ms,
        name: details.name,
        email: details.email,
        ..VisitorUpdate::default()
    };
    upsert_visitor(tx, visitor, update)?;
    let Some(changes) = details.attributes else {
        return Ok(());
    };
    let mut visitors = tx.open_table(VISITORS)?;
    let mut record = match visitors.get(visitor)? {
        Some(v) => decode::<VisitorRecord>(v.value(), "visitors")?.into_latest(),
        None => return Err(StoreError::NotFound("visitor")),
    };
    let before = record.clone();
    for (key, value) in changes {
        let at = record.attributes.iter().position(|(k, _)| *k == key);
        match (at, value) {
            (Some(i), Some(value)) => record.attributes[i].1 = value,
            (None, Some(value)) => record.attributes.push((key, value)),
            (Some(i), None) => {
                record.attributes.remove(i);
            }
            (None, None) => {}
        }
    }
    if record.attributes.len() > max {
        return Err(StoreError::Conflict(format!(
            "a visitor has at most {max} attributes; remove some first (a null value removes one)"
        )));
    }
    super::search_index::reindex_visitor(tx, visitor, Some(&before), Some(&record))?;
    visitors.insert(visitor, encode(&VisitorRecord::V2(record)).as_slice())?;
    Ok(())
}

impl Store {
    /// A site's identity settings, if any were made.
    pub fn site_identity(&self, site: &str) -> Result<Option<SiteIdentityV1>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(SITE_IDENTITY)?;
        match table.get(site)? {
            Some(v) => Ok(Some(
                decode::<SiteIdentityRecord>(v.value(), "site identities")?.latest(),
            )),
            None => Ok(None),
        }
    }

    /// Every site's identity settings, by site.
    pub fn site_identities(&self) -> Result<Vec<(String, SiteIdentityV1)>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(SITE_IDENTITY)?;
        let mut all = Vec::new();
        for row in table.iter()? {
            let (site, v) = row?;
            let record = decode::<SiteIdentityRecord>(v.value(), "site identities")?.latest();
            all.push((site.value().to_string(), record));
        }
        Ok(all)
    }

    /// The visitor bound to `user_id` on `site`.
    pub fn customer_visitor(&self, site: &str, user_id: &str) -> Result<Option<u64>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(CUSTOMER_VISITOR)?;
        Ok(table.get((site, user_id))?.map(|v| v.value()))
    }

    /// Who visitor `id` was verified as, if anyone.
    pub fn customer_of(&self, id: u64) -> Result<Option<CustomerV1>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(VISITOR_CUSTOMER)?;
        match table.get(id)? {
            Some(v) => Ok(Some(
                decode::<CustomerRecord>(v.value(), "customers")?.latest(),
            )),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::WriteOp;
    use crate::store::writer::{self, WriterConfig};

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Golden bytes of every identity record variant (no wildcard: a new variant does
    /// not compile until it has one). These never change.
    #[test]
    fn every_identity_record_variant_encodes_to_its_golden_bytes() {
        let site = SiteIdentityRecord::V1(SiteIdentityV1 {
            secret: "ab".into(),
            created_ms: 1000,
            require: true,
        });
        let customer = CustomerRecord::V1(CustomerV1 {
            site: "default".into(),
            user_id: "42".into(),
            avatar: Some("https://a/b".into()),
            first_verified_ms: 1000,
            last_verified_ms: 2000,
        });
        let want = |s: &SiteIdentityRecord| match s {
            SiteIdentityRecord::V1(_) => "00026162e80701",
        };
        assert_eq!(hex(&encode(&site)), want(&site));
        let back: SiteIdentityRecord = decode(&encode(&site), "golden").expect("decodes");
        assert_eq!(back, site);
        let want = |c: &CustomerRecord| match c {
            CustomerRecord::V1(_) => "000764656661756c74023432010b68747470733a2f2f612f62e807d00f",
        };
        assert_eq!(hex(&encode(&customer)), want(&customer));
        let back: CustomerRecord = decode(&encode(&customer), "golden").expect("decodes");
        assert_eq!(back, customer);
    }

    #[test]
    fn binding_adopts_an_anonymous_visitor_once_and_never_moves_a_customer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open");
        let metrics = std::sync::Arc::new(crate::metrics::Metrics::new());
        let (w, thread) = writer::spawn(
            store.db().clone(),
            store.outbox_gate().clone(),
            WriterConfig::default(),
            metrics,
        )
        .expect("writer");
        let call = |op| smol::block_on(w.call(op));
        // Visitor 5 is a stored anonymous visitor.
        call(WriteOp::UpsertVisitor {
            id: 5,
            token_digest: None,
            update: VisitorUpdate {
                seen_ms: Some(1),
                ..VisitorUpdate::default()
            },
        })
        .expect("visitor");
        let bind = |user: &str, adopt, fresh| {
            let details = CustomerDetails {
                name: Some("Fang".into()),
                attributes: Some(vec![("vip".into(), Some("gold".into()))]),
                ..CustomerDetails::default()
            };
            match call(WriteOp::Identity(IdentityOp::BindCustomer {
                site: "default".into(),
                user_id: user.into(),
                adopt,
                fresh,
                details,
                at_ms: 9,
            })) {
                Ok(Outcome::CustomerBound(v)) => v,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(
            bind("u1", Some(5), 100),
            5,
            "a new customer adopts the guest"
        );
        assert_eq!(
            bind("u1", Some(6), 101),
            5,
            "the same customer elsewhere: same visitor"
        );
        assert_eq!(
            bind("u2", Some(5), 102),
            102,
            "a bound visitor is never adopted twice"
        );
        assert_eq!(
            bind("u3", Some(7), 103),
            103,
            "an unstored visitor is not adopted"
        );
        assert_eq!(
            store.customer_visitor("default", "u1").expect("read"),
            Some(5)
        );
        assert_eq!(store.customer_visitor("other", "u1").expect("read"), None);
        let customer = store.customer_of(5).expect("read").expect("bound");
        assert_eq!(
            (customer.user_id.as_str(), customer.site.as_str()),
            ("u1", "default")
        );
        let record = store.visitor(5).expect("read").expect("stored");
        assert_eq!(record.name.as_deref(), Some("Fang"));
        assert_eq!(
            record.attributes,
            vec![("vip".to_string(), "gold".to_string())]
        );
        // A patch merges; null removes; the limit counts the result.
        let patch = |attributes: Vec<(&str, Option<&str>)>, max| {
            call(WriteOp::Identity(IdentityOp::PatchVisitor {
                visitor: 5,
                details: CustomerDetails {
                    attributes: Some(
                        attributes
                            .into_iter()
                            .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
                            .collect(),
                    ),
                    ..CustomerDetails::default()
                },
                max_attributes: max,
            }))
        };
        patch(vec![("orders", Some("12")), ("vip", None)], 30).expect("patch");
        let record = store.visitor(5).expect("read").expect("stored");
        assert_eq!(
            record.attributes,
            vec![("orders".to_string(), "12".to_string())]
        );
        assert!(matches!(
            patch(vec![("a", Some("1")), ("b", Some("2"))], 2),
            Err(StoreError::Conflict(_))
        ));
        let missing = call(WriteOp::Identity(IdentityOp::PatchVisitor {
            visitor: 999,
            details: CustomerDetails::default(),
            max_attributes: 30,
        }));
        assert!(matches!(missing, Err(StoreError::NotFound(_))));
        w.close();
        thread.join().expect("writer thread");
    }
}
