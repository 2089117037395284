//! Consistent copies of the database: a backup is a complete redb file written from one
//! read transaction (a snapshot: the writer keeps committing meanwhile), and a restore
//! puts such a file in place in a stopped data directory.

use std::path::{Path, PathBuf};

use redb::{
    Database, Key, MultimapTableDefinition, ReadTransaction, ReadableDatabase,
    ReadableMultimapTable, ReadableTable, TableDefinition, Value,
};

use super::tables::*;
use super::{DB_FILE, SCHEMA_VERSION, Store, StoreError};

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

impl Store {
    /// Writes a consistent copy of the whole database to `dest` (replacing it), reporting
    /// rows copied so far to `progress`. Returns the number of rows. Safe while the
    /// server runs: it reads one snapshot.
    pub fn backup_to(&self, dest: &Path, progress: &mut dyn FnMut(u64)) -> Result<u64, StoreError> {
        let partial = dest.with_extension("partial");
        let _ = std::fs::remove_file(&partial);
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
        copy_table(&snapshot, &tx, CLIENT_IDS, &mut copied, progress)?;
        copy_table(&snapshot, &tx, READ_STATE, &mut copied, progress)?;
        copy_table(&snapshot, &tx, SETTINGS, &mut copied, progress)?;
        copy_table(&snapshot, &tx, CANNED, &mut copied, progress)?;
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
        tx.commit()?;
        drop(copy);
        std::fs::rename(&partial, dest)?;
        progress(copied);
        Ok(copied)
    }
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
    std::fs::File::open(&incoming)?.sync_all()?;
    std::fs::rename(&incoming, &target)?;
    Ok(target)
}
