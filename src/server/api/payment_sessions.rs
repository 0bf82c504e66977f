//! `POST /v1/payment_sessions` (`vinr.payments.createSession`): a payment awaiting the card
//! a customer types into the embedded card element, and the client secret the merchant's
//! page mounts the element with.

use super::auth::scope_of;
use super::error::{ApiError, ApiResult};
use super::idempotency::{Post, Reply};
use super::payments::create::defaults;
use super::payments::expand;
use crate::server::services::payments as service;
use crate::server::services::payments::NewPayment;
use crate::server::views::PaymentSessionView;
use axum::response::Response;

/// Creates the payment (status `requires_payment_method`) and answers
/// `{id, object: "payment_session", payment, client_secret}`; the session's id is its
/// payment's. Takes the parameters of `POST /v1/payments` but a method: the card comes from
/// the element.
#[utoipa::path(post, path = "/payment_sessions", tag = "Payments",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the POST safe to retry (1 to 255 characters)")),
    request_body(content((NewPayment = "application/x-www-form-urlencoded"), (NewPayment = "application/json"))),
    responses(
        (status = 200, description = "The payment, and the client secret the card element confirms it with", body = PaymentSessionView),
        (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope),
        (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope),
        (status = 403, description = "A publishable key was used", body = crate::server::api::error::ErrorEnvelope),
        (status = 409, description = "An idempotent request with this key is in flight", body = crate::server::api::error::ErrorEnvelope),
        (status = 422, description = "Idempotency key reused with other parameters", body = crate::server::api::error::ErrorEnvelope),
    ))]
pub async fn create_payment_session(post: Post<NewPayment>) -> ApiResult<Response> {
    post.run(async |state, auth, p| {
        if p.payment_method.is_some() {
            return Err(ApiError::invalid_param(
                "payment_method",
                "A payment session waits for the card typed into the card element. To pay with a \
                 saved or tokenised method, use POST /v1/payments with payment_method.",
            ));
        }
        if p.confirm == Some(true) {
            return Err(ApiError::invalid_param(
                "confirm",
                "A payment session is confirmed by the card element (elements.confirm()).",
            ));
        }
        if p.amount.is_none() {
            return Err(ApiError::missing_param("amount"));
        }
        let expand_fields = p.expand.clone();
        let staged =
            service::create(&state.payment_deps(), &scope_of(auth), defaults(auth), p).await?;
        let row = &staged.payment;
        let payment = expand(state, auth, row, &expand_fields).await?;
        let secret = service::client_secret(&state.config.secret, &row.id);
        let body = PaymentSessionView::new(row, payment, secret);
        Ok((staged.tx, Reply::ok(body)?))
    })
    .await
}
