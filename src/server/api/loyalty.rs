//! Engagement's endpoints under `/v1/loyalty`: programs, accounts, points (earn, adjust,
//! calculate, transactions), rewards and redemptions. Handlers parse, call
//! `services::loyalty` and answer the views.

use super::auth::scope_of;
use super::error::{ApiError, ApiResult, ErrorEnvelope, ErrorType};
use super::idempotency::Post;
use super::list::{ApiQuery, Paging};
use super::read::Read;
use crate::domain::loyalty::{PtxType, RedemptionStatus};
use crate::domain::money::Currency;
use crate::server::services::loyalty::LoyaltyError;
use crate::server::services::loyalty::adjust::{self, AdjustInput};
use crate::server::services::loyalty::calculate::{self, CalculateInput, Calculation};
use crate::server::services::loyalty::earn::{self, EarnInput};
use crate::server::services::loyalty::programs::{self, ProgramFields};
use crate::server::services::loyalty::redemptions::{self, NewRedemption};
use crate::server::services::loyalty::rewards::{self, NewReward, RewardUpdate};
use crate::server::state::AppState;
use crate::server::store::loyalty::{
    self, AccountFilter, LoyaltyAccountRow, PtxFilter, RedemptionFilter, RewardFilter,
};
use crate::server::views::ListView;
use crate::server::views::loyalty::{
    LoyaltyAccountView, ProgramView, PtxView, RedemptionView, RewardView,
};
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

impl From<LoyaltyError> for ApiError {
    fn from(err: LoyaltyError) -> Self {
        match err {
            LoyaltyError::Service(e) => e.into(),
            LoyaltyError::State { code, message } => {
                ApiError::new(StatusCode::CONFLICT, ErrorType::InvalidState, code, message)
            }
        }
    }
}

fn currency_of(auth: &super::auth::ApiAuth) -> Currency {
    Currency::parse(&auth.default_currency).unwrap_or(Currency::parse("EUR").expect("EUR"))
}

async fn account_view(state: &AppState, row: &LoyaltyAccountRow) -> ApiResult<LoyaltyAccountView> {
    let lots = loyalty::live_lots(state.store.reader(), &row.id).await?;
    Ok(LoyaltyAccountView::new(row, &lots))
}

// ---- programs ----

#[utoipa::path(get, path = "/loyalty/programs", tag = "Engagement", params(("limit" = Option<i64>, Query), ("starting_after" = Option<String>, Query), ("ending_before" = Option<String>, Query)), responses((status = 200, body = crate::server::views::list::List), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope)))]
pub async fn list_programs(
    read: Read,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<ListView<ProgramView>>> {
    read.list(&paging, &loyalty::ProgramFilter, "/v1/loyalty/programs")
        .await
}

#[utoipa::path(post, path = "/loyalty/programs", tag = "Engagement", request_body(content((ProgramFields = "application/x-www-form-urlencoded"), (ProgramFields = "application/json"))), responses((status = 200, body = ProgramView), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn create_program(post: Post<ProgramFields>) -> ApiResult<Response> {
    post.change(async |tx, state, auth, p| {
        let row = programs::create(
            tx,
            &scope_of(auth),
            state.clock.as_ref(),
            currency_of(auth),
            p,
        )
        .await?;
        Ok(ProgramView::from(&row))
    })
    .await
}

#[utoipa::path(get, path = "/loyalty/programs/{id}", tag = "Engagement", params(("id" = String, Path)), responses((status = 200, body = ProgramView), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn get_program(read: Read, Path(id): Path<String>) -> ApiResult<Json<ProgramView>> {
    let row = programs::find(read.state.store.reader(), &read.scope(), &id, None).await?;
    Ok(Json(ProgramView::from(&row)))
}

#[utoipa::path(post, path = "/loyalty/programs/{id}", tag = "Engagement", params(("id" = String, Path)), request_body(content((ProgramFields = "application/x-www-form-urlencoded"), (ProgramFields = "application/json"))), responses((status = 200, body = ProgramView), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn update_program(
    Path(id): Path<String>,
    post: Post<ProgramFields>,
) -> ApiResult<Response> {
    post.change(async |tx, _state, auth, p| {
        let row = programs::update(tx, &scope_of(auth), &id, currency_of(auth), p).await?;
        Ok(ProgramView::from(&row))
    })
    .await
}

// ---- accounts ----

#[derive(Debug, Deserialize)]
pub struct ListAccountsQuery {
    #[serde(flatten)]
    pub paging: Paging,
    pub customer: Option<String>,
    pub program: Option<String>,
}

#[utoipa::path(get, path = "/loyalty/accounts", tag = "Engagement", params(("limit" = Option<i64>, Query), ("starting_after" = Option<String>, Query), ("ending_before" = Option<String>, Query), ("customer" = Option<String>, Query), ("program" = Option<String>, Query)), responses((status = 200, body = crate::server::views::list::List), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope)))]
pub async fn list_accounts(
    read: Read,
    ApiQuery(q): ApiQuery<ListAccountsQuery>,
) -> ApiResult<Json<ListView<LoyaltyAccountView>>> {
    let filter = AccountFilter {
        customer: q.customer,
        program: q.program,
    };
    let (rows, has_more) = q.paging.page(&read.state, &read.auth, &filter).await?;
    let mut data = Vec::with_capacity(rows.len());
    for row in &rows {
        data.push(account_view(&read.state, row).await?);
    }
    Ok(Json(ListView::new(data, has_more, "/v1/loyalty/accounts")))
}

#[utoipa::path(get, path = "/loyalty/accounts/{id}", tag = "Engagement", params(("id" = String, Path)), responses((status = 200, body = LoyaltyAccountView), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn get_account(
    read: Read,
    Path(id): Path<String>,
) -> ApiResult<Json<LoyaltyAccountView>> {
    let row = read
        .find::<LoyaltyAccountRow>("loyalty account", &id)
        .await?;
    Ok(Json(account_view(&read.state, &row).await?))
}

// ---- points ----

#[utoipa::path(post, path = "/loyalty/points/earn", tag = "Engagement", request_body(content((EarnInput = "application/x-www-form-urlencoded"), (EarnInput = "application/json"))), responses((status = 200, body = PtxView), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn earn_points(post: Post<EarnInput>) -> ApiResult<Response> {
    post.change(async |tx, state, auth, p| {
        let row = earn::earn(tx, &state.store, state.clock.as_ref(), &scope_of(auth), p).await?;
        Ok(PtxView::from(&row))
    })
    .await
}

#[utoipa::path(post, path = "/loyalty/points/adjust", tag = "Engagement", request_body(content((AdjustInput = "application/x-www-form-urlencoded"), (AdjustInput = "application/json"))), responses((status = 200, body = PtxView), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn adjust_points(post: Post<AdjustInput>) -> ApiResult<Response> {
    post.change(async |tx, state, auth, p| {
        let row =
            adjust::adjust(tx, &state.store, state.clock.as_ref(), &scope_of(auth), p).await?;
        Ok(PtxView::from(&row))
    })
    .await
}

#[utoipa::path(post, path = "/loyalty/points/calculate", tag = "Engagement", request_body(content((CalculateInput = "application/x-www-form-urlencoded"), (CalculateInput = "application/json"))), responses((status = 200, body = Calculation), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn calculate_points(post: Post<CalculateInput>) -> ApiResult<Response> {
    post.run(async |state, auth, p| {
        let answer =
            calculate::calculate(&state.store, &scope_of(auth), currency_of(auth), p).await?;
        let tx = state.store.begin().await?;
        Ok((tx, super::idempotency::Reply::ok(answer)?))
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct ListTransactionsQuery {
    #[serde(flatten)]
    pub paging: Paging,
    pub account: Option<String>,
    pub customer: Option<String>,
    pub source: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[utoipa::path(get, path = "/loyalty/points/transactions", tag = "Engagement", params(("limit" = Option<i64>, Query), ("starting_after" = Option<String>, Query), ("ending_before" = Option<String>, Query), ("account" = Option<String>, Query), ("customer" = Option<String>, Query), ("source" = Option<String>, Query), ("type" = Option<String>, Query)), responses((status = 200, body = crate::server::views::list::List), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope)))]
pub async fn list_transactions(
    read: Read,
    ApiQuery(q): ApiQuery<ListTransactionsQuery>,
) -> ApiResult<Json<ListView<PtxView>>> {
    let kind = match q.kind.as_deref() {
        None => None,
        Some(k) => Some(PtxType::parse(k).ok_or_else(|| {
            ApiError::invalid_param("type", format!("type must be {}.", PtxType::names()))
        })?),
    };
    let filter = PtxFilter {
        loyalty_account: q.account,
        customer: q.customer,
        source: q.source,
        kind,
    };
    read.list(&q.paging, &filter, "/v1/loyalty/points/transactions")
        .await
}

#[utoipa::path(get, path = "/loyalty/points/transactions/{id}", tag = "Engagement", params(("id" = String, Path)), responses((status = 200, body = PtxView), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn get_transaction(read: Read, Path(id): Path<String>) -> ApiResult<Json<PtxView>> {
    let row = read
        .find::<loyalty::PtxRow>("points transaction", &id)
        .await?;
    Ok(Json(PtxView::from(&row)))
}

// ---- rewards ----

#[derive(Debug, Deserialize)]
pub struct ListRewardsQuery {
    #[serde(flatten)]
    pub paging: Paging,
    // Query values are strings ("true"): parsed leniently, as in form bodies.
    #[serde(default, deserialize_with = "crate::domain::lenient::opt_bool")]
    pub active: Option<bool>,
}

#[utoipa::path(get, path = "/loyalty/rewards", tag = "Engagement", params(("limit" = Option<i64>, Query), ("starting_after" = Option<String>, Query), ("ending_before" = Option<String>, Query), ("active" = Option<bool>, Query)), responses((status = 200, body = crate::server::views::list::List), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope)))]
pub async fn list_rewards(
    read: Read,
    ApiQuery(q): ApiQuery<ListRewardsQuery>,
) -> ApiResult<Json<ListView<RewardView>>> {
    read.list(
        &q.paging,
        &RewardFilter { active: q.active },
        "/v1/loyalty/rewards",
    )
    .await
}

#[utoipa::path(post, path = "/loyalty/rewards", tag = "Engagement", request_body(content((NewReward = "application/x-www-form-urlencoded"), (NewReward = "application/json"))), responses((status = 200, body = RewardView), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn create_reward(post: Post<NewReward>) -> ApiResult<Response> {
    post.change(async |tx, state, auth, p| {
        let row = rewards::create(
            tx,
            &scope_of(auth),
            state.clock.as_ref(),
            currency_of(auth),
            p,
        )
        .await?;
        Ok(RewardView::from(&row))
    })
    .await
}

#[utoipa::path(get, path = "/loyalty/rewards/{id}", tag = "Engagement", params(("id" = String, Path)), responses((status = 200, body = RewardView), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn get_reward(read: Read, Path(id): Path<String>) -> ApiResult<Json<RewardView>> {
    let row = rewards::find(read.state.store.reader(), &read.scope(), &id, None).await?;
    Ok(Json(RewardView::from(&row)))
}

#[utoipa::path(post, path = "/loyalty/rewards/{id}", tag = "Engagement", params(("id" = String, Path)), request_body(content((RewardUpdate = "application/x-www-form-urlencoded"), (RewardUpdate = "application/json"))), responses((status = 200, body = RewardView), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn update_reward(
    Path(id): Path<String>,
    post: Post<RewardUpdate>,
) -> ApiResult<Response> {
    post.change(async |tx, _state, auth, p| {
        let row = rewards::update(tx, &scope_of(auth), &id, p).await?;
        Ok(RewardView::from(&row))
    })
    .await
}

// ---- redemptions ----

#[derive(Debug, Deserialize)]
pub struct ListRedemptionsQuery {
    #[serde(flatten)]
    pub paging: Paging,
    pub customer: Option<String>,
    pub payment: Option<String>,
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/loyalty/redemptions", tag = "Engagement", params(("limit" = Option<i64>, Query), ("starting_after" = Option<String>, Query), ("ending_before" = Option<String>, Query), ("customer" = Option<String>, Query), ("payment" = Option<String>, Query), ("status" = Option<String>, Query)), responses((status = 200, body = crate::server::views::list::List), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope)))]
pub async fn list_redemptions(
    read: Read,
    ApiQuery(q): ApiQuery<ListRedemptionsQuery>,
) -> ApiResult<Json<ListView<RedemptionView>>> {
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => Some(RedemptionStatus::parse(s).ok_or_else(|| {
            ApiError::invalid_param(
                "status",
                format!("status must be {}.", RedemptionStatus::names()),
            )
        })?),
    };
    let filter = RedemptionFilter {
        customer: q.customer,
        payment: q.payment,
        status,
    };
    read.list(&q.paging, &filter, "/v1/loyalty/redemptions")
        .await
}

#[utoipa::path(post, path = "/loyalty/redemptions", tag = "Engagement", request_body(content((NewRedemption = "application/x-www-form-urlencoded"), (NewRedemption = "application/json"))), responses((status = 200, body = RedemptionView), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn create_redemption(post: Post<NewRedemption>) -> ApiResult<Response> {
    post.change(async |tx, state, auth, p| {
        let row =
            redemptions::create(tx, &state.store, state.clock.as_ref(), &scope_of(auth), p).await?;
        Ok(RedemptionView::from(&row))
    })
    .await
}

#[utoipa::path(get, path = "/loyalty/redemptions/{id}", tag = "Engagement", params(("id" = String, Path)), responses((status = 200, body = RedemptionView), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn get_redemption(read: Read, Path(id): Path<String>) -> ApiResult<Json<RedemptionView>> {
    let row = redemptions::find(read.state.store.reader(), &read.scope(), &id).await?;
    Ok(Json(RedemptionView::from(&row)))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRedemption {}

#[utoipa::path(post, path = "/loyalty/redemptions/{id}/cancel", tag = "Engagement", params(("id" = String, Path)), responses((status = 200, body = RedemptionView), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
pub async fn cancel_redemption(
    Path(id): Path<String>,
    post: Post<CancelRedemption>,
) -> ApiResult<Response> {
    post.change(async |tx, state, auth, _p| {
        let row = redemptions::cancel(tx, &state.store, state.clock.as_ref(), &scope_of(auth), &id)
            .await?;
        Ok(RedemptionView::from(&row))
    })
    .await
}
