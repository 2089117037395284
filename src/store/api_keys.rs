//! API keys and the audit log (since schema 6): reads of their tables (records in
//! `key_records.rs`), and how the writer applies [`KeyOp`] and appends audit entries
//! ([`super::WriteOp::Audited`]: in the same transaction as the action, so an action
//! is never without its entry, nor an entry without its action).

use redb::{ReadableTable, ReadableTableMetadata, WriteTransaction};

use super::key_records::*;
use super::ops::Outcome;
use super::records::{decode, encode};
use super::{Store, StoreError};

/// Most live keys there may be (the revocation scan of the digest index stays small).
pub const MAX_LIVE_KEYS: u64 = 100;

impl Store {
    /// Every key (live and revoked) by id.
    pub fn api_keys(&self) -> Result<Vec<(u64, ApiKeyV1)>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(API_KEYS)?;
        let mut out = Vec::new();
        for row in table.iter()? {
            let (id, value) = row?;
            let record: ApiKeyRecord = decode(value.value(), "api keys")?;
            out.push((id.value(), record.into_latest()));
        }
        Ok(out)
    }

    /// The live key whose text has this SHA-256, if any: one point lookup by the
    /// digest (no comparison of secrets that could leak timing), then its record.
    pub fn api_key_by_digest(
        &self,
        digest: &[u8; 32],
    ) -> Result<Option<(u64, ApiKeyV1)>, StoreError> {
        let tx = self.db().begin_read()?;
        let Some(id) = tx
            .open_table(KEY_BY_DIGEST)?
            .get(digest.as_slice())?
            .map(|v| v.value())
        else {
            return Ok(None);
        };
        let keys = tx.open_table(API_KEYS)?;
        let Some(value) = keys.get(id)? else {
            return Ok(None);
        };
        let key = decode::<ApiKeyRecord>(value.value(), "api keys")?.into_latest();
        Ok(key.revoked_ms.is_none().then_some((id, key)))
    }

    /// Up to `limit` audit entries with an id below `before` (0: from the newest),
    /// newest first.
    pub fn audit(&self, before: u64, limit: usize) -> Result<Vec<(u64, AuditV1)>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(AUDIT)?;
        let end = if before == 0 { u64::MAX } else { before };
        let mut out = Vec::new();
        for row in table.range(..end)?.rev().take(limit) {
            let (id, value) = row?;
            let record: AuditRecord = decode(value.value(), "audit")?;
            out.push((id.value(), record.into_latest()));
        }
        Ok(out)
    }
}

/// Applies a [`KeyOp`].
pub(super) fn apply(tx: &WriteTransaction, op: KeyOp) -> Result<Outcome, StoreError> {
    let mut keys = tx.open_table(API_KEYS)?;
    match op {
        KeyOp::Create { digest, record } => {
            let mut index = tx.open_table(KEY_BY_DIGEST)?;
            if index.get(digest.as_slice())?.is_some() {
                return Err(StoreError::Conflict("that key exists already".into()));
            }
            if index.len()? >= MAX_LIVE_KEYS {
                return Err(StoreError::Conflict(format!(
                    "there are {MAX_LIVE_KEYS} live API keys already; revoke one first"
                )));
            }
            let id = keys.last()?.map(|(k, _)| k.value()).unwrap_or(0) + 1;
            keys.insert(id, encode(&ApiKeyRecord::V1(record)).as_slice())?;
            index.insert(digest.as_slice(), id)?;
            Ok(Outcome::KeyCreated(id))
        }
        KeyOp::Revoke { id, at_ms } => {
            let mut key = match keys.get(id)? {
                Some(v) => decode::<ApiKeyRecord>(v.value(), "api keys")?.into_latest(),
                None => return Err(StoreError::NotFound("api key")),
            };
            if key.revoked_ms.is_some() {
                return Err(StoreError::NotFound("api key"));
            }
            key.revoked_ms = Some(at_ms);
            keys.insert(id, encode(&ApiKeyRecord::V1(key)).as_slice())?;
            let mut index = tx.open_table(KEY_BY_DIGEST)?;
            index.retain(|_, owner| owner != id)?;
            Ok(Outcome::Done)
        }
        KeyOp::Touch { id, at_ms } => {
            let mut key = match keys.get(id)? {
                Some(v) => decode::<ApiKeyRecord>(v.value(), "api keys")?.into_latest(),
                None => return Ok(Outcome::Done),
            };
            if key.revoked_ms.is_none() && key.last_used_ms.is_none_or(|t| t < at_ms) {
                key.last_used_ms = Some(at_ms);
                keys.insert(id, encode(&ApiKeyRecord::V1(key)).as_slice())?;
            }
            Ok(Outcome::Done)
        }
    }
}

/// Appends `entry` after its action succeeded with `outcome`; a `…Created` action
/// written with id 0 takes the id the outcome reports.
pub(super) fn append_audit(
    tx: &WriteTransaction,
    mut entry: AuditV1,
    outcome: &Outcome,
) -> Result<(), StoreError> {
    match (&mut entry.action, outcome) {
        (StoredAuditAction::KeyCreated { key }, Outcome::KeyCreated(id)) if *key == 0 => *key = *id,
        (StoredAuditAction::AgentCreated { agent }, Outcome::AgentCreated(id)) if *agent == 0 => {
            *agent = *id
        }
        (StoredAuditAction::WebhookCreated { webhook }, Outcome::WebhookSaved(id))
            if *webhook == 0 =>
        {
            *webhook = *id
        }
        (StoredAuditAction::CannedCreated { canned }, Outcome::CannedSaved(id)) if *canned == 0 => {
            *canned = *id
        }
        (StoredAuditAction::FaqCreated { faq }, Outcome::FaqSaved { id, .. }) if *faq == 0 => {
            *faq = *id
        }
        (
            StoredAuditAction::VisitorErased {
                conversations,
                messages,
                files,
                ..
            },
            Outcome::VisitorErased(erased),
        ) => {
            *conversations = erased.conversations;
            *messages = erased.messages;
            *files = erased.files;
        }
        (StoredAuditAction::LabelCreated { label }, Outcome::LabelSaved(id)) if *label == 0 => {
            *label = *id
        }
        _ => {}
    }
    let mut table = tx.open_table(AUDIT)?;
    let id = table.last()?.map(|(k, _)| k.value()).unwrap_or(0) + 1;
    table.insert(id, encode(&AuditRecord::V1(entry)).as_slice())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::WriteOp;
    use crate::store::writer::write_offline;

    fn key(name: &str) -> ApiKeyV1 {
        ApiKeyV1 {
            name: name.into(),
            scope: StoredKeyScope::Read,
            site: None,
            prefix: "dk_00000000".into(),
            created_ms: 1,
            created_by: StoredActor::Agent(1),
            last_used_ms: None,
            revoked_ms: None,
        }
    }

    fn audited(op: WriteOp, action: StoredAuditAction) -> WriteOp {
        WriteOp::Audited {
            op: Box::new(op),
            entry: AuditV1 {
                at_ms: 5,
                actor: StoredActor::Agent(1),
                action,
            },
        }
    }

    #[test]
    fn keys_are_found_by_digest_until_revoked_and_audited_in_the_same_commit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |op| write_offline(dir.path(), op);
        let create = |digest: u8| {
            audited(
                WriteOp::Keys(KeyOp::Create {
                    digest: [digest; 32],
                    record: key("crm"),
                }),
                StoredAuditAction::KeyCreated { key: 0 },
            )
        };
        assert!(matches!(write(create(1)), Ok(Outcome::KeyCreated(1))));
        assert!(matches!(write(create(2)), Ok(Outcome::KeyCreated(2))));
        // The same digest twice is refused, and its audit entry with it.
        assert!(matches!(write(create(2)), Err(StoreError::Conflict(_))));
        let touch = |at_ms| WriteOp::Keys(KeyOp::Touch { id: 1, at_ms });
        assert!(write(touch(50)).is_ok());
        assert!(write(touch(40)).is_ok(), "an older use never lowers it");
        let revoke = |id| {
            audited(
                WriteOp::Keys(KeyOp::Revoke { id, at_ms: 60 }),
                StoredAuditAction::KeyRevoked { key: id },
            )
        };
        assert!(write(revoke(1)).is_ok());
        assert!(matches!(write(revoke(1)), Err(StoreError::NotFound(_))));
        assert!(matches!(write(revoke(9)), Err(StoreError::NotFound(_))));

        let store = Store::open(dir.path()).expect("open");
        assert_eq!(store.api_key_by_digest(&[1; 32]).expect("read"), None);
        let (id, live) = store
            .api_key_by_digest(&[2; 32])
            .expect("read")
            .expect("live");
        assert_eq!((id, live.revoked_ms), (2, None));
        let keys = store.api_keys().expect("list");
        assert_eq!(keys[0].1.last_used_ms, Some(50));
        assert_eq!(keys[0].1.revoked_ms, Some(60));
        let actions: Vec<StoredAuditAction> = store
            .audit(0, 10)
            .expect("audit")
            .into_iter()
            .map(|(_, e)| e.action)
            .collect();
        assert_eq!(
            actions,
            [
                StoredAuditAction::KeyRevoked { key: 1 },
                StoredAuditAction::KeyCreated { key: 2 },
                StoredAuditAction::KeyCreated { key: 1 },
            ]
        );
        let older: Vec<u64> = store
            .audit(2, 10)
            .expect("audit")
            .iter()
            .map(|e| e.0)
            .collect();
        assert_eq!(older, [1]);
    }
}
