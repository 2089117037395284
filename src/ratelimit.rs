//! Token-bucket rate limiting in integer arithmetic; pure (the caller passes the time).
//!
//! The level is kept in milli-tokens: a rate of `r` tokens per second adds exactly
//! `r` milli-tokens per millisecond, so refilling never accumulates rounding drift.

/// Milli-tokens per token.
const MILLI: u64 = 1000;

/// A token bucket: holds up to `capacity` tokens, refills `refill_per_sec` per
/// second, starts full. 24 bytes, cheap enough for one per connection.
///
/// A clock that goes backwards neither refills nor drains the bucket; refilling
/// resumes once time passes the latest instant seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenBucket {
    /// Current level in milli-tokens, at most `capacity * 1000`.
    level_milli: u64,
    /// Latest time seen, in milliseconds.
    last_ms: u64,
    /// Most tokens the bucket holds.
    capacity: u32,
    /// Tokens added per second.
    refill_per_sec: u32,
}

impl TokenBucket {
    /// A full bucket of `capacity` tokens refilling at `refill_per_sec` tokens per second.
    pub fn new(capacity: u32, refill_per_sec: u32, now_ms: u64) -> Self {
        Self {
            level_milli: u64::from(capacity) * MILLI,
            last_ms: now_ms,
            capacity,
            refill_per_sec,
        }
    }

    /// Takes one token if available; `false` means the caller is over the limit.
    pub fn try_take(&mut self, now_ms: u64) -> bool {
        self.level_milli = self.level_at(now_ms);
        self.last_ms = self.last_ms.max(now_ms);
        if self.level_milli >= MILLI {
            self.level_milli -= MILLI;
            true
        } else {
            false
        }
    }

    /// Milliseconds until [`try_take`](Self::try_take) would succeed: 0 if a token
    /// is available now, `u64::MAX` if the bucket can never yield one (zero
    /// capacity or zero refill when empty).
    pub fn retry_after_ms(&self, now_ms: u64) -> u64 {
        let level = self.level_at(now_ms);
        if level >= MILLI {
            return 0;
        }
        if self.capacity == 0 || self.refill_per_sec == 0 {
            return u64::MAX;
        }
        let missing = MILLI - level;
        // Time is measured from the latest instant seen, which may be after now_ms.
        let wait = missing.div_ceil(u64::from(self.refill_per_sec));
        self.last_ms
            .max(now_ms)
            .saturating_add(wait)
            .saturating_sub(now_ms)
    }

    /// The level refilled up to `now_ms`, without changing the bucket.
    fn level_at(&self, now_ms: u64) -> u64 {
        let elapsed = now_ms.saturating_sub(self.last_ms);
        let added = elapsed.saturating_mul(u64::from(self.refill_per_sec));
        self.level_milli
            .saturating_add(added)
            .min(u64::from(self.capacity) * MILLI)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_in_24_bytes() {
        assert!(std::mem::size_of::<TokenBucket>() <= 24);
    }

    #[test]
    fn starts_full_then_refuses() {
        let mut b = TokenBucket::new(3, 1, 1_000);
        assert!(b.try_take(1_000) && b.try_take(1_000) && b.try_take(1_000));
        assert!(!b.try_take(1_000));
        assert_eq!(b.retry_after_ms(1_000), 1_000);
        assert_eq!(b.retry_after_ms(1_400), 600);
        assert!(!b.try_take(1_999));
        assert!(b.try_take(2_000));
    }

    #[test]
    fn refill_is_exact_without_drift() {
        // 3 tokens per second: one token every 333.33 ms, never rounded away.
        let mut b = TokenBucket::new(2, 3, 0);
        assert!(b.try_take(0) && b.try_take(0));
        let mut taken = 0;
        for ms in 1..=60_000 {
            if b.try_take(ms) {
                taken += 1;
            }
        }
        assert_eq!(taken, 180);
    }

    #[test]
    fn never_exceeds_capacity() {
        let mut b = TokenBucket::new(5, 100, 0);
        // A long idle period (even u64::MAX ms) only fills it to capacity.
        let later = u64::MAX - 10;
        for _ in 0..5 {
            assert!(b.try_take(later));
        }
        assert!(!b.try_take(later));
    }

    #[test]
    fn retry_after_is_zero_when_available_and_accurate_when_not() {
        let mut b = TokenBucket::new(2, 4, 0);
        assert_eq!(b.retry_after_ms(0), 0);
        assert!(b.try_take(0) && b.try_take(0));
        let wait = b.retry_after_ms(0);
        assert_eq!(wait, 250);
        assert!(!b.try_take(wait - 1));
        assert!(b.try_take(wait));
    }

    #[test]
    fn time_going_backwards_is_harmless() {
        let mut b = TokenBucket::new(1, 1, 10_000);
        assert!(b.try_take(10_000));
        // The clock jumps back: no refill, no panic, no extra tokens later.
        assert!(!b.try_take(5_000));
        assert_eq!(b.retry_after_ms(5_000), 6_000);
        assert!(!b.try_take(10_999));
        assert!(b.try_take(11_000));
        assert!(!b.try_take(11_000));
    }

    #[test]
    fn degenerate_buckets_do_not_panic() {
        let mut empty = TokenBucket::new(0, 10, 0);
        assert!(!empty.try_take(1_000_000));
        assert_eq!(empty.retry_after_ms(0), u64::MAX);
        let mut no_refill = TokenBucket::new(1, 0, 0);
        assert!(no_refill.try_take(0));
        assert!(!no_refill.try_take(u64::MAX));
        assert_eq!(no_refill.retry_after_ms(0), u64::MAX);
        let mut huge = TokenBucket::new(u32::MAX, u32::MAX, u64::MAX);
        assert!(huge.try_take(u64::MAX));
        assert_eq!(huge.retry_after_ms(0), 0);
    }
}
