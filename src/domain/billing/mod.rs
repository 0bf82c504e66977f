//! Billing rules: the names of billing's states and options (here), billing periods and
//! prorations (`periods`), usage aggregation (`usage`) and the dunning schedule (`dunning`).
//! Pure functions of their inputs; the services apply them to stored subscriptions and
//! invoices.

mod dunning;
mod periods;
mod usage;

pub use dunning::{Dunning, MAX_DRAFT_SECS, after_failure, is_hard_decline, parse_retry_days};
pub use periods::{Recurrence, monthly_amount, prorate, proration};
pub use usage::{Usage, aggregate};

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

#[cfg(test)]
mod tests {
    use super::*;

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
