//! How many new visitors (hellos without a known token) one client address may create
//! per minute. Pure: the caller passes the time.
//!
//! One [`TokenBucket`] per address (IPv6 addresses by their /64, which one client
//! usually holds whole). The bucket counts in minutes: it is fed the time in units of
//! 60 ms, so its "per second" means per minute and `per_minute` can be below 60.
//! The map holds at most `max_addresses` entries; an address unseen for a minute has a
//! full bucket, the same as no entry, and is dropped when room is needed; if none is,
//! the least recently seen address makes room.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::ratelimit::TokenBucket;

/// A minute in milliseconds.
const MINUTE_MS: u64 = 60_000;
/// Milliseconds per unit of the buckets' clock (a bucket's second is then a minute).
const UNIT_MS: u64 = MINUTE_MS / 1000;

/// Per-address budgets for creating visitors.
#[derive(Debug)]
pub struct NewVisitorLimit {
    /// New visitors per address per minute (also the burst); 0 = no limit.
    per_minute: u32,
    /// Most addresses remembered.
    max_addresses: usize,
    /// Budget and last use (ms) per address.
    buckets: HashMap<IpAddr, (TokenBucket, u64)>,
}

impl NewVisitorLimit {
    /// `per_minute` new visitors per address (0 = unlimited), remembering at most
    /// `max_addresses` addresses.
    pub fn new(per_minute: u32, max_addresses: usize) -> NewVisitorLimit {
        NewVisitorLimit {
            per_minute,
            max_addresses: max_addresses.max(1),
            buckets: HashMap::new(),
        }
    }

    /// Takes one new visitor from `address`'s budget: `Ok` if allowed, else
    /// `Err(seconds)` until the next one is.
    pub fn try_take(&mut self, address: IpAddr, now_ms: u64) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let key = bucket_key(address);
        // The bucket's clock: 1 unit = 60 ms, so 1,000 units ("a second") is a minute.
        let clock = now_ms / UNIT_MS;
        if !self.buckets.contains_key(&key) && self.buckets.len() >= self.max_addresses {
            self.make_room(now_ms);
        }
        let per_minute = self.per_minute;
        let (bucket, last) = self
            .buckets
            .entry(key)
            .or_insert_with(|| (TokenBucket::new(per_minute, per_minute, clock), now_ms));
        *last = now_ms;
        if bucket.try_take(clock) {
            Ok(())
        } else {
            let wait_units = bucket.retry_after_ms(clock);
            Err(wait_units.saturating_mul(UNIT_MS).div_ceil(1000).max(1))
        }
    }

    /// Addresses remembered now.
    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    /// True when no address is remembered.
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    fn make_room(&mut self, now_ms: u64) {
        self.buckets
            .retain(|_, (_, last)| now_ms.saturating_sub(*last) < MINUTE_MS);
        if self.buckets.len() >= self.max_addresses
            && let Some(oldest) = self
                .buckets
                .iter()
                .min_by_key(|(_, (_, last))| *last)
                .map(|(k, _)| *k)
        {
            self.buckets.remove(&oldest);
        }
    }
}

/// The key an address is counted under: IPv4 as is, IPv6 by its /64.
pub fn bucket_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn an_address_gets_its_budget_per_minute_and_no_more() {
        let mut limit = NewVisitorLimit::new(30, 100);
        let a = ip("192.0.2.1");
        for i in 0..30 {
            assert_eq!(limit.try_take(a, 1_000 + i), Ok(()), "visitor {i}");
        }
        let wait = limit.try_take(a, 1_100).expect_err("31st in a minute");
        assert!((1..=2).contains(&wait), "one more every 2 s: {wait}");
        // Another address is not affected.
        assert_eq!(limit.try_take(ip("192.0.2.2"), 1_100), Ok(()));
        // Refills at 30 a minute: one more after 2 s, a full budget after a minute.
        assert_eq!(limit.try_take(a, 3_200), Ok(()));
        assert!(limit.try_take(a, 3_300).is_err());
        for i in 0..30 {
            assert_eq!(limit.try_take(a, 70_000 + i), Ok(()), "after a minute {i}");
        }
    }

    #[test]
    fn ipv6_counts_by_slash_64_and_zero_means_unlimited() {
        let mut limit = NewVisitorLimit::new(2, 100);
        assert!(limit.try_take(ip("2001:db8::1"), 0).is_ok());
        assert!(limit.try_take(ip("2001:db8::2:3"), 0).is_ok());
        assert!(
            limit.try_take(ip("2001:db8::ffff:1"), 0).is_err(),
            "same /64"
        );
        assert!(
            limit.try_take(ip("2001:db8:0:1::1"), 0).is_ok(),
            "another /64"
        );
        assert!(limit.try_take(ip("::ffff:192.0.2.9"), 0).is_ok());
        assert!(limit.try_take(ip("192.0.2.9"), 0).is_ok());
        assert!(
            limit.try_take(ip("192.0.2.9"), 0).is_err(),
            "mapped = plain v4"
        );
        let mut open = NewVisitorLimit::new(0, 1);
        for i in 0..1000 {
            assert!(open.try_take(ip("192.0.2.1"), i).is_ok());
        }
        assert!(open.is_empty());
    }

    #[test]
    fn the_map_stays_bounded() {
        let mut limit = NewVisitorLimit::new(1, 50);
        for i in 0..1000u32 {
            let address = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            assert!(limit.try_take(address, u64::from(i)).is_ok());
            assert!(limit.len() <= 50);
        }
        // Idle addresses are dropped first: a busy one keeps its (empty) budget.
        let busy = ip("192.0.2.77");
        assert!(limit.try_take(busy, 100_000).is_ok());
        for i in 0..49u32 {
            let address = IpAddr::V4(std::net::Ipv4Addr::from(0x0b00_0000 + i));
            assert!(limit.try_take(address, 100_001 + u64::from(i)).is_ok());
        }
        assert!(limit.try_take(busy, 100_100).is_err());
    }
}
