//! The attachments' bytes on disk: `DATA/files/ab/cdef…`, named by the SHA-256 of their
//! contents, so the same bytes are stored once. Blocking file I/O: callers run it on the
//! writer thread or a blocking pool, never on the executor.
//!
//! Invariants (with `super::apply_files`, which keeps the records):
//! 1. A file is complete and synced, and so is its directory entry, before any record
//!    naming it is committed ([`FileDir::store`]: temporary file, `fsync`, rename,
//!    `fsync` of the directories).
//! 2. Files are never changed once in place; only the writer thread removes one, after
//!    the commit that dropped its record, and never while a backup holds a [`Pin`].
//! 3. Files without a record (a crash between the two steps, an upload whose commit
//!    failed) are harmless and swept later ([`FileDir::stored`] lists them with their
//!    age).

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use super::faults::FaultSwitch;
use super::file_token::{format_digest, parse_digest};

/// Directory of the files inside the data directory.
pub const FILES_DIR: &str = "files";
/// Subdirectory of unfinished writes.
const TMP_DIR: &str = "tmp";

/// The files directory of one data directory.
#[derive(Debug)]
pub struct FileDir {
    /// `DATA/files`.
    root: PathBuf,
    /// Backups in progress: while any, nothing is removed.
    pins: AtomicUsize,
    /// Test hook: writes fail like a full disk while it is on.
    faults: Option<Arc<FaultSwitch>>,
}

/// Keeps files from being removed while it lives (a backup copying them).
#[derive(Debug)]
pub struct Pin {
    dir: Arc<FileDir>,
}

impl Drop for Pin {
    fn drop(&mut self) {
        self.dir.pins.fetch_sub(1, Ordering::SeqCst);
    }
}

impl FileDir {
    /// The files directory of the data directory holding `db_file`.
    pub fn beside(db_file: &Path, faults: Option<Arc<FaultSwitch>>) -> FileDir {
        let data_dir = db_file.parent().unwrap_or(Path::new("."));
        FileDir {
            root: data_dir.join(FILES_DIR),
            pins: AtomicUsize::new(0),
            faults,
        }
    }

    /// `DATA/files`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the file with `digest` lives.
    pub fn path_of(&self, digest: &[u8; 32]) -> PathBuf {
        let hex = format_digest(digest);
        self.root.join(&hex[..2]).join(&hex[2..])
    }

    /// True when the file is in place.
    pub fn contains(&self, digest: &[u8; 32]) -> bool {
        self.path_of(digest).is_file()
    }

    /// Puts `bytes` in place under `digest` (their SHA-256), durably: written to a
    /// temporary file, synced, renamed, and the directories synced. Nothing to do when
    /// the file is there already.
    pub fn store(&self, digest: &[u8; 32], bytes: &[u8]) -> io::Result<()> {
        let target = self.path_of(digest);
        if target.is_file() {
            return Ok(());
        }
        if let Some(switch) = &self.faults {
            switch.check()?;
        }
        let tmp_dir = self.root.join(TMP_DIR);
        fs::create_dir_all(&tmp_dir)?;
        let suffix = super::file_token::new()
            .map(|id| super::file_token::format(&id))
            .map_err(|e| io::Error::other(e.to_string()))?;
        let tmp = tmp_dir.join(format!("{}.{suffix}", format_digest(digest)));
        let written = write_synced(&tmp, bytes).and_then(|()| {
            let parent = target.parent().unwrap_or(&self.root);
            let new_dir = !parent.is_dir();
            fs::create_dir_all(parent)?;
            fs::rename(&tmp, &target)?;
            sync_dir(parent)?;
            if new_dir {
                sync_dir(&self.root)?;
            }
            Ok(())
        });
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        written
    }

    /// Removes the file with `digest` (gone already is fine).
    pub fn remove(&self, digest: &[u8; 32]) -> io::Result<()> {
        match fs::remove_file(self.path_of(digest)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Stops removals until the returned pin is dropped.
    pub fn pin(self: &Arc<Self>) -> Pin {
        self.pins.fetch_add(1, Ordering::SeqCst);
        Pin { dir: self.clone() }
    }

    /// True while a backup holds a pin.
    pub fn pinned(&self) -> bool {
        self.pins.load(Ordering::SeqCst) > 0
    }

    /// Every file in place with its modification time, and removes unfinished
    /// temporary files older than `stale`.
    pub fn stored(&self, stale: SystemTime) -> io::Result<Vec<([u8; 32], SystemTime)>> {
        let mut found = Vec::new();
        let entries = match fs::read_dir(&self.root) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(found),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let prefix = entry.file_name().to_string_lossy().into_owned();
            if prefix == TMP_DIR {
                for tmp in fs::read_dir(entry.path())? {
                    let tmp = tmp?;
                    if modified(&tmp.path()).is_some_and(|at| at < stale) {
                        let _ = fs::remove_file(tmp.path());
                    }
                }
                continue;
            }
            if prefix.len() != 2 || !entry.path().is_dir() {
                continue;
            }
            for file in fs::read_dir(entry.path())? {
                let file = file?;
                let name = format!("{prefix}{}", file.file_name().to_string_lossy());
                if let (Some(digest), Some(at)) = (parse_digest(&name), modified(&file.path())) {
                    found.push((digest, at));
                }
            }
        }
        Ok(found)
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Syncs a directory, so a rename into it survives a crash.
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_once_lists_and_removes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = FileDir::beside(&dir.path().join("deskbell.redb"), None);
        let digest = [0xab; 32];
        files.store(&digest, b"hello").expect("stored");
        files
            .store(&digest, b"ignored: the same digest")
            .expect("again");
        assert_eq!(fs::read(files.path_of(&digest)).expect("read"), b"hello");
        assert!(
            files
                .path_of(&digest)
                .starts_with(dir.path().join("files/ab"))
        );
        let listed = files.stored(SystemTime::UNIX_EPOCH).expect("listed");
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].0, digest);
        files.remove(&digest).expect("removed");
        files.remove(&digest).expect("removing twice is fine");
        assert!(!files.contains(&digest));
    }

    #[test]
    fn a_full_disk_leaves_nothing_behind() {
        let dir = tempfile::tempdir().expect("tempdir");
        let switch = FaultSwitch::new();
        let files = FileDir::beside(&dir.path().join("deskbell.redb"), Some(switch.clone()));
        switch.set_full(true);
        assert!(files.store(&[1; 32], b"x").is_err());
        switch.set_full(false);
        assert!(!files.contains(&[1; 32]));
        files.store(&[1; 32], b"x").expect("recovers");
        assert!(files.contains(&[1; 32]));
    }
}
