//! Server-to-server callbacks of checkout sessions (Dintero style): when a session's payment
//! reaches a result, `GET {callback_url}?transaction_id=&session_id=&merchant_reference=&event=`
//! is queued in the same transaction, then called until it answers 2xx, with backoff, at most
//! `MAX_ATTEMPTS` times. Every attempt is recorded.

use crate::domain::payment::PaymentStatus;
use crate::server::crypto::random_base62;
use crate::server::store::callbacks::{self, AttemptRow, DeliveryRow};
use crate::server::store::payments::PaymentRow;
use crate::server::store::row;
use crate::server::store::{Store, Tx, checkout_sessions};
use std::time::{Duration, Instant};

/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i64 = 20;
/// How long one attempt may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How long an instance holds a delivery while calling (longer than `TIMEOUT`).
const LEASE_SECS: i64 = 60;

/// The callback's `event` for a payment status, when that status is a result to report.
pub fn event_for(status: PaymentStatus) -> Option<&'static str> {
    match status {
        PaymentStatus::RequiresCapture => Some("authorized"),
        PaymentStatus::Succeeded => Some("succeeded"),
        PaymentStatus::Failed => Some("failed"),
        PaymentStatus::Canceled => Some("canceled"),
        PaymentStatus::Expired => Some("expired"),
        _ => None,
    }
}

/// Seconds to wait after the `attempts`-th failed attempt: 5 s, doubling, at most an hour
/// (20 attempts span about eleven hours).
pub fn backoff_secs(attempts: i64) -> i64 {
    let doublings = (attempts - 1).clamp(0, 20) as u32;
    (5i64 << doublings).min(3600)
}

/// The URL called: the merchant's `callback_url` with the result appended to its query.
pub fn callback_target(
    callback_url: &str,
    payment_id: &str,
    session_id: &str,
    merchant_reference: Option<&str>,
    event: &str,
) -> Option<String> {
    let mut url = url::Url::parse(callback_url).ok()?;
    url.query_pairs_mut()
        .append_pair("transaction_id", payment_id)
        .append_pair("session_id", session_id)
        .append_pair("merchant_reference", merchant_reference.unwrap_or_default())
        .append_pair("event", event);
    Some(url.to_string())
}

/// Queues the callback of a session's payment that has just changed to `row.status`, when
/// that status is a result and the session has a `callback_url`.
pub async fn enqueue(
    tx: &mut Tx,
    now: i64,
    row: &PaymentRow,
    session_id: &str,
) -> Result<(), sqlx::Error> {
    let Some(event) = event_for(row.status) else {
        return Ok(());
    };
    let Some(session) = checkout_sessions::find_by_id(tx.conn().await?, session_id).await? else {
        return Ok(());
    };
    let Some(url) = session.callback_url.as_deref().and_then(|u| {
        callback_target(
            u,
            &row.id,
            &session.id,
            session.merchant_reference.as_deref(),
            event,
        )
    }) else {
        return Ok(());
    };
    let delivery = DeliveryRow {
        id: format!("cbd_{}", random_base62(24)),
        account_id: row.account_id.clone(),
        mode: row.mode,
        session_id: session.id,
        payment_id: row.id.clone(),
        event: event.to_string(),
        url,
        status: "pending".into(),
        attempts: 0,
        next_attempt_at: now,
        lease_until: 0,
        created: now,
        delivered_at: None,
    };
    row::insert_now(tx, &delivery).await
}

/// One attempt of one delivery; None when another instance took it first. Due deliveries are
/// found with `store::callbacks::due`; `workers::callbacks` drives both.
pub async fn attempt(
    store: &Store,
    client: &reqwest::Client,
    delivery: DeliveryRow,
    now: i64,
) -> Result<Option<&'static str>, sqlx::Error> {
    let mut tx = store.begin().await?;
    let taken = callbacks::take(
        &mut tx,
        &delivery.id,
        delivery.attempts,
        now,
        now + LEASE_SECS,
    )
    .await?;
    tx.commit().await?;
    if !taken {
        return Ok(None);
    }
    let started = Instant::now();
    let (status_code, error) = match client.get(&delivery.url).timeout(TIMEOUT).send().await {
        Ok(response) => (Some(i64::from(response.status().as_u16())), None),
        Err(err) => (
            None,
            Some(crate::server::services::outbound::describe_failed_call(
                &err,
            )),
        ),
    };
    let number = delivery.attempts + 1;
    let status = match status_code {
        Some(code) if (200..300).contains(&code) => "delivered",
        _ if number >= MAX_ATTEMPTS => "failed",
        _ => "pending",
    };
    let next = if status == "pending" {
        now + backoff_secs(number)
    } else {
        delivery.next_attempt_at
    };
    let row = AttemptRow {
        delivery_id: delivery.id.clone(),
        attempt: number,
        at: now,
        status_code,
        error,
        duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
    };
    let mut tx = store.begin().await?;
    callbacks::record(&mut tx, &row, status, next).await?;
    tx.commit().await?;
    if status != "delivered" {
        tracing::info!(delivery = %delivery.id, attempt = number, ?status_code, "callback not accepted");
    }
    Ok(Some(status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let waits: Vec<i64> = (1..MAX_ATTEMPTS).map(backoff_secs).collect();
        assert_eq!(&waits[..5], &[5, 10, 20, 40, 80]);
        assert_eq!(*waits.last().unwrap(), 3600);
        let total: i64 = waits.iter().sum();
        assert!((10 * 3600..14 * 3600).contains(&total), "{total}");
    }

    #[test]
    fn the_target_keeps_the_merchants_query() {
        assert_eq!(
            callback_target(
                "https://shop.example/cb?token=abc",
                "pay_1",
                "cs_1",
                Some("order 7"),
                "succeeded"
            )
            .unwrap(),
            "https://shop.example/cb?token=abc&transaction_id=pay_1&session_id=cs_1&merchant_reference=order+7&event=succeeded"
        );
        assert!(callback_target("not a url", "p", "s", None, "failed").is_none());
    }

    #[test]
    fn only_results_are_reported() {
        assert_eq!(event_for(PaymentStatus::Succeeded), Some("succeeded"));
        assert_eq!(
            event_for(PaymentStatus::RequiresCapture),
            Some("authorized")
        );
        assert_eq!(event_for(PaymentStatus::Processing), None);
        assert_eq!(event_for(PaymentStatus::RequiresPaymentMethod), None);
    }
}
