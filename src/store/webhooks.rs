//! Webhook endpoints (since schema 3): reads of the `webhookid_webhook` table (records
//! in `webhook_records.rs`), and how the writer applies [`super::WriteOp::CreateWebhook`],
//! [`super::WriteOp::UpdateWebhook`] and [`super::WriteOp::DeleteWebhook`]. The secret
//! is stored as it is (deliveries need it to sign); it is never logged.

use redb::{ReadableTable, ReadableTableMetadata, WriteTransaction};

use super::ops::Outcome;
use super::records::{decode, encode};
use super::tables::{LAST_WEBHOOK_ID, META, WEBHOOKS};
pub use super::webhook_records::{WebhookChange, WebhookRecord, WebhookV1};
use super::{Store, StoreError};

impl Store {
    /// Every webhook endpoint by id.
    pub fn webhooks(&self) -> Result<Vec<(u64, WebhookV1)>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(WEBHOOKS)?;
        let mut out = Vec::new();
        for row in table.iter()? {
            let (id, value) = row?;
            let record: WebhookRecord = decode(value.value(), "webhooks")?;
            out.push((id.value(), record.into_latest()));
        }
        Ok(out)
    }

    /// One webhook endpoint, if it exists.
    pub fn webhook(&self, id: u64) -> Result<Option<WebhookV1>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(WEBHOOKS)?;
        let found = table.get(id)?;
        found
            .map(|v| decode::<WebhookRecord>(v.value(), "webhooks").map(WebhookRecord::into_latest))
            .transpose()
    }
}

/// Stores a new endpoint under a new id, unless `max` exist already. Ids are never
/// reused (a high-water mark in `meta`): a delivery planned for a deleted endpoint must
/// not reach a later one.
pub(super) fn create(
    tx: &WriteTransaction,
    record: WebhookV1,
    max: usize,
) -> Result<Outcome, StoreError> {
    let mut table = tx.open_table(WEBHOOKS)?;
    if table.len()? >= max as u64 {
        return Err(StoreError::Conflict(format!(
            "there are {max} webhook endpoints already; delete one first"
        )));
    }
    let mut meta = tx.open_table(META)?;
    let mark = meta
        .get(LAST_WEBHOOK_ID)?
        .and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
        .map_or(0, u64::from_le_bytes);
    let id = table.last()?.map(|(k, _)| k.value()).unwrap_or(0).max(mark) + 1;
    meta.insert(LAST_WEBHOOK_ID, id.to_le_bytes().as_slice())?;
    table.insert(id, encode(&WebhookRecord::V1(record)).as_slice())?;
    Ok(Outcome::WebhookSaved(id))
}

/// Applies a [`WebhookChange`]; reports whether it disabled the endpoint just now.
pub(super) fn update(
    tx: &WriteTransaction,
    id: u64,
    change: WebhookChange,
) -> Result<Outcome, StoreError> {
    let mut table = tx.open_table(WEBHOOKS)?;
    let mut record = match table.get(id)? {
        Some(v) => decode::<WebhookRecord>(v.value(), "webhooks")?.into_latest(),
        None => return Err(StoreError::NotFound("webhook endpoint")),
    };
    let was_disabled = record.disabled;
    match change {
        WebhookChange::Delivered => record.failing_since_ms = None,
        WebhookChange::Failed {
            at_ms,
            disable_after_ms,
            reason,
        } => {
            let since = *record.failing_since_ms.get_or_insert(at_ms);
            if at_ms.saturating_sub(since) >= disable_after_ms && !record.disabled {
                record.disabled = true;
                record.disabled_reason = Some(reason);
            }
        }
        WebhookChange::Disable { reason } => {
            record.disabled = true;
            record.disabled_reason = Some(reason);
        }
        WebhookChange::Enable => {
            record.disabled = false;
            record.disabled_reason = None;
            record.failing_since_ms = None;
        }
    }
    table.insert(id, encode(&WebhookRecord::V1(record.clone())).as_slice())?;
    Ok(Outcome::WebhookChanged {
        disabled_now: record.disabled && !was_disabled,
    })
}

/// Deletes an endpoint; `NotFound` if there is none.
pub(super) fn delete(tx: &WriteTransaction, id: u64) -> Result<Outcome, StoreError> {
    if tx.open_table(WEBHOOKS)?.remove(id)?.is_none() {
        return Err(StoreError::NotFound("webhook endpoint"));
    }
    Ok(Outcome::Done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::WriteOp;
    use crate::store::writer::write_offline;

    fn endpoint(url: &str) -> WebhookV1 {
        WebhookV1 {
            url: url.into(),
            events: vec!["message.visitor".into()],
            description: String::new(),
            secret: vec![7; 32],
            created_ms: 1,
            disabled: false,
            failing_since_ms: None,
            disabled_reason: None,
        }
    }

    #[test]
    fn endpoints_are_bounded_merged_and_deleted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let create = |url: &str| {
            write_offline(
                dir.path(),
                WriteOp::CreateWebhook {
                    record: endpoint(url),
                    max: 2,
                },
            )
        };
        assert!(matches!(
            create("https://a.example/"),
            Ok(Outcome::WebhookSaved(1))
        ));
        assert!(matches!(
            create("https://b.example/"),
            Ok(Outcome::WebhookSaved(2))
        ));
        assert!(matches!(
            create("https://c.example/"),
            Err(StoreError::Conflict(_))
        ));
        let change = |change| write_offline(dir.path(), WriteOp::UpdateWebhook { id: 1, change });
        let failed = |at_ms| WebhookChange::Failed {
            at_ms,
            disable_after_ms: 100,
            reason: "down".into(),
        };
        assert!(matches!(
            change(failed(10)),
            Ok(Outcome::WebhookChanged {
                disabled_now: false
            })
        ));
        // A later failure keeps the start of the run; 100 ms after it, it is disabled.
        assert!(matches!(
            change(failed(50)),
            Ok(Outcome::WebhookChanged {
                disabled_now: false
            })
        ));
        assert!(matches!(
            change(failed(110)),
            Ok(Outcome::WebhookChanged { disabled_now: true })
        ));
        let store = Store::open(dir.path()).expect("open");
        let stored = store.webhook(1).expect("read").expect("exists");
        assert_eq!(stored.failing_since_ms, Some(10));
        assert_eq!(stored.disabled_reason.as_deref(), Some("down"));
        drop(store);
        assert!(matches!(
            change(WebhookChange::Enable),
            Ok(Outcome::WebhookChanged {
                disabled_now: false
            })
        ));
        let store = Store::open(dir.path()).expect("open");
        assert_eq!(
            store.webhook(1).expect("read"),
            Some(endpoint("https://a.example/"))
        );
        drop(store);
        assert!(write_offline(dir.path(), WriteOp::DeleteWebhook { id: 1 }).is_ok());
        assert!(matches!(
            write_offline(dir.path(), WriteOp::DeleteWebhook { id: 1 }),
            Err(StoreError::NotFound(_))
        ));
        let store = Store::open(dir.path()).expect("open");
        let left: Vec<u64> = store
            .webhooks()
            .expect("list")
            .iter()
            .map(|w| w.0)
            .collect();
        assert_eq!(left, [2]);
        let shown = format!("{:?}", store.webhook(2).expect("read"));
        assert!(
            shown.contains("<32 bytes>") && !shown.contains("7, 7"),
            "{shown}"
        );
        drop(store);
        // Deleting the newest and creating again never hands out its id twice.
        assert!(write_offline(dir.path(), WriteOp::DeleteWebhook { id: 2 }).is_ok());
        assert!(matches!(
            create("https://d.example/"),
            Ok(Outcome::WebhookSaved(3))
        ));
    }
}
