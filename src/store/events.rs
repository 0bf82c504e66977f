//! The events outbox: one row per change, written in the change's own transaction.

use super::page::{self, Cursor, Filter, Val};
use super::row::row;
use super::{Statement, Tx};
use sqlx::{Any, AnyPool, Executor};

row! {
    #[derive(Debug, Clone)]
    pub struct EventRow {
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

pub const TABLE: &str = "events";
const COLUMNS: &str = "id, account_id, mode, type, object_id, data, created, sort_key";

/// Inserts events in one statement (a transition often emits several).
pub fn insert(tx: &mut Tx, rows: &[EventRow]) {
    if rows.is_empty() {
        return;
    }
    let values: Vec<String> = (0..rows.len())
        .map(|i| format!("({})", page::placeholders(i * 8 + 1, 8)))
        .collect();
    let sql = format!(
        "INSERT INTO events ({COLUMNS}) VALUES {}",
        values.join(", ")
    );
    let mut write = Statement::new(sql);
    for r in rows {
        write = write
            .bind(&r.id)
            .bind(&r.account_id)
            .bind(&r.mode)
            .bind(&r.kind)
            .bind(&r.object_id)
            .bind(&r.data)
            .bind(r.created)
            .bind(r.sort_key);
    }
    tx.defer(write);
}

pub async fn find<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    account_id: &str,
    mode: &str,
    id: &str,
) -> Result<Option<EventRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM events WHERE id = $1 AND account_id = $2 AND mode = $3"
    ))
    .bind(id)
    .bind(account_id)
    .bind(mode)
    .fetch_optional(ex)
    .await
}

/// Events by id, in no particular order (the webhook worker's batch).
pub async fn by_ids<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    ids: &[String],
) -> Result<Vec<EventRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM events WHERE id IN ({})",
        super::page::placeholders(1, ids.len())
    );
    let mut query = sqlx::query_as(&sql);
    for id in ids {
        query = query.bind(id);
    }
    query.fetch_all(ex).await
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
    page::fetch_page(pool, TABLE, COLUMNS, &f, cursor, limit).await
}
