//! Time, injected: workers and expiry logic ask a `Clock`, so tests can move time forward
//! instead of sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the current time, in microseconds since the Unix epoch.
pub trait Clock: Send + Sync + 'static {
    fn now_micros(&self) -> i64;

    /// Whole seconds since the epoch: the `created` of API objects.
    fn now(&self) -> i64 {
        self.now_micros().div_euclid(1_000_000)
    }
}

/// The calendar (year, month) of a Unix time, UTC: card expiry dates are compared to it.
pub fn year_month(unix_seconds: i64) -> (i32, u32) {
    let (year, month, _) = civil_date(unix_seconds);
    (year, month)
}

/// The calendar date (year, month, day) of a Unix time, UTC.
pub fn civil_date(unix_seconds: i64) -> (i32, u32, u32) {
    // Howard Hinnant's days-to-civil algorithm.
    let days = unix_seconds.div_euclid(86_400) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year as i32, month as u32, day as u32)
}

/// The Unix time of midnight UTC on a calendar date (the inverse of `civil_date`); `None` for
/// a date that does not exist (February 30th, month 13…).
pub fn unix_from_civil(year: i32, month: u32, day: u32) -> Option<i64> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    // Howard Hinnant's days-from-civil algorithm.
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let m = i64::from(month);
    let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some((era * 146_097 + day_of_era - 719_468) * 86_400)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses `YYYY-MM-DD` (what an `<input type=date>` sends) to midnight UTC.
pub fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    unix_from_civil(year, month, day)
}

/// `2026-11-21`: a Unix time's UTC date.
pub fn format_date(unix_seconds: i64) -> String {
    let (year, month, day) = civil_date(unix_seconds);
    format!("{year}-{month:02}-{day:02}")
}

/// `2026-11-21 14:03 UTC`: how pages show times (merchants and customers are anywhere).
pub fn format_utc(unix_seconds: i64) -> String {
    let secs = unix_seconds.rem_euclid(86_400);
    format!(
        "{} {:02}:{:02} UTC",
        format_date(unix_seconds),
        secs / 3600,
        secs % 3600 / 60
    )
}

/// `2026-11-21T14:03:09Z`: times in exported files.
pub fn format_iso(unix_seconds: i64) -> String {
    let secs = unix_seconds.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        format_date(unix_seconds),
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_micros(&self) -> i64 {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        i64::try_from(since.as_micros()).unwrap_or(i64::MAX)
    }
}

/// A clock that only moves when told to; shared between a test and the app it drives.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn starting_at(unix_seconds: i64) -> Self {
        ManualClock(Arc::new(AtomicI64::new(unix_seconds * 1_000_000)))
    }

    pub fn advance_secs(&self, secs: i64) {
        self.0.fetch_add(secs * 1_000_000, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_micros(&self) -> i64 {
        // Each reading moves one microsecond on, so sort keys taken from it stay distinct.
        self.0.fetch_add(1, Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_months_of_unix_times() {
        assert_eq!(year_month(0), (1970, 1));
        assert_eq!(year_month(951_782_400), (2000, 2)); // 2000-02-29
        assert_eq!(year_month(1_795_268_098), (2026, 11));
        assert_eq!(year_month(1_798_761_599), (2026, 12)); // 2026-12-31 23:59:59
        assert_eq!(year_month(1_798_761_600), (2027, 1));
    }

    #[test]
    fn dates_round_trip_and_impossible_dates_are_refused() {
        for unix in [0, 951_782_400, 1_795_219_200, 1_798_675_200, -86_400] {
            let (y, m, d) = civil_date(unix);
            assert_eq!(unix_from_civil(y, m, d), Some(unix));
        }
        assert_eq!(parse_date("2026-11-21"), Some(1_795_219_200));
        assert_eq!(parse_date("2000-02-29"), Some(951_782_400));
        assert_eq!(parse_date("2026-02-29"), None);
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("2026-11"), None);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(format_utc(1_795_269_789), "2026-11-21 14:03 UTC");
        assert_eq!(format_iso(1_795_269_789), "2026-11-21T14:03:09Z");
    }

    #[test]
    fn manual_clock_moves_when_told() {
        let clock = ManualClock::starting_at(1_000);
        assert_eq!(clock.now(), 1_000);
        clock.advance_secs(60);
        assert_eq!(clock.now(), 1_060);
        assert!(SystemClock.now() > 1_700_000_000);
    }
}
