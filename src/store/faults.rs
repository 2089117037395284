//! Test hook: a redb storage backend over the real file that fails writes as a full
//! disk does (`StorageFull`, ENOSPC) while a switch is on; the space check before a
//! reopen obeys the switch too. Only used when `Config::storage_faults` is set, which
//! nothing but tests does.

use std::fs::File;
use std::io;
use std::ops::Bound;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use redb::{BackendError, StorageBackend, backends::FileBackend};

/// Turns injected write failures on and off; shared between a test and its server.
#[derive(Debug, Default)]
pub struct FaultSwitch {
    /// While true, writes, syncs and resizes fail with "no space left on device".
    full: AtomicBool,
    /// How many operations failed because of the switch.
    injected: AtomicU64,
}

impl FaultSwitch {
    /// A switch that starts off (nothing fails).
    pub fn new() -> Arc<FaultSwitch> {
        Arc::new(FaultSwitch::default())
    }

    /// Makes the disk look full (`true`) or fine again (`false`).
    pub fn set_full(&self, full: bool) {
        self.full.store(full, Ordering::SeqCst);
    }

    /// Operations failed so far because of the switch.
    pub fn injected(&self) -> u64 {
        self.injected.load(Ordering::SeqCst)
    }

    /// Fails as a full disk would while the switch is on.
    pub(super) fn check(&self) -> io::Result<()> {
        if self.full.load(Ordering::SeqCst) {
            self.injected.fetch_add(1, Ordering::SeqCst);
            return Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "no space left on device (injected by the test fault switch)",
            ));
        }
        Ok(())
    }
}

/// The file backend with writes gated by a [`FaultSwitch`]; reads and locks pass through.
#[derive(Debug)]
pub(super) struct FaultyBackend {
    inner: FileBackend,
    switch: Arc<FaultSwitch>,
}

impl FaultyBackend {
    /// Wraps an opened database file.
    pub(super) fn new(file: File, switch: Arc<FaultSwitch>) -> Result<Self, redb::DatabaseError> {
        Ok(FaultyBackend {
            inner: FileBackend::new(file)?,
            switch,
        })
    }
}

impl StorageBackend for FaultyBackend {
    fn len(&self) -> io::Result<u64> {
        self.inner.len()
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> io::Result<()> {
        self.inner.read(offset, out)
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        self.switch.check()?;
        self.inner.set_len(len)
    }

    fn sync_data(&self) -> io::Result<()> {
        self.switch.check()?;
        self.inner.sync_data()
    }

    fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        self.switch.check()?;
        self.inner.write(offset, data)
    }

    fn close(&self) -> io::Result<()> {
        self.inner.close()
    }

    fn try_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.try_lock_range(start, end)
    }

    fn try_lock_shared_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> Result<bool, BackendError> {
        self.inner.try_lock_shared_range(start, end)
    }

    fn lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.lock_range(start, end)
    }

    fn lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.lock_shared_range(start, end)
    }

    fn unlock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.unlock_range(start, end)
    }

    fn query_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.query_lock_range(start, end)
    }
}
