//! Test harness: spawns the app on port 0 with a fresh database and a fresh merchant.
//!
//! SQLite: a new file in a temporary folder per test. Postgres (`TEST_DATABASE_URL` set): one
//! database per run, shared by the tests, each test isolated by its own merchant account.

use reqwest::{Client, RequestBuilder, Response};
use serde_json::Value;
use std::sync::Arc;
use vinr::server::Application;
use vinr::server::clock::{Clock, ManualClock, SystemClock};
use vinr::server::config::Config;
use vinr::server::crypto::{Secret, random_base62};
use vinr::server::services::accounts;
use vinr::server::state::AppState;

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub state: AppState,
    pub account_id: String,
    pub email: String,
    pub password: String,
    pub sk_test: String,
    pub pk_test: String,
    pub sk_live: String,
    /// The SQLite file, when the test runs on SQLite.
    pub sqlite_path: Option<std::path::PathBuf>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with_clock(Arc::new(SystemClock)).await
    }

    pub async fn spawn_manual_clock() -> (TestApp, ManualClock) {
        let clock = ManualClock::starting_at(SystemClock.now());
        (Self::spawn_with_clock(Arc::new(clock.clone())).await, clock)
    }

    pub async fn spawn_with_clock(clock: Arc<dyn Clock>) -> TestApp {
        Self::spawn_configured(clock, |_| {}).await
    }

    /// A server whose configuration `tweak` changes first.
    pub async fn spawn_configured(
        clock: Arc<dyn Clock>,
        tweak: impl FnOnce(&mut Config),
    ) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let (database_url, sqlite_path) = match std::env::var("TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => (url, None),
            _ => {
                let path = dir.path().join("vinr.db");
                (format!("sqlite://{}?mode=rwc", path.display()), Some(path))
            }
        };
        let mut config = Config {
            database_url,
            addr: "127.0.0.1:0".parse().unwrap(),
            public_url: "http://127.0.0.1".into(),
            secret: Secret::new(random_base62(48)),
            data_dir: dir.path().to_path_buf(),
            sandbox_latency: std::time::Duration::ZERO,
            fees: Default::default(),
            settlement_delay_secs: vinr::server::config::DEFAULT_SETTLEMENT_DELAY_SECS,
            allow_signup: true,
            demo_shop_addr: None,
            processor_timeouts: Default::default(),
            // Stripe, and the local fake the connector's tests start.
            processor_hosts: vec!["api.stripe.com".into(), "127.0.0.1".into()],
        };
        tweak(&mut config);
        let app = Application::build(config, clock.clone())
            .await
            .expect("app builds");
        let base = format!("http://{}", app.local_addr());
        let state = app.state().clone();
        let email = format!("merchant-{}@example.com", random_base62(10).to_lowercase());
        let password = "correct horse battery".to_string();
        let created = accounts::create_account(
            &state.store,
            clock.as_ref(),
            "Test Shop",
            &email,
            Some(&password),
        )
        .await
        .expect("merchant created");
        let key = |mode: &str, kind: &str| {
            created
                .keys
                .iter()
                .find(|k| k.mode.as_str() == mode && k.kind.as_str() == kind)
                .map(|k| k.key.expose().to_string())
                .expect("key issued")
        };
        tokio::spawn(app.run_until(std::future::pending()));
        TestApp {
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            account_id: created.account.id.clone(),
            sk_test: key("test", "secret"),
            pk_test: key("test", "publishable"),
            sk_live: key("live", "secret"),
            email,
            password,
            base,
            state,
            sqlite_path,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A request with the test secret key.
    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client
            .get(self.url(path))
            .header("X-Api-Key", &self.sk_test)
    }

    /// A form-encoded POST with the test secret key, like the seed's curl lines.
    pub fn post_form(&self, path: &str, form: &[(&str, &str)]) -> RequestBuilder {
        self.client
            .post(self.url(path))
            .header("X-Api-Key", &self.sk_test)
            .form(form)
    }

    pub fn post_json(&self, path: &str, body: &Value) -> RequestBuilder {
        self.client
            .post(self.url(path))
            .header("X-Api-Key", &self.sk_test)
            .json(body)
    }

    /// Creates a customer and returns its JSON.
    /// Another merchant on the same server and database; returns its test secret key.
    pub async fn other_merchant_key(&self) -> String {
        self.other_merchant_key_of("secret").await
    }

    /// Another merchant on the same server and database; returns its test key of `kind`
    /// (`secret` or `publishable`).
    pub async fn other_merchant_key_of(&self, kind: &str) -> String {
        let email = format!("other-{}@example.com", random_base62(10).to_lowercase());
        let created = accounts::create_account(
            &self.state.store,
            self.state.clock.as_ref(),
            "Other Shop",
            &email,
            None,
        )
        .await
        .expect("merchant created");
        created
            .keys
            .iter()
            .find(|k| k.mode.as_str() == "test" && k.kind.as_str() == kind)
            .map(|k| k.key.expose().to_string())
            .expect("key issued")
    }

    pub async fn create_customer(&self, email: &str) -> Value {
        let (status, body) = send(self.post_form("/v1/customers", &[("email", email)])).await;
        assert_eq!(status, 200, "{body}");
        body
    }
}

/// Sends a request and returns the status and the JSON body (Null when the body is not JSON).
pub async fn send(req: RequestBuilder) -> (u16, Value) {
    let resp = req.send().await.expect("request sent");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Sends a request and returns the whole response.
pub async fn send_raw(req: RequestBuilder) -> Response {
    req.send().await.expect("request sent")
}

/// Asserts a response is the contract's error object with this status, type and code.
pub fn assert_error(status: u16, body: &Value, want_status: u16, want_type: &str, want_code: &str) {
    assert_eq!(status, want_status, "unexpected status, body: {body}");
    let error = &body["error"];
    assert_eq!(error["type"], want_type, "body: {body}");
    assert_eq!(error["code"], want_code, "body: {body}");
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "error without a message: {body}"
    );
}

/// Runs `vinr ledger verify` over this merchant's ledger (its account only: the Postgres pass
/// shares one database) and fails the test on any finding.
pub async fn assert_ledger_sound(app: &TestApp) {
    let options = vinr::server::services::ledger::verify::Options {
        account_id: Some(app.account_id.clone()),
        allow_negative: false,
    };
    let problems = vinr::server::services::ledger::verify::verify(&app.state.store, &options)
        .await
        .unwrap();
    assert!(problems.is_empty(), "ledger verify: {problems:#?}");
}

/// The style element a hosted page sets the test merchant's colour with, under the nonce of
/// its `csp` header.
pub fn brand_style(csp: &str) -> String {
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the CSP");
    format!(r#"<style nonce="{nonce}">:root{{--brand:#4f46e5}}</style>"#)
}
