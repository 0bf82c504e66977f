//! OpenAPI schemas of the objects the API answers with. The JSON itself is built in
//! `crate::wire`; a test checks each schema names exactly the fields the JSON has, so the two
//! cannot drift apart.

#![allow(dead_code)] // Types that exist to be described, never constructed.

use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// `{"error": {...}}`: every failure.
#[derive(ToSchema)]
pub struct Error {
    pub error: ErrorBody,
}

#[derive(ToSchema)]
pub struct ErrorBody {
    /// `invalid_request_error`, `authentication_error`, `permission_error`, `card_error`,
    /// `idempotency_error`, `invalid_state`, `rate_limit_error`, `api_error`.
    #[schema(rename = "type")]
    pub kind: String,
    pub code: String,
    pub message: String,
    pub param: Option<String>,
    pub decline_code: Option<String>,
    /// The payment a card error happened on.
    pub payment: Option<Payment>,
}

/// A page of objects, newest first.
#[derive(ToSchema)]
pub struct List {
    /// Always `list`.
    pub object: String,
    pub data: Vec<Value>,
    pub has_more: bool,
    pub url: String,
}

/// A payment.
#[derive(ToSchema)]
pub struct Payment {
    pub id: String,
    /// Always `payment`.
    pub object: String,
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
    pub adjustment: Option<Value>,
    /// `{id, amount, reversed_at}` once reversed.
    pub reversal: Option<Value>,
    pub expires_at: i64,
    pub created: i64,
    pub livemode: bool,
}

/// One authorisation attempt.
#[derive(ToSchema)]
pub struct Charge {
    pub id: String,
    pub object: String,
    pub payment: String,
    pub amount: i64,
    pub amount_captured: i64,
    pub currency: String,
    /// `authorized`, `succeeded` or `failed`.
    pub status: String,
    pub captured: bool,
    pub payment_method: String,
    /// `{type: "card", card: {brand, last4, exp_month, exp_year, funding, country}}`.
    pub payment_method_details: Value,
    pub acquirer: String,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    /// The fee taken on the captured amount (minor units).
    pub fee: i64,
    pub created: i64,
    pub livemode: bool,
}

/// A saved card.
#[derive(ToSchema)]
pub struct PaymentMethod {
    pub id: String,
    pub object: String,
    /// Always `card`.
    #[schema(rename = "type")]
    pub kind: String,
    /// `{brand, last4, exp_month, exp_year, funding, country, fingerprint}`.
    pub card: Value,
    /// `{name}`: the name typed at the hosted checkout (null otherwise).
    pub billing_details: Value,
    pub customer: Option<String>,
    pub created: i64,
    pub livemode: bool,
}

/// Something that happened, with the object as it was right after.
#[derive(ToSchema)]
pub struct Event {
    pub id: String,
    pub object: String,
    #[schema(rename = "type")]
    pub kind: String,
    pub created: i64,
    pub livemode: bool,
    /// `{"object": {...}}`.
    pub data: Value,
}

/// A connected account.
#[derive(ToSchema)]
pub struct ConnectedAccount {
    pub id: String,
    pub object: String,
    #[schema(rename = "type")]
    pub kind: String,
    pub business_name: String,
    pub created: i64,
    pub livemode: bool,
}

/// An acquirer connection `routing[preferred_acquirer]` may name.
#[derive(ToSchema)]
pub struct AcquirerConnection {
    pub id: String,
    pub object: String,
    pub name: String,
    /// What simulates or serves it: `sandbox`.
    #[schema(rename = "type")]
    pub kind: String,
    pub default: bool,
    pub created: i64,
    pub livemode: bool,
}

/// `{id, object, deleted: true}`.
#[derive(ToSchema)]
pub struct Deleted {
    pub id: String,
    pub object: String,
    pub deleted: bool,
}

/// A refund.
#[derive(ToSchema)]
pub struct Refund {
    pub id: String,
    /// Always `refund`.
    pub object: String,
    pub amount: i64,
    pub currency: String,
    pub payment: String,
    pub charge: Option<String>,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    /// `duplicate`, `fraudulent` or `requested_by_customer`.
    pub reason: Option<String>,
    /// Why the acquirer could not refund (failed refunds only).
    pub failure_reason: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub created: i64,
    pub livemode: bool,
}

/// A receipt of a settled payment.
#[derive(ToSchema)]
pub struct Receipt {
    /// Always `receipt`.
    pub object: String,
    pub payment: String,
    /// The public, printable receipt page.
    pub url: String,
    /// `{"name": …}`.
    pub merchant: Value,
    /// What was received.
    pub amount: i64,
    pub amount_refunded: i64,
    pub currency: String,
    pub status: String,
    pub description: Option<String>,
    /// When the money was taken (Unix seconds).
    pub paid_at: i64,
    /// `{"brand", "last4"}`.
    pub card: Value,
    /// `[{"id", "amount", "created"}]`, succeeded refunds only.
    pub refunds: Vec<Value>,
    pub livemode: bool,
}
