//! The responder's spending limits: calls per UTC day (this counter) and per
//! conversation (counted in the hub's live conversation). Both live in memory: a restart
//! starts them again, so a restart can at most double one day's calls. Pure.

/// Milliseconds in a day.
const DAY_MS: u64 = 86_400_000;

/// Calls made on the current UTC day.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DailyCalls {
    /// The day counted (days since the Unix epoch).
    day: u64,
    /// Calls made on it.
    calls: u32,
}

impl DailyCalls {
    /// Counts one call at `unix_ms` if fewer than `limit` were made that day; false
    /// (nothing counted) when the day's limit is reached.
    pub fn take(&mut self, unix_ms: u64, limit: u32) -> bool {
        let day = unix_ms / DAY_MS;
        if day != self.day {
            *self = DailyCalls { day, calls: 0 };
        }
        if self.calls >= limit {
            return false;
        }
        self.calls += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_limit_holds_until_the_next_utc_day() {
        let mut calls = DailyCalls::default();
        let noon = 20_000 * DAY_MS + DAY_MS / 2;
        assert!(calls.take(noon, 2));
        assert!(calls.take(noon + 1, 2));
        assert!(!calls.take(noon + 2, 2), "the third call of the day");
        assert!(!calls.take(noon + DAY_MS / 2 - 1, 2), "still the same day");
        assert!(
            calls.take(noon + DAY_MS / 2, 2),
            "midnight UTC starts a new day"
        );
        assert!(!calls.take(noon + DAY_MS, 1));
    }
}
