//! Login throttling that slows a guesser down without letting them lock the owner out.
//! Pure: no I/O, no clock; the caller passes the time in.
//!
//! # Where this comes from
//! A plain per-account lockout (GitLab self-managed, through Devise's `lockable`: 10
//! failures lock the account for 10 minutes) lets anyone lock anyone out by guessing.
//! vaultwarden limits login attempts per client address only, so a stranger can only
//! slow themselves down; GitLab.com and GitLab's unknown-sign-in notice treat a sign-in
//! as *known* when it comes from an address the user signed in from before or from a
//! browser holding a cookie set at an earlier sign-in. The rules below combine the two:
//! limits per address, and an account-wide guard against many addresses at once that
//! known addresses and known browsers skip.
//!
//! # Who is trying
//! An attempt comes from a [`Source`]: the client's address and, when the browser showed
//! a valid known-device cookie *for this account* (see [`super::device`]), its device
//! id. Addresses are compared as keys: an IPv4 address as is (also when IPv4-mapped),
//! an IPv6 address by its /64 prefix, since one subscriber typically holds a whole /64.
//! Account names are trimmed, lowercased and cut to 128 characters.
//!
//! # Rules (defaults in [`ThrottlePolicy::default`])
//! 1. **Per account and source.** Failures are counted per (account, source), where the
//!    source is the device id if there is one, else the address key. The first 5 are
//!    free; each one beyond blocks that pair for 1 s, then 2 s, 4 s, … up to 15 min.
//! 2. **Per address.** Without a device id, failures are also counted per address key
//!    over all accounts: 20 free, then the same backoff. A device-cookie holder skips
//!    this rule, so a guesser behind the same NAT cannot slow the owner's browser.
//! 3. **Per account, against a distributed attack.** A failure from an *unknown* source
//!    (no device id, and an address that has not logged in to this account lately)
//!    counts toward the account only while its (account, source) pair is within its
//!    free allowance, so one address adds at most 5 and the count measures how many
//!    addresses are guessing. After 30 such failures, unknown sources are blocked for
//!    1 s, 2 s, … up to 15 min. Known sources skip this rule.
//! 4. **Known sources.** An address is known to an account for 30 days after a
//!    successful login from it; at most 16 addresses per account and 10,000 accounts
//!    are kept (least recent first out). A device id is known when its cookie verifies.
//! 5. **Refusal comes first.** While any rule that applies blocks an attempt,
//!    [`LoginThrottle::check`] returns [`RetryAfter`] (the longest wait) and the caller
//!    must not even verify the password, nor count the attempt.
//! 6. **Success** clears its (account, source) pair, takes back from the address the
//!    failures that pair had (a user's own typos, not their guesses at other accounts)
//!    and makes the address known. It does not reset the account-wide count of rule 3:
//!    that count is the attacker's, and the owner getting in does not stop them.
//! 7. **Forgetting.** A key with no failure for 15 min and not blocked is forgotten.
//! 8. **Bounded memory.** Each failure map holds at most 10,000 keys. When a new key
//!    would exceed that, expired keys are dropped, then the tenth with the oldest last
//!    failure, so a flood of random names or addresses costs bounded memory and
//!    amortised O(1) time. Only a correct password adds a known address.
//!
//! Usage: `check` → (if `Ok`) verify the password → `record_failure` or `record_success`.
//! The setup code uses its own throttle with [`ThrottlePolicy::setup_code`], which has
//! no account-wide guard (there is no account and no known source yet; the code's
//! entropy carries a distributed attack, see `new_setup_code`).

use std::net::IpAddr;

use known::KnownAddresses;
use table::{Table, Timing};

mod known;
mod table;

/// Longest account key kept, in characters; longer names are truncated.
const MAX_ACCOUNT_KEY_CHARS: usize = 128;

/// A verified known-device id (from a cookie signed by this server).
pub type DeviceId = [u8; 16];

/// Tuning for [`LoginThrottle`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures per (account, source) allowed before backoff (rule 1).
    pub free_per_pair: u32,
    /// Failures per address allowed before backoff (rule 2).
    pub free_per_address: u32,
    /// Failures from unknown sources per account allowed before backoff (rule 3);
    /// `u32::MAX` turns the account-wide guard off.
    pub free_per_account: u32,
    /// A key with no failure for this long (and not blocked) is forgotten.
    pub window_ms: u64,
    /// Block after the first failure beyond the free ones; doubles each time.
    pub base_delay_ms: u64,
    /// Longest single block.
    pub max_delay_ms: u64,
    /// Most keys kept in each failure map, and most accounts with known addresses.
    pub max_entries: usize,
    /// Most known addresses kept per account (rule 4).
    pub known_per_account: usize,
    /// How long after its latest login an address stays known (rule 4).
    pub known_ttl_ms: u64,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            free_per_pair: 5,
            free_per_address: 20,
            free_per_account: 30,
            window_ms: 15 * 60 * 1000,
            base_delay_ms: 1000,
            max_delay_ms: 15 * 60 * 1000,
            max_entries: 10_000,
            known_per_account: 16,
            known_ttl_ms: 30 * 24 * 60 * 60 * 1000,
        }
    }
}

impl ThrottlePolicy {
    /// The policy for guessing the setup code: rules 1, 2, 5, 7 and 8 as for logins
    /// (callers use one fixed account name), no account-wide guard.
    pub fn setup_code() -> Self {
        Self {
            free_per_account: u32::MAX,
            known_per_account: 0,
            ..Self::default()
        }
    }

    fn timing(&self) -> Timing {
        Timing {
            window_ms: self.window_ms,
            base_delay_ms: self.base_delay_ms,
            max_delay_ms: self.max_delay_ms,
            max_entries: self.max_entries,
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

/// Where a login attempt comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    /// The client's address.
    pub addr: IpAddr,
    /// The device id of a known-device cookie verified for the account being tried.
    pub device: Option<DeviceId>,
}

impl Source {
    /// A source with no known-device cookie.
    pub fn addr(addr: IpAddr) -> Self {
        Self { addr, device: None }
    }
}

/// What rule 1 counts per account: a device, else an address key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum SourceKey {
    /// A known-device id.
    Device(DeviceId),
    /// An address key.
    Addr(IpAddr),
}

/// Tracks failed logins and says when to refuse attempts; see the module docs.
#[derive(Debug)]
pub struct LoginThrottle {
    /// Tuning.
    policy: ThrottlePolicy,
    /// Rule 1: failures per (account key, source).
    by_pair: Table<(String, SourceKey)>,
    /// Rule 2: failures per address key.
    by_addr: Table<IpAddr>,
    /// Rule 3: failures from unknown sources per account key.
    by_account: Table<String>,
    /// Rule 4: addresses that logged in to each account lately.
    known: KnownAddresses,
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
            by_pair: Table::new(policy.free_per_pair),
            by_addr: Table::new(policy.free_per_address),
            by_account: Table::new(policy.free_per_account),
            known: KnownAddresses::new(
                policy.known_per_account,
                policy.max_entries,
                policy.known_ttl_ms,
            ),
            policy,
        }
    }

    /// Whether a login attempt may proceed now; `Err` carries how long to wait.
    pub fn check(&mut self, source: &Source, account: &str, now_ms: u64) -> Result<(), RetryAfter> {
        let timing = self.policy.timing();
        let account = account_key(account);
        let addr = addr_key(source.addr);
        let pair = (account.clone(), source_key(source));
        let mut wait = self.by_pair.blocked_for(&pair, now_ms, &timing);
        if source.device.is_none() {
            wait = wait.max(self.by_addr.blocked_for(&addr, now_ms, &timing));
        }
        if !self.is_known(source, &account, now_ms) {
            wait = wait.max(self.by_account.blocked_for(&account, now_ms, &timing));
        }
        match wait {
            0 => Ok(()),
            ms => Err(RetryAfter { ms }),
        }
    }

    /// Records a wrong password (or unknown account) under every rule that applies.
    pub fn record_failure(&mut self, source: &Source, account: &str, now_ms: u64) {
        let timing = self.policy.timing();
        let account = account_key(account);
        let known = self.is_known(source, &account, now_ms);
        let pair = (account.clone(), source_key(source));
        let failures = self.by_pair.fail(pair, now_ms, &timing);
        if source.device.is_none() {
            self.by_addr.fail(addr_key(source.addr), now_ms, &timing);
        }
        if !known && failures <= self.policy.free_per_pair {
            self.by_account.fail(account, now_ms, &timing);
        }
    }

    /// Records a successful login (rule 6).
    pub fn record_success(&mut self, source: &Source, account: &str, now_ms: u64) {
        let account = account_key(account);
        let addr = addr_key(source.addr);
        let forgiven = self
            .by_pair
            .entries
            .remove(&(account.clone(), source_key(source)))
            .map_or(0, |e| e.failures);
        if source.device.is_none() {
            self.by_addr.forgive(&addr, forgiven);
        }
        self.known.remember(account, addr, now_ms);
    }

    /// Rule 4: a verified device, or an address that logged in to the account lately.
    fn is_known(&self, source: &Source, account: &str, now_ms: u64) -> bool {
        source.device.is_some() || self.known.contains(account, addr_key(source.addr), now_ms)
    }
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

/// Canonical address key: IPv4 as is (also IPv4-mapped IPv6), IPv6 by its /64 prefix.
pub(crate) fn addr_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(prefix.into())
            }
        },
    }
}

/// Rule 1's source key.
fn source_key(source: &Source) -> SourceKey {
    match source.device {
        Some(id) => SourceKey::Device(id),
        None => SourceKey::Addr(addr_key(source.addr)),
    }
}

#[cfg(test)]
mod tests;
