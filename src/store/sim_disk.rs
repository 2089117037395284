//! Test hook: a simulated disk for the power-loss test (`tests_power_loss.rs`). A redb
//! `StorageBackend` over an in-memory image that logs every operation redb makes
//! (write, resize, sync) with a global counter, so a run can be replayed to any point
//! and the disk rebuilt as a power cut there would leave it ([`Replay`]).
//!
//! The model of a disk: what the last `sync_data` covered is durable; writes and
//! resizes since then are in a volatile cache, and a power cut keeps any part of them,
//! in any order ([`CrashMode`]). Reads see every write, as a page cache does.

use std::fmt;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard};

use redb::StorageBackend;

/// Size of the unit a disk may persist independently of its neighbours.
pub(super) const PAGE: u64 = 4096;

/// One operation redb made on the disk, in order.
#[derive(Clone)]
pub(super) enum DiskOp {
    /// `data` written at `offset`.
    Write {
        /// Byte position.
        offset: u64,
        /// The bytes.
        data: Vec<u8>,
    },
    /// The length set.
    SetLen(u64),
    /// Everything before is durable.
    Sync,
}

impl fmt::Debug for DiskOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiskOp::Write { offset, data } => write!(f, "Write({offset}, {} bytes)", data.len()),
            DiskOp::SetLen(len) => write!(f, "SetLen({len})"),
            DiskOp::Sync => write!(f, "Sync"),
        }
    }
}

/// What a power cut does to the writes since the last sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CrashMode {
    /// All of them are lost.
    Drop,
    /// Each keeps a random prefix (from nothing to all of it); a resize is kept or not.
    Torn,
    /// Each 4 KiB page of each is kept or lost on its own; a resize is kept or not.
    Reordered,
}

/// Every crash mode, for tests that cycle through them.
pub(super) const CRASH_MODES: [CrashMode; 3] =
    [CrashMode::Drop, CrashMode::Torn, CrashMode::Reordered];

/// The simulated disk; clones share it (one goes to redb, one stays with the test).
#[derive(Clone, Default)]
pub(super) struct SimDisk {
    state: Arc<Mutex<DiskState>>,
}

#[derive(Default)]
struct DiskState {
    /// What reads see: every write so far.
    image: Vec<u8>,
    /// Every operation so far; its length is the op counter.
    log: Vec<DiskOp>,
}

impl fmt::Debug for SimDisk {
    // Not the bytes: redb may format its backend into a log line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("SimDisk")
            .field("len", &state.image.len())
            .field("ops", &state.log.len())
            .finish()
    }
}

impl SimDisk {
    /// An empty disk.
    pub(super) fn new() -> SimDisk {
        SimDisk::default()
    }

    /// A disk holding `image`, all of it durable, with an empty log.
    pub(super) fn holding(image: Vec<u8>) -> SimDisk {
        let disk = SimDisk::new();
        disk.lock().image = image;
        disk
    }

    /// Operations so far: a crash at this point keeps everything done until now.
    pub(super) fn ops(&self) -> usize {
        self.lock().log.len()
    }

    /// A copy of the operation log.
    pub(super) fn log(&self) -> Vec<DiskOp> {
        self.lock().log.clone()
    }

    fn lock(&self) -> MutexGuard<'_, DiskState> {
        // A panicking test thread leaves plain data behind.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn out_of_range(offset: u64, len: usize, size: usize) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("{len} bytes at {offset} are past the end of the simulated disk ({size})"),
    )
}

impl StorageBackend for SimDisk {
    fn len(&self) -> io::Result<u64> {
        Ok(self.lock().image.len() as u64)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> io::Result<()> {
        let state = self.lock();
        let start = usize::try_from(offset).map_err(io::Error::other)?;
        let bytes = start
            .checked_add(out.len())
            .and_then(|end| state.image.get(start..end))
            .ok_or_else(|| out_of_range(offset, out.len(), state.image.len()))?;
        out.copy_from_slice(bytes);
        Ok(())
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        let mut state = self.lock();
        apply(&mut state.image, &DiskOp::SetLen(len));
        state.log.push(DiskOp::SetLen(len));
        Ok(())
    }

    fn sync_data(&self) -> io::Result<()> {
        self.lock().log.push(DiskOp::Sync);
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        let mut state = self.lock();
        let op = DiskOp::Write {
            offset,
            data: data.to_vec(),
        };
        apply(&mut state.image, &op);
        state.log.push(op);
        Ok(())
    }
}

/// Applies a write or resize to `image` as a file would (a write past the end extends it).
fn apply(image: &mut Vec<u8>, op: &DiskOp) {
    match op {
        DiskOp::Write { offset, data } => {
            let start = *offset as usize;
            let end = start + data.len();
            if image.len() < end {
                image.resize(end, 0);
            }
            image[start..end].copy_from_slice(data);
        }
        DiskOp::SetLen(len) => image.resize(*len as usize, 0),
        DiskOp::Sync => {}
    }
}

/// Walks a log forward, keeping the durable image and the operations since the last sync,
/// to build the disk as a power cut at any later point leaves it.
pub(super) struct Replay<'a> {
    log: &'a [DiskOp],
    /// Operations applied so far (the crash point reached).
    at: usize,
    /// What the last sync before `at` made durable.
    durable: Vec<u8>,
    /// Indexes in `log` of the writes and resizes since that sync.
    pending: Vec<usize>,
}

impl<'a> Replay<'a> {
    /// At the start of `log`, on an empty disk.
    pub(super) fn new(log: &'a [DiskOp]) -> Replay<'a> {
        Replay::over(Vec::new(), log)
    }

    /// At the start of `log`, on a disk that held `image` (all of it durable).
    pub(super) fn over(image: Vec<u8>, log: &'a [DiskOp]) -> Replay<'a> {
        Replay {
            log,
            at: 0,
            durable: image,
            pending: Vec::new(),
        }
    }

    /// Moves forward to crash point `point` (ops `0..point` happened; never backwards).
    pub(super) fn advance_to(&mut self, point: usize) {
        let point = point.min(self.log.len());
        while self.at < point {
            match &self.log[self.at] {
                DiskOp::Sync => {
                    for &i in &self.pending {
                        apply(&mut self.durable, &self.log[i]);
                    }
                    self.pending.clear();
                }
                _ => self.pending.push(self.at),
            }
            self.at += 1;
        }
    }

    /// Operations since the last sync at the current point.
    pub(super) fn unsynced(&self) -> usize {
        self.pending.len()
    }

    /// What the last sync made durable.
    pub(super) fn durable(&self) -> &[u8] {
        &self.durable
    }

    /// The disk after a power cut at the current point, in `mode`, random choices from `rng`.
    pub(super) fn crash_image(&self, mode: CrashMode, rng: &mut fastrand::Rng) -> Vec<u8> {
        let mut image = self.durable.clone();
        if mode == CrashMode::Drop {
            return image;
        }
        for &i in &self.pending {
            match &self.log[i] {
                DiskOp::Write { offset, data } => match mode {
                    CrashMode::Torn => {
                        let kept = rng.usize(0..=data.len());
                        write_part(&mut image, *offset, &data[..kept]);
                    }
                    _ => {
                        for (start, page) in pages(*offset, data) {
                            if rng.bool() {
                                write_part(&mut image, start, page);
                            }
                        }
                    }
                },
                resize => {
                    if rng.bool() {
                        apply(&mut image, resize);
                    }
                }
            }
        }
        image
    }
}

fn write_part(image: &mut Vec<u8>, offset: u64, data: &[u8]) {
    if !data.is_empty() {
        apply(
            image,
            &DiskOp::Write {
                offset,
                data: data.to_vec(),
            },
        );
    }
}

/// `data` written at `offset`, cut at 4 KiB page boundaries of the disk.
fn pages(offset: u64, data: &[u8]) -> Vec<(u64, &[u8])> {
    let mut out = Vec::new();
    let mut start = offset;
    let mut rest = data;
    while !rest.is_empty() {
        let room = (PAGE - start % PAGE) as usize;
        let (page, tail) = rest.split_at(room.min(rest.len()));
        out.push((start, page));
        start += page.len() as u64;
        rest = tail;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crash_keeps_what_was_synced_and_drops_the_rest() {
        let disk = SimDisk::new();
        disk.write(0, &[1; 10]).expect("writes");
        disk.sync_data().expect("syncs");
        disk.write(5, &[2; 10]).expect("writes");
        let mut out = [0; 15];
        disk.read(0, &mut out).expect("reads");
        assert_eq!(out[4..6], [1, 2], "reads see unsynced writes");
        let log = disk.log();
        let mut replay = Replay::new(&log);
        let mut rng = fastrand::Rng::with_seed(1);
        replay.advance_to(1);
        assert!(replay.crash_image(CrashMode::Drop, &mut rng).is_empty());
        replay.advance_to(log.len());
        assert_eq!(replay.unsynced(), 1);
        assert_eq!(replay.crash_image(CrashMode::Drop, &mut rng), vec![1; 10]);
        for _ in 0..20 {
            let torn = replay.crash_image(CrashMode::Torn, &mut rng);
            assert!(torn.len() >= 10 && torn.len() <= 15, "{}", torn.len());
            assert_eq!(torn[..5], [1; 5]);
            assert!(torn[5..].iter().all(|&b| b == 2 || b == 1));
        }
    }

    #[test]
    fn reordering_keeps_whole_pages_or_nothing() {
        let disk = SimDisk::new();
        disk.set_len(3 * PAGE).expect("resizes");
        disk.sync_data().expect("syncs");
        disk.write(PAGE - 2, &[7; PAGE as usize + 4])
            .expect("writes");
        let log = disk.log();
        let mut replay = Replay::new(&log);
        replay.advance_to(log.len());
        let mut seen = std::collections::HashSet::new();
        let mut rng = fastrand::Rng::with_seed(2);
        for _ in 0..64 {
            let image = replay.crash_image(CrashMode::Reordered, &mut rng);
            let kept = |range: std::ops::Range<u64>| {
                let bytes = &image[range.start as usize..range.end as usize];
                assert!(bytes.iter().all(|&b| b == bytes[0]), "a page is whole");
                bytes[0] == 7
            };
            seen.insert((
                kept(PAGE - 2..PAGE),
                kept(PAGE..2 * PAGE),
                kept(2 * PAGE..2 * PAGE + 2),
            ));
        }
        assert_eq!(seen.len(), 8, "every subset of the three pieces occurs");
    }
}
