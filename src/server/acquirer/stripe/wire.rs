//! The connector's HTTP side: timeouts, the one pooled client, a connection's settings (and
//! how they are sealed at rest), one request to Stripe, and the key check made before a
//! connection is saved.

use crate::server::crypto::Secret;
use serde_json::Value;
use std::time::Duration;

/// How long a processor may take: to connect, and for a whole request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            total: Duration::from_secs(30),
        }
    }
}

/// The pooled HTTPS client every processor connection shares.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
}

impl Http {
    pub fn new(timeouts: Timeouts) -> Http {
        let client = reqwest::Client::builder()
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.total)
            .pool_idle_timeout(Duration::from_secs(90))
            .user_agent(concat!("vinr/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("a TLS client with the bundled roots builds");
        Http { client }
    }
}

/// Stripe's API, unless a connection names another base (a regional proxy, a local fake).
pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";

/// A Stripe connection's settings, unsealed.
#[derive(Clone)]
pub struct Settings {
    pub api_base: String,
    pub secret_key: Secret,
    /// Signs the webhooks Stripe sends to `/v1/processor_hooks/{acq_id}`.
    pub webhook_secret: Option<Secret>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

/// The settings as sealed at rest (JSON inside the AEAD box).
#[derive(serde::Serialize, serde::Deserialize)]
struct SealedForm {
    api_base: String,
    secret_key: String,
    webhook_secret: Option<String>,
}

impl Settings {
    /// The JSON to seal.
    pub fn to_plaintext(&self) -> String {
        serde_json::to_string(&SealedForm {
            api_base: self.api_base.clone(),
            secret_key: self.secret_key.expose().to_string(),
            webhook_secret: self.webhook_secret.as_ref().map(|s| s.expose().to_string()),
        })
        .expect("plain strings serialise")
    }

    /// Settings from unsealed JSON.
    pub fn from_plaintext(json: &str) -> Option<Settings> {
        let form: SealedForm = serde_json::from_str(json).ok()?;
        Some(Settings {
            api_base: form.api_base,
            secret_key: Secret::new(form.secret_key),
            webhook_secret: form.webhook_secret.map(Secret::new),
        })
    }
}

/// Whether `key` is a Stripe secret (or restricted) key of the mode: live keys for live mode,
/// test keys for test mode, so no test payment can move real money and no live one can fake it.
pub fn key_fits_mode(key: &str, live: bool) -> bool {
    let prefixes: [&str; 2] = if live {
        ["sk_live_", "rk_live_"]
    } else {
        ["sk_test_", "rk_test_"]
    };
    prefixes
        .iter()
        .any(|p| key.strip_prefix(p).is_some_and(|rest| !rest.is_empty()))
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// What a request to Stripe came back with.
#[derive(Debug)]
pub(super) enum Answer {
    Ok(Value),
    /// A 4xx: Stripe refused, with its error object.
    Refused(u16, Value),
    /// No answer, a timeout or a 5xx: the request's fate is unknown.
    Unavailable,
}

/// Sends one request to Stripe: form-encoded, bearer key, optional idempotency key.
pub(super) async fn call(
    http: &Http,
    settings: &Settings,
    method: reqwest::Method,
    path: &str,
    form: &[(&str, String)],
    idempotency_key: Option<&str>,
) -> Answer {
    let url = format!("{}{path}", settings.api_base.trim_end_matches('/'));
    let mut request = http
        .client
        .request(method.clone(), &url)
        .bearer_auth(settings.secret_key.expose());
    if let Some(key) = idempotency_key {
        request = request.header("Idempotency-Key", key);
    }
    if method == reqwest::Method::GET {
        request = request.query(form);
    } else {
        request = request.form(form);
    }
    let response = match request.send().await {
        Ok(r) => r,
        Err(err) => {
            tracing::warn!(path, error = %err, "processor request failed");
            return Answer::Unavailable;
        }
    };
    let status = response.status().as_u16();
    let body: Value = match response.json().await {
        Ok(v) => v,
        Err(err) => {
            tracing::warn!(path, status, error = %err, "processor answer unreadable");
            return Answer::Unavailable;
        }
    };
    match status {
        200..=299 => Answer::Ok(body),
        400..=499 => Answer::Refused(status, body),
        _ => {
            tracing::warn!(path, status, "processor answered with a server error");
            Answer::Unavailable
        }
    }
}

/// Checks a key against the processor before a connection is saved: `Err` says why not.
pub async fn check_key(http: &Http, settings: &Settings) -> Result<(), String> {
    match call(
        http,
        settings,
        reqwest::Method::GET,
        "/v1/balance",
        &[],
        None,
    )
    .await
    {
        Answer::Ok(_) => Ok(()),
        Answer::Refused(401, _) => Err("Stripe refused this secret key (401).".into()),
        Answer::Refused(status, body) => Err(format!(
            "Stripe refused the key check ({status}): {}",
            body.pointer("/error/message")
                .and_then(Value::as_str)
                .unwrap_or("no message")
        )),
        Answer::Unavailable => Err(format!(
            "Stripe did not answer at {}: check stripe[api_base] and the network.",
            settings.api_base
        )),
    }
}
