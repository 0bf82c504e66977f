//! `/v1/accounts`: connected accounts a platform settles payments to (`on_behalf_of`).
//! (`/v1/account`, singular, is the caller's own account.)

use super::error::{ApiError, ApiResult};
use super::idempotency::{Post, Reply};
use super::list::{ApiQuery, Paging};
use super::read::Read;
use crate::domain::ids::IdKind;
use crate::server::crypto::new_id;
use crate::server::store::connected_accounts::{self as rows, ConnectedAccountRow};
use crate::server::store::row;
use crate::server::views::{ConnectedAccountView, ListView};
use axum::Json;
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
// Its own name in the document: utoipa keys schemas by name, and same-named ones replace
// each other.
#[schema(as = NewConnectedAccount)]
pub struct CreateParams {
    #[serde(alias = "name")]
    #[schema(required = true)]
    pub business_name: Option<String>,
}

#[utoipa::path(post, path = "/accounts", tag = "Connected accounts", params(("Idempotency-Key" = Option<String>, Header, description = "Makes the POST safe to retry (1 to 255 characters)")), request_body(content((CreateParams = "application/x-www-form-urlencoded"), (CreateParams = "application/json"))), responses((status = 200, description = "The connected account", body = crate::server::views::ConnectedAccountView), (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 409, description = "The status does not allow this, or an idempotent request is in flight", body = crate::server::api::error::ErrorEnvelope), (status = 422, description = "Idempotency key reused with other parameters", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn create_account(post: Post<CreateParams>) -> ApiResult<Response> {
    post.run(async |state, auth, p| {
        let name = p
            .business_name
            .map(|n| n.trim().to_string())
            .unwrap_or_default();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(ApiError::invalid_param(
                "business_name",
                "business_name must be 1 to 100 characters.",
            ));
        }
        let now = state.clock.now_micros();
        let row = ConnectedAccountRow {
            id: new_id(IdKind::Account),
            account_id: auth.account_id.clone(),
            mode: auth.mode,
            name,
            created: now.div_euclid(1_000_000),
            sort_key: now,
        };
        let mut tx = state.store.begin().await?;
        row::insert_now(&mut tx, &row).await?;
        Ok((tx, Reply::ok(ConnectedAccountView::from(&row))?))
    })
    .await
}

#[utoipa::path(get, path = "/accounts/{id}", tag = "Connected accounts", params(("id" = String, Path, description = "Object id")), responses((status = 200, description = "The connected account", body = crate::server::views::ConnectedAccountView), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such object for this account and mode", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn get_account(
    read: Read,
    Path(id): Path<String>,
) -> ApiResult<Json<ConnectedAccountView>> {
    let row: ConnectedAccountRow = read.find("account", &id).await?;
    Ok(Json(ConnectedAccountView::from(&row)))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(flatten)]
    pub paging: Paging,
}

#[utoipa::path(get, path = "/accounts", tag = "Connected accounts", params(("limit" = Option<i64>, Query, description = "1 to 100, default 10"), ("starting_after" = Option<String>, Query, description = "Cursor: an object id"), ("ending_before" = Option<String>, Query, description = "Cursor: an object id")), responses((status = 200, description = "Connected accounts, newest first", body = crate::server::views::list::List), (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn list_accounts(
    read: Read,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListView<ConnectedAccountView>>> {
    let everyone = rows::ConnectedAccountFilter;
    read.list(&query.paging, &everyone, "/v1/accounts").await
}
