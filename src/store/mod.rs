//! Durable state in one redb file: agents, sessions, visitors, conversations, messages.
//! Reads go straight to the database; every write goes through the single [`writer`].
//! Nothing here knows about HTTP, WebSockets, the wire protocol or the bot: records hold
//! only the store's own types ([`values`]); `crate::stored` converts.
//!
//! File format invariants (`docs/STORAGE.md`): a record is an enum of versions, and its
//! bytes never change without a new variant; value enums only grow at the end (with a
//! schema bump); `golden.rs` pins the bytes of every variant, and the data-v1 and
//! data-v2 fixtures written by older builds must keep opening (`tests/it/old_data.rs`).

mod agent_records;
pub mod api_keys;
mod apply;
mod apply_conversations;
mod apply_files;
mod apply_visitors;
mod backup;
mod client_ids;
pub mod conversation_pages;
mod email_read;
pub mod email_records;
mod erase;
pub mod erase_records;
mod error;
mod export;
pub mod export_pages;
mod faq;
mod faq_records;
mod faults;
pub mod file_records;
pub mod file_token;
pub mod files;
mod files_read;
mod handle;
mod identity;
pub mod identity_records;
pub mod key_records;
pub mod label_records;
mod labels;
pub mod messages_read;
pub mod messages_recent;
mod numbered;
mod ops;
pub mod outbox;
mod outbox_read;
pub mod outbox_records;
mod push;
mod push_read;
pub mod push_records;
pub mod rating_records;
mod ratings;
mod read;
pub mod records;
pub mod report_scan;
mod responder;
pub mod responder_records;
pub mod search_docs;
mod search_groups;
pub mod search_index;
pub mod search_ops;
pub mod search_read;
pub mod search_recent;
pub mod search_recent_read;
mod search_recent_v9;
mod search_segment;
mod sessions;
mod settings_records;
mod tables;
pub mod values;
mod visitor_ids;
pub mod webhook_records;
pub mod webhooks;
pub mod writer;
mod writer_gather;
mod writer_merge;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use redb::ReadableTable;

pub use backup::restore;
pub use error::StoreError;
pub use export::{ExportFormat, csv_field, iso_time};
pub use faq::StoredFaq;
pub use faults::FaultSwitch;
pub use handle::Handle;
pub use ops::{Appended, Erased, NewAttachment, NewMessage, Outcome, VisitorUpdate, WriteOp};
pub use outbox::{OutboxGate, Settled};
pub use push_read::StoredSubscription;
pub use read::{OpenConversation, preview_of, preview_of_message};
pub use tables::SCHEMA_VERSION;
pub use visitor_ids::VisitorIds;
pub use writer::{Reply, WriterConfig, WriterHandle};

/// `meta` key of the server key (see [`Store::server_key`]); older binaries ignore it.
const SERVER_KEY: &str = "server_key";

/// Bytes of redb's page cache unless the caller says otherwise (`--cache-mb`). redb's
/// default, 1 GiB, grew a server to 254-279 MB in 20 s of load; 16 MB cost no measurable
/// throughput (docs/BENCHMARKS.md, issue #9).
pub const DEFAULT_CACHE_BYTES: usize = 16 * 1024 * 1024;

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "deskbell.redb";

/// The opened database.
#[derive(Clone)]
pub struct Store {
    /// The database, swapped by the writer when it reopens after a storage failure.
    db: Arc<Handle>,
    /// The database file.
    path: PathBuf,
    /// This data directory's secret for signing tokens (see [`Store::server_key`]).
    server_key: [u8; 32],
    /// Whether the writer records outbox events (switched by the outbox thread).
    outbox_gate: Arc<OutboxGate>,
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir`, checks and records the
    /// schema version, and creates every table.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        Self::open_with_faults(data_dir, None, DEFAULT_CACHE_BYTES)
    }

    /// [`Store::open`], with writes going through a test's [`FaultSwitch`] if given, and
    /// a page cache of `cache_bytes`.
    pub fn open_with_faults(
        data_dir: &Path,
        faults: Option<Arc<FaultSwitch>>,
        cache_bytes: usize,
    ) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join(DB_FILE);
        let db = Handle::open(&path, faults, cache_bytes)?;
        Self::around(db, path)
    }

    /// Test hook: a store whose database lives on `backend` (the power-loss test's
    /// simulated disk, `sim_disk.rs`); `data_dir` still holds the attachments.
    #[cfg(test)]
    pub(crate) fn open_with_backend(
        data_dir: &Path,
        backend: impl redb::StorageBackend,
    ) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join(DB_FILE);
        let db = Handle::open_over(&path, backend, DEFAULT_CACHE_BYTES)?;
        Self::around(db, path)
    }

    fn around(db: Handle, path: PathBuf) -> Result<Store, StoreError> {
        let db = Arc::new(db);
        let server_key = prepare_schema(&db)?;
        Ok(Store {
            db,
            path,
            server_key,
            outbox_gate: Arc::new(OutboxGate::default()),
        })
    }

    /// The database handle (shared with the writer thread).
    pub fn db(&self) -> &Arc<Handle> {
        &self.db
    }

    /// Why storage is failing right now (full or read-only data directory), or None.
    pub fn storage_failure(&self) -> Option<String> {
        self.db.failure()
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// 32 random bytes made when the data directory was first opened and kept in the
    /// `meta` table: the key for tokens the server signs instead of storing (a
    /// visitor token handed out before anything is written, a known-device cookie).
    /// It travels with backups; it is never logged or sent anywhere.
    pub fn server_key(&self) -> &[u8; 32] {
        &self.server_key
    }

    /// Whether the writer records outbox events; give it to `writer::spawn`.
    pub fn outbox_gate(&self) -> &Arc<OutboxGate> {
        &self.outbox_gate
    }
}

/// Checks and records the schema version, creates every table, and returns the server
/// key (made on first open).
fn prepare_schema(db: &Handle) -> Result<[u8; 32], StoreError> {
    let tx = db.begin_write()?;
    let server_key;
    {
        let mut meta = tx.open_table(tables::META)?;
        let found = meta.get("schema_version")?.map(|v| {
            let bytes: [u8; 8] = v.value().try_into().unwrap_or([0xff; 8]);
            u64::from_le_bytes(bytes)
        });
        let stored = meta
            .get(SERVER_KEY)?
            .and_then(|v| <[u8; 32]>::try_from(v.value()).ok());
        server_key = match stored {
            Some(key) => key,
            // Missing (a new or older directory) or not 32 bytes: make one.
            _ => {
                let mut key = [0u8; 32];
                getrandom::fill(&mut key)
                    .map_err(|e| StoreError::Io(std::io::Error::other(e.to_string())))?;
                meta.insert(SERVER_KEY, key.as_slice())?;
                key
            }
        };
        match found {
            Some(v) if v > SCHEMA_VERSION => {
                return Err(StoreError::NewerSchema {
                    found: v,
                    supported: SCHEMA_VERSION,
                });
            }
            Some(v) if v == SCHEMA_VERSION => {}
            Some(v) => {
                // 1 → 2 only adds the FAQ table (created below) and a conversation
                // status that version 1 never wrote; 2 → 3 only adds the outbox's and its
                // sinks' tables; 3 → 4 only marks records older builds cannot decode;
                // 4 → 5 only adds the attachments' tables; 5 → 6 only adds the
                // identity tables, the API keys' and the audit log's; 6 → 7 only adds
                // the label and rating tables (and audit actions and an outbox event 6
                // cannot decode): nothing to rewrite. 7 → 8 drops the client-id table
                // (`convclientid_seq`): the writer now finds client ids in the messages
                // themselves (`client_ids.rs`), which always carried them.
                if v < 8 {
                    tx.delete_table(tables::CLIENT_IDS)?;
                }
                // 8 → 9 only adds the messages' recent part (`messages_recent.rs`),
                // which a version 8 build would not read: hence the new number.
                // 9 → 10 merges the search index's old recent part into the main
                // postings and deletes it (`search_recent_v9.rs`); 8 had it too.
                if (8..10).contains(&v) {
                    search_recent_v9::merge_all(&tx)?;
                }

                tracing::info!(
                    from = v,
                    to = SCHEMA_VERSION,
                    "upgrading the data directory"
                );
                meta.insert("schema_version", SCHEMA_VERSION.to_le_bytes().as_slice())?;
            }
            None => {
                meta.insert("schema_version", SCHEMA_VERSION.to_le_bytes().as_slice())?;
            }
        }
    }
    tx.open_table(tables::AGENTS)?;
    tx.open_table(tables::AGENT_BY_NAME)?;
    tx.open_table(tables::SESSIONS)?;
    tx.open_table(tables::VISITORS)?;
    tx.open_table(tables::VISITOR_BY_TOKEN)?;
    tx.open_table(tables::CONVERSATIONS)?;
    tx.open_table(tables::OPEN_BY_VISITOR)?;
    tx.open_multimap_table(tables::VISITOR_CONVERSATIONS)?;
    tx.open_table(tables::MESSAGES)?;
    tx.open_table(tables::RECENT_MESSAGES)?;
    tx.open_table(tables::RECENT_MESSAGE_HEADS)?;
    tx.open_table(tables::READ_STATE)?;
    tx.open_table(tables::SETTINGS)?;
    tx.open_table(tables::CANNED)?;
    tx.open_table(tables::FAQ)?;
    push_records::prepare(&tx)?;
    outbox_records::create_tables(&tx)?;
    email_records::create_tables(&tx)?;
    tx.open_table(tables::WEBHOOKS)?;
    file_records::create_tables(&tx)?;
    identity_records::create_tables(&tx)?;
    key_records::create_tables(&tx)?;
    erase_records::create_tables(&tx)?;
    label_records::create_tables(&tx)?;
    rating_records::create_tables(&tx)?;
    search_index::create_tables(&tx)?;
    tx.commit()?;
    Ok(server_key)
}

#[cfg(test)]
mod golden;
#[cfg(test)]
mod golden_files;
#[cfg(test)]
mod golden_fixtures;
#[cfg(test)]
mod golden_keys;
#[cfg(test)]
mod golden_outbox;
#[cfg(test)]
mod messages_recent_tests;
#[cfg(test)]
mod power_loss_check;
#[cfg(test)]
mod power_loss_sweep;
#[cfg(test)]
mod power_loss_workload;
#[cfg(test)]
mod search_recent_tests;
#[cfg(test)]
mod search_tests;
#[cfg(test)]
mod sim_disk;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_erase;
#[cfg(test)]
mod tests_files;
#[cfg(test)]
mod tests_labels;
#[cfg(test)]
mod tests_pages;
#[cfg(test)]
mod tests_power_loss;
