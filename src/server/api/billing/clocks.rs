//! `/v1/test_clocks`.

use crate::server::api::auth::scope_of;
use crate::server::api::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::server::api::idempotency::Post;
use crate::server::api::list::{ApiQuery, Paging};
use crate::server::api::read::Read;
use crate::server::services::billing::clocks::{self, Advance, NewClock};
use crate::server::services::billing::engine;
use crate::server::store::test_clocks::AllClocks;
use crate::server::views::{DeletedView, ListView, TestClockView};
use axum::Json;
use axum::extract::Path;
use axum::response::Response;

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
    crate::server::api::body::ApiBody { value, .. }: crate::server::api::body::ApiBody<Advance>,
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
