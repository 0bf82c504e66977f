//! The sandbox's simulated issuer challenge (3-D Secure): the page a payment's
//! `next_action.redirect_to_url.url` leads to, and its form post. Reached without a key, by
//! the payment's unguessable id, as a real issuer's page would be.

use crate::server::services::payments::{self as service, ConfirmPayment, PaymentError};
use crate::server::state::AppState;
use crate::server::store::payments::PaymentRow;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

/// Where the customer goes once the challenge is over: the merchant's `return_url` with the
/// payment id and status, or back to the challenge page, which then shows the result.
pub fn return_target(row: &PaymentRow) -> String {
    service::return_url_with_result(row).unwrap_or_else(|| format!("/sandbox/3ds/{}", row.id))
}

/// `POST /sandbox/3ds/{id}` with `result=complete` or `result=fail`.
pub async fn submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let result = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "result")
        .map(|(_, v)| v.into_owned());
    let passed = match result.as_deref() {
        Some("complete") => true,
        Some("fail") => false,
        _ => return Redirect::to(&format!("/sandbox/3ds/{id}")).into_response(),
    };
    finish(&state, &id, passed).await
}

/// `GET /processor/return/{id}`: where a processor's challenge page sends the customer back.
/// The processor knows how the challenge ended; the confirm asks it and records the answer,
/// then the customer goes on as from the sandbox's page.
pub async fn processor_return(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    finish(&state, &id, true).await
}

/// Ends the challenge of payment `id` (`passed`: the sandbox page's answer) and sends the
/// customer where the payment's channel says.
async fn finish(state: &AppState, id: &str, passed: bool) -> Response {
    let row = match service::find_by_reference(&state.store, id).await {
        Ok(Some(row)) => row,
        Ok(None) => return Redirect::to(&format!("/sandbox/3ds/{id}")).into_response(),
        Err(err) => return crate::server::api::error::ApiError::internal(&err).into_response(),
    };
    let Some(scope) = service::scope_of(&row) else {
        return crate::server::api::error::ApiError::internal_silent().into_response();
    };
    let deps = state.payment_deps();
    // Started at the hosted checkout or in a card element: the customer is there, so a
    // failed challenge lets them try another card, and every ending goes back there.
    let channel = service::Channel::of_challenge(&row, &state.config.public_url);
    let target = |row: &PaymentRow| match channel {
        service::Channel::Checkout => crate::server::services::checkout::result_target(row),
        service::Channel::Elements => format!("/elements/challenge/{}", row.id),
        service::Channel::Api => return_target(row),
    };
    let input = ConfirmPayment {
        payment_method: None,
        challenge_completed: Some(passed),
        new_card: None,
    };
    match service::confirm(&deps, &scope, id, input, channel).await {
        Ok(staged) => {
            let to = target(&staged.payment);
            if let Err(err) = staged.tx.commit().await {
                return crate::server::api::error::ApiError::internal(&err).into_response();
            }
            Redirect::to(&to).into_response()
        }
        // Already decided (a second click, another tab): show where the payment stands.
        Err(PaymentError::State(_) | PaymentError::Conflict) => {
            match service::find_by_reference(&state.store, id).await {
                Ok(Some(now)) => Redirect::to(&target(&now)).into_response(),
                _ => Redirect::to(&target(&row)).into_response(),
            }
        }
        Err(err) => crate::server::api::error::ApiError::from(err).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(return_url: Option<&str>) -> PaymentRow {
        crate::server::store::payments::sample_row("pay_x", "succeeded", return_url)
    }

    #[test]
    fn returns_to_the_merchant_with_id_and_status() {
        assert_eq!(
            return_target(&row(Some("https://shop.example/back?order=7"))),
            "https://shop.example/back?order=7&payment_id=pay_x&status=succeeded"
        );
        assert_eq!(return_target(&row(None)), "/sandbox/3ds/pay_x");
    }
}
