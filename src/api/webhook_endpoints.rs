//! `/v1/webhook_endpoints`: create (the secret is shown once), list, retrieve, update, delete,
//! rotate the secret, and the endpoint's deliveries.

use super::auth::SecretAuth;
use super::body::ApiBody;
use super::customers::{DeletedDto, scope_of};
use super::error::ApiResult;
use super::idempotency::{Idempotency, IdempotencyKey, Reply, Started};
use super::list::{ApiQuery, ListEnvelope, Paging};
use super::params::lenient;
use super::webhook_deliveries::{DeliveryDto, deliveries_page};
use crate::services::webhooks::{self, EndpointFields};
use crate::state::AppState;
use crate::store::webhook_deliveries::Of;
use crate::store::webhook_endpoints::{self as rows, EndpointRow};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A webhook endpoint as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookEndpointDto {
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

impl WebhookEndpointDto {
    fn new(row: EndpointRow, reveal_secret: bool) -> Self {
        WebhookEndpointDto {
            enabled_events: row.events(),
            metadata: serde_json::from_str(&row.metadata).unwrap_or_default(),
            secret: reveal_secret.then_some(row.secret),
            previous_secret_expires_at: row.previous_secret.and(row.previous_secret_expires_at),
            object: "webhook_endpoint",
            livemode: row.mode == "live",
            id: row.id,
            url: row.url,
            description: row.description,
            status: row.status,
            disabled_reason: row.disabled_reason,
            created: row.created,
        }
    }
}

/// Body of create and update.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointParams {
    /// Where events are POSTed (http or https).
    pub url: Option<String>,
    /// Event types to send (`enabled_events[]=payment.completed`), or `*` for all (the default).
    #[serde(default, deserialize_with = "lenient::opt_string_list")]
    pub enabled_events: Option<Vec<String>>,
    pub description: Option<String>,
    /// `true` stops deliveries (pending ones are canceled); `false` resumes them.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub disabled: Option<bool>,
    pub metadata: Option<BTreeMap<String, String>>,
}

impl From<EndpointParams> for EndpointFields {
    fn from(p: EndpointParams) -> Self {
        EndpointFields {
            url: p.url,
            description: p.description,
            enabled_events: p.enabled_events,
            disabled: p.disabled,
            metadata: p.metadata,
        }
    }
}

/// Rotation takes no parameters (an empty body; unknown ones are refused).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotateParams {}

const IDEMPOTENT: &str = "Makes the POST safe to retry (1 to 255 characters)";

#[utoipa::path(post, path = "/webhook_endpoints", tag = "Webhooks", params(("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENT)), request_body(content((EndpointParams = "application/x-www-form-urlencoded"), (EndpointParams = "application/json"))), responses((status = 200, description = "The new endpoint, with its secret (shown this once)", body = WebhookEndpointDto), (status = 400, description = "Invalid parameters", body = crate::api::schemas::Error), (status = 401, description = "Missing or invalid API key", body = crate::api::schemas::Error), (status = 409, description = "An idempotent request is in flight", body = crate::api::schemas::Error), (status = 422, description = "Idempotency key reused with other parameters", body = crate::api::schemas::Error)))]
pub async fn create_endpoint(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    key: IdempotencyKey,
    body: ApiBody<EndpointParams>,
) -> ApiResult<Response> {
    let idem = match Idempotency::start(&state, &auth, key, &body.fingerprint).await? {
        Started::Replay(response) => return Ok(response),
        Started::Fresh(idem) => idem,
    };
    let mut tx = state.store.begin().await?;
    let row = webhooks::create(
        &mut tx,
        &scope_of(&auth),
        state.clock.as_ref(),
        body.value.into(),
    )
    .await?;
    idem.commit(tx, Reply::ok(WebhookEndpointDto::new(row, true))?)
        .await
}

#[utoipa::path(get, path = "/webhook_endpoints/{id}", tag = "Webhooks", params(("id" = String, Path, description = "Object id")), responses((status = 200, description = "The endpoint (without its secret)", body = WebhookEndpointDto), (status = 401, description = "Missing or invalid API key", body = crate::api::schemas::Error), (status = 404, description = "No such object for this account and mode", body = crate::api::schemas::Error)))]
pub async fn get_endpoint(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<WebhookEndpointDto>> {
    let row = webhooks::find(state.store.reader(), &scope_of(&auth), &id).await?;
    Ok(Json(WebhookEndpointDto::new(row, false)))
}

#[utoipa::path(post, path = "/webhook_endpoints/{id}", tag = "Webhooks", params(("id" = String, Path, description = "Object id"), ("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENT)), request_body(content((EndpointParams = "application/x-www-form-urlencoded"), (EndpointParams = "application/json"))), responses((status = 200, description = "The updated endpoint", body = WebhookEndpointDto), (status = 400, description = "Invalid parameters", body = crate::api::schemas::Error), (status = 401, description = "Missing or invalid API key", body = crate::api::schemas::Error), (status = 404, description = "No such object for this account and mode", body = crate::api::schemas::Error), (status = 409, description = "An idempotent request is in flight", body = crate::api::schemas::Error), (status = 422, description = "Idempotency key reused with other parameters", body = crate::api::schemas::Error)))]
pub async fn update_endpoint(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    Path(id): Path<String>,
    key: IdempotencyKey,
    body: ApiBody<EndpointParams>,
) -> ApiResult<Response> {
    let idem = match Idempotency::start(&state, &auth, key, &body.fingerprint).await? {
        Started::Replay(response) => return Ok(response),
        Started::Fresh(idem) => idem,
    };
    let mut tx = state.store.begin().await?;
    let row = webhooks::update(&mut tx, &scope_of(&auth), &id, body.value.into()).await?;
    idem.commit(tx, Reply::ok(WebhookEndpointDto::new(row, false))?)
        .await
}

#[utoipa::path(delete, path = "/webhook_endpoints/{id}", tag = "Webhooks", params(("id" = String, Path, description = "Object id")), responses((status = 200, description = "Deleted; pending deliveries are canceled", body = crate::api::schemas::Deleted), (status = 401, description = "Missing or invalid API key", body = crate::api::schemas::Error), (status = 404, description = "No such object for this account and mode", body = crate::api::schemas::Error)))]
pub async fn delete_endpoint(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<DeletedDto>> {
    let mut tx = state.store.begin().await?;
    let id = webhooks::delete(&mut tx, &scope_of(&auth), &id).await?;
    tx.commit().await?;
    Ok(Json(DeletedDto {
        id,
        object: "webhook_endpoint",
        deleted: true,
    }))
}

#[utoipa::path(post, path = "/webhook_endpoints/{id}/rotate_secret", tag = "Webhooks", params(("id" = String, Path, description = "Object id"), ("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENT)), responses((status = 200, description = "The endpoint with its new secret; the old one signs beside it for 24 hours", body = WebhookEndpointDto), (status = 401, description = "Missing or invalid API key", body = crate::api::schemas::Error), (status = 404, description = "No such object for this account and mode", body = crate::api::schemas::Error)))]
pub async fn rotate_secret(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    Path(id): Path<String>,
    key: IdempotencyKey,
    body: ApiBody<RotateParams>,
) -> ApiResult<Response> {
    let idem = match Idempotency::start(&state, &auth, key, &body.fingerprint).await? {
        Started::Replay(response) => return Ok(response),
        Started::Fresh(idem) => idem,
    };
    let mut tx = state.store.begin().await?;
    let row = webhooks::rotate_secret(&mut tx, &scope_of(&auth), state.clock.as_ref(), &id).await?;
    idem.commit(tx, Reply::ok(WebhookEndpointDto::new(row, true))?)
        .await
}

#[utoipa::path(get, path = "/webhook_endpoints", tag = "Webhooks", params(("limit" = Option<i64>, Query, description = "1 to 100, default 10"), ("starting_after" = Option<String>, Query, description = "Cursor: an object id"), ("ending_before" = Option<String>, Query, description = "Cursor: an object id")), responses((status = 200, description = "Endpoints, newest first", body = crate::api::schemas::List), (status = 400, description = "Invalid parameters", body = crate::api::schemas::Error), (status = 401, description = "Missing or invalid API key", body = crate::api::schemas::Error)))]
pub async fn list_endpoints(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<ListEnvelope<WebhookEndpointDto>>> {
    let limit = paging.limit()?;
    let pool = state.store.reader();
    let cursor = paging.cursor(pool, rows::TABLE, &auth).await?;
    let (found, has_more) =
        rows::list(pool, &auth.account_id, auth.mode.as_str(), &cursor, limit).await?;
    Ok(Json(ListEnvelope::new(
        found
            .into_iter()
            .map(|row| WebhookEndpointDto::new(row, false))
            .collect(),
        has_more,
        "/v1/webhook_endpoints",
    )))
}

#[utoipa::path(get, path = "/webhook_endpoints/{id}/deliveries", tag = "Webhooks", params(("id" = String, Path, description = "Object id"), ("limit" = Option<i64>, Query, description = "1 to 100, default 10"), ("starting_after" = Option<String>, Query, description = "Cursor: a delivery id"), ("ending_before" = Option<String>, Query, description = "Cursor: a delivery id")), responses((status = 200, description = "The endpoint's deliveries, newest first, each with its attempts", body = crate::api::schemas::List), (status = 401, description = "Missing or invalid API key", body = crate::api::schemas::Error), (status = 404, description = "No such object for this account and mode", body = crate::api::schemas::Error)))]
pub async fn list_endpoint_deliveries(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    Path(id): Path<String>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<ListEnvelope<DeliveryDto>>> {
    let endpoint = webhooks::find(state.store.reader(), &scope_of(&auth), &id).await?;
    let url = format!("/v1/webhook_endpoints/{}/deliveries", endpoint.id);
    deliveries_page(&state, &auth, Of::Endpoint(endpoint.id), &paging, &url)
        .await
        .map(Json)
}
