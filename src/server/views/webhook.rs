//! Webhook endpoints and the deliveries of events to them, with every attempt.

use super::{is_live, metadata};
use crate::server::store::webhook_deliveries::{AttemptRow, DeliveryRow};
use crate::server::store::webhook_endpoints::EndpointRow;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A webhook endpoint.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = WebhookEndpoint)]
pub struct WebhookEndpointView {
    pub id: String,
    /// Always `webhook_endpoint`.
    pub object: &'static str,
    pub url: String,
    pub description: Option<String>,
    /// Event types sent to this endpoint, or `["*"]` for all.
    pub enabled_events: Vec<String>,
    /// `enabled` or `disabled`.
    pub status: String,
    /// Why it is disabled: `requested` (by you) or `gone` (it answered 410).
    pub disabled_reason: Option<String>,
    pub metadata: BTreeMap<String, String>,
    /// The signing secret (`whsec_…`): present only in the answers to create and
    /// rotate_secret. Keep it; it is not shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Until when the secret before the last rotation still signs (both signatures are sent).
    pub previous_secret_expires_at: Option<i64>,
    pub created: i64,
    pub livemode: bool,
}

impl WebhookEndpointView {
    /// The endpoint; with its secret only when `reveal_secret` (just made or rotated).
    pub fn new(row: EndpointRow, reveal_secret: bool) -> Self {
        WebhookEndpointView {
            enabled_events: row.events(),
            metadata: metadata(&row.metadata),
            secret: reveal_secret.then_some(row.secret),
            previous_secret_expires_at: row.previous_secret.and(row.previous_secret_expires_at),
            object: "webhook_endpoint",
            livemode: is_live(row.mode),
            id: row.id,
            url: row.url,
            description: row.description,
            status: row.status,
            disabled_reason: row.disabled_reason,
            created: row.created,
        }
    }
}

/// One attempt at a delivery.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = WebhookAttempt)]
pub struct AttemptView {
    /// 1 for the first attempt.
    pub attempt: i64,
    /// When it was made (Unix seconds).
    pub created: i64,
    /// The receiver's HTTP status; none when it could not be reached.
    pub status_code: Option<i64>,
    /// Why the receiver could not be reached (`timed out`, `could not connect`…).
    pub error: Option<String>,
    pub duration_ms: i64,
    /// The first kilobyte of the receiver's answer.
    pub response_body: Option<String>,
}

impl From<AttemptRow> for AttemptView {
    fn from(a: AttemptRow) -> Self {
        AttemptView {
            attempt: a.attempt,
            created: a.at,
            status_code: a.status_code,
            error: a.error,
            duration_ms: a.duration_ms,
            response_body: a.response_body,
        }
    }
}

/// One event sent (or to be sent) to one endpoint.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = WebhookDelivery)]
pub struct DeliveryView {
    pub id: String,
    /// Always `webhook_delivery`.
    pub object: &'static str,
    pub webhook_endpoint: String,
    pub event: String,
    pub event_type: String,
    /// `pending`, `delivered`, `failed` (after the last attempt, or a 410) or `canceled`
    /// (the endpoint was disabled or deleted first).
    pub status: String,
    /// When the next attempt is due (pending deliveries only).
    pub next_attempt_at: Option<i64>,
    pub delivered_at: Option<i64>,
    pub attempts: Vec<AttemptView>,
    pub created: i64,
    pub livemode: bool,
}

impl DeliveryView {
    /// The delivery `row` with its attempts.
    pub fn new(row: DeliveryRow, attempts: Vec<AttemptRow>) -> Self {
        DeliveryView {
            object: "webhook_delivery",
            next_attempt_at: (row.status == "pending").then_some(row.next_attempt_at),
            livemode: is_live(row.mode),
            id: row.id,
            webhook_endpoint: row.endpoint_id,
            event: row.event_id,
            event_type: row.event_type,
            status: row.status,
            delivered_at: row.delivered_at,
            attempts: attempts.into_iter().map(AttemptView::from).collect(),
            created: row.created,
        }
    }
}
