//! When a failed delivery is tried again: a fixed schedule that spreads 11 attempts
//! over about 24 hours, with a little jitter per job so many failures at once do not
//! all come back in the same second. Documented in `docs/WEBHOOKS.md` ("Retries").

/// Waits after the 1st, 2nd, … failed attempt. After the last one, the delivery is
/// given up. Sum: 85,355 s, 23 h 42 min.
pub const DELAYS_MS: [u64; 10] = [
    5_000,      // 5 s
    30_000,     // 30 s
    120_000,    // 2 min
    600_000,    // 10 min
    1_800_000,  // 30 min
    3_600_000,  // 1 h
    7_200_000,  // 2 h
    14_400_000, // 4 h
    28_800_000, // 8 h
    28_800_000, // 8 h
];

/// Jitter, in percent either way.
pub const JITTER_PERCENT: u64 = 10;

/// The wait before the next attempt after `failed` attempts have failed (1 after the
/// first), or None when the delivery is to be given up. `job` spreads the jitter.
pub fn next_delay_ms(failed: u32, job: u64) -> Option<u64> {
    let index = usize::try_from(failed).ok()?.checked_sub(1)?;
    let base = *DELAYS_MS.get(index)?;
    // A spread in 0..=2*JITTER from the job id, centred on the base.
    let spread = job.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 33;
    let percent = 100 - JITTER_PERCENT + spread % (2 * JITTER_PERCENT + 1);
    Some(base / 100 * percent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eleven_attempts_over_about_a_day() {
        let total: u64 = DELAYS_MS.iter().sum();
        assert!(
            (22 * 3_600_000..=25 * 3_600_000).contains(&total),
            "{total}"
        );
        assert_eq!(next_delay_ms(0, 1), None);
        assert!(next_delay_ms(10, 1).is_some());
        assert_eq!(next_delay_ms(11, 1), None);
    }

    #[test]
    fn jitter_stays_within_ten_percent() {
        for job in 0..1_000 {
            for (i, base) in DELAYS_MS.iter().enumerate() {
                let d = next_delay_ms(i as u32 + 1, job).expect("scheduled");
                assert!(
                    d >= base / 100 * 90 && d <= base / 100 * 110,
                    "{d} vs {base}"
                );
            }
        }
        let spread: std::collections::HashSet<u64> =
            (0..100).filter_map(|job| next_delay_ms(1, job)).collect();
        assert!(spread.len() > 5, "jitter varies by job");
    }
}
