//! The webhook signature test vectors the SDKs verify (`sdks/testdata/webhook-signatures.json`),
//! made by this server's signing code and kept current by the test here.

use super::signing::*;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::{HeaderMap, HeaderValue};

/// Signature test vectors for the SDKs (`sdks/testdata/webhook-signatures.json`): deliveries
/// signed here, each with the secret a receiver holds and what verifying it must give, at a
/// fixed `now`. The test below keeps the committed file equal to this.
fn test_vectors() -> serde_json::Value {
    use serde_json::json;
    const NOW: i64 = 1_700_000_000;
    let current = format!("{SECRET_PREFIX}{}", BASE64.encode([7u8; 32]));
    let previous = format!("{SECRET_PREFIX}{}", BASE64.encode([42u8; 32]));
    let other = format!("{SECRET_PREFIX}{}", BASE64.encode([9u8; 32]));
    let body = r#"{"id":"evt_0123456789abcdefghijABCD","type":"payment.completed","created":1700000000,"livemode":false,"data":{"object":{"id":"pay_0123456789abcdefghijABCD","object":"payment","amount":5000,"currency":"EUR","status":"succeeded"}}}"#;
    let id = "evt_0123456789abcdefghijABCD";
    let both = [current.as_str(), previous.as_str()];
    let signed = |t: i64, secrets: &[&str]| sign(id, t, body.as_bytes(), secrets);
    let all = |h: &SignedHeaders| {
        json!({
            VINR_SIGNATURE: h.vinr_signature, WEBHOOK_ID: h.webhook_id,
            WEBHOOK_TIMESTAMP: h.webhook_timestamp, WEBHOOK_SIGNATURE: h.webhook_signature,
        })
    };
    let vinr_only = |h: &SignedHeaders| json!({ VINR_SIGNATURE: h.vinr_signature });
    let standard_only = |h: &SignedHeaders| {
        json!({
            WEBHOOK_ID: h.webhook_id, WEBHOOK_TIMESTAMP: h.webhook_timestamp,
            WEBHOOK_SIGNATURE: h.webhook_signature,
        })
    };
    let fresh = signed(NOW - 10, &[&current]);
    let rotating = signed(NOW, &both);
    let stale = signed(NOW - 301, &[&current]);
    let case =
        |name: &str, secret: &str, body: &str, headers: serde_json::Value, error: Option<&str>| {
            json!({"name": name, "secret": secret, "body": body, "headers": headers,
               "valid": error.is_none(), "error": error})
        };
    let altered = body.replace("5000", "50000");
    json!({
        "about": "Webhook deliveries signed by the VINR server (src/server/services/webhooks/signing.rs). \
                  Verify each at `now` (Unix seconds) with `tolerance` seconds: a valid case must \
                  verify, an invalid one must be refused for `error` (mismatch: no signature matches; \
                  timestamp: too far from now). Headers are lower case; a receiver checks the \
                  Standard Webhooks headers when present, else x-vinr-signature.",
        "now": NOW,
        "tolerance": DEFAULT_TOLERANCE.as_secs(),
        "cases": [
            case("both header styles", &current, body, all(&fresh), None),
            case("x-vinr-signature only", &current, body, vinr_only(&fresh), None),
            case("Standard Webhooks headers only", &current, body, standard_only(&fresh), None),
            case("secret without its whsec_ prefix", current.trim_start_matches(SECRET_PREFIX), body, all(&fresh), None),
            case("rotation: the new secret", &current, body, all(&rotating), None),
            case("rotation: the previous secret", &previous, body, all(&rotating), None),
            case("rotation, x-vinr-signature: the previous secret", &previous, body, vinr_only(&rotating), None),
            case("another secret", &other, body, all(&fresh), Some("mismatch")),
            case("altered body", &current, &altered, all(&fresh), Some("mismatch")),
            case("altered body, x-vinr-signature", &current, &altered, vinr_only(&fresh), Some("mismatch")),
            case("timestamp older than the tolerance", &current, body, all(&stale), Some("timestamp")),
            case("timestamp older than the tolerance, x-vinr-signature", &current, body, vinr_only(&stale), Some("timestamp")),
        ],
    })
}

/// The SDKs' vectors are the server's: each case verifies (or fails) as it says, and the
/// committed file is what `test_vectors` makes (`VINR_WRITE_VECTORS=1` rewrites it).
#[test]
fn the_sdks_signature_vectors_are_the_servers() {
    let vectors = test_vectors();
    let now = vectors["now"].as_i64().unwrap();
    for case in vectors["cases"].as_array().unwrap() {
        let mut headers = HeaderMap::new();
        for (name, value) in case["headers"].as_object().unwrap() {
            let name = http::HeaderName::from_bytes(name.as_bytes()).unwrap();
            headers.insert(
                name,
                HeaderValue::from_str(value.as_str().unwrap()).unwrap(),
            );
        }
        let got = verify_signature(
            case["body"].as_str().unwrap().as_bytes(),
            &headers,
            case["secret"].as_str().unwrap(),
            DEFAULT_TOLERANCE,
            now,
        );
        let expected = match case["error"].as_str() {
            None => Ok(()),
            Some("mismatch") => Err(VerifyError::Mismatch),
            Some("timestamp") => Err(VerifyError::Timestamp),
            Some(other) => panic!("unknown error {other}"),
        };
        assert_eq!(got, expected, "{}", case["name"]);
    }
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/sdks/testdata/webhook-signatures.json"
    );
    let text = serde_json::to_string_pretty(&vectors).unwrap() + "\n";
    if std::env::var_os("VINR_WRITE_VECTORS").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == text,
        "{path} is not what test_vectors() makes: run \
         `VINR_WRITE_VECTORS=1 cargo test --features ssr --lib signature_vectors`"
    );
}
