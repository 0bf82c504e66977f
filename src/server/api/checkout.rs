//! `/v1/checkout`: the public context of a hosted checkout (no key needed: the page and
//! embedders read it by the payment's unguessable id) and Dintero-style checkout sessions.

use super::auth::scope_of;
use super::error::{ApiError, ApiResult};
use super::idempotency::{Post, Reply};
use super::payments::payment_view;
use super::read::Read;
use crate::domain::ids::{self, IdKind};
use crate::domain::lenient;
use crate::server::services::checkout::{self as service, LineItem, NewSession};
use crate::server::state::AppState;
use crate::server::store::checkout_sessions::CheckoutSessionRow;
use crate::server::store::row;
use crate::server::views::CheckoutSessionView;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[utoipa::path(get, path = "/checkout/{reference}", tag = "Checkout", security(()), params(("reference" = String, Path, description = "The payment's id, as in its checkout_url")), responses((status = 200, description = "What the checkout shows: amount, currency, status, merchant display name, description, items, expires_at", body = crate::server::views::CheckoutContextView), (status = 404, description = "No such checkout", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn get_context(
    State(state): State<AppState>,
    Path(reference): Path<String>,
) -> ApiResult<Response> {
    let view = service::load(&state.payment_deps(), &reference)
        .await?
        .ok_or_else(|| ApiError::not_found("checkout", &reference))?;
    let mut response = Json(view.context(&state.config.public_url)).into_response();
    // The status changes as the customer pays: never serve it from a cache.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// One order line as sent (numbers may come as form strings).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = OrderItemParams)]
pub struct ItemParams {
    pub line_id: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub quantity: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub amount: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_number")]
    pub vat: Option<f64>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub vat_amount: Option<i64>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderParams {
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub merchant_reference: Option<String>,
    #[serde(default)]
    pub items: Vec<ItemParams>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UrlParams {
    pub return_url: Option<String>,
    pub callback_url: Option<String>,
}

/// Body of `POST /v1/checkout/sessions`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionParams {
    #[schema(required = true)]
    #[serde(default, deserialize_with = "crate::domain::lenient::opt_object")]
    pub order: Option<OrderParams>,
    #[serde(default, deserialize_with = "crate::domain::lenient::opt_object")]
    pub url: Option<UrlParams>,
    /// Unix seconds; default 24 hours from now, at most 30 days.
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub expires_at: Option<i64>,
}

fn line_item(i: usize, p: ItemParams) -> ApiResult<LineItem> {
    let missing = |field: &str| ApiError::missing_param(&format!("order[items][{i}][{field}]"));
    Ok(LineItem {
        line_id: p.line_id.ok_or_else(|| missing("line_id"))?,
        description: p.description.ok_or_else(|| missing("description"))?,
        quantity: p.quantity.unwrap_or(1),
        amount: p.amount.ok_or_else(|| missing("amount"))?,
        vat: p.vat.unwrap_or(0.0),
        vat_amount: p.vat_amount,
    })
}

#[utoipa::path(post, path = "/checkout/sessions", tag = "Checkout", params(("Idempotency-Key" = Option<String>, Header, description = "Makes the POST safe to retry (1 to 255 characters)")), request_body(content((SessionParams = "application/x-www-form-urlencoded"), (SessionParams = "application/json"))), responses((status = 200, description = "The session: id (cs_…), url (the hosted checkout) and its payment", body = CheckoutSessionView), (status = 400, description = "Invalid parameters (items must sum to order[amount])", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 409, description = "An idempotent request is in flight", body = crate::server::api::error::ErrorEnvelope), (status = 422, description = "Idempotency key reused with other parameters", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn create_session(post: Post<SessionParams>) -> ApiResult<Response> {
    post.run(async |state, auth, p| {
        let order = p.order.ok_or_else(|| ApiError::missing_param("order"))?;
        if order.amount.is_none() {
            return Err(ApiError::missing_param("order[amount]"));
        }
        let items = order
            .items
            .into_iter()
            .enumerate()
            .map(|(i, item)| line_item(i, item))
            .collect::<ApiResult<Vec<_>>>()?;
        let urls = p.url.unwrap_or_default();
        let input = NewSession {
            amount: order.amount,
            currency: order.currency,
            merchant_reference: order.merchant_reference,
            items,
            return_url: urls.return_url,
            callback_url: urls.callback_url,
            expires_at: p.expires_at,
            acquirer: Some(auth.default_acquirer.clone()),
        };
        let deps = state.payment_deps();
        let (staged, session) =
            service::create_session(&deps, &scope_of(auth), &auth.default_currency, input).await?;
        let payment = payment_view(state, auth, &staged.payment);
        let object = service::session_view(&deps, &session, payment).await?;
        Ok((staged.tx, Reply::ok(object)?))
    })
    .await
}

#[utoipa::path(get, path = "/checkout/sessions/{id}", tag = "Checkout", params(("id" = String, Path, description = "cs_…")), responses((status = 200, description = "The session, its payment as it is now, and every callback attempt so far", body = CheckoutSessionView), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such session", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn get_session(
    read: Read,
    Path(id): Path<String>,
) -> ApiResult<Json<CheckoutSessionView>> {
    let Read { state, auth } = &read;
    let not_found = || ApiError::not_found("checkout.session", &id);
    if !ids::is_id(IdKind::CheckoutSession, &id) {
        return Err(not_found());
    }
    let session: CheckoutSessionRow = read.find("checkout.session", &id).await?;
    let payment = row::find_hot::<crate::server::store::payments::PaymentRow>(
        &state.store,
        &auth.account_id,
        auth.mode.as_str(),
        &session.payment_id,
    )
    .await?
    .ok_or_else(not_found)?;
    let deps = state.payment_deps();
    let payment = payment_view(state, auth, &payment);
    let object = service::session_view(&deps, &session, payment).await?;
    Ok(Json(object))
}
