//! `/v1/events`: the outbox, readable by the merchant.

use super::auth::SecretAuth;
use super::error::{ApiError, ApiResult};
use super::list::{ApiQuery, ListEnvelope, Paging};
use crate::state::AppState;
use crate::store::events::{self as rows, EventFilter, EventRow};
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

/// An event as the API and webhooks show it.
pub fn event_json(row: &EventRow) -> Value {
    let data: Value = serde_json::from_str(&row.data).unwrap_or_else(|_| json!({}));
    json!({
        "id": row.id,
        "object": "event",
        "type": row.kind,
        "created": row.created,
        "livemode": row.mode == "live",
        "data": data,
    })
}

pub async fn get_event(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let row = rows::find(
        state.store.reader(),
        &auth.account_id,
        auth.mode.as_str(),
        &id,
    )
    .await?
    .ok_or_else(|| ApiError::not_found("event", &id))?;
    Ok(Json(event_json(&row)))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(flatten)]
    pub paging: Paging,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Events of one object (`pay_…`).
    pub object: Option<String>,
}

pub async fn list_events(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListEnvelope<Value>>> {
    let limit = query.paging.limit()?;
    let pool = state.store.reader();
    let cursor = query.paging.cursor(pool, rows::TABLE, &auth).await?;
    let filter = EventFilter {
        kind: query.kind,
        object_id: query.object,
    };
    let (found, has_more) = rows::list(
        pool,
        &auth.account_id,
        auth.mode.as_str(),
        &filter,
        &cursor,
        limit,
    )
    .await?;
    Ok(Json(ListEnvelope::new(
        found.iter().map(event_json).collect(),
        has_more,
        "/v1/events",
    )))
}
