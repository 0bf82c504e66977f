//! Refunds: `POST /v1/payments/{id}/refunds` and `POST /v1/refunds` (the same thing, the payment
//! in the path or in the body), `GET /v1/refunds[/{id}]`.

use super::auth::scope_of;
use super::error::{ApiError, ApiResult};
use super::idempotency::{Post, Reply};
use super::list::{ApiQuery, Paging};
use super::read::Read;
use crate::domain::lenient;

use crate::server::services::refunds::{self, NewRefund};
use crate::server::store::refunds as rows;
use crate::server::views::ListView;
use crate::server::views::RefundView;
use axum::Json;
use axum::extract::Path;
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

async fn refund(post: Post<RefundParams>, payment: String) -> ApiResult<Response> {
    post.run(async |state, auth, p| {
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
    Path(id): Path<String>,
    post: Post<RefundParams>,
) -> ApiResult<Response> {
    if post.params().payment.as_ref().is_some_and(|p| *p != id) {
        return Err(ApiError::invalid_param(
            "payment",
            "The payment is named by the path; leave payment out of the body.",
        ));
    }
    refund(post, id).await
}

#[utoipa::path(post, path = "/refunds", tag = "Refunds", params(("Idempotency-Key" = Option<String>, Header, description = "Makes the POST safe to retry (1 to 255 characters)")), request_body(content((RefundParams = "application/x-www-form-urlencoded"), (RefundParams = "application/json"))), responses((status = 200, description = "The refund: succeeded, or failed with failure_reason", body = crate::server::views::RefundView), (status = 400, description = "Invalid parameters, or more than is left to refund", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such payment for this account and mode", body = crate::server::api::error::ErrorEnvelope), (status = 409, description = "The payment's status does not allow refunds (not captured, failed…)", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn create_refund(post: Post<RefundParams>) -> ApiResult<Response> {
    let Some(payment) = post.params().payment.clone() else {
        return Err(ApiError::missing_param("payment"));
    };
    refund(post, payment).await
}

#[utoipa::path(get, path = "/refunds/{id}", tag = "Refunds", params(("id" = String, Path, description = "Object id")), responses((status = 200, description = "The refund", body = crate::server::views::RefundView), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such object for this account and mode", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn get_refund(read: Read, Path(id): Path<String>) -> ApiResult<Json<RefundView>> {
    let row = refunds::find(&read.state.payment_deps(), &read.scope(), &id).await?;
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
    read: Read,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListView<RefundView>>> {
    let filter = rows::RefundFilter {
        payment: query.payment,
    };
    read.list(&query.paging, &filter, "/v1/refunds").await
}
