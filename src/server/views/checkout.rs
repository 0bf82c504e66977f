//! The hosted checkout's objects: its public context, payment sessions (a payment with the
//! client secret for the card element) and Dintero-style checkout sessions with their callbacks.

use super::is_live;
use super::payment::{PaymentView, checkout_url};
use crate::domain::checkout::LineItem;
use crate::server::store::callbacks::{AttemptRow, DeliveryRow};
use crate::server::store::checkout_sessions::CheckoutSessionRow;
use crate::server::store::payments::PaymentRow;
use serde::Serialize;
use utoipa::ToSchema;

/// What the checkout of one payment shows (`GET /v1/checkout/{reference}`, no key needed).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CheckoutContext)]
pub struct CheckoutContextView {
    /// Always `checkout`.
    pub object: &'static str,
    pub id: String,
    /// The payment's id, as in its `checkout_url`.
    pub reference: String,
    pub payment: String,
    pub amount: i64,
    pub currency: String,
    pub status: String,
    pub merchant_display_name: String,
    pub brand_color: String,
    pub description: Option<String>,
    pub product_name: Option<String>,
    pub merchant_reference: Option<String>,
    pub items: Vec<LineItem>,
    pub url: String,
    pub expires_at: i64,
    pub created: i64,
    pub livemode: bool,
}

/// The merchant's side of a checkout: who is paid, in which colours, for which order.
pub struct CheckoutMerchant<'a> {
    pub name: &'a str,
    pub brand_color: &'a str,
    pub merchant_reference: Option<&'a str>,
    pub items: &'a [LineItem],
}

impl CheckoutContextView {
    pub fn new(p: &PaymentRow, merchant: CheckoutMerchant<'_>, public_url: &str) -> Self {
        CheckoutContextView {
            object: "checkout",
            id: p.id.clone(),
            reference: p.id.clone(),
            payment: p.id.clone(),
            amount: p.amount,
            currency: p.currency.code().to_string(),
            status: p.status.as_str().to_string(),
            merchant_display_name: merchant.name.to_string(),
            brand_color: merchant.brand_color.to_string(),
            description: p.description.clone(),
            product_name: p.product_name.clone(),
            merchant_reference: merchant.merchant_reference.map(str::to_string),
            items: merchant.items.to_vec(),
            url: checkout_url(public_url, &p.id),
            expires_at: p.expires_at,
            created: p.created,
            livemode: is_live(p.mode),
        }
    }
}

/// A payment for the card element: the payment and the secret that lets a page confirm it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = PaymentSession)]
pub struct PaymentSessionView {
    /// The payment's id.
    pub id: String,
    /// Always `payment_session`.
    pub object: &'static str,
    pub payment: PaymentView,
    pub client_secret: String,
    pub created: i64,
    pub livemode: bool,
}

impl PaymentSessionView {
    pub fn new(row: &PaymentRow, payment: PaymentView, client_secret: String) -> Self {
        PaymentSessionView {
            id: row.id.clone(),
            object: "payment_session",
            payment,
            client_secret,
            created: row.created,
            livemode: is_live(row.mode),
        }
    }
}

/// The order of a checkout session.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CheckoutOrder)]
pub struct OrderView {
    pub amount: i64,
    pub currency: String,
    pub merchant_reference: Option<String>,
    pub items: Vec<LineItem>,
}

/// One try at reporting a result to the session's `callback_url`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CallbackAttempt)]
pub struct CallbackAttemptView {
    pub attempt: i64,
    pub at: i64,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// One result reported (or to be reported) to the session's `callback_url`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Callback)]
pub struct CallbackView {
    pub event: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i64,
    /// When the next try is due (pending callbacks only).
    pub next_attempt_at: Option<i64>,
    pub delivered_at: Option<i64>,
    pub created: i64,
    pub attempt_log: Vec<CallbackAttemptView>,
}

/// A checkout session: an order, its payment as it is now, and the callbacks made so far.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CheckoutSession)]
pub struct CheckoutSessionView {
    pub id: String,
    /// Always `checkout.session`.
    pub object: &'static str,
    /// The hosted checkout to send the customer to.
    pub url: String,
    pub payment: PaymentView,
    pub order: OrderView,
    pub return_url: Option<String>,
    pub callback_url: Option<String>,
    pub callbacks: Vec<CallbackView>,
    pub expires_at: i64,
    pub created: i64,
    pub livemode: bool,
}

impl CheckoutSessionView {
    /// The session with its payment (as the caller sees it) and its callbacks' deliveries and
    /// attempts.
    pub fn new(
        session: &CheckoutSessionRow,
        payment: PaymentView,
        deliveries: &[DeliveryRow],
        attempts: &[AttemptRow],
        public_url: &str,
    ) -> Self {
        let callbacks = deliveries
            .iter()
            .map(|d| CallbackView {
                event: d.event.clone(),
                status: d.status.clone(),
                attempts: d.attempts,
                next_attempt_at: (d.status == "pending").then_some(d.next_attempt_at),
                delivered_at: d.delivered_at,
                created: d.created,
                attempt_log: attempts
                    .iter()
                    .filter(|a| a.delivery_id == d.id)
                    .map(|a| CallbackAttemptView {
                        attempt: a.attempt,
                        at: a.at,
                        status_code: a.status_code,
                        error: a.error.clone(),
                        duration_ms: a.duration_ms,
                    })
                    .collect(),
            })
            .collect();
        CheckoutSessionView {
            id: session.id.clone(),
            object: "checkout.session",
            url: checkout_url(public_url, &session.payment_id),
            order: OrderView {
                amount: payment.amount,
                currency: payment.currency.clone(),
                merchant_reference: session.merchant_reference.clone(),
                items: serde_json::from_str(&session.items).unwrap_or_default(),
            },
            payment,
            return_url: session.return_url.clone(),
            callback_url: session.callback_url.clone(),
            callbacks,
            expires_at: session.expires_at,
            created: session.created,
            livemode: is_live(session.mode),
        }
    }
}
