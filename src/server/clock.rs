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

pub use crate::domain::calendar::{civil_date, unix_from_civil, year_month};

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
