//! Refunds: `POST /v1/payments/{id}/refunds` and `POST /v1/refunds` (the same thing, the payment
//! in the path or in the body), `GET /v1/refunds[/{id}]`.

use super::auth::SecretAuth;
use super::body::ApiBody;
use super::customers::scope_of;
use super::error::{ApiError, ApiResult};
use super::idempotency::{IdempotencyKey, Reply, idempotent};
use super::list::{ApiQuery, Paging};
use super::params::lenient;

use crate::server::services::refunds::{self, NewRefund};
use crate::server::state::AppState;
use crate::server::store::refunds as rows;
use crate::server::views::ListView;
use crate::server::views::RefundView;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Body of a refund.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundParams {
    /// The payment (`pay_…`); only on `POST /v1/refunds`.
    pub payment: Option<String>,
    /// Minor units; by default, everything not yet refunded.
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub amount: Option<i64>,
    /// `duplicate`, `fraudulent` or `requested_by_customer`.
    pub reason: Option<String>,
    pub metadata: Option<BTreeMap<String, String>>,
}

async fn refund(
    state: &AppState,
    auth: &super::auth::ApiAuth,
    key: IdempotencyKey,
    fingerprint: &str,
    payment: String,
    p: RefundParams,
) -> ApiResult<Response> {
    idempotent(state, auth, key, fingerprint, async || {
        let input = NewRefund {
            payment,
            amount: p.amount,
            reason: p.reason,
            metadata: p.metadata,
        };
        let staged = refunds::create(&state.payment_deps(), &scope_of(auth), input).await?;
        Ok((staged.tx, Reply::ok(RefundView::from(&staged.refund))?))
    })
    .await
}

#[utoipa::path(post, path = "/payments/{id}/refunds", tag = "Refunds", params(("id" = String, Path, description = "The payment"), ("Idempotency-Key" = Option<String>, Header, description = "Makes the POST safe to retry (1 to 255 characters)")), request_body(content((RefundParams = "application/x-www-form-urlencoded"), (RefundParams = "application/json"))), responses((status = 200, description = "The refund: succeeded, or failed with failure_reason", body = crate::server::views::RefundView), (status = 400, description = "Invalid parameters, or more than is left to refund", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such payment for this account and mode", body = crate::server::api::error::ErrorEnvelope), (status = 409, description = "The payment's status does not allow refunds (not captured, failed…)", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn refund_payment(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    Path(id): Path<String>,
    key: IdempotencyKey,
    body: ApiBody<RefundParams>,
) -> ApiResult<Response> {
    if body.value.payment.as_ref().is_some_and(|p| *p != id) {
        return Err(ApiError::invalid_param(
            "payment",
            "The payment is named by the path; leave payment out of the body.",
        ));
    }
    refund(&state, &auth, key, &body.fingerprint, id, body.value).await
}

#[utoipa::path(post, path = "/refunds", tag = "Refunds", params(("Idempotency-Key" = Option<String>, Header, description = "Makes the POST safe to retry (1 to 255 characters)")), request_body(content((RefundParams = "application/x-www-form-urlencoded"), (RefundParams = "application/json"))), responses((status = 200, description = "The refund: succeeded, or failed with failure_reason", body = crate::server::views::RefundView), (status = 400, description = "Invalid parameters, or more than is left to refund", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such payment for this account and mode", body = crate::server::api::error::ErrorEnvelope), (status = 409, description = "The payment's status does not allow refunds (not captured, failed…)", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn create_refund(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    key: IdempotencyKey,
    body: ApiBody<RefundParams>,
) -> ApiResult<Response> {
    let Some(payment) = body.value.payment.clone() else {
        return Err(ApiError::missing_param("payment"));
    };
    refund(&state, &auth, key, &body.fingerprint, payment, body.value).await
}

#[utoipa::path(get, path = "/refunds/{id}", tag = "Refunds", params(("id" = String, Path, description = "Object id")), responses((status = 200, description = "The refund", body = crate::server::views::RefundView), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such object for this account and mode", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn get_refund(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<RefundView>> {
    let row = refunds::find(&state.payment_deps(), &scope_of(&auth), &id).await?;
    Ok(Json(RefundView::from(&row)))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(flatten)]
    pub paging: Paging,
    /// Only this payment's refunds.
    pub payment: Option<String>,
}

#[utoipa::path(get, path = "/refunds", tag = "Refunds", params(("payment" = Option<String>, Query, description = "Only this payment's refunds"), ("limit" = Option<i64>, Query, description = "1 to 100, default 10"), ("starting_after" = Option<String>, Query, description = "Cursor: an object id"), ("ending_before" = Option<String>, Query, description = "Cursor: an object id")), responses((status = 200, description = "Refunds, newest first", body = crate::server::views::list::List), (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn list_refunds(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListView<RefundView>>> {
    let filter = rows::RefundFilter {
        payment: query.payment,
    };
    let (found, has_more) = query.paging.page(&state, &auth, &filter).await?;
    Ok(Json(ListView::of(&found, has_more, "/v1/refunds")))
}
