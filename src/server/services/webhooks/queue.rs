//! From events to deliveries: every event is queued for each enabled endpoint subscribed to
//! its type, in the transaction that writes the event (so a change, its event and its
//! deliveries commit or vanish together), and `resend` queues an event again.

use crate::domain::ids::{self, IdKind};
use crate::domain::webhook::wants;
use crate::server::crypto::new_id;
use crate::server::services::{Scope, ServiceError};
use crate::server::store::Tx;
use crate::server::store::events::EventRow;
use crate::server::store::row;
use crate::server::store::webhook_deliveries::{self, DeliveryRow};
use crate::server::store::webhook_endpoints::{self, EndpointRow};

fn delivery(event: &EventRow, endpoint_id: &str, due: i64, sort_key: i64) -> DeliveryRow {
    DeliveryRow {
        id: new_id(IdKind::WebhookDelivery),
        account_id: event.account_id.clone(),
        mode: event.mode,
        endpoint_id: endpoint_id.to_string(),
        event_id: event.id.clone(),
        event_type: event.kind.clone(),
        status: "pending".into(),
        attempts: 0,
        next_attempt_at: due,
        lease_until: 0,
        lease_token: None,
        delivered_at: None,
        created: due,
        sort_key,
    }
}

/// Queues `events` (just inserted in `tx`, all of one account and mode) for the endpoints that
/// want them, due at once. `endpoints` are that account's enabled endpoints when the caller
/// read them before its transaction; otherwise they are read in it.
pub async fn enqueue(
    tx: &mut Tx,
    events: &[EventRow],
    endpoints: Option<&[EndpointRow]>,
) -> Result<(), sqlx::Error> {
    let Some(first) = events.first() else {
        return Ok(());
    };
    let read;
    let endpoints = match endpoints {
        Some(known) => known,
        None => {
            read =
                webhook_endpoints::enabled_in(tx, &first.account_id, first.mode.as_str()).await?;
            &read[..]
        }
    };
    let mut rows = Vec::new();
    for event in events {
        for endpoint in endpoints {
            if wants(&endpoint.events(), &event.kind) {
                rows.push(delivery(event, &endpoint.id, event.created, event.sort_key));
            }
        }
    }
    webhook_deliveries::insert_many(tx, &rows);
    Ok(())
}

/// Queues an event again, now: for one endpoint when named (it must be enabled; its
/// subscription is not checked: the merchant asked), else for every enabled endpoint
/// subscribed to its type. The delivery carries the event's id as `webhook-id`, so a receiver
/// that already processed it can tell.
pub async fn resend(
    tx: &mut Tx,
    scope: &Scope,
    now_micros: i64,
    event_id: &str,
    endpoint_id: Option<&str>,
) -> Result<Vec<DeliveryRow>, ServiceError> {
    let not_found = || ServiceError::NotFound {
        object: "event",
        id: event_id.to_string(),
    };
    if !ids::is_id(IdKind::Event, event_id) {
        return Err(not_found());
    }
    let event = row::find::<EventRow>(
        tx.conn().await?,
        &scope.account_id,
        scope.mode.as_str(),
        event_id,
    )
    .await?
    .ok_or_else(not_found)?;
    let targets: Vec<EndpointRow> = match endpoint_id {
        Some(id) => {
            let endpoint = super::find(tx.conn().await?, scope, id).await?;
            if endpoint.status != "enabled" {
                return Err(ServiceError::invalid(
                    "webhook_endpoint",
                    format!("Webhook endpoint {id} is disabled; enable it before resending."),
                ));
            }
            vec![endpoint]
        }
        None => webhook_endpoints::enabled_in(tx, &scope.account_id, scope.mode.as_str())
            .await?
            .into_iter()
            .filter(|e| wants(&e.events(), &event.kind))
            .collect(),
    };
    if targets.is_empty() {
        // What the account's endpoints are now, not the request, refuses it (409).
        return Err(ServiceError::conflict(
            "no_subscribed_endpoint",
            format!(
                "No enabled webhook endpoint is subscribed to {}; name one with webhook_endpoint.",
                event.kind
            ),
        ));
    }
    let now = now_micros.div_euclid(1_000_000);
    // Listed after the event's first deliveries, even when the clock has not moved since.
    let sort_key = now_micros.max(event.sort_key + 1);
    let rows: Vec<DeliveryRow> = targets
        .iter()
        .zip(0i64..)
        .map(|(endpoint, i)| delivery(&event, &endpoint.id, now, sort_key + i))
        .collect();
    webhook_deliveries::insert_many(tx, &rows);
    Ok(rows)
}
