//! One bounded map of throttle keys to failure records, with exponential backoff.
//! Pure: the caller passes the time in.

use std::collections::HashMap;
use std::hash::Hash;

/// Failure record for one key.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    /// Failures since the key was last forgotten.
    pub(super) failures: u32,
    /// Latest failure time seen (never moves backwards).
    pub(super) last_failure_ms: u64,
    /// Attempts are refused before this time.
    pub(super) blocked_until_ms: u64,
}

/// Timing shared by every table of one throttle.
#[derive(Debug, Clone, Copy)]
pub(super) struct Timing {
    /// A key with no failure for this long (and not blocked) is forgotten.
    pub(super) window_ms: u64,
    /// Block after the first failure beyond the free ones; doubles each time.
    pub(super) base_delay_ms: u64,
    /// Longest single block.
    pub(super) max_delay_ms: u64,
    /// Most keys kept.
    pub(super) max_entries: usize,
}

/// Keys to failure records, with the free allowance before backoff.
#[derive(Debug)]
pub(super) struct Table<K> {
    /// The records.
    pub(super) entries: HashMap<K, Entry>,
    /// Failures allowed before backoff.
    pub(super) free: u32,
}

impl<K: Hash + Eq + Clone> Table<K> {
    /// An empty table allowing `free` failures per key before backoff.
    pub(super) fn new(free: u32) -> Self {
        Self {
            entries: HashMap::new(),
            free,
        }
    }

    /// Milliseconds the key is still blocked for (0 if not); drops it if expired.
    pub(super) fn blocked_for(&mut self, key: &K, now_ms: u64, timing: &Timing) -> u64 {
        let Some(entry) = self.entries.get(key) else {
            return 0;
        };
        if expired(entry, now_ms, timing) {
            self.entries.remove(key);
            return 0;
        }
        entry.blocked_until_ms.saturating_sub(now_ms)
    }

    /// Counts a failure for `key` and returns its failures so far (this one included).
    pub(super) fn fail(&mut self, key: K, now_ms: u64, timing: &Timing) -> u32 {
        if self
            .entries
            .get(&key)
            .is_some_and(|e| expired(e, now_ms, timing))
        {
            self.entries.remove(&key);
        }
        if !self.entries.contains_key(&key) && self.entries.len() >= timing.max_entries {
            self.make_room(now_ms, timing);
        }
        let entry = self.entries.entry(key).or_insert(Entry {
            failures: 0,
            last_failure_ms: now_ms,
            blocked_until_ms: 0,
        });
        entry.failures = entry.failures.saturating_add(1);
        entry.last_failure_ms = entry.last_failure_ms.max(now_ms);
        if entry.failures > self.free {
            let delay = backoff(entry.failures - self.free - 1, timing);
            entry.blocked_until_ms = entry.blocked_until_ms.max(now_ms.saturating_add(delay));
        }
        entry.failures
    }

    /// Takes back `count` failures of `key` (a user's own typos, forgiven by a success);
    /// lifts the block once the key is within its free allowance again.
    pub(super) fn forgive(&mut self, key: &K, count: u32) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.failures = entry.failures.saturating_sub(count);
            if entry.failures == 0 {
                self.entries.remove(key);
            } else if entry.failures <= self.free {
                entry.blocked_until_ms = 0;
            }
        }
    }

    /// Drops expired keys, then the tenth of the rest with the oldest failures.
    fn make_room(&mut self, now_ms: u64, timing: &Timing) {
        self.entries.retain(|_, e| !expired(e, now_ms, timing));
        let len = self.entries.len();
        if len < timing.max_entries {
            return;
        }
        let evict = (len / 10).max(len + 1 - timing.max_entries).min(len);
        let mut by_age: Vec<(u64, K)> = self
            .entries
            .iter()
            .map(|(k, e)| (e.last_failure_ms, k.clone()))
            .collect();
        if evict < len {
            by_age.select_nth_unstable_by_key(evict, |(t, _)| *t);
        }
        for (_, key) in by_age.into_iter().take(evict) {
            self.entries.remove(&key);
        }
    }
}

/// Whether a record can be forgotten.
fn expired(entry: &Entry, now_ms: u64, timing: &Timing) -> bool {
    now_ms >= entry.last_failure_ms.saturating_add(timing.window_ms)
        && now_ms >= entry.blocked_until_ms
}

/// Block length after `excess` failures beyond the first non-free one.
pub(super) fn backoff(excess: u32, timing: &Timing) -> u64 {
    let factor = 1u64.checked_shl(excess).unwrap_or(u64::MAX);
    timing
        .base_delay_ms
        .saturating_mul(factor)
        .min(timing.max_delay_ms)
}
