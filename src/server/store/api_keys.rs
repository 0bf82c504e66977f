//! API keys: only their SHA-256 digest is stored (publishable keys, being public, also whole).

use super::Statement;
use super::Tx;
use super::row::row;
use sqlx::{Any, Executor};

row! {
    /// A key as stored.
    #[derive(Debug, Clone)]
    pub struct ApiKeyRow in "api_keys" {
        pub id: String,
        pub account_id: String,
        pub mode: String,
        pub kind: String,
        pub digest: String,
        pub hint: String,
        pub created: i64,
        pub expires_at: Option<i64>,
    }
}

row! {
    /// What authenticating a request needs: the key and the account it belongs to.
    #[derive(Debug, Clone)]
    pub struct KeyOwner {
        pub key_id: String,
        pub mode: String,
        pub kind: String,
        pub expires_at: Option<i64>,
        pub account_id: String,
        pub account_name: String,
        pub default_currency: String,
        pub default_acquirer: String,
    }
}

pub async fn find_owner_by_digest<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    digest: &str,
) -> Result<Option<KeyOwner>, sqlx::Error> {
    Statement::new(
        "SELECT k.id AS key_id, k.mode, k.kind, k.expires_at, a.id AS account_id,
                a.name AS account_name, a.default_currency, a.default_acquirer
         FROM api_keys k JOIN accounts a ON a.id = k.account_id
         WHERE k.digest = $1",
    )
    .bind(digest)
    .fetch_optional(ex)
    .await
}

/// Keys of one account that still work at `now`, newest first.
pub async fn list_active<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    account_id: &str,
    now: i64,
) -> Result<Vec<ApiKeyRow>, sqlx::Error> {
    Statement::new(
        "SELECT id, account_id, mode, kind, digest, hint, created, expires_at FROM api_keys
         WHERE account_id = $1 AND (expires_at IS NULL OR expires_at > $2)
         ORDER BY created DESC, id",
    )
    .bind(account_id)
    .bind(now)
    .fetch_all(ex)
    .await
}

/// Every key of one account, newest first, expired ones included (the dashboard shows when a
/// rolled key stopped or stops working).
pub async fn list_all<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    account_id: &str,
    mode: &str,
) -> Result<Vec<ApiKeyRow>, sqlx::Error> {
    Statement::new(
        "SELECT id, account_id, mode, kind, digest, hint, created, expires_at FROM api_keys
         WHERE account_id = $1 AND mode = $2
         ORDER BY created DESC, id LIMIT 50",
    )
    .bind(account_id)
    .bind(mode)
    .fetch_all(ex)
    .await
}

/// Makes every still-unexpiring key of this account, mode and kind stop working at `at`.
pub async fn expire_all(
    tx: &mut Tx,
    account_id: &str,
    mode: &str,
    kind: &str,
    at: i64,
) -> Result<u64, sqlx::Error> {
    let done = Statement::new(
        "UPDATE api_keys SET expires_at = $4
         WHERE account_id = $1 AND mode = $2 AND kind = $3
           AND (expires_at IS NULL OR expires_at > $4)",
    )
    .bind(account_id)
    .bind(mode)
    .bind(kind)
    .bind(at)
    .execute(tx.conn().await?)
    .await?;
    Ok(done.rows_affected())
}
