//! Charges: one per authorisation attempt, with the card's description (never its number).

use super::row::{self, row};
use super::statement::reads;
use super::statement::writes;
use crate::domain::mode::Mode;
use crate::domain::money::Currency;

row! {
    #[derive(Debug, Clone)]
    pub struct ChargeRow in "charges" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub payment_id: String,
        pub amount: i64,
        pub amount_captured: i64,
        pub currency: Currency,
        pub status: String,
        pub payment_method: String,
        pub card_brand: String,
        pub card_last4: String,
        pub card_exp_month: i64,
        pub card_exp_year: i64,
        pub card_funding: String,
        pub card_country: String,
        pub acquirer: String,
        pub failure_code: Option<String>,
        pub failure_message: Option<String>,
        /// The fee taken when captured (minor units).
        pub fee: i64,
        pub created: i64,
        pub sort_key: i64,
        /// The processor's id of the authorisation this charge records (Stripe's `pi_…`).
        pub processor_id: Option<String>,
    }
}

reads! {
    /// Every charge of a payment (one per authorisation attempt), oldest first.
    pub fn of_payment(payment_id: &str) -> Vec<ChargeRow> =
        fetch_all(row::select::<ChargeRow>("payment_id = $1 ORDER BY sort_key, id"));
}

writes! {
    /// Records a capture (or release) on the charge, and the fee taken on it.
    pub fn set_captured(id: &str, amount: i64, amount_captured: i64, fee: i64, status: &str) =
        "UPDATE charges SET amount = $2, amount_captured = $3, fee = $4, status = $5 WHERE id = $1";
}
