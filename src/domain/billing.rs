//! Billing rules: the names of billing's states and options, billing periods, prorations,
//! usage aggregation and the dunning schedule. Pure functions of their inputs; the services
//! apply them to stored subscriptions and invoices.

use crate::domain::calendar::add_months;
use crate::domain::named::named;

named! {
    /// How often a recurring price bills.
    pub enum Interval { Day = "day", Week = "week", Month = "month", Year = "year" }
}

named! {
    /// A recurring price billed for a quantity chosen up front, or for usage reported during
    /// the period (billed in arrears).
    pub enum UsageType { Licensed = "licensed", Metered = "metered" }
}

named! {
    /// How a period's usage records make its billed quantity.
    pub enum AggregateUsage { Sum = "sum", Max = "max", Last = "last" }
}

named! {
    /// What a usage record does to its timestamp's quantity.
    pub enum UsageAction { Increment = "increment", Set = "set" }
}

named! {
    pub enum SubscriptionStatus {
        /// The first invoice is not paid yet.
        Incomplete = "incomplete",
        /// The first invoice was not paid within a day: nothing more happens.
        IncompleteExpired = "incomplete_expired",
        Trialing = "trialing",
        Active = "active",
        /// A renewal's payment failed; retries are running.
        PastDue = "past_due",
        Canceled = "canceled",
        /// Retries ran out and the account keeps such subscriptions without billing them.
        Unpaid = "unpaid",
    }
}

impl SubscriptionStatus {
    /// Still billed at its period end.
    pub fn renews(self) -> bool {
        matches!(
            self,
            SubscriptionStatus::Trialing | SubscriptionStatus::Active | SubscriptionStatus::PastDue
        )
    }

    /// Over: no change may follow.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            SubscriptionStatus::Canceled | SubscriptionStatus::IncompleteExpired
        )
    }
}

named! {
    pub enum InvoiceStatus {
        Draft = "draft",
        Open = "open",
        Paid = "paid",
        Void = "void",
        Uncollectible = "uncollectible",
    }
}

named! {
    /// What an invoice line bills.
    pub enum LineKind { Subscription = "subscription", Proration = "proration", Usage = "usage" }
}

named! {
    /// Why an invoice was made.
    pub enum BillingReason {
        SubscriptionCreate = "subscription_create",
        SubscriptionCycle = "subscription_cycle",
        SubscriptionUpdate = "subscription_update",
    }
}

named! {
    /// What a change of items bills for the rest of the period.
    pub enum ProrationBehavior {
        CreateProrations = "create_prorations",
        AlwaysInvoice = "always_invoice",
        None = "none",
    }
}

named! {
    /// What a declined first payment does to a subscription being created.
    pub enum PaymentBehavior {
        AllowIncomplete = "allow_incomplete",
        ErrorIfIncomplete = "error_if_incomplete",
    }
}

named! {
    /// What a subscription becomes when its renewal's retries run out.
    pub enum DunningEnd { Canceled = "canceled", Unpaid = "unpaid", PastDue = "past_due" }
}

/// A first invoice not paid within this time expires with its subscription.
pub const FIRST_INVOICE_EXPIRES_SECS: i64 = 23 * 3_600;
/// How long before a trial ends `subscription.trial_will_end` is sent, and before a renewal
/// `invoice.upcoming`.
pub const NOTICE_SECS: i64 = 3 * 86_400;
/// Longest trial, in days.
pub const MAX_TRIAL_DAYS: i64 = 730;
/// Largest `interval_count` (a year, however it is counted).
pub fn max_interval_count(interval: Interval) -> i64 {
    match interval {
        Interval::Day => 365,
        Interval::Week => 52,
        Interval::Month => 12,
        Interval::Year => 1,
    }
}

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

/// One usage record, as aggregation sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub timestamp: i64,
    pub action: UsageAction,
    pub quantity: i64,
}

/// The quantity a period's usage records bill. Records are taken in the order given (the
/// order they were made): at each timestamp an `increment` adds and a `set` replaces; then
/// `sum` adds the timestamps up, `max` takes the largest and `last` the latest one's.
pub fn aggregate(records: &[Usage], how: AggregateUsage) -> i64 {
    let mut at: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
    for r in records {
        let slot = at.entry(r.timestamp).or_insert(0);
        *slot = match r.action {
            UsageAction::Increment => slot.saturating_add(r.quantity),
            UsageAction::Set => r.quantity,
        };
    }
    match how {
        AggregateUsage::Sum => at.values().fold(0i64, |a, v| a.saturating_add(*v)),
        AggregateUsage::Max => at.values().copied().max().unwrap_or(0),
        AggregateUsage::Last => at.values().next_back().copied().unwrap_or(0),
    }
}

/// What follows a failed renewal payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dunning {
    /// Try again at this time.
    RetryAt(i64),
    /// No retry, but the invoice stays open (the customer may still pay it) until this time,
    /// when retries would have run out.
    GiveUpAt(i64),
    /// Retries have run out.
    GiveUpNow,
}

/// The next step after attempt number `attempts` (1 is the first) failed at `failed_at`.
/// `retry_days[i]` is how many days after attempt `i + 1` the next one runs; a hard decline
/// (a card that cannot succeed) is not retried.
pub fn after_failure(retry_days: &[i64], attempts: i64, failed_at: i64, hard: bool) -> Dunning {
    let done = usize::try_from(attempts.max(1) - 1).unwrap_or(usize::MAX);
    let left = retry_days.get(done..).unwrap_or_default();
    match (left.first(), hard) {
        (None, _) => Dunning::GiveUpNow,
        (Some(days), false) => Dunning::RetryAt(failed_at + days * 86_400),
        (Some(_), true) => Dunning::GiveUpAt(failed_at + left.iter().sum::<i64>() * 86_400),
    }
}

/// Declines no retry can turn into a payment.
pub fn is_hard_decline(code: &str) -> bool {
    matches!(code, "expired_card" | "incorrect_number")
}

/// The longest a renewal may stay a draft before it is finalized and charged.
pub const MAX_DRAFT_SECS: i64 = 72 * 3_600;

/// Parses an account's retry schedule (`3,5,7`: days between attempts).
pub fn parse_retry_days(text: &str) -> Option<Vec<i64>> {
    if text.trim().is_empty() {
        return Some(Vec::new());
    }
    let days: Option<Vec<i64>> = text.split(',').map(|d| d.trim().parse().ok()).collect();
    days.filter(|d| d.len() <= 8 && d.iter().all(|n| (1..=60).contains(n)))
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

    #[test]
    fn usage_adds_up_per_timestamp_then_per_period() {
        use UsageAction::*;
        let r = |timestamp, action, quantity| Usage {
            timestamp,
            action,
            quantity,
        };
        let records = [
            r(10, Increment, 5),
            r(10, Increment, 2),
            r(20, Set, 4),
            r(30, Increment, 1),
            r(20, Set, 3),
        ];
        assert_eq!(aggregate(&records, AggregateUsage::Sum), 7 + 3 + 1);
        assert_eq!(aggregate(&records, AggregateUsage::Max), 7);
        assert_eq!(aggregate(&records, AggregateUsage::Last), 1);
        assert_eq!(aggregate(&[], AggregateUsage::Max), 0);
    }

    #[test]
    fn dunning_retries_then_gives_up_and_never_retries_hard_declines() {
        let days = [3, 5, 7];
        assert_eq!(
            after_failure(&days, 1, 0, false),
            Dunning::RetryAt(3 * 86_400)
        );
        assert_eq!(
            after_failure(&days, 2, 100, false),
            Dunning::RetryAt(100 + 5 * 86_400)
        );
        assert_eq!(
            after_failure(&days, 3, 0, false),
            Dunning::RetryAt(7 * 86_400)
        );
        assert_eq!(after_failure(&days, 4, 0, false), Dunning::GiveUpNow);
        assert_eq!(
            after_failure(&days, 1, 0, true),
            Dunning::GiveUpAt(15 * 86_400)
        );
        assert_eq!(
            after_failure(&days, 3, 0, true),
            Dunning::GiveUpAt(7 * 86_400)
        );
        assert_eq!(after_failure(&[], 1, 0, false), Dunning::GiveUpNow);
        assert!(is_hard_decline("expired_card") && !is_hard_decline("card_declined"));
        assert_eq!(parse_retry_days("3, 5,7"), Some(vec![3, 5, 7]));
        assert_eq!(parse_retry_days(""), Some(vec![]));
        assert_eq!(parse_retry_days("3,0"), None);
        assert_eq!(parse_retry_days("x"), None);
    }

    #[test]
    fn names_read_back() {
        for s in SubscriptionStatus::ALL {
            assert_eq!(SubscriptionStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Interval::names(), "day, week, month or year");
        assert_eq!(InvoiceStatus::parse("paid"), Some(InvoiceStatus::Paid));
        assert_eq!(
            serde_json::to_string(&LineKind::Usage).unwrap(),
            "\"usage\""
        );
    }
}
