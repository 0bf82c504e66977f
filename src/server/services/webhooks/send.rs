//! Sending webhooks: takes due deliveries in batches under a lease, POSTs each event with both
//! signature styles, records every attempt (status, latency, first KB of the answer) and
//! schedules the next one per the contract (or per `Retry-After`, when later). A 410 disables
//! the endpoint. The loop that drives it is `workers::webhooks`.

use crate::domain::webhook::next_attempt_at;
use crate::server::crypto::random_base62;
use crate::server::store::events::{self, EventRow};
use crate::server::store::webhook_deliveries::{self, AttemptRow, DeliveryRow};
use crate::server::store::webhook_endpoints::{self, EndpointRow};
use crate::server::store::{Store, Tx};
use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long one attempt may take (the contract's 15 s).
pub const TIMEOUT: Duration = Duration::from_secs(15);
/// How long a batch stays taken: longer than an attempt, short enough that a batch taken by an
/// instance that died is sent again soon after a restart.
pub const LEASE_SECS: i64 = 30;
/// Deliveries per batch.
pub const BATCH: i64 = 100;
/// How much of a receiver's answer is kept.
pub const RESPONSE_KEPT: usize = 1024;

/// What one batch did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pass {
    /// Deliveries taken.
    pub taken: u64,
    pub delivered: u64,
    pub retrying: u64,
    /// Given up after the last attempt, or answered 410.
    pub failed: u64,
    /// Endpoints disabled because they answered 410.
    pub disabled_endpoints: u64,
    /// Deliveries whose endpoint was disabled or deleted meanwhile (nothing sent).
    pub canceled: u64,
}

/// The HTTP client deliveries are sent with: no redirects (a webhook goes where it was told),
/// the contract's timeout.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(concat!("VINR/", env!("CARGO_PKG_VERSION"), " webhooks"))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .pool_max_idle_per_host(64)
        .build()
        .expect("an HTTP client with default TLS builds")
}

/// A taken batch: the deliveries, under one lease token.
pub struct Batch {
    token: String,
    deliveries: Vec<DeliveryRow>,
}

/// Takes up to `BATCH` due deliveries; `None` when nothing is due (checked first with a read,
/// so an idle loop never takes the write lock).
pub async fn take_batch(
    store: &Store,
    now: i64,
    account: Option<&str>,
) -> Result<Option<Batch>, sqlx::Error> {
    if !webhook_deliveries::any_due(store.reader(), now, account).await? {
        return Ok(None);
    }
    let token = random_base62(16);
    let mut tx = store.begin().await?;
    let deliveries =
        webhook_deliveries::claim(&mut tx, now, account, now + LEASE_SECS, &token, BATCH).await?;
    tx.commit().await?;
    Ok((!deliveries.is_empty()).then_some(Batch { token, deliveries }))
}

/// What a receiver answered (or why it could not be reached).
struct Answer {
    status_code: Option<u16>,
    error: Option<String>,
    retry_after: Option<i64>,
    body: Option<String>,
    duration_ms: i64,
}

/// Sends a taken batch concurrently and records every attempt in one transaction.
pub async fn send_batch(
    store: &Store,
    client: &reqwest::Client,
    batch: Batch,
    now: i64,
) -> Result<Pass, sqlx::Error> {
    let endpoint_ids = unique(batch.deliveries.iter().map(|d| &d.endpoint_id));
    let event_ids = unique(batch.deliveries.iter().map(|d| &d.event_id));
    let endpoints: HashMap<String, EndpointRow> =
        webhook_endpoints::by_ids(store.reader(), &endpoint_ids)
            .await?
            .into_iter()
            .map(|e| (e.id.clone(), e))
            .collect();
    let events: HashMap<String, EventRow> = events::by_ids(store.reader(), &event_ids)
        .await?
        .into_iter()
        .map(|e| (e.id.clone(), e))
        .collect();
    // Owned inputs per send, so the futures borrow nothing but the client.
    let mut sends = Vec::with_capacity(batch.deliveries.len());
    for d in &batch.deliveries {
        let endpoint = endpoints
            .get(&d.endpoint_id)
            .filter(|e| e.status == "enabled" && e.deleted == 0)
            .cloned();
        let event = events.get(&d.event_id).cloned();
        sends.push(async move {
            match (endpoint, event) {
                (Some(endpoint), Some(event)) => Some(send(client, &endpoint, &event, now).await),
                _ => None,
            }
        });
    }
    let answers: Vec<Option<Answer>> = futures_util::future::join_all(sends).await;

    let mut pass = Pass {
        taken: batch.deliveries.len() as u64,
        ..Pass::default()
    };
    let mut tx = store.begin().await?;
    for (delivery, answer) in batch.deliveries.iter().zip(answers) {
        match answer {
            Some(answer) => record(&mut tx, &batch.token, delivery, answer, now, &mut pass).await?,
            None => {
                webhook_deliveries::cancel_taken(&mut tx, &delivery.id, &batch.token).await?;
                pass.canceled += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(pass)
}

fn unique<'a>(ids: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut out: Vec<String> = ids.cloned().collect();
    out.sort_unstable();
    out.dedup();
    out
}

async fn record(
    tx: &mut Tx,
    token: &str,
    delivery: &DeliveryRow,
    answer: Answer,
    now: i64,
    pass: &mut Pass,
) -> Result<(), sqlx::Error> {
    let number = delivery.attempts + 1;
    let gone = answer.status_code == Some(410);
    let (status, next) = match answer.status_code {
        Some(code) if (200..300).contains(&code) => ("delivered", delivery.next_attempt_at),
        _ if gone => ("failed", delivery.next_attempt_at),
        // After the last attempt there is no next one.
        _ => match next_attempt_at(now, number, answer.retry_after) {
            Some(next) => ("pending", next),
            None => ("failed", delivery.next_attempt_at),
        },
    };
    let attempt = AttemptRow {
        delivery_id: delivery.id.clone(),
        attempt: number,
        at: now,
        status_code: answer.status_code.map(i64::from),
        error: answer.error,
        duration_ms: answer.duration_ms,
        response_body: answer.body,
    };
    if !webhook_deliveries::record(tx, &attempt, token, status, next).await? {
        // Its endpoint was disabled or deleted while it was being sent (expected, and the
        // merchant's doing); anything else means the lease ran out and another pass sends it.
        if webhook_deliveries::status_of(tx, &delivery.id)
            .await?
            .as_deref()
            == Some("canceled")
        {
            tracing::debug!(delivery = %delivery.id, "webhook delivery canceled while in flight; the attempt is not recorded");
        } else {
            tracing::warn!(delivery = %delivery.id, "webhook lease lost before the attempt was recorded");
        }
        return Ok(());
    }
    match status {
        "delivered" => pass.delivered += 1,
        "failed" => pass.failed += 1,
        _ => pass.retrying += 1,
    }
    if gone && webhook_endpoints::disable(tx, &delivery.endpoint_id, "gone").await? {
        webhook_deliveries::cancel_pending(tx, &delivery.endpoint_id).await?;
        pass.disabled_endpoints += 1;
        tracing::info!(endpoint = %delivery.endpoint_id, "webhook endpoint answered 410; disabled");
    }
    Ok(())
}

/// One POST of one event to one endpoint, signed with the endpoint's active secrets. The
/// signature's timestamp is the wall clock (receivers compare it with theirs), whatever the
/// injected clock says.
async fn send(
    client: &reqwest::Client,
    endpoint: &EndpointRow,
    event: &EventRow,
    now: i64,
) -> Answer {
    let body =
        serde_json::to_vec(&crate::server::views::EventView::from(event)).expect("JSON serialises");
    let wall = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(now);
    let signed = super::signing::sign(&event.id, wall, &body, &endpoint.signing_secrets(now));
    let mut request = client
        .post(&endpoint.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json");
    for (name, value) in signed.pairs() {
        request = request.header(name, value);
    }
    let started = Instant::now();
    let result = request.body(body).send().await;
    let mut answer = match result {
        Ok(mut response) => {
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, wall));
            let status_code = Some(response.status().as_u16());
            let (body, error) = read_start(&mut response).await;
            Answer {
                status_code,
                error,
                retry_after,
                body,
                duration_ms: 0,
            }
        }
        Err(err) => Answer {
            status_code: None,
            error: Some(crate::server::services::outbound::describe_failed_call(
                &err,
            )),
            retry_after: None,
            body: None,
            duration_ms: 0,
        },
    };
    answer.duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    answer
}

/// The first `RESPONSE_KEPT` bytes of the answer, as text; the rest is not read.
async fn read_start(response: &mut reqwest::Response) -> (Option<String>, Option<String>) {
    let mut kept: Vec<u8> = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = RESPONSE_KEPT - kept.len();
                kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if kept.len() >= RESPONSE_KEPT {
                    break;
                }
            }
            Ok(None) => break,
            Err(err) => {
                return (
                    text(kept),
                    Some(crate::server::services::outbound::describe_failed_call(
                        &err,
                    )),
                );
            }
        }
    }
    (text(kept), None)
}

fn text(bytes: Vec<u8>) -> Option<String> {
    (!bytes.is_empty()).then(|| String::from_utf8_lossy(&bytes).into_owned())
}

/// Seconds from a `Retry-After` value: delay-seconds, or an HTTP date compared with `now`.
pub fn parse_retry_after(value: &str, now: i64) -> Option<i64> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<i64>() {
        return (secs >= 0).then_some(secs);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let at = at.duration_since(UNIX_EPOCH).ok()?.as_secs() as i64;
    Some((at - now).max(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after("120", 0), Some(120));
        assert_eq!(parse_retry_after(" 7 ", 0), Some(7));
        assert_eq!(parse_retry_after("-1", 0), None);
        // 1994-11-06 08:49:37 UTC = 784111777.
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777 - 30),
            Some(30)
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_800),
            Some(0)
        );
        assert_eq!(parse_retry_after("soon", 0), None);
    }
}
