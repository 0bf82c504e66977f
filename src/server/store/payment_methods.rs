//! Saved card payment methods (`pm_…`).

use super::Statement;
use super::Tx;
use super::page::{Filter, Listing};
use super::row::row;

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

/// Attaches the method to a customer.
pub async fn set_customer(tx: &mut Tx, id: &str, customer_id: &str) -> Result<(), sqlx::Error> {
    Statement::new("UPDATE payment_methods SET customer_id = $2 WHERE id = $1")
        .bind(id)
        .bind(customer_id)
        .execute(tx.conn().await?)
        .await?;
    Ok(())
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
