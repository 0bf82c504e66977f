//! The contract's error object (§3) and the one place failures become HTTP responses.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

/// The `type` of an error object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorType {
    InvalidRequestError,
    AuthenticationError,
    PermissionError,
    CardError,
    IdempotencyError,
    InvalidState,
    RateLimitError,
    ApiError,
}

/// An API failure, rendered as `{"error": {...}}` with its HTTP status. Boxed, so the `Err`
/// side of every `Result` stays one pointer wide.
#[derive(Debug, Clone)]
pub struct ApiError(Box<ErrorObject>);

/// `{"error": {...}}`: every failure.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ErrorEnvelope {
    pub error: ErrorObject,
}

/// The fields of the error object.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ErrorBody)]
pub struct ErrorObject {
    #[serde(skip)]
    pub status: StatusCode,
    #[serde(rename = "type")]
    pub kind: ErrorType,
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decline_code: Option<String>,
    /// The payment a card error happened on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<Value>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl std::ops::Deref for ApiError {
    type Target = ErrorObject;
    fn deref(&self) -> &ErrorObject {
        &self.0
    }
}

impl std::ops::DerefMut for ApiError {
    fn deref_mut(&mut self) -> &mut ErrorObject {
        &mut self.0
    }
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        kind: ErrorType,
        code: &str,
        message: impl Into<String>,
    ) -> Self {
        ApiError(Box::new(ErrorObject {
            status,
            kind,
            code: code.to_string(),
            message: message.into(),
            param: None,
            decline_code: None,
            payment: None,
        }))
    }

    pub fn with_code(mut self, code: &str) -> Self {
        self.code = code.to_string();
        self
    }

    pub fn with_decline_code(mut self, decline_code: &str) -> Self {
        self.0.decline_code = Some(decline_code.to_string());
        self
    }

    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }

    /// 400: a parameter has a value we cannot accept.
    pub fn invalid_param(param: &str, message: impl Into<String>) -> Self {
        Self::bad_request("parameter_invalid", message).with_param(param)
    }

    /// 400: a required parameter is absent.
    pub fn missing_param(param: &str) -> Self {
        Self::bad_request(
            "parameter_missing",
            format!("Missing required param: {param}."),
        )
        .with_param(param)
    }

    /// 400 with a specific code.
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorType::InvalidRequestError,
            code,
            message,
        )
    }

    /// 404 for an object that does not exist for this account and mode (or belongs to another:
    /// the answer is the same, so ids cannot be probed).
    pub fn not_found(object: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorType::InvalidRequestError,
            "resource_missing",
            format!("No such {object}: '{id}'"),
        )
        .with_param("id")
    }

    /// 404 for an object a parameter names (`customer`, `payment`…) that does not exist for
    /// this account and mode: `resource_missing` as for an id in the path (§3), with the
    /// parameter.
    pub fn missing_reference(param: &str, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorType::InvalidRequestError,
            "resource_missing",
            message,
        )
        .with_param(param)
    }

    /// 404 for a URL no endpoint answers.
    pub fn unknown_route(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorType::InvalidRequestError,
            "resource_missing",
            format!("Unrecognized request URL ({method}: {path})."),
        )
    }

    /// 405 for a known URL called with the wrong method.
    pub fn method_not_allowed(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorType::InvalidRequestError,
            "method_not_allowed",
            format!("{path} does not accept {method} requests."),
        )
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorType::AuthenticationError,
            "api_key_invalid",
            message,
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorType::PermissionError,
            "permission_denied",
            message,
        )
    }

    pub fn idempotency_in_use(key: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            ErrorType::IdempotencyError,
            "idempotency_key_in_use",
            format!(
                "A request with the idempotency key '{key}' is still being processed. \
                 Retry after it has finished."
            ),
        )
    }

    pub fn idempotency_reused(key: &str) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorType::IdempotencyError,
            "idempotency_key_reused",
            format!(
                "The idempotency key '{key}' was already used with different parameters. \
                 Use a new key for a different request."
            ),
        )
    }

    /// 500. The cause is logged in full; the merchant sees only a generic message.
    pub fn internal(cause: &(dyn std::error::Error + 'static)) -> Self {
        let mut chain = cause.to_string();
        let mut source = cause.source();
        while let Some(s) = source {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            source = s.source();
        }
        tracing::error!(cause = %chain, "request failed");
        Self::internal_silent()
    }

    /// 500 when the cause was already logged (a caught panic).
    pub fn internal_silent() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorType::ApiError,
            "internal_error",
            "Something went wrong",
        )
    }

    /// The JSON body, `{"error": {...}}`.
    pub fn body(&self) -> Value {
        serde_json::to_value(ErrorEnvelope {
            error: (*self.0).clone(),
        })
        .expect("the error object serialises")
    }
}

impl From<crate::server::services::ServiceError> for ApiError {
    fn from(err: crate::server::services::ServiceError) -> Self {
        use crate::server::services::ServiceError as E;
        match err {
            E::Invalid { param, message } => ApiError::invalid_param(&param, message),
            // An object a parameter names that does not exist: 404 `resource_missing` (§3),
            // with the parameter, as for an id in the path.
            E::Coded {
                param,
                code: "resource_missing",
                message,
            } => ApiError::missing_reference(&param, message),
            E::Coded {
                param,
                code,
                message,
            } => ApiError::bad_request(code, message).with_param(param),
            E::Conflict { code, message } => {
                ApiError::new(StatusCode::CONFLICT, ErrorType::InvalidState, code, message)
            }
            E::NotFound { object, id } => ApiError::not_found(object, &id),
            E::Database(db) => ApiError::internal(&db),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        ApiError::internal(&err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_contract_shape() {
        let err = ApiError::invalid_param("amount", "Amount must be at least 1.");
        let body = err.body();
        assert_eq!(body["error"]["type"], "invalid_request_error");
        assert_eq!(body["error"]["code"], "parameter_invalid");
        assert_eq!(body["error"]["param"], "amount");
        assert!(body["error"].get("decline_code").is_none());
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn internal_errors_say_nothing_of_their_cause() {
        let io = std::io::Error::other("disk on fire at /secret/path");
        let err = ApiError::internal(&io);
        assert_eq!(err.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(err.message, "Something went wrong");
        assert!(!err.body().to_string().contains("disk"));
    }
}
