//! Live mode through a real processor: the Stripe connector against localstripe (the local
//! Stripe fake from PyPI, started by `tests/localstripe/serve.py`, which logs every request
//! it receives so the tests can read what VINR sent).

use crate::helpers::{TestApp, assert_error, assert_ledger_sound, send};
use reqwest::RequestBuilder;
use serde_json::Value;
use std::process::{Child, Command, Stdio};
use vinr::server::acquirer::{Attempt, AuthOutcome, CardProfile};
use vinr::server::services::acquirer_connections::connector;
use vinr::server::services::payments::CONFIRM_CALL_SECS;
use vinr::server::store::acquirer_connections::AcquirerConnectionRow;
use vinr::server::store::row;
use vinr::server::workers::reconcile::run_once_for;

mod loyalty;

/// The signing secret of the fake's webhooks to VINR.
const HOOK_SECRET: &str = "whsec_vinrtestshooks";

/// A localstripe process on a loopback port, stopped when dropped.
struct LocalStripe {
    base: String,
    log: std::path::PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

impl LocalStripe {
    /// localstripe with Stripe's idempotency replay and redirect challenge added.
    async fn start() -> LocalStripe {
        Self::start_with(&[]).await
    }

    /// localstripe as published (`--plain`).
    async fn start_plain() -> LocalStripe {
        Self::start_with(&["--plain"]).await
    }

    async fn start_with(flags: &[&str]) -> LocalStripe {
        let python = std::env::var("VINR_LOCALSTRIPE_PYTHON").expect(
            "VINR_LOCALSTRIPE_PYTHON must name the python of a venv with localstripe (make localstripe; make api-sqlite sets it)",
        );
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("requests.jsonl");
        let port_file = dir.path().join("port");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/localstripe/serve.py");
        // Port 0: the fake binds a free port itself and writes it down, so no other process
        // can take the port between our choosing it and the fake binding it.
        let mut child = Command::new(python)
            .args([script, "--port", "0", "--port-file"])
            .arg(&port_file)
            .arg("--log")
            .arg(&log)
            .args(flags)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("localstripe starts");
        // Python's imports take a second or two, far more on a loaded machine running the
        // suite's tests side by side: a minute before giving up, unless the fake exits.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let port = loop {
            if let Some(port) = std::fs::read_to_string(&port_file)
                .ok()
                .and_then(|p| p.parse::<u16>().ok())
            {
                break port;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("localstripe exited before it listened: {status}");
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("localstripe did not bind a port within a minute");
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        // Owned from here: dropping it (a failed start too) stops the process.
        let stripe = LocalStripe {
            base: format!("http://127.0.0.1:{port}"),
            log,
            child,
            _dir: dir,
        };
        // Bound before it serves: the socket queues the probe until the app runs.
        let up = reqwest::Client::new()
            .get(format!("{}/v1/balance", stripe.base))
            .bearer_auth("sk_test_probe")
            .timeout(std::time::Duration::from_secs(60))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        assert!(up, "localstripe did not answer on {}", stripe.base);
        stripe
    }

    /// Every request VINR sent, in order.
    fn requests(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Makes every API request answer 503 (`true`) or work again.
    async fn outage(&self, on: bool) {
        let status = reqwest::Client::new()
            .post(format!("{}/_vinr/outage", self.base))
            .form(&[("on", if on { "1" } else { "0" })])
            .send()
            .await
            .unwrap()
            .status();
        assert!(status.is_success());
    }

    /// Has the fake deliver its webhooks to `url`, signed with `HOOK_SECRET`.
    async fn send_webhooks_to(&self, url: &str) {
        let status = reqwest::Client::new()
            .post(format!("{}/_config/webhooks/vinr", self.base))
            .form(&[("url", url), ("secret", HOOK_SECRET)])
            .send()
            .await
            .unwrap()
            .status();
        assert!(status.is_success());
    }

    /// How many intents the fake holds whose metadata `key` is `value`.
    async fn intents_with(&self, key: &str, value: &str) -> usize {
        let intents = self.get("/v1/payment_intents?limit=100").await;
        intents["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|pi| pi["metadata"][key] == value)
            .count()
    }

    /// An object as the fake holds it.
    async fn get(&self, path: &str) -> Value {
        reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .bearer_auth("sk_live_reader")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

impl Drop for LocalStripe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl TestApp {
    fn live_post(&self, path: &str, form: &[(&str, &str)]) -> RequestBuilder {
        self.client
            .post(self.url(path))
            .header("X-Api-Key", &self.sk_live)
            .form(form)
    }

    fn live_get(&self, path: &str) -> RequestBuilder {
        self.client
            .get(self.url(path))
            .header("X-Api-Key", &self.sk_live)
    }

    /// Adds live mode's Stripe connection `acq_stripe` (the default) pointing at the fake.
    async fn go_live(&self, stripe: &LocalStripe) {
        let (status, body) = send(self.live_post(
            "/v1/acquirer_connections",
            &[
                ("id", "acq_stripe"),
                ("name", "Stripe"),
                ("kind", "stripe"),
                ("stripe[secret_key]", "sk_live_vinrtests"),
                ("stripe[api_base]", &stripe.base),
                ("stripe[webhook_secret]", HOOK_SECRET),
                ("default", "true"),
            ],
        ))
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["type"], "stripe");
        assert_eq!(body["default"], true);
        assert!(!body.to_string().contains("sk_live_vinrtests"), "{body}");
    }

    /// A live card saved through the processor.
    async fn live_card(&self, number: &str) -> Value {
        let (status, pm) = send(self.live_post(
            "/v1/payment_methods",
            &[
                ("card[number]", number),
                ("card[exp_month]", "12"),
                ("card[exp_year]", "2034"),
                ("card[cvc]", "123"),
            ],
        ))
        .await;
        assert_eq!(status, 200, "{pm}");
        pm
    }

    /// A Stripe event about `object`, signed at `t` with the connection's secret, posted to
    /// the processor hook `hook`.
    async fn processor_event(
        &self,
        hook: &str,
        kind: &str,
        object: &Value,
        t: i64,
    ) -> (u16, Value) {
        let (body, signature) = signed_event(kind, object.clone(), t, HOOK_SECRET);
        send(
            self.client
                .post(hook)
                .header("Stripe-Signature", signature)
                .body(body),
        )
        .await
    }

    /// Live mode's Stripe connector, as the server builds it from the stored connection.
    async fn connector(&self) -> std::sync::Arc<dyn vinr::server::acquirer::Acquirer> {
        let connection = row::find::<AcquirerConnectionRow>(
            self.state.store.reader(),
            &self.account_id,
            "live",
            "acq_stripe",
        )
        .await
        .unwrap()
        .unwrap();
        connector(
            &self.state.acquirers,
            &self.state.config.secret,
            &connection,
        )
        .unwrap()
    }

    /// The state a confirm leaves when its instance dies after the processor answered and
    /// before the answer was recorded: a live payment `processing` with attempt `attempt`
    /// claimed (its deadline running), and the processor asked (the confirm's own call, with
    /// the same reference). Answers the payment's id and what the processor said.
    async fn lose_an_answer(
        &self,
        number: &str,
        amount: i64,
        attempt: &str,
    ) -> (String, AuthOutcome) {
        let pm = self.live_card(number).await;
        let pm = pm["id"].as_str().unwrap().to_string();
        let (_, pay) = send(self.live_post(
            "/v1/payments",
            &[("amount", &amount.to_string()), ("currency", "EUR")],
        ))
        .await;
        let id = pay["id"].as_str().unwrap().to_string();
        let mut tx = self.state.store.begin().await.unwrap();
        sqlx::query(
            "UPDATE payments SET status = 'processing', payment_method = $2, acquirer_call_until = $3,
                 attempt = $4 WHERE id = $1",
        )
        .bind(&id)
        .bind(&pm)
        .bind(self.state.clock.now() + CONFIRM_CALL_SECS)
        .bind(attempt)
        .execute(tx.conn().await.unwrap())
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let acquirer = self.connector().await;
        // The card's processor token, as VINR stored it.
        let token: String =
            sqlx::query_scalar("SELECT processor_token FROM payment_methods WHERE id = $1")
                .bind(&pm)
                .fetch_one(self.state.store.reader())
                .await
                .unwrap();
        let card = CardProfile {
            token: Some(token),
            ..Default::default()
        };
        let said = acquirer
            .authorize(&Attempt {
                reference: attempt,
                payment_id: &id,
                card: &card,
                amount,
                currency: "EUR",
                manual_capture: false,
                off_session: false,
                return_url: None,
                statement_descriptor: None,
            })
            .await;
        (id, said)
    }
}

#[tokio::test]
async fn live_mode_needs_a_processor_and_refuses_sandbox_and_test_cards() {
    let stripe = LocalStripe::start().await;
    let app = TestApp::spawn().await;
    // No processor yet: live payments say how to add one.
    let (status, body) =
        send(app.live_post("/v1/payments", &[("amount", "500"), ("currency", "EUR")])).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("kind=stripe"),
        "{body}"
    );
    let (_, listed) = send(app.live_get("/v1/acquirer_connections")).await;
    assert_eq!(
        listed["data"].as_array().unwrap().len(),
        0,
        "live mode starts with none"
    );
    // Live mode takes no sandbox connection and no test key; a refused key is reported now.
    let bad = [
        (vec![("id", "acq_sim"), ("kind", "sandbox")], "kind", None),
        (
            vec![
                ("id", "acq_s"),
                ("kind", "stripe"),
                ("stripe[secret_key]", "sk_test_abc"),
            ],
            "stripe[secret_key]",
            None,
        ),
        (
            // localstripe answers 401 to a key that is not an sk_ key.
            vec![
                ("id", "acq_s"),
                ("kind", "stripe"),
                ("stripe[secret_key]", "rk_live_abc"),
                ("stripe[api_base]", &stripe.base),
            ],
            "stripe[secret_key]",
            Some("processor_key_invalid"),
        ),
        (
            vec![
                ("id", "acq_s"),
                ("kind", "stripe"),
                ("stripe[secret_key]", "sk_live_abc"),
                ("stripe[api_base]", "http://127.0.0.1:9"),
            ],
            "stripe[secret_key]",
            Some("processor_key_invalid"),
        ),
        (
            // A host the operator does not allow is never called.
            vec![
                ("id", "acq_s"),
                ("kind", "stripe"),
                ("stripe[secret_key]", "sk_live_abc"),
                ("stripe[api_base]", "https://10.0.0.1"),
            ],
            "stripe[api_base]",
            None,
        ),
    ];
    for (form, param, code) in bad {
        let (status, body) = send(app.live_post("/v1/acquirer_connections", &form)).await;
        assert_eq!(status, 400, "{form:?}: {body}");
        assert_eq!(body["error"]["param"], param, "{body}");
        if let Some(code) = code {
            assert_eq!(body["error"]["code"], code, "{body}");
        }
    }
    app.go_live(&stripe).await;
    // A test card never reaches the processor in live mode; nor does a test token.
    let before = stripe.requests().len();
    let (status, body) = send(app.live_post(
        "/v1/payment_methods",
        &[
            ("card[number]", "4242424242424242"),
            ("card[exp_month]", "12"),
            ("card[exp_year]", "2034"),
            ("card[cvc]", "123"),
        ],
    ))
    .await;
    assert_error(status, &body, 402, "card_error", "card_declined");
    assert_eq!(body["error"]["decline_code"], "live_mode_test_card");
    let (status, _) = send(app.live_post(
        "/v1/payments",
        &[
            ("amount", "500"),
            ("currency", "EUR"),
            ("payment_method", "pm_card_visa"),
        ],
    ))
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        stripe.requests().len(),
        before,
        "nothing was sent to the processor"
    );
    // A sandbox connection named in live mode is refused too (the test mode one exists).
    let pm = app.live_card("4111111111111111").await;
    let (status, body) = send(app.live_post(
        "/v1/payments",
        &[
            ("amount", "500"),
            ("currency", "EUR"),
            ("payment_method", pm["id"].as_str().unwrap()),
            ("routing[preferred_acquirer]", "acq_sandbox"),
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
    assert_eq!(body["error"]["param"], "routing[preferred_acquirer]");
}

#[tokio::test]
async fn a_live_payment_is_authorised_captured_and_refunded_at_the_processor() {
    let stripe = LocalStripe::start().await;
    let app = TestApp::spawn().await;
    app.go_live(&stripe).await;
    let pm = app.live_card("4111111111111111").await;
    assert_eq!(pm["card"]["last4"], "1111");
    let (status, pay) = send(app.live_post(
        "/v1/payments",
        &[
            ("amount", "5000"),
            ("currency", "EUR"),
            ("payment_method", pm["id"].as_str().unwrap()),
            ("capture_method", "manual"),
            ("statement_descriptor", "VINR SHOP"),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{pay}");
    assert_eq!(pay["status"], "requires_capture");
    assert_eq!(pay["acquirer"], "acq_stripe");
    assert_eq!(pay["livemode"], true);
    let id = pay["id"].as_str().unwrap();
    let charge = pay["latest_charge"].as_str().unwrap();

    // What reached the processor: the card once (to tokenise it), then only its token, with
    // our attempt (the charge id) as the idempotency key.
    let sent = stripe.requests();
    let intent = sent
        .iter()
        .find(|r| r["path"] == "/v1/payment_intents")
        .expect("an intent was created");
    assert_eq!(intent["idempotency_key"], charge);
    assert_eq!(intent["form"]["amount"], "5000");
    assert_eq!(intent["form"]["currency"], "eur");
    assert_eq!(intent["form"]["capture_method"], "manual");
    assert_eq!(intent["form"]["statement_descriptor_suffix"], "VINR SHOP");
    assert_eq!(intent["form"]["metadata[vinr_attempt]"], charge);
    for r in &sent {
        if r["path"] != "/v1/payment_methods" {
            assert!(!r.to_string().contains("4111111111111111"), "{r}");
        }
    }

    let (status, captured) = send(app.live_post(
        &format!("/v1/payments/{id}/capture"),
        &[("amount_to_capture", "3000")],
    ))
    .await;
    assert_eq!(status, 200, "{captured}");
    assert_eq!(captured["status"], "succeeded");
    assert_eq!(captured["amount_received"], 3000);
    let pi_id = stripe.requests().iter().rev().find_map(|r| {
        r["path"]
            .as_str()
            .unwrap()
            .strip_suffix("/capture")
            .map(|p| p.trim_start_matches("/v1/payment_intents/").to_string())
    });
    let pi = stripe
        .get(&format!("/v1/payment_intents/{}", pi_id.unwrap()))
        .await;
    assert_eq!(pi["status"], "succeeded", "{pi}");
    assert_eq!(pi["metadata"]["vinr_attempt"], charge);

    let (status, refund) =
        send(app.live_post("/v1/refunds", &[("payment", id), ("amount", "1000")])).await;
    assert_eq!(status, 200, "{refund}");
    assert_eq!(refund["status"], "succeeded");
    let refunds: Vec<Value> = stripe
        .requests()
        .into_iter()
        .filter(|r| r["path"] == "/v1/refunds")
        .collect();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0]["form"]["amount"], "1000");
    assert_eq!(refunds[0]["idempotency_key"], refund["id"]);
    let (_, after) = send(app.live_get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(after["amount_refunded"], 1000);

    // Partial reversal is not something Stripe does: a clear 400, the hold untouched.
    let pm2 = app.live_card("5105105105105100").await;
    let (_, held) = send(app.live_post(
        "/v1/payments",
        &[
            ("amount", "800"),
            ("currency", "EUR"),
            ("payment_method", pm2["id"].as_str().unwrap()),
            ("capture_method", "manual"),
        ],
    ))
    .await;
    let held_id = held["id"].as_str().unwrap();
    let (status, body) = send(app.live_post(
        &format!("/v1/payments/{held_id}/reverse"),
        &[("amount", "300")],
    ))
    .await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    let (status, canceled) =
        send(app.live_post(&format!("/v1/payments/{held_id}/cancel"), &[])).await;
    assert_eq!(status, 200, "{canceled}");
    assert_eq!(canceled["status"], "canceled");
    assert!(
        stripe
            .requests()
            .iter()
            .any(|r| r["path"].as_str().unwrap().ends_with("/cancel")),
        "the hold was released at the processor"
    );
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn declines_and_challenges_come_from_the_processor() {
    let stripe = LocalStripe::start().await;
    let app = TestApp::spawn().await;
    app.go_live(&stripe).await;
    // Stripe's "charge fails" card: declined at the authorisation.
    let pm = app.live_card("4000000000000341").await;
    let (status, body) = send(app.live_post(
        "/v1/payments",
        &[
            ("amount", "900"),
            ("currency", "EUR"),
            ("payment_method", pm["id"].as_str().unwrap()),
        ],
    ))
    .await;
    assert_error(status, &body, 402, "card_error", "card_declined");

    // Stripe's "always authenticate" card: a challenge at the processor's page, which sends
    // the customer back to VINR, which asks the processor how it ended.
    let pm = app.live_card("4000002760003184").await;
    let (status, pay) = send(app.live_post(
        "/v1/payments",
        &[
            ("amount", "1200"),
            ("currency", "EUR"),
            ("payment_method", pm["id"].as_str().unwrap()),
            ("return_url", "https://shop.example/done"),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{pay}");
    assert_eq!(pay["status"], "requires_action");
    let id = pay["id"].as_str().unwrap();
    let url = pay["next_action"]["redirect_to_url"]["url"]
        .as_str()
        .unwrap();
    assert!(url.starts_with(&format!("{}/_acs/", stripe.base)), "{url}");
    assert_eq!(
        pay["next_action"]["redirect_to_url"]["return_url"],
        "https://shop.example/done"
    );
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let acs = browser
        .post(url)
        .form(&[("result", "complete")])
        .send()
        .await
        .unwrap();
    let back = acs.headers()["location"].to_str().unwrap().to_string();
    assert!(back.ends_with(&format!("/processor/return/{id}")), "{back}");
    let done = browser
        .get(app.url(&format!("/processor/return/{id}")))
        .send()
        .await
        .unwrap();
    let target = done.headers()["location"].to_str().unwrap().to_string();
    assert!(
        target.starts_with("https://shop.example/done?payment_id="),
        "{target}"
    );
    assert!(target.ends_with("status=succeeded"), "{target}");
    let (_, paid) = send(app.live_get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(paid["status"], "succeeded");
    assert_eq!(paid["amount_received"], 1200);
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn an_answer_lost_in_a_crash_is_looked_up_never_charged_twice() {
    let stripe = LocalStripe::start().await;
    let (app, clock) = TestApp::spawn_manual_clock().await;
    app.go_live(&stripe).await;
    let attempt = "ch_lostanswer000000000001";
    let (id, first) = app.lose_an_answer("4111111111111111", 700, attempt).await;
    assert!(matches!(first, AuthOutcome::Authorized { .. }), "{first:?}");

    clock.advance_secs(CONFIRM_CALL_SECS + 1);
    let deps = app.state.payment_deps();
    let done = run_once_for(&deps, app.state.clock.now(), Some(&app.account_id))
        .await
        .unwrap();
    assert_eq!(done.payments, 1);
    let (_, paid) = send(app.live_get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(paid["status"], "succeeded", "{paid}");
    assert_eq!(paid["latest_charge"], attempt);
    // The reconciler looked the intent up (search, which the fake lacks, then the list) and
    // made none: one intent exists at the processor.
    let sent = stripe.requests();
    let creates = sent
        .iter()
        .filter(|r| r["path"] == "/v1/payment_intents" && r["method"] == "POST")
        .count();
    assert_eq!(creates, 1);
    assert!(
        sent.iter()
            .any(|r| r["path"] == "/v1/payment_intents/search")
    );
    assert!(
        sent.iter()
            .any(|r| r["path"] == "/v1/payment_intents" && r["method"] == "GET")
    );
    let ours = stripe.intents_with("vinr_attempt", attempt).await;
    assert_eq!(ours, 1, "charged once");
    assert_ledger_sound(&app).await;
}

/// A Stripe event signed as Stripe signs them (`Stripe-Signature: t=…,v1=…`) at `t`.
fn signed_event(kind: &str, object: Value, t: i64, secret: &str) -> (String, String) {
    let body = serde_json::json!({
        "id": "evt_test", "object": "event", "type": kind, "created": t,
        "data": {"object": object},
    })
    .to_string();
    let mac =
        vinr::server::crypto::hmac_sha256(secret.as_bytes(), format!("{t}.{body}").as_bytes());
    let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
    (body, format!("t={t},v1={hex}"))
}

#[tokio::test]
async fn a_processor_outage_leaves_the_attempt_processing_for_the_reconciler() {
    let stripe = LocalStripe::start().await;
    let (app, clock) = TestApp::spawn_manual_clock().await;
    app.go_live(&stripe).await;
    let pm = app.live_card("4111111111111111").await;
    stripe.outage(true).await;
    let (status, pay) = send(app.live_post(
        "/v1/payments",
        &[
            ("amount", "650"),
            ("currency", "EUR"),
            ("payment_method", pm["id"].as_str().unwrap()),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{pay}");
    assert_eq!(
        pay["status"], "processing",
        "no answer: the attempt stays open"
    );
    let id = pay["id"].as_str().unwrap().to_string();
    // A refund while the processor is down waits too (on another, paid payment).
    stripe.outage(false).await;
    let (_, paid) = send(app.live_post(
        "/v1/payments",
        &[
            ("amount", "900"),
            ("currency", "EUR"),
            ("payment_method", pm["id"].as_str().unwrap()),
        ],
    ))
    .await;
    assert_eq!(paid["status"], "succeeded", "{paid}");
    stripe.outage(true).await;
    let (status, refund) = send(app.live_post(
        "/v1/refunds",
        &[("payment", paid["id"].as_str().unwrap()), ("amount", "400")],
    ))
    .await;
    assert_eq!(status, 200, "{refund}");
    assert_eq!(refund["status"], "pending");
    stripe.outage(false).await;

    clock.advance_secs(CONFIRM_CALL_SECS + 1);
    let deps = app.state.payment_deps();
    let done = run_once_for(&deps, app.state.clock.now(), Some(&app.account_id))
        .await
        .unwrap();
    assert_eq!((done.payments, done.refunds), (1, 1), "{done:?}");
    let (_, after) = send(app.live_get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(after["status"], "succeeded", "{after}");
    let (_, refunded) =
        send(app.live_get(&format!("/v1/refunds/{}", refund["id"].as_str().unwrap()))).await;
    assert_eq!(refunded["status"], "succeeded", "{refunded}");
    // One intent for the attempt the outage interrupted, one refund.
    let for_attempt = stripe.intents_with("vinr_payment", &id).await;
    assert_eq!(for_attempt, 1);
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn the_processors_webhooks_settle_what_its_answers_left_open() {
    let stripe = LocalStripe::start().await;
    let (app, clock) = TestApp::spawn_manual_clock().await;
    app.go_live(&stripe).await;
    let hook = app.url("/v1/processor_hooks/acq_stripe");
    stripe.send_webhooks_to(&hook).await;

    // Unsigned, wrongly signed, stale or for an unknown connection: refused.
    let now = app.state.clock.now();
    let (body, good) = signed_event("refund.updated", serde_json::json!({}), now, HOOK_SECRET);
    let (_, wrong) = signed_event("refund.updated", serde_json::json!({}), now, "whsec_other");
    let (_, stale) = signed_event(
        "refund.updated",
        serde_json::json!({}),
        now - 600,
        HOOK_SECRET,
    );
    for (url, signature) in [
        (hook.clone(), None),
        (hook.clone(), Some(wrong)),
        (hook.clone(), Some(stale)),
        (app.url("/v1/processor_hooks/acq_other"), Some(good.clone())),
    ] {
        let mut req = app.client.post(&url).body(body.clone());
        if let Some(signature) = signature {
            req = req.header("Stripe-Signature", signature);
        }
        let (status, answer) = send(req).await;
        assert_error(
            status,
            &answer,
            400,
            "invalid_request_error",
            "signature_invalid",
        );
    }
    let (status, answer) = send(
        app.client
            .post(&hook)
            .header("Stripe-Signature", good)
            .body(body),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["recorded"], false);

    // An answer lost with its instance: the processor's own webhook (localstripe's
    // payment_intent.succeeded) records it once nobody waits on the call.
    let attempt = "ch_losthook00000000000001";
    let (id, _) = app.lose_an_answer("4111111111111111", 820, attempt).await;
    // Its webhook comes a second later, once nobody waits on the call any more.
    clock.advance_secs(CONFIRM_CALL_SECS + 1);
    let mut status = Value::Null;
    for _ in 0..50 {
        let (_, now) = send(app.live_get(&format!("/v1/payments/{id}"))).await;
        status = now["status"].clone();
        if status == "succeeded" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, "succeeded", "recorded from the processor's webhook");

    // A refund left pending (the processor was down): its refund.updated settles it, once
    // the request that made it can no longer be waiting.
    stripe.outage(true).await;
    let (_, refund) =
        send(app.live_post("/v1/refunds", &[("payment", &id), ("amount", "300")])).await;
    assert_eq!(refund["status"], "pending", "{refund}");
    stripe.outage(false).await;
    let refund_id = refund["id"].as_str().unwrap();
    let object = serde_json::json!({"id": "re_x", "object": "refund", "status": "succeeded",
        "amount": 300, "metadata": {"vinr_refund": refund_id}});
    let deliver = |t: i64| app.processor_event(&hook, "refund.updated", &object, t);
    let (status, answer) = deliver(app.state.clock.now()).await;
    assert_error(
        status,
        &answer,
        409,
        "invalid_request_error",
        "request_in_flight",
    );
    clock.advance_secs(61);
    let (status, answer) = deliver(app.state.clock.now()).await;
    assert_eq!(
        (status, answer["recorded"].clone()),
        (200, Value::Bool(true)),
        "{answer}"
    );
    let (_, settled) = send(app.live_get(&format!("/v1/refunds/{refund_id}"))).await;
    assert_eq!(settled["status"], "succeeded");
    let (_, paid) = send(app.live_get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(paid["amount_refunded"], 300);
    // The same delivery again changes nothing.
    let (status, answer) = deliver(app.state.clock.now()).await;
    assert_eq!(
        (status, answer["recorded"].clone()),
        (200, Value::Bool(false))
    );
    assert_ledger_sound(&app).await;

    // Days later the issuer sends the refund back: it failed after all. The payment is whole
    // again, the merchant's balance gets the money back (a reversal posting), refund.failed.
    let failed = serde_json::json!({"id": "re_x", "object": "refund", "status": "failed",
        "failure_reason": "lost_or_stolen_card", "amount": 300, "metadata": {"vinr_refund": refund_id}});
    let send_failed =
        || app.processor_event(&hook, "refund.updated", &failed, app.state.clock.now());
    let (status, answer) = send_failed().await;
    assert_eq!(
        (status, answer["recorded"].clone()),
        (200, Value::Bool(true)),
        "{answer}"
    );
    let (_, turned) = send(app.live_get(&format!("/v1/refunds/{refund_id}"))).await;
    assert_eq!(turned["status"], "failed", "{turned}");
    let (_, whole) = send(app.live_get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(
        (whole["status"].as_str(), whole["amount_refunded"].as_i64()),
        (Some("succeeded"), Some(0))
    );
    let (_, events) = send(app.live_get("/v1/events?type=refund.failed")).await;
    assert_eq!(events["data"].as_array().unwrap().len(), 1);
    let (_, ledger) = send(app.live_get(&format!("/v1/ledger/transactions?payment={id}"))).await;
    let kinds: Vec<&str> = ledger["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["type"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"refund_reversal"), "{kinds:?}");
    let (status, answer) = send_failed().await;
    assert_eq!(
        (status, answer["recorded"].clone()),
        (200, Value::Bool(false))
    );
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn a_live_subscription_is_charged_off_session_with_the_saved_token() {
    let stripe = LocalStripe::start().await;
    let (app, clock) = TestApp::spawn_manual_clock().await;
    app.go_live(&stripe).await;
    let (_, cust) = send(app.live_post("/v1/customers", &[("email", "live@example.com")])).await;
    let cust = cust["id"].as_str().unwrap().to_string();
    let pm = app.live_card("4111111111111111").await;
    let pm = pm["id"].as_str().unwrap().to_string();
    let (status, body) = send(app.live_post(
        &format!("/v1/payment_methods/{pm}/attach"),
        &[("customer", &cust)],
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    send(app.live_post(
        &format!("/v1/customers/{cust}"),
        &[("default_payment_method", &pm)],
    ))
    .await;
    let (status, _) = send(app.live_post(
        "/v1/products",
        &[("id", "prod_live"), ("name", "Live plan")],
    ))
    .await;
    assert_eq!(status, 200);
    let (status, price) = send(app.live_post(
        "/v1/prices",
        &[
            ("product", "prod_live"),
            ("unit_amount", "1500"),
            ("currency", "EUR"),
            ("recurring[interval]", "month"),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{price}");
    let (status, sub) = send(app.live_post(
        "/v1/subscriptions",
        &[
            ("customer", &cust),
            ("items[0][price]", price["id"].as_str().unwrap()),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{sub}");
    assert_eq!(sub["status"], "active", "{sub}");
    let sub_id = sub["id"].as_str().unwrap().to_string();
    let token: String =
        sqlx::query_scalar("SELECT processor_token FROM payment_methods WHERE id = $1")
            .bind(&pm)
            .fetch_one(app.state.store.reader())
            .await
            .unwrap();
    let intent_of = |payment: &str| {
        stripe.requests().into_iter().find(|r| {
            r["path"] == "/v1/payment_intents" && r["form"]["metadata[vinr_payment]"] == payment
        })
    };
    // The first invoice is charged once the subscription and its attempt are written (a lost
    // answer is then looked up), with the saved token; a 3-D Secure card would be asked to
    // pay on the hosted invoice page.
    let (_, first) = send(app.live_get(&format!(
        "/v1/invoices/{}",
        sub["latest_invoice"].as_str().unwrap()
    )))
    .await;
    assert_eq!(first["status"], "paid", "{first}");
    let charge = intent_of(first["payment"].as_str().unwrap()).expect("the first intent");
    assert_eq!(charge["form"]["payment_method"], token.as_str());
    // error_if_incomplete cannot be kept through a processor (nothing may be written before
    // the answer, and the answer must not be lost): refused, nothing written.
    let (status, body) = send(app.live_post(
        "/v1/subscriptions",
        &[
            ("customer", &cust),
            ("items[0][price]", price["id"].as_str().unwrap()),
            ("payment_behavior", "error_if_incomplete"),
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
    assert_eq!(body["error"]["param"], "payment_behavior");

    // The renewal, a month on: made, a draft for an hour, then charged with the saved token,
    // the customer not there.
    let deps = app.state.payment_deps();
    let mine = vinr::server::services::billing::engine::Scope::Account(&app.account_id);
    clock.advance_secs(32 * 86_400);
    vinr::server::services::billing::engine::drain_wall(&deps, 100, mine)
        .await
        .unwrap();
    clock.advance_secs(3_601);
    vinr::server::services::billing::engine::drain_wall(&deps, 100, mine)
        .await
        .unwrap();
    let (_, invoices) = send(app.live_get(&format!("/v1/invoices?subscription={sub_id}"))).await;
    let renewal = &invoices["data"][0];
    assert_eq!(
        renewal["billing_reason"], "subscription_cycle",
        "{invoices}"
    );
    assert_eq!(renewal["status"], "paid", "{renewal}");
    let charge = intent_of(renewal["payment"].as_str().unwrap()).expect("the renewal's intent");
    assert_eq!(charge["form"]["payment_method"], token.as_str());
    assert_eq!(charge["form"]["off_session"], "true", "{charge}");
    assert_eq!(charge["form"]["amount"], "1500");
    assert!(
        charge["form"]["return_url"].is_null(),
        "off session: no challenge to return from"
    );
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn no_card_number_reaches_vinrs_database() {
    let stripe = LocalStripe::start().await;
    let app = TestApp::spawn().await;
    let Some(path) = app.sqlite_path.clone() else {
        return; // The Postgres pass: the SQLite pass reads the file.
    };
    app.go_live(&stripe).await;
    let numbers = ["4111111111111111", "5105105105105100", "4000002760003184"];
    for number in numbers {
        let pm = app.live_card(number).await;
        send(app.live_post(
            "/v1/payments",
            &[
                ("amount", "300"),
                ("currency", "EUR"),
                ("payment_method", pm["id"].as_str().unwrap()),
            ],
        ))
        .await;
    }
    // The processor got each number (that is where it goes) …
    let sent = stripe.requests();
    for number in numbers {
        assert!(sent.iter().any(|r| r["form"]["card[number]"] == number));
    }
    // … and VINR's database does not (its log included).
    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(format!("{}-wal", path.display())) {
        bytes.extend(wal);
    }
    for number in numbers {
        let found = bytes.windows(number.len()).any(|w| w == number.as_bytes());
        assert!(!found, "{number} reached the database");
    }
}

#[tokio::test]
async fn the_published_fake_without_idempotency_or_redirects_still_charges_once() {
    let stripe = LocalStripe::start_plain().await;
    let (app, clock) = TestApp::spawn_manual_clock().await;
    app.go_live(&stripe).await;
    // It refuses return_url and statement_descriptor_suffix: the payment goes through without.
    let pm = app.live_card("4111111111111111").await;
    let (status, pay) = send(app.live_post(
        "/v1/payments",
        &[
            ("amount", "990"),
            ("currency", "EUR"),
            ("payment_method", pm["id"].as_str().unwrap()),
            ("return_url", "https://shop.example/done"),
            ("statement_descriptor", "SHOP"),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{pay}");
    assert_eq!(pay["status"], "succeeded");

    // A refund whose answer was lost: pending here (the processor was down when asked),
    // then made at the processor by the request's own call before it died.
    let paid_id = pay["id"].as_str().unwrap();
    stripe.outage(true).await;
    let (_, refund) =
        send(app.live_post("/v1/refunds", &[("payment", paid_id), ("amount", "200")])).await;
    assert_eq!(refund["status"], "pending", "{refund}");
    stripe.outage(false).await;
    let refund_id = refund["id"].as_str().unwrap();
    let pi: String = sqlx::query_scalar("SELECT processor_ref FROM payments WHERE id = $1")
        .bind(paid_id)
        .fetch_one(app.state.store.reader())
        .await
        .unwrap();
    let card = CardProfile::default();
    app.connector()
        .await
        .refund(
            refund_id,
            &vinr::server::acquirer::Hold {
                reference: "unused",
                card: &card,
                processor_ref: Some(&pi),
            },
            200,
        )
        .await
        .unwrap();

    // A lost authorisation: the fake would charge again for the same key, so the lookup
    // finds the intent in the list first; the refund is found among the intent's refunds.
    let attempt = "ch_plainlost0000000000001";
    let (id, _) = app.lose_an_answer("5105105105105100", 440, attempt).await;
    clock.advance_secs(CONFIRM_CALL_SECS + 1);
    let deps = app.state.payment_deps();
    let done = run_once_for(&deps, app.state.clock.now(), Some(&app.account_id))
        .await
        .unwrap();
    assert_eq!((done.payments, done.refunds), (1, 1), "{done:?}");
    let (_, refunded) = send(app.live_get(&format!("/v1/refunds/{refund_id}"))).await;
    assert_eq!(refunded["status"], "succeeded");
    let refunds = stripe
        .get(&format!("/v1/refunds?payment_intent={pi}"))
        .await;
    assert_eq!(
        refunds["data"].as_array().unwrap().len(),
        1,
        "refunded once"
    );
    let (_, paid) = send(app.live_get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(paid["status"], "succeeded", "{paid}");
    let for_attempt = stripe.intents_with("vinr_attempt", attempt).await;
    assert_eq!(for_attempt, 1, "charged once");
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn a_test_mode_stripe_connection_takes_the_guides_test_tokens() {
    let stripe = LocalStripe::start().await;
    let app = TestApp::spawn().await;
    let (status, body) = send(app.post_form(
        "/v1/acquirer_connections",
        &[
            ("id", "acq_stripe_test"),
            ("kind", "stripe"),
            ("stripe[secret_key]", "sk_test_vinrtests"),
            ("stripe[api_base]", &stripe.base),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["default"], false,
        "the sandbox stays test mode's default"
    );
    // Stripe's own pm_card_visa, through the processor; the sandbox still answers the rest.
    let (status, pay) = send(app.post_form(
        "/v1/payments",
        &[
            ("amount", "1000"),
            ("currency", "EUR"),
            ("payment_method", "pm_card_visa"),
            ("routing[preferred_acquirer]", "acq_stripe_test"),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{pay}");
    assert_eq!(pay["status"], "succeeded");
    assert_eq!(pay["acquirer"], "acq_stripe_test");
    let sent = stripe.requests();
    let intent = sent
        .iter()
        .find(|r| r["path"] == "/v1/payment_intents")
        .expect("sent to the processor");
    assert_eq!(intent["form"]["payment_method"], "pm_card_visa");
    // A sandbox payment method saved earlier cannot go through the processor.
    let (_, sandbox_pay) = send(app.post_form(
        "/v1/payments",
        &[
            ("amount", "500"),
            ("currency", "EUR"),
            ("payment_method", "pm_card_visa"),
        ],
    ))
    .await;
    assert_eq!(sandbox_pay["acquirer"], "acq_sandbox");
    let saved = sandbox_pay["payment_method"].as_str().unwrap();
    let (status, body) = send(app.post_form(
        "/v1/payments",
        &[
            ("amount", "500"),
            ("currency", "EUR"),
            ("payment_method", saved),
            ("routing[preferred_acquirer]", "acq_stripe_test"),
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
    assert_eq!(body["error"]["param"], "payment_method");
}

#[tokio::test]
async fn a_dispute_reported_by_the_processor_is_recorded_and_announced() {
    let stripe = LocalStripe::start().await;
    let app = TestApp::spawn().await;
    app.go_live(&stripe).await;
    let pm = app.live_card("4111111111111111").await;
    let (_, pay) = send(app.live_post(
        "/v1/payments",
        &[
            ("amount", "2000"),
            ("currency", "EUR"),
            ("payment_method", pm["id"].as_str().unwrap()),
        ],
    ))
    .await;
    let id = pay["id"].as_str().unwrap();
    let pi: String = sqlx::query_scalar("SELECT processor_ref FROM payments WHERE id = $1")
        .bind(id)
        .fetch_one(app.state.store.reader())
        .await
        .unwrap();
    let hook = app.url("/v1/processor_hooks/acq_stripe");
    let dispute = |status: &str| {
        let object = serde_json::json!({"id": "dp_1", "object": "dispute", "amount": 2000,
            "currency": "eur", "reason": "fraudulent", "status": status, "created": 1_800_000_000,
            "payment_intent": pi, "charge": "ch_x"});
        let (body, signature) = signed_event(
            "charge.dispute.created",
            object,
            app.state.clock.now(),
            HOOK_SECRET,
        );
        send(
            app.client
                .post(&hook)
                .header("Stripe-Signature", signature)
                .body(body),
        )
    };
    let (status, answer) = dispute("needs_response").await;
    assert_eq!(
        (status, answer["recorded"].clone()),
        (200, Value::Bool(true)),
        "{answer}"
    );
    let (_, disputed) = send(app.live_get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(disputed["dispute"]["id"], "dp_1", "{disputed}");
    assert_eq!(disputed["dispute"]["reason"], "fraudulent");
    assert_eq!(disputed["dispute"]["status"], "needs_response");
    assert_eq!(disputed["status"], "succeeded");
    // The same news again is not news; a new status is.
    let (_, again) = dispute("needs_response").await;
    assert_eq!(again["recorded"], false);
    let (_, lost) = dispute("lost").await;
    assert_eq!(lost["recorded"], true);
    let (_, events) = send(app.live_get("/v1/events?type=payment.disputed")).await;
    let events = events["data"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["data"]["object"]["dispute"]["status"], "lost");
    assert_ledger_sound(&app).await;
}
