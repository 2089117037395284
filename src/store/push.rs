//! Applying the writer's push ops ([`PushOp`]) inside a write transaction: storing a
//! subscription (one per endpoint, a limit per agent, ids never reused) and removing one.

use redb::{ReadableTable, WriteTransaction};

use super::Outcome;
use super::StoreError;
use super::push_records::{NEXT_SUBSCRIPTION, PushOp, PushSubscriptionRecord};
use super::records::{decode, encode};
use super::tables::{META, PUSH_SUBSCRIPTIONS};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::WriteOp;
    use crate::store::push_records::PushSubscriptionV1;
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
