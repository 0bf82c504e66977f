//! Webhook deliveries: listed per event (`/v1/events/{id}/deliveries`) and per endpoint, each
//! with every attempt; `POST /v1/events/{id}/resend` queues an event again.

use super::auth::ApiAuth;
use super::auth::scope_of;
use super::error::ApiResult;
use super::idempotency::Post;
use super::list::{ApiQuery, Paging};
use super::read::Read;
use crate::server::services::webhooks::queue;
use crate::server::state::AppState;
use crate::server::store::events::EventRow;
use crate::server::store::webhook_deliveries::{self as rows, DeliveryRow, Of};
use crate::server::views::{DeliveryView, ListView};
use axum::Json;
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;

/// Deliveries with their attempts (two queries, whatever the page size).
async fn with_attempts(state: &AppState, found: Vec<DeliveryRow>) -> ApiResult<Vec<DeliveryView>> {
    Ok(rows::with_attempts(state.store.reader(), found)
        .await?
        .into_iter()
        .map(|(row, attempts)| DeliveryView::new(row, attempts))
        .collect())
}

/// One page of the deliveries of an event or an endpoint (already checked to be the caller's).
pub async fn deliveries_page(
    state: &AppState,
    auth: &ApiAuth,
    of: Of,
    paging: &Paging,
    url: &str,
) -> ApiResult<ListView<DeliveryView>> {
    let (found, has_more) = paging.page(state, auth, &of).await?;
    Ok(ListView::new(
        with_attempts(state, found).await?,
        has_more,
        url,
    ))
}

#[utoipa::path(get, path = "/events/{id}/deliveries", tag = "Webhooks", params(("id" = String, Path, description = "Event id"), ("limit" = Option<i64>, Query, description = "1 to 100, default 10"), ("starting_after" = Option<String>, Query, description = "Cursor: a delivery id"), ("ending_before" = Option<String>, Query, description = "Cursor: a delivery id")), responses((status = 200, description = "The event's deliveries, newest first, each with its attempts", body = crate::server::views::list::List), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such object for this account and mode", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn list_event_deliveries(
    read: Read,
    Path(id): Path<String>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<ListView<DeliveryView>>> {
    let event: EventRow = Read::find(&read, "event", &id).await?;
    let url = format!("/v1/events/{}/deliveries", event.id);
    deliveries_page(&read.state, &read.auth, Of::Event(event.id), &paging, &url)
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

#[utoipa::path(post, path = "/events/{id}/resend", tag = "Webhooks", params(("id" = String, Path, description = "Event id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes the POST safe to retry (1 to 255 characters)")), request_body(content((ResendParams = "application/x-www-form-urlencoded"), (ResendParams = "application/json"))), responses((status = 200, description = "The new deliveries, sent at once with the event's id as webhook-id", body = crate::server::views::list::List), (status = 400, description = "No enabled endpoint to send to", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such object for this account and mode", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn resend_event(Path(id): Path<String>, post: Post<ResendParams>) -> ApiResult<Response> {
    post.change(async |tx, state, auth, p| {
        let queued = queue::resend(
            tx,
            &scope_of(auth),
            state.clock.now_micros(),
            &id,
            p.webhook_endpoint.as_deref(),
        )
        .await?;
        let data: Vec<DeliveryView> = queued
            .into_iter()
            .map(|row| DeliveryView::new(row, Vec::new()))
            .collect();
        let url = format!("/v1/events/{id}/deliveries");
        Ok(ListView::new(data, false, &url))
    })
    .await
}
