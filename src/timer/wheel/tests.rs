//! Unit tests for the timing wheel, including a randomized comparison with a BTreeMap model.

use super::*;
use std::collections::{BTreeMap, HashMap};

/// Advances `wheel` to `now_ms` and returns what fired.
fn fire<T>(wheel: &mut TimingWheel<T>, now_ms: u64) -> Vec<T> {
    let mut fired = Vec::new();
    wheel.advance(now_ms, &mut fired);
    fired
}

/// Asserts the fired `(id, deadline)` pairs are due at `now_ms` and come in tick order.
fn assert_due_in_order(fired: &[(u64, u64)], now_ms: u64, tick_ms: u64) {
    for &(id, deadline) in fired {
        assert!(
            deadline <= now_ms,
            "timer {id} due {deadline} fired early at {now_ms}"
        );
    }
    let ticks: Vec<u64> = fired.iter().map(|&(_, d)| d / tick_ms).collect();
    assert!(ticks.is_sorted(), "fired out of tick order: {fired:?}");
}

#[test]
fn fires_at_deadline_never_early() {
    let mut wheel = TimingWheel::new(100, 0);
    wheel.insert(1_050, "mid-tick");
    wheel.insert(1_100, "on-tick");
    assert!(fire(&mut wheel, 1_049).is_empty());
    assert_eq!(fire(&mut wheel, 1_050), ["mid-tick"]);
    assert!(fire(&mut wheel, 1_099).is_empty());
    assert_eq!(fire(&mut wheel, 1_100), ["on-tick"]);
    assert!(fire(&mut wheel, 10_000).is_empty());
}

#[test]
fn fires_earlier_deadlines_first_across_ticks() {
    let mut wheel = TimingWheel::new(100, 0);
    for deadline in [500, 100, 300, 250, 200] {
        wheel.insert(deadline, deadline);
    }
    assert_eq!(fire(&mut wheel, 1_000), [100, 200, 250, 300, 500]);
    // Overdue timers land in the current slot but still come out by deadline.
    for deadline in [1_010, 950, 10, 1_000] {
        wheel.insert(deadline, deadline);
    }
    let fired = fire(&mut wheel, 1_010);
    assert_eq!(fired[..2], [10, 950]);
    assert_eq!(fired.len(), 4);
}

#[test]
fn cancel_before_fire_returns_value_and_it_never_fires() {
    let mut wheel = TimingWheel::new(100, 0);
    let keep = wheel.insert(300, "keep");
    let drop = wheel.insert(300, "drop");
    assert_eq!(wheel.cancel(drop), Some("drop"));
    assert_eq!(fire(&mut wheel, 1_000), ["keep"]);
    assert_eq!(wheel.cancel(keep), None);
}

#[test]
fn stale_keys_cannot_touch_reused_entries() {
    let mut wheel = TimingWheel::new(100, 0);
    let _anchor = wheel.insert(1_000_000, "anchor"); // keeps the slab from being compacted
    let cancelled = wheel.insert(200, "a");
    assert_eq!(wheel.cancel(cancelled), Some("a"));
    assert_eq!(wheel.cancel(cancelled), None);
    let reused = wheel.insert(200, "b");
    assert_eq!(reused.index, cancelled.index, "the freed entry is reused");
    assert_eq!(wheel.cancel(cancelled), None);
    assert_eq!(fire(&mut wheel, 200), ["b"]);
    assert_eq!(wheel.cancel(reused), None, "fired key is stale");
    let again = wheel.insert(300, "c");
    assert_eq!(again.index, reused.index);
    assert_eq!(wheel.cancel(reused), None);
    assert_eq!(wheel.cancel(again), Some("c"));
    assert_eq!(wheel.len(), 1);
}

#[test]
fn emptied_wheel_gives_memory_back_and_old_keys_stay_stale() {
    let mut wheel = TimingWheel::new(100, 0);
    let keys: Vec<TimerKey> = (0..100_000u64)
        .map(|i| wheel.insert(i % 5_000, i))
        .collect();
    assert_eq!(fire(&mut wheel, 5_000).len(), 100_000);
    assert!(wheel.entries.capacity() <= KEEP_CAPACITY);
    let fresh = wheel.insert(6_000, 7);
    assert_eq!(fresh.index, keys[0].index);
    assert_eq!(wheel.cancel(keys[0]), None);
    assert_eq!(fire(&mut wheel, 6_000), [7]);
}

#[test]
fn many_timers_half_cancelled_others_fire_exactly_once() {
    const COUNT: u64 = 100_000;
    let mut wheel = TimingWheel::new(100, 0);
    // Spread over ten minutes: more than one revolution of the wheel.
    let keys: Vec<TimerKey> = (0..COUNT)
        .map(|i| wheel.insert(i * 7_919 % 600_000, (i, i * 7_919 % 600_000)))
        .collect();
    for (i, key) in keys.iter().enumerate().filter(|(i, _)| i % 2 == 1) {
        assert_eq!(wheel.cancel(*key).map(|(id, _)| id), Some(i as u64));
    }
    assert_eq!(wheel.len(), (COUNT / 2) as usize);
    let mut times_fired = vec![0u8; COUNT as usize];
    let mut previous = 0;
    for now in (0..=600_000).step_by(100) {
        let fired = fire(&mut wheel, now);
        assert_due_in_order(&fired, now, 100);
        for (id, deadline) in fired {
            assert!(deadline > previous || now == 0, "timer {id} fired late");
            times_fired[id as usize] += 1;
        }
        previous = now;
    }
    for (id, times) in times_fired.iter().enumerate() {
        assert_eq!(*times, u8::from(id % 2 == 0), "timer {id}");
    }
    assert!(wheel.is_empty());
}

#[test]
fn far_future_deadlines_fire_on_time() {
    const DAY_MS: u64 = 24 * 60 * 60 * 1_000;
    let start = 1_234_567;
    let mut wheel = TimingWheel::new(100, start);
    wheel.insert(start + DAY_MS, "idle close");
    wheel.insert(start + DAY_MS / 2 + 30, "half day");
    wheel.insert(start + 409_600, "one revolution");
    let mut seen = Vec::new();
    for now in (start..=start + DAY_MS).step_by(100) {
        for what in fire(&mut wheel, now) {
            seen.push((now - start, what));
        }
    }
    let expected = [
        (409_600, "one revolution"),
        (DAY_MS / 2 + 100, "half day"), // first 100 ms step at or after the deadline
        (DAY_MS, "idle close"),
    ];
    assert_eq!(seen, expected);
}

#[test]
fn big_time_jump_fires_everything_in_one_bounded_pass() {
    let mut wheel = TimingWheel::new(1, 0);
    for i in 0..10_000u64 {
        wheel.insert((i * 104_729) % 3_600_000, (i, (i * 104_729) % 3_600_000));
    }
    wheel.insert(3_600_001, (u64::MAX, 3_600_001));
    let fired = fire(&mut wheel, 3_600_000); // an hour suspended, 3.6 million ticks
    assert_eq!(fired.len(), 10_000);
    assert_due_in_order(&fired, 3_600_000, 1);
    assert!(wheel.slots_visited <= SLOTS as u64, "looped per tick");
    assert_eq!(wheel.len(), 1);
    let visited = wheel.slots_visited;
    assert_eq!(fire(&mut wheel, u64::MAX).len(), 1);
    assert!(wheel.slots_visited - visited <= SLOTS as u64);
    assert!(fire(&mut wheel, u64::MAX).is_empty());
}

#[test]
fn past_deadlines_fire_on_next_advance() {
    let mut wheel = TimingWheel::new(100, 5_000);
    wheel.insert(0, "ancient");
    wheel.insert(4_999, "just missed");
    wheel.insert(5_000, "now");
    let mut fired = fire(&mut wheel, 5_000);
    assert_eq!(fired.remove(0), "ancient");
    fired.sort_unstable();
    assert_eq!(fired, ["just missed", "now"]);
}

#[test]
fn advancing_backwards_is_a_no_op() {
    let mut wheel = TimingWheel::new(100, 10_000);
    wheel.insert(9_000, 1);
    assert!(fire(&mut wheel, 8_000).is_empty());
    assert_eq!(wheel.len(), 1);
    assert_eq!(fire(&mut wheel, 10_000), [1]);
}

#[test]
fn len_tracks_pending_timers() {
    let mut wheel = TimingWheel::new(100, 0);
    assert!(wheel.is_empty());
    let a = wheel.insert(100, ());
    wheel.insert(200, ());
    wheel.insert(300, ());
    assert_eq!(wheel.len(), 3);
    wheel.cancel(a);
    wheel.cancel(a);
    assert_eq!(wheel.len(), 2);
    fire(&mut wheel, 200);
    assert_eq!(wheel.len(), 1);
    fire(&mut wheel, 300);
    assert!(wheel.is_empty());
}

/// SplitMix64: a tiny deterministic PRNG, enough to shuffle test operations.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform-enough value in `0..bound` (`bound > 0`).
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

/// Runs random inserts, cancels and advances against a BTreeMap of `(deadline, id)`.
fn compare_with_model(seed: u64, tick_ms: u64, start_ms: u64) {
    let mut rng = SplitMix(seed);
    let mut wheel = TimingWheel::new(tick_ms, start_ms);
    let mut model: BTreeMap<(u64, u64), ()> = BTreeMap::new();
    let mut live: HashMap<u64, (TimerKey, u64)> = HashMap::new();
    let mut live_ids: Vec<u64> = Vec::new();
    let mut stale: Vec<TimerKey> = Vec::new();
    let mut now = start_ms;
    for id in 0..20_000u64 {
        assert_eq!(wheel.len(), model.len());
        match rng.below(100) {
            0..40 => {
                let deadline = match rng.below(10) {
                    0 => now.saturating_sub(rng.below(5_000)),
                    1..7 => now + rng.below(3_000),
                    7..9 => now + rng.below(1_000_000),
                    _ => now + rng.below(86_400_000),
                };
                let key = wheel.insert(deadline, (id, deadline));
                model.insert((deadline, id), ());
                live.insert(id, (key, deadline));
                live_ids.push(id);
            }
            40..60 if !live_ids.is_empty() => {
                let victim = live_ids.swap_remove(rng.below(live_ids.len() as u64) as usize);
                let Some((key, deadline)) = live.remove(&victim) else {
                    continue; // already fired
                };
                assert_eq!(wheel.cancel(key), Some((victim, deadline)));
                model.remove(&(deadline, victim));
                stale.push(key);
            }
            60..65 if !stale.is_empty() => {
                let key = stale[rng.below(stale.len() as u64) as usize];
                assert_eq!(wheel.cancel(key), None);
            }
            _ => {
                let target = match rng.below(100) {
                    0 => now.saturating_sub(rng.below(1_000)),
                    1..5 => now + rng.below(100_000_000),
                    5..20 => now + rng.below(100_000),
                    _ => now + rng.below(500),
                };
                let fired = fire(&mut wheel, target);
                if target < now {
                    assert!(fired.is_empty(), "advancing backwards fired {fired:?}");
                    continue;
                }
                now = target;
                let still_pending = model.split_off(&(now + 1, 0));
                let mut expected: Vec<u64> = model.keys().map(|&(_, id)| id).collect();
                model = still_pending;
                assert_due_in_order(&fired, now, tick_ms);
                let mut got: Vec<u64> = fired.iter().map(|&(id, _)| id).collect();
                got.sort_unstable();
                expected.sort_unstable();
                assert_eq!(got, expected, "seed {seed} at {now}");
                for id in got {
                    let (key, _) = live.remove(&id).expect("fired timer was live");
                    stale.push(key);
                }
            }
        }
    }
    assert_eq!(fire(&mut wheel, u64::MAX).len(), model.len());
    assert!(wheel.is_empty());
}

#[test]
fn randomized_against_btreemap_model() {
    for (seed, tick_ms, start_ms) in [(1, 100, 0), (2, 1, 17), (3, 7, 123_456), (4, 1_000, 99)] {
        compare_with_model(seed, tick_ms, start_ms);
    }
}
