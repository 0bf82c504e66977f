//! Webhook signatures: how VINR signs a delivery, and `verify` for Rust merchants receiving one.
//!
//! Every delivery carries two signatures of the same body (§9 of the contract), both HMAC-SHA256
//! under the endpoint secret's decoded bytes (`whsec_<base64>`):
//! - `x-vinr-signature: t=<unix>,v1=<hex of HMAC("<t>.<body>")>`, one `v1` per active secret;
//! - the Standard Webhooks headers `webhook-id`, `webhook-timestamp` and
//!   `webhook-signature: v1,<base64 of HMAC("<id>.<t>.<body>")>`, space-separated per secret.
//!
//! ```no_run
//! # fn handle(body: &[u8], headers: &http::HeaderMap) -> Result<(), vinr::server::services::webhooks::VerifyError> {
//! let event = vinr::server::services::webhooks::verify(body, headers, "whsec_…", std::time::Duration::from_secs(300))?;
//! if event.kind == "payment.completed" { /* fulfil the order, once per event.id */ }
//! # Ok(()) }
//! ```

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The prefix of every endpoint secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// Header names, lower case as HTTP/2 sends them.
pub const VINR_SIGNATURE: &str = "x-vinr-signature";
pub const WEBHOOK_ID: &str = "webhook-id";
pub const WEBHOOK_TIMESTAMP: &str = "webhook-timestamp";
pub const WEBHOOK_SIGNATURE: &str = "webhook-signature";
/// How far a timestamp may be from the receiver's clock, as the contract asks receivers to check.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// An event as delivered: what a verified body parses into.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub created: i64,
    pub livemode: bool,
    /// `{"object": {…}}`: the object as it was right after the change.
    pub data: serde_json::Value,
}

/// Why a delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the secret is not a whsec_ secret with a base64 key")]
    BadSecret,
    #[error("no signature headers (webhook-signature or x-vinr-signature)")]
    MissingHeaders,
    #[error("the signature headers are malformed")]
    Malformed,
    #[error("the timestamp is too far from now (replayed or clock skew)")]
    Timestamp,
    #[error("no signature matches (wrong secret or altered body)")]
    Mismatch,
    #[error("the body is not an event: {0}")]
    Body(String),
}

/// The key bytes of a `whsec_…` secret (the prefix is optional, as Standard Webhooks allows).
pub fn secret_key(secret: &str) -> Result<Vec<u8>, VerifyError> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    BASE64
        .decode(encoded.trim())
        .ok()
        .filter(|k| !k.is_empty())
        .ok_or(VerifyError::BadSecret)
}

fn mac(key: &[u8], parts: &[&[u8]]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac
}

/// The headers of one signed delivery, in the order they are sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    pub vinr_signature: String,
    pub webhook_id: String,
    pub webhook_timestamp: String,
    pub webhook_signature: String,
}

impl SignedHeaders {
    /// Name and value pairs.
    pub fn pairs(&self) -> [(&'static str, &str); 4] {
        [
            (VINR_SIGNATURE, &self.vinr_signature),
            (WEBHOOK_ID, &self.webhook_id),
            (WEBHOOK_TIMESTAMP, &self.webhook_timestamp),
            (WEBHOOK_SIGNATURE, &self.webhook_signature),
        ]
    }
}

/// Signs `body` for message `id` at `timestamp` with every active secret (the current one
/// first). Secrets that do not decode are skipped: they cannot have been issued by us.
pub fn sign(id: &str, timestamp: i64, body: &[u8], secrets: &[&str]) -> SignedHeaders {
    let t = timestamp.to_string();
    let keys: Vec<Vec<u8>> = secrets.iter().filter_map(|s| secret_key(s).ok()).collect();
    let v1: Vec<String> = keys
        .iter()
        .map(|k| {
            let m = mac(k, &[t.as_bytes(), b".", body]);
            format!("v1={}", hex::encode(m.finalize().into_bytes()))
        })
        .collect();
    let standard: Vec<String> = keys
        .iter()
        .map(|k| {
            let m = mac(k, &[id.as_bytes(), b".", t.as_bytes(), b".", body]);
            format!("v1,{}", BASE64.encode(m.finalize().into_bytes()))
        })
        .collect();
    SignedHeaders {
        vinr_signature: format!("t={t},{}", v1.join(",")),
        webhook_id: id.to_string(),
        webhook_timestamp: t,
        webhook_signature: standard.join(" "),
    }
}

/// Verifies a delivery against the receiver's clock and parses its event. Accepts either
/// signature style (Standard Webhooks when its headers are present, else `x-vinr-signature`),
/// and refuses timestamps more than `tolerance` away, in either direction.
pub fn verify(
    body: &[u8],
    headers: &http::HeaderMap,
    secret: &str,
    tolerance: Duration,
) -> Result<Event, VerifyError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    verify_at(body, headers, secret, tolerance, now)
}

/// `verify` at a given time (Unix seconds): for tests and for replaying stored deliveries.
pub fn verify_at(
    body: &[u8],
    headers: &http::HeaderMap,
    secret: &str,
    tolerance: Duration,
    now: i64,
) -> Result<Event, VerifyError> {
    verify_signature(body, headers, secret, tolerance, now)?;
    serde_json::from_slice(body).map_err(|e| VerifyError::Body(e.to_string()))
}

/// Checks the signature only (the body may be any bytes).
pub fn verify_signature(
    body: &[u8],
    headers: &http::HeaderMap,
    secret: &str,
    tolerance: Duration,
    now: i64,
) -> Result<(), VerifyError> {
    let key = secret_key(secret)?;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let (Some(id), Some(t), Some(sigs)) = (
        header(WEBHOOK_ID),
        header(WEBHOOK_TIMESTAMP),
        header(WEBHOOK_SIGNATURE),
    ) {
        let timestamp = t.trim().parse().map_err(|_| VerifyError::Malformed)?;
        check_timestamp(timestamp, now, tolerance)?;
        let expected = mac(
            &key,
            &[id.as_bytes(), b".", t.trim().as_bytes(), b".", body],
        );
        let matched = sigs
            .split_whitespace()
            .filter_map(|s| s.strip_prefix("v1,"))
            .filter_map(|s| BASE64.decode(s).ok())
            .any(|sig| expected.clone().verify_slice(&sig).is_ok());
        return if matched {
            Ok(())
        } else {
            Err(VerifyError::Mismatch)
        };
    }
    let value = header(VINR_SIGNATURE).ok_or(VerifyError::MissingHeaders)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in value.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = Some(t.to_string()),
            Some(("v1", hex_sig)) => signatures.push(hex_sig.to_string()),
            _ => {}
        }
    }
    let t = timestamp.ok_or(VerifyError::Malformed)?;
    check_timestamp(
        t.parse().map_err(|_| VerifyError::Malformed)?,
        now,
        tolerance,
    )?;
    let expected = mac(&key, &[t.as_bytes(), b".", body]);
    let matched = signatures
        .iter()
        .filter_map(|s| hex::decode(s).ok())
        .any(|sig| expected.clone().verify_slice(&sig).is_ok());
    if matched {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

fn check_timestamp(timestamp: i64, now: i64, tolerance: Duration) -> Result<(), VerifyError> {
    if now.abs_diff(timestamp) > tolerance.as_secs() {
        Err(VerifyError::Timestamp)
    } else {
        Ok(())
    }
}

/// A fresh endpoint secret: `whsec_` and the base64 of 32 random bytes.
pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{SECRET_PREFIX}{}", BASE64.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderMap, HeaderValue};

    fn headers_of(signed: &SignedHeaders) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in signed.pairs() {
            h.insert(name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    /// The test vector published with the Standard Webhooks specification.
    #[test]
    fn standard_webhooks_test_vector() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        let mut h = HeaderMap::new();
        h.insert(
            WEBHOOK_ID,
            HeaderValue::from_static("msg_p5jXN8AQM9LWM0D4loKWxJek"),
        );
        h.insert(WEBHOOK_TIMESTAMP, HeaderValue::from_static("1614265330"));
        h.insert(
            WEBHOOK_SIGNATURE,
            HeaderValue::from_static("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
        );
        assert_eq!(
            verify_signature(body, &h, secret, DEFAULT_TOLERANCE, 1614265330),
            Ok(())
        );
        // Our signer produces the same signature for the same input.
        let ours = sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body, &[secret]);
        assert_eq!(
            ours.webhook_signature,
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        // Another secret, a changed body, or a time far off are refused.
        let other = "whsec_aGVsbG8gd29ybGQgdGhpcyBpcyBhIGtleQ==";
        assert_eq!(
            verify_signature(body, &h, other, DEFAULT_TOLERANCE, 1614265330),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify_signature(
                br#"{"test": 2432232315}"#,
                &h,
                secret,
                DEFAULT_TOLERANCE,
                1614265330
            ),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify_signature(body, &h, secret, DEFAULT_TOLERANCE, 1614265330 + 301),
            Err(VerifyError::Timestamp)
        );
    }

    #[test]
    fn both_styles_of_our_signature_verify_and_parse() {
        let secret = new_secret();
        let body = br#"{"id":"evt_1","object":"event","type":"payment.completed","created":1,"livemode":false,"data":{"object":{}}}"#;
        let signed = sign("evt_1", 1_000, body, &[&secret]);
        let event = verify_at(
            body,
            &headers_of(&signed),
            &secret,
            DEFAULT_TOLERANCE,
            1_010,
        )
        .unwrap();
        assert_eq!(
            (event.id.as_str(), event.kind.as_str()),
            ("evt_1", "payment.completed")
        );
        // Only the x-vinr-signature header, as the guides' handler reads it.
        let mut only_vinr = HeaderMap::new();
        only_vinr.insert(VINR_SIGNATURE, signed.vinr_signature.parse().unwrap());
        assert!(verify_at(body, &only_vinr, &secret, DEFAULT_TOLERANCE, 1_000).is_ok());
        let mut tampered = body.to_vec();
        tampered[10] = b'X';
        assert_eq!(
            verify_at(&tampered, &only_vinr, &secret, DEFAULT_TOLERANCE, 1_000).unwrap_err(),
            VerifyError::Mismatch
        );
    }

    #[test]
    fn stale_and_future_timestamps_are_refused() {
        let secret = new_secret();
        let body = b"{}";
        let h = headers_of(&sign("evt_1", 10_000, body, &[&secret]));
        let check = |now| verify_signature(body, &h, &secret, DEFAULT_TOLERANCE, now);
        assert_eq!(check(10_000 + 300), Ok(()));
        assert_eq!(check(10_000 + 301), Err(VerifyError::Timestamp));
        assert_eq!(check(10_000 - 301), Err(VerifyError::Timestamp));
    }

    #[test]
    fn during_a_rotation_either_secret_verifies() {
        let (new, old) = (new_secret(), new_secret());
        let body = b"{}";
        let signed = sign("evt_1", 5, body, &[&new, &old]);
        assert_eq!(signed.webhook_signature.split(' ').count(), 2);
        assert_eq!(signed.vinr_signature.matches("v1=").count(), 2);
        let h = headers_of(&signed);
        for secret in [&new, &old] {
            assert_eq!(
                verify_signature(body, &h, secret, DEFAULT_TOLERANCE, 5),
                Ok(())
            );
        }
        assert_eq!(
            verify_signature(body, &h, &new_secret(), DEFAULT_TOLERANCE, 5),
            Err(VerifyError::Mismatch)
        );
    }

    #[test]
    fn missing_headers_and_bad_secrets_are_named() {
        let h = HeaderMap::new();
        assert_eq!(
            verify_signature(b"{}", &h, &new_secret(), DEFAULT_TOLERANCE, 0),
            Err(VerifyError::MissingHeaders)
        );
        assert_eq!(secret_key("whsec_!!!"), Err(VerifyError::BadSecret));
        let fresh = new_secret();
        assert_eq!(secret_key(&fresh).unwrap().len(), 32);
    }
}
