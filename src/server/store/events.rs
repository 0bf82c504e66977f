//! The events outbox: one row per change, written in the change's own transaction.

use super::Tx;
use super::page::{Filter, Listing};
use super::row::{self, row};
use crate::domain::mode::Mode;
use sqlx::{Any, Executor};

row! {
    #[derive(Debug, Clone)]
    pub struct EventRow in "events" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub kind as "type": String,
        pub object_id: String,
        /// The object as it was right after the change (JSON).
        pub data: String,
        pub created: i64,
        pub sort_key: i64,
    }
}

/// Inserts events in one statement (a transition often emits several).
pub fn insert(tx: &mut Tx, rows: &[EventRow]) {
    if let Some(write) = row::insert_many(rows) {
        tx.defer(write);
    }
}

/// Events by id, in no particular order (the webhook worker's batch).
pub async fn by_ids<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    ids: &[String],
) -> Result<Vec<EventRow>, sqlx::Error> {
    row::with_any_of(ex, "id", ids, "").await
}

/// Filters of the event list.
#[derive(Debug, Default, Clone)]
pub struct EventFilter {
    pub kind: Option<String>,
    pub object_id: Option<String>,
}

impl Listing for EventFilter {
    type Row = EventRow;
    fn conditions(&self, f: &mut Filter) {
        f.eq("type", self.kind.as_deref());
        f.eq("object_id", self.object_id.as_deref());
    }
}
