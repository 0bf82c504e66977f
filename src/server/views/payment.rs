//! Payments and their charges (one per authorisation attempt).

use super::{document, is_live, metadata};
use crate::server::store::charges::ChargeRow;
use crate::server::store::payments::PaymentRow;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The hosted checkout of a payment.
pub fn checkout_url(public_url: &str, payment_id: &str) -> String {
    format!("{public_url}/checkout/{payment_id}")
}

/// A payment.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Payment)]
pub struct PaymentView {
    pub id: String,
    /// Always `payment`.
    pub object: &'static str,
    pub amount: i64,
    pub amount_capturable: i64,
    pub amount_received: i64,
    pub amount_refunded: i64,
    pub currency: String,
    /// `requires_payment_method`, `requires_action`, `processing`, `requires_capture`,
    /// `succeeded`, `failed`, `canceled`, `expired`, `partially_refunded`, `refunded`.
    pub status: String,
    /// `automatic` or `manual`.
    pub capture_method: String,
    pub payment_method: Option<String>,
    /// A customer id, or the customer with `expand[]=customer`.
    pub customer: Option<Value>,
    pub customer_reference: Option<String>,
    pub customer_email: Option<String>,
    pub customer_name: Option<String>,
    pub customer_phone: Option<String>,
    pub description: Option<String>,
    pub product_name: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub return_url: Option<String>,
    /// The hosted checkout, while the payment awaits its customer.
    pub checkout_url: Option<String>,
    /// Secret-key callers only, while the payment awaits its customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// A charge id, or the charge with `expand[]=latest_charge`.
    pub latest_charge: Option<Value>,
    /// `{"type":"redirect_to_url","redirect_to_url":{"url","return_url"}}` for 3-D Secure.
    pub next_action: Option<Value>,
    pub last_payment_error: Option<Value>,
    pub statement_descriptor: Option<String>,
    pub on_behalf_of: Option<String>,
    /// The acquirer connection (`acq_…`).
    pub acquirer: String,
    pub cancellation_reason: Option<String>,
    /// `{previous_amount, adjusted_at}` once adjusted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjustment: Option<Value>,
    /// `{id, amount, reversed_at}` once reversed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reversal: Option<Value>,
    /// `{id, amount, currency, reason, status, created}` once the processor reports a dispute
    /// (a chargeback) of the payment; updated as it reports more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dispute: Option<Value>,
    pub expires_at: i64,
    pub created: i64,
    pub livemode: bool,
    /// The invoice this payment attempts to pay (`inv_…`).
    pub invoice: Option<String>,
    /// Its points (`PaymentLoyalty`), with `expand[]=loyalty` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loyalty: Option<Value>,
}

impl PaymentView {
    /// The payment as events show it: no client secret. `public_url` makes the checkout link.
    pub fn new(row: &PaymentRow, public_url: &str) -> PaymentView {
        PaymentView {
            id: row.id.clone(),
            object: "payment",
            amount: row.amount,
            amount_capturable: row.amount_capturable,
            amount_received: row.amount_received,
            amount_refunded: row.amount_refunded,
            currency: row.currency.code().to_string(),
            status: row.status.as_str().to_string(),
            capture_method: row.capture_method.clone(),
            payment_method: row.payment_method.clone(),
            customer: row.customer.clone().map(Value::String),
            customer_reference: row.customer_reference.clone(),
            customer_email: row.customer_email.clone(),
            customer_name: row.customer_name.clone(),
            customer_phone: row.customer_phone.clone(),
            description: row.description.clone(),
            product_name: row.product_name.clone(),
            metadata: metadata(&row.metadata),
            return_url: row.return_url.clone(),
            checkout_url: awaits_customer(row).then(|| checkout_url(public_url, &row.id)),
            client_secret: None,
            latest_charge: row.latest_charge.clone().map(Value::String),
            next_action: document(&row.next_action),
            last_payment_error: document(&row.last_payment_error),
            statement_descriptor: row.statement_descriptor.clone(),
            on_behalf_of: row.on_behalf_of.clone(),
            acquirer: row.acquirer.clone(),
            cancellation_reason: row.cancellation_reason.clone(),
            adjustment: document(&row.adjustment),
            reversal: document(&row.reversal),
            dispute: document(&row.dispute),
            expires_at: row.expires_at,
            created: row.created,
            livemode: is_live(row.mode),
            invoice: row.invoice.clone(),
            loyalty: None,
        }
    }

    /// Shows `secret` (a secret-key caller's) while the payment awaits its customer.
    pub fn with_client_secret(mut self, secret: Option<String>) -> PaymentView {
        if self.checkout_url.is_some() {
            self.client_secret = secret;
        }
        self
    }
}

fn awaits_customer(row: &PaymentRow) -> bool {
    row.status.awaits_customer()
}

/// The card of a charge or a saved payment method (brand and last four, never the number).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Card)]
pub struct CardView {
    pub brand: String,
    pub last4: String,
    pub exp_month: i64,
    pub exp_year: i64,
    pub funding: String,
    pub country: String,
    /// Saved payment methods only: the same card saved twice has the same fingerprint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

/// How a charge was paid.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = PaymentMethodDetails)]
pub struct PaymentMethodDetailsView {
    /// Always `card`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub card: CardView,
}

/// One authorisation attempt.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Charge)]
pub struct ChargeView {
    pub id: String,
    /// Always `charge`.
    pub object: &'static str,
    pub payment: String,
    pub amount: i64,
    pub amount_captured: i64,
    pub currency: String,
    /// `authorized`, `succeeded` or `failed`.
    pub status: String,
    pub captured: bool,
    pub payment_method: String,
    pub payment_method_details: PaymentMethodDetailsView,
    pub acquirer: String,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    /// The fee taken on the captured amount (minor units).
    pub fee: i64,
    pub created: i64,
    pub livemode: bool,
}

impl From<&ChargeRow> for ChargeView {
    fn from(row: &ChargeRow) -> ChargeView {
        ChargeView {
            id: row.id.clone(),
            object: "charge",
            payment: row.payment_id.clone(),
            amount: row.amount,
            amount_captured: row.amount_captured,
            currency: row.currency.code().to_string(),
            status: row.status.clone(),
            captured: row.amount_captured > 0,
            payment_method: row.payment_method.clone(),
            payment_method_details: PaymentMethodDetailsView {
                kind: "card",
                card: CardView {
                    brand: row.card_brand.clone(),
                    last4: row.card_last4.clone(),
                    exp_month: row.card_exp_month,
                    exp_year: row.card_exp_year,
                    funding: row.card_funding.clone(),
                    country: row.card_country.clone(),
                    fingerprint: None,
                },
            },
            acquirer: row.acquirer.clone(),
            failure_code: row.failure_code.clone(),
            failure_message: row.failure_message.clone(),
            fee: row.fee,
            created: row.created,
            livemode: is_live(row.mode),
        }
    }
}
