//! Billing's endpoints: `/v1/products`, `/v1/prices`, `/v1/subscriptions`, `/v1/invoices`,
//! `/v1/usage_records`, `/v1/test_clocks`. Handlers parse, call `services::billing` and
//! answer the views.

use super::auth::ApiAuth;
use super::error::{ApiError, ApiResult, ErrorType};
use super::idempotency::Reply;
use crate::server::services::billing::{self, BillingError};
use crate::server::services::payments::Defaults;
use crate::server::state::AppState;
use crate::server::store::Tx;
use crate::server::store::invoices::InvoiceRow;
use crate::server::store::subscriptions::SubscriptionRow;
use crate::server::views;
use crate::server::views::billing::{InvoiceView, SubscriptionView};
use axum::http::StatusCode;

mod catalog;
mod clocks;
mod invoices;
mod subscriptions;
mod usage;

pub use catalog::*;
pub use clocks::*;
pub use invoices::*;
pub use subscriptions::*;
pub use usage::*;

impl From<BillingError> for ApiError {
    fn from(err: BillingError) -> Self {
        match err {
            BillingError::Service(e) => e.into(),
            BillingError::Payment(e) => e.into(),
            BillingError::State { code, message } => {
                ApiError::new(StatusCode::CONFLICT, ErrorType::InvalidState, code, message)
            }
            BillingError::Forbidden(message) => ApiError::forbidden(message),
            BillingError::Declined { decline, payment } => {
                let mut e = ApiError::new(
                    StatusCode::PAYMENT_REQUIRED,
                    ErrorType::CardError,
                    decline.code,
                    decline.message,
                );
                e.decline_code = Some(decline.decline_code.to_string());
                e.payment = Some(views::to_json(&views::PaymentView::new(&payment, "")));
                e
            }
        }
    }
}

pub(crate) fn defaults(auth: &ApiAuth) -> Defaults<'_> {
    Defaults {
        currency: &auth.default_currency,
        acquirer: &auth.default_acquirer,
    }
}

pub(crate) async fn sub_view(
    state: &AppState,
    sub: &SubscriptionRow,
) -> ApiResult<SubscriptionView> {
    let mut conn = state.store.reader().acquire().await?;
    Ok(billing::subscription_view(&mut conn, sub).await?)
}

pub(crate) async fn inv_view(state: &AppState, invoice: &InvoiceRow) -> ApiResult<InvoiceView> {
    let mut conn = state.store.reader().acquire().await?;
    Ok(billing::invoice_view(&mut conn, invoice, &state.config.public_url).await?)
}

/// The answer to a change made in `tx`, read there so it shows what the change wrote.
pub(crate) async fn sub_reply(
    _state: &AppState,
    mut tx: Tx,
    sub: &SubscriptionRow,
) -> ApiResult<(Tx, Reply)> {
    let view = billing::subscription_view(tx.conn().await?, sub).await?;
    Ok((tx, Reply::ok(view)?))
}
