//! Checkout sessions (`cs_…`): an order with line items, its payment and where to report.

use super::row::{self, row};
use super::statement::reads;
use crate::domain::mode::Mode;

row! {
    #[derive(Debug, Clone)]
    pub struct CheckoutSessionRow in "checkout_sessions" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
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

reads! {
    /// A session by id alone: the checkout page and the callback queue reach it through its
    /// payment, which was already found by its unguessable id.
    pub fn find_by_id(id: &str) -> Option<CheckoutSessionRow> =
        fetch_optional(row::select::<CheckoutSessionRow>("id = $1"));
}
