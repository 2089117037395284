//! Consistent copies of the database: a backup is a complete redb file written from one
//! read transaction (a snapshot: the writer keeps committing meanwhile), and a restore
//! puts such a file in place in a stopped data directory.
//!
//! Attachments travel inside the backup: the bytes of every file the snapshot names go
//! into the backup's own table [`FILE_BYTES`] (digest → bytes), so a backup stays one
//! file. While a backup runs, the writer removes no file (a [`super::files::Pin`]), so
//! every file the snapshot names is there to copy. A restore writes them back under
//! `files/` (synced) before the database that names them is put in place, then drops the
//! table from the restored database.

use std::path::{Path, PathBuf};

use redb::{
    Database, Key, MultimapTableDefinition, ReadTransaction, ReadableDatabase,
    ReadableMultimapTable, ReadableTable, TableDefinition, Value,
};

use super::file_records::{ATTACHMENTS, FILES, UPLOADS};
use super::key_records::{API_KEYS, AUDIT, KEY_BY_DIGEST};
use super::outbox_records::{OUTBOX, OUTBOX_JOBS, OUTBOX_LOG};
use super::tables::*;
use super::{DB_FILE, SCHEMA_VERSION, Store, StoreError};

/// Only in backups: SHA-256 → the bytes of that attachment file.
pub const FILE_BYTES: TableDefinition<&[u8], &[u8]> =
    TableDefinition::new("backup_digest_filebytes");

/// Copies every row of one table; `progress` gets the running row count.
fn copy_table<K: Key + 'static, V: Value + 'static>(
    src: &ReadTransaction,
    dst: &redb::WriteTransaction,
    definition: TableDefinition<K, V>,
    copied: &mut u64,
    progress: &mut dyn FnMut(u64),
) -> Result<(), StoreError> {
    let from = src.open_table(definition)?;
    let mut to = dst.open_table(definition)?;
    for row in from.iter()? {
        let (k, v) = row?;
        to.insert(k.value(), v.value())?;
        *copied += 1;
        if (*copied).is_multiple_of(10_000) {
            progress(*copied);
        }
    }
    Ok(())
}

fn copy_multimap<K: Key + 'static, V: Key + 'static>(
    src: &ReadTransaction,
    dst: &redb::WriteTransaction,
    definition: MultimapTableDefinition<K, V>,
    copied: &mut u64,
) -> Result<(), StoreError> {
    let from = src.open_multimap_table(definition)?;
    let mut to = dst.open_multimap_table(definition)?;
    for row in from.iter()? {
        let (k, values) = row?;
        for v in values {
            to.insert(k.value(), v?.value())?;
            *copied += 1;
        }
    }
    Ok(())
}

/// The identity tables (schema 6, `super::identity_records`).
fn copy_identity_tables(
    src: &ReadTransaction,
    dst: &redb::WriteTransaction,
    copied: &mut u64,
    progress: &mut dyn FnMut(u64),
) -> Result<(), StoreError> {
    use super::identity_records::{CUSTOMER_VISITOR, SITE_IDENTITY, VISITOR_CUSTOMER};
    copy_table(src, dst, SITE_IDENTITY, copied, progress)?;
    copy_table(src, dst, CUSTOMER_VISITOR, copied, progress)?;
    copy_table(src, dst, VISITOR_CUSTOMER, copied, progress)
}

/// The label tables (schema 7, `super::label_records`) and the ratings' (`super::ratings`).
fn copy_label_tables(
    src: &ReadTransaction,
    dst: &redb::WriteTransaction,
    copied: &mut u64,
    progress: &mut dyn FnMut(u64),
) -> Result<(), StoreError> {
    use super::label_records::{CONVERSATION_LABELS, LABEL_CONVERSATIONS, LABELS};
    copy_table(src, dst, LABELS, copied, progress)?;
    copy_multimap(src, dst, CONVERSATION_LABELS, copied)?;
    copy_multimap(src, dst, LABEL_CONVERSATIONS, copied)?;
    copy_table(src, dst, super::rating_records::RATINGS, copied, progress)
}

/// The full-text index (issue #15), so a restored directory needs no rebuild.
fn copy_search_tables(
    src: &ReadTransaction,
    dst: &redb::WriteTransaction,
    copied: &mut u64,
    progress: &mut dyn FnMut(u64),
) -> Result<(), StoreError> {
    copy_table(src, dst, SEARCH_POSTINGS, copied, progress)?;
    copy_table(src, dst, SEARCH_VISITOR_POSTINGS, copied, progress)?;
    copy_table(src, dst, SEARCH_TERMS, copied, progress)?;
    copy_table(src, dst, SEARCH_NEW, copied, progress)?;
    copy_table(src, dst, SEARCH_SEGMENTS, copied, progress)
}

impl Store {
    /// Writes a consistent copy of the whole database to `dest` (replacing it), reporting
    /// rows copied so far to `progress`. Returns the number of rows. Safe while the
    /// server runs: it reads one snapshot.
    pub fn backup_to(&self, dest: &Path, progress: &mut dyn FnMut(u64)) -> Result<u64, StoreError> {
        let partial = dest.with_extension("partial");
        let _ = std::fs::remove_file(&partial);
        // Before the snapshot: no file it names can be removed until the copy is done.
        let _pin = self.db().files().pin();
        let snapshot = self.db().begin_read()?;
        let copy = Database::builder().create(&partial)?;
        let tx = copy.begin_write()?;
        let mut copied = 0;
        copy_table(&snapshot, &tx, META, &mut copied, progress)?;
        copy_table(&snapshot, &tx, AGENTS, &mut copied, progress)?;
        copy_table(&snapshot, &tx, AGENT_BY_NAME, &mut copied, progress)?;
        copy_table(&snapshot, &tx, SESSIONS, &mut copied, progress)?;
        copy_table(&snapshot, &tx, VISITORS, &mut copied, progress)?;
        copy_table(&snapshot, &tx, VISITOR_BY_TOKEN, &mut copied, progress)?;
        copy_table(&snapshot, &tx, CONVERSATIONS, &mut copied, progress)?;
        copy_table(&snapshot, &tx, OPEN_BY_VISITOR, &mut copied, progress)?;
        copy_multimap(&snapshot, &tx, VISITOR_CONVERSATIONS, &mut copied)?;
        copy_table(&snapshot, &tx, MESSAGES, &mut copied, progress)?;
        copy_table(&snapshot, &tx, RECENT_MESSAGES, &mut copied, progress)?;
        copy_table(&snapshot, &tx, RECENT_MESSAGE_HEADS, &mut copied, progress)?;
        copy_table(&snapshot, &tx, READ_STATE, &mut copied, progress)?;
        copy_table(&snapshot, &tx, SETTINGS, &mut copied, progress)?;
        copy_table(&snapshot, &tx, CANNED, &mut copied, progress)?;
        copy_table(&snapshot, &tx, FAQ, &mut copied, progress)?;
        copy_table(&snapshot, &tx, WEBHOOKS, &mut copied, progress)?;
        copy_table(&snapshot, &tx, PUSH_SUBSCRIPTIONS, &mut copied, progress)?;
        copy_table(&snapshot, &tx, OUTBOX, &mut copied, progress)?;
        copy_table(&snapshot, &tx, OUTBOX_JOBS, &mut copied, progress)?;
        copy_table(&snapshot, &tx, OUTBOX_LOG, &mut copied, progress)?;
        copy_table(
            &snapshot,
            &tx,
            super::email_records::VISITOR_CONFIRMED,
            &mut copied,
            progress,
        )?;
        copy_table(
            &snapshot,
            &tx,
            super::email_records::ADDRESS_OPTOUT,
            &mut copied,
            progress,
        )?;
        copy_table(&snapshot, &tx, FILES, &mut copied, progress)?;
        copy_identity_tables(&snapshot, &tx, &mut copied, progress)?;
        copy_table(&snapshot, &tx, UPLOADS, &mut copied, progress)?;
        copy_table(&snapshot, &tx, ATTACHMENTS, &mut copied, progress)?;
        copy_table(&snapshot, &tx, API_KEYS, &mut copied, progress)?;
        copy_table(&snapshot, &tx, KEY_BY_DIGEST, &mut copied, progress)?;
        copy_table(&snapshot, &tx, AUDIT, &mut copied, progress)?;
        let erased = super::erase_records::ERASED_VISITORS;
        copy_table(&snapshot, &tx, erased, &mut copied, progress)?;
        copy_label_tables(&snapshot, &tx, &mut copied, progress)?;
        copy_search_tables(&snapshot, &tx, &mut copied, progress)?;
        self.copy_file_bytes(&snapshot, &tx)?;
        tx.commit()?;
        drop(copy);
        std::fs::rename(&partial, dest)?;
        progress(copied);
        Ok(copied)
    }
}

impl Store {
    /// Copies the bytes of every file `snapshot` names into the backup's [`FILE_BYTES`].
    fn copy_file_bytes(
        &self,
        snapshot: &ReadTransaction,
        tx: &redb::WriteTransaction,
    ) -> Result<(), StoreError> {
        let files = snapshot.open_table(FILES)?;
        let mut bytes = tx.open_table(FILE_BYTES)?;
        for row in files.iter()? {
            let (digest, _) = row?;
            let Ok(digest) = <[u8; 32]>::try_from(digest.value()) else {
                continue;
            };
            let contents = std::fs::read(self.db().files().path_of(&digest))?;
            bytes.insert(digest.as_slice(), contents.as_slice())?;
        }
        Ok(())
    }
}

/// Writes the attachment files a backup carries into `data_dir/files` (synced), then
/// drops them from the database file `db_file` (a copy of the backup) and compacts it.
fn unpack_files(db_file: &Path, data_dir: &Path) -> Result<(), StoreError> {
    let mut db = Database::builder().open(db_file)?;
    let files = super::files::FileDir::beside(&data_dir.join(DB_FILE), None);
    let tx = db.begin_write()?;
    {
        // A backup from before attachments has no such table: it is made empty here.
        let table = tx.open_table(FILE_BYTES)?;
        for row in table.iter()? {
            let (digest, bytes) = row?;
            if let Ok(digest) = <[u8; 32]>::try_from(digest.value()) {
                files.store(&digest, bytes.value())?;
            }
        }
    }
    tx.delete_table(FILE_BYTES)?;
    tx.commit()?;
    db.compact().map_err(|e| StoreError::Db(e.into()))?;
    Ok(())
}

/// Checks that `backup` is a deskbell database this build can open, then puts it in
/// place as `data_dir`'s database. An existing database is kept beside it as
/// `deskbell.redb.before-restore`. The data directory must not be in use.
pub fn restore(backup: &Path, data_dir: &Path) -> Result<PathBuf, StoreError> {
    {
        let db = Database::builder().open(backup).map_err(|e| {
            StoreError::Conflict(format!(
                "{} is not a deskbell backup: {e}",
                backup.display()
            ))
        })?;
        let tx = db.begin_read()?;
        let meta = tx.open_table(META).map_err(|_| {
            StoreError::Conflict(format!(
                "{} is not a deskbell backup (no meta table)",
                backup.display()
            ))
        })?;
        let version = meta
            .get("schema_version")?
            .and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
            .map(u64::from_le_bytes)
            .unwrap_or(0);
        if version == 0 || version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
    }
    std::fs::create_dir_all(data_dir)?;
    let target = data_dir.join(DB_FILE);
    if target.exists() {
        // Fails with a clear error if a server holds the directory.
        drop(Store::open(data_dir)?);
        std::fs::rename(&target, data_dir.join(format!("{DB_FILE}.before-restore")))?;
    }
    let incoming = data_dir.join(format!("{DB_FILE}.restoring"));
    std::fs::copy(backup, &incoming)?;
    // The files first: the database that names them comes after.
    unpack_files(&incoming, data_dir)?;
    std::fs::File::open(&incoming)?.sync_all()?;
    std::fs::rename(&incoming, &target)?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use redb::{MultimapTableHandle, ReadableDatabase, TableHandle};

    use super::*;

    /// The names of a database's tables and multimap tables.
    fn table_names(tx: &ReadTransaction) -> Vec<String> {
        let mut names: Vec<String> = tx
            .list_tables()
            .expect("tables")
            .map(|t| t.name().to_string())
            .chain(
                tx.list_multimap_tables()
                    .expect("multimap tables")
                    .map(|t| t.name().to_string()),
            )
            .collect();
        names.sort();
        names
    }

    /// Every table the store makes at start is in a backup (a table added later and
    /// forgotten here would be lost by a restore), plus the backup's own file bytes.
    #[test]
    fn a_backup_holds_every_table_of_the_store() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("opens");
        let dest = dir.path().join("backup.redb");
        store.backup_to(&dest, &mut |_| {}).expect("backs up");
        let source = table_names(&store.db().begin_read().expect("reads"));
        let copy = Database::builder().open(&dest).expect("opens the backup");
        let mut backup = table_names(&copy.begin_read().expect("reads"));
        backup.retain(|name| name != FILE_BYTES.name());
        assert!(source.len() >= 25, "{source:?}");
        assert_eq!(backup, source);
    }
}
