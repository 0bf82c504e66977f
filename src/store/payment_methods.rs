//! Saved card payment methods (`pm_…`).

use super::{Statement, Tx};
use crate::store::row::row;
use sqlx::{Any, Executor};

row! {
    #[derive(Debug, Clone)]
    pub struct PaymentMethodRow {
        pub id: String,
        pub account_id: String,
        pub mode: String,
        pub customer_id: Option<String>,
        pub card_brand: String,
        pub card_last4: String,
        pub card_exp_month: i64,
        pub card_exp_year: i64,
        pub card_funding: String,
        pub card_country: String,
        pub card_fingerprint: String,
        pub sandbox_scenario: String,
        /// The name on the card, when the customer typed it at the checkout.
        pub billing_name: Option<String>,
        pub created: i64,
        pub sort_key: i64,
    }
}

const COLUMNS: &str = "id, account_id, mode, customer_id, card_brand, card_last4, card_exp_month, \
    card_exp_year, card_funding, card_country, card_fingerprint, sandbox_scenario, billing_name, created, sort_key";

pub fn insert(tx: &mut Tx, r: &PaymentMethodRow) {
    tx.defer(
        Statement::new(format!(
            "INSERT INTO payment_methods ({COLUMNS}) VALUES ({})",
            super::page::placeholders(1, 15)
        ))
        .bind(&r.id)
        .bind(&r.account_id)
        .bind(&r.mode)
        .bind(&r.customer_id)
        .bind(&r.card_brand)
        .bind(&r.card_last4)
        .bind(r.card_exp_month)
        .bind(r.card_exp_year)
        .bind(&r.card_funding)
        .bind(&r.card_country)
        .bind(&r.card_fingerprint)
        .bind(&r.sandbox_scenario)
        .bind(&r.billing_name)
        .bind(r.created)
        .bind(r.sort_key),
    );
}

pub async fn find<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    account_id: &str,
    mode: &str,
    id: &str,
) -> Result<Option<PaymentMethodRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM payment_methods WHERE id = $1 AND account_id = $2 AND mode = $3"
    ))
    .bind(id)
    .bind(account_id)
    .bind(mode)
    .fetch_optional(ex)
    .await
}

/// Attaches the method to a customer.
pub async fn set_customer(tx: &mut Tx, id: &str, customer_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE payment_methods SET customer_id = $2 WHERE id = $1")
        .bind(id)
        .bind(customer_id)
        .execute(tx.conn().await?)
        .await?;
    Ok(())
}

pub const TABLE: &str = "payment_methods";

/// A customer's saved methods, newest first.
pub async fn list_for_customer(
    pool: &sqlx::AnyPool,
    account_id: &str,
    mode: &str,
    customer_id: &str,
    cursor: &super::page::Cursor,
    limit: i64,
) -> Result<(Vec<PaymentMethodRow>, bool), sqlx::Error> {
    let mut f = super::page::Filter::scoped(account_id, mode);
    f.push(
        "customer_id = ?",
        [super::page::Val::Text(customer_id.to_string())],
    );
    super::page::fetch_page(pool, TABLE, COLUMNS, &f, cursor, limit).await
}
