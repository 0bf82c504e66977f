//! The Stripe connector: VINR as a gateway in front of Stripe as the processor.
//!
//! Cards are tokenised as Stripe PaymentMethods (the number goes from memory to Stripe and
//! nowhere else), authorisations are PaymentIntents confirmed at once, and every request that
//! moves money carries our reference as Stripe's `Idempotency-Key`: sending it again answers
//! the first request's result, which is how a lost answer is looked up without a second
//! charge. Timeouts and 5xx answers are `Unavailable` (the fate is unknown); 4xx answers map
//! to the contract's declines.

use super::{Acquirer, Attempt, AuthOutcome, Decline, Hold, NewCard};
use crate::server::crypto::Secret;
use async_trait::async_trait;
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
enum Answer {
    Ok(Value),
    /// A 4xx: Stripe refused, with its error object.
    Refused(u16, Value),
    /// No answer, a timeout or a 5xx: the request's fate is unknown.
    Unavailable,
}

/// One Stripe connection.
pub struct Stripe {
    http: Http,
    settings: Settings,
}

impl Stripe {
    pub fn new(http: Http, settings: Settings) -> Stripe {
        Stripe { http, settings }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        form: &[(&str, String)],
        idempotency_key: Option<&str>,
    ) -> Answer {
        call(
            &self.http,
            &self.settings,
            method,
            path,
            form,
            idempotency_key,
        )
        .await
    }

    /// Creates the PaymentIntent of an attempt (or, sent again with the same reference,
    /// answers the one created first).
    async fn create_intent(&self, attempt: &Attempt<'_>) -> AuthOutcome {
        let Some(token) = attempt.card.token.clone() else {
            return AuthOutcome::Declined(NOT_TOKENISED);
        };
        let mut form = vec![
            ("amount", attempt.amount.to_string()),
            ("currency", attempt.currency.to_ascii_lowercase()),
            ("payment_method", token),
            ("confirm", "true".to_string()),
            (
                "capture_method",
                if attempt.manual_capture {
                    "manual"
                } else {
                    "automatic"
                }
                .to_string(),
            ),
            ("metadata[vinr_attempt]", attempt.reference.to_string()),
            ("metadata[vinr_payment]", attempt.payment_id.to_string()),
        ];
        if attempt.off_session {
            form.push(("off_session", "true".to_string()));
        } else if let Some(url) = attempt.return_url {
            form.push(("return_url", url.to_string()));
        }
        // Stripe refuses an empty suffix, and one without a letter.
        if let Some(suffix) = attempt
            .statement_descriptor
            .map(suffix_of)
            .filter(|s| s.chars().any(|c| c.is_ascii_alphabetic()))
        {
            form.push(("statement_descriptor_suffix", suffix));
        }
        let answer = self
            .call(
                reqwest::Method::POST,
                "/v1/payment_intents",
                &form,
                Some(attempt.reference),
            )
            .await;
        // localstripe (the fake as published) refuses parameters it does not model; Stripe
        // takes both. Without them a payment still works there, minus the redirect challenge.
        if let Answer::Refused(400, body) = &answer
            && unmodelled(body)
        {
            form.retain(|(key, _)| !matches!(*key, "return_url" | "statement_descriptor_suffix"));
            let again = self
                .call(
                    reqwest::Method::POST,
                    "/v1/payment_intents",
                    &form,
                    Some(attempt.reference),
                )
                .await;
            return outcome_of(again);
        }
        outcome_of(answer)
    }

    /// The intent made for attempt `reference`, found without making one: Stripe's search, or
    /// (where search is missing: a fake) the list of intents. `Err` when neither answers;
    /// `Ok(None)` when it is not (yet) there.
    async fn find_intent(&self, reference: &str) -> Result<Option<Value>, ()> {
        let query = format!("metadata['vinr_attempt']:'{reference}'");
        match self
            .call(
                reqwest::Method::GET,
                "/v1/payment_intents/search",
                &[("query", query)],
                None,
            )
            .await
        {
            Answer::Ok(found) => return Ok(found.pointer("/data/0").cloned()),
            Answer::Refused(404, _) => {}
            _ => return Err(()),
        }
        let mut after: Option<String> = None;
        for _ in 0..LIST_PAGES {
            let mut form = vec![("limit", "100".to_string())];
            if let Some(id) = &after {
                form.push(("starting_after", id.clone()));
            }
            let Answer::Ok(page) = self
                .call(reqwest::Method::GET, "/v1/payment_intents", &form, None)
                .await
            else {
                return Err(());
            };
            let data = page
                .get("data")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if let Some(found) = data.iter().find(|pi| {
                pi.pointer("/metadata/vinr_attempt").and_then(Value::as_str) == Some(reference)
            }) {
                return Ok(Some(found.clone()));
            }
            let more = page.get("has_more").and_then(Value::as_bool) == Some(true);
            after = data
                .last()
                .and_then(|pi| pi.get("id"))
                .and_then(Value::as_str)
                .map(str::to_string);
            if !more || after.is_none() {
                return Ok(None);
            }
        }
        Err(())
    }

    /// Refunds `amount` of intent `id`, keyed by our refund's id.
    async fn post_refund(&self, reference: &str, id: &str, amount: i64) -> Answer {
        self.call(
            reqwest::Method::POST,
            "/v1/refunds",
            &[
                ("payment_intent", id.to_string()),
                ("amount", amount.to_string()),
                ("metadata[vinr_refund]", reference.to_string()),
            ],
            Some(reference),
        )
        .await
    }

    /// The refund of intent `id` made for our refund `reference`, if any.
    async fn find_refund(&self, reference: &str, id: &str) -> Result<Option<Value>, ()> {
        let form = [
            ("payment_intent", id.to_string()),
            ("limit", "100".to_string()),
        ];
        match self
            .call(reqwest::Method::GET, "/v1/refunds", &form, None)
            .await
        {
            Answer::Ok(page) => {
                Ok(page
                    .get("data")
                    .and_then(Value::as_array)
                    .and_then(|refunds| {
                        refunds
                            .iter()
                            .find(|r| {
                                r.pointer("/metadata/vinr_refund").and_then(Value::as_str)
                                    == Some(reference)
                            })
                            .cloned()
                    }))
            }
            _ => Err(()),
        }
    }
}

/// Pages of 100 intents a lookup reads where the processor has no search.
const LIST_PAGES: usize = 50;

/// Whether Stripe's 400 says it does not know a parameter VINR sends only as a courtesy
/// (`return_url`, `statement_descriptor_suffix`): what the published localstripe answers.
fn unmodelled(body: &Value) -> bool {
    body.pointer("/error/message")
        .and_then(Value::as_str)
        .is_some_and(|m| {
            m.starts_with("Unexpected ")
                && (m.contains("return_url") || m.contains("statement_descriptor_suffix"))
        })
}

/// Sends one request to Stripe: form-encoded, bearer key, optional idempotency key.
async fn call(
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

/// Whether a `Stripe-Signature` header (`t=…,v1=…[,v1=…]`) signs `body` with `secret` (the
/// endpoint's `whsec_…`, used as is, as Stripe does), within `tolerance_secs` of `now`.
pub fn signature_matches(
    header: &str,
    body: &[u8],
    secret: &str,
    now: i64,
    tolerance_secs: i64,
) -> bool {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", sig)) => signatures.extend(hex::decode(sig).ok()),
            _ => {}
        }
    }
    let Some(t) = timestamp else {
        return false;
    };
    if (now - t).abs() > tolerance_secs {
        return false;
    }
    let mut signed = t.to_string().into_bytes();
    signed.push(b'.');
    signed.extend_from_slice(body);
    let expected = crate::server::crypto::hmac_sha256(secret.as_bytes(), &signed);
    signatures
        .iter()
        .any(|sig| crate::server::crypto::constant_time_eq(sig, &expected))
}

/// Where Stripe sends a customer for a 3-D Secure challenge: its own hooks host, and the API
/// base's origin when the connection names another (a proxy or a fake serving its own page).
/// A page whose form post may end in that redirect names them in its CSP `form-action`.
pub fn challenge_origins(settings: &Settings) -> Vec<String> {
    let mut origins = vec!["https://hooks.stripe.com".to_string()];
    if let Some(origin) = url::Url::parse(&settings.api_base)
        .ok()
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o != "null" && o != "https://api.stripe.com")
    {
        origins.push(origin);
    }
    origins
}

/// What Stripe's refund `status` means: done, refused, or not decided yet.
pub fn refund_answer(refund: &Value) -> Result<(), Decline> {
    match refund.get("status").and_then(Value::as_str) {
        Some("succeeded") => Ok(()),
        Some("failed" | "canceled") => Err(REFUND_FAILED),
        _ => Err(Decline::UNAVAILABLE),
    }
}

/// The card's issuer would not take the money back.
const REFUND_FAILED: Decline = Decline {
    code: "refund_failed",
    decline_code: "refund_failed",
    message: "The card's issuer could not take the refund back onto the card.",
};

/// A statement descriptor as Stripe's card suffix: at most 22 characters of letters, digits
/// and spaces (Stripe refuses `<>\'"*`).
fn suffix_of(descriptor: &str) -> String {
    descriptor
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ' || *c == '.' || *c == '-')
        .take(22)
        .collect()
}

/// A card this connection did not tokenise.
const NOT_TOKENISED: Decline = Decline {
    code: "processing_error",
    decline_code: "card_not_tokenised",
    message: "This card was not saved with this connection's processor; enter it again.",
};

/// Stripe refused a request that was not a card decline (a state or parameter problem).
const REFUSED: Decline = Decline {
    code: "processing_error",
    decline_code: "processor_refused",
    message: "The payment processor refused the request.",
};

/// Stripe cannot release part of a hold: the documented fallback is to capture less.
const NO_PARTIAL_RELEASE: Decline = Decline {
    code: "processing_error",
    decline_code: "not_supported",
    message: "This connection's processor cannot release part of a hold: capture less instead (the rest is released), or reverse all of it.",
};

/// Stripe cannot lower an authorisation: the documented fallback is to capture less.
const NO_DECREMENT: Decline = Decline {
    code: "processing_error",
    decline_code: "not_supported",
    message: "This connection's processor cannot lower an authorisation: capture the lower amount instead (the rest is released).",
};

/// The contract's decline for Stripe's error object (`code`, `decline_code`).
pub fn decline_of(error: &Value) -> Decline {
    let code = error.get("code").and_then(Value::as_str).unwrap_or("");
    let decline_code = error
        .get("decline_code")
        .and_then(Value::as_str)
        .unwrap_or("");
    match (code, decline_code) {
        ("expired_card", _) | (_, "expired_card") => Decline {
            code: "expired_card",
            decline_code: "expired_card",
            message: "Your card has expired.",
        },
        ("incorrect_cvc", _) | (_, "incorrect_cvc") => Decline {
            code: "incorrect_cvc",
            decline_code: "incorrect_cvc",
            message: "Your card's security code is incorrect.",
        },
        ("processing_error", _) | (_, "processing_error") => Decline {
            code: "processing_error",
            decline_code: "processing_error",
            message: "An error occurred while processing your card. Try again in a little bit.",
        },
        ("incorrect_number", _) | ("invalid_number", _) => Decline {
            code: "incorrect_number",
            decline_code: "incorrect_number",
            message: "Your card number is incorrect.",
        },
        (_, "insufficient_funds") => Decline {
            code: "card_declined",
            decline_code: "insufficient_funds",
            message: "Your card has insufficient funds.",
        },
        (_, "lost_card" | "stolen_card" | "fraudulent" | "pickup_card") => Decline {
            code: "card_declined",
            decline_code: "do_not_honor",
            message: "Your card was declined.",
        },
        ("payment_intent_authentication_failure", _) | ("authentication_required", _) => Decline {
            code: "card_declined",
            decline_code: "authentication_failed",
            message: "The customer did not complete 3D Secure authentication.",
        },
        ("card_declined", _) => Decline {
            code: "card_declined",
            decline_code: "generic_decline",
            message: "Your card was declined.",
        },
        _ => REFUSED,
    }
}

/// An outcome from a PaymentIntent (or the error Stripe answered instead).
fn outcome_of(answer: Answer) -> AuthOutcome {
    match answer {
        Answer::Ok(intent) => intent_outcome(&intent),
        Answer::Refused(_, body) => {
            let error = body.get("error").cloned().unwrap_or(Value::Null);
            // A decline at confirmation comes back as a 402 with the intent attached.
            AuthOutcome::Declined(decline_of(&error))
        }
        Answer::Unavailable => AuthOutcome::Unavailable,
    }
}

/// What a PaymentIntent's status means for the payment.
pub fn intent_outcome(intent: &Value) -> AuthOutcome {
    let id = intent.get("id").and_then(Value::as_str).map(str::to_string);
    match intent.get("status").and_then(Value::as_str) {
        Some("succeeded" | "requires_capture") => AuthOutcome::Authorized { processor_ref: id },
        Some("requires_action") => AuthOutcome::ChallengeRequired {
            url: intent
                .pointer("/next_action/redirect_to_url/url")
                .and_then(Value::as_str)
                .map(str::to_string),
            processor_ref: id,
        },
        // Still deciding (asynchronous methods): ask again later.
        Some("processing") => AuthOutcome::Unavailable,
        _ => {
            let error = intent
                .get("last_payment_error")
                .cloned()
                .unwrap_or(Value::Null);
            if error.is_null() {
                AuthOutcome::Declined(REFUSED)
            } else {
                AuthOutcome::Declined(decline_of(&error))
            }
        }
    }
}

/// Ok for a 2xx, the mapped decline for a 4xx, `UNAVAILABLE` for no answer.
fn done(answer: Answer) -> Result<(), Decline> {
    match answer {
        Answer::Ok(_) => Ok(()),
        Answer::Refused(_, body) => Err(decline_of(body.get("error").unwrap_or(&Value::Null))),
        Answer::Unavailable => Err(Decline::UNAVAILABLE),
    }
}

#[async_trait]
impl Acquirer for Stripe {
    fn remote(&self) -> bool {
        true
    }

    async fn tokenize(&self, card: &NewCard<'_>) -> Result<Option<String>, Decline> {
        let form = [
            ("type", "card".to_string()),
            ("card[number]", card.number.expose().to_string()),
            ("card[exp_month]", card.exp_month.to_string()),
            ("card[exp_year]", card.exp_year.to_string()),
            ("card[cvc]", card.cvc.expose().to_string()),
        ];
        match self
            .call(reqwest::Method::POST, "/v1/payment_methods", &form, None)
            .await
        {
            Answer::Ok(pm) => pm
                .get("id")
                .and_then(Value::as_str)
                .map(|id| Some(id.to_string()))
                .ok_or(REFUSED),
            Answer::Refused(_, body) => Err(decline_of(body.get("error").unwrap_or(&Value::Null))),
            Answer::Unavailable => Err(Decline::UNAVAILABLE),
        }
    }

    async fn authorize(&self, attempt: &Attempt<'_>) -> AuthOutcome {
        self.create_intent(attempt).await
    }

    async fn complete_challenge(
        &self,
        _attempt: &Attempt<'_>,
        processor_ref: Option<&str>,
        _passed: bool,
    ) -> AuthOutcome {
        // Stripe knows how the challenge ended: the intent says.
        let Some(id) = processor_ref else {
            return AuthOutcome::Declined(REFUSED);
        };
        let answer = self
            .call(
                reqwest::Method::GET,
                &format!("/v1/payment_intents/{id}"),
                &[],
                None,
            )
            .await;
        match answer {
            Answer::Ok(intent) => match intent_outcome(&intent) {
                // Back without finishing: the challenge was not completed.
                AuthOutcome::ChallengeRequired { .. } => {
                    AuthOutcome::Declined(decline_of(&serde_json::json!({
                        "code": "payment_intent_authentication_failure"
                    })))
                }
                other => other,
            },
            other => outcome_of(other),
        }
    }

    async fn adjust(
        &self,
        hold: &Hold<'_>,
        old_amount: i64,
        new_amount: i64,
    ) -> Result<(), Decline> {
        if new_amount < old_amount {
            return Err(NO_DECREMENT);
        }
        let id = hold.processor_ref.ok_or(REFUSED)?;
        let answer = self
            .call(
                reqwest::Method::POST,
                &format!("/v1/payment_intents/{id}/increment_authorization"),
                &[("amount", new_amount.to_string())],
                Some(&format!("{}-adjust-{new_amount}", hold.reference)),
            )
            .await;
        match answer {
            // Not every card (or fake) can be incremented: say so as a decline.
            Answer::Refused(404, _) => Err(Decline {
                code: "card_declined",
                decline_code: "not_supported",
                message: "This connection's processor cannot raise this authorisation.",
            }),
            other => done(other),
        }
    }

    async fn capture(&self, hold: &Hold<'_>, amount: i64, _authorized: i64) -> Result<(), Decline> {
        let id = hold.processor_ref.ok_or(REFUSED)?;
        done(
            self.call(
                reqwest::Method::POST,
                &format!("/v1/payment_intents/{id}/capture"),
                &[("amount_to_capture", amount.to_string())],
                Some(&format!("{}-capture", hold.reference)),
            )
            .await,
        )
    }

    async fn release(&self, hold: &Hold<'_>, _amount: i64, full: bool) -> Result<(), Decline> {
        if !full {
            return Err(NO_PARTIAL_RELEASE);
        }
        let id = hold.processor_ref.ok_or(REFUSED)?;
        done(
            self.call(
                reqwest::Method::POST,
                &format!("/v1/payment_intents/{id}/cancel"),
                &[],
                Some(&format!("{}-cancel", hold.reference)),
            )
            .await,
        )
    }

    async fn refund(&self, reference: &str, hold: &Hold<'_>, amount: i64) -> Result<(), Decline> {
        let id = hold.processor_ref.ok_or(REFUSED)?;
        match self.post_refund(reference, id, amount).await {
            // `pending` stays pending: the processor's webhook (or the reconciler) settles it.
            Answer::Ok(refund) => refund_answer(&refund),
            other => done(other),
        }
    }

    async fn lookup_authorization(&self, attempt: &Attempt<'_>) -> AuthOutcome {
        // The intent made for this attempt, if it can be found; else the same request with the
        // same idempotency key: Stripe answers the first one's result, or (if it never
        // arrived) makes it now, once. Looking first also keeps a processor (or fake) without
        // idempotency keys from charging twice.
        match self.find_intent(attempt.reference).await {
            Ok(Some(intent)) => intent_outcome(&intent),
            Ok(None) => self.create_intent(attempt).await,
            Err(()) => AuthOutcome::Unavailable,
        }
    }

    async fn lookup_refund(
        &self,
        reference: &str,
        hold: &Hold<'_>,
        amount: i64,
    ) -> Result<(), Decline> {
        // The refund made for this reference, as it stands now; only when there is none is
        // it asked for again, with the same idempotency key.
        let id = hold.processor_ref.ok_or(REFUSED)?;
        match self.find_refund(reference, id).await {
            Ok(Some(refund)) => refund_answer(&refund),
            Ok(None) => self.refund(reference, hold, amount).await,
            Err(()) => Err(Decline::UNAVAILABLE),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stripe_signatures_are_checked_with_the_raw_secret_and_time() {
        let body = br#"{"type":"refund.updated"}"#;
        let sig = |secret: &str, t: i64| {
            let mut signed = t.to_string().into_bytes();
            signed.push(b'.');
            signed.extend_from_slice(body);
            hex::encode(crate::server::crypto::hmac_sha256(
                secret.as_bytes(),
                &signed,
            ))
        };
        let header = format!(
            "t=1000,v1={},v1={}",
            sig("whsec_old", 1000),
            sig("whsec_new", 1000)
        );
        assert!(signature_matches(&header, body, "whsec_new", 1100, 300));
        assert!(signature_matches(&header, body, "whsec_old", 1100, 300));
        assert!(!signature_matches(&header, body, "whsec_other", 1100, 300));
        assert!(
            !signature_matches(&header, body, "whsec_new", 1400, 300),
            "too old"
        );
        assert!(
            !signature_matches(&header, b"{}", "whsec_new", 1100, 300),
            "altered"
        );
        assert!(
            !signature_matches("v1=00", body, "whsec_new", 1100, 300),
            "no time"
        );
        assert_eq!(refund_answer(&json!({"status": "succeeded"})), Ok(()));
        assert_eq!(
            refund_answer(&json!({"status": "pending"})),
            Err(Decline::UNAVAILABLE)
        );
        assert_eq!(
            refund_answer(&json!({"status": "failed"})),
            Err(REFUND_FAILED)
        );
    }

    #[test]
    fn keys_must_fit_the_mode() {
        assert!(key_fits_mode("sk_live_abc123", true));
        assert!(key_fits_mode("rk_live_abc", true));
        assert!(!key_fits_mode("sk_test_abc", true));
        assert!(key_fits_mode("sk_test_abc", false));
        assert!(!key_fits_mode("sk_live_abc", false));
        assert!(!key_fits_mode("sk_live_", true));
        assert!(!key_fits_mode("pk_live_abc", true));
        assert!(!key_fits_mode("sk_live_a b", true));
    }

    #[test]
    fn intents_map_to_outcomes() {
        assert_eq!(
            intent_outcome(&json!({"id": "pi_1", "status": "requires_capture"})),
            AuthOutcome::Authorized {
                processor_ref: Some("pi_1".into())
            }
        );
        assert_eq!(
            intent_outcome(&json!({"id": "pi_1", "status": "requires_action",
                "next_action": {"type": "redirect_to_url", "redirect_to_url": {"url": "https://acs/x"}}})),
            AuthOutcome::ChallengeRequired {
                url: Some("https://acs/x".into()),
                processor_ref: Some("pi_1".into())
            }
        );
        assert_eq!(
            intent_outcome(&json!({"id": "pi_1", "status": "processing"})),
            AuthOutcome::Unavailable
        );
        match intent_outcome(&json!({"id": "pi_1", "status": "requires_payment_method",
            "last_payment_error": {"code": "card_declined", "decline_code": "insufficient_funds"}}))
        {
            AuthOutcome::Declined(d) => assert_eq!(d.decline_code, "insufficient_funds"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn stripe_errors_map_to_the_contracts_codes() {
        let d = |v: Value| decline_of(&v);
        assert_eq!(
            d(json!({"code": "card_declined"})).decline_code,
            "generic_decline"
        );
        assert_eq!(
            d(json!({"code": "card_declined", "decline_code": "stolen_card"})).decline_code,
            "do_not_honor"
        );
        assert_eq!(d(json!({"code": "expired_card"})).code, "expired_card");
        assert_eq!(d(json!({"code": "incorrect_cvc"})).code, "incorrect_cvc");
        assert_eq!(d(json!({"code": "resource_missing"})), REFUSED);
        assert_eq!(d(Value::Null), REFUSED);
    }

    #[test]
    fn settings_round_trip_and_never_print_the_key() {
        let s = Settings {
            api_base: "http://127.0.0.1:1".into(),
            secret_key: Secret::new("sk_test_123"),
            webhook_secret: Some(Secret::new("whsec_1")),
        };
        let back = Settings::from_plaintext(&s.to_plaintext()).unwrap();
        assert_eq!(back.secret_key.expose(), "sk_test_123");
        assert_eq!(back.webhook_secret.unwrap().expose(), "whsec_1");
        assert!(!format!("{s:?}").contains("sk_test"));
        assert_eq!(suffix_of("ACME*SHOP <1>"), "ACMESHOP 1");
    }
}
