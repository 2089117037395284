//! The database handle that every [`super::Store`] clone and the writer share, and
//! whether storage works right now.
//!
//! After an I/O error redb refuses every later transaction (`PreviousIo`) until the
//! `Database` is dropped and the file opened again. So on such a failure the writer
//! closes the handle ([`Handle::close_after_failure`]) and reopens it with backoff
//! ([`Handle::reopen`]); in between, every transaction fails at once with
//! [`StoreError::Unavailable`] and the reason is what `/healthz` shows.
//!
//! Opening alone proves little: on a full disk redb opens fine (it only rewrites blocks
//! the file already has) and the next commit fails again. So a reopen first writes and
//! syncs [`PROBE_BYTES`] to a scratch file ([`PROBE_FILE`]) beside the database.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use redb::{Database, ReadTransaction, ReadableDatabase, WriteTransaction};

use super::StoreError;
use super::faults::{FaultSwitch, FaultyBackend};
use super::files::FileDir;

/// Scratch file written (then removed) to check that storage works again.
pub const PROBE_FILE: &str = "storage-check.tmp";

/// Free space a reopen insists on: enough for many commits.
pub const PROBE_BYTES: usize = 1 << 20;

/// The swappable database.
pub struct Handle {
    /// The database file.
    path: PathBuf,
    /// Test hook: inject write failures (None in production).
    faults: Option<Arc<FaultSwitch>>,
    /// Bytes of redb's page cache, for every (re)open.
    cache_bytes: usize,
    /// The open database and, while storage is failing, why.
    state: RwLock<State>,
    /// The attachments' files beside the database (`super::files`).
    files: Arc<FileDir>,
}

#[derive(Default)]
struct State {
    /// None between a failure and a successful reopen.
    db: Option<Database>,
    /// Set from a failure until a successful reopen.
    failure: Option<String>,
}

impl Handle {
    /// Opens (creating if needed) the database file at `path`.
    pub(super) fn open(
        path: &Path,
        faults: Option<Arc<FaultSwitch>>,
        cache_bytes: usize,
    ) -> Result<Handle, StoreError> {
        let db = open_database(path, faults.as_ref(), cache_bytes, true)?;
        Ok(Handle::around(db, path, faults, cache_bytes))
    }

    /// Test hook: a handle on a database kept by `backend` (the power-loss test's
    /// simulated disk) instead of the file at `path`, whose directory still holds the
    /// attachments. Reopening after a storage failure opens the file, so do not rely on it.
    #[cfg(test)]
    pub(super) fn open_over(
        path: &Path,
        backend: impl redb::StorageBackend,
        cache_bytes: usize,
    ) -> Result<Handle, StoreError> {
        let mut builder = Database::builder();
        builder.set_cache_size(cache_bytes);
        let db = builder.create_with_backend(backend)?;
        Ok(Handle::around(db, path, None, cache_bytes))
    }

    fn around(
        db: Database,
        path: &Path,
        faults: Option<Arc<FaultSwitch>>,
        cache_bytes: usize,
    ) -> Handle {
        Handle {
            files: Arc::new(FileDir::beside(path, faults.clone())),
            path: path.to_path_buf(),
            faults,
            cache_bytes,
            state: RwLock::new(State {
                db: Some(db),
                failure: None,
            }),
        }
    }

    /// Begins a read transaction on the current database.
    pub fn begin_read(&self) -> Result<ReadTransaction, StoreError> {
        let state = self.read_state();
        match &state.db {
            Some(db) => Ok(db.begin_read()?),
            None => Err(unavailable(&state)),
        }
    }

    /// Begins a write transaction on the current database (the writer's, and start-up's).
    pub fn begin_write(&self) -> Result<WriteTransaction, StoreError> {
        let state = self.read_state();
        match &state.db {
            Some(db) => Ok(db.begin_write()?),
            None => Err(unavailable(&state)),
        }
    }

    /// The attachments' files directory of this data directory.
    pub fn files(&self) -> &Arc<FileDir> {
        &self.files
    }

    /// Why storage is failing, or None while it works.
    pub fn failure(&self) -> Option<String> {
        self.read_state().failure.clone()
    }

    /// Records a storage failure and closes the database, releasing the file for
    /// [`Handle::reopen`]. Transactions already begun fail on their own.
    pub(super) fn close_after_failure(&self, reason: String) {
        let closed = {
            let mut state = self.write_state();
            state.failure = Some(reason);
            state.db.take()
        };
        // Dropped outside the lock: closing may touch the file.
        drop(closed);
    }

    /// Checks that the data directory takes writes again, then opens the database file
    /// again (redb repairs it if the failure interrupted a commit). On success storage
    /// works again; on failure the error says why.
    pub(super) fn reopen(&self) -> Result<(), StoreError> {
        probe_space(&self.path, self.faults.as_ref())?;
        let db = open_database(&self.path, self.faults.as_ref(), self.cache_bytes, false)?;
        let mut state = self.write_state();
        state.db = Some(db);
        state.failure = None;
        Ok(())
    }

    fn read_state(&self) -> RwLockReadGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind: keep going.
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write_state(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }
}

fn unavailable(state: &State) -> StoreError {
    StoreError::Unavailable(
        state
            .failure
            .clone()
            .unwrap_or_else(|| "the database is closed".into()),
    )
}

/// Writes, syncs and removes [`PROBE_BYTES`] of incompressible data beside `db_file`.
fn probe_space(db_file: &Path, faults: Option<&Arc<FaultSwitch>>) -> std::io::Result<()> {
    if let Some(switch) = faults {
        switch.check()?;
    }
    let path = db_file.with_file_name(PROBE_FILE);
    let written = write_probe(&path);
    let removed = std::fs::remove_file(&path);
    written.and(removed)
}

fn write_probe(path: &Path) -> std::io::Result<()> {
    let mut file = std::fs::File::create(path)?;
    let mut chunk = vec![0u8; 64 * 1024];
    // xorshift: compressing or deduplicating file systems must still find room for it.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..PROBE_BYTES / chunk.len() {
        for word in chunk.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            word.copy_from_slice(&x.to_le_bytes());
        }
        file.write_all(&chunk)?;
    }
    file.sync_all()
}

/// Opens the file with redb, through the fault-injecting backend when a switch is given,
/// with a page cache of `cache_bytes` (redb's default, 1 GiB, is a Raspberry Pi's whole
/// memory: the cache grows towards it under load and is never given back). `create` makes a missing file (first start); a reopen never does, so a database that
/// vanished is an error rather than a silently empty one.
/// Creates an empty database at `path` so that a power cut at any moment leaves either
/// no file or a whole one: redb writes its header's magic number last, and a file cut
/// before that is refused at every later start. So the file is made under another
/// name (a leftover from a cut is replaced), synced, renamed into place, and the
/// directory synced.
fn create_whole(path: &Path) -> Result<(), redb::DatabaseError> {
    let fresh = path.with_extension("redb.creating");
    let _ = std::fs::remove_file(&fresh);
    drop(Database::builder().create(&fresh)?);
    File::open(&fresh)?.sync_all()?;
    std::fs::rename(&fresh, path)?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()?;
    Ok(())
}

fn open_database(
    path: &Path,
    faults: Option<&Arc<FaultSwitch>>,
    cache_bytes: usize,
    create: bool,
) -> Result<Database, StoreError> {
    let mut builder = Database::builder();
    builder.set_cache_size(cache_bytes);
    let opened = match faults {
        None if create && !path.exists() => create_whole(path).and_then(|()| builder.open(path)),
        None if create => builder.create(path),
        None => builder.open(path),
        Some(switch) => OpenOptions::new()
            .read(true)
            .write(true)
            .create(create)
            .truncate(false)
            .open(path)
            .map_err(redb::DatabaseError::from)
            .and_then(|file| FaultyBackend::new(file, switch.clone()))
            .and_then(|backend| builder.create_with_backend(backend)),
    };
    opened.map_err(|e| match e {
        redb::DatabaseError::DatabaseAlreadyOpen => StoreError::Conflict(format!(
            "{} is in use by another deskbell process",
            path.display()
        )),
        other => other.into(),
    })
}
