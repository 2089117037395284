//! Reading the push side of the store: the VAPID key and agents' subscriptions.

use redb::ReadableTable;

use super::push_records::{PushSubscriptionRecord, PushSubscriptionV1, VAPID_KEY};
use super::records::decode;
use super::tables::{META, PUSH_SUBSCRIPTIONS};
use super::{Store, StoreError};

/// A stored subscription with its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSubscription {
    /// Its id, never reused.
    pub id: u64,
    /// Its fields.
    pub record: PushSubscriptionV1,
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
