//! A report's period: whole days in the shop's time zone, `from` to `until` inclusive,
//! and where an instant falls in it (which day, which weekday and hour). Pure.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// Most days a report may cover.
pub const MAX_DAYS: i64 = 366;

/// Milliseconds in a day of UTC (local days are found through the zone's offset).
const DAY_MS: i64 = 86_400_000;

/// Whole local days, with the instants they start and end at.
#[derive(Debug, Clone)]
pub struct Period {
    /// The first day.
    pub from: Date,
    /// The last day (inclusive).
    pub until: Date,
    /// The shop's time zone.
    pub zone: TimeZone,
    /// The first day's first instant (ms since the Unix epoch).
    pub from_ms: u64,
    /// The instant after the last day (ms since the Unix epoch).
    pub until_ms: u64,
}

/// The first instant of `day` in `zone`, in ms since the epoch (None before 1970).
fn start_of(day: Date, zone: &TimeZone) -> Option<u64> {
    let zoned = day
        .to_zoned_datetime(zone.clone())
        .ok()?
        .start_of_day()
        .ok()?;
    u64::try_from(zoned.timestamp().as_millisecond()).ok()
}

impl Period {
    /// The days `from..=until` in `zone`, or why they are refused.
    pub fn new(from: Date, until: Date, zone: TimeZone) -> Result<Period, String> {
        if until < from {
            return Err("until must not be before from".into());
        }
        let days = i64::from((until - from).get_days()) + 1;
        if days > MAX_DAYS {
            return Err(format!("a report covers at most {MAX_DAYS} days"));
        }
        let after = until
            .tomorrow()
            .map_err(|_| "until is too late".to_string())?;
        let (Some(from_ms), Some(until_ms)) = (start_of(from, &zone), start_of(after, &zone))
        else {
            return Err("the period must lie between 1970 and 9999".into());
        };
        Ok(Period {
            from,
            until,
            zone,
            from_ms,
            until_ms,
        })
    }

    /// How many days it covers.
    pub fn days(&self) -> usize {
        (self.until - self.from).get_days() as usize + 1
    }

    /// The `index`th day (0 = `from`), as `YYYY-MM-DD`.
    pub fn day_label(&self, index: usize) -> String {
        let span = jiff::Span::new().days(index as i64);
        self.from
            .checked_add(span)
            .map(|d| d.to_string())
            .unwrap_or_default()
    }

    /// Local days since 1970-01-01 of the instant `unix_ms`, and its local ms of day.
    fn local(&self, unix_ms: u64) -> (i64, i64) {
        let ms = i64::try_from(unix_ms).unwrap_or(i64::MAX);
        let offset = Timestamp::from_millisecond(ms)
            .map(|t| i64::from(self.zone.to_offset(t).seconds()))
            .unwrap_or(0);
        let local = ms + offset * 1000;
        (local.div_euclid(DAY_MS), local.rem_euclid(DAY_MS))
    }

    /// Which day of the period `unix_ms` falls on (None: outside it).
    pub fn day_index(&self, unix_ms: u64) -> Option<usize> {
        if unix_ms < self.from_ms || unix_ms >= self.until_ms {
            return None;
        }
        let (first, _) = self.local(self.from_ms);
        let (day, _) = self.local(unix_ms);
        usize::try_from(day - first)
            .ok()
            .filter(|d| *d < self.days())
    }

    /// The local weekday (0 = Monday … 6 = Sunday) and hour (0–23) of `unix_ms`.
    pub fn weekday_hour(&self, unix_ms: u64) -> (usize, usize) {
        let (day, ms_of_day) = self.local(unix_ms);
        // 1970-01-01 was a Thursday (3 when Monday is 0).
        let weekday = (day + 3).rem_euclid(7) as usize;
        (weekday, (ms_of_day / 3_600_000) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn days_start_at_local_midnight_and_count_daylight_saving_days_right() {
        let london = TimeZone::get("Europe/London").expect("zone");
        // 2026-03-29 is 23 hours long in London.
        let p = Period::new(date(2026, 3, 28), date(2026, 3, 29), london).expect("period");
        assert_eq!(p.days(), 2);
        assert_eq!(p.from_ms, 1_774_656_000_000); // 2026-03-28T00:00:00Z
        assert_eq!(p.until_ms - p.from_ms, (24 + 23) * 3_600_000);
        assert_eq!(p.day_index(p.from_ms), Some(0));
        assert_eq!(p.day_index(p.until_ms - 1), Some(1));
        assert_eq!(p.day_index(p.until_ms), None);
        assert_eq!(p.day_index(p.from_ms - 1), None);
        assert_eq!(p.day_label(1), "2026-03-29");
        // 2026-03-29T23:30 local is 22:30 UTC, a Sunday.
        assert_eq!(p.weekday_hour(p.until_ms - 1_800_000), (6, 23));
    }

    #[test]
    fn bad_periods_are_refused() {
        let utc = TimeZone::UTC;
        assert!(Period::new(date(2026, 3, 2), date(2026, 3, 1), utc.clone()).is_err());
        assert!(Period::new(date(2025, 1, 1), date(2026, 1, 2), utc.clone()).is_err());
        assert!(Period::new(date(2025, 1, 1), date(2026, 1, 1), utc.clone()).is_ok());
        assert!(Period::new(date(1969, 12, 31), date(1970, 1, 1), utc).is_err());
    }
}
