//! `/v1/webhook_endpoints`: create (the secret is shown once), list, retrieve, update, delete,
//! rotate the secret, and the endpoint's deliveries.

use super::auth::scope_of;
use super::error::ApiResult;
use super::idempotency::Post;
use super::list::{ApiQuery, Paging};
use super::read::Read;
use super::webhook_deliveries::deliveries_page;
use crate::server::services::webhooks::{self, EndpointFields};
use crate::server::store::webhook_deliveries::Of;
use crate::server::store::webhook_endpoints::{self as rows};
use crate::server::views::{DeletedView, DeliveryView, ListView, WebhookEndpointView};
use axum::Json;
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;

/// Rotation takes no parameters (an empty body; unknown ones are refused).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotateParams {}

const IDEMPOTENT: &str = "Makes the POST safe to retry (1 to 255 characters)";

#[utoipa::path(post, path = "/webhook_endpoints", tag = "Webhooks", params(("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENT)), request_body(content((EndpointFields = "application/x-www-form-urlencoded"), (EndpointFields = "application/json"))), responses((status = 200, description = "The new endpoint, with its secret (shown this once)", body = WebhookEndpointView), (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 409, description = "An idempotent request is in flight", body = crate::server::api::error::ErrorEnvelope), (status = 422, description = "Idempotency key reused with other parameters", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn create_endpoint(post: Post<EndpointFields>) -> ApiResult<Response> {
    post.change(async |tx, state, auth, p| {
        let row = webhooks::create(tx, &scope_of(auth), state.clock.as_ref(), p).await?;
        Ok(WebhookEndpointView::new(row, true))
    })
    .await
}

#[utoipa::path(get, path = "/webhook_endpoints/{id}", tag = "Webhooks", params(("id" = String, Path, description = "Object id")), responses((status = 200, description = "The endpoint (without its secret)", body = WebhookEndpointView), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such object for this account and mode", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn get_endpoint(
    read: Read,
    Path(id): Path<String>,
) -> ApiResult<Json<WebhookEndpointView>> {
    let row = webhooks::find(read.state.store.reader(), &read.scope(), &id).await?;
    Ok(Json(WebhookEndpointView::new(row, false)))
}

#[utoipa::path(post, path = "/webhook_endpoints/{id}", tag = "Webhooks", params(("id" = String, Path, description = "Object id"), ("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENT)), request_body(content((EndpointFields = "application/x-www-form-urlencoded"), (EndpointFields = "application/json"))), responses((status = 200, description = "The updated endpoint", body = WebhookEndpointView), (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such object for this account and mode", body = crate::server::api::error::ErrorEnvelope), (status = 409, description = "An idempotent request is in flight", body = crate::server::api::error::ErrorEnvelope), (status = 422, description = "Idempotency key reused with other parameters", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn update_endpoint(
    Path(id): Path<String>,
    post: Post<EndpointFields>,
) -> ApiResult<Response> {
    post.change(async |tx, _state, auth, p| {
        let row = webhooks::update(tx, &scope_of(auth), &id, p).await?;
        Ok(WebhookEndpointView::new(row, false))
    })
    .await
}

#[utoipa::path(delete, path = "/webhook_endpoints/{id}", tag = "Webhooks", params(("id" = String, Path, description = "Object id")), responses((status = 200, description = "Deleted; pending deliveries are canceled", body = crate::server::views::DeletedView), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such object for this account and mode", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn delete_endpoint(
    Read { state, auth }: Read,
    Path(id): Path<String>,
) -> ApiResult<Json<DeletedView>> {
    let mut tx = state.store.begin().await?;
    let id = webhooks::delete(&mut tx, &scope_of(&auth), &id).await?;
    tx.commit().await?;
    Ok(Json(DeletedView::new(id, "webhook_endpoint")))
}

#[utoipa::path(post, path = "/webhook_endpoints/{id}/rotate_secret", tag = "Webhooks", params(("id" = String, Path, description = "Object id"), ("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENT)), responses((status = 200, description = "The endpoint with its new secret; the old one signs beside it for 24 hours", body = WebhookEndpointView), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such object for this account and mode", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn rotate_secret(
    Path(id): Path<String>,
    post: Post<RotateParams>,
) -> ApiResult<Response> {
    post.change(async |tx, state, auth, _p| {
        let row = webhooks::rotate_secret(tx, &scope_of(auth), state.clock.as_ref(), &id).await?;
        Ok(WebhookEndpointView::new(row, true))
    })
    .await
}

#[utoipa::path(get, path = "/webhook_endpoints", tag = "Webhooks", params(("limit" = Option<i64>, Query, description = "1 to 100, default 10"), ("starting_after" = Option<String>, Query, description = "Cursor: an object id"), ("ending_before" = Option<String>, Query, description = "Cursor: an object id")), responses((status = 200, description = "Endpoints, newest first", body = crate::server::views::list::List), (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn list_endpoints(
    Read { state, auth }: Read,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<ListView<WebhookEndpointView>>> {
    let (found, has_more) = paging.page(&state, &auth, &rows::EndpointFilter).await?;
    Ok(Json(ListView::new(
        found
            .into_iter()
            .map(|row| WebhookEndpointView::new(row, false))
            .collect(),
        has_more,
        "/v1/webhook_endpoints",
    )))
}

#[utoipa::path(get, path = "/webhook_endpoints/{id}/deliveries", tag = "Webhooks", params(("id" = String, Path, description = "Object id"), ("limit" = Option<i64>, Query, description = "1 to 100, default 10"), ("starting_after" = Option<String>, Query, description = "Cursor: a delivery id"), ("ending_before" = Option<String>, Query, description = "Cursor: a delivery id")), responses((status = 200, description = "The endpoint's deliveries, newest first, each with its attempts", body = crate::server::views::list::List), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such object for this account and mode", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn list_endpoint_deliveries(
    Read { state, auth }: Read,
    Path(id): Path<String>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<ListView<DeliveryView>>> {
    let endpoint = webhooks::find(state.store.reader(), &scope_of(&auth), &id).await?;
    let url = format!("/v1/webhook_endpoints/{}/deliveries", endpoint.id);
    deliveries_page(&state, &auth, Of::Endpoint(endpoint.id), &paging, &url)
        .await
        .map(Json)
}
