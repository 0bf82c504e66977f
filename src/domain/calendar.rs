//! Calendar arithmetic on Unix times, UTC: card expiry months and billing periods.

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

/// Days in a month of a year (February counts leap years).
pub fn days_in_month(year: i32, month: u32) -> u32 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `unix` moved `months` calendar months on (or back), at the same time of day; a day the
/// target month lacks becomes its last day (January 31st plus one month is February 28th).
pub fn add_months(unix_seconds: i64, months: i64) -> i64 {
    let (year, month, day) = civil_date(unix_seconds);
    let time_of_day = unix_seconds.rem_euclid(86_400);
    let index = i64::from(year) * 12 + i64::from(month) - 1 + months;
    let (year, month) = (
        index.div_euclid(12) as i32,
        (index.rem_euclid(12) + 1) as u32,
    );
    let day = day.min(days_in_month(year, month));
    unix_from_civil(year, month, day).expect("a clamped day exists") + time_of_day
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
    fn months_added_clamp_to_the_month_end() {
        let jan31 = unix_from_civil(2027, 1, 31).unwrap() + 3_600;
        assert_eq!(civil_date(add_months(jan31, 1)), (2027, 2, 28));
        assert_eq!(civil_date(add_months(jan31, 2)), (2027, 3, 31));
        assert_eq!(civil_date(add_months(jan31, 13)), (2028, 2, 29));
        assert_eq!(add_months(jan31, 1).rem_euclid(86_400), 3_600);
        assert_eq!(civil_date(add_months(jan31, -2)), (2026, 11, 30));
        assert_eq!(civil_date(add_months(jan31, 12)), (2028, 1, 31));
    }
}
