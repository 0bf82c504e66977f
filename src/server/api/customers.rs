//! `/v1/customers`: create, retrieve, update, delete, list.

use super::auth::scope_of;
use super::error::ApiResult;
use super::idempotency::Post;
use super::list::{ApiQuery, Paging};
use super::read::Read;
use crate::server::services::customers::{self, CustomerFields};
use crate::server::store::customers::CustomerFilter;
use crate::server::views::{CustomerView, DeletedView, ListView};
use axum::Json;
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;

#[utoipa::path(post, path = "/customers", tag = "Customers", params(("Idempotency-Key" = Option<String>, Header, description = "Makes the POST safe to retry (1 to 255 characters)")), request_body(content((CustomerFields = "application/x-www-form-urlencoded"), (CustomerFields = "application/json"))), responses((status = 200, description = "The new customer", body = CustomerView), (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 409, description = "The status does not allow this, or an idempotent request is in flight", body = crate::server::api::error::ErrorEnvelope), (status = 422, description = "Idempotency key reused with other parameters", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn create_customer(post: Post<CustomerFields>) -> ApiResult<Response> {
    post.change(async |tx, state, auth, p| {
        let customer = customers::create(tx, &scope_of(auth), state.clock.as_ref(), p).await?;
        Ok(CustomerView::from(customer))
    })
    .await
}

#[utoipa::path(get, path = "/customers/{id}", tag = "Customers", params(("id" = String, Path, description = "Object id")), responses((status = 200, description = "The customer", body = CustomerView), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such object for this account and mode", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn get_customer(read: Read, Path(id): Path<String>) -> ApiResult<Json<CustomerView>> {
    let customer = customers::find(read.state.store.reader(), &read.scope(), &id).await?;
    Ok(Json(customer.into()))
}

#[utoipa::path(post, path = "/customers/{id}", tag = "Customers", params(("id" = String, Path, description = "Object id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes the POST safe to retry (1 to 255 characters)")), request_body(content((CustomerFields = "application/x-www-form-urlencoded"), (CustomerFields = "application/json"))), responses((status = 200, description = "The updated customer", body = CustomerView), (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such object for this account and mode", body = crate::server::api::error::ErrorEnvelope), (status = 409, description = "The status does not allow this, or an idempotent request is in flight", body = crate::server::api::error::ErrorEnvelope), (status = 422, description = "Idempotency key reused with other parameters", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn update_customer(
    Path(id): Path<String>,
    post: Post<CustomerFields>,
) -> ApiResult<Response> {
    post.change(async |tx, _state, auth, p| {
        let customer = customers::update(tx, &scope_of(auth), &id, p).await?;
        Ok(CustomerView::from(customer))
    })
    .await
}

#[utoipa::path(delete, path = "/customers/{id}", tag = "Customers", params(("id" = String, Path, description = "Object id")), responses((status = 200, description = "Deleted", body = DeletedView), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such object for this account and mode", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn delete_customer(
    Read { state, auth }: Read,
    Path(id): Path<String>,
) -> ApiResult<Json<DeletedView>> {
    let mut tx = state.store.begin().await?;
    let id = customers::delete(&mut tx, &scope_of(&auth), &id).await?;
    tx.commit().await?;
    Ok(Json(DeletedView::new(id, "customer")))
}

/// Query of the list. (serde cannot deny unknown fields next to `flatten`, so unknown query
/// parameters are ignored rather than refused.)
#[derive(Debug, Deserialize)]
pub struct ListCustomersQuery {
    #[serde(flatten)]
    pub paging: Paging,
    pub email: Option<String>,
}

#[utoipa::path(get, path = "/customers", tag = "Customers", params(("limit" = Option<i64>, Query, description = "1 to 100, default 10"), ("starting_after" = Option<String>, Query, description = "Cursor: an object id"), ("ending_before" = Option<String>, Query, description = "Cursor: an object id"), ("email" = Option<String>, Query, description = "Exact e-mail, any case")), responses((status = 200, description = "Customers, newest first", body = crate::server::views::list::List), (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn list_customers(
    Read { state, auth }: Read,
    ApiQuery(query): ApiQuery<ListCustomersQuery>,
) -> ApiResult<Json<ListView<CustomerView>>> {
    let filter = CustomerFilter { email: query.email };
    let (found, has_more) = query.paging.page(&state, &auth, &filter).await?;
    let data = found
        .into_iter()
        .map(|row| customers::to_domain(row).map(CustomerView::from))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(ListView::new(data, has_more, "/v1/customers")))
}
