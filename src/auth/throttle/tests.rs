//! Unit tests for the login throttle, driven by a fake clock.

use super::*;
use std::net::{Ipv4Addr, Ipv6Addr};

const MIN: u64 = 60 * 1000;

fn ip(n: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(192, 0, 2, n))
}

/// Fails `n` times at `now` and returns the block length afterwards.
fn fail_n(t: &mut LoginThrottle, addr: IpAddr, account: &str, n: u32, now: u64) -> u64 {
    for _ in 0..n {
        t.record_failure(addr, account, now);
    }
    t.check(addr, account, now).err().map_or(0, |r| r.ms)
}

#[test]
fn five_free_failures_per_account_then_doubling() {
    let mut t = LoginThrottle::default();
    assert_eq!(fail_n(&mut t, ip(1), "alice", 5, 0), 0);
    let mut now = 0;
    for expected in [1000, 2000, 4000, 8000, 16_000] {
        assert_eq!(fail_n(&mut t, ip(1), "alice", 1, now), expected);
        // Still blocked one ms before the end, free again at the end.
        assert_eq!(
            t.check(ip(1), "alice", now + expected - 1),
            Err(RetryAfter { ms: 1 })
        );
        now += expected;
        assert_eq!(t.check(ip(1), "alice", now), Ok(()));
    }
}

#[test]
fn backoff_is_capped_at_fifteen_minutes() {
    let mut t = LoginThrottle::default();
    assert_eq!(fail_n(&mut t, ip(1), "bob", 40, 0), 15 * MIN);
    assert_eq!(backoff(u32::MAX, &ThrottlePolicy::default()), 15 * MIN);
}

#[test]
fn account_names_are_case_insensitive_and_other_accounts_unaffected() {
    let mut t = LoginThrottle::default();
    fail_n(&mut t, ip(1), "Alice", 3, 0);
    assert!(fail_n(&mut t, ip(2), "  ALICE ", 3, 0) > 0);
    assert!(
        t.check(ip(3), "alice", 0).is_err(),
        "blocked from any address"
    );
    assert_eq!(t.check(ip(3), "carol", 0), Ok(()));
}

#[test]
fn address_is_blocked_after_twenty_failures_across_accounts() {
    let mut t = LoginThrottle::default();
    let addr = IpAddr::V6(Ipv6Addr::LOCALHOST);
    for i in 0..20 {
        t.record_failure(addr, &format!("user{i}"), 0);
    }
    assert_eq!(t.check(addr, "fresh-name", 0), Ok(()));
    t.record_failure(addr, "user20", 0);
    assert_eq!(t.check(addr, "fresh-name", 0), Err(RetryAfter { ms: 1000 }));
    assert_eq!(
        t.check(ip(9), "fresh-name", 0),
        Ok(()),
        "other addresses unaffected"
    );
}

#[test]
fn entries_expire_after_a_quiet_window() {
    let mut t = LoginThrottle::default();
    assert!(fail_n(&mut t, ip(1), "dave", 7, 0) > 0);
    t.check(ip(1), "dave", 15 * MIN).expect("expired");
    assert!(t.by_account.entries.is_empty() && t.by_addr.entries.is_empty());
    // Counting starts over: five free failures again.
    assert_eq!(fail_n(&mut t, ip(1), "dave", 5, 15 * MIN), 0);
}

#[test]
fn failures_inside_the_window_keep_counting() {
    let mut t = LoginThrottle::default();
    fail_n(&mut t, ip(1), "erin", 5, 0);
    // Sixth failure 14 minutes later still counts as the sixth.
    assert_eq!(fail_n(&mut t, ip(1), "erin", 1, 14 * MIN), 1000);
}

#[test]
fn success_clears_account_and_forgives_its_own_typos() {
    let mut t = LoginThrottle::default();
    for i in 0..15 {
        t.record_failure(ip(1), &format!("victim{i}"), 0);
    }
    fail_n(&mut t, ip(1), "me", 4, 0);
    t.record_success(ip(1), "ME");
    assert!(!t.by_account.entries.contains_key("me"));
    // The 15 failures against other accounts are not forgiven.
    assert_eq!(t.by_addr.entries.get(&ip(1)).map(|e| e.failures), Some(15));
    t.record_success(ip(2), "nobody"); // unknown keys are fine
}

#[test]
fn time_going_backwards_is_harmless() {
    let mut t = LoginThrottle::default();
    let now = 10 * MIN;
    assert_eq!(fail_n(&mut t, ip(1), "frank", 6, now), 1000);
    assert_eq!(
        t.check(ip(1), "frank", now - 5 * MIN),
        Err(RetryAfter { ms: 5 * MIN + 1000 })
    );
    t.record_failure(ip(1), "frank", 0);
    assert!(t.check(ip(1), "frank", now).is_err());
    t.check(ip(1), "frank", now + 15 * MIN)
        .expect("expires relative to latest failure");
    t.check(ip(1), "frank", 0).expect("no entry left");
}

#[test]
fn memory_is_bounded_under_a_flood() {
    let policy = ThrottlePolicy {
        max_entries: 100,
        ..ThrottlePolicy::default()
    };
    let mut t = LoginThrottle::new(policy);
    // One attacked account, then a flood of random names from many addresses.
    fail_n(&mut t, ip(1), "target", 5, 0);
    for i in 0..10_000u32 {
        let addr = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i));
        t.record_failure(addr, &format!("random{i}"), 1 + u64::from(i));
        assert!(t.by_account.entries.len() <= 100 && t.by_addr.entries.len() <= 100);
    }
    // The newest keys survive eviction; the oldest went first.
    assert!(t.by_account.entries.contains_key("random9999"));
    assert!(!t.by_account.entries.contains_key("random0"));
}

#[test]
fn expired_keys_are_dropped_before_live_ones() {
    let policy = ThrottlePolicy {
        max_entries: 10,
        ..ThrottlePolicy::default()
    };
    let mut t = LoginThrottle::new(policy);
    for i in 0..9 {
        t.record_failure(ip(i), &format!("old{i}"), 0);
    }
    t.record_failure(ip(100), "live", 20 * MIN);
    t.record_failure(ip(101), "new", 20 * MIN);
    assert_eq!(t.by_account.entries.len(), 2);
    assert!(t.by_account.entries.contains_key("live"));
}

#[test]
fn long_names_are_truncated() {
    let mut t = LoginThrottle::default();
    let long = "x".repeat(10_000);
    t.record_failure(ip(1), &long, 0);
    assert!(
        t.by_account
            .entries
            .keys()
            .all(|k| k.chars().count() == 128)
    );
}

#[test]
fn retry_after_rounds_up_to_seconds() {
    assert_eq!(RetryAfter { ms: 1 }.secs_ceil(), 1);
    assert_eq!(RetryAfter { ms: 1000 }.secs_ceil(), 1);
    assert_eq!(RetryAfter { ms: 1001 }.secs_ceil(), 2);
}
