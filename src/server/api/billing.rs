//! Billing's endpoints: `/v1/products`, `/v1/prices`, `/v1/subscriptions`, `/v1/invoices`,
//! `/v1/usage_records`, `/v1/test_clocks`. Handlers parse, call `services::billing` and
//! answer the views.

use super::auth::{ApiAuth, scope_of};
use super::error::{ApiError, ApiResult, ErrorEnvelope, ErrorType};
use super::idempotency::{Post, Reply};
use super::list::{ApiQuery, Paging};
use super::read::Read;
use crate::domain::billing::{InvoiceStatus, SubscriptionStatus};
use crate::server::services::billing::catalog::{self, NewPrice, PriceUpdate, ProductFields};
use crate::server::services::billing::clocks::{self, Advance, NewClock};
use crate::server::services::billing::engine;
use crate::server::services::billing::subscriptions::{self, NewSubscription, SubscriptionUpdate};
use crate::server::services::billing::usage::{self, NewUsage};
use crate::server::services::billing::{
    self, BillingError, invoices as invoice_actions, invoicing,
};
use crate::server::services::payments::Defaults;
use crate::server::state::AppState;
use crate::server::store::Tx;
use crate::server::store::invoices::{InvoiceFilter, InvoiceRow, UsageFilter};
use crate::server::store::products::{PriceFilter, ProductFilter};
use crate::server::store::subscriptions::{SubscriptionFilter, SubscriptionRow};
use crate::server::store::test_clocks::AllClocks;
use crate::server::views::billing::{InvoiceView, SubscriptionView};
use crate::server::views::{
    self, DeletedView, ListView, PriceView, ProductView, TestClockView, UsageRecordView,
};
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

impl From<BillingError> for ApiError {
    fn from(err: BillingError) -> Self {
        match err {
            BillingError::Service(e) => e.into(),
            BillingError::Payment(e) => e.into(),
            BillingError::State { code, message } => {
                ApiError::new(StatusCode::CONFLICT, ErrorType::InvalidState, code, message)
            }
            BillingError::Forbidden(message) => ApiError::forbidden(message),
            BillingError::Declined { decline, payment } => {
                let mut e = ApiError::new(
                    StatusCode::PAYMENT_REQUIRED,
                    ErrorType::CardError,
                    decline.code,
                    decline.message,
                );
                e.decline_code = Some(decline.decline_code.to_string());
                e.payment = Some(views::to_json(&views::PaymentView::new(&payment, "")));
                e
            }
        }
    }
}

fn defaults(auth: &ApiAuth) -> Defaults<'_> {
    Defaults {
        currency: &auth.default_currency,
        acquirer: &auth.default_acquirer,
    }
}

async fn sub_view(state: &AppState, sub: &SubscriptionRow) -> ApiResult<SubscriptionView> {
    let mut conn = state.store.reader().acquire().await?;
    Ok(billing::subscription_view(&mut conn, sub).await?)
}

async fn inv_view(state: &AppState, invoice: &InvoiceRow) -> ApiResult<InvoiceView> {
    let mut conn = state.store.reader().acquire().await?;
    Ok(billing::invoice_view(&mut conn, invoice, &state.config.public_url).await?)
}

/// The answer to a change made in `tx`, read there so it shows what the change wrote.
async fn sub_reply(_state: &AppState, mut tx: Tx, sub: &SubscriptionRow) -> ApiResult<(Tx, Reply)> {
    let view = billing::subscription_view(tx.conn().await?, sub).await?;
    Ok((tx, Reply::ok(view)?))
}

// ---- products ----

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

// ---- subscriptions ----

#[utoipa::path(post, path = "/subscriptions", tag = "Billing", request_body(content((NewSubscription = "application/x-www-form-urlencoded"), (NewSubscription = "application/json"))), responses((status = 200, body = SubscriptionView), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 402, description = "error_if_incomplete and the first payment did not succeed: nothing was created", body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn create_subscription(post: Post<NewSubscription>) -> ApiResult<Response> {
    post.run(async |state, auth, p| {
        let changed =
            subscriptions::create(&state.payment_deps(), &scope_of(auth), defaults(auth), p)
                .await?;
        sub_reply(state, changed.tx, &changed.subscription).await
    })
    .await
}

#[utoipa::path(post, path = "/subscriptions/{id}", tag = "Billing", params(("id" = String, Path)), request_body(content((SubscriptionUpdate = "application/x-www-form-urlencoded"), (SubscriptionUpdate = "application/json"))), responses((status = 200, body = SubscriptionView), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn update_subscription(
    Path(id): Path<String>,
    post: Post<SubscriptionUpdate>,
) -> ApiResult<Response> {
    use axum::response::IntoResponse;
    let state = post.state().clone();
    let attempt = std::sync::Mutex::new(None);
    let response = post
        .run(async |state, auth, p| {
            let changed =
                subscriptions::update(&state.payment_deps(), &scope_of(auth), &id, p).await?;
            *attempt.lock().expect("not poisoned") = changed.attempt.clone();
            sub_reply(state, changed.tx, &changed.subscription).await
        })
        .await?;
    // An `always_invoice` change charged an invoice: ask the acquirer now that the change has
    // committed, and answer the subscription as the payment left it.
    let Some(payment) = attempt.into_inner().expect("not poisoned") else {
        return Ok(response);
    };
    invoicing::finish_attempt(&state.payment_deps(), payment.clone()).await?;
    let scope = crate::server::services::Scope {
        account_id: payment.account_id,
        mode: payment.mode,
    };
    let sub = subscriptions::find(state.store.reader(), &scope, &id).await?;
    Ok(Json(sub_view(&state, &sub).await?).into_response())
}

#[utoipa::path(delete, path = "/subscriptions/{id}", tag = "Billing", params(("id" = String, Path)), responses((status = 200, body = SubscriptionView), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
pub async fn cancel_subscription(
    read: Read,
    Path(id): Path<String>,
) -> ApiResult<Json<SubscriptionView>> {
    let (mut tx, sub) =
        subscriptions::cancel(&read.state.payment_deps(), &read.scope(), &id).await?;
    let view = billing::subscription_view(tx.conn().await?, &sub).await?;
    tx.commit().await?;
    Ok(Json(view))
}

#[utoipa::path(get, path = "/subscriptions/{id}", tag = "Billing", params(("id" = String, Path)), responses((status = 200, body = SubscriptionView), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn get_subscription(
    read: Read,
    Path(id): Path<String>,
) -> ApiResult<Json<SubscriptionView>> {
    let sub = subscriptions::find(read.state.store.reader(), &read.scope(), &id).await?;
    Ok(Json(sub_view(&read.state, &sub).await?))
}

#[derive(Debug, Deserialize)]
pub struct ListSubscriptionsQuery {
    #[serde(flatten)]
    pub paging: Paging,
    pub customer: Option<String>,
    pub status: Option<String>,
    pub price: Option<String>,
    pub test_clock: Option<String>,
}

#[utoipa::path(get, path = "/subscriptions", tag = "Billing", params(("limit" = Option<i64>, Query), ("starting_after" = Option<String>, Query), ("ending_before" = Option<String>, Query), ("customer" = Option<String>, Query), ("status" = Option<String>, Query), ("price" = Option<String>, Query), ("test_clock" = Option<String>, Query)), responses((status = 200, body = crate::server::views::list::List), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope)))]
pub async fn list_subscriptions(
    read: Read,
    ApiQuery(q): ApiQuery<ListSubscriptionsQuery>,
) -> ApiResult<Json<ListView<SubscriptionView>>> {
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => Some(SubscriptionStatus::parse(s).ok_or_else(|| {
            ApiError::invalid_param(
                "status",
                format!("status must be {}.", SubscriptionStatus::names()),
            )
        })?),
    };
    let filter = SubscriptionFilter {
        customer: q.customer,
        status,
        price: q.price,
        test_clock: q.test_clock,
    };
    let (rows, has_more) = q.paging.page(&read.state, &read.auth, &filter).await?;
    let mut data = Vec::with_capacity(rows.len());
    for row in &rows {
        data.push(sub_view(&read.state, row).await?);
    }
    Ok(Json(ListView::new(data, has_more, "/v1/subscriptions")))
}

// ---- invoices ----

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
    super::body::ApiBody { value, .. }: super::body::ApiBody<PayParams>,
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

// ---- usage ----

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

// ---- test clocks ----

#[utoipa::path(post, path = "/test_clocks", tag = "Billing", request_body(content((NewClock = "application/x-www-form-urlencoded"), (NewClock = "application/json"))), responses((status = 200, body = TestClockView), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn create_test_clock(post: Post<NewClock>) -> ApiResult<Response> {
    post.change(async |tx, state, auth, p| {
        let row = clocks::create(tx, &scope_of(auth), state.clock.as_ref(), p).await?;
        Ok(TestClockView::from(&row))
    })
    .await
}

#[utoipa::path(get, path = "/test_clocks/{id}", tag = "Billing", params(("id" = String, Path)), responses((status = 200, body = TestClockView), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn get_test_clock(read: Read, Path(id): Path<String>) -> ApiResult<Json<TestClockView>> {
    let row = clocks::find(read.state.store.reader(), &read.scope(), &id).await?;
    Ok(Json(TestClockView::from(&row)))
}

#[utoipa::path(get, path = "/test_clocks", tag = "Billing", params(("limit" = Option<i64>, Query), ("starting_after" = Option<String>, Query), ("ending_before" = Option<String>, Query)), responses((status = 200, body = crate::server::views::list::List), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope)))]
pub async fn list_test_clocks(
    read: Read,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<ListView<TestClockView>>> {
    clocks::test_mode_only(&read.scope())?;
    read.list(&paging, &AllClocks, "/v1/test_clocks").await
}

#[utoipa::path(delete, path = "/test_clocks/{id}", tag = "Billing", params(("id" = String, Path)), responses((status = 200, body = DeletedView), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn delete_test_clock(read: Read, Path(id): Path<String>) -> ApiResult<Json<DeletedView>> {
    let mut tx = read.state.store.begin().await?;
    let id = clocks::delete(&mut tx, &read.scope(), &id).await?;
    tx.commit().await?;
    Ok(Json(DeletedView::new(id, "test_clock")))
}

/// How long an advance may run before the request answers `advancing` (it goes on, and
/// `test_clock.ready` says when it is done).
const ADVANCE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

#[utoipa::path(post, path = "/test_clocks/{id}/advance", tag = "Billing", params(("id" = String, Path)), request_body(content((Advance = "application/x-www-form-urlencoded"), (Advance = "application/json"))), responses((status = 200, body = TestClockView), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
pub async fn advance_test_clock(
    read: Read,
    Path(id): Path<String>,
    super::body::ApiBody { value, .. }: super::body::ApiBody<Advance>,
) -> ApiResult<Json<TestClockView>> {
    let scope = read.scope();
    let (clock, to) =
        clocks::start_advance(&read.state.payment_deps(), &scope, &id, &value).await?;
    let advancing = TestClockView::from(&clock);
    let state = read.state.clone();
    let run = tokio::spawn(async move {
        let steps = state.clone();
        let spawn = move |due, at| {
            let state = steps.clone();
            tokio::spawn(async move { engine::run(&state.payment_deps(), due, at).await })
        };
        clocks::run_advance(&state.payment_deps(), clock, to, &spawn).await
    });
    match tokio::time::timeout(ADVANCE_WAIT, run).await {
        Ok(Ok(done)) => Ok(Json(TestClockView::from(&done?))),
        Ok(Err(join)) => Err(ApiError::internal(&join)),
        Err(_) => Ok(Json(advancing)),
    }
}
