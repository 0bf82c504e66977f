//! Saved card payment methods (`pm_…`).

use super::page::{Filter, Listing};
use super::row::row;
use super::statement::writes;
use crate::domain::mode::Mode;

row! {
    #[derive(Debug, Clone, serde::Deserialize)]
    pub struct PaymentMethodRow in "payment_methods" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
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
        /// The processor connection (`acq_…`) holding the card, when it is not the sandbox's.
        pub processor: Option<String>,
        /// That processor's token for the card.
        pub processor_token: Option<String>,
    }
}

writes! {
    /// Attaches the method to a customer.
    pub fn set_customer(id: &str, customer_id: &str) =
        "UPDATE payment_methods SET customer_id = $2 WHERE id = $1";
}

/// A customer's saved methods.
#[derive(Debug, Clone)]
pub struct OfCustomer(pub String);

impl Listing for OfCustomer {
    type Row = PaymentMethodRow;
    fn conditions(&self, f: &mut Filter) {
        f.eq("customer_id", Some(self.0.as_str()));
    }
}
