//! Checkout sessions (`cs_…`): an order with line items, its payment and where to report.

use super::Tx;
use crate::store::row::row;
use sqlx::{Any, Executor};

row! {
    #[derive(Debug, Clone)]
    pub struct CheckoutSessionRow {
        pub id: String,
        pub account_id: String,
        pub mode: String,
        pub payment_id: String,
        pub merchant_reference: Option<String>,
        /// JSON array of line items.
        pub items: String,
        pub return_url: Option<String>,
        pub callback_url: Option<String>,
        pub expires_at: i64,
        pub created: i64,
        pub sort_key: i64,
    }
}

const COLUMNS: &str = "id, account_id, mode, payment_id, merchant_reference, items, return_url, \
    callback_url, expires_at, created, sort_key";

pub async fn insert(tx: &mut Tx, r: &CheckoutSessionRow) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO checkout_sessions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ))
    .bind(&r.id)
    .bind(&r.account_id)
    .bind(&r.mode)
    .bind(&r.payment_id)
    .bind(&r.merchant_reference)
    .bind(&r.items)
    .bind(&r.return_url)
    .bind(&r.callback_url)
    .bind(r.expires_at)
    .bind(r.created)
    .bind(r.sort_key)
    .execute(tx.conn().await?)
    .await?;
    Ok(())
}

/// A session of one merchant and mode.
pub async fn find<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    account_id: &str,
    mode: &str,
    id: &str,
) -> Result<Option<CheckoutSessionRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM checkout_sessions WHERE id = $1 AND account_id = $2 AND mode = $3"
    ))
    .bind(id)
    .bind(account_id)
    .bind(mode)
    .fetch_optional(ex)
    .await
}

/// A session by id alone: the checkout page and the callback queue reach it through its
/// payment, which was already found by its unguessable id.
pub async fn find_by_id<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: &str,
) -> Result<Option<CheckoutSessionRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM checkout_sessions WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(ex)
    .await
}
