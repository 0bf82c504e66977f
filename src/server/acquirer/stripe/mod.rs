//! The Stripe connector: VINR as a gateway in front of Stripe as the processor.
//!
//! Cards are tokenised as Stripe PaymentMethods (the number goes from memory to Stripe and
//! nowhere else), authorisations are PaymentIntents confirmed at once, and every request that
//! moves money carries our reference as Stripe's `Idempotency-Key`: sending it again answers
//! the first request's result, which is how a lost answer is looked up without a second
//! charge. Timeouts and 5xx answers are `Unavailable` (the fate is unknown); 4xx answers map
//! to the contract's declines.

mod answers;
mod lookup;
mod wire;

use answers::{
    NO_DECREMENT, NO_PARTIAL_RELEASE, NOT_TOKENISED, REFUSED, done, outcome_of, suffix_of,
};
pub use answers::{
    challenge_origins, decline_of, intent_outcome, refund_answer, signature_matches,
};

use wire::{Answer, call};
pub use wire::{DEFAULT_API_BASE, Http, Settings, Timeouts, check_key, key_fits_mode};

use super::{Acquirer, Attempt, AuthOutcome, Decline, Hold, NewCard};
use async_trait::async_trait;
use serde_json::Value;

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
        let answer = self.post_intent(&form, attempt.reference).await;
        // localstripe (the fake as published) refuses parameters it does not model; Stripe
        // takes both. Without them a payment still works there, minus the redirect challenge.
        if let Answer::Refused(400, body) = &answer
            && unmodelled(body)
        {
            form.retain(|(key, _)| !matches!(*key, "return_url" | "statement_descriptor_suffix"));
            return outcome_of(self.post_intent(&form, attempt.reference).await);
        }
        outcome_of(answer)
    }

    /// Creates (and confirms) an intent for attempt `reference`, which is its idempotency key.
    async fn post_intent(&self, form: &[(&str, String)], reference: &str) -> Answer {
        self.call(
            reqwest::Method::POST,
            "/v1/payment_intents",
            form,
            Some(reference),
        )
        .await
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
}

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
    use crate::server::crypto::Secret;

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
