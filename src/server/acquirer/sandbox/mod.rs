//! The sandbox acquirer: test cards and tokens (§6, `cards`) turned into successes, declines
//! and 3-D Secure challenges, after a small simulated latency (zero for benchmarks).

mod cards;

pub use cards::{Scenario, TEST_CARD_NUMBERS, TEST_TOKENS, TestToken, is_test_card, test_token};

use super::{Acquirer, Attempt, AuthOutcome, CardProfile, Decline, Hold, NewCard};
use async_trait::async_trait;
use std::time::Duration;

/// The simulated acquirer.
#[derive(Debug, Clone)]
pub struct Sandbox {
    latency: Duration,
}

impl Sandbox {
    pub fn new(latency: Duration) -> Sandbox {
        Sandbox { latency }
    }

    async fn wait(&self) {
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
    }
}

fn scenario_of(card: &CardProfile) -> Scenario {
    Scenario::parse(&card.scenario).unwrap_or(Scenario::Success)
}

#[async_trait]
impl Acquirer for Sandbox {
    fn remote(&self) -> bool {
        false
    }

    async fn tokenize(&self, _card: &NewCard<'_>) -> Result<Option<String>, Decline> {
        Ok(None)
    }

    async fn authorize(&self, attempt: &Attempt<'_>) -> AuthOutcome {
        self.wait().await;
        match scenario_of(attempt.card) {
            Scenario::ChallengeThenSuccess | Scenario::ChallengeThenDecline => {
                AuthOutcome::ChallengeRequired {
                    url: None,
                    processor_ref: None,
                }
            }
            // The contract has this card both declined and declining adjust-up, which needs an
            // authorisation to adjust: a charge is declined, a hold (manual capture) is granted
            // and any later increase of it is declined.
            Scenario::InsufficientFunds if attempt.manual_capture => AuthOutcome::AUTHORIZED,
            other => other
                .decline()
                .map_or(AuthOutcome::AUTHORIZED, AuthOutcome::Declined),
        }
    }

    async fn complete_challenge(
        &self,
        attempt: &Attempt<'_>,
        _processor_ref: Option<&str>,
        passed: bool,
    ) -> AuthOutcome {
        self.wait().await;
        if !passed {
            return AuthOutcome::Declined(Decline {
                code: "card_declined",
                decline_code: "authentication_failed",
                message: "The customer did not complete 3D Secure authentication.",
            });
        }
        scenario_of(attempt.card)
            .decline()
            .map_or(AuthOutcome::AUTHORIZED, AuthOutcome::Declined)
    }

    async fn adjust(
        &self,
        hold: &Hold<'_>,
        old_amount: i64,
        new_amount: i64,
    ) -> Result<(), Decline> {
        self.wait().await;
        // The insufficient-funds card has no room for more than it first held.
        if new_amount > old_amount && scenario_of(hold.card) == Scenario::InsufficientFunds {
            return Err(Scenario::InsufficientFunds.decline().expect("declines"));
        }
        Ok(())
    }

    async fn capture(
        &self,
        _hold: &Hold<'_>,
        _amount: i64,
        _authorized: i64,
    ) -> Result<(), Decline> {
        self.wait().await;
        Ok(())
    }

    async fn release(&self, _hold: &Hold<'_>, _amount: i64, _full: bool) -> Result<(), Decline> {
        self.wait().await;
        Ok(())
    }

    async fn refund(&self, _reference: &str, hold: &Hold<'_>, amount: i64) -> Result<(), Decline> {
        self.wait().await;
        refund_answer(hold.card, amount)
    }

    // The sandbox keeps no state: its answer depends only on the card, so the answer that was
    // lost is the one it gives again. Nothing is authorised or refunded twice.
    async fn lookup_authorization(&self, attempt: &Attempt<'_>) -> AuthOutcome {
        self.authorize(attempt).await
    }

    async fn lookup_refund(
        &self,
        _reference: &str,
        hold: &Hold<'_>,
        amount: i64,
    ) -> Result<(), Decline> {
        self.wait().await;
        refund_answer(hold.card, amount)
    }
}

fn refund_answer(card: &CardProfile, _amount: i64) -> Result<(), Decline> {
    if scenario_of(card) == Scenario::RefundFails {
        return Err(Decline {
            code: "refund_failed",
            decline_code: "refund_failed",
            message: "The card's issuer could not take the refund back onto the card.",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(scenario: Scenario) -> CardProfile {
        CardProfile {
            brand: "visa".into(),
            last4: "0000".into(),
            scenario: scenario.as_str().into(),
            token: None,
        }
    }

    fn attempt(card: &CardProfile, manual_capture: bool) -> Attempt<'_> {
        Attempt {
            reference: "ch_test",
            payment_id: "pay_test",
            card,
            amount: 5000,
            currency: "EUR",
            manual_capture,
            off_session: false,
            return_url: None,
            statement_descriptor: None,
        }
    }

    fn hold(card: &CardProfile) -> Hold<'_> {
        Hold {
            reference: "ch_test",
            card,
            processor_ref: None,
        }
    }

    const CHALLENGE: AuthOutcome = AuthOutcome::ChallengeRequired {
        url: None,
        processor_ref: None,
    };

    #[tokio::test]
    async fn every_test_card_does_what_the_table_says() {
        let acq = Sandbox::new(Duration::ZERO);
        let cases = [
            ("4242424242424242", AuthOutcome::AUTHORIZED),
            ("5555555555554444", AuthOutcome::AUTHORIZED),
            ("378282246310005", AuthOutcome::AUTHORIZED),
            ("4000000000003220", CHALLENGE),
            ("4000008400001629", CHALLENGE),
        ];
        for (number, want) in cases {
            assert_eq!(
                acq.authorize(&attempt(&card(Scenario::for_number(number)), false))
                    .await,
                want,
                "{number}"
            );
        }
        let declines = [
            ("4000000000000002", "card_declined", "generic_decline"),
            ("4000000000009995", "card_declined", "insufficient_funds"),
            ("4000000000000127", "incorrect_cvc", "incorrect_cvc"),
            ("4000000000000069", "expired_card", "expired_card"),
            ("4000000000000119", "processing_error", "processing_error"),
        ];
        for (number, code, decline_code) in declines {
            match acq
                .authorize(&attempt(&card(Scenario::for_number(number)), false))
                .await
            {
                AuthOutcome::Declined(d) => {
                    assert_eq!((d.code, d.decline_code), (code, decline_code), "{number}")
                }
                other => panic!("{number}: {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn challenges_end_by_card_and_by_customer() {
        let acq = Sandbox::new(Duration::ZERO);
        let ok = card(Scenario::ChallengeThenSuccess);
        assert_eq!(
            acq.complete_challenge(&attempt(&ok, false), None, true)
                .await,
            AuthOutcome::AUTHORIZED
        );
        assert!(matches!(
            acq.complete_challenge(&attempt(&ok, false), None, false)
                .await,
            AuthOutcome::Declined(_)
        ));
        let bad = card(Scenario::ChallengeThenDecline);
        assert!(matches!(
            acq.complete_challenge(&attempt(&bad, false), None, true)
                .await,
            AuthOutcome::Declined(_)
        ));
    }

    #[tokio::test]
    async fn insufficient_funds_declines_only_increases() {
        let acq = Sandbox::new(Duration::ZERO);
        let poor = card(Scenario::InsufficientFunds);
        assert!(matches!(
            acq.authorize(&attempt(&poor, false)).await,
            AuthOutcome::Declined(_)
        ));
        assert_eq!(
            acq.authorize(&attempt(&poor, true)).await,
            AuthOutcome::AUTHORIZED
        );
        assert!(acq.adjust(&hold(&poor), 5000, 6500).await.is_err());
        assert!(acq.adjust(&hold(&poor), 5000, 4000).await.is_ok());
        assert!(
            acq.adjust(&hold(&card(Scenario::Success)), 5000, 6500)
                .await
                .is_ok()
        );
    }
}
