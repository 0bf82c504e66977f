//! `/v1/invoices`: retrieve, list, the upcoming one, pay, void, write off.

use super::inv_view;
use crate::domain::billing::InvoiceStatus;
use crate::server::api::auth::scope_of;
use crate::server::api::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::server::api::idempotency::{Post, Reply};
use crate::server::api::list::{ApiQuery, Paging};
use crate::server::api::read::Read;
use crate::server::services::billing::subscriptions::{self};
use crate::server::services::billing::{self, invoices as invoice_actions, invoicing};
use crate::server::store::invoices::InvoiceFilter;
use crate::server::views::ListView;
use crate::server::views::billing::InvoiceView;
use axum::Json;
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;

#[utoipa::path(get, path = "/invoices/{id}", tag = "Billing", params(("id" = String, Path)), responses((status = 200, body = InvoiceView), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn get_invoice(read: Read, Path(id): Path<String>) -> ApiResult<Json<InvoiceView>> {
    let invoice = invoicing::find(read.state.store.reader(), &read.scope(), &id).await?;
    Ok(Json(inv_view(&read.state, &invoice).await?))
}

#[derive(Debug, Deserialize)]
pub struct UpcomingQuery {
    pub subscription: Option<String>,
}

#[utoipa::path(get, path = "/invoices/upcoming", tag = "Billing", params(("subscription" = String, Query)), responses((status = 200, body = InvoiceView), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
pub async fn upcoming_invoice(
    read: Read,
    ApiQuery(q): ApiQuery<UpcomingQuery>,
) -> ApiResult<Json<InvoiceView>> {
    let id = q
        .subscription
        .ok_or_else(|| ApiError::missing_param("subscription"))?;
    let scope = read.scope();
    let sub = subscriptions::find(read.state.store.reader(), &scope, &id).await?;
    let now = billing::time_on(
        read.state.store.reader(),
        &scope,
        sub.test_clock.as_deref(),
        read.state.clock.as_ref(),
    )
    .await?;
    let mut conn = read.state.store.reader().acquire().await?;
    let (invoice, lines) = subscriptions::upcoming(&mut conn, &sub, now).await?;
    Ok(Json(InvoiceView::new(
        &invoice,
        &lines,
        &read.state.config.public_url,
    )))
}

#[derive(Debug, Deserialize)]
pub struct ListInvoicesQuery {
    #[serde(flatten)]
    pub paging: Paging,
    pub customer: Option<String>,
    pub subscription: Option<String>,
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/invoices", tag = "Billing", params(("limit" = Option<i64>, Query), ("starting_after" = Option<String>, Query), ("ending_before" = Option<String>, Query), ("customer" = Option<String>, Query), ("subscription" = Option<String>, Query), ("status" = Option<String>, Query)), responses((status = 200, body = crate::server::views::list::List), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope)))]
pub async fn list_invoices(
    read: Read,
    ApiQuery(q): ApiQuery<ListInvoicesQuery>,
) -> ApiResult<Json<ListView<InvoiceView>>> {
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => Some(InvoiceStatus::parse(s).ok_or_else(|| {
            ApiError::invalid_param(
                "status",
                format!("status must be {}.", InvoiceStatus::names()),
            )
        })?),
    };
    let filter = InvoiceFilter {
        customer: q.customer,
        subscription: q.subscription,
        status,
    };
    let (rows, has_more) = q.paging.page(&read.state, &read.auth, &filter).await?;
    let mut data = Vec::with_capacity(rows.len());
    for row in &rows {
        data.push(inv_view(&read.state, row).await?);
    }
    Ok(Json(ListView::new(data, has_more, "/v1/invoices")))
}

/// Body of `POST /v1/invoices/{id}/pay`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayParams {
    /// A saved card of the customer to charge (it becomes the subscription's).
    pub payment_method: Option<String>,
}

#[utoipa::path(post, path = "/invoices/{id}/pay", tag = "Billing", params(("id" = String, Path)), request_body(content((PayParams = "application/x-www-form-urlencoded"), (PayParams = "application/json"))), responses((status = 200, body = InvoiceView), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 402, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
pub async fn pay_invoice(
    read: Read,
    Path(id): Path<String>,
    crate::server::api::body::ApiBody { value, .. }: crate::server::api::body::ApiBody<PayParams>,
) -> ApiResult<Json<InvoiceView>> {
    let invoice = invoice_actions::pay(
        &read.state.payment_deps(),
        &read.scope(),
        &id,
        value.payment_method,
    )
    .await?;
    Ok(Json(inv_view(&read.state, &invoice).await?))
}

async fn close(post: Post<Empty>, id: String, to: InvoiceStatus) -> ApiResult<Response> {
    post.run(async |state, auth, _p| {
        let (mut tx, invoice) =
            invoice_actions::close(&state.payment_deps(), &scope_of(auth), &id, to).await?;
        let view =
            billing::invoice_view(tx.conn().await?, &invoice, &state.config.public_url).await?;
        Ok((tx, Reply::ok(view)?))
    })
    .await
}

/// An empty body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

#[utoipa::path(post, path = "/invoices/{id}/void", tag = "Billing", params(("id" = String, Path)), responses((status = 200, body = InvoiceView), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn void_invoice(Path(id): Path<String>, post: Post<Empty>) -> ApiResult<Response> {
    close(post, id, InvoiceStatus::Void).await
}

#[utoipa::path(post, path = "/invoices/{id}/mark_uncollectible", tag = "Billing", params(("id" = String, Path)), responses((status = 200, body = InvoiceView), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn mark_uncollectible(Path(id): Path<String>, post: Post<Empty>) -> ApiResult<Response> {
    close(post, id, InvoiceStatus::Uncollectible).await
}
