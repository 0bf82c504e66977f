//! Recording events: the outbox row of each change and its webhook deliveries, written in the
//! change's own transaction.

use crate::domain::ids::IdKind;
use crate::server::crypto::new_id;
use crate::server::store::Tx;
use crate::server::store::events::{self, EventRow};
use crate::server::store::webhook_endpoints::EndpointRow;
use serde_json::{Value, json};

/// Writes one event per kind about `object` (as it is now), in the order given (their sort
/// keys follow one another), and queues them for the endpoints that want them: `endpoints`
/// when the caller read them before its transaction, else those enabled in it.
pub async fn record(
    tx: &mut Tx,
    now_micros: i64,
    account_id: &str,
    mode: crate::domain::mode::Mode,
    object: &Value,
    kinds: &[&str],
    endpoints: Option<&[EndpointRow]>,
) -> Result<(), sqlx::Error> {
    let rows = rows(now_micros, account_id, mode, object, kinds);
    events::insert(tx, &rows);
    deliver(tx, &rows, endpoints).await
}

/// The events `record` writes, for a caller that inserts them its own way (then `deliver`).
pub fn rows(
    now_micros: i64,
    account_id: &str,
    mode: crate::domain::mode::Mode,
    object: &Value,
    kinds: &[&str],
) -> Vec<EventRow> {
    let data = json!({ "object": object }).to_string();
    let object_id = object["id"].as_str().unwrap_or_default();
    kinds
        .iter()
        .zip(0i64..)
        .map(|(kind, i)| EventRow {
            id: new_id(IdKind::Event),
            account_id: account_id.to_string(),
            mode,
            kind: kind.to_string(),
            object_id: object_id.to_string(),
            data: data.clone(),
            created: now_micros.div_euclid(1_000_000),
            sort_key: now_micros + i,
        })
        .collect()
}

/// Queues events written by the caller for the endpoints that want them (as `record` does).
pub async fn deliver(
    tx: &mut Tx,
    rows: &[EventRow],
    endpoints: Option<&[EndpointRow]>,
) -> Result<(), sqlx::Error> {
    crate::server::services::webhooks::queue::enqueue(tx, rows, endpoints).await
}
