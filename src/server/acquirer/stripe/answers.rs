//! Stripe's answers in the contract's terms: PaymentIntent statuses as outcomes, Stripe's error
//! codes as declines, refund statuses, the webhook signature, and the fallbacks VINR answers
//! where Stripe has no such operation. Pure functions, unit-tested without a processor.

use super::{Answer, Settings};
use crate::server::acquirer::{AuthOutcome, Decline};
use serde_json::Value;

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
pub(super) const REFUND_FAILED: Decline = Decline {
    code: "refund_failed",
    decline_code: "refund_failed",
    message: "The card's issuer could not take the refund back onto the card.",
};

/// A statement descriptor as Stripe's card suffix: at most 22 characters of letters, digits
/// and spaces (Stripe refuses `<>\'"*`).
pub(super) fn suffix_of(descriptor: &str) -> String {
    descriptor
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ' || *c == '.' || *c == '-')
        .take(22)
        .collect()
}

/// A card this connection did not tokenise.
pub(super) const NOT_TOKENISED: Decline = Decline {
    code: "processing_error",
    decline_code: "card_not_tokenised",
    message: "This card was not saved with this connection's processor; enter it again.",
};

/// Stripe refused a request that was not a card decline (a state or parameter problem).
pub(super) const REFUSED: Decline = Decline {
    code: "processing_error",
    decline_code: "processor_refused",
    message: "The payment processor refused the request.",
};

/// Stripe cannot release part of a hold: the documented fallback is to capture less.
pub(super) const NO_PARTIAL_RELEASE: Decline = Decline {
    code: "processing_error",
    decline_code: "not_supported",
    message: "This connection's processor cannot release part of a hold: capture less instead (the rest is released), or reverse all of it.",
};

/// Stripe cannot lower an authorisation: the documented fallback is to capture less.
pub(super) const NO_DECREMENT: Decline = Decline {
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
pub(super) fn outcome_of(answer: Answer) -> AuthOutcome {
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
pub(super) fn done(answer: Answer) -> Result<(), Decline> {
    match answer {
        Answer::Ok(_) => Ok(()),
        Answer::Refused(_, body) => Err(decline_of(body.get("error").unwrap_or(&Value::Null))),
        Answer::Unavailable => Err(Decline::UNAVAILABLE),
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
}
