//! Saved cards.

use super::is_live;
use super::payment::CardView;
use crate::server::store::payment_methods::PaymentMethodRow;
use serde::Serialize;
use utoipa::ToSchema;

/// Who paid, as typed at the hosted checkout.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = BillingDetails)]
pub struct BillingDetailsView {
    /// The name on the card (null unless typed at the hosted checkout).
    pub name: Option<String>,
}

/// A saved card.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = PaymentMethod)]
pub struct PaymentMethodView {
    pub id: String,
    /// Always `payment_method`.
    pub object: &'static str,
    /// Always `card`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub card: CardView,
    pub billing_details: BillingDetailsView,
    pub customer: Option<String>,
    pub created: i64,
    pub livemode: bool,
}

impl From<&PaymentMethodRow> for PaymentMethodView {
    fn from(row: &PaymentMethodRow) -> PaymentMethodView {
        PaymentMethodView {
            id: row.id.clone(),
            object: "payment_method",
            kind: "card",
            card: CardView {
                brand: row.card_brand.clone(),
                last4: row.card_last4.clone(),
                exp_month: row.card_exp_month,
                exp_year: row.card_exp_year,
                funding: row.card_funding.clone(),
                country: row.card_country.clone(),
                fingerprint: Some(row.card_fingerprint.clone()),
            },
            billing_details: BillingDetailsView {
                name: row.billing_name.clone(),
            },
            customer: row.customer_id.clone(),
            created: row.created,
            livemode: is_live(row.mode),
        }
    }
}
