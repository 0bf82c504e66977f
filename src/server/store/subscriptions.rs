//! Subscriptions (`sub_…`) and their items (`si_…`).

use super::page::{Filter, Listing};
use super::row::{self, row};
use super::statement::{reads, writes};
use crate::domain::billing::{Interval, SubscriptionStatus};
use crate::domain::mode::Mode;
use crate::domain::money::Currency;

row! {
    #[derive(Debug, Clone, serde::Deserialize)]
    pub struct SubscriptionRow in "subscriptions" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub customer: String,
        pub test_clock: Option<String>,
        pub status: SubscriptionStatus,
        pub currency: Currency,
        pub recurring_interval: Interval,
        pub recurring_count: i64,
        pub default_payment_method: Option<String>,
        pub billing_cycle_anchor: i64,
        pub current_period_start: i64,
        pub current_period_end: i64,
        pub trial_start: Option<i64>,
        pub trial_end: Option<i64>,
        pub cancel_at_period_end: i64,
        pub canceled_at: Option<i64>,
        pub ended_at: Option<i64>,
        pub latest_invoice: Option<String>,
        /// The period end whose notice (`invoice.upcoming`, `trial_will_end`) was sent.
        pub notice_sent_for: i64,
        pub description: Option<String>,
        pub metadata: String,
        pub created: i64,
        pub sort_key: i64,
    }
}

row! {
    #[derive(Debug, Clone, serde::Deserialize)]
    pub struct SubscriptionItemRow in "subscription_items" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub subscription: String,
        pub price: String,
        pub quantity: i64,
        pub created: i64,
        pub sort_key: i64,
    }
}

/// Filters a subscription list accepts.
#[derive(Debug, Default, Clone)]
pub struct SubscriptionFilter {
    pub customer: Option<String>,
    pub status: Option<SubscriptionStatus>,
    pub price: Option<String>,
    pub test_clock: Option<String>,
}

impl Listing for SubscriptionFilter {
    type Row = SubscriptionRow;
    fn conditions(&self, f: &mut Filter) {
        f.eq("customer", self.customer.as_deref());
        f.eq("status", self.status);
        f.eq("test_clock", self.test_clock.as_deref());
        if let Some(price) = &self.price {
            f.push(
                "id IN (SELECT subscription FROM subscription_items WHERE price = $1)",
                [price.into()],
            );
        }
    }
}

reads! {
    /// A subscription's items, oldest first.
    pub fn items_of(subscription: &str) -> Vec<SubscriptionItemRow> =
        fetch_all(row::select::<SubscriptionItemRow>("subscription = $1 ORDER BY sort_key, id"));

    /// Subscriptions on the wall clock whose period has ended, soonest first (of `account`,
    /// or of every account when it is empty).
    pub fn renewing(now: i64, limit: i64, account: &str) -> Vec<SubscriptionRow> =
        fetch_all(row::select::<SubscriptionRow>("status IN ('trialing', 'active', 'past_due')
            AND current_period_end <= $1 AND test_clock IS NULL AND ($3 = '' OR account_id = $3)
            ORDER BY current_period_end, id LIMIT $2"));

    /// Subscriptions on the wall clock due a notice (`NOTICE_SECS` before the period end).
    /// (A period no longer than the notice has none.)
    pub fn due_notice(now_plus_notice: i64, notice_secs: i64, limit: i64, account: &str) -> Vec<SubscriptionRow> =
        fetch_all(row::select::<SubscriptionRow>("status IN ('trialing', 'active')
            AND current_period_end <= $1 AND notice_sent_for <> current_period_end
            AND current_period_end - current_period_start > $2
            AND test_clock IS NULL AND ($4 = '' OR account_id = $4)
            ORDER BY current_period_end, id LIMIT $3"));

    /// Subscriptions on the wall clock still incomplete, created before `cutoff`.
    pub fn incomplete_before(cutoff: i64, limit: i64, account: &str) -> Vec<SubscriptionRow> =
        fetch_all(row::select::<SubscriptionRow>("status = 'incomplete' AND created <= $1
            AND test_clock IS NULL AND ($3 = '' OR account_id = $3) ORDER BY created, id LIMIT $2"));

    /// A test clock's subscriptions with a period end by `until`, or a notice not yet sent
    /// for a period that ends by `notice_by`, soonest first.
    pub fn clock_renewing(clock: &str, until: i64, notice_by: i64, notice_secs: i64, limit: i64) -> Vec<SubscriptionRow> =
        fetch_all(row::select::<SubscriptionRow>("test_clock = $1
            AND status IN ('trialing', 'active', 'past_due') AND current_period_end <= $3
            AND (current_period_end <= $2
                 OR (status IN ('trialing', 'active') AND notice_sent_for <> current_period_end
                     AND current_period_end - current_period_start > $4))
            ORDER BY current_period_end, id LIMIT $5"));

    /// A test clock's subscriptions still incomplete, created by `created_by`, oldest first.
    pub fn clock_incomplete(clock: &str, created_by: i64, limit: i64) -> Vec<SubscriptionRow> =
        fetch_all(row::select::<SubscriptionRow>("test_clock = $1 AND status = 'incomplete'
            AND created <= $2 ORDER BY created, id LIMIT $3"));

    /// The licensed items of an account's paying subscriptions (active or past due) in a
    /// mode: currency, amount per period (unit amount × quantity), interval and its count.
    pub fn paying_items(account_id: &str, mode: &str) -> Vec<(String, i64, String, i64)> =
        fetch_all("SELECT p.currency, p.unit_amount * i.quantity, s.recurring_interval, s.recurring_count
            FROM subscriptions s
            JOIN subscription_items i ON i.subscription = s.id
            JOIN prices p ON p.id = i.price
            WHERE s.account_id = $1 AND s.mode = $2 AND s.status IN ('active', 'past_due')
              AND p.usage_type = 'licensed'");

    /// How many subscriptions of each status an account has in a mode.
    pub fn count_by_status(account_id: &str, mode: &str) -> Vec<(String, i64)> =
        fetch_all("SELECT status, COUNT(*) FROM subscriptions
            WHERE account_id = $1 AND mode = $2 GROUP BY status");
}

writes! {
    pub fn delete_items(subscription: &str) =
        "DELETE FROM subscription_items WHERE subscription = $1";
    pub fn delete_item(id: &str) = "DELETE FROM subscription_items WHERE id = $1";
    pub fn delete_of_clock(clock: &str) = "DELETE FROM subscriptions WHERE test_clock = $1";

    /// Takes the subscription's due step for one instance until `until` (1 row: taken).
    pub fn lease(id: &str, now: i64, until: i64) =
        "UPDATE subscriptions SET lease_until = $3 WHERE id = $1 AND lease_until <= $2";
}

/// Writes `row` if the subscription's status and period end are still those given: two
/// instances acting on one subscription at once cannot both bill or change it.
pub async fn save_if(
    tx: &mut super::Tx,
    row: &SubscriptionRow,
    status: SubscriptionStatus,
    period_end: i64,
) -> Result<bool, sqlx::Error> {
    use super::row::Table;
    let sql = format!(
        "{} AND status = ${} AND current_period_end = ${}",
        SubscriptionRow::update_sql(),
        SubscriptionRow::COLUMNS.len() + 1,
        SubscriptionRow::COLUMNS.len() + 2
    );
    let write = row
        .args()
        .into_iter()
        .fold(super::Statement::new(sql), super::Statement::bind)
        .bind(status)
        .bind(period_end);
    Ok(tx.execute(write).await? == 1)
}
