//! Dashboard sessions: the cookie holds a random token, the table its SHA-256 digest.

use super::Statement;
use super::Tx;
use crate::server::store::row::row;
use sqlx::{Any, Executor};

row! {
    /// A live session with the user and account it belongs to.
    #[derive(Debug, Clone)]
    pub struct SessionOwner {
        pub user_id: String,
        pub email: String,
        pub mode: String,
        pub expires_at: i64,
        pub account_id: String,
        pub account_name: String,
    }
}

pub async fn insert(
    tx: &mut Tx,
    digest: &str,
    user_id: &str,
    mode: &str,
    created: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    Statement::new(
        "INSERT INTO sessions (digest, user_id, mode, created, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(digest)
    .bind(user_id)
    .bind(mode)
    .bind(created)
    .bind(expires_at)
    .execute(tx.conn().await?)
    .await?;
    Ok(())
}

pub async fn find_live<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    digest: &str,
    now: i64,
) -> Result<Option<SessionOwner>, sqlx::Error> {
    Statement::new(
        "SELECT u.id AS user_id, u.email, s.mode, s.expires_at, a.id AS account_id,
                a.name AS account_name
         FROM sessions s JOIN users u ON u.id = s.user_id JOIN accounts a ON a.id = u.account_id
         WHERE s.digest = $1 AND s.expires_at > $2",
    )
    .bind(digest)
    .bind(now)
    .fetch_optional(ex)
    .await
}

/// Switches a session between test and live data.
pub async fn set_mode(tx: &mut Tx, digest: &str, mode: &str) -> Result<(), sqlx::Error> {
    Statement::new("UPDATE sessions SET mode = $2 WHERE digest = $1")
        .bind(digest)
        .bind(mode)
        .execute(tx.conn().await?)
        .await?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, digest: &str) -> Result<(), sqlx::Error> {
    Statement::new("DELETE FROM sessions WHERE digest = $1")
        .bind(digest)
        .execute(tx.conn().await?)
        .await?;
    Ok(())
}

/// Removes sessions that have run out, so the table does not grow without bound.
pub async fn delete_expired(tx: &mut Tx, now: i64) -> Result<u64, sqlx::Error> {
    let done = Statement::new("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(tx.conn().await?)
        .await?;
    Ok(done.rows_affected())
}
