//! The verbs on one payment: confirm, capture, cancel, adjust, reverse.

use super::*;
use crate::server::store::payment_methods::PaymentMethodRow;
use crate::server::store::row;

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmDetails {
    pub challenge: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmParams {
    pub payment_method: Option<String>,
    /// Required with a publishable key: the payment's client secret.
    pub client_secret: Option<String>,
    #[serde(default, deserialize_with = "crate::domain::lenient::opt_object")]
    pub details: Option<ConfirmDetails>,
    pub return_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub expand: Vec<String>,
}

#[utoipa::path(post, path = "/payments/{id}/confirm", tag = "Payments", params(("id" = String, Path, description = "Object id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes the POST safe to retry (1 to 255 characters)")), request_body(content((ConfirmParams = "application/x-www-form-urlencoded"), (ConfirmParams = "application/json"))), responses((status = 200, description = "The payment", body = crate::server::views::PaymentView), (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 402, description = "Card declined; the error names the payment", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such object for this account and mode", body = crate::server::api::error::ErrorEnvelope), (status = 409, description = "The status does not allow this, or an idempotent request is in flight", body = crate::server::api::error::ErrorEnvelope), (status = 422, description = "Idempotency key reused with other parameters", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn confirm_payment(
    Path(id): Path<String>,
    post: Post<ConfirmParams, ApiAuth>,
) -> ApiResult<Response> {
    post.run(async |state, auth, p| {
        if auth.kind == KeyKind::Publishable {
            check_browser_confirm(state, auth, &id, &p).await?;
        } else if let Some(client_secret) = &p.client_secret
            && !crate::server::services::elements::secret_matches(
                &state.config.secret,
                &id,
                client_secret,
            )
        {
            return Err(bad_client_secret());
        }
        if p.return_url.is_some() {
            return Err(ApiError::invalid_param(
                "return_url",
                "Set return_url when creating the payment.",
            ));
        }
        let challenge_completed = match p.details.and_then(|d| d.challenge).as_deref() {
            None => None,
            Some("completed") => Some(true),
            Some("failed") => Some(false),
            Some(other) => {
                return Err(ApiError::invalid_param(
                    "details[challenge]",
                    format!("details[challenge] must be completed or failed, not {other}."),
                ));
            }
        };
        let input = ConfirmPayment {
            payment_method: p.payment_method,
            challenge_completed,
            new_card: None,
        };
        let staged = service::confirm(
            &state.payment_deps(),
            &scope_of(auth),
            &id,
            input,
            service::Channel::Api,
        )
        .await?;
        staged_reply(state, auth, staged, &p.expand).await
    })
    .await
}

fn bad_client_secret() -> ApiError {
    ApiError::invalid_param(
        "client_secret",
        "The client_secret does not belong to this payment.",
    )
}

/// A browser confirming with a publishable key (API-direct from the customer's device): only
/// the payment whose client secret it holds, only with a method it tokenised or one saved for
/// this payment's customer, and never finishing a 3-D Secure challenge (the issuer's page
/// does that).
async fn check_browser_confirm(
    state: &AppState,
    auth: &ApiAuth,
    id: &str,
    p: &ConfirmParams,
) -> ApiResult<()> {
    let Some(client_secret) = &p.client_secret else {
        return Err(ApiError::forbidden(
            "A publishable key may confirm a payment only with its client_secret.",
        ));
    };
    if !crate::server::services::elements::secret_matches(&state.config.secret, id, client_secret) {
        return Err(bad_client_secret());
    }
    if p.details.is_some() {
        return Err(ApiError::invalid_param(
            "details",
            "With a publishable key the 3D Secure challenge is completed on the issuer's page \
             (next_action.redirect_to_url).",
        ));
    }
    let payment = service::find(&state.store, &scope_of(auth), id).await?;
    let method = p
        .payment_method
        .as_deref()
        .ok_or_else(|| ApiError::missing_param("payment_method"))?;
    if crate::domain::ids::is_id(crate::domain::ids::IdKind::PaymentMethod, method)
        && let Some(saved) = row::find::<PaymentMethodRow>(
            state.store.reader(),
            &auth.account_id,
            auth.mode.as_str(),
            method,
        )
        .await?
        && saved.customer_id.is_some()
        && saved.customer_id != payment.customer
    {
        return Err(ApiError::invalid_param(
            "payment_method",
            "This payment method is saved for another customer; confirm with the secret key.",
        ));
    }
    Ok(())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaptureParams {
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub amount_to_capture: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub expand: Vec<String>,
}

#[utoipa::path(post, path = "/payments/{id}/capture", tag = "Payments", params(("id" = String, Path, description = "Object id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes the POST safe to retry (1 to 255 characters)")), request_body(content((CaptureParams = "application/x-www-form-urlencoded"), (CaptureParams = "application/json"))), responses((status = 200, description = "The captured payment", body = crate::server::views::PaymentView), (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such object for this account and mode", body = crate::server::api::error::ErrorEnvelope), (status = 409, description = "The status does not allow this, or an idempotent request is in flight", body = crate::server::api::error::ErrorEnvelope), (status = 422, description = "Idempotency key reused with other parameters", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn capture_payment(
    Path(id): Path<String>,
    post: Post<CaptureParams>,
) -> ApiResult<Response> {
    post.run(async |state, auth, p| {
        let staged = service::capture(
            &state.payment_deps(),
            &scope_of(auth),
            &id,
            p.amount_to_capture,
        )
        .await?;
        staged_reply(state, auth, staged, &p.expand).await
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelParams {
    pub cancellation_reason: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub expand: Vec<String>,
}

#[utoipa::path(post, path = "/payments/{id}/cancel", tag = "Payments", params(("id" = String, Path, description = "Object id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes the POST safe to retry (1 to 255 characters)")), request_body(content((CancelParams = "application/x-www-form-urlencoded"), (CancelParams = "application/json"))), responses((status = 200, description = "The canceled payment", body = crate::server::views::PaymentView), (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such object for this account and mode", body = crate::server::api::error::ErrorEnvelope), (status = 409, description = "The status does not allow this, or an idempotent request is in flight", body = crate::server::api::error::ErrorEnvelope), (status = 422, description = "Idempotency key reused with other parameters", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn cancel_payment(
    Path(id): Path<String>,
    post: Post<CancelParams>,
) -> ApiResult<Response> {
    post.run(async |state, auth, p| {
        let staged = service::cancel(
            &state.payment_deps(),
            &scope_of(auth),
            &id,
            p.cancellation_reason,
        )
        .await?;
        staged_reply(state, auth, staged, &p.expand).await
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmountParams {
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub amount: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub expand: Vec<String>,
}

#[utoipa::path(post, path = "/payments/{id}/adjust", tag = "Payments", params(("id" = String, Path, description = "Object id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes the POST safe to retry (1 to 255 characters)")), request_body(content((AmountParams = "application/x-www-form-urlencoded"), (AmountParams = "application/json"))), responses((status = 200, description = "The adjusted payment", body = crate::server::views::PaymentView), (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 402, description = "Card declined; the error names the payment", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such object for this account and mode", body = crate::server::api::error::ErrorEnvelope), (status = 409, description = "The status does not allow this, or an idempotent request is in flight", body = crate::server::api::error::ErrorEnvelope), (status = 422, description = "Idempotency key reused with other parameters", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn adjust_payment(
    Path(id): Path<String>,
    post: Post<AmountParams>,
) -> ApiResult<Response> {
    post.run(async |state, auth, p| {
        if p.amount.is_none() {
            return Err(ApiError::missing_param("amount"));
        }
        let result = service::adjust(&state.payment_deps(), &scope_of(auth), &id, p.amount).await;
        match result {
            Ok(staged) => staged_reply(state, auth, staged, &p.expand).await,
            Err(PaymentError::AdjustDeclined(decline, row)) => {
                // Nothing changed: the 402 names the payment as it still is.
                let mut err: ApiError = PaymentError::AdjustDeclined(decline, row.clone()).into();
                err.payment = Some(views::to_json(&payment_view(state, auth, &row)));
                Err(err)
            }
            Err(other) => Err(other.into()),
        }
    })
    .await
}

#[utoipa::path(post, path = "/payments/{id}/reverse", tag = "Payments", params(("id" = String, Path, description = "Object id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes the POST safe to retry (1 to 255 characters)")), request_body(content((AmountParams = "application/x-www-form-urlencoded"), (AmountParams = "application/json"))), responses((status = 200, description = "The payment, with its reversal", body = crate::server::views::PaymentView), (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such object for this account and mode", body = crate::server::api::error::ErrorEnvelope), (status = 409, description = "The status does not allow this, or an idempotent request is in flight", body = crate::server::api::error::ErrorEnvelope), (status = 422, description = "Idempotency key reused with other parameters", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn reverse_payment(
    Path(id): Path<String>,
    post: Post<AmountParams>,
) -> ApiResult<Response> {
    post.run(async |state, auth, p| {
        let staged =
            service::reverse(&state.payment_deps(), &scope_of(auth), &id, p.amount).await?;
        staged_reply(state, auth, staged, &p.expand).await
    })
    .await
}
