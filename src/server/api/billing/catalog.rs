//! `/v1/products` and `/v1/prices`.

use crate::server::api::auth::scope_of;
use crate::server::api::error::{ApiResult, ErrorEnvelope};
use crate::server::api::idempotency::Post;
use crate::server::api::list::{ApiQuery, Paging};
use crate::server::api::read::Read;
use crate::server::services::billing::catalog::{self, NewPrice, PriceUpdate, ProductFields};
use crate::server::store::products::{PriceFilter, ProductFilter};
use crate::server::views::{ListView, PriceView, ProductView};
use axum::Json;
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;

#[utoipa::path(post, path = "/products", tag = "Billing", request_body(content((ProductFields = "application/x-www-form-urlencoded"), (ProductFields = "application/json"))), responses((status = 200, body = ProductView), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn create_product(post: Post<ProductFields>) -> ApiResult<Response> {
    post.change(async |tx, state, auth, p| {
        let row = catalog::create_product(tx, &scope_of(auth), state.clock.as_ref(), p).await?;
        Ok(ProductView::from(&row))
    })
    .await
}

#[utoipa::path(post, path = "/products/{id}", tag = "Billing", params(("id" = String, Path)), request_body(content((ProductFields = "application/x-www-form-urlencoded"), (ProductFields = "application/json"))), responses((status = 200, body = ProductView), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn update_product(
    Path(id): Path<String>,
    post: Post<ProductFields>,
) -> ApiResult<Response> {
    post.change(async |tx, _state, auth, p| {
        let row = catalog::update_product(tx, &scope_of(auth), &id, p).await?;
        Ok(ProductView::from(&row))
    })
    .await
}

#[utoipa::path(get, path = "/products/{id}", tag = "Billing", params(("id" = String, Path)), responses((status = 200, body = ProductView), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn get_product(read: Read, Path(id): Path<String>) -> ApiResult<Json<ProductView>> {
    let row = catalog::find_product(read.state.store.reader(), &read.scope(), &id, None).await?;
    Ok(Json(ProductView::from(&row)))
}

#[derive(Debug, Deserialize)]
pub struct ListProductsQuery {
    #[serde(flatten)]
    pub paging: Paging,
    // Query values are strings ("true"): parsed leniently, as in form bodies.
    #[serde(default, deserialize_with = "crate::domain::lenient::opt_bool")]
    pub active: Option<bool>,
}

#[utoipa::path(get, path = "/products", tag = "Billing", params(("limit" = Option<i64>, Query), ("starting_after" = Option<String>, Query), ("ending_before" = Option<String>, Query), ("active" = Option<bool>, Query)), responses((status = 200, body = crate::server::views::list::List), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope)))]
pub async fn list_products(
    read: Read,
    ApiQuery(q): ApiQuery<ListProductsQuery>,
) -> ApiResult<Json<ListView<ProductView>>> {
    read.list(
        &q.paging,
        &ProductFilter { active: q.active },
        "/v1/products",
    )
    .await
}

// ---- prices ----

#[utoipa::path(post, path = "/prices", tag = "Billing", request_body(content((NewPrice = "application/x-www-form-urlencoded"), (NewPrice = "application/json"))), responses((status = 200, body = PriceView), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn create_price(post: Post<NewPrice>) -> ApiResult<Response> {
    post.change(async |tx, state, auth, p| {
        let row = catalog::create_price(
            tx,
            &scope_of(auth),
            state.clock.as_ref(),
            &auth.default_currency,
            p,
        )
        .await?;
        Ok(PriceView::from(&row))
    })
    .await
}

#[utoipa::path(post, path = "/prices/{id}", tag = "Billing", params(("id" = String, Path)), request_body(content((PriceUpdate = "application/x-www-form-urlencoded"), (PriceUpdate = "application/json"))), responses((status = 200, body = PriceView), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn update_price(Path(id): Path<String>, post: Post<PriceUpdate>) -> ApiResult<Response> {
    post.change(async |tx, _state, auth, p| {
        let row = catalog::update_price(tx, &scope_of(auth), &id, p).await?;
        Ok(PriceView::from(&row))
    })
    .await
}

#[utoipa::path(get, path = "/prices/{id}", tag = "Billing", params(("id" = String, Path)), responses((status = 200, body = PriceView), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn get_price(read: Read, Path(id): Path<String>) -> ApiResult<Json<PriceView>> {
    let row = catalog::find_price(read.state.store.reader(), &read.scope(), &id, None).await?;
    Ok(Json(PriceView::from(&row)))
}

#[derive(Debug, Deserialize)]
pub struct ListPricesQuery {
    #[serde(flatten)]
    pub paging: Paging,
    pub product: Option<String>,
    // Query values are strings ("true"): parsed leniently, as in form bodies.
    #[serde(default, deserialize_with = "crate::domain::lenient::opt_bool")]
    pub active: Option<bool>,
}

#[utoipa::path(get, path = "/prices", tag = "Billing", params(("limit" = Option<i64>, Query), ("starting_after" = Option<String>, Query), ("ending_before" = Option<String>, Query), ("product" = Option<String>, Query), ("active" = Option<bool>, Query)), responses((status = 200, body = crate::server::views::list::List), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope)))]
pub async fn list_prices(
    read: Read,
    ApiQuery(q): ApiQuery<ListPricesQuery>,
) -> ApiResult<Json<ListView<PriceView>>> {
    let filter = PriceFilter {
        product: q.product,
        active: q.active,
    };
    read.list(&q.paging, &filter, "/v1/prices").await
}
