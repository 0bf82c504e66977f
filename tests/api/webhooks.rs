//! Webhooks (§9): endpoints, signed deliveries to a real receiver on loopback, retries on the
//! contract's schedule through the injected clock, rotation, 410, Retry-After, resend, and
//! deliveries that outlive the instance that took them.

use crate::helpers::{TestApp, assert_error, send};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use vinr::clock::{Clock, ManualClock};
use vinr::workers::webhooks::{self as worker, Pass};

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Received {
    pub fn event(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A scripted answer: status, extra headers, body.
type Answer = (u16, Vec<(&'static str, String)>, String);

/// A merchant's webhook receiver on loopback: records every request and answers from a script
/// (status, extra headers, body), then 200 once the script is used up.
#[derive(Clone, Default)]
pub struct Receiver {
    pub url: String,
    pub got: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<Answer>>>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let receiver = Receiver::default();
        let (got, script) = (receiver.got.clone(), receiver.script.clone());
        let app = axum::Router::new().route(
            "/hooks",
            axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let (got, script) = (got.clone(), script.clone());
                async move {
                    got.lock().unwrap().push(Received {
                        headers,
                        body: body.to_vec(),
                    });
                    let (status, extra, text) = script.lock().unwrap().pop_front().unwrap_or((
                        200,
                        Vec::new(),
                        "ok".into(),
                    ));
                    let mut response = axum::response::Response::new(axum::body::Body::from(text));
                    *response.status_mut() = StatusCode::from_u16(status).unwrap();
                    for (name, value) in extra {
                        response.headers_mut().insert(name, value.parse().unwrap());
                    }
                    response
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver {
            url: format!("http://{addr}/hooks"),
            ..receiver
        }
    }

    /// The next `n` requests get `status`.
    pub fn answer(&self, n: usize, status: u16, headers: &[(&'static str, &str)], body: &str) {
        let mut script = self.script.lock().unwrap();
        for _ in 0..n {
            script.push_back((
                status,
                headers.iter().map(|(k, v)| (*k, v.to_string())).collect(),
                body.to_string(),
            ));
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

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
    let client = worker::client();
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
) -> Result<vinr::webhooks::Event, vinr::webhooks::VerifyError> {
    vinr::webhooks::verify(&r.body, &r.headers, secret, Duration::from_secs(300))
}

#[tokio::test]
async fn endpoints_are_managed_and_their_secret_shown_once() {
    let app = TestApp::spawn().await;
    let created = endpoint(&app, "https://shop.example/hooks", &["payment.completed"]).await;
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("we_"));
    assert_eq!(created["object"], "webhook_endpoint");
    assert_eq!(created["enabled_events"], json!(["payment.completed"]));
    assert_eq!(created["status"], "enabled");
    let secret = created["secret"].as_str().unwrap();
    assert_eq!(
        vinr::webhooks::secret_key(secret).unwrap().len(),
        32,
        "{secret}"
    );

    let (status, fetched) = send(app.get(&format!("/v1/webhook_endpoints/{id}"))).await;
    assert_eq!(status, 200);
    assert!(
        fetched.get("secret").is_none(),
        "secret shown again: {fetched}"
    );

    // JSON body, default subscription, then updates.
    let (_, all) = send(app.post_json(
        "/v1/webhook_endpoints",
        &json!({"url": "http://127.0.0.1:9/x", "description": "ops"}),
    ))
    .await;
    assert_eq!(all["enabled_events"], json!(["*"]));
    let (status, updated) = send(app.post_form(
        &format!("/v1/webhook_endpoints/{id}"),
        &[
            ("url", "https://shop.example/v2/hooks"),
            ("enabled_events[]", "payment.failed"),
            ("enabled_events[]", "payment.completed"),
            ("disabled", "true"),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["url"], "https://shop.example/v2/hooks");
    assert_eq!(
        updated["enabled_events"],
        json!(["payment.failed", "payment.completed"])
    );
    assert_eq!(
        (
            updated["status"].as_str(),
            updated["disabled_reason"].as_str()
        ),
        (Some("disabled"), Some("requested"))
    );
    let (_, list) = send(app.get("/v1/webhook_endpoints")).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    assert!(list["data"][0].get("secret").is_none());

    // Bad input: clear errors, nothing created.
    let (status, body) = send(app.post_form("/v1/webhook_endpoints", &[("url", "ftp://x")])).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    assert_eq!(body["error"]["param"], "url");
    let (status, body) = send(app.post_form(
        "/v1/webhook_endpoints",
        &[
            ("url", "https://a.example"),
            ("enabled_events[]", "payment.paid"),
        ],
    ))
    .await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    assert_eq!(body["error"]["param"], "enabled_events");
    let (status, body) =
        send(app.post_form("/v1/webhook_endpoints", &[("description", "x")])).await;
    assert_eq!(
        (status, body["error"]["param"].as_str()),
        (400, Some("url"))
    );
    let (_, list) = send(app.get("/v1/webhook_endpoints")).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);

    // Another merchant and the other mode see nothing.
    let other = app.other_merchant_key().await;
    let (status, body) = send(
        app.client
            .get(app.url(&format!("/v1/webhook_endpoints/{id}")))
            .header("X-Api-Key", other),
    )
    .await;
    assert_error(
        status,
        &body,
        404,
        "invalid_request_error",
        "resource_missing",
    );
    let (_, live) = send(
        app.client
            .get(app.url("/v1/webhook_endpoints"))
            .header("X-Api-Key", &app.sk_live),
    )
    .await;
    assert_eq!(live["data"], json!([]));

    let (status, deleted) = send(
        app.client
            .delete(app.url(&format!("/v1/webhook_endpoints/{id}")))
            .header("X-Api-Key", &app.sk_test),
    )
    .await;
    assert_eq!((status, deleted["deleted"].as_bool()), (200, Some(true)));
    let (status, _) = send(app.get(&format!("/v1/webhook_endpoints/{id}"))).await;
    assert_eq!(status, 404);
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
        vinr::webhooks::VerifyError::Mismatch
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
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
}

#[tokio::test]
async fn a_batch_taken_by_an_instance_that_died_is_sent_after_its_lease() {
    let (app, clock) = TestApp::spawn_manual_clock().await;
    let receiver = Receiver::start().await;
    endpoint(&app, &receiver.url, &["payment.completed"]).await;
    paid_payment(&app).await;
    // An instance takes the batch and dies before sending.
    let taken = worker::take_batch(&app.state.store, clock.now(), Some(&app.account_id))
        .await
        .unwrap();
    assert!(taken.is_some());
    drop(taken);
    assert_eq!(
        pass(&app, &clock).await.taken,
        0,
        "taken twice while leased"
    );
    clock.advance_secs(worker::LEASE_SECS);
    assert_eq!(pass(&app, &clock).await.delivered, 1);
    assert_eq!(receiver.received().len(), 1);
}

/// Starts the real `vinr serve` on a fresh port over `data`; returns it and its secret key.
async fn serve(data: &std::path::Path) -> (tokio::process::Child, String, String) {
    use tokio::io::AsyncBufReadExt;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_vinr"))
        .arg("serve")
        .env("VINR_ADDR", format!("127.0.0.1:{port}"))
        .env("VINR_PUBLIC_URL", &base)
        .env("VINR_DATA_DIR", data)
        .env("VINR_DATABASE_URL", "")
        .env("VINR_SANDBOX_LATENCY_MS", "0")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("vinr serve starts");
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let key = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(key) = line.trim().strip_prefix("Secret key:") {
                return key.trim().to_string();
            }
        }
        panic!("vinr serve printed no key")
    })
    .await
    .expect("vinr serve printed its keys");
    // Keep reading so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, base, key)
}

/// Waits until `done` holds, up to `secs`.
async fn eventually(secs: u64, mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..secs * 10 {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    done()
}

/// Kill the server (SIGKILL) while its deliveries are still failing, start it again on the
/// same data: every event still arrives, each once. (The real binary, so on SQLite only:
/// the Postgres run covers the same queue through the in-process tests.)
#[tokio::test]
async fn deliveries_survive_a_killed_server() {
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let receiver = Receiver::start().await;
    receiver.answer(1_000, 503, &[], "down");
    let (mut server, base, key) = serve(data.path()).await;
    let client = reqwest::Client::new();
    let (status, created) = send(
        client
            .post(format!("{base}/v1/webhook_endpoints"))
            .header("X-Api-Key", &key)
            .form(&[("url", receiver.url.as_str())]),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let secret = created["secret"].as_str().unwrap().to_string();
    let (status, payment) = send(
        client
            .post(format!("{base}/v1/payments"))
            .header("X-Api-Key", &key)
            .form(&[("amount", "4999"), ("payment_method", "pm_card_visa")]),
    )
    .await;
    assert_eq!(status, 200, "{payment}");
    let (_, events) = send(
        client
            .get(format!("{base}/v1/events?limit=100"))
            .header("X-Api-Key", &key),
    )
    .await;
    let n = events["data"].as_array().unwrap().len();
    let event = events["data"][0]["id"].as_str().unwrap();
    let deliveries = format!("{base}/v1/events/{event}/deliveries");
    let mut recorded = false;
    for _ in 0..100 {
        let (_, list) = send(client.get(&deliveries).header("X-Api-Key", &key)).await;
        if list["data"][0]["attempts"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
        {
            recorded = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recorded, "first attempts not made");
    assert!(receiver.received().len() >= n);
    server.kill().await.unwrap();
    // The receiver is back; so is the server, on the same database.
    receiver.script.lock().unwrap().clear();
    let seen_before = receiver.received().len();
    let (_server, base, key) = serve(data.path()).await;
    assert!(
        eventually(20, || receiver.received().len() >= seen_before + n).await,
        "deliveries lost across the restart"
    );
    let after: Vec<Received> = receiver.received()[seen_before..].to_vec();
    let mut ids: Vec<String> = after
        .iter()
        .map(|r| verify(r, &secret).expect("signature verifies").id)
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "each event once after the restart");
    let (_, list) = send(
        client
            .get(format!("{base}/v1/events/{event}/deliveries"))
            .header("X-Api-Key", &key),
    )
    .await;
    assert_eq!(list["data"][0]["status"], "delivered", "{list}");
}
