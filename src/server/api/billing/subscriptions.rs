//! `/v1/subscriptions`.

use super::{defaults, sub_reply, sub_view};
use crate::domain::billing::SubscriptionStatus;
use crate::server::api::auth::scope_of;
use crate::server::api::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::server::api::idempotency::{Post, Reply};
use crate::server::api::list::{ApiQuery, Paging};
use crate::server::api::read::Read;
use crate::server::services::billing::subscriptions::{
    self, Changed, NewSubscription, SubscriptionUpdate,
};
use crate::server::services::billing::{self, charging};
use crate::server::state::AppState;
use crate::server::store::Tx;
use crate::server::store::payments::PaymentRow;
use crate::server::store::subscriptions::SubscriptionFilter;
use crate::server::views::ListView;
use crate::server::views::billing::SubscriptionView;
use axum::Json;
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;
use std::sync::Mutex;

#[utoipa::path(post, path = "/subscriptions", tag = "Billing", request_body(content((NewSubscription = "application/x-www-form-urlencoded"), (NewSubscription = "application/json"))), responses((status = 200, body = SubscriptionView), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 402, description = "error_if_incomplete and the first payment did not succeed: nothing was created", body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn create_subscription(post: Post<NewSubscription>) -> ApiResult<Response> {
    let state = post.state().clone();
    let attempt = Mutex::new(None);
    let response = post
        .run(async |state, auth, p| {
            let changed =
                subscriptions::create(&state.payment_deps(), &scope_of(auth), defaults(auth), p)
                    .await?;
            reply_noting_attempt(state, changed, &attempt).await
        })
        .await?;
    // Through a processor the first invoice is charged once the subscription has committed;
    // the answer is the subscription as the payment left it.
    finish_and_reread(
        &state,
        attempt.into_inner().expect("not poisoned"),
        response,
    )
    .await
}

/// A payment a subscription change wrote, with the subscription's id: to ask the acquirer
/// once the change has committed (`finish_and_reread`).
type Attempt = Option<(PaymentRow, String)>;

/// Answers a create or update (its idempotent reply), noting the payment it wrote in
/// `attempt`: the reply is stored before anything is asked of the acquirer.
async fn reply_noting_attempt(
    state: &AppState,
    changed: Changed,
    attempt: &Mutex<Attempt>,
) -> ApiResult<(Tx, Reply)> {
    *attempt.lock().expect("not poisoned") = changed
        .attempt
        .map(|p| (p, changed.subscription.id.clone()));
    sub_reply(state, changed.tx, &changed.subscription).await
}

/// Asks the acquirer for a payment a change wrote (after that change committed), and answers
/// the subscription as the payment left it; `response` as is when there was none.
async fn finish_and_reread(
    state: &AppState,
    attempt: Attempt,
    response: Response,
) -> ApiResult<Response> {
    use axum::response::IntoResponse;
    let Some((payment, sub_id)) = attempt else {
        return Ok(response);
    };
    charging::finish_attempt(&state.payment_deps(), payment.clone()).await?;
    let scope = crate::server::services::Scope {
        account_id: payment.account_id,
        mode: payment.mode,
    };
    let sub = subscriptions::find(state.store.reader(), &scope, &sub_id).await?;
    Ok(Json(sub_view(state, &sub).await?).into_response())
}

#[utoipa::path(post, path = "/subscriptions/{id}", tag = "Billing", params(("id" = String, Path)), request_body(content((SubscriptionUpdate = "application/x-www-form-urlencoded"), (SubscriptionUpdate = "application/json"))), responses((status = 200, body = SubscriptionView), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn update_subscription(
    Path(id): Path<String>,
    post: Post<SubscriptionUpdate>,
) -> ApiResult<Response> {
    let state = post.state().clone();
    let attempt = Mutex::new(None);
    let response = post
        .run(async |state, auth, p| {
            let changed =
                subscriptions::update(&state.payment_deps(), &scope_of(auth), &id, p).await?;
            reply_noting_attempt(state, changed, &attempt).await
        })
        .await?;
    // An `always_invoice` change charged an invoice: ask the acquirer now that the change has
    // committed, and answer the subscription as the payment left it.
    finish_and_reread(
        &state,
        attempt.into_inner().expect("not poisoned"),
        response,
    )
    .await
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
