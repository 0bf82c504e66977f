//! Invoices (`inv_…`), their lines (`il_…`, a line without an invoice is a pending
//! proration) and metered usage records (`mbu_…`).

use super::page::{Filter, Listing};
use super::row::{self, Table, row};
use super::statement::{hot_reads, reads, writes};
use super::{Statement, Tx};
use crate::domain::billing::{BillingReason, InvoiceStatus, LineKind, UsageAction};
use crate::domain::mode::Mode;
use crate::domain::money::Currency;

row! {
    #[derive(Debug, Clone, serde::Deserialize)]
    pub struct InvoiceRow in "invoices" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub customer: String,
        pub subscription: Option<String>,
        pub test_clock: Option<String>,
        pub status: InvoiceStatus,
        pub currency: Currency,
        pub billing_reason: BillingReason,
        pub period_start: i64,
        pub period_end: i64,
        pub subtotal: i64,
        pub total: i64,
        pub amount_due: i64,
        pub amount_paid: i64,
        pub amount_remaining: i64,
        pub attempt_count: i64,
        /// When the next retry runs, as the merchant sees it (None: no retry will).
        pub next_payment_attempt: Option<i64>,
        /// When the worker next acts on the open invoice: a retry, or the end of retries.
        pub dunning_at: Option<i64>,
        /// The latest attempt to pay it (`pay_…`).
        pub payment: Option<String>,
        /// A draft's time to be finalized and charged.
        pub finalize_at: Option<i64>,
        pub finalized_at: Option<i64>,
        pub paid_at: Option<i64>,
        pub voided_at: Option<i64>,
        pub marked_uncollectible_at: Option<i64>,
        pub created: i64,
        pub sort_key: i64,
    }
}

row! {
    #[derive(Debug, Clone, serde::Deserialize)]
    pub struct LineRow in "invoice_lines" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub invoice: Option<String>,
        pub subscription: Option<String>,
        pub subscription_item: Option<String>,
        pub price: Option<String>,
        pub kind: LineKind,
        pub description: String,
        pub quantity: i64,
        pub amount: i64,
        pub currency: Currency,
        pub period_start: i64,
        pub period_end: i64,
        pub created: i64,
        pub sort_key: i64,
    }
}

row! {
    #[derive(Debug, Clone, serde::Deserialize)]
    pub struct UsageRow in "usage_records" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub subscription: String,
        pub subscription_item: String,
        pub quantity: i64,
        pub usage_time: i64,
        pub action: UsageAction,
        pub identifier: Option<String>,
        pub created: i64,
        pub sort_key: i64,
    }
}

/// Filters an invoice list accepts.
#[derive(Debug, Default, Clone)]
pub struct InvoiceFilter {
    pub customer: Option<String>,
    pub subscription: Option<String>,
    pub status: Option<InvoiceStatus>,
}

impl Listing for InvoiceFilter {
    type Row = InvoiceRow;
    fn conditions(&self, f: &mut Filter) {
        f.eq("customer", self.customer.as_deref());
        f.eq("subscription", self.subscription.as_deref());
        f.eq("status", self.status);
    }
}

/// Filters a usage record list accepts.
#[derive(Debug, Default, Clone)]
pub struct UsageFilter {
    pub subscription_item: Option<String>,
    pub subscription: Option<String>,
}

impl Listing for UsageFilter {
    type Row = UsageRow;
    fn conditions(&self, f: &mut Filter) {
        f.eq("subscription_item", self.subscription_item.as_deref());
        f.eq("subscription", self.subscription.as_deref());
    }
}

/// An item's usage in a period, by `usage_records_of_item` (`store::plans` checks it).
pub(crate) const USAGE_BETWEEN: &str =
    "subscription_item = $1 AND usage_time >= $2 AND usage_time < $3 ORDER BY sort_key, id";

reads! {
    /// An invoice by its id alone (the hosted invoice page, reached without a key).
    pub fn find_by_id(id: &str) -> Option<InvoiceRow> =
        fetch_optional(row::select::<InvoiceRow>("id = $1"));

    /// An invoice's lines, in order.
    pub fn lines_of(invoice: &str) -> Vec<LineRow> =
        fetch_all(row::select::<LineRow>("invoice = $1 ORDER BY sort_key, id"));

    /// A subscription's pending prorations, oldest first.
    pub fn pending_lines(subscription: &str) -> Vec<LineRow> =
        fetch_all(row::select::<LineRow>("invoice IS NULL AND subscription = $1 ORDER BY sort_key, id"));

    /// An item's usage records in `[from, to)`, in the order they were made.
    pub fn usage_between(item: &str, from: i64, to: i64) -> Vec<UsageRow> =
        fetch_all(row::select::<UsageRow>(USAGE_BETWEEN));

    /// The record an item's identifier names, if it was reported before.
    pub fn usage_by_identifier(item: &str, identifier: &str) -> Option<UsageRow> =
        fetch_optional(row::select::<UsageRow>("subscription_item = $1 AND identifier = $2"));

    /// A subscription's invoices, newest first.
    pub fn of_subscription(subscription: &str) -> Vec<InvoiceRow> =
        fetch_all(row::select::<InvoiceRow>("subscription = $1 ORDER BY sort_key DESC, id DESC"));

    /// Drafts on the wall clock due to be finalized, soonest first (of `account`, or of every
    /// account when it is empty).
    pub fn drafts_due(now: i64, limit: i64, account: &str) -> Vec<InvoiceRow> =
        fetch_all(row::select::<InvoiceRow>("status = 'draft' AND finalize_at <= $1 AND test_clock IS NULL
            AND ($3 = '' OR account_id = $3) ORDER BY finalize_at, id LIMIT $2"));

    /// Open invoices on the wall clock due a retry or the end of retries, soonest first.
    pub fn dunning_due(now: i64, limit: i64, account: &str) -> Vec<InvoiceRow> =
        fetch_all(row::select::<InvoiceRow>("status = 'open' AND dunning_at <= $1 AND test_clock IS NULL
            AND ($3 = '' OR account_id = $3) ORDER BY dunning_at, id LIMIT $2"));

    /// A test clock's drafts due by `until`, soonest first.
    pub fn clock_drafts_due(clock: &str, until: i64, limit: i64) -> Vec<InvoiceRow> =
        fetch_all(row::select::<InvoiceRow>("test_clock = $1 AND status = 'draft' AND finalize_at <= $2
            ORDER BY finalize_at, id LIMIT $3"));

    /// A test clock's open invoices due a retry or the end of retries by `until`.
    pub fn clock_dunning_due(clock: &str, until: i64, limit: i64) -> Vec<InvoiceRow> =
        fetch_all(row::select::<InvoiceRow>("test_clock = $1 AND status = 'open' AND dunning_at <= $2
            ORDER BY dunning_at, id LIMIT $3"));
}

writes! {
    /// Moves a subscription's pending prorations onto an invoice.
    pub fn claim_pending_lines(subscription: &str, invoice: &str) =
        "UPDATE invoice_lines SET invoice = $2 WHERE subscription = $1 AND invoice IS NULL";
    pub fn delete_lines(invoice: &str) = "DELETE FROM invoice_lines WHERE invoice = $1";
    /// Takes the invoice's due step for one instance until `until` (1 row: taken).
    pub fn lease(id: &str, now: i64, until: i64) =
        "UPDATE invoices SET lease_until = $3 WHERE id = $1 AND lease_until <= $2";
    pub fn delete_usage_lines(invoice: &str) =
        "DELETE FROM invoice_lines WHERE invoice = $1 AND kind = 'usage'";
}

/// Moves the pending lines `ids` (read before the transaction) onto an invoice, to queue: a
/// line added after they were read stays pending, for the next invoice.
pub fn claiming_lines(ids: &[String], invoice: &str) -> Option<Statement> {
    if ids.is_empty() {
        return None;
    }
    let list: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "UPDATE invoice_lines SET invoice = $1 WHERE invoice IS NULL AND id IN ({})",
        list.join(", ")
    );
    Some(ids.iter().fold(Statement::new(sql).bind(invoice), |s, id| {
        s.bind(id.as_str())
    }))
}

hot_reads! {
    /// An invoice's lines, in order, as a hot read.
    pub fn lines_of_hot(invoice: &str) -> Vec<LineRow> =
        fetch_all(row::select::<LineRow>("invoice = $1 ORDER BY sort_key, id"));
}

/// Deletes an invoice's usage lines, to queue before their recount.
pub fn deleting_usage_lines(invoice: &str) -> Statement {
    Statement::new("DELETE FROM invoice_lines WHERE invoice = $1 AND kind = 'usage'").bind(invoice)
}

/// Writes `row` if the invoice's status and attempt count are still those given: a retry or
/// a finalization runs once however many instances reach it.
pub async fn save_if(
    tx: &mut Tx,
    row: &InvoiceRow,
    status: InvoiceStatus,
    attempt_count: i64,
) -> Result<bool, sqlx::Error> {
    let n = InvoiceRow::COLUMNS.len();
    let sql = format!(
        "{} AND status = ${} AND attempt_count = ${}",
        InvoiceRow::update_sql(),
        n + 1,
        n + 2
    );
    let write = row
        .args()
        .into_iter()
        .fold(Statement::new(sql), Statement::bind)
        .bind(status)
        .bind(attempt_count);
    Ok(tx.execute(write).await? == 1)
}

/// Deletes every billing object of a test clock: its invoices, their lines, usage records,
/// subscriptions and items. (Payments made stay: the ledger keeps every movement.)
pub async fn delete_of_clock(tx: &mut Tx, clock: &str) -> Result<(), sqlx::Error> {
    for sql in [
        "DELETE FROM invoice_lines WHERE invoice IN (SELECT id FROM invoices WHERE test_clock = $1)",
        "DELETE FROM invoice_lines WHERE invoice IS NULL AND subscription IN (SELECT id FROM subscriptions WHERE test_clock = $1)",
        "DELETE FROM invoices WHERE test_clock = $1",
        "DELETE FROM usage_records WHERE subscription IN (SELECT id FROM subscriptions WHERE test_clock = $1)",
        "DELETE FROM subscription_items WHERE subscription IN (SELECT id FROM subscriptions WHERE test_clock = $1)",
        "DELETE FROM subscriptions WHERE test_clock = $1",
        "UPDATE customers SET deleted = 1 WHERE test_clock = $1",
    ] {
        tx.execute(Statement::new(sql).bind(clock)).await?;
    }
    Ok(())
}

/// An open invoice of nothing, for unit tests elsewhere in the crate.
#[cfg(test)]
pub fn sample_invoice(id: &str) -> InvoiceRow {
    InvoiceRow {
        id: id.into(),
        account_id: "acct_1".into(),
        mode: Mode::Test,
        customer: "cust_1".into(),
        subscription: None,
        test_clock: None,
        status: InvoiceStatus::Open,
        currency: Currency::parse("EUR").expect("a known currency"),
        billing_reason: BillingReason::SubscriptionCycle,
        period_start: 0,
        period_end: 0,
        subtotal: 0,
        total: 0,
        amount_due: 0,
        amount_paid: 0,
        amount_remaining: 0,
        attempt_count: 0,
        next_payment_attempt: None,
        dunning_at: None,
        payment: None,
        finalize_at: None,
        finalized_at: None,
        paid_at: None,
        voided_at: None,
        marked_uncollectible_at: None,
        created: 0,
        sort_key: 0,
    }
}
