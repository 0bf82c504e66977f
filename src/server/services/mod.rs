//! Use cases, one module each, shared by the REST API, the dashboard and the command line.
//! They know nothing of HTTP: they take a scope and typed input and return domain values or a
//! `ServiceError`.

pub mod accounts;
pub mod acquirer_connections;
pub mod billing;
pub mod callbacks;
pub mod card_entry;
pub mod cards;
pub mod checkout;
pub mod customers;
pub mod dashboard;
pub mod elements;
pub mod events;
pub mod ledger;
pub mod loyalty;
pub mod outbound;
pub mod payments;
pub mod processor_hooks;
pub mod receipts;
pub mod refunds;
pub mod sessions;
pub mod webhooks;

use crate::domain::mode::Mode;

/// Whose data a call acts on: one account in one mode.
#[derive(Debug, Clone)]
pub struct Scope {
    pub account_id: String,
    pub mode: Mode,
}

/// Why a use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Bad input, naming the parameter.
    #[error("{message}")]
    Invalid { param: String, message: String },
    /// Bad input with a specific error code (`amount_too_small`, `resource_missing`…).
    #[error("{message}")]
    Coded {
        param: String,
        code: &'static str,
        message: String,
    },
    /// The request conflicts with what already exists (an id taken): 409 `invalid_state`.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// The object does not exist in this scope.
    #[error("No such {object}: '{id}'")]
    NotFound { object: &'static str, id: String },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl ServiceError {
    pub fn invalid(param: impl Into<String>, message: impl Into<String>) -> Self {
        ServiceError::Invalid {
            param: param.into(),
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Conflict {
            code,
            message: message.into(),
        }
    }
}

/// The row `id` of table `T` in the scope. When there is none: a 404 naming `object` when it
/// was asked for directly (`param` None), a `resource_missing` naming the field `param` when
/// another request referred to it (also a 404, with the parameter: `api::error`).
pub async fn find_in<'e, T: crate::server::store::row::Table>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    scope: &Scope,
    object: &'static str,
    id: &str,
    param: Option<&str>,
) -> Result<T, ServiceError> {
    crate::server::store::row::find::<T>(ex, &scope.account_id, scope.mode.as_str(), id)
        .await?
        .ok_or_else(|| match param {
            Some(param) => ServiceError::Coded {
                param: param.into(),
                code: "resource_missing",
                message: format!("No such {object}: '{id}'"),
            },
            None => ServiceError::NotFound {
                object,
                id: id.to_string(),
            },
        })
}

impl From<crate::domain::customer::FieldError> for ServiceError {
    fn from(e: crate::domain::customer::FieldError) -> Self {
        ServiceError::invalid(e.param, e.message)
    }
}

impl From<crate::domain::metadata::MetadataError> for ServiceError {
    fn from(e: crate::domain::metadata::MetadataError) -> Self {
        ServiceError::invalid("metadata", e.to_string())
    }
}
