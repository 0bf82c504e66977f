//! The webhook queue: one delivery per (event, endpoint), and every attempt made at it.
//!
//! Instances take due deliveries in batches with a lease (a compare-and-set on `lease_until`,
//! marked with the taker's token), so several VINR instances on one database never send the
//! same attempt at once, and an instance that dies mid-way only delays its batch until the
//! lease runs out.

use super::Statement;
use super::Tx;
use super::page::{Filter, Listing};
use super::row::{self, row};
use super::statement::writes;
use crate::domain::mode::Mode;
use sqlx::{Any, AnyPool, Executor};

row! {
    #[derive(Debug, Clone)]
    pub struct DeliveryRow in "webhook_deliveries" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub endpoint_id: String,
        pub event_id: String,
        pub event_type: String,
        pub status: String,
        pub attempts: i64,
        pub next_attempt_at: i64,
        pub lease_until: i64,
        pub lease_token: Option<String>,
        pub delivered_at: Option<i64>,
        pub created: i64,
        pub sort_key: i64,
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
        /// The first kilobyte of what the receiver answered.
        pub response_body: Option<String>,
    }
}

/// Queues deliveries in one statement (an event often goes to several endpoints).
pub fn insert_many(tx: &mut Tx, rows: &[DeliveryRow]) {
    if let Some(write) = row::insert_many(rows) {
        tx.defer(write);
    }
}

/// The `WHERE` of due, free deliveries: `$1` is now; `account` is the placeholder of the one
/// account to take, if any.
fn due_where(account: Option<&str>) -> String {
    let mut clause =
        "status = 'pending' AND next_attempt_at <= $1 AND lease_until <= $1".to_string();
    if let Some(placeholder) = account {
        clause.push_str(&format!(" AND account_id = {placeholder}"));
    }
    clause
}

/// True when some delivery is due at `now` and free: a cheap read before taking a write lock.
pub async fn any_due<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    now: i64,
    account: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "SELECT id FROM webhook_deliveries WHERE {} LIMIT 1",
        due_where(account.map(|_| "$2"))
    );
    let mut query = Statement::new(sql).bind(now);
    if let Some(account) = account {
        query = query.bind(account);
    }
    let found: Option<(String,)> = query.fetch_optional(ex).await?;
    Ok(found.is_some())
}

/// A delivery's status (`pending`, `delivered`, `failed`, `canceled`), if it exists.
pub async fn status_of(tx: &mut Tx, id: &str) -> Result<Option<String>, sqlx::Error> {
    let found: Option<(String,)> =
        Statement::new("SELECT status FROM webhook_deliveries WHERE id = $1")
            .bind(id)
            .fetch_optional(tx.conn().await?)
            .await?;
    Ok(found.map(|(status,)| status))
}

/// Takes up to `limit` due deliveries (of one account, when given) until `lease_until`,
/// marked with `token`, oldest due first. A delivery another instance took first is not
/// returned.
pub async fn claim(
    tx: &mut Tx,
    now: i64,
    account: Option<&str>,
    lease_until: i64,
    token: &str,
    limit: i64,
) -> Result<Vec<DeliveryRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE webhook_deliveries SET lease_until = $2, lease_token = $3
         WHERE id IN (SELECT id FROM webhook_deliveries WHERE {}
                      ORDER BY next_attempt_at LIMIT $4)
           AND status = 'pending' AND lease_until <= $1
         RETURNING {}",
        due_where(account.map(|_| "$5")),
        <DeliveryRow as row::Table>::select_list()
    );
    let mut query = Statement::new(&sql)
        .bind(now)
        .bind(lease_until)
        .bind(token)
        .bind(limit);
    if let Some(account) = account {
        query = query.bind(account);
    }
    query.fetch_all(tx.conn().await?).await
}

/// Records an attempt made under the lease `token` and where the delivery stands after it.
/// False (and nothing written) when the lease was lost meanwhile: another instance owns the
/// delivery now and records its own attempt.
pub async fn record(
    tx: &mut Tx,
    attempt: &AttemptRow,
    token: &str,
    status: &str,
    next_attempt_at: i64,
) -> Result<bool, sqlx::Error> {
    let delivered_at = (status == "delivered").then_some(attempt.at);
    let done = Statement::new(
        "UPDATE webhook_deliveries SET status = $3, attempts = $4, next_attempt_at = $5,
             lease_until = 0, lease_token = NULL, delivered_at = $6
         WHERE id = $1 AND lease_token = $2",
    )
    .bind(&attempt.delivery_id)
    .bind(token)
    .bind(status)
    .bind(attempt.attempt)
    .bind(next_attempt_at)
    .bind(delivered_at)
    .execute(tx.conn().await?)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    Statement::new(
        "INSERT INTO webhook_attempts
             (delivery_id, attempt, at, status_code, error, duration_ms, response_body)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&attempt.delivery_id)
    .bind(attempt.attempt)
    .bind(attempt.at)
    .bind(attempt.status_code)
    .bind(&attempt.error)
    .bind(attempt.duration_ms)
    .bind(&attempt.response_body)
    .execute(tx.conn().await?)
    .await?;
    Ok(true)
}

writes! {
    /// Cancels one taken delivery without an attempt (its endpoint was disabled meanwhile).
    pub fn cancel_taken(id: &str, token: &str) =
        "UPDATE webhook_deliveries SET status = 'canceled', lease_until = 0, lease_token = NULL
            WHERE id = $1 AND lease_token = $2";
}

writes! {
    /// Cancels an endpoint's pending deliveries (it was disabled or deleted); returns how many.
    pub fn cancel_pending(endpoint_id: &str) =
        "UPDATE webhook_deliveries SET status = 'canceled', lease_until = 0, lease_token = NULL
            WHERE endpoint_id = $1 AND status = 'pending'";
}

/// Whose deliveries a list shows.
#[derive(Debug, Clone)]
pub enum Of {
    Endpoint(String),
    Event(String),
}

impl Listing for Of {
    type Row = DeliveryRow;
    fn conditions(&self, f: &mut Filter) {
        match self {
            Of::Endpoint(id) => f.eq("endpoint_id", Some(id)),
            Of::Event(id) => f.eq("event_id", Some(id)),
        }
    }
}

/// The deliveries of these events (to every endpoint), oldest first.
pub async fn of_events<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    event_ids: &[String],
) -> Result<Vec<DeliveryRow>, sqlx::Error> {
    row::with_any_of(ex, "event_id", event_ids, "ORDER BY sort_key, id").await
}

/// Each delivery with its attempts (one query for all of them), in the order given.
pub async fn with_attempts(
    pool: &AnyPool,
    deliveries: Vec<DeliveryRow>,
) -> Result<Vec<(DeliveryRow, Vec<AttemptRow>)>, sqlx::Error> {
    let ids: Vec<String> = deliveries.iter().map(|d| d.id.clone()).collect();
    let mut attempts = attempts_of(pool, &ids).await?;
    Ok(deliveries
        .into_iter()
        .map(|d| {
            let mine = attempts.extract_if(.., |a| a.delivery_id == d.id).collect();
            (d, mine)
        })
        .collect())
}

/// The attempts of these deliveries, in order.
pub async fn attempts_of<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    delivery_ids: &[String],
) -> Result<Vec<AttemptRow>, sqlx::Error> {
    if delivery_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT delivery_id, attempt, at, status_code, error, duration_ms, response_body
         FROM webhook_attempts WHERE delivery_id IN ({}) ORDER BY delivery_id, attempt",
        super::page::placeholders(1, delivery_ids.len())
    );
    let mut query = Statement::new(&sql);
    for id in delivery_ids {
        query = query.bind(id);
    }
    query.fetch_all(ex).await
}
