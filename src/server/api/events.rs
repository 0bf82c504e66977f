//! `/v1/events`: the outbox, readable by the merchant.

use super::error::ApiResult;
use super::list::{ApiQuery, Paging};
use super::read::Read;
use crate::server::store::events::EventFilter;
use crate::server::store::events::EventRow;
use crate::server::views::{EventView, ListView};
use axum::Json;
use axum::extract::Path;
use serde::Deserialize;

#[utoipa::path(get, path = "/events/{id}", tag = "Events", params(("id" = String, Path, description = "Object id")), responses((status = 200, description = "The event", body = crate::server::views::EventView), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such object for this account and mode", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn get_event(read: Read, Path(id): Path<String>) -> ApiResult<Json<EventView>> {
    let row: EventRow = read.find("event", &id).await?;
    Ok(Json(EventView::from(&row)))
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

#[utoipa::path(get, path = "/events", tag = "Events", params(("limit" = Option<i64>, Query, description = "1 to 100, default 10"), ("starting_after" = Option<String>, Query, description = "Cursor: an object id"), ("ending_before" = Option<String>, Query, description = "Cursor: an object id"), ("type" = Option<String>, Query), ("object" = Option<String>, Query, description = "Events of one object")), responses((status = 200, description = "Events, newest first", body = crate::server::views::list::List), (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn list_events(
    read: Read,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListView<EventView>>> {
    let filter = EventFilter {
        kind: query.kind,
        object_id: query.object,
    };
    read.list(&query.paging, &filter, "/v1/events").await
}
