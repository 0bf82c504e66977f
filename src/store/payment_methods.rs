//! Saved card payment methods (`pm_…`).

use super::Tx;
use super::row::{self, row};
use sqlx::{Any, Executor};

row! {
    #[derive(Debug, Clone)]
    pub struct PaymentMethodRow in "payment_methods" {
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

pub fn insert(tx: &mut Tx, r: &PaymentMethodRow) {
    tx.defer(row::insert(r));
}

pub async fn find<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    account_id: &str,
    mode: &str,
    id: &str,
) -> Result<Option<PaymentMethodRow>, sqlx::Error> {
    row::find(ex, account_id, mode, id).await
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

pub const TABLE: &str = <PaymentMethodRow as row::Table>::TABLE;

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
    super::row::list(pool, &f, cursor, limit).await
}
