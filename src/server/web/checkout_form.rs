//! The hosted checkout's plain form posts that are not payments: "cancel and return". (Paying
//! posts to the card form's server function, `ui::islands::card_form::pay_checkout`.)

use crate::server::state::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

/// `POST /checkout/{id}/cancel`: the customer gives up; the payment is canceled and they go
/// back to the merchant (or to the result page when there is no `return_url`).
pub async fn cancel(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let deps = state.payment_deps();
    match crate::server::services::checkout::cancel(&deps, &id).await {
        Ok(Some(target)) => Redirect::to(&target).into_response(),
        Ok(None) => Redirect::to(&format!("/checkout/{id}")).into_response(),
        Err(err) => crate::server::api::error::ApiError::from(err).into_response(),
    }
}
