//! How often keys may be used: a token bucket per key (a key that calls too often
//! gets 429 with `Retry-After`), a bucket of failures per address (wrong or revoked
//! keys; an address out of failures is refused before any lookup, except for a key
//! that passed before: a stranger who shares the address, a NAT or an IPv6 /64, must
//! not lock a working integration out), and the clock
//! that says when a key's last use is worth storing again (at most once a minute per
//! key, so a busy key costs no write per request). Pure bookkeeping behind one
//! mutex, held for a few map operations; the caller passes the monotonic time.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Mutex;

use crate::auth::throttle::addr_key;
use crate::ratelimit::TokenBucket;

/// Requests a key may make at once.
pub const KEY_BURST: u32 = 120;
/// Requests per second a key may make, sustained.
pub const KEY_PER_SEC: u32 = 20;
/// Wrong keys an address may send at once.
pub const FAILURE_BURST: u32 = 10;
/// Wrong keys per second an address may send, sustained.
pub const FAILURE_PER_SEC: u32 = 1;
/// A key's last use is stored again after this long.
pub const TOUCH_EVERY_MS: u64 = 60_000;
/// Entries kept per map before full (idle) buckets are dropped.
const MAX_ENTRIES: usize = 10_000;

/// The limits' state.
#[derive(Debug, Default)]
struct State {
    /// Per key id.
    keys: HashMap<u64, TokenBucket>,
    /// Per address (IPv6 by /64): failed key checks.
    failures: HashMap<IpAddr, TokenBucket>,
    /// Per key id: when its use was last stored (monotonic ms).
    touched: HashMap<u64, u64>,
    /// Digests of keys that passed a lookup since the start (and were not found
    /// revoked since): they skip an address's failure block.
    vouched: HashSet<[u8; 32]>,
}

/// The limits of every key and address (one per server).
#[derive(Debug, Default)]
pub struct KeyLimits {
    state: Mutex<State>,
    /// Exports streaming now (`GET /api/v1/export`), at most [`MAX_EXPORTS`].
    exports: std::sync::atomic::AtomicUsize,
    /// Reports computing now (`GET /api/v1/reports`), at most [`MAX_REPORTS`].
    reports: std::sync::atomic::AtomicUsize,
}

/// Counts one more in `running` unless `max` run already; false then.
fn take_slot(running: &std::sync::atomic::AtomicUsize, max: usize) -> bool {
    use std::sync::atomic::Ordering;
    running
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
            (n < max).then_some(n + 1)
        })
        .is_ok()
}

/// Once a map is large, forgets every bucket that is not empty (an attacker cycling
/// addresses or a leak of ids cannot grow it without bound; a forgotten bucket starts
/// full again, which costs at most one burst).
fn prune<K>(map: &mut HashMap<K, TokenBucket>, now_ms: u64) {
    if map.len() >= MAX_ENTRIES {
        map.retain(|_, bucket| bucket.retry_after_ms(now_ms) > 0);
    }
}

/// Exports that may stream at once (each holds a read-pool thread a page at a time).
pub const MAX_EXPORTS: usize = 2;
/// Reports that may compute at once, for all callers together (each holds a read-pool
/// thread for its whole scan, up to a second over 100,000 conversations).
pub const MAX_REPORTS: usize = 2;

impl KeyLimits {
    /// Counts an export that starts; false (and nothing counted) when
    /// [`MAX_EXPORTS`] run already. Each `true` needs one [`KeyLimits::export_ended`].
    pub fn export_started(&self) -> bool {
        take_slot(&self.exports, MAX_EXPORTS)
    }

    /// An export counted by [`KeyLimits::export_started`] ended.
    pub fn export_ended(&self) {
        self.exports
            .fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// Counts a report that starts; false (and nothing counted) when [`MAX_REPORTS`]
    /// compute already. Each `true` needs one [`KeyLimits::report_ended`].
    pub fn report_started(&self) -> bool {
        take_slot(&self.reports, MAX_REPORTS)
    }

    /// A report counted by [`KeyLimits::report_started`] ended.
    pub fn report_ended(&self) {
        self.reports
            .fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// Milliseconds until `address` may try a key again (0: it may now).
    pub fn failures_wait(&self, address: IpAddr, now_ms: u64) -> u64 {
        let Ok(state) = self.state.lock() else {
            return 0;
        };
        state
            .failures
            .get(&addr_key(address))
            .map_or(0, |b| b.retry_after_ms(now_ms))
    }

    /// Counts a wrong key from `address`.
    pub fn failed(&self, address: IpAddr, now_ms: u64) {
        if let Ok(mut state) = self.state.lock() {
            prune(&mut state.failures, now_ms);
            state
                .failures
                .entry(addr_key(address))
                .or_insert_with(|| TokenBucket::new(FAILURE_BURST, FAILURE_PER_SEC, now_ms))
                .try_take(now_ms);
        }
    }

    /// True when the key with this digest passed a lookup before: an address's failure
    /// block does not apply to it (its lookup still decides).
    pub fn vouched(&self, digest: &[u8; 32]) -> bool {
        self.state
            .lock()
            .map(|state| state.vouched.contains(digest))
            .unwrap_or(false)
    }

    /// Notes that a lookup found the key with this digest (`found`), or did not (a
    /// revoked key loses its pass).
    pub fn looked_up(&self, digest: [u8; 32], found: bool) {
        if let Ok(mut state) = self.state.lock() {
            if !found {
                state.vouched.remove(&digest);
            } else if !state.vouched.contains(&digest) {
                if state.vouched.len() >= MAX_ENTRIES {
                    state.vouched.clear();
                }
                state.vouched.insert(digest);
            }
        }
    }

    /// Takes one request from key `id`'s bucket: `Err(ms to wait)` when it is empty.
    pub fn take(&self, id: u64, now_ms: u64) -> Result<(), u64> {
        let Ok(mut state) = self.state.lock() else {
            return Ok(());
        };
        prune(&mut state.keys, now_ms);
        let bucket = state
            .keys
            .entry(id)
            .or_insert_with(|| TokenBucket::new(KEY_BURST, KEY_PER_SEC, now_ms));
        if bucket.try_take(now_ms) {
            Ok(())
        } else {
            Err(bucket.retry_after_ms(now_ms).max(1))
        }
    }

    /// True when key `id`'s use should be stored now (and notes that it is).
    pub fn should_touch(&self, id: u64, now_ms: u64) -> bool {
        let Ok(mut state) = self.state.lock() else {
            return false;
        };
        if state.touched.len() >= MAX_ENTRIES {
            state.touched.clear();
        }
        match state.touched.get(&id) {
            Some(&at) if now_ms.saturating_sub(at) < TOUCH_EVERY_MS => false,
            _ => {
                state.touched.insert(id, now_ms);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_and_exports_each_have_their_own_few_slots() {
        let limits = KeyLimits::default();
        for _ in 0..MAX_REPORTS {
            assert!(limits.report_started());
        }
        assert!(!limits.report_started(), "one too many is refused");
        assert!(limits.export_started(), "exports are counted apart");
        limits.report_ended();
        assert!(limits.report_started(), "an ended report frees its slot");
        assert!(!limits.report_started());
    }

    #[test]
    fn a_key_gets_its_burst_then_waits() {
        let limits = KeyLimits::default();
        for _ in 0..KEY_BURST {
            assert!(limits.take(1, 0).is_ok());
        }
        let wait = limits.take(1, 0).expect_err("empty");
        assert!(wait > 0 && wait <= 1000 / u64::from(KEY_PER_SEC), "{wait}");
        // Another key is not affected.
        assert!(limits.take(2, 0).is_ok());
        assert!(limits.take(1, wait).is_ok());
    }

    #[test]
    fn failures_block_an_address_and_its_v6_neighbours() {
        let limits = KeyLimits::default();
        let a: IpAddr = "2001:db8::1".parse().expect("ip");
        let b: IpAddr = "2001:db8::2".parse().expect("ip");
        let other: IpAddr = "192.0.2.1".parse().expect("ip");
        for _ in 0..FAILURE_BURST {
            assert_eq!(limits.failures_wait(a, 0), 0);
            limits.failed(a, 0);
        }
        assert!(limits.failures_wait(a, 0) > 0);
        assert!(limits.failures_wait(b, 0) > 0);
        assert_eq!(limits.failures_wait(other, 0), 0);
        assert_eq!(limits.failures_wait(a, 1000), 0);
    }

    #[test]
    fn a_key_found_before_is_vouched_for_until_it_is_not_found() {
        let limits = KeyLimits::default();
        let digest = [7; 32];
        assert!(!limits.vouched(&digest));
        limits.looked_up(digest, true);
        assert!(limits.vouched(&digest));
        assert!(!limits.vouched(&[8; 32]));
        limits.looked_up(digest, false);
        assert!(!limits.vouched(&digest));
    }

    #[test]
    fn uses_are_stored_once_a_minute() {
        let limits = KeyLimits::default();
        assert!(limits.should_touch(1, 0));
        assert!(!limits.should_touch(1, 1));
        assert!(!limits.should_touch(1, TOUCH_EVERY_MS - 1));
        assert!(limits.should_touch(2, 1));
        assert!(limits.should_touch(1, TOUCH_EVERY_MS));
    }
}
