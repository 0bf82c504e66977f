//! Payments as stored, and the compare-and-set that applies a state-machine step.

use super::page::{Filter, Listing};
use super::row::{self, row};
use super::statement::reads;
use super::statement::writes;
use super::{Statement, Tx};
use crate::domain::mode::Mode;
use crate::domain::money::Currency;
use crate::domain::payment::PaymentStatus;
use sqlx::{Any, Executor};

row! {
    #[derive(Debug, Clone, serde::Deserialize)]
    pub struct PaymentRow in "payments" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub amount: i64,
        pub amount_capturable: i64,
        pub amount_received: i64,
        pub amount_refunded: i64,
        pub currency: Currency,
        pub status: PaymentStatus,
        pub capture_method: String,
        pub payment_method: Option<String>,
        pub customer: Option<String>,
        pub customer_reference: Option<String>,
        pub customer_email: Option<String>,
        pub customer_name: Option<String>,
        pub customer_phone: Option<String>,
        pub description: Option<String>,
        pub product_name: Option<String>,
        pub metadata: String,
        pub return_url: Option<String>,
        pub statement_descriptor: Option<String>,
        pub on_behalf_of: Option<String>,
        pub acquirer: String,
        pub latest_charge: Option<String>,
        pub next_action: Option<String>,
        pub last_payment_error: Option<String>,
        pub adjustment: Option<String>,
        pub reversal: Option<String>,
        pub cancellation_reason: Option<String>,
        pub expires_at: i64,
        pub created: i64,
        pub sort_key: i64,
        /// The checkout session that created the payment (`cs_…`), if any.
        pub checkout_session: Option<String>,
        /// The invoice this payment is an attempt to pay (`inv_…`), if any.
        pub invoice: Option<String>,
        /// The current (or last) authorisation attempt: the id its charge gets, sent to the
        /// processor as the idempotency key.
        pub attempt: Option<String>,
        /// The processor's id of the authorisation (Stripe's `pi_…`); none in the sandbox.
        pub processor_ref: Option<String>,
        /// The processor's dispute of the payment, as last reported (JSON).
        pub dispute: Option<String>,
    }
}

reads! {
    /// Payments still waiting for their customer whose `expires_at` has passed, oldest first.
    pub fn due_for_expiry(now: i64, limit: i64) -> Vec<PaymentRow> =
        fetch_all(row::select::<PaymentRow>("status IN ('requires_payment_method', 'requires_action') AND expires_at <= $1
            ORDER BY expires_at LIMIT $2"));
}

/// Payments left `processing` past their call deadline: the confirm that claimed them stopped
/// before recording the acquirer's answer. Oldest deadline first; one account's only when
/// `account` is given.
pub async fn stuck_processing<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    now: i64,
    account: Option<&str>,
    limit: i64,
) -> Result<Vec<PaymentRow>, sqlx::Error> {
    let of_account = if account.is_some() {
        "AND account_id = $3"
    } else {
        ""
    };
    let sql = row::select::<PaymentRow>(&format!(
        "status = 'processing' AND acquirer_call_until <= $1 {of_account}
         ORDER BY acquirer_call_until LIMIT $2"
    ));
    let mut query = Statement::new(&sql).bind(now).bind(limit);
    if let Some(account) = account {
        query = query.bind(account);
    }
    query.fetch_all(ex).await
}

impl PaymentRow {
    /// The last attempt's error as the contract shows it (`code`, `decline_code`, …), when
    /// there is one.
    pub fn last_error(&self) -> Option<serde_json::Value> {
        serde_json::from_str(self.last_payment_error.as_deref()?).ok()
    }
}

/// Sets a payment's `created` (an invoice's attempt on a test clock lives at the clock's time).
pub fn set_created(id: &str, created: i64) -> Statement {
    Statement::new("UPDATE payments SET created = $2 WHERE id = $1")
        .bind(id)
        .bind(created)
}

/// The deadline of the acquirer call a payment written `processing` waits on.
pub fn set_call_until(id: &str, until: i64) -> Statement {
    Statement::new("UPDATE payments SET acquirer_call_until = $2 WHERE id = $1")
        .bind(id)
        .bind(until)
}

reads! {
    /// A payment by id alone: the checkout and the issuer challenge are reached without a key,
    /// by the payment's unguessable id.
    pub fn find_by_id(id: &str) -> Option<PaymentRow> =
        fetch_optional(row::select::<PaymentRow>("id = $1"));

    /// The attempts to pay an invoice, newest first.
    pub fn of_invoice(invoice: &str) -> Vec<PaymentRow> =
        fetch_all(row::select::<PaymentRow>("invoice = $1 ORDER BY sort_key DESC, id DESC"));
}

/// Writes the mutable fields of `r` if the stored status is still `expected_status`, with the
/// deadline of the acquirer call it now waits on (`call_until`, 0 for none). False when
/// another request changed the payment first: the caller rolls back and answers 409.
///
/// A payment awaiting its method may have been repriced since it was read (a loyalty reward
/// put on it or taken off, `reprice`), so leaving that status also needs the amount it was
/// read with: a confirm never charges a price that is no longer the payment's. (Only an
/// adjustment changes the amount itself, and it starts from `requires_capture`.)
pub async fn update_if_status(
    tx: &mut Tx,
    r: &PaymentRow,
    expected_status: &str,
    call_until: i64,
) -> Result<bool, sqlx::Error> {
    let write = Statement::new(
        "UPDATE payments SET amount = $3, amount_capturable = $4, amount_received = $5, amount_refunded = $6,
             status = $7, payment_method = $8, latest_charge = $9, next_action = $10, last_payment_error = $11,
             adjustment = $12, reversal = $13, cancellation_reason = $14, acquirer = $15, customer = $16,
             acquirer_call_until = $17, attempt = $18, processor_ref = $19
         WHERE id = $1 AND status = $2
           AND (status <> 'requires_payment_method' OR amount = $3)",
    )
    .bind(&r.id)
    .bind(expected_status)
    .bind(r.amount)
    .bind(r.amount_capturable)
    .bind(r.amount_received)
    .bind(r.amount_refunded)
    .bind(r.status)
    .bind(&r.payment_method)
    .bind(&r.latest_charge)
    .bind(&r.next_action)
    .bind(&r.last_payment_error)
    .bind(&r.adjustment)
    .bind(&r.reversal)
    .bind(&r.cancellation_reason)
    .bind(&r.acquirer)
    .bind(&r.customer)
    .bind(call_until)
    .bind(&r.attempt)
    .bind(&r.processor_ref);
    Ok(tx.execute(write).await? == 1)
}

/// Takes the payment for one acquirer call until `until`: true when its status is still
/// `expected_status` and no other call holds it. Writing the payment (`update_if_status`) or
/// `end_acquirer_call` gives it back.
pub async fn take_for_acquirer_call(
    tx: &mut Tx,
    id: &str,
    expected_status: &str,
    now: i64,
    until: i64,
) -> Result<bool, sqlx::Error> {
    let done = Statement::new(
        "UPDATE payments SET acquirer_call_until = $4
         WHERE id = $1 AND status = $2 AND acquirer_call_until <= $3",
    )
    .bind(id)
    .bind(expected_status)
    .bind(now)
    .bind(until)
    .execute(tx.conn().await?)
    .await?;
    Ok(done.rows_affected() == 1)
}

writes! {
    /// Records the processor's dispute of a payment (JSON). 1 row: changed.
    pub fn set_dispute(id: &str, dispute: &str) =
        "UPDATE payments SET dispute = $2 WHERE id = $1";
}

reads! {
    /// The payment of a merchant and mode whose processor authorisation is `processor_ref`.
    pub fn find_by_processor_ref(account_id: &str, mode: &str, processor_ref: &str) -> Option<PaymentRow> =
        fetch_optional(row::select::<PaymentRow>("processor_ref = $3 AND account_id = $1 AND mode = $2"));
}

writes! {
    /// A payment still awaiting its method at `from` costs `to` now (a loyalty reward taken
    /// off it, or given back). 1 row: changed.
    pub fn reprice(id: &str, from: i64, to: i64) =
        "UPDATE payments SET amount = $3 WHERE id = $1 AND amount = $2
         AND status = 'requires_payment_method'";
    /// Gives the payment back after an acquirer call that changed nothing.
    pub fn end_acquirer_call(id: &str) =
        "UPDATE payments SET acquirer_call_until = 0 WHERE id = $1";
}

/// Filters of the payment list.
#[derive(Debug, Default, Clone)]
pub struct PaymentFilter {
    pub customer: Option<String>,
    pub customer_reference: Option<String>,
    pub status: Option<String>,
    pub created_gte: Option<i64>,
    pub created_lte: Option<i64>,
    /// Dashboard filters: currency, the customer's e-mail (any case), one payment id.
    pub currency: Option<String>,
    pub customer_email: Option<String>,
    pub id: Option<String>,
}

impl Listing for PaymentFilter {
    type Row = PaymentRow;
    fn conditions(&self, f: &mut Filter) {
        f.eq("customer", self.customer.as_deref());
        f.eq("customer_reference", self.customer_reference.as_deref());
        f.eq("status", self.status.as_deref());
        if let Some(v) = self.created_gte {
            f.push("created >= $1", [v.into()]);
        }
        if let Some(v) = self.created_lte {
            f.push("created <= $1", [v.into()]);
        }
        f.eq("currency", self.currency.as_deref());
        if let Some(v) = &self.customer_email {
            // `IS NOT NULL` names the partial index's condition, so both databases may use it.
            f.push(
                "customer_email IS NOT NULL AND lower(customer_email) = lower($1)",
                [v.into()],
            );
        }
        f.eq("id", self.id.as_deref());
    }
}

/// Payments per UTC day and currency created at or after `since`: what the dashboard home
/// charts. Succeeded = authorised (captured or capturable); attempted adds declines and failures.
pub async fn daily_totals<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    account_id: &str,
    mode: &str,
    since: i64,
) -> Result<Vec<crate::domain::stats::DayRow>, sqlx::Error> {
    let rows: Vec<(i64, String, i64, i64, i64, i64)> = Statement::new(
        "SELECT CAST(created / 86400 AS BIGINT) AS day, currency, COUNT(*) AS n,
                CAST(SUM(CASE WHEN amount_received > 0 OR status = 'requires_capture'
                              THEN 1 ELSE 0 END) AS BIGINT) AS ok,
                CAST(SUM(CASE WHEN amount_received > 0 OR status = 'requires_capture'
                                   OR status = 'failed' OR last_payment_error IS NOT NULL
                              THEN 1 ELSE 0 END) AS BIGINT) AS tried,
                CAST(SUM(amount_received) AS BIGINT) AS volume
         FROM payments WHERE account_id = $1 AND mode = $2 AND created >= $3
         GROUP BY CAST(created / 86400 AS BIGINT), currency",
    )
    .bind(account_id)
    .bind(mode)
    .bind(since)
    .fetch_all(ex)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(day, currency, count, succeeded, attempted, volume)| crate::domain::stats::DayRow {
                day,
                currency,
                count,
                succeeded,
                attempted,
                volume,
            },
        )
        .collect())
}

/// A payment with every optional field empty, for unit tests elsewhere in the crate.
#[cfg(test)]
pub fn sample_row(id: &str, status: &str, return_url: Option<&str>) -> PaymentRow {
    PaymentRow {
        id: id.into(),
        account_id: String::new(),
        mode: crate::domain::mode::Mode::Test,
        amount: 100,
        amount_capturable: 0,
        amount_received: 0,
        amount_refunded: 0,
        currency: crate::domain::money::Currency::parse("EUR").expect("EUR"),
        status: PaymentStatus::parse(status).expect("a payment status"),
        capture_method: "automatic".into(),
        payment_method: None,
        customer: None,
        customer_reference: None,
        customer_email: None,
        customer_name: None,
        customer_phone: None,
        description: None,
        product_name: None,
        metadata: "{}".into(),
        return_url: return_url.map(str::to_string),
        statement_descriptor: None,
        on_behalf_of: None,
        acquirer: "acq_sandbox".into(),
        latest_charge: None,
        next_action: None,
        last_payment_error: None,
        adjustment: None,
        reversal: None,
        cancellation_reason: None,
        expires_at: 0,
        created: 0,
        sort_key: 0,
        checkout_session: None,
        invoice: None,
        attempt: None,
        processor_ref: None,
        dispute: None,
    }
}
