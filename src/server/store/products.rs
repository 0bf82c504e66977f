//! Products (`prod_…`) and their prices (`price_…`).
//!
//! A merchant may choose a product's id, so product ids are unique per account and mode only:
//! a product is always written by id, account and mode together (never `row::update`).

use super::page::{Filter, Listing};
use super::row::{self, row};
use super::statement::reads;
use crate::domain::billing::{AggregateUsage, Interval, UsageType};
use crate::domain::mode::Mode;
use crate::domain::money::Currency;

row! {
    #[derive(Debug, Clone, serde::Deserialize)]
    pub struct ProductRow in "products" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub name: String,
        pub description: Option<String>,
        pub active: i64,
        /// JSON object of string values.
        pub metadata: String,
        pub created: i64,
        pub sort_key: i64,
    }
}

/// Writes a product's changeable fields (by id, account and mode: ids are the merchant's).
pub async fn save_product(tx: &mut super::Tx, p: &ProductRow) -> Result<u64, sqlx::Error> {
    let write = super::Statement::new(
        "UPDATE products SET name = $4, description = $5, active = $6, metadata = $7
         WHERE id = $1 AND account_id = $2 AND mode = $3",
    )
    .bind(&p.id)
    .bind(&p.account_id)
    .bind(p.mode)
    .bind(&p.name)
    .bind(&p.description)
    .bind(p.active)
    .bind(&p.metadata);
    tx.execute(write).await
}

row! {
    #[derive(Debug, Clone, serde::Deserialize)]
    pub struct PriceRow in "prices" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub product: String,
        pub currency: Currency,
        pub unit_amount: i64,
        /// None for a one-off price.
        pub recurring_interval: Option<Interval>,
        pub recurring_count: i64,
        pub usage_type: UsageType,
        pub aggregate_usage: Option<AggregateUsage>,
        pub active: i64,
        pub nickname: Option<String>,
        pub metadata: String,
        pub created: i64,
        pub sort_key: i64,
    }
}

/// Filters a product list accepts.
#[derive(Debug, Default, Clone)]
pub struct ProductFilter {
    pub active: Option<bool>,
}

impl Listing for ProductFilter {
    type Row = ProductRow;
    fn conditions(&self, f: &mut Filter) {
        f.eq("active", self.active.map(i64::from));
    }
}

/// Filters a price list accepts.
#[derive(Debug, Default, Clone)]
pub struct PriceFilter {
    pub product: Option<String>,
    pub active: Option<bool>,
}

impl Listing for PriceFilter {
    type Row = PriceRow;
    fn conditions(&self, f: &mut Filter) {
        f.eq("product", self.product.as_deref());
        f.eq("active", self.active.map(i64::from));
    }
}

reads! {
    /// A product's prices, newest first.
    pub fn prices_of(account_id: &str, mode: &str, product: &str) -> Vec<PriceRow> =
        fetch_all(row::select::<PriceRow>("account_id = $1 AND mode = $2 AND product = $3
            ORDER BY sort_key DESC, id DESC"));
}

/// The prices among `ids` (any account: the caller checks the scope).
pub async fn prices_among<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    ids: &[String],
) -> Result<Vec<PriceRow>, sqlx::Error> {
    row::with_any_of(ex, "id", ids, "").await
}
