//! Dashboard users: e-mail and an argon2id password hash, with a failed-login counter.

use super::Statement;
use super::Tx;
use super::row::row;
use sqlx::{Any, Executor};

row! {
    #[derive(Debug, Clone)]
    pub struct UserRow in "users" {
        pub id: String,
        pub account_id: String,
        pub email: String,
        pub password_hash: String,
        pub failed_logins: i64,
        pub locked_until: i64,
        pub created: i64,
    }
}

/// E-mails are compared without case: people type them both ways.
pub async fn find_by_email<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    email: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    Statement::new(
        "SELECT id, account_id, email, password_hash, failed_logins, locked_until, created
         FROM users WHERE lower(email) = lower($1)",
    )
    .bind(email)
    .fetch_optional(ex)
    .await
}

/// Records the outcome of a login attempt.
pub async fn set_login_state(
    tx: &mut Tx,
    user_id: &str,
    failed_logins: i64,
    locked_until: i64,
) -> Result<(), sqlx::Error> {
    Statement::new("UPDATE users SET failed_logins = $2, locked_until = $3 WHERE id = $1")
        .bind(user_id)
        .bind(failed_logins)
        .bind(locked_until)
        .execute(tx.conn().await?)
        .await?;
    Ok(())
}

pub async fn set_password(tx: &mut Tx, user_id: &str, hash: &str) -> Result<(), sqlx::Error> {
    Statement::new(
        "UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = 0 WHERE id = $1",
    )
    .bind(user_id)
    .bind(hash)
    .execute(tx.conn().await?)
    .await?;
    Ok(())
}
