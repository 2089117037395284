//! Web Push in the store: the server's VAPID key (`meta`), agents' push subscriptions
//! (`pushid_subscription`), the outbox target that names one subscription, and the
//! writer's ops on them ([`PushOp`]). What the key and the subscriptions are for is in
//! `crate::push`; here they are only bytes with rules.

use redb::{ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::records::{decode, encode};
use super::tables::{META, PUSH_SUBSCRIPTIONS};
use super::{Outcome, Store, StoreError};

/// `meta` key of the VAPID private key: a P-256 scalar, 32 bytes big-endian, made when
/// the data directory is first opened by a build that knows Web Push.
pub const VAPID_KEY: &str = "vapid_key";
/// `meta` key of the next subscription id (u64 little endian): ids are never reused, so
/// an outbox job for a removed subscription can never reach a newer one.
const NEXT_SUBSCRIPTION: &str = "push_subscription_next";

/// One device of one agent that asked to be notified, as stored.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum PushSubscriptionRecord {
    /// Version 1.
    V1(PushSubscriptionV1),
}

/// Version 1 of a push subscription (the browser's `PushSubscription`).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct PushSubscriptionV1 {
    /// The agent notified on this device.
    pub agent: u64,
    /// The push service's URL for this device (RFC 8030 push resource).
    pub endpoint: String,
    /// The device's P-256 public key, uncompressed (65 bytes; `keys.p256dh`).
    pub p256dh: Vec<u8>,
    /// The device's authentication secret (16 bytes; `keys.auth`).
    pub auth: Vec<u8>,
    /// When it was stored, ms since the Unix epoch.
    pub created_ms: u64,
    /// A name for the device the agent recognises (from the browser), may be empty.
    pub label: String,
}

impl PushSubscriptionRecord {
    /// The current version's fields.
    pub fn latest(&self) -> &PushSubscriptionV1 {
        match self {
            PushSubscriptionRecord::V1(s) => s,
        }
    }
}

/// Where one outbox job of the push sink goes, as stored in the outbox job.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushTargetRecord {
    /// Version 1.
    V1 {
        /// The subscription's id.
        subscription: u64,
    },
}

/// A change to push subscriptions, applied by the writer.
#[derive(Debug)]
pub enum PushOp {
    /// Store a subscription. The same endpoint stored before (by anyone: a device has
    /// one owner, whoever subscribed last) is replaced and keeps its id. Refused with
    /// `Conflict` when the agent has `limit` other subscriptions already.
    Subscribe {
        /// The subscription.
        record: PushSubscriptionV1,
        /// Most subscriptions per agent.
        limit: usize,
    },
    /// Remove a subscription; `NotFound` if it does not exist or belongs to another
    /// agent than `agent` (None: whoever's, for a push service's 404/410).
    Unsubscribe {
        /// Its id.
        id: u64,
        /// Only if it is this agent's.
        agent: Option<u64>,
    },
}

/// A stored subscription with its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSubscription {
    /// Its id, never reused.
    pub id: u64,
    /// Its fields.
    pub record: PushSubscriptionV1,
}

/// Creates the subscriptions table and the VAPID key if missing (at open, before the
/// writer starts).
pub(super) fn prepare(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(PUSH_SUBSCRIPTIONS)?;
    let mut meta = tx.open_table(META)?;
    let valid = meta
        .get(VAPID_KEY)?
        .is_some_and(|v| p256::SecretKey::from_slice(v.value()).is_ok());
    if !valid {
        meta.insert(VAPID_KEY, new_vapid_key()?.as_slice())?;
    }
    Ok(())
}

/// A new random P-256 private key (a random 32-byte string is a valid scalar but for
/// a chance of about 2^-32; such a draw is repeated).
fn new_vapid_key() -> Result<[u8; 32], StoreError> {
    loop {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)
            .map_err(|e| StoreError::Io(std::io::Error::other(e.to_string())))?;
        if p256::SecretKey::from_slice(&key).is_ok() {
            return Ok(key);
        }
    }
}

/// Applies one [`PushOp`] inside `tx`.
pub(super) fn apply(tx: &WriteTransaction, op: PushOp) -> Result<Outcome, StoreError> {
    let mut table = tx.open_table(PUSH_SUBSCRIPTIONS)?;
    match op {
        PushOp::Subscribe { record, limit } => {
            let mut same_endpoint = None;
            let mut owned = 0;
            for row in table.iter()? {
                let (id, value) = row?;
                let stored: PushSubscriptionRecord = decode(value.value(), "push subscriptions")?;
                if stored.latest().endpoint == record.endpoint {
                    same_endpoint = Some(id.value());
                } else if stored.latest().agent == record.agent {
                    owned += 1;
                }
            }
            if owned >= limit {
                return Err(StoreError::Conflict(format!(
                    "at most {limit} devices per agent; stop notifying one first"
                )));
            }
            let id = match same_endpoint {
                Some(id) => id,
                None => next_id(tx)?,
            };
            let bytes = encode(&PushSubscriptionRecord::V1(record));
            table.insert(id, bytes.as_slice())?;
            Ok(Outcome::PushSubscribed(id))
        }
        PushOp::Unsubscribe { id, agent } => {
            let owner = match table.get(id)? {
                Some(v) => {
                    decode::<PushSubscriptionRecord>(v.value(), "push subscriptions")?
                        .latest()
                        .agent
                }
                None => return Err(StoreError::NotFound("push subscription")),
            };
            if agent.is_some_and(|a| a != owner) {
                return Err(StoreError::NotFound("push subscription"));
            }
            table.remove(id)?;
            Ok(Outcome::Done)
        }
    }
}

/// Takes the next subscription id from `meta`.
fn next_id(tx: &WriteTransaction) -> Result<u64, StoreError> {
    let mut meta = tx.open_table(META)?;
    let id = meta
        .get(NEXT_SUBSCRIPTION)?
        .and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
        .map_or(1, u64::from_le_bytes);
    meta.insert(NEXT_SUBSCRIPTION, (id + 1).to_le_bytes().as_slice())?;
    Ok(id)
}

impl Store {
    /// The VAPID private key (made at open; see [`VAPID_KEY`]).
    pub fn vapid_key(&self) -> Result<[u8; 32], StoreError> {
        let tx = self.db().begin_read()?;
        let meta = tx.open_table(META)?;
        meta.get(VAPID_KEY)?
            .and_then(|v| <[u8; 32]>::try_from(v.value()).ok())
            .ok_or_else(|| StoreError::Corrupt("meta: no VAPID key".into()))
    }

    /// Every push subscription, by id; only `agent`'s when given.
    pub fn push_subscriptions(
        &self,
        agent: Option<u64>,
    ) -> Result<Vec<StoredSubscription>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(PUSH_SUBSCRIPTIONS)?;
        let mut out = Vec::new();
        for row in table.iter()? {
            let (id, value) = row?;
            let PushSubscriptionRecord::V1(record) = decode(value.value(), "push subscriptions")?;
            if agent.is_none_or(|a| a == record.agent) {
                out.push(StoredSubscription {
                    id: id.value(),
                    record,
                });
            }
        }
        Ok(out)
    }

    /// One push subscription, if it exists.
    pub fn push_subscription(&self, id: u64) -> Result<Option<PushSubscriptionV1>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(PUSH_SUBSCRIPTIONS)?;
        let found = table.get(id)?;
        found
            .map(|v| {
                let PushSubscriptionRecord::V1(record) = decode(v.value(), "push subscriptions")?;
                Ok(record)
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::WriteOp;
    use crate::store::writer::{self, WriterConfig};

    fn device(agent: u64, endpoint: &str) -> PushSubscriptionV1 {
        PushSubscriptionV1 {
            agent,
            endpoint: endpoint.into(),
            p256dh: vec![4; 65],
            auth: vec![1; 16],
            created_ms: 1,
            label: String::new(),
        }
    }

    #[test]
    fn subscriptions_keep_their_ids_move_between_agents_and_respect_the_limit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open");
        let key = store.vapid_key().expect("a key at first open");
        assert!(p256::SecretKey::from_slice(&key).is_ok());
        let metrics = std::sync::Arc::new(crate::metrics::Metrics::new());
        let (w, thread) = writer::spawn(
            store.db().clone(),
            store.outbox_gate().clone(),
            WriterConfig::default(),
            metrics,
        )
        .expect("writer");
        let call = |op| smol::block_on(w.call(WriteOp::Push(op)));
        let subscribe = |agent, endpoint: &str| {
            call(PushOp::Subscribe {
                record: device(agent, endpoint),
                limit: 2,
            })
        };
        let id = |r: Result<Outcome, StoreError>| match r {
            Ok(Outcome::PushSubscribed(id)) => id,
            other => panic!("{other:?}"),
        };
        assert_eq!(id(subscribe(1, "https://p/a")), 1);
        assert_eq!(id(subscribe(1, "https://p/b")), 2);
        assert!(matches!(
            subscribe(1, "https://p/c"),
            Err(StoreError::Conflict(_))
        ));
        // The same device again: replaced, same id, within the limit.
        assert_eq!(id(subscribe(1, "https://p/a")), 1);
        // Another agent logs in on device b: it moves to them.
        assert_eq!(id(subscribe(2, "https://p/b")), 2);
        assert_eq!(store.push_subscriptions(Some(1)).expect("list").len(), 1);
        assert_eq!(store.push_subscriptions(None).expect("list").len(), 2);
        // Only the owner (or the sink, None) removes; ids are never reused.
        assert!(matches!(
            call(PushOp::Unsubscribe {
                id: 2,
                agent: Some(1)
            }),
            Err(StoreError::NotFound(_))
        ));
        assert!(call(PushOp::Unsubscribe { id: 2, agent: None }).is_ok());
        assert_eq!(id(subscribe(1, "https://p/d")), 3);
        assert!(store.push_subscription(2).expect("read").is_none());
        w.close();
        thread.join().expect("writer stops");
        drop(store);
        // The key survives a reopen.
        let again = Store::open(dir.path()).expect("reopen");
        assert_eq!(again.vapid_key().expect("key"), key);
    }
}
