//! The events outbox: one row per change, written in the change's own transaction.

use super::Tx;
use super::page::{Cursor, Filter, Val};
use super::row::{self, row};
use sqlx::{Any, AnyPool, Executor};

row! {
    #[derive(Debug, Clone)]
    pub struct EventRow in "events" {
        pub id: String,
        pub account_id: String,
        pub mode: String,
        pub kind as "type": String,
        pub object_id: String,
        /// The object as it was right after the change (JSON).
        pub data: String,
        pub created: i64,
        pub sort_key: i64,
    }
}

pub const TABLE: &str = <EventRow as row::Table>::TABLE;

/// Inserts events in one statement (a transition often emits several).
pub fn insert(tx: &mut Tx, rows: &[EventRow]) {
    if let Some(write) = row::insert_many(rows) {
        tx.defer(write);
    }
}

pub async fn find<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    account_id: &str,
    mode: &str,
    id: &str,
) -> Result<Option<EventRow>, sqlx::Error> {
    row::find(ex, account_id, mode, id).await
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

pub async fn list(
    pool: &AnyPool,
    account_id: &str,
    mode: &str,
    filter: &EventFilter,
    cursor: &Cursor,
    limit: i64,
) -> Result<(Vec<EventRow>, bool), sqlx::Error> {
    let mut f = Filter::scoped(account_id, mode);
    if let Some(kind) = &filter.kind {
        f.push("type = ?", [Val::Text(kind.clone())]);
    }
    if let Some(object_id) = &filter.object_id {
        f.push("object_id = ?", [Val::Text(object_id.clone())]);
    }
    row::list(pool, &f, cursor, limit).await
}
