//! Billing periods (a price's recurrence from its subscription's anchor), what an amount is
//! worth per month, and prorations of a change within a period.

use super::Interval;
use crate::domain::calendar::add_months;

/// How often a price recurs: every `count` `interval`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recurrence {
    pub interval: Interval,
    pub count: i64,
}

impl Recurrence {
    /// The end of the `n`th period counted from `anchor` (the 0th ends at the anchor). Months
    /// are counted from the anchor each time, so a month-end anchor stays at month ends:
    /// January 31st, February 28th, March 31st.
    pub fn boundary(self, anchor: i64, n: i64) -> i64 {
        let steps = n * self.count;
        match self.interval {
            Interval::Day => anchor + steps * 86_400,
            Interval::Week => anchor + steps * 7 * 86_400,
            Interval::Month => add_months(anchor, steps),
            Interval::Year => add_months(anchor, steps * 12),
        }
    }

    /// The start of the period before the one that starts at `start`: the last boundary
    /// before `start` (the anchor at the earliest).
    pub fn period_before(self, anchor: i64, start: i64) -> i64 {
        if start <= anchor {
            return anchor;
        }
        // Periods are at most this long, so the estimate is at or below the index sought.
        let longest = match self.interval {
            Interval::Day => 86_400,
            Interval::Week => 7 * 86_400,
            Interval::Month => 31 * 86_400,
            Interval::Year => 366 * 86_400,
        } * self.count;
        let mut n = (start - anchor) / longest;
        while n > 0 && self.boundary(anchor, n) >= start {
            n -= 1;
        }
        while self.boundary(anchor, n + 1) < start {
            n += 1;
        }
        self.boundary(anchor, n)
    }

    /// The end of the period that starts at `start`, for a subscription anchored at `anchor`:
    /// the first boundary after `start`.
    pub fn period_end(self, anchor: i64, start: i64) -> i64 {
        // Periods are at least a day long, so counting up from an estimate is short.
        let approx = match self.interval {
            Interval::Day => 86_400,
            Interval::Week => 7 * 86_400,
            Interval::Month => 28 * 86_400,
            Interval::Year => 365 * 86_400,
        } * self.count;
        let mut n = ((start - anchor) / approx - 1).max(1);
        while self.boundary(anchor, n) <= start {
            n += 1;
        }
        while n > 1 && self.boundary(anchor, n - 1) > start {
            n -= 1;
        }
        self.boundary(anchor, n)
    }
}

/// What `amount` billed every `count` `interval`s is worth per month, to the nearest unit
/// (halves up): monthly recurring revenue counts a year's 1,200 as 100 and a week's 70 as
/// 70 × 52 ÷ 12 = 303.
pub fn monthly_amount(amount: i64, interval: Interval, count: i64) -> i64 {
    // Per month = amount × per_year ÷ (12 × count), with periods per year for count 1.
    let per_year: i128 = match interval {
        Interval::Day => 365,
        Interval::Week => 52,
        Interval::Month => 12,
        Interval::Year => 1,
    };
    let denominator = 12 * i128::from(count.max(1));
    let numerator = i128::from(amount) * per_year;
    ((2 * numerator + denominator).div_euclid(2 * denominator)) as i64
}

/// The share of `amount` (for a whole period of `length` seconds) that `remaining` seconds of
/// it are worth, rounded to the nearest unit, halves away from zero.
pub fn prorate(amount: i64, remaining: i64, length: i64) -> i64 {
    if length <= 0 {
        return 0;
    }
    let remaining = remaining.clamp(0, length);
    let exact = i128::from(amount) * i128::from(remaining);
    let (length, doubled) = (i128::from(length), exact * 2);
    let rounded = (doubled.abs() + length) / (2 * length);
    (rounded * doubled.signum()) as i64
}

/// The prorations of one item's change at `at` within the period `[start, end)`: a credit for
/// what the old price and quantity would still have billed, and a charge for what the new
/// ones bill for the rest of the period. Each rounded on its own, as each is its own line.
pub fn proration(
    old_total: Option<i64>,
    new_total: Option<i64>,
    at: i64,
    start: i64,
    end: i64,
) -> (Option<i64>, Option<i64>) {
    let (remaining, length) = (end - at, end - start);
    (
        old_total.map(|t| -prorate(t, remaining, length)),
        new_total.map(|t| prorate(t, remaining, length)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::{civil_date, unix_from_civil};
    #[test]
    fn the_period_before_is_found_from_any_start() {
        let day = |y, m, d| unix_from_civil(y, m, d).unwrap();
        let monthly = Recurrence {
            interval: Interval::Month,
            count: 1,
        };
        let anchor = day(2027, 1, 31);
        assert_eq!(monthly.period_before(anchor, day(2027, 2, 28)), anchor);
        assert_eq!(
            monthly.period_before(anchor, day(2027, 3, 31)),
            day(2027, 2, 28)
        );
        assert_eq!(
            monthly.period_before(anchor, day(2127, 1, 31)),
            day(2126, 12, 31)
        );
        assert_eq!(monthly.period_before(anchor, anchor), anchor);
        let weekly = Recurrence {
            interval: Interval::Week,
            count: 2,
        };
        assert_eq!(
            weekly.period_before(anchor, anchor + 28 * 86_400),
            anchor + 14 * 86_400
        );
    }

    #[test]
    fn recurring_amounts_are_counted_per_month() {
        assert_eq!(monthly_amount(2900, Interval::Month, 1), 2900);
        assert_eq!(monthly_amount(9000, Interval::Month, 3), 3000);
        assert_eq!(monthly_amount(1200, Interval::Year, 1), 100);
        assert_eq!(monthly_amount(70, Interval::Week, 1), 303);
        assert_eq!(monthly_amount(10, Interval::Day, 1), 304);
        // 1001 a year is 83.41… a month.
        assert_eq!(monthly_amount(1001, Interval::Year, 1), 83);
        // 18 a year is 1.5 a month: halves go up.
        assert_eq!(monthly_amount(18, Interval::Year, 1), 2);
    }

    fn day(y: i32, m: u32, d: u32) -> i64 {
        unix_from_civil(y, m, d).unwrap()
    }

    #[test]
    fn monthly_periods_keep_the_anchor_day_or_the_month_end() {
        let monthly = Recurrence {
            interval: Interval::Month,
            count: 1,
        };
        let anchor = day(2027, 1, 31);
        let ends: Vec<_> = (1..=4)
            .map(|n| civil_date(monthly.boundary(anchor, n)))
            .collect();
        assert_eq!(
            ends,
            [(2027, 2, 28), (2027, 3, 31), (2027, 4, 30), (2027, 5, 31)]
        );
        assert_eq!(monthly.period_end(anchor, anchor), day(2027, 2, 28));
        assert_eq!(
            monthly.period_end(anchor, day(2027, 2, 28)),
            day(2027, 3, 31)
        );
        assert_eq!(
            monthly.period_end(anchor, day(2028, 2, 29)),
            day(2028, 3, 31)
        );
        let quarterly = Recurrence {
            interval: Interval::Month,
            count: 3,
        };
        assert_eq!(quarterly.period_end(anchor, anchor), day(2027, 4, 30));
        let weekly = Recurrence {
            interval: Interval::Week,
            count: 2,
        };
        assert_eq!(
            weekly.period_end(anchor, anchor + 86_400),
            anchor + 14 * 86_400
        );
        let yearly = Recurrence {
            interval: Interval::Year,
            count: 1,
        };
        assert_eq!(
            yearly.period_end(day(2028, 2, 29), day(2028, 2, 29)),
            day(2029, 2, 28)
        );
    }

    #[test]
    fn prorations_round_to_the_nearest_unit() {
        // 2900 for 30 days, 10 days left: 966.67 → 967.
        assert_eq!(prorate(2900, 10 * 86_400, 30 * 86_400), 967);
        assert_eq!(prorate(-2900, 10 * 86_400, 30 * 86_400), -967);
        // Exactly half rounds away from zero.
        assert_eq!(prorate(5, 1, 2), 3);
        assert_eq!(prorate(-5, 1, 2), -3);
        assert_eq!(prorate(1000, 0, 10), 0);
        assert_eq!(prorate(1000, 20, 10), 1000);
        assert_eq!(prorate(1000, 5, 0), 0);
        let (credit, charge) = proration(Some(2900), Some(9900), 20, 0, 30);
        assert_eq!((credit, charge), (Some(-967), Some(3300)));
        assert_eq!(proration(None, Some(100), 0, 0, 30), (None, Some(100)));
    }
}
