//! The callback queue: one delivery per result to report to a session's `callback_url`, and
//! every attempt made to deliver it.

use super::Statement;
use super::Tx;
use super::row::{self, row};
use super::statement::reads;
use crate::domain::mode::Mode;

row! {
    #[derive(Debug, Clone)]
    pub struct DeliveryRow in "callback_deliveries" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub session_id: String,
        pub payment_id: String,
        pub event: String,
        pub url: String,
        pub status: String,
        pub attempts: i64,
        pub next_attempt_at: i64,
        pub lease_until: i64,
        pub created: i64,
        pub delivered_at: Option<i64>,
    }
}

row! {
    #[derive(Debug, Clone)]
    pub struct AttemptRow {
        pub delivery_id: String,
        pub attempt: i64,
        pub at: i64,
        pub status_code: Option<i64>,
        pub error: Option<String>,
        pub duration_ms: i64,
    }
}

reads! {
    /// Pending deliveries whose next attempt is due and that no instance is working on.
    pub fn due(now: i64, limit: i64) -> Vec<DeliveryRow> =
        fetch_all(row::select::<DeliveryRow>("status = 'pending' AND next_attempt_at <= $1 AND lease_until <= $1
            ORDER BY next_attempt_at LIMIT $2"));
}

/// Takes a delivery for one attempt (compare-and-set on the lease and the attempt count), so
/// that of several instances only one calls. False when another one took it first.
pub async fn take(
    tx: &mut Tx,
    id: &str,
    attempts: i64,
    now: i64,
    lease_until: i64,
) -> Result<bool, sqlx::Error> {
    let done = Statement::new(
        "UPDATE callback_deliveries SET lease_until = $4
         WHERE id = $1 AND status = 'pending' AND attempts = $2 AND lease_until <= $3",
    )
    .bind(id)
    .bind(attempts)
    .bind(now)
    .bind(lease_until)
    .execute(tx.conn().await?)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records one attempt and where the delivery stands after it.
pub async fn record(
    tx: &mut Tx,
    attempt: &AttemptRow,
    status: &str,
    next_attempt_at: i64,
) -> Result<(), sqlx::Error> {
    Statement::new(
        "INSERT INTO callback_attempts (delivery_id, attempt, at, status_code, error, duration_ms)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&attempt.delivery_id)
    .bind(attempt.attempt)
    .bind(attempt.at)
    .bind(attempt.status_code)
    .bind(&attempt.error)
    .bind(attempt.duration_ms)
    .execute(tx.conn().await?)
    .await?;
    let delivered_at = (status == "delivered").then_some(attempt.at);
    Statement::new(
        "UPDATE callback_deliveries SET status = $2, attempts = $3, next_attempt_at = $4,
             lease_until = 0, delivered_at = $5
         WHERE id = $1",
    )
    .bind(&attempt.delivery_id)
    .bind(status)
    .bind(attempt.attempt)
    .bind(next_attempt_at)
    .bind(delivered_at)
    .execute(tx.conn().await?)
    .await?;
    Ok(())
}

reads! {
    /// A session's deliveries, oldest first.
    pub fn for_session(session_id: &str) -> Vec<DeliveryRow> =
        fetch_all(row::select::<DeliveryRow>("session_id = $1 ORDER BY created, id"));
}

reads! {
    /// The attempts of a session's deliveries, in order.
    pub fn attempts_for_session(session_id: &str) -> Vec<AttemptRow> =
        fetch_all("SELECT a.delivery_id, a.attempt, a.at, a.status_code, a.error, a.duration_ms
            FROM callback_attempts a JOIN callback_deliveries d ON d.id = a.delivery_id
            WHERE d.session_id = $1 ORDER BY a.delivery_id, a.attempt");
}
