//! The JSON shapes of objects, shared by API responses and event payloads so that an event
//! shows exactly what the API would have answered at that moment.

use crate::domain::payment::PaymentStatus;
use crate::store::charges::ChargeRow;
use crate::store::events::EventRow;
use crate::store::payments::PaymentRow;
use serde_json::{Map, Value, json};

fn parse_json(text: &Option<String>) -> Value {
    text.as_deref()
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or(Value::Null)
}

/// An event, as the API shows it and webhooks deliver it.
pub fn event(row: &EventRow) -> Value {
    let data: Value = serde_json::from_str(&row.data).unwrap_or_else(|_| json!({}));
    json!({
        "id": row.id,
        "object": "event",
        "type": row.kind,
        "created": row.created,
        "livemode": row.mode == "live",
        "data": data,
    })
}

/// A payment. `client_secret` is given only to secret-key callers (and never in events).
pub fn payment(row: &PaymentRow, public_url: &str, client_secret: Option<&str>) -> Value {
    let awaiting = PaymentStatus::parse(&row.status).is_some_and(PaymentStatus::awaits_customer);
    let mut object = json!({
        "id": row.id,
        "object": "payment",
        "amount": row.amount,
        "amount_capturable": row.amount_capturable,
        "amount_received": row.amount_received,
        "amount_refunded": row.amount_refunded,
        "currency": row.currency,
        "status": row.status,
        "capture_method": row.capture_method,
        "payment_method": row.payment_method,
        "customer": row.customer,
        "customer_reference": row.customer_reference,
        "customer_email": row.customer_email,
        "customer_name": row.customer_name,
        "customer_phone": row.customer_phone,
        "description": row.description,
        "product_name": row.product_name,
        "metadata": serde_json::from_str::<Value>(&row.metadata).unwrap_or_else(|_| json!({})),
        "return_url": row.return_url,
        "checkout_url": awaiting.then(|| crate::services::payments::checkout_url(public_url, &row.id)),
        "client_secret": Value::Null,
        "latest_charge": row.latest_charge,
        "next_action": parse_json(&row.next_action),
        "last_payment_error": parse_json(&row.last_payment_error),
        "statement_descriptor": row.statement_descriptor,
        "on_behalf_of": row.on_behalf_of,
        "acquirer": row.acquirer,
        "cancellation_reason": row.cancellation_reason,
        "expires_at": row.expires_at,
        "created": row.created,
        "livemode": row.mode == "live",
    });
    let map = object.as_object_mut().expect("a JSON object");
    match client_secret {
        Some(secret) if awaiting => {
            map.insert("client_secret".into(), Value::String(secret.to_string()));
        }
        _ => {
            map.remove("client_secret");
        }
    }
    insert_if_some(map, "adjustment", parse_json(&row.adjustment));
    insert_if_some(map, "reversal", parse_json(&row.reversal));
    object
}

fn insert_if_some(map: &mut Map<String, Value>, key: &str, value: Value) {
    if !value.is_null() {
        map.insert(key.to_string(), value);
    }
}

/// A charge: one authorisation attempt, with the card as brand and last four only.
pub fn charge(row: &ChargeRow) -> Value {
    json!({
        "id": row.id,
        "object": "charge",
        "payment": row.payment_id,
        "amount": row.amount,
        "amount_captured": row.amount_captured,
        "currency": row.currency,
        "status": row.status,
        "captured": row.amount_captured > 0,
        "payment_method": row.payment_method,
        "payment_method_details": {
            "type": "card",
            "card": {
                "brand": row.card_brand,
                "last4": row.card_last4,
                "exp_month": row.card_exp_month,
                "exp_year": row.card_exp_year,
                "funding": row.card_funding,
                "country": row.card_country,
            }
        },
        "acquirer": row.acquirer,
        "failure_code": row.failure_code,
        "failure_message": row.failure_message,
        "fee": row.fee,
        "created": row.created,
        "livemode": row.mode == "live",
    })
}
