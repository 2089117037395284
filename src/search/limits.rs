//! How often one caller may search: a token bucket per agent and per API key. A
//! search reads far more than a page of conversations, so it has a budget of its own
//! below the keys' general one. Pure bookkeeping behind one mutex; the caller passes
//! the monotonic time.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::ratelimit::TokenBucket;

/// Searches a caller may make at once.
pub const SEARCH_BURST: u32 = 20;
/// Searches per second a caller may make, sustained.
pub const SEARCH_PER_SEC: u32 = 2;
/// Buckets kept before the full (idle) ones are dropped.
const MAX_ENTRIES: usize = 10_000;

/// Who searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Searcher {
    /// An agent, by id (all their console tabs share the budget).
    Agent(u64),
    /// An API key, by id.
    Key(u64),
}

/// The search budgets of every caller (one per server).
#[derive(Debug, Default)]
pub struct SearchLimits {
    buckets: Mutex<HashMap<Searcher, TokenBucket>>,
}

impl SearchLimits {
    /// Takes one search from `who`'s bucket: `Err(ms to wait)` when it is empty.
    pub fn take(&self, who: Searcher, now_ms: u64) -> Result<(), u64> {
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if buckets.len() >= MAX_ENTRIES {
            buckets.retain(|_, b| b.retry_after_ms(now_ms) > 0);
        }
        let bucket = buckets
            .entry(who)
            .or_insert_with(|| TokenBucket::new(SEARCH_BURST, SEARCH_PER_SEC, now_ms));
        match bucket.try_take(now_ms) {
            true => Ok(()),
            false => Err(bucket.retry_after_ms(now_ms).max(1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_caller_gets_a_burst_then_waits() {
        let limits = SearchLimits::default();
        for _ in 0..SEARCH_BURST {
            assert!(limits.take(Searcher::Agent(1), 0).is_ok());
        }
        let wait = limits.take(Searcher::Agent(1), 0).expect_err("empty");
        assert!(wait > 0 && wait <= 1000 / u64::from(SEARCH_PER_SEC));
        assert!(
            limits.take(Searcher::Key(1), 0).is_ok(),
            "a key is another caller"
        );
        assert!(limits.take(Searcher::Agent(1), wait).is_ok());
    }
}
