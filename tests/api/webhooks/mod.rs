//! Webhooks (§9): endpoints, signed deliveries to a real receiver on loopback, retries on the
//! contract's schedule through the injected clock, rotation, 410, Retry-After, resend, and
//! deliveries that outlive the instance that took them.

mod endpoints;
mod receiver;
mod restart;

use crate::helpers::{TestApp, assert_error, send};
use receiver::{Received, Receiver};
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;
use vinr::server::clock::{Clock, ManualClock};
use vinr::server::services::webhooks::send::{self, Pass};
use vinr::server::workers::webhooks as worker;

/// Creates an endpoint and returns its JSON (with the secret, shown this once).
async fn endpoint(app: &TestApp, url: &str, events: &[&str]) -> Value {
    let mut form = vec![("url", url)];
    form.extend(events.iter().map(|e| ("enabled_events[]", *e)));
    let (status, body) = send(app.post_form("/v1/webhook_endpoints", &form)).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn paid_payment(app: &TestApp) -> Value {
    let (status, body) = send(app.post_form(
        "/v1/payments",
        &[
            ("amount", "4999"),
            ("currency", "EUR"),
            ("payment_method", "pm_card_visa"),
            ("metadata[orderId]", "1234"),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The ids of every event of this merchant (newest first).
async fn event_ids(app: &TestApp) -> Vec<String> {
    let (_, list) = send(app.get("/v1/events?limit=100")).await;
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

/// One worker pass over this merchant's deliveries at the clock's time.
async fn pass(app: &TestApp, clock: &ManualClock) -> Pass {
    let client = send::client();
    worker::run_once_for(
        &app.state.store,
        &client,
        clock.now(),
        Some(&app.account_id),
    )
    .await
    .unwrap()
}

fn verify(
    r: &Received,
    secret: &str,
) -> Result<
    vinr::server::services::webhooks::signing::Event,
    vinr::server::services::webhooks::signing::VerifyError,
> {
    vinr::server::services::webhooks::signing::verify(
        &r.body,
        &r.headers,
        secret,
        Duration::from_secs(300),
    )
}

#[tokio::test]
async fn every_event_arrives_signed_and_once_after_the_receiver_recovers() {
    let (app, clock) = TestApp::spawn_manual_clock().await;
    let receiver = Receiver::start().await;
    let created = endpoint(&app, &receiver.url, &[]).await;
    let secret = created["secret"].as_str().unwrap().to_string();
    let payment = paid_payment(&app).await;
    let events = event_ids(&app).await;
    assert!(events.len() >= 3, "{events:?}");
    let n = events.len();
    // Down for the first two rounds.
    receiver.answer(2 * n, 500, &[], "down for maintenance");

    let first = pass(&app, &clock).await;
    assert_eq!((first.taken, first.retrying), (n as u64, n as u64));
    clock.advance_secs(4);
    assert_eq!(pass(&app, &clock).await.taken, 0, "retried before 5 s");
    clock.advance_secs(1);
    assert_eq!(pass(&app, &clock).await.retrying, n as u64);
    clock.advance_secs(299);
    assert_eq!(pass(&app, &clock).await.taken, 0, "retried before 5 min");
    clock.advance_secs(1);
    assert_eq!(pass(&app, &clock).await.delivered, n as u64);
    clock.advance_secs(86_400);
    assert_eq!(pass(&app, &clock).await.taken, 0, "delivered twice");

    // The receiver: every request verifies with the secret it was given; each webhook-id is
    // accepted exactly once, and together they are every event of the payment.
    let received = receiver.received();
    assert_eq!(received.len(), 3 * n);
    let mut accepted: HashMap<String, u32> = HashMap::new();
    for (i, r) in received.iter().enumerate() {
        let event = verify(r, &secret).expect("signature verifies");
        assert_eq!(r.headers["webhook-id"].to_str().unwrap(), event.id);
        assert_eq!(r.headers["content-type"], "application/json");
        assert_eq!(event.data["object"]["id"], payment["id"]);
        if i >= 2 * n {
            *accepted.entry(event.id).or_default() += 1;
        }
    }
    let mut got: Vec<String> = accepted.keys().cloned().collect();
    let mut want = events.clone();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert!(accepted.values().all(|&c| c == 1));
    // The guides' handler fulfils on payment.completed with the order id from metadata.
    let completed = received
        .iter()
        .map(Received::event)
        .find(|e| e["type"] == "payment.completed")
        .expect("payment.completed sent");
    assert_eq!(completed["data"]["object"]["metadata"]["orderId"], "1234");
    assert_eq!(completed["data"]["object"]["status"], "succeeded");

    // The event's deliveries: three attempts each, with what the receiver said.
    let (status, list) = send(app.get(&format!("/v1/events/{}/deliveries", events[0]))).await;
    assert_eq!(status, 200, "{list}");
    let delivery = &list["data"][0];
    assert_eq!(delivery["status"], "delivered");
    assert_eq!(delivery["webhook_endpoint"], created["id"]);
    let attempts = delivery["attempts"].as_array().unwrap();
    let codes: Vec<i64> = attempts
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [500, 500, 200]);
    assert_eq!(attempts[0]["response_body"], "down for maintenance");
    assert_eq!(
        attempts[1]["created"].as_i64().unwrap() - attempts[0]["created"].as_i64().unwrap(),
        5
    );
    let endpoint_id = created["id"].as_str().unwrap();
    let (_, by_endpoint) = send(app.get(&format!(
        "/v1/webhook_endpoints/{endpoint_id}/deliveries?limit=100"
    )))
    .await;
    assert_eq!(by_endpoint["data"].as_array().unwrap().len(), n);
}

#[tokio::test]
async fn an_endpoint_gets_only_the_events_it_subscribed_to() {
    let (app, clock) = TestApp::spawn_manual_clock().await;
    let (only, all) = (Receiver::start().await, Receiver::start().await);
    endpoint(&app, &only.url, &["payment.completed"]).await;
    endpoint(&app, &all.url, &["*"]).await;
    paid_payment(&app).await;
    pass(&app, &clock).await;
    let types: Vec<String> = only
        .received()
        .iter()
        .map(|r| r.event()["type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(types, ["payment.completed"]);
    assert_eq!(all.received().len(), event_ids(&app).await.len());
}

#[tokio::test]
async fn after_a_rotation_both_secrets_sign_for_a_day() {
    let (app, clock) = TestApp::spawn_manual_clock().await;
    let receiver = Receiver::start().await;
    let created = endpoint(&app, &receiver.url, &["payment.completed"]).await;
    let id = created["id"].as_str().unwrap();
    let old = created["secret"].as_str().unwrap().to_string();
    let (status, rotated) =
        send(app.post_form(&format!("/v1/webhook_endpoints/{id}/rotate_secret"), &[])).await;
    assert_eq!(status, 200, "{rotated}");
    let new = rotated["secret"].as_str().unwrap().to_string();
    assert_ne!(old, new);
    assert_eq!(
        rotated["previous_secret_expires_at"].as_i64().unwrap(),
        clock.now() + 86_400
    );

    paid_payment(&app).await;
    pass(&app, &clock).await;
    let during = receiver.received().pop().unwrap();
    assert!(
        verify(&during, &old).is_ok(),
        "old secret refused during the overlap"
    );
    assert!(verify(&during, &new).is_ok(), "new secret refused");
    assert_eq!(
        during.headers["x-vinr-signature"]
            .to_str()
            .unwrap()
            .matches("v1=")
            .count(),
        2
    );

    clock.advance_secs(86_401);
    let event_id = during.event()["id"].as_str().unwrap().to_string();
    let (status, resent) = send(app.post_form(&format!("/v1/events/{event_id}/resend"), &[])).await;
    assert_eq!(status, 200, "{resent}");
    pass(&app, &clock).await;
    let after = receiver.received().pop().unwrap();
    assert!(verify(&after, &new).is_ok());
    assert_eq!(
        verify(&after, &old).unwrap_err(),
        vinr::server::services::webhooks::signing::VerifyError::Mismatch
    );
}

#[tokio::test]
async fn gone_disables_the_endpoint_and_retry_after_postpones() {
    let (app, clock) = TestApp::spawn_manual_clock().await;
    let (gone, busy) = (Receiver::start().await, Receiver::start().await);
    let gone_id = endpoint(&app, &gone.url, &["payment.completed"]).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    endpoint(&app, &busy.url, &["payment.completed"]).await;
    gone.answer(1, 410, &[], "");
    busy.answer(1, 503, &[("retry-after", "600")], "slow down");
    paid_payment(&app).await;
    let first = pass(&app, &clock).await;
    assert_eq!(
        (first.failed, first.disabled_endpoints, first.retrying),
        (1, 1, 1)
    );
    let (_, fetched) = send(app.get(&format!("/v1/webhook_endpoints/{gone_id}"))).await;
    assert_eq!(
        (
            fetched["status"].as_str(),
            fetched["disabled_reason"].as_str()
        ),
        (Some("disabled"), Some("gone"))
    );

    // Retry-After 600 s beats the schedule's 5 s.
    let (_, deliveries) = send(app.get("/v1/events?type=payment.completed")).await;
    let event_id = deliveries["data"][0]["id"].as_str().unwrap().to_string();
    let (_, list) = send(app.get(&format!("/v1/events/{event_id}/deliveries"))).await;
    let pending = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["status"] == "pending")
        .unwrap()
        .clone();
    assert_eq!(
        pending["next_attempt_at"].as_i64().unwrap(),
        clock.now() + 600
    );
    clock.advance_secs(5);
    assert_eq!(pass(&app, &clock).await.taken, 0);
    clock.advance_secs(595);
    assert_eq!(pass(&app, &clock).await.delivered, 1);

    // A disabled endpoint gets no new events, even resent ones.
    paid_payment(&app).await;
    pass(&app, &clock).await;
    assert_eq!(gone.received().len(), 1);
    let (status, body) = send(app.post_form(
        &format!("/v1/events/{event_id}/resend"),
        &[("webhook_endpoint", &gone_id)],
    ))
    .await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
}

#[tokio::test]
async fn resend_keeps_the_webhook_id_so_receivers_can_dedupe() {
    let (app, clock) = TestApp::spawn_manual_clock().await;
    let receiver = Receiver::start().await;
    let created = endpoint(&app, &receiver.url, &["payment.completed"]).await;
    receiver.answer(1, 200, &[], &"é".repeat(1500));
    paid_payment(&app).await;
    pass(&app, &clock).await;
    let first = receiver.received().pop().unwrap();
    let event_id = first.headers["webhook-id"].to_str().unwrap().to_string();

    let (status, resent) = send(app.post_form(
        &format!("/v1/events/{event_id}/resend"),
        &[("webhook_endpoint", created["id"].as_str().unwrap())],
    ))
    .await;
    assert_eq!(status, 200, "{resent}");
    assert_eq!(resent["data"][0]["status"], "pending");
    assert_eq!(pass(&app, &clock).await.delivered, 1);
    let again = receiver.received().pop().unwrap();
    assert_eq!(again.headers["webhook-id"].to_str().unwrap(), event_id);
    assert_eq!(again.body, first.body, "the same event, byte for byte");
    let (_, list) = send(app.get(&format!("/v1/events/{event_id}/deliveries"))).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    // Only the first kilobyte of an answer is kept (cut inside a character: marked, not lost).
    let kept = list["data"][1]["attempts"][0]["response_body"]
        .as_str()
        .unwrap();
    assert!(kept.starts_with("éé"), "{kept}");
    assert_eq!(kept.chars().filter(|&c| c == 'é').count(), 512);

    // Unknown event, or an event nobody is subscribed to.
    let (status, body) =
        send(app.post_form("/v1/events/evt_000000000000000000000000/resend", &[])).await;
    assert_error(
        status,
        &body,
        404,
        "invalid_request_error",
        "resource_missing",
    );
    let (_, created_events) = send(app.get("/v1/events?type=payment.created")).await;
    let other = created_events["data"][0]["id"].as_str().unwrap();
    let (status, body) = send(app.post_form(&format!("/v1/events/{other}/resend"), &[])).await;
    assert_error(
        status,
        &body,
        409,
        "invalid_state",
        "no_subscribed_endpoint",
    );
}

#[tokio::test]
async fn a_batch_taken_by_an_instance_that_died_is_sent_after_its_lease() {
    let (app, clock) = TestApp::spawn_manual_clock().await;
    let receiver = Receiver::start().await;
    endpoint(&app, &receiver.url, &["payment.completed"]).await;
    paid_payment(&app).await;
    // An instance takes the batch and dies before sending.
    let taken = send::take_batch(&app.state.store, clock.now(), Some(&app.account_id))
        .await
        .unwrap();
    assert!(taken.is_some());
    drop(taken);
    assert_eq!(
        pass(&app, &clock).await.taken,
        0,
        "taken twice while leased"
    );
    clock.advance_secs(send::LEASE_SECS);
    assert_eq!(pass(&app, &clock).await.delivered, 1);
    assert_eq!(receiver.received().len(), 1);
}
