//! Webhook endpoints (`we_…`), scoped to an account and mode.

use super::page::{Filter, Listing};
use super::row::{self, row};
use super::{Statement, Store, Tx};
use crate::domain::mode::Mode;
use sqlx::{Any, Executor};

row! {
    /// Deserialize is for reading it (`Store::fetch_all`); it is never serialised (it holds the
    /// signing secrets).
    #[derive(Clone, serde::Deserialize)]
    pub struct EndpointRow in "webhook_endpoints" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub url: String,
        pub description: Option<String>,
        /// JSON array of event types, or `["*"]`.
        pub enabled_events: String,
        pub status: String,
        pub disabled_reason: Option<String>,
        /// JSON object of string values.
        pub metadata: String,
        pub secret: String,
        pub previous_secret: Option<String>,
        pub previous_secret_expires_at: Option<i64>,
        pub deleted: i64,
        pub created: i64,
        pub sort_key: i64,
    }
}

/// The secrets stay out of logs.
impl std::fmt::Debug for EndpointRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointRow")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl EndpointRow {
    /// The subscribed event types (a row always holds a valid list; a broken one matches none).
    pub fn events(&self) -> Vec<String> {
        serde_json::from_str(&self.enabled_events).unwrap_or_default()
    }

    /// The secrets that sign at `now`: the current one, and the previous one during the 24 h
    /// after a rotation.
    pub fn signing_secrets(&self, now: i64) -> Vec<&str> {
        let mut secrets = vec![self.secret.as_str()];
        if let (Some(old), Some(until)) = (&self.previous_secret, self.previous_secret_expires_at)
            && now < until
        {
            secrets.push(old);
        }
        secrets
    }
}

/// An endpoint of this account and mode that has not been deleted.
pub async fn find<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    account_id: &str,
    mode: &str,
    id: &str,
) -> Result<Option<EndpointRow>, sqlx::Error> {
    Statement::new(row::select::<EndpointRow>(
        "id = $1 AND account_id = $2 AND mode = $3 AND deleted = 0",
    ))
    .bind(id)
    .bind(account_id)
    .bind(mode)
    .fetch_optional(ex)
    .await
}

/// The query of `enabled` and `enabled_in`.
fn enabled_sql() -> String {
    row::select::<EndpointRow>(
        "account_id = $1 AND mode = $2 AND status = 'enabled' AND deleted = 0
         ORDER BY sort_key",
    )
}

/// The enabled endpoints of an account and mode: who gets its events.
pub async fn enabled(
    store: &Store,
    account_id: &str,
    mode: &str,
) -> Result<Vec<EndpointRow>, sqlx::Error> {
    store
        .fetch_all(Statement::new(enabled_sql()).bind(account_id).bind(mode))
        .await
}

/// `enabled`, read in the transaction that records the events (with its queued writes, in
/// one round trip).
pub async fn enabled_in(
    tx: &mut Tx,
    account_id: &str,
    mode: &str,
) -> Result<Vec<EndpointRow>, sqlx::Error> {
    tx.fetch_all(Statement::new(enabled_sql()).bind(account_id).bind(mode))
        .await
}

/// Endpoints by id, whatever their state (the delivery worker decides).
pub async fn by_ids<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    ids: &[String],
) -> Result<Vec<EndpointRow>, sqlx::Error> {
    row::with_any_of(ex, "id", ids, "").await
}

/// Disables an endpoint (compare-and-set on its status); false when it was not enabled.
pub async fn disable(tx: &mut Tx, id: &str, reason: &str) -> Result<bool, sqlx::Error> {
    let done = Statement::new(
        "UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = $2
         WHERE id = $1 AND status = 'enabled'",
    )
    .bind(id)
    .bind(reason)
    .execute(tx.conn().await?)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The endpoints not deleted.
#[derive(Debug, Default, Clone)]
pub struct EndpointFilter;

impl Listing for EndpointFilter {
    type Row = EndpointRow;
    fn conditions(&self, f: &mut Filter) {
        f.push("deleted = 0", []);
    }
}
