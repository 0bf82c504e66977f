//! Merchant accounts (`acct_…`).

use super::Tx;
use crate::store::row::row;
use sqlx::{Any, Executor};

row! {
    /// An account as stored.
    #[derive(Debug, Clone)]
    pub struct AccountRow {
        pub id: String,
        pub name: String,
        pub email: String,
        pub default_currency: String,
        pub brand_color: String,
        pub is_demo: i64,
        pub created: i64,
        /// Origins allowed to frame the card fields, one per line.
        pub embed_origins: String,
        /// The acquirer connection payments use when they name none.
        pub default_acquirer: String,
    }
}

const COLUMNS: &str = "id, name, email, default_currency, brand_color, is_demo, created, embed_origins, default_acquirer";

pub async fn insert(tx: &mut Tx, row: &AccountRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO accounts (id, name, email, default_currency, brand_color, is_demo, created,
                               embed_origins, default_acquirer)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&row.id)
    .bind(&row.name)
    .bind(&row.email)
    .bind(&row.default_currency)
    .bind(&row.brand_color)
    .bind(row.is_demo)
    .bind(row.created)
    .bind(&row.embed_origins)
    .bind(&row.default_acquirer)
    .execute(tx.conn().await?)
    .await?;
    Ok(())
}

/// What the dashboard's settings page changes.
#[derive(Debug, Clone)]
pub struct Settings {
    pub name: String,
    pub brand_color: String,
    pub embed_origins: String,
    pub default_acquirer: String,
}

pub async fn update_settings(tx: &mut Tx, id: &str, s: &Settings) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE accounts SET name = $2, brand_color = $3, embed_origins = $4, default_acquirer = $5
         WHERE id = $1",
    )
    .bind(id)
    .bind(&s.name)
    .bind(&s.brand_color)
    .bind(&s.embed_origins)
    .bind(&s.default_acquirer)
    .execute(tx.conn().await?)
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
