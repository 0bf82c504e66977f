//! `/v1/acquirer_connections`: the merchant's connections, which `routing[preferred_acquirer]`
//! may name. Every account starts with `acq_sandbox` (the default until the merchant picks
//! another in the dashboard), `acq_eu_1` and `acq_us_1`;
//! more simulated connections can be added.

use super::auth::scope_of;
use super::error::ApiResult;
use super::idempotency::{Post, Reply};
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
    /// `sandbox` (test mode only; the default there) or `stripe`.
    #[schema(value_type = Option<String>, pattern = "^(sandbox|stripe)$")]
    #[serde(alias = "type")]
    pub kind: Option<String>,
    /// For `kind=stripe`: the processor's settings.
    #[serde(default, deserialize_with = "crate::domain::lenient::opt_object")]
    pub stripe: Option<StripeParams>,
    /// Make it this mode's default connection.
    #[serde(default, deserialize_with = "crate::domain::lenient::opt_bool")]
    pub default: Option<bool>,
}

/// A Stripe connection's settings.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StripeParams {
    /// The Stripe secret key (`sk_live_…` in live mode, `sk_test_…` in test mode): checked with
    /// Stripe, sealed at rest, never shown again.
    #[schema(value_type = Option<String>)]
    pub secret_key: Option<crate::server::crypto::Secret>,
    /// Another API base than https://api.stripe.com.
    pub api_base: Option<String>,
    /// The signing secret of the webhook endpoint Stripe calls at
    /// `/v1/processor_hooks/{acq_id}`.
    #[schema(value_type = Option<String>)]
    pub webhook_secret: Option<crate::server::crypto::Secret>,
}

#[utoipa::path(post, path = "/acquirer_connections", tag = "Acquirer connections", params(("Idempotency-Key" = Option<String>, Header, description = "Makes the POST safe to retry (1 to 255 characters)")), request_body(content((CreateParams = "application/x-www-form-urlencoded"), (CreateParams = "application/json"))), responses((status = 200, description = "The new connection: a simulated acquirer, or a Stripe account whose key Stripe accepted", body = crate::server::views::AcquirerConnectionView), (status = 400, description = "Invalid parameters, the id is taken, or the processor refused the key", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 409, description = "An idempotent request is in flight", body = crate::server::api::error::ErrorEnvelope), (status = 422, description = "Idempotency key reused with other parameters", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn create_connection(post: Post<CreateParams>) -> ApiResult<Response> {
    use crate::server::services::acquirer_connections::{
        NewConnection, NewStripeSettings, insert, prepare,
    };
    post.run(async |state, auth, p| {
        let input = NewConnection {
            id: p.id,
            name: p.name,
            kind: p.kind,
            stripe: p.stripe.map(|s| NewStripeSettings {
                secret_key: s.secret_key,
                api_base: s.api_base,
                webhook_secret: s.webhook_secret,
            }),
            default: p.default.unwrap_or(false),
        };
        // The processor checks the key before anything is written.
        let row = prepare(
            &state.acquirers,
            &state.config.secret,
            &scope_of(auth),
            state.clock.now(),
            &input,
        )
        .await?;
        let mut tx = state.store.begin().await?;
        insert(&mut tx, &row, input.default).await?;
        let default = match input.default {
            true => row.id.clone(),
            false => auth.default_acquirer.clone(),
        };
        if input.default {
            // Keys carry their mode's default connection: let them be read again.
            state.keys.clear();
        }
        Ok((tx, Reply::ok(AcquirerConnectionView::new(&row, &default))?))
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
