//! One serialisable view per object: what the API answers, what events carry and what the
//! OpenAPI document describes (`Serialize` + `ToSchema`), each built from its stored row.
//!
//! A field added to an object is added to its row, here and in a migration; the document
//! follows from these types, so it cannot describe fields the JSON does not have.

pub mod account;
pub mod billing;
pub mod checkout;
pub mod customer;
pub mod event;
pub mod ledger;
pub mod list;
pub mod loyalty;
pub mod payment;
pub mod payment_method;
pub mod receipt;
pub mod refund;
pub mod webhook;

pub use account::{AccountView, AcquirerConnectionView, ConnectedAccountView};
pub use billing::{
    InvoiceView, PriceView, ProductView, SubscriptionView, TestClockView, UsageRecordView,
};
pub use checkout::{CheckoutContextView, CheckoutSessionView, PaymentSessionView};
pub use customer::CustomerView;
pub use event::EventView;
pub use ledger::{BalanceView, EntryView, LedgerTransactionView, MoneyView};
pub use list::{DeletedView, ListView};
pub use payment::{ChargeView, PaymentView};
pub use payment_method::PaymentMethodView;
pub use receipt::ReceiptView;
pub use refund::RefundView;
pub use webhook::{AttemptView, DeliveryView, WebhookEndpointView};

use serde_json::Value;
use std::collections::BTreeMap;

/// Metadata as stored (a JSON object of strings), as a map; empty if unreadable.
fn metadata(text: &str) -> BTreeMap<String, String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// A column holding a JSON document, as JSON (none when empty or unreadable).
fn document(text: &Option<String>) -> Option<Value> {
    text.as_deref().and_then(|t| serde_json::from_str(t).ok())
}

/// Objects say whether they are live (`livemode`) rather than name their mode.
fn is_live(mode: crate::domain::mode::Mode) -> bool {
    mode == crate::domain::mode::Mode::Live
}

/// The JSON of a view: what events store and idempotent answers keep.
pub fn to_json(view: &impl serde::Serialize) -> Value {
    serde_json::to_value(view).expect("views serialise")
}
