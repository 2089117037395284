//! Addresses each account has logged in from lately: they skip the account-wide guard
//! (rule 3 of the throttle). Bounded: a few addresses per account, a bounded number of
//! accounts, and an entry is only ever added by a correct password.

use std::collections::HashMap;
use std::net::IpAddr;

/// Recent successful-login addresses per account key.
#[derive(Debug)]
pub(super) struct KnownAddresses {
    /// Account key → (address key, time of its latest login), newest last.
    accounts: HashMap<String, Vec<(IpAddr, u64)>>,
    /// Most addresses kept per account; the least recently used goes first.
    per_account: usize,
    /// Most accounts kept.
    max_accounts: usize,
    /// An address is forgotten this long after its latest login.
    ttl_ms: u64,
}

impl KnownAddresses {
    /// An empty set with the given bounds.
    pub(super) fn new(per_account: usize, max_accounts: usize, ttl_ms: u64) -> Self {
        Self {
            accounts: HashMap::new(),
            per_account,
            max_accounts,
            ttl_ms,
        }
    }

    /// Whether `addr` logged in to `account` within the last `ttl_ms`.
    pub(super) fn contains(&self, account: &str, addr: IpAddr, now_ms: u64) -> bool {
        self.accounts.get(account).is_some_and(|list| {
            list.iter()
                .any(|&(a, at)| a == addr && now_ms < at.saturating_add(self.ttl_ms))
        })
    }

    /// Records a successful login of `account` from `addr` at `now_ms`.
    pub(super) fn remember(&mut self, account: String, addr: IpAddr, now_ms: u64) {
        if self.per_account == 0 || self.max_accounts == 0 {
            return;
        }
        if !self.accounts.contains_key(&account) && self.accounts.len() >= self.max_accounts {
            self.make_room(now_ms);
        }
        let list = self.accounts.entry(account).or_default();
        list.retain(|&(a, _)| a != addr);
        if list.len() >= self.per_account {
            list.remove(0);
        }
        list.push((addr, now_ms));
    }

    /// Drops expired addresses and empty accounts; if still full, the account whose
    /// latest login is oldest.
    fn make_room(&mut self, now_ms: u64) {
        let ttl = self.ttl_ms;
        self.accounts.retain(|_, list| {
            list.retain(|&(_, at)| now_ms < at.saturating_add(ttl));
            !list.is_empty()
        });
        if self.accounts.len() < self.max_accounts {
            return;
        }
        let oldest = self
            .accounts
            .iter()
            .min_by_key(|(_, list)| list.last().map_or(0, |&(_, at)| at))
            .map(|(k, _)| k.clone());
        if let Some(key) = oldest {
            self.accounts.remove(&key);
        }
    }

    /// Accounts held (for tests of the bounds).
    #[cfg(test)]
    pub(super) fn accounts(&self) -> usize {
        self.accounts.len()
    }

    /// Addresses held for `account` (for tests of the bounds).
    #[cfg(test)]
    pub(super) fn addresses(&self, account: &str) -> usize {
        self.accounts.get(account).map_or(0, Vec::len)
    }
}
