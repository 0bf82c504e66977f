//! Refunds (`re_…`) and the payment-side bookkeeping that keeps them from exceeding what was
//! received, however many run at once.

use super::Statement;
use super::Tx;
use super::page::{Filter, Listing};
use super::row::{self, row};
use super::statement::reads;
use super::statement::writes;
use crate::domain::mode::Mode;
use crate::domain::money::Currency;
use crate::domain::refund::RefundStatus;
use sqlx::{Any, Executor};

row! {
    #[derive(Debug, Clone)]
    pub struct RefundRow in "refunds" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub payment_id: String,
        pub charge_id: Option<String>,
        pub amount: i64,
        pub currency: Currency,
        pub status: RefundStatus,
        pub reason: Option<String>,
        /// JSON object of string values.
        pub metadata: String,
        pub failure_reason: Option<String>,
        pub created: i64,
        pub sort_key: i64,
    }
}

/// Sets a pending refund's outcome.
pub async fn finish(
    tx: &mut Tx,
    id: &str,
    status: RefundStatus,
    failure_reason: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let done = Statement::new(
        "UPDATE refunds SET status = $2, failure_reason = $3 WHERE id = $1 AND status = 'pending'",
    )
    .bind(id)
    .bind(status)
    .bind(failure_reason)
    .execute(tx.conn().await?)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Refunds still `pending` that were created at or before `created_before` (seconds): their
/// request stopped before recording the acquirer's answer. Oldest first; one account's only
/// when `account` is given.
pub async fn stuck_pending<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    created_before: i64,
    account: Option<&str>,
    limit: i64,
) -> Result<Vec<RefundRow>, sqlx::Error> {
    let of_account = if account.is_some() {
        "AND account_id = $3"
    } else {
        ""
    };
    let sql = row::select::<RefundRow>(&format!(
        "status = 'pending' AND created <= $1 {of_account} ORDER BY created LIMIT $2"
    ));
    let mut query = Statement::new(&sql).bind(created_before).bind(limit);
    if let Some(account) = account {
        query = query.bind(account);
    }
    query.fetch_all(ex).await
}

/// Holds `amount` of a payment's received money for a pending refund (compare-and-set): false
/// when the payment cannot be refunded that much now (its status, or other refunds first).
pub async fn hold(tx: &mut Tx, payment_id: &str, amount: i64) -> Result<bool, sqlx::Error> {
    let done = Statement::new(
        "UPDATE payments SET refunds_pending = refunds_pending + $2
         WHERE id = $1 AND status IN ('succeeded', 'partially_refunded')
           AND amount_received - amount_refunded - refunds_pending >= $2",
    )
    .bind(payment_id)
    .bind(amount)
    .execute(tx.conn().await?)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Turns a held amount into refunded money and the payment's status with it; returns the
/// payment's (amount_received, amount_refunded) afterwards.
pub async fn settle_hold(
    tx: &mut Tx,
    payment_id: &str,
    amount: i64,
) -> Result<(i64, i64), sqlx::Error> {
    Statement::new(
        "UPDATE payments SET refunds_pending = refunds_pending - $2,
             amount_refunded = amount_refunded + $2,
             status = CASE WHEN amount_refunded + $2 >= amount_received THEN 'refunded'
                           ELSE 'partially_refunded' END
         WHERE id = $1
         RETURNING amount_received, amount_refunded",
    )
    .bind(payment_id)
    .bind(amount)
    .fetch_one(tx.conn().await?)
    .await
}

writes! {
    /// A succeeded refund the processor turned back later: failed, with why. 1 row: changed.
    pub fn fail_after_success(id: &str, reason: &str) =
        "UPDATE refunds SET status = 'failed', failure_reason = $2 WHERE id = $1 AND status = 'succeeded'";
}

/// Takes a turned-back refund off the payment: its refunded amount and status (back to
/// `succeeded` when nothing else is refunded). Returns (amount_received, amount_refunded).
pub async fn unsettle(
    tx: &mut Tx,
    payment_id: &str,
    amount: i64,
) -> Result<(i64, i64), sqlx::Error> {
    Statement::new(
        "UPDATE payments SET amount_refunded = amount_refunded - $2,
             status = CASE WHEN amount_refunded - $2 <= 0 THEN 'succeeded'
                           ELSE 'partially_refunded' END
         WHERE id = $1 AND amount_refunded >= $2
         RETURNING amount_received, amount_refunded",
    )
    .bind(payment_id)
    .bind(amount)
    .fetch_one(tx.conn().await?)
    .await
}

writes! {
    /// Gives a held amount back (the refund failed).
    pub fn release_hold(payment_id: &str, amount: i64) =
        "UPDATE payments SET refunds_pending = refunds_pending - $2 WHERE id = $1";
}

writes! {
    /// A write that changes nothing, taking the payment's row lock (Postgres) so that a
    /// settlement and a refund of the same payment run one after the other.
    pub fn lock_payment(payment_id: &str) =
        "UPDATE payments SET refunds_pending = refunds_pending WHERE id = $1";
}

/// How much of a payment pending refunds hold.
pub async fn pending_of<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    payment_id: &str,
) -> Result<i64, sqlx::Error> {
    let (held,): (i64,) = Statement::new("SELECT refunds_pending FROM payments WHERE id = $1")
        .bind(payment_id)
        .fetch_one(ex)
        .await?;
    Ok(held)
}

reads! {
    /// A payment's refunds, oldest first (receipts, the dashboard).
    pub fn of_payment(payment_id: &str) -> Vec<RefundRow> =
        fetch_all(row::select::<RefundRow>("payment_id = $1 ORDER BY sort_key, id"));
}

/// Filters of the refund list.
#[derive(Debug, Default, Clone)]
pub struct RefundFilter {
    /// Only this payment's refunds.
    pub payment: Option<String>,
}

impl Listing for RefundFilter {
    type Row = RefundRow;
    fn conditions(&self, f: &mut Filter) {
        f.eq("payment_id", self.payment.as_deref());
    }
}
