//! Tokenising a card: the number and CVC are checked, then dropped. What is kept is the
//! brand, last four, expiry, a keyed fingerprint (same card, same fingerprint) and, in the
//! sandbox, the test scenario the number stands for.

use super::payments::{self, Deps};
use super::{Scope, ServiceError};
use crate::domain::card::{CardFieldError, CheckedCard, check_card};
use crate::domain::ids::IdKind;
use crate::server::acquirer::sandbox::{Scenario, is_test_card};
use crate::server::acquirer::{Decline, NewCard};
use crate::server::clock::{Clock, year_month};
use crate::server::crypto::{Secret, hmac_sha256, new_id};
use crate::server::store::payment_methods::PaymentMethodRow;

/// Card fields as received.
#[derive(Debug)]
pub struct CardInput {
    pub number: Secret,
    pub exp_month: String,
    pub exp_year: String,
    pub cvc: Secret,
}

/// Why tokenising failed.
#[derive(Debug, thiserror::Error)]
pub enum CardError {
    /// The card itself is wrong (402 `card_error`).
    #[error("{}", .0.message)]
    Field(CardFieldError),
    /// The processor refused the card, or live mode a test card (402 `card_error`).
    #[error("{}", .0.message)]
    Declined(Decline),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// The keyed fingerprint of a card number: equal for the same card, useless without the key.
pub fn fingerprint(secret: &Secret, digits: &str) -> String {
    hex::encode(
        &hmac_sha256(
            secret.expose().as_bytes(),
            format!("card:{digits}").as_bytes(),
        )[..8],
    )
}

/// Checks the card and makes it a new payment method (`pm_…`), tokenised with `connection`'s
/// processor when it has one; the caller saves the row.
pub async fn tokenize(
    deps: &Deps<'_>,
    scope: &Scope,
    connection: &str,
    input: &CardInput,
) -> Result<PaymentMethodRow, CardError> {
    let card = check_card(
        input.number.expose(),
        &input.exp_month,
        &input.exp_year,
        input.cvc.expose(),
        year_month(deps.clock.now()),
    )
    .map_err(CardError::Field)?;
    let mut row = card_method(scope, deps.clock, deps.secret, &card, None);
    to_processor(deps, scope, connection, &card, input.cvc.expose(), &mut row)
        .await
        .map_err(CardError::Declined)?;
    Ok(row)
}

/// A test card in live mode.
pub const LIVE_TEST_CARD: Decline = Decline {
    code: "card_declined",
    decline_code: "live_mode_test_card",
    message: "This is a test card: live payments need a real card.",
};

/// No usable connection to tokenise with.
const NO_CONNECTION: Decline = Decline {
    code: "processing_error",
    decline_code: "no_connection",
    message: "Payments here are not set up to take cards yet (no processor connection).",
};

/// Hands a checked card to `connection`'s processor and keeps its token on `row`; nothing for
/// the sandbox. Live mode refuses the contract's test cards before anything is sent.
pub async fn to_processor(
    deps: &Deps<'_>,
    scope: &Scope,
    connection: &str,
    card: &CheckedCard,
    cvc: &str,
    row: &mut PaymentMethodRow,
) -> Result<(), Decline> {
    if scope.mode.is_live() && is_test_card(&card.number) {
        return Err(LIVE_TEST_CARD);
    }
    let acquirer = match payments::acquirer_for(deps, scope, connection).await {
        Ok(Some(acquirer)) => acquirer,
        Ok(None) => return Err(NO_CONNECTION),
        Err(err) => {
            tracing::error!(error = %err, "could not read the acquirer connection");
            return Err(Decline::UNAVAILABLE);
        }
    };
    if !acquirer.remote() {
        return Ok(());
    }
    let number = Secret::new(card.number.clone());
    let cvc = Secret::new(cvc);
    let token = acquirer
        .tokenize(&NewCard {
            number: &number,
            exp_month: card.exp_month,
            exp_year: card.exp_year,
            cvc: &cvc,
        })
        .await?;
    row.processor = Some(connection.to_string());
    row.processor_token = token;
    Ok(())
}

/// A checked card as a payment method row, ready to insert: brand, last four, expiry and
/// fingerprint; the number and CVC stay out.
pub fn card_method(
    scope: &Scope,
    clock: &dyn Clock,
    secret: &Secret,
    card: &CheckedCard,
    billing_name: Option<String>,
) -> PaymentMethodRow {
    let now = clock.now_micros();
    PaymentMethodRow {
        id: new_id(IdKind::PaymentMethod),
        account_id: scope.account_id.clone(),
        mode: scope.mode,
        customer_id: None,
        card_brand: card.brand.as_str().to_string(),
        card_last4: card.last4().to_string(),
        card_exp_month: i64::from(card.exp_month),
        card_exp_year: i64::from(card.exp_year),
        card_funding: "credit".into(),
        card_country: "US".into(),
        card_fingerprint: fingerprint(secret, &card.number),
        sandbox_scenario: Scenario::for_number(&card.number).as_str().to_string(),
        billing_name,
        created: now.div_euclid(1_000_000),
        sort_key: now,
        processor: None,
        processor_token: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_identify_a_card_without_revealing_it() {
        let key = Secret::new("k".repeat(48));
        let a = fingerprint(&key, "4242424242424242");
        assert_eq!(a, fingerprint(&key, "4242424242424242"));
        assert_ne!(a, fingerprint(&key, "5555555555554444"));
        assert_ne!(a, fingerprint(&Secret::new("other"), "4242424242424242"));
        assert!(!a.contains("4242"));
    }
}
