//! `/v1/acquirer_connections`: the merchant's connections, which `routing[preferred_acquirer]`
//! may name. Every account starts with `acq_sandbox` (the default until the merchant picks
//! another in the dashboard), `acq_eu_1` and `acq_us_1`;
//! more simulated connections can be added.

use super::auth::scope_of;
use super::error::ApiResult;
use super::idempotency::Post;
use super::read::Read;
use crate::server::store::acquirer_connections::{self as rows};
use crate::server::views::{AcquirerConnectionView, ListView};
use axum::Json;
use axum::response::Response;
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
// Its own name in the document: utoipa keys schemas by name, and same-named ones replace
// each other.
#[schema(as = NewAcquirerConnection)]
pub struct CreateParams {
    /// The id payments will name in `routing[preferred_acquirer]`, e.g. `acq_uk_1`.
    #[schema(required = true)]
    pub id: Option<String>,
    /// A label for the dashboard (defaults to the id).
    pub name: Option<String>,
}

#[utoipa::path(post, path = "/acquirer_connections", tag = "Acquirer connections", params(("Idempotency-Key" = Option<String>, Header, description = "Makes the POST safe to retry (1 to 255 characters)")), request_body(content((CreateParams = "application/x-www-form-urlencoded"), (CreateParams = "application/json"))), responses((status = 200, description = "The new connection (simulated by the sandbox acquirer)", body = crate::server::views::AcquirerConnectionView), (status = 400, description = "Invalid parameters, or the id is taken", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 409, description = "An idempotent request is in flight", body = crate::server::api::error::ErrorEnvelope), (status = 422, description = "Idempotency key reused with other parameters", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn create_connection(post: Post<CreateParams>) -> ApiResult<Response> {
    post.change(async |tx, state, auth, p| {
        let row = crate::server::services::acquirer_connections::create(
            tx,
            &scope_of(auth),
            state.clock.now(),
            p.id,
            p.name,
        )
        .await?;
        Ok(AcquirerConnectionView::new(&row, &auth.default_acquirer))
    })
    .await
}

#[utoipa::path(get, path = "/acquirer_connections", tag = "Acquirer connections", responses((status = 200, description = "The merchant's connections in this mode, by id", body = crate::server::views::list::List), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn list_connections(
    Read { state, auth }: Read,
) -> ApiResult<Json<ListView<AcquirerConnectionView>>> {
    let found = rows::list(state.store.reader(), &auth.account_id, auth.mode.as_str()).await?;
    Ok(Json(ListView::new(
        found
            .iter()
            .map(|row| AcquirerConnectionView::new(row, &auth.default_acquirer))
            .collect(),
        false,
        "/v1/acquirer_connections",
    )))
}
