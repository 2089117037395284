//! Login throttling: exponential backoff after repeated failures, per client
//! address and per account name. Pure: the caller passes the time in.
//!
//! # Policy (defaults in [`ThrottlePolicy::default`])
//!
//! - Failures are counted separately per client address and per account name
//!   (lowercased, trimmed, at most 128 characters).
//! - The first 5 failures per account and 20 per address are free.
//! - Each failure beyond that blocks the key for 1 s, then 2 s, 4 s, … up to 15 min.
//!   While either key is blocked, [`LoginThrottle::check`] returns [`RetryAfter`]
//!   and the caller must not even verify the password.
//! - A key is forgotten once it has had no failure for 15 min and is not blocked.
//! - A successful login clears the account, and forgives the address the failures
//!   that account had (a user's own typos), but not failures against other accounts.
//! - Each map holds at most 10,000 keys. When a new key would exceed that, expired
//!   keys are dropped and then the tenth with the oldest last failure, so a flood
//!   of random names or addresses costs bounded memory and amortised O(1) time.
//!
//! Usage: `check` → (if `Ok`) verify the password → `record_failure` or `record_success`.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;

/// Longest account key kept, in characters; longer names are truncated.
const MAX_ACCOUNT_KEY_CHARS: usize = 128;

/// Tuning for [`LoginThrottle`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures per account allowed before backoff starts.
    pub free_per_account: u32,
    /// Failures per client address allowed before backoff starts.
    pub free_per_address: u32,
    /// A key with no failure for this long (and not blocked) is forgotten.
    pub window_ms: u64,
    /// Block after the first failure beyond the free ones; doubles each time.
    pub base_delay_ms: u64,
    /// Longest single block.
    pub max_delay_ms: u64,
    /// Most keys kept in each of the two maps.
    pub max_entries: usize,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            free_per_account: 5,
            free_per_address: 20,
            window_ms: 15 * 60 * 1000,
            base_delay_ms: 1000,
            max_delay_ms: 15 * 60 * 1000,
            max_entries: 10_000,
        }
    }
}

/// A refused login attempt: try again after `ms` milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter {
    /// Milliseconds until the block ends.
    pub ms: u64,
}

impl RetryAfter {
    /// Whole seconds to wait, rounded up (for an HTTP `Retry-After` header).
    pub fn secs_ceil(&self) -> u64 {
        self.ms.div_ceil(1000)
    }
}

/// Failure record for one address or account.
#[derive(Debug, Clone)]
struct Entry {
    /// Failures since the key was last forgotten.
    failures: u32,
    /// Latest failure time seen (never moves backwards).
    last_failure_ms: u64,
    /// Attempts are refused before this time.
    blocked_until_ms: u64,
}

/// One map of keys to failure records, with its free allowance.
#[derive(Debug)]
struct Table<K> {
    /// The records.
    entries: HashMap<K, Entry>,
    /// Failures allowed before backoff.
    free: u32,
}

impl<K: Hash + Eq + Clone> Table<K> {
    fn new(free: u32) -> Self {
        Self {
            entries: HashMap::new(),
            free,
        }
    }

    /// Milliseconds the key is still blocked for (0 if not); drops it if expired.
    fn blocked_for(&mut self, key: &K, now_ms: u64, policy: &ThrottlePolicy) -> u64 {
        let Some(entry) = self.entries.get(key) else {
            return 0;
        };
        if expired(entry, now_ms, policy) {
            self.entries.remove(key);
            return 0;
        }
        entry.blocked_until_ms.saturating_sub(now_ms)
    }

    fn fail(&mut self, key: K, now_ms: u64, policy: &ThrottlePolicy) {
        if self
            .entries
            .get(&key)
            .is_some_and(|e| expired(e, now_ms, policy))
        {
            self.entries.remove(&key);
        }
        if !self.entries.contains_key(&key) && self.entries.len() >= policy.max_entries {
            self.make_room(now_ms, policy);
        }
        let entry = self.entries.entry(key).or_insert(Entry {
            failures: 0,
            last_failure_ms: now_ms,
            blocked_until_ms: 0,
        });
        entry.failures = entry.failures.saturating_add(1);
        entry.last_failure_ms = entry.last_failure_ms.max(now_ms);
        if entry.failures > self.free {
            let delay = backoff(entry.failures - self.free - 1, policy);
            entry.blocked_until_ms = entry.blocked_until_ms.max(now_ms.saturating_add(delay));
        }
    }

    /// Drops expired keys, then the tenth of the rest with the oldest failures.
    fn make_room(&mut self, now_ms: u64, policy: &ThrottlePolicy) {
        self.entries.retain(|_, e| !expired(e, now_ms, policy));
        let len = self.entries.len();
        if len < policy.max_entries {
            return;
        }
        let evict = (len / 10).max(len + 1 - policy.max_entries).min(len);
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
fn expired(entry: &Entry, now_ms: u64, policy: &ThrottlePolicy) -> bool {
    now_ms >= entry.last_failure_ms.saturating_add(policy.window_ms)
        && now_ms >= entry.blocked_until_ms
}

/// Block length after `excess` failures beyond the first non-free one.
fn backoff(excess: u32, policy: &ThrottlePolicy) -> u64 {
    let factor = 1u64.checked_shl(excess).unwrap_or(u64::MAX);
    policy
        .base_delay_ms
        .saturating_mul(factor)
        .min(policy.max_delay_ms)
}

/// Canonical account key: trimmed, lowercased, bounded length.
fn account_key(account: &str) -> String {
    account
        .trim()
        .to_lowercase()
        .chars()
        .take(MAX_ACCOUNT_KEY_CHARS)
        .collect()
}

/// Tracks failed logins and says when to refuse attempts; see the module docs.
#[derive(Debug)]
pub struct LoginThrottle {
    /// Tuning.
    policy: ThrottlePolicy,
    /// Failures per client address.
    by_addr: Table<IpAddr>,
    /// Failures per account key.
    by_account: Table<String>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new(ThrottlePolicy::default())
    }
}

impl LoginThrottle {
    /// A throttle with the given policy and no history.
    pub fn new(policy: ThrottlePolicy) -> Self {
        Self {
            by_addr: Table::new(policy.free_per_address),
            by_account: Table::new(policy.free_per_account),
            policy,
        }
    }

    /// Whether a login attempt may proceed now; `Err` carries how long to wait.
    pub fn check(&mut self, addr: IpAddr, account: &str, now_ms: u64) -> Result<(), RetryAfter> {
        let a = self.by_addr.blocked_for(&addr, now_ms, &self.policy);
        let b = self
            .by_account
            .blocked_for(&account_key(account), now_ms, &self.policy);
        match a.max(b) {
            0 => Ok(()),
            ms => Err(RetryAfter { ms }),
        }
    }

    /// Records a wrong password (or unknown account) for both keys.
    pub fn record_failure(&mut self, addr: IpAddr, account: &str, now_ms: u64) {
        self.by_addr.fail(addr, now_ms, &self.policy);
        self.by_account
            .fail(account_key(account), now_ms, &self.policy);
    }

    /// Records a successful login: clears the account and forgives the address
    /// the failures that were counted against that account.
    pub fn record_success(&mut self, addr: IpAddr, account: &str) {
        let forgiven = self
            .by_account
            .entries
            .remove(&account_key(account))
            .map_or(0, |e| e.failures);
        if let Some(entry) = self.by_addr.entries.get_mut(&addr) {
            entry.failures = entry.failures.saturating_sub(forgiven);
            if entry.failures == 0 {
                self.by_addr.entries.remove(&addr);
            } else if entry.failures <= self.by_addr.free {
                entry.blocked_until_ms = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests;
