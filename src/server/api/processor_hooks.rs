//! `POST /v1/processor_hooks/{acq_id}`: where a processor (Stripe) sends its webhooks for one of
//! a merchant's connections. Not part of the merchant API (no key: the signature authenticates),
//! so it is not in the OpenAPI document.

use super::error::{ApiError, ErrorType};
use crate::server::services::processor_hooks::{self, Handled, HookError};
use crate::server::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

pub async fn receive(
    State(state): State<AppState>,
    Path(connection): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    let deps = state.payment_deps();
    match processor_hooks::receive(&deps, &connection, signature, &body).await {
        Ok(Handled::Later) => ApiError::new(
            StatusCode::CONFLICT,
            ErrorType::InvalidRequestError,
            "request_in_flight",
            "The request this event answers may still be waiting on the processor: deliver it again later.",
        )
        .into_response(),
        Ok(handled) => Json(serde_json::json!({
            "received": true,
            "recorded": handled == Handled::Recorded,
        }))
        .into_response(),
        Err(HookError::Unsigned) => ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorType::InvalidRequestError,
            "signature_invalid",
            "No signature matches a webhook secret of this connection (or the timestamp is too old).",
        )
        .into_response(),
        Err(HookError::NotAnEvent) => ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorType::InvalidRequestError,
            "parameter_invalid",
            "The body is not a processor event.",
        )
        .into_response(),
        Err(HookError::Payment(err)) => ApiError::from(err).into_response(),
    }
}
