//! Events: what happened, with the object as it was right after.

use super::is_live;
use crate::server::store::events::EventRow;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// Something that happened, with the object as it was right after.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Event)]
pub struct EventView {
    pub id: String,
    /// Always `event`.
    pub object: &'static str,
    /// `payment.succeeded`, `refund.created`, …
    #[serde(rename = "type")]
    pub kind: String,
    pub created: i64,
    pub livemode: bool,
    /// `{"object": {...}}`.
    pub data: Value,
}

impl From<&EventRow> for EventView {
    fn from(row: &EventRow) -> EventView {
        EventView {
            id: row.id.clone(),
            object: "event",
            kind: row.kind.clone(),
            created: row.created,
            livemode: is_live(row.mode),
            data: serde_json::from_str(&row.data)
                .unwrap_or_else(|_| Value::Object(Default::default())),
        }
    }
}
