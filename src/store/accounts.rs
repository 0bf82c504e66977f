//! Merchant accounts (`acct_…`).

use super::Tx;
use sqlx::{Any, Executor};

/// An account as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub default_currency: String,
    pub brand_color: String,
    pub is_demo: i64,
    pub created: i64,
}

const COLUMNS: &str = "id, name, email, default_currency, brand_color, is_demo, created";

pub async fn insert(tx: &mut Tx, row: &AccountRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO accounts (id, name, email, default_currency, brand_color, is_demo, created)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&row.id)
    .bind(&row.name)
    .bind(&row.email)
    .bind(&row.default_currency)
    .bind(&row.brand_color)
    .bind(row.is_demo)
    .bind(row.created)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn find<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: &str,
) -> Result<Option<AccountRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM accounts WHERE id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// The demo account made on first start, if any.
pub async fn find_demo<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> Result<Option<AccountRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM accounts WHERE is_demo = 1 ORDER BY created LIMIT 1"
    ))
    .fetch_optional(ex)
    .await
}

/// Finds an account by id or by its e-mail (what an operator types at the command line).
pub async fn find_by_id_or_email<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    needle: &str,
) -> Result<Option<AccountRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM accounts WHERE id = $1 OR lower(email) = lower($1)
         ORDER BY created LIMIT 1"
    ))
    .bind(needle)
    .fetch_optional(ex)
    .await
}
