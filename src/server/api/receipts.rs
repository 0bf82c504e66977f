//! `GET /v1/payments/{id}/receipt`: the receipt of a settled payment, with its public URL.

use super::auth::scope_of;
use super::error::{ApiError, ApiResult, ErrorType};
use super::read::Read;
use crate::server::services::{payments, receipts};
use crate::server::views::ReceiptView;
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;

#[utoipa::path(get, path = "/payments/{id}/receipt", tag = "Refunds", params(("id" = String, Path, description = "The payment")), responses((status = 200, description = "The receipt: merchant, amount, date, card, refunds, and the url of its printable page", body = crate::server::views::ReceiptView), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such payment for this account and mode", body = crate::server::api::error::ErrorEnvelope), (status = 409, description = "The payment has taken no money (yet)", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn get_receipt(
    Read { state, auth }: Read,
    Path(id): Path<String>,
) -> ApiResult<Json<ReceiptView>> {
    let row = payments::find(&state.store, &scope_of(&auth), &id).await?;
    match receipts::load(&state.store, &state.config.public_url, &row).await? {
        Some(receipt) => Ok(Json(receipt)),
        None => Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorType::InvalidState,
            "payment_unexpected_state",
            format!(
                "Payment {} is {}: only payments that took money have a receipt.",
                row.id, row.status
            ),
        )),
    }
}
