//! Unit tests of the login throttle's rules (numbered as in the module docs), driven by
//! a fake clock.

use super::table::backoff;
use super::*;
use std::net::{Ipv4Addr, Ipv6Addr};

const MIN: u64 = 60 * 1000;
const DAY: u64 = 24 * 60 * MIN;

fn ip(n: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(192, 0, 2, n))
}

fn from(n: u8) -> Source {
    Source::addr(ip(n))
}

fn device(n: u8, d: u8) -> Source {
    Source {
        addr: ip(n),
        device: Some([d; 16]),
    }
}

/// Fails `n` times at `now` and returns the block length afterwards.
fn fail_n(t: &mut LoginThrottle, source: Source, account: &str, n: u32, now: u64) -> u64 {
    for _ in 0..n {
        t.record_failure(&source, account, now);
    }
    t.check(&source, account, now).err().map_or(0, |r| r.ms)
}

#[test]
fn rule1_five_free_failures_per_pair_then_doubling() {
    let mut t = LoginThrottle::default();
    assert_eq!(fail_n(&mut t, from(1), "alice", 5, 0), 0);
    let mut now = 0;
    for expected in [1000, 2000, 4000, 8000, 16_000] {
        assert_eq!(fail_n(&mut t, from(1), "alice", 1, now), expected);
        // Still blocked one ms before the end, free again at the end.
        assert_eq!(
            t.check(&from(1), "alice", now + expected - 1),
            Err(RetryAfter { ms: 1 })
        );
        now += expected;
        assert_eq!(t.check(&from(1), "alice", now), Ok(()));
    }
}

#[test]
fn rule1_backoff_is_capped_at_fifteen_minutes() {
    let mut t = LoginThrottle::default();
    assert_eq!(fail_n(&mut t, from(1), "bob", 40, 0), 15 * MIN);
    assert_eq!(
        backoff(u32::MAX, &ThrottlePolicy::default().timing()),
        15 * MIN
    );
}

#[test]
fn rule1_a_stranger_only_slows_themselves_down() {
    let mut t = LoginThrottle::default();
    assert!(fail_n(&mut t, from(1), "Alice", 12, 0) > 0);
    assert!(
        t.check(&from(1), "  ALICE ", 0).is_err(),
        "names are case-insensitive"
    );
    assert_eq!(t.check(&from(2), "alice", 0), Ok(()), "the owner elsewhere");
    assert_eq!(t.check(&from(1), "carol", 0), Ok(()), "other accounts");
}

#[test]
fn rule2_address_is_blocked_after_twenty_failures_across_accounts() {
    let mut t = LoginThrottle::default();
    let addr = Source::addr(IpAddr::V6(Ipv6Addr::LOCALHOST));
    for i in 0..20 {
        t.record_failure(&addr, &format!("user{i}"), 0);
    }
    assert_eq!(t.check(&addr, "fresh-name", 0), Ok(()));
    t.record_failure(&addr, "user20", 0);
    assert_eq!(
        t.check(&addr, "fresh-name", 0),
        Err(RetryAfter { ms: 1000 })
    );
    assert_eq!(
        t.check(&from(9), "fresh-name", 0),
        Ok(()),
        "other addresses"
    );
}

#[test]
fn rule2_a_device_cookie_is_not_slowed_by_a_neighbour() {
    let mut t = LoginThrottle::default();
    for i in 0..30 {
        t.record_failure(&from(1), &format!("user{i}"), 0);
    }
    t.record_failure(&from(1), "owner", 0);
    assert!(t.check(&from(1), "owner", 0).is_err());
    assert_eq!(t.check(&device(1, 7), "owner", 0), Ok(()));
    // The device has its own rule-1 allowance.
    assert_eq!(fail_n(&mut t, device(1, 7), "owner", 5, 0), 0);
    assert_eq!(fail_n(&mut t, device(1, 7), "owner", 1, 0), 1000);
    assert_eq!(t.check(&device(1, 8), "owner", 0), Ok(()));
}

#[test]
fn rule3_many_addresses_slow_unknown_sources_only() {
    let mut t = LoginThrottle::default();
    t.record_success(&from(200), "owner", 0);
    // Six addresses, five guesses each: thirty, all free.
    for n in 1..=6 {
        assert_eq!(fail_n(&mut t, from(n), "owner", 5, 0), 0);
    }
    assert_eq!(t.check(&from(7), "owner", 0), Ok(()));
    t.record_failure(&from(7), "owner", 0);
    assert_eq!(t.check(&from(8), "owner", 0), Err(RetryAfter { ms: 1000 }));
    assert_eq!(t.check(&from(200), "owner", 0), Ok(()), "known address");
    assert_eq!(t.check(&device(9, 1), "owner", 0), Ok(()), "known device");
    assert_eq!(t.check(&from(8), "someone-else", 0), Ok(()));
    // Failures from known sources do not feed the account-wide count.
    let mut t = LoginThrottle::default();
    t.record_success(&from(200), "owner", 0);
    fail_n(&mut t, from(200), "owner", 40, 0);
    fail_n(&mut t, device(3, 3), "owner", 40, 0);
    assert_eq!(t.check(&from(8), "owner", 0), Ok(()));
}

#[test]
fn rule3_one_address_cannot_trip_the_account_guard() {
    let mut t = LoginThrottle::default();
    // A patient guesser who always waits out their block, for a day.
    let mut now = 0;
    let mut guesses = 0;
    while now < DAY {
        match t.check(&from(1), "owner", now) {
            Ok(()) => {
                t.record_failure(&from(1), "owner", now);
                guesses += 1;
            }
            Err(wait) => now += wait.ms,
        }
    }
    assert!(guesses > 50, "{guesses}");
    assert_eq!(t.check(&from(2), "owner", now), Ok(()));
}

#[test]
fn rule4_known_addresses_are_forgotten_after_thirty_days() {
    let mut t = LoginThrottle::default();
    t.record_success(&from(200), "owner", 0);
    assert!(t.is_known(&from(200), "owner", 30 * DAY - 1));
    assert!(!t.is_known(&from(200), "owner", 30 * DAY));
    assert!(!t.is_known(&from(200), "other", 0), "per account");
}

#[test]
fn rule4_known_addresses_are_bounded() {
    let policy = ThrottlePolicy {
        max_entries: 50,
        ..ThrottlePolicy::default()
    };
    let mut t = LoginThrottle::new(policy);
    for i in 0..=255u8 {
        t.record_success(&from(i), "busy", u64::from(i));
    }
    assert_eq!(t.known.addresses("busy"), 16);
    assert!(t.is_known(&from(255), "busy", 300), "newest kept");
    assert!(!t.is_known(&from(0), "busy", 300), "oldest dropped");
    for i in 0..1000u64 {
        t.record_success(&from(1), &format!("account{i}"), 1000 + i);
        assert!(t.known.accounts() <= 50);
    }
    assert!(t.is_known(&from(1), "account999", 3000));
}

#[test]
fn rule6_success_forgives_own_typos_only_and_keeps_the_account_guard() {
    let mut t = LoginThrottle::default();
    for i in 0..15 {
        t.record_failure(&from(1), &format!("victim{i}"), 0);
    }
    fail_n(&mut t, from(1), "me", 4, 0);
    t.record_success(&from(1), "ME", 0);
    assert!(t.by_pair.entries.keys().all(|(a, _)| a != "me"));
    // The 15 failures against other accounts are not forgiven.
    assert_eq!(t.by_addr.entries.get(&ip(1)).map(|e| e.failures), Some(15));
    t.record_success(&from(2), "nobody", 0); // unknown keys are fine
    // The distributed count survives the owner's success.
    for n in 10..17 {
        fail_n(&mut t, from(n), "shop", 5, 0);
    }
    t.record_success(&from(3), "shop", 0);
    assert!(t.check(&from(4), "shop", 0).is_err());
    assert_eq!(t.check(&from(3), "shop", 0), Ok(()));
}

#[test]
fn rule7_entries_expire_after_a_quiet_window() {
    let mut t = LoginThrottle::default();
    assert!(fail_n(&mut t, from(1), "dave", 7, 0) > 0);
    t.check(&from(1), "dave", 15 * MIN).expect("expired");
    assert!(t.by_pair.entries.is_empty() && t.by_addr.entries.is_empty());
    assert!(t.by_account.entries.is_empty());
    // Counting starts over: five free failures again.
    assert_eq!(fail_n(&mut t, from(1), "dave", 5, 15 * MIN), 0);
    // A sixth failure 14 minutes after the fifth still counts as the sixth.
    assert_eq!(fail_n(&mut t, from(1), "dave", 1, 29 * MIN), 1000);
}

#[test]
fn rule7_time_going_backwards_is_harmless() {
    let mut t = LoginThrottle::default();
    let now = 10 * MIN;
    assert_eq!(fail_n(&mut t, from(1), "frank", 6, now), 1000);
    assert_eq!(
        t.check(&from(1), "frank", now - 5 * MIN),
        Err(RetryAfter { ms: 5 * MIN + 1000 })
    );
    t.record_failure(&from(1), "frank", 0);
    assert!(t.check(&from(1), "frank", now).is_err());
    t.check(&from(1), "frank", now + 15 * MIN)
        .expect("expires relative to latest failure");
    t.check(&from(1), "frank", 0).expect("no entry left");
}

#[test]
fn rule8_memory_is_bounded_under_a_flood() {
    let policy = ThrottlePolicy {
        max_entries: 100,
        ..ThrottlePolicy::default()
    };
    let mut t = LoginThrottle::new(policy);
    fail_n(&mut t, from(1), "target", 5, 0);
    for i in 0..10_000u32 {
        let source = Source::addr(IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i)));
        t.record_failure(&source, &format!("random{i}"), 1 + u64::from(i));
        assert!(t.by_pair.entries.len() <= 100);
        assert!(t.by_account.entries.len() <= 100 && t.by_addr.entries.len() <= 100);
    }
    // The newest keys survive eviction; the oldest went first.
    assert!(t.by_account.entries.contains_key("random9999"));
    assert!(!t.by_account.entries.contains_key("random0"));
}

#[test]
fn rule8_expired_keys_are_dropped_before_live_ones() {
    let policy = ThrottlePolicy {
        max_entries: 10,
        ..ThrottlePolicy::default()
    };
    let mut t = LoginThrottle::new(policy);
    for i in 0..9 {
        t.record_failure(&from(i), &format!("old{i}"), 0);
    }
    t.record_failure(&from(100), "live", 20 * MIN);
    t.record_failure(&from(101), "new", 20 * MIN);
    assert_eq!(t.by_account.entries.len(), 2);
    assert!(t.by_account.entries.contains_key("live"));
}

#[test]
fn long_names_are_truncated() {
    let mut t = LoginThrottle::default();
    t.record_failure(&from(1), &"x".repeat(10_000), 0);
    assert!(
        t.by_account
            .entries
            .keys()
            .all(|k| k.chars().count() == 128)
    );
}

#[test]
fn ipv6_addresses_count_by_their_slash_64() {
    let a: IpAddr = "2001:db8:1:2::1".parse().expect("ip");
    let b: IpAddr = "2001:db8:1:2:ffff:1:2:3".parse().expect("ip");
    let c: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
    assert_eq!(addr_key(a), addr_key(b));
    assert_ne!(addr_key(a), addr_key(c));
    let mapped: IpAddr = "::ffff:192.0.2.1".parse().expect("ip");
    assert_eq!(addr_key(mapped), ip(1));
    let mut t = LoginThrottle::default();
    fail_n(&mut t, Source::addr(a), "owner", 6, 0);
    assert!(t.check(&Source::addr(b), "owner", 0).is_err());
    assert_eq!(t.check(&Source::addr(c), "owner", 0), Ok(()));
}

#[test]
fn the_setup_policy_has_no_account_wide_guard() {
    let mut t = LoginThrottle::new(ThrottlePolicy::setup_code());
    for n in 1..=100 {
        fail_n(&mut t, from(n), "setup", 5, 0);
    }
    assert_eq!(t.check(&from(101), "setup", 0), Ok(()));
    assert!(
        fail_n(&mut t, from(1), "setup", 1, 0) > 0,
        "per address still"
    );
}

/// The most guesses one address can make in a day under the setup policy, over
/// strategies "guess k times past the free ones, then wait for the key to be
/// forgotten" (k = 0 … 20) and "always guess as soon as allowed". The figure is
/// quoted in `new_setup_code`'s entropy comment.
#[test]
fn the_setup_policy_allows_about_1100_guesses_a_day_per_address() {
    let policy = ThrottlePolicy::setup_code();
    let mut best = 0;
    for k in (0..=20).map(Some).chain([None]) {
        let mut t = LoginThrottle::new(policy.clone());
        let (mut now, mut guesses, mut burst) = (0, 0u32, 0u32);
        while now < DAY {
            let limit = k.map(|k| policy.free_per_pair + k);
            if limit.is_some_and(|l| burst >= l) {
                now += policy.window_ms; // sit still until the key is forgotten
                burst = 0;
                continue;
            }
            match t.check(&from(1), "setup", now) {
                Ok(()) => {
                    t.record_failure(&from(1), "setup", now);
                    guesses += 1;
                    burst += 1;
                }
                Err(wait) => now += wait.ms,
            }
        }
        best = best.max(guesses);
    }
    assert!((1000..1200).contains(&best), "{best} guesses a day");
}

#[test]
fn retry_after_rounds_up_to_seconds() {
    assert_eq!(RetryAfter { ms: 1 }.secs_ceil(), 1);
    assert_eq!(RetryAfter { ms: 1000 }.secs_ceil(), 1);
    assert_eq!(RetryAfter { ms: 1001 }.secs_ceil(), 2);
}
