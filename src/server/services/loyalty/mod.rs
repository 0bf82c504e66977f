//! Engagement: loyalty programs and their earn rules (`programs`), points given for payments
//! and invoices or by hand (`earn`), taken back by refunds (`refunds`), spent on rewards
//! (`rewards`, `redemptions`) and given back by a full refund (`redeemed`), activated and
//! expired on time (`lots`).
//!
//! Every change of a customer's points is one points transaction (`posting`): balanced
//! entries between the books of the program's points ledger, the lots it makes or spends, and
//! the account's cached balances, written in the same database transaction as the change
//! that caused it (a payment's success, a refund's), with its events.

pub mod adjust;
pub mod calculate;
pub mod dashboard;
pub mod earn;
pub mod lots;
pub mod payment;
mod plan;
pub mod posting;
pub mod programs;
pub mod redeemed;
pub mod redemptions;
pub mod refunds;
pub mod rewards;
pub mod verify;
mod writing;

use super::{Scope, ServiceError};
use crate::server::clock::Clock;
use crate::server::store::Tx;
use crate::server::store::loyalty::ProgramRow;
use crate::server::store::webhook_endpoints::EndpointRow;

/// Why an Engagement use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum LoyaltyError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// The object's state does not allow this (409).
    #[error("{message}")]
    State { code: &'static str, message: String },
}

impl From<sqlx::Error> for LoyaltyError {
    fn from(e: sqlx::Error) -> Self {
        LoyaltyError::Service(ServiceError::Database(e))
    }
}

impl From<crate::domain::metadata::MetadataError> for LoyaltyError {
    fn from(e: crate::domain::metadata::MetadataError) -> Self {
        LoyaltyError::Service(e.into())
    }
}

impl From<crate::domain::customer::FieldError> for LoyaltyError {
    fn from(e: crate::domain::customer::FieldError) -> Self {
        LoyaltyError::Service(e.into())
    }
}

pub type Result<T> = std::result::Result<T, LoyaltyError>;

fn invalid(param: &str, message: impl Into<String>) -> LoyaltyError {
    ServiceError::invalid(param, message).into()
}

fn coded(param: &str, code: &'static str, message: impl Into<String>) -> LoyaltyError {
    ServiceError::Coded {
        param: param.into(),
        code,
        message: message.into(),
    }
    .into()
}

/// A required field that is absent.
fn required(param: &str) -> LoyaltyError {
    coded(
        param,
        "parameter_missing",
        format!("Missing required param: {param}."),
    )
}

fn missing(param: &str, object: &str, id: &str) -> LoyaltyError {
    coded(
        param,
        "resource_missing",
        format!("No such {object}: '{id}'"),
    )
}

fn state(code: &'static str, message: impl Into<String>) -> LoyaltyError {
    LoyaltyError::State {
        code,
        message: message.into(),
    }
}

/// A customer of the scope (404 naming `param` otherwise).
async fn check_customer<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    scope: &Scope,
    id: &str,
    param: &str,
) -> Result<()> {
    match super::customers::find(ex, scope, id).await {
        Ok(_) => Ok(()),
        Err(ServiceError::NotFound { .. }) => Err(missing(param, "customer", id)),
        Err(e) => Err(e.into()),
    }
}

/// Records `kinds` about `object` for the program's merchant and mode.
async fn record(
    tx: &mut Tx,
    wall: &dyn Clock,
    program: &ProgramRow,
    object: &serde_json::Value,
    kinds: &[&str],
    endpoints: Option<&[EndpointRow]>,
) -> Result<()> {
    super::events::record(
        tx,
        wall.now_micros(),
        &program.account_id,
        program.mode,
        object,
        kinds,
        endpoints,
    )
    .await?;
    Ok(())
}
