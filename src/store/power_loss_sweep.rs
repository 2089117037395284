//! Where the power-loss test cuts the power (`tests_power_loss.rs`): chooses crash
//! points over a recorded workload's disk log (`power_loss_workload.rs`), rebuilds the
//! disk as a cut at each leaves it (`sim_disk.rs`) and has `power_loss_check.rs` check
//! the store on it. Every few points the recovery itself is cut too: a second power
//! cut while the recovered store repairs, starts and writes again.

use std::path::{Path, PathBuf};

use super::power_loss_check::check_image;
use super::power_loss_workload::Recorded;
use super::sim_disk::{CRASH_MODES, CrashMode, DiskOp, Replay};

/// A crash point whose image broke a promise.
#[derive(Debug)]
pub(super) struct Finding {
    /// Ops of the log that happened before the cut.
    pub(super) point: usize,
    /// What the cut did to the unsynced writes.
    pub(super) mode: CrashMode,
    /// The broken promise.
    pub(super) problem: String,
    /// The disk image it was found on; the first findings only.
    pub(super) image: Option<Vec<u8>>,
    /// Names this check (crash point, mode, whether the recovery was cut too).
    pub(super) tag: String,
}

/// Findings that keep their image, per sweep.
const KEPT_IMAGES: usize = 3;

/// The first bytes of every redb file.
const REDB_MAGIC: &[u8] = b"redb\x1a\x0a\xa9\x0d\x0a";

/// The first crash point at which the disk durably holds a redb database: redb writes
/// its magic number last when it creates a file, and refuses a file without one
/// ("Not a redb database"); the store makes a new file under another name and renames
/// it into place once whole (`handle.rs`), which this simulated disk (one file, no
/// names) does not model. Nothing can have been acknowledged then; the promises start
/// here.
pub(super) fn created_at(log: &[DiskOp]) -> usize {
    let mut replay = Replay::new(log);
    for (i, op) in log.iter().enumerate() {
        if matches!(op, DiskOp::Sync) {
            replay.advance_to(i + 1);
            if replay.durable().starts_with(REDB_MAGIC) {
                return i + 1;
            }
        }
    }
    log.len()
}

/// Up to `count` crash points over `log` from `from` on, sorted: just before each
/// sync (the commit's writes all unsynced) torn or reordered, just after it dropping
/// nothing yet synced, then random points in random modes.
pub(super) fn crash_points(
    log: &[DiskOp],
    from: usize,
    count: usize,
    rng: &mut fastrand::Rng,
) -> Vec<(usize, CrashMode)> {
    let mut points = Vec::new();
    for (i, op) in log.iter().enumerate().skip(from) {
        if matches!(op, DiskOp::Sync) {
            let before = CRASH_MODES[1 + rng.usize(..2)];
            points.push((i, before));
            points.push((i + 1, CrashMode::Drop));
        }
    }
    rng.shuffle(&mut points);
    points.truncate(count * 2 / 3);
    while points.len() < count {
        let mode = CRASH_MODES[rng.usize(..CRASH_MODES.len())];
        points.push((rng.usize(from..=log.len()), mode));
    }
    points.sort_by_key(|&(point, _)| point);
    points
}

/// Every how many crash points the recovery is cut too.
const SECOND_CUT_EVERY: usize = 4;

/// Checks every crash point, and every [`SECOND_CUT_EVERY`]th a second cut at a random
/// point of what the recovered store wrote; `dir` is scratch space for the stores'
/// data directories.
pub(super) fn sweep(
    recorded: &Recorded,
    points: &[(usize, CrashMode)],
    rng: &mut fastrand::Rng,
    dir: &Path,
) -> Vec<Finding> {
    let mut replay = Replay::new(&recorded.log);
    let mut findings = Vec::new();
    let mut cut = [0usize; CRASH_MODES.len()];
    let mut second_cuts = 0;
    for (n, &(point, mode)) in points.iter().enumerate() {
        replay.advance_to(point);
        if replay.unsynced() > 0 {
            cut[mode as usize] += 1;
        }
        let image = replay.crash_image(mode, rng);
        let base = (n % SECOND_CUT_EVERY == 0).then(|| image.clone());
        let first = check(image, recorded, (point, mode), dir, "", &mut findings);
        let (Some(after), Some(base)) = (first, base) else {
            continue;
        };
        let mut again = Replay::over(base, &after);
        let second = (
            rng.usize(..=after.len()),
            CRASH_MODES[rng.usize(..CRASH_MODES.len())],
        );
        again.advance_to(second.0);
        let image = again.crash_image(second.1, rng);
        let context = format!(
            "after a second cut at op {} of the recovery ({:?}): ",
            second.0, second.1
        );
        check(image, recorded, (point, mode), dir, &context, &mut findings);
        second_cuts += 1;
    }
    eprintln!(
        "power loss: crash points with unsynced writes: {} dropped, {} torn, {} reordered; \
         {second_cuts} recoveries cut again",
        cut[0], cut[1], cut[2]
    );
    findings
}

/// Checks one image, noting a broken promise (`context` says which cut) in `findings`;
/// returns the recovered disk's log when all was well.
fn check(
    image: Vec<u8>,
    recorded: &Recorded,
    (point, mode): (usize, CrashMode),
    dir: &Path,
    context: &str,
    findings: &mut Vec<Finding>,
) -> Option<Vec<DiskOp>> {
    let tag = format!(
        "{point}-{mode:?}{}",
        if context.is_empty() { "" } else { "-again" }
    );
    let data_dir = dir.join(&tag);
    let kept = (findings.len() < KEPT_IMAGES).then(|| image.clone());
    let checked = check_image(image, recorded, point, &data_dir, &tag);
    let _ = std::fs::remove_dir_all(&data_dir);
    match checked {
        Ok(log) => Some(log),
        Err(problem) => {
            findings.push(Finding {
                point,
                mode,
                problem: format!("{context}{problem}"),
                image: kept,
                tag,
            });
            None
        }
    }
}

impl Finding {
    /// Writes the image, if kept, to the system's temporary directory (it stays after
    /// the test, for a look with redb) and says where.
    pub(super) fn save_image(&self) -> Option<PathBuf> {
        let image = self.image.as_ref()?;
        let name = format!("deskbell-crash-{}-{}.redb", std::process::id(), self.tag);
        let path = std::env::temp_dir().join(name);
        std::fs::write(&path, image).ok()?;
        Some(path)
    }
}
