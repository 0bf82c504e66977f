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

mod billing;
mod faults;
mod hooks;
mod loyalty;
mod payments;

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
