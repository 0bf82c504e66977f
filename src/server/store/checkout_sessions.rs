//! Checkout sessions (`cs_…`): an order with line items, its payment and where to report.

use super::Statement;
use super::row::{self, row};
use sqlx::{Any, Executor};

row! {
    #[derive(Debug, Clone)]
    pub struct CheckoutSessionRow in "checkout_sessions" {
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

/// A session by id alone: the checkout page and the callback queue reach it through its
/// payment, which was already found by its unguessable id.
pub async fn find_by_id<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: &str,
) -> Result<Option<CheckoutSessionRow>, sqlx::Error> {
    Statement::new(row::select::<CheckoutSessionRow>("id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await
}
