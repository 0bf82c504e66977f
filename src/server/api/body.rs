//! The body extractor: JSON or form-encoded (with bracket nesting and camelCase aliases) into a
//! typed value, every failure a 400 in the contract's shape.

use super::error::ApiError;
use super::params::{self, param_name};
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Largest body accepted; anything a payment API needs is far smaller.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// A parsed request body and the fingerprint idempotency compares.
#[derive(Debug)]
pub struct ApiBody<T> {
    pub value: T,
    /// SHA-256 over method, path and the normalised parameters.
    pub fingerprint: String,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, ApiError> {
        let method = req.method().as_str().to_string();
        let path = req.uri().path().to_string();
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            });
        let bytes = axum::body::to_bytes(req.into_body(), MAX_BODY_BYTES)
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    super::error::ErrorType::InvalidRequestError,
                    "body_too_large",
                    format!("Request bodies are limited to {MAX_BODY_BYTES} bytes."),
                )
            })?;
        let raw = parse_raw(content_type.as_deref(), &bytes)?;
        let params = params::normalise_keys(raw);
        let fingerprint = fingerprint(&method, &path, &params);
        let value = deserialize(params)?;
        Ok(ApiBody { value, fingerprint })
    }
}

fn parse_raw(content_type: Option<&str>, bytes: &[u8]) -> Result<Value, ApiError> {
    // No body is no parameters. A JSON body of whitespace alone is not JSON (schemathesis
    // found it accepted); a form of whitespace alone has no fields.
    let json = content_type == Some("application/json");
    if bytes.is_empty() || (!json && bytes.iter().all(u8::is_ascii_whitespace)) {
        return Ok(Value::Object(Default::default()));
    }
    match content_type {
        Some("application/json") => {
            let value: Value = serde_json::from_slice(bytes).map_err(|e| {
                ApiError::bad_request(
                    "body_invalid",
                    format!("The request body is not valid JSON: {e}."),
                )
            })?;
            if !value.is_object() {
                return Err(ApiError::bad_request(
                    "body_invalid",
                    "The request body must be a JSON object.",
                ));
            }
            Ok(value)
        }
        // curl -d sends form encoding; a body without a type is read the same way.
        Some("application/x-www-form-urlencoded") | None => params::parse_form(bytes)
            .map_err(|e| ApiError::bad_request("body_invalid", e.message).with_param(e.param)),
        Some(other) => Err(ApiError::bad_request(
            "content_type_unsupported",
            format!(
                "Content-Type {other} is not supported; send application/json or \
                 application/x-www-form-urlencoded."
            ),
        )),
    }
}

/// Deserialises parameters, naming the offending one in the error.
pub fn deserialize<T: DeserializeOwned>(params: Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(params).map_err(|err| {
        let path = err.path().to_string();
        let message = err.inner().to_string();
        // A missing field is reported at its parent's path; an unknown one at its own.
        if let Some(field) = quoted_after(&message, "missing field ") {
            let param = join_param(&path, &field);
            return ApiError::missing_param(&param);
        }
        if let Some(field) = quoted_after(&message, "unknown field ") {
            let param = if path.is_empty() || path == "." {
                field
            } else {
                param_name(&path)
            };
            return ApiError::bad_request(
                "parameter_unknown",
                format!("Received unknown parameter: {param}."),
            )
            .with_param(param);
        }
        let param = param_name(&path);
        let detail = message.split(" at line ").next().unwrap_or(&message);
        ApiError::invalid_param(&param, format!("Invalid value for {param}: {detail}."))
    })
}

fn quoted_after(message: &str, prefix: &str) -> Option<String> {
    let rest = message.strip_prefix(prefix)?.strip_prefix('`')?;
    Some(rest[..rest.find('`')?].to_string())
}

fn join_param(path: &str, field: &str) -> String {
    let parent = param_name(path);
    if parent.is_empty() {
        field.to_string()
    } else {
        format!("{parent}[{field}]")
    }
}

fn fingerprint(method: &str, path: &str, params: &Value) -> String {
    let canonical = canonical(params);
    crate::server::crypto::sha256_hex(format!("{method} {path}\n{canonical}").as_bytes())
}

/// The parameters with every object's keys sorted, so that equal parameters sent in another
/// order (or as JSON instead of a form) compare equal.
fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), canonical(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct Create {
        #[serde(deserialize_with = "crate::domain::lenient::int")]
        amount: i64,
        #[serde(default)]
        metadata: Option<std::collections::BTreeMap<String, String>>,
    }

    #[test]
    fn valid_parameters_deserialize() {
        let ok = deserialize::<Create>(json!({"amount": "5000", "metadata": {"a": "b"}})).unwrap();
        assert_eq!(ok.amount, 5000);
        assert_eq!(ok.metadata.unwrap()["a"], "b");
    }

    #[test]
    fn errors_name_the_parameter() {
        let missing = deserialize::<Create>(json!({})).unwrap_err();
        assert_eq!(
            (missing.code.as_str(), missing.param.as_deref()),
            ("parameter_missing", Some("amount"))
        );
        let unknown = deserialize::<Create>(json!({"amount": 1, "amout": 2})).unwrap_err();
        assert_eq!(
            (unknown.code.as_str(), unknown.param.as_deref()),
            ("parameter_unknown", Some("amout"))
        );
        let invalid = deserialize::<Create>(json!({"amount": "ten"})).unwrap_err();
        assert_eq!(
            (invalid.code.as_str(), invalid.param.as_deref()),
            ("parameter_invalid", Some("amount"))
        );
        let nested = deserialize::<Create>(json!({"amount": 1, "metadata": {"a": 5}})).unwrap_err();
        assert_eq!(nested.param.as_deref(), Some("metadata[a]"));
    }

    #[test]
    fn bodies_are_read_by_content_type() {
        assert_eq!(parse_raw(None, b"a=1").unwrap(), json!({"a":"1"}));
        assert_eq!(
            parse_raw(Some("application/json"), br#"{"a":1}"#).unwrap(),
            json!({"a":1})
        );
        assert_eq!(parse_raw(Some("application/json"), b"").unwrap(), json!({}));
        assert!(
            parse_raw(Some("application/json"), b"  ").is_err(),
            "whitespace is not JSON"
        );
        assert_eq!(
            parse_raw(Some("application/x-www-form-urlencoded"), b" \n").unwrap(),
            json!({})
        );
        assert_eq!(
            parse_raw(Some("application/json"), b"{nope")
                .unwrap_err()
                .status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            parse_raw(Some("application/json"), b"[1]")
                .unwrap_err()
                .code,
            "body_invalid"
        );
        assert_eq!(
            parse_raw(Some("text/plain"), b"x").unwrap_err().code,
            "content_type_unsupported"
        );
    }

    #[test]
    fn fingerprints_ignore_key_order_but_not_values_or_paths() {
        let a = fingerprint("POST", "/v1/x", &json!({"a":1,"b":2}));
        let b = fingerprint(
            "POST",
            "/v1/x",
            &serde_json::from_str(r#"{"b":2,"a":1}"#).unwrap(),
        );
        assert_eq!(a, b);
        assert_ne!(a, fingerprint("POST", "/v1/x", &json!({"a":1,"b":3})));
        assert_ne!(a, fingerprint("POST", "/v1/y", &json!({"a":1,"b":2})));
    }
}
