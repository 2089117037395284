//! Clocks: monotonic milliseconds for timers (real or hand-moved) and wall-clock time for stamps.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Monotonic milliseconds, injectable so tests never sleep.
pub trait Clock: Send + Sync + 'static {
    /// Current time in milliseconds; never goes backwards.
    fn now_ms(&self) -> u64;
}

/// Real clock: milliseconds since the clock was created (std::time::Instant).
#[derive(Clone, Copy, Debug)]
pub struct SystemClock {
    /// The instant that reads as 0 ms.
    start: Instant,
}

impl SystemClock {
    /// A clock that reads 0 now.
    pub fn new() -> Self {
        SystemClock {
            start: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}

/// Test clock: starts at a given ms, moved by hand (AtomicU64 inside, shareable via Arc).
#[derive(Debug, Default)]
pub struct ManualClock {
    /// Current reading in milliseconds.
    now: AtomicU64,
}

impl ManualClock {
    /// A clock that reads `start_ms` until moved.
    pub fn new(start_ms: u64) -> Self {
        ManualClock {
            now: AtomicU64::new(start_ms),
        }
    }

    /// Moves the clock forward by `ms` (saturating at `u64::MAX`).
    pub fn advance(&self, ms: u64) {
        // The closure always returns Some, so fetch_update cannot fail.
        let _ = self
            .now
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
                Some(now.saturating_add(ms))
            });
    }

    /// Sets the reading to `ms`. Tests may move it backwards to probe that case.
    pub fn set(&self, ms: u64) {
        self.now.store(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.now.load(Ordering::SeqCst)
    }
}

/// Wall-clock milliseconds since the Unix epoch (for message timestamps).
/// A system clock set before 1970 reads as 0.
pub fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn manual_clock_moves_only_by_hand() {
        let clock = Arc::new(ManualClock::new(1_000));
        let shared: Arc<dyn Clock> = clock.clone();
        assert_eq!(shared.now_ms(), 1_000);
        clock.advance(250);
        assert_eq!(shared.now_ms(), 1_250);
        clock.set(7);
        assert_eq!(shared.now_ms(), 7);
        clock.set(u64::MAX - 1);
        clock.advance(10);
        assert_eq!(shared.now_ms(), u64::MAX);
    }

    #[test]
    fn system_clock_is_monotonic_and_starts_near_zero() {
        let clock = SystemClock::default();
        let first = clock.now_ms();
        let second = clock.now_ms();
        assert!(first < 1_000, "a fresh clock reads near 0, got {first}");
        assert!(second >= first);
    }

    #[test]
    fn unix_ms_is_after_2020() {
        // 2020-01-01T00:00:00Z in milliseconds.
        assert!(unix_ms() > 1_577_836_800_000);
    }
}
