//! Webhook deliveries: listed per event (`/v1/events/{id}/deliveries`) and per endpoint, each
//! with every attempt; `POST /v1/events/{id}/resend` queues an event again.

use super::auth::{ApiAuth, SecretAuth};
use super::body::ApiBody;
use super::customers::scope_of;
use super::error::{ApiError, ApiResult};
use super::idempotency::{Idempotency, IdempotencyKey, Reply, Started};
use super::list::{ApiQuery, ListEnvelope, Paging};
use crate::services::webhooks::queue;
use crate::state::AppState;
use crate::store::events;
use crate::store::webhook_deliveries::{self as rows, AttemptRow, DeliveryRow, Of};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

/// One attempt at a delivery.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AttemptDto {
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

impl From<AttemptRow> for AttemptDto {
    fn from(a: AttemptRow) -> Self {
        AttemptDto {
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
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryDto {
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
    pub attempts: Vec<AttemptDto>,
    pub created: i64,
    pub livemode: bool,
}

impl DeliveryDto {
    pub fn new(row: DeliveryRow, attempts: Vec<AttemptDto>) -> Self {
        DeliveryDto {
            object: "webhook_delivery",
            next_attempt_at: (row.status == "pending").then_some(row.next_attempt_at),
            livemode: row.mode == "live",
            id: row.id,
            webhook_endpoint: row.endpoint_id,
            event: row.event_id,
            event_type: row.event_type,
            status: row.status,
            delivered_at: row.delivered_at,
            attempts,
            created: row.created,
        }
    }
}

/// Deliveries with their attempts (two queries, whatever the page size).
async fn with_attempts(state: &AppState, found: Vec<DeliveryRow>) -> ApiResult<Vec<DeliveryDto>> {
    Ok(rows::with_attempts(state.store.reader(), found)
        .await?
        .into_iter()
        .map(|(row, attempts)| {
            DeliveryDto::new(row, attempts.into_iter().map(AttemptDto::from).collect())
        })
        .collect())
}

/// One page of the deliveries of an event or an endpoint (already checked to be the caller's).
pub async fn deliveries_page(
    state: &AppState,
    auth: &ApiAuth,
    of: Of,
    paging: &Paging,
    url: &str,
) -> ApiResult<ListEnvelope<DeliveryDto>> {
    let limit = paging.limit()?;
    let pool = state.store.reader();
    let cursor = paging.cursor(pool, rows::TABLE, auth).await?;
    let (found, has_more) = rows::list(
        pool,
        &auth.account_id,
        auth.mode.as_str(),
        &of,
        &cursor,
        limit,
    )
    .await?;
    Ok(ListEnvelope::new(
        with_attempts(state, found).await?,
        has_more,
        url,
    ))
}

#[utoipa::path(get, path = "/events/{id}/deliveries", tag = "Webhooks", params(("id" = String, Path, description = "Event id"), ("limit" = Option<i64>, Query, description = "1 to 100, default 10"), ("starting_after" = Option<String>, Query, description = "Cursor: a delivery id"), ("ending_before" = Option<String>, Query, description = "Cursor: a delivery id")), responses((status = 200, description = "The event's deliveries, newest first, each with its attempts", body = crate::api::schemas::List), (status = 401, description = "Missing or invalid API key", body = crate::api::schemas::Error), (status = 404, description = "No such object for this account and mode", body = crate::api::schemas::Error)))]
pub async fn list_event_deliveries(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    Path(id): Path<String>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<ListEnvelope<DeliveryDto>>> {
    let event = events::find(
        state.store.reader(),
        &auth.account_id,
        auth.mode.as_str(),
        &id,
    )
    .await?
    .ok_or_else(|| ApiError::not_found("event", &id))?;
    let url = format!("/v1/events/{}/deliveries", event.id);
    deliveries_page(&state, &auth, Of::Event(event.id), &paging, &url)
        .await
        .map(Json)
}

/// Body of resend.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResendParams {
    /// Send to this endpoint only (`we_…`); by default, to every enabled endpoint subscribed
    /// to the event's type.
    pub webhook_endpoint: Option<String>,
}

#[utoipa::path(post, path = "/events/{id}/resend", tag = "Webhooks", params(("id" = String, Path, description = "Event id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes the POST safe to retry (1 to 255 characters)")), request_body(content((ResendParams = "application/x-www-form-urlencoded"), (ResendParams = "application/json"))), responses((status = 200, description = "The new deliveries, sent at once with the event's id as webhook-id", body = crate::api::schemas::List), (status = 400, description = "No enabled endpoint to send to", body = crate::api::schemas::Error), (status = 401, description = "Missing or invalid API key", body = crate::api::schemas::Error), (status = 404, description = "No such object for this account and mode", body = crate::api::schemas::Error)))]
pub async fn resend_event(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    Path(id): Path<String>,
    key: IdempotencyKey,
    body: ApiBody<ResendParams>,
) -> ApiResult<Response> {
    let idem = match Idempotency::start(&state, &auth, key, &body.fingerprint).await? {
        Started::Replay(response) => return Ok(response),
        Started::Fresh(idem) => idem,
    };
    let mut tx = state.store.begin().await?;
    let queued = queue::resend(
        &mut tx,
        &scope_of(&auth),
        state.clock.now_micros(),
        &id,
        body.value.webhook_endpoint.as_deref(),
    )
    .await?;
    let data: Vec<DeliveryDto> = queued
        .into_iter()
        .map(|row| DeliveryDto::new(row, Vec::new()))
        .collect();
    let url = format!("/v1/events/{id}/deliveries");
    idem.commit(tx, Reply::ok(ListEnvelope::new(data, false, &url))?)
        .await
}
