//! Whether the shop is open at a moment: its time zone (a named IANA zone with daylight
//! saving, from jiff's bundled copy of the time-zone database, or a fixed offset) and
//! its opening hours. Pure: no clock, no files (the database is compiled in, so a
//! Raspberry Pi without `/usr/share/zoneinfo` gives the same answers).

use jiff::Timestamp;
use jiff::tz::{Offset, TimeZone};

use crate::store::records::SettingsV3;

/// The longest time-zone name accepted (the longest in the database has 32 characters).
const TIME_ZONE_MAX: usize = 64;

/// The canonical spelling of a named time zone, or why it is refused.
pub fn checked_time_zone(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.len() > TIME_ZONE_MAX || name.chars().any(char::is_control) {
        return Err("time_zone must be an IANA time-zone name like Europe/London".into());
    }
    match TimeZone::get(name) {
        Ok(zone) => Ok(zone.iana_name().unwrap_or(name).to_string()),
        Err(_) => Err(format!(
            "{name:?} is not a known time zone; use an IANA name like Europe/London"
        )),
    }
}

/// The shop's time zone: the named one, else (none set, or a name a later database no
/// longer knows) the fixed offset.
pub fn shop_time_zone(settings: &SettingsV3) -> TimeZone {
    if !settings.time_zone.is_empty() {
        match TimeZone::get(&settings.time_zone) {
            Ok(zone) => return zone,
            Err(e) => tracing::warn!(zone = %settings.time_zone, error = %e,
                "unknown time zone: using the fixed offset"),
        }
    }
    Offset::from_seconds(settings.utc_offset_min.saturating_mul(60))
        .map(TimeZone::fixed)
        .unwrap_or(TimeZone::UTC)
}

/// The shop's weekday (0 = Sunday) and minute of the day at `unix_ms`.
fn local_day_and_minute(zone: &TimeZone, unix_ms: u64) -> (u8, u16) {
    let at = i64::try_from(unix_ms)
        .ok()
        .and_then(|ms| Timestamp::from_millisecond(ms).ok())
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let local = zone.to_datetime(at);
    let day = local.weekday().to_sunday_zero_offset() as u8;
    let minute = local.hour() as u16 * 60 + local.minute() as u16;
    (day, minute)
}

/// True when the shop is open at `unix_ms` (always, when no hours are set).
pub fn open_at(settings: &SettingsV3, unix_ms: u64) -> bool {
    if settings.business_hours.is_empty() {
        return true;
    }
    let (day, minute) = local_day_and_minute(&shop_time_zone(settings), unix_ms);
    settings
        .business_hours
        .iter()
        .any(|h| h.day == day && h.open_min <= minute && minute < h.close_min)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::records::OpeningHours;

    /// Open every day from 09:00 to 17:00 in `zone` (empty: the fixed offset).
    fn nine_to_five(zone: &str, utc_offset_min: i32) -> SettingsV3 {
        SettingsV3 {
            time_zone: zone.into(),
            utc_offset_min,
            business_hours: (0..7)
                .map(|day| OpeningHours {
                    day,
                    open_min: 540,
                    close_min: 1020,
                })
                .collect(),
            ..SettingsV3::default()
        }
    }

    /// 2026-07-15 08:30 UTC (a Wednesday, British Summer Time).
    const JULY_0830_UTC: u64 = 1_784_104_200_000;
    /// 2026-01-14 08:30 UTC (a Wednesday, Greenwich Mean Time).
    const JANUARY_0830_UTC: u64 = 1_768_379_400_000;

    #[test]
    fn a_named_zone_follows_daylight_saving() {
        let london = nine_to_five("Europe/London", 0);
        assert!(open_at(&london, JULY_0830_UTC), "09:30 BST: open");
        assert!(!open_at(&london, JANUARY_0830_UTC), "08:30 GMT: closed");
        let fixed = nine_to_five("", 0);
        assert!(
            !open_at(&fixed, JULY_0830_UTC),
            "a fixed UTC+0 knows no summer"
        );
    }

    #[test]
    fn a_fixed_offset_still_works_and_days_turn_at_local_midnight() {
        // Monday 09:00-17:00 at UTC+1; 2026-11-23 is a Monday.
        let mut settings = nine_to_five("", 60);
        settings.business_hours.retain(|h| h.day == 1);
        let monday_0830_utc = 1_795_422_600_000;
        assert!(open_at(&settings, monday_0830_utc));
        assert!(!open_at(&settings, monday_0830_utc - 31 * 60_000));
        assert!(!open_at(&settings, monday_0830_utc + 450 * 60_000));
        assert!(!open_at(&settings, monday_0830_utc + 86_400_000));
        // Monday 00:30 UTC is 09:30 on Monday in Tokyo, 01:30 at UTC+1.
        let tokyo = SettingsV3 {
            time_zone: "Asia/Tokyo".into(),
            ..settings.clone()
        };
        let monday_0030_utc = monday_0830_utc - 8 * 3_600_000;
        assert!(open_at(&tokyo, monday_0030_utc));
        assert!(!open_at(&settings, monday_0030_utc));
        assert!(open_at(&SettingsV3::default(), monday_0830_utc), "no hours");
    }

    #[test]
    fn time_zone_names_are_checked_and_spelled_canonically() {
        assert_eq!(
            checked_time_zone(" Europe/London "),
            Ok("Europe/London".into())
        );
        assert_eq!(
            checked_time_zone("europe/london"),
            Ok("Europe/London".into())
        );
        assert!(
            checked_time_zone("Asia/Calcutta").is_ok(),
            "old names are links"
        );
        assert!(checked_time_zone("Mars/Olympus").is_err());
        assert!(checked_time_zone("").is_err());
        assert!(checked_time_zone(&"A/".repeat(40)).is_err());
    }

    #[test]
    fn an_unknown_stored_zone_falls_back_to_the_fixed_offset() {
        let gone = nine_to_five("Nowhere/Gone", 60);
        assert_eq!(
            shop_time_zone(&gone).to_offset(Timestamp::UNIX_EPOCH),
            Offset::from_seconds(3600).expect("offset")
        );
    }
}
