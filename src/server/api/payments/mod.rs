//! `/v1/payments`: create, retrieve, list, confirm, capture, cancel, adjust, reverse.
//! Handlers live in `create`, `read` and `actions`; here are what they share: the service
//! dependencies, the error mapping, the payment as a caller sees it, `expand[]`, and the
//! idempotent finish.

pub mod actions;
pub mod create;
pub mod read;

pub use actions::{
    adjust_payment, cancel_payment, capture_payment, confirm_payment, reverse_payment,
};
pub use create::create_payment;
pub use read::{get_payment, list_payments};

/// What `expand[]` may name on a payment (the API document lists them too).
pub const EXPANDABLE: [&str; 3] = ["customer", "latest_charge", "loyalty"];

use super::auth::scope_of;
use super::auth::{ApiAuth, KeyKind};
use super::error::{ApiError, ApiResult, ErrorType};
use super::idempotency::{Post, Reply};
use super::list::{ApiQuery, Paging};
use crate::domain::lenient;
use crate::server::services::payments::{
    self as service, ConfirmPayment, NewPayment, PaymentError, Staged,
};
use crate::server::services::{customers, loyalty};
use crate::server::state::AppState;
use crate::server::store::Tx;
use crate::server::store::charges::ChargeRow;
use crate::server::store::payments::{PaymentFilter, PaymentRow};
use crate::server::store::row;
use crate::server::views::loyalty::PaymentLoyaltyView;
use crate::server::views::{self, ChargeView, CustomerView, PaymentView};
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;

impl From<PaymentError> for ApiError {
    fn from(err: PaymentError) -> Self {
        match err {
            PaymentError::Service(e) => e.into(),
            PaymentError::State(e) => ApiError::new(
                StatusCode::CONFLICT,
                ErrorType::InvalidState,
                "payment_unexpected_state",
                e.to_string(),
            ),
            PaymentError::Conflict => ApiError::new(
                StatusCode::CONFLICT,
                ErrorType::InvalidState,
                "payment_unexpected_state",
                err.to_string(),
            ),
            PaymentError::AdjustDeclined(decline, _) => {
                let mut e = ApiError::new(
                    StatusCode::PAYMENT_REQUIRED,
                    ErrorType::CardError,
                    decline.code,
                    decline.message,
                );
                e.decline_code = Some(decline.decline_code.to_string());
                e
            }
        }
    }
}

/// The payment as this caller sees it (secret keys get the client secret).
pub(crate) fn payment_view(state: &AppState, auth: &ApiAuth, row: &PaymentRow) -> PaymentView {
    let secret = (auth.kind == KeyKind::Secret)
        .then(|| service::client_secret(&state.config.secret, &row.id));
    PaymentView::new(row, &state.config.public_url).with_client_secret(secret)
}

/// The payment as this caller sees it, with ids replaced by objects for each `expand[]`
/// entry (and its points for `loyalty`).
pub(crate) async fn expand(
    state: &AppState,
    auth: &ApiAuth,
    row: &PaymentRow,
    expand: &[String],
) -> ApiResult<PaymentView> {
    let mut payment = payment_view(state, auth, row);
    let (account, mode) = (&auth.account_id, auth.mode.as_str());
    for field in expand {
        let field = field.strip_prefix("data.").unwrap_or(field);
        match field {
            "customer" => {
                if let Some(Value::String(id)) = &payment.customer
                    && let Some(row) = row::find(state.store.reader(), account, mode, id).await?
                {
                    let customer = CustomerView::from(customers::to_domain(row)?);
                    payment.customer = Some(views::to_json(&customer));
                }
            }
            "latest_charge" => {
                if let Some(Value::String(id)) = &payment.latest_charge
                    && let Some(row) =
                        row::find::<ChargeRow>(state.store.reader(), account, mode, id).await?
                {
                    payment.latest_charge = Some(views::to_json(&ChargeView::from(&row)));
                }
            }
            "loyalty" => {
                let points = loyalty::payment::of_payment(&state.store, row).await?;
                let view = PaymentLoyaltyView::new(
                    points.earned(),
                    points.clawed_back(),
                    points.to_earn,
                    points.redemptions.iter().map(|(r, _)| r),
                    &points.transactions,
                );
                payment.loyalty = Some(views::to_json(&view));
            }
            other => {
                return Err(ApiError::invalid_param(
                    "expand",
                    format!(
                        "This property cannot be expanded ({other}). Expandable: {}.",
                        EXPANDABLE.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(payment)
}

/// The answer to a staged change, to be committed with it (`idempotent`); a decline is a
/// 402 whose body names the failed payment, stored like any other answer.
pub(super) async fn staged_reply(
    state: &AppState,
    auth: &ApiAuth,
    staged: Staged,
    expand_fields: &[String],
) -> ApiResult<(Tx, Reply)> {
    let payment = expand(state, auth, &staged.payment, expand_fields).await?;
    let reply = match staged.decline {
        None => Reply::ok(payment)?,
        Some(decline) => {
            let mut err = ApiError::new(
                StatusCode::PAYMENT_REQUIRED,
                ErrorType::CardError,
                decline.code,
                decline.message,
            );
            err.decline_code = Some(decline.decline_code.to_string());
            err.payment = Some(views::to_json(&payment));
            Reply {
                status: StatusCode::PAYMENT_REQUIRED,
                body: err.body(),
            }
        }
    };
    Ok((staged.tx, reply))
}
