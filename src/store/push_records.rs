//! Web Push in the store, its types: the server's VAPID key (`meta`), agents' push
//! subscriptions (`pushid_subscription`), the outbox target that names one subscription,
//! and the writer's ops on them ([`PushOp`], applied in `push.rs`; reads in
//! `push_read.rs`). What the key and the subscriptions are for is in `crate::push`; here
//! they are only bytes with rules.

use redb::{ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::StoreError;
use super::tables::{META, PUSH_SUBSCRIPTIONS};

/// `meta` key of the VAPID private key: a P-256 scalar, 32 bytes big-endian, made when
/// the data directory is first opened by a build that knows Web Push.
pub const VAPID_KEY: &str = "vapid_key";
/// `meta` key of the next subscription id (u64 little endian): ids are never reused, so
/// an outbox job for a removed subscription can never reach a newer one.
pub(super) const NEXT_SUBSCRIPTION: &str = "push_subscription_next";

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

/// Creates the subscriptions table and the VAPID key if missing (at open, before the
/// writer starts).
pub fn prepare(tx: &WriteTransaction) -> Result<(), StoreError> {
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
