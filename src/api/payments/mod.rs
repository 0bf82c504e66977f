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

use super::auth::{ApiAuth, KeyKind, SecretAuth};
use super::body::ApiBody;
use super::customers::{CustomerDto, scope_of};
use super::error::{ApiError, ApiResult, ErrorType};
use super::idempotency::{Idempotency, IdempotencyKey, Reply, Started};
use super::list::{ApiQuery, ListEnvelope, Paging};
use super::params::lenient;
use crate::services::customers;
use crate::services::payments::{
    self as service, ConfirmPayment, Deps, NewPayment, PaymentError, Staged,
};
use crate::state::AppState;
use crate::store::charges;
use crate::store::payments::{self as rows, PaymentFilter, PaymentRow};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// What the payment use cases need, taken from the server's state (also used by the 3DS page).
pub fn deps(state: &AppState) -> Deps<'_> {
    Deps {
        store: &state.store,
        clock: state.clock.as_ref(),
        acquirers: &state.acquirers,
        secret: &state.config.secret,
        public_url: &state.config.public_url,
        fees: state.config.fees,
        settlement_delay_secs: state.config.settlement_delay_secs,
    }
}

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
pub(crate) fn payment_json(state: &AppState, auth: &ApiAuth, row: &PaymentRow) -> Value {
    let secret = (auth.kind == super::auth::KeyKind::Secret)
        .then(|| service::client_secret(&state.config.secret, &row.id));
    crate::wire::payment(row, &state.config.public_url, secret.as_deref())
}

/// Replaces ids by objects for each `expand[]` entry.
pub(crate) async fn expand(
    state: &AppState,
    auth: &ApiAuth,
    mut object: Value,
    expand: &[String],
) -> ApiResult<Value> {
    for field in expand {
        let field = field.strip_prefix("data.").unwrap_or(field);
        match field {
            "customer" => {
                if let Some(id) = object["customer"].as_str().map(str::to_string) {
                    let found = crate::store::customers::find(
                        state.store.reader(),
                        &auth.account_id,
                        auth.mode.as_str(),
                        &id,
                    )
                    .await?;
                    if let Some(row) = found {
                        let customer = customers::to_domain(row)?;
                        object["customer"] = serde_json::to_value(CustomerDto::from(customer))
                            .map_err(|e| ApiError::internal(&e))?;
                    }
                }
            }
            "latest_charge" => {
                if let Some(id) = object["latest_charge"].as_str().map(str::to_string)
                    && let Some(row) = charges::find(
                        state.store.reader(),
                        &auth.account_id,
                        auth.mode.as_str(),
                        &id,
                    )
                    .await?
                {
                    object["latest_charge"] = crate::wire::charge(&row);
                }
            }
            other => {
                return Err(ApiError::invalid_param(
                    "expand",
                    format!(
                        "This property cannot be expanded ({other}). Expandable: customer, latest_charge."
                    ),
                ));
            }
        }
    }
    Ok(object)
}

/// Commits a staged change with its idempotency record; a decline is a 402 whose body names
/// the failed payment, stored like any other answer.
pub(super) async fn finish(
    state: &AppState,
    auth: &ApiAuth,
    idem: Idempotency,
    staged: Staged,
    expand_fields: &[String],
) -> ApiResult<Response> {
    let object = expand(
        state,
        auth,
        payment_json(state, auth, &staged.payment),
        expand_fields,
    )
    .await?;
    let reply = match staged.decline {
        None => Reply {
            status: StatusCode::OK,
            body: object,
        },
        Some(decline) => {
            let mut err = ApiError::new(
                StatusCode::PAYMENT_REQUIRED,
                ErrorType::CardError,
                decline.code,
                decline.message,
            );
            err.decline_code = Some(decline.decline_code.to_string());
            err.payment = Some(object);
            Reply {
                status: StatusCode::PAYMENT_REQUIRED,
                body: err.body(),
            }
        }
    };
    idem.commit(staged.tx, reply).await
}
