//! `/v1/usage_records`.

use crate::server::api::auth::scope_of;
use crate::server::api::error::{ApiResult, ErrorEnvelope};
use crate::server::api::idempotency::Post;
use crate::server::api::list::{ApiQuery, Paging};
use crate::server::api::read::Read;
use crate::server::services::billing::usage::{self, NewUsage};
use crate::server::store::invoices::UsageFilter;
use crate::server::views::{ListView, UsageRecordView};
use axum::Json;
use axum::response::Response;
use serde::Deserialize;

#[utoipa::path(post, path = "/usage_records", tag = "Billing", request_body(content((NewUsage = "application/x-www-form-urlencoded"), (NewUsage = "application/json"))), responses((status = 200, body = UsageRecordView), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn create_usage_record(post: Post<NewUsage>) -> ApiResult<Response> {
    post.change(async |tx, state, auth, p| {
        let row = usage::record(tx, &scope_of(auth), state.clock.as_ref(), p).await?;
        Ok(UsageRecordView::from(&row))
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct ListUsageQuery {
    #[serde(flatten)]
    pub paging: Paging,
    pub subscription_item: Option<String>,
    pub subscription: Option<String>,
}

#[utoipa::path(get, path = "/usage_records", tag = "Billing", params(("limit" = Option<i64>, Query), ("starting_after" = Option<String>, Query), ("ending_before" = Option<String>, Query), ("subscription_item" = Option<String>, Query), ("subscription" = Option<String>, Query)), responses((status = 200, body = crate::server::views::list::List), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope)))]
pub async fn list_usage_records(
    read: Read,
    ApiQuery(q): ApiQuery<ListUsageQuery>,
) -> ApiResult<Json<ListView<UsageRecordView>>> {
    let filter = UsageFilter {
        subscription_item: q.subscription_item,
        subscription: q.subscription,
    };
    read.list(&q.paging, &filter, "/v1/usage_records").await
}
