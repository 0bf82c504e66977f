//! `/v1/acquirer_connections`: the merchant's connections, which `routing[preferred_acquirer]`
//! may name. Every account starts with `acq_sandbox` (the default), `acq_eu_1` and `acq_us_1`;
//! more simulated connections can be added.

use super::auth::SecretAuth;
use super::body::ApiBody;
use super::error::{ApiError, ApiResult};
use super::idempotency::{Idempotency, IdempotencyKey, Reply, Started};
use super::list::ListEnvelope;
use crate::acquirer::{DEFAULT_CONNECTION, SANDBOX_KIND};
use crate::state::AppState;
use crate::store::acquirer_connections::{self as rows, AcquirerConnectionRow};
use crate::store::is_unique_violation;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

fn connection_json(row: &AcquirerConnectionRow) -> Value {
    json!({
        "id": row.id,
        "object": "acquirer_connection",
        "name": row.name,
        "type": row.kind,
        "default": row.id == DEFAULT_CONNECTION,
        "created": row.created,
        "livemode": row.mode == "live",
    })
}

/// Whether `id` can name a connection: `acq_` then 1 to 40 of a-z, 0-9 and `_`.
pub fn valid_connection_id(id: &str) -> bool {
    id.strip_prefix("acq_").is_some_and(|rest| {
        (1..=40).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateParams {
    /// The id payments will name in `routing[preferred_acquirer]`, e.g. `acq_uk_1`.
    pub id: Option<String>,
    /// A label for the dashboard (defaults to the id).
    pub name: Option<String>,
}

#[utoipa::path(post, path = "/acquirer_connections", tag = "Acquirer connections", params(("Idempotency-Key" = Option<String>, Header, description = "Makes the POST safe to retry (1 to 255 characters)")), request_body(content((CreateParams = "application/x-www-form-urlencoded"), (CreateParams = "application/json"))), responses((status = 200, description = "The new connection (simulated by the sandbox acquirer)", body = crate::api::schemas::AcquirerConnection), (status = 400, description = "Invalid parameters, or the id is taken", body = crate::api::schemas::Error), (status = 401, description = "Missing or invalid API key", body = crate::api::schemas::Error), (status = 409, description = "An idempotent request is in flight", body = crate::api::schemas::Error), (status = 422, description = "Idempotency key reused with other parameters", body = crate::api::schemas::Error)))]
pub async fn create_connection(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    key: IdempotencyKey,
    body: ApiBody<CreateParams>,
) -> ApiResult<Response> {
    let idem = match Idempotency::start(&state, &auth, key, &body.fingerprint).await? {
        Started::Replay(response) => return Ok(response),
        Started::Fresh(idem) => idem,
    };
    let id = body
        .value
        .id
        .ok_or_else(|| ApiError::invalid_param("id", "Missing required param: id."))?;
    if !valid_connection_id(&id) {
        return Err(ApiError::invalid_param(
            "id",
            "id must be acq_ followed by 1 to 40 lowercase letters, digits or underscores.",
        ));
    }
    let name = match body.value.name.map(|n| n.trim().to_string()) {
        None => id.clone(),
        Some(n) if n.is_empty() || n.chars().count() > 100 => {
            return Err(ApiError::invalid_param(
                "name",
                "name must be 1 to 100 characters.",
            ));
        }
        Some(n) => n,
    };
    let row = AcquirerConnectionRow {
        account_id: auth.account_id.clone(),
        mode: auth.mode.as_str().to_string(),
        id: id.clone(),
        name,
        kind: SANDBOX_KIND.to_string(),
        created: state.clock.now(),
    };
    let mut tx = state.store.begin().await?;
    if let Err(err) = rows::insert(&mut tx, &row).await {
        if is_unique_violation(&err) {
            return Err(ApiError::invalid_param(
                "id",
                format!("You already have an acquirer connection {id}."),
            ));
        }
        return Err(err.into());
    }
    idem.commit(tx, Reply::ok(connection_json(&row))?).await
}

#[utoipa::path(get, path = "/acquirer_connections", tag = "Acquirer connections", responses((status = 200, description = "The merchant's connections in this mode, by id", body = crate::api::schemas::List), (status = 401, description = "Missing or invalid API key", body = crate::api::schemas::Error)))]
pub async fn list_connections(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
) -> ApiResult<Json<ListEnvelope<Value>>> {
    let found = rows::list(state.store.reader(), &auth.account_id, auth.mode.as_str()).await?;
    Ok(Json(ListEnvelope::new(
        found.iter().map(connection_json).collect(),
        false,
        "/v1/acquirer_connections",
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_ids_are_acq_and_a_short_slug() {
        assert!(valid_connection_id("acq_uk_1"));
        assert!(valid_connection_id("acq_sandbox"));
        assert!(!valid_connection_id("acq_"));
        assert!(!valid_connection_id("acq_UK"));
        assert!(!valid_connection_id("uk_1"));
        assert!(!valid_connection_id("acq_a-b"));
        assert!(!valid_connection_id(&format!("acq_{}", "a".repeat(41))));
    }
}
