//! `POST /v1/payments`.

use super::*;

#[utoipa::path(post, path = "/payments", tag = "Payments", params(("Idempotency-Key" = Option<String>, Header, description = "Makes the POST safe to retry (1 to 255 characters)")), request_body(content((NewPayment = "application/x-www-form-urlencoded"), (NewPayment = "application/json"))), responses((status = 200, description = "The payment", body = crate::server::views::PaymentView), (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 402, description = "Card declined; the error names the payment", body = crate::server::api::error::ErrorEnvelope), (status = 409, description = "The status does not allow this, or an idempotent request is in flight", body = crate::server::api::error::ErrorEnvelope), (status = 422, description = "Idempotency key reused with other parameters", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn create_payment(post: Post<NewPayment>) -> ApiResult<Response> {
    post.run(async |state, auth, p| {
        let expand = p.expand.clone();
        if p.amount.is_none() {
            return Err(ApiError::missing_param("amount"));
        }
        let staged =
            service::create(&state.payment_deps(), &scope_of(auth), defaults(auth), p).await?;
        staged_reply(state, auth, staged, &expand).await
    })
    .await
}

/// What a payment created through the API takes from the caller's account.
pub(crate) fn defaults(auth: &ApiAuth) -> service::Defaults<'_> {
    service::Defaults {
        currency: &auth.default_currency,
        acquirer: &auth.default_acquirer,
    }
}
