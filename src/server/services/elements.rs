//! The embedded card element (§8), server side: which payment a client secret opens, where
//! it stands for the frame, and paying it with the card typed there. The frame reaches this
//! with the merchant's publishable key, so everything is scoped to that key's account and
//! mode, and to the one payment whose client secret the frame holds.

use super::card_entry::{self, Attempt, TypedCard};
use super::payments::{self, Channel, Deps, PaymentError, challenge_url, status_of};
use super::{Scope, ServiceError};
use crate::domain::checkout::customer_decline_message;
use crate::domain::elements::{ElementsOutcome, PaymentSummary};
use crate::domain::embed::parse_origins;
use crate::domain::ids::{IdKind, is_id};
use crate::domain::payment::PaymentStatus;
use crate::server::crypto::{Secret, constant_time_eq};
use crate::server::store::accounts::AccountRow;
use crate::server::store::payments::PaymentRow;

/// The account's allowed embed origins, as the dashboard stored them (normalised).
fn allowed_origins(account: &AccountRow) -> Vec<String> {
    parse_origins(&account.embed_origins).unwrap_or_default()
}

/// Who may frame the card element of `account`: its allowed origins (`'none'` without any).
pub fn frame_ancestors(account: &AccountRow) -> String {
    let origins = allowed_origins(account);
    if origins.is_empty() {
        "'none'".to_string()
    } else {
        origins.join(" ")
    }
}

/// Who may frame a challenge shown inside the card element: the element's frame (ours) and
/// the merchant's page around it.
pub fn challenge_ancestors(account: &AccountRow) -> String {
    std::iter::once("'self'".to_string())
        .chain(allowed_origins(account))
        .collect::<Vec<_>>()
        .join(" ")
}

/// True when `origin` is one of the account's allowed embed origins.
pub fn origin_allowed(account: &AccountRow, origin: &str) -> bool {
    allowed_origins(account).iter().any(|o| o == origin)
}

/// The payment id a client secret (`pay_…_secret_…`) names, when it has that shape.
pub fn payment_id_of(client_secret: &str) -> Option<&str> {
    let (id, _) = client_secret.split_once("_secret_")?;
    is_id(IdKind::Payment, id).then_some(id)
}

/// True when `client_secret` is the one we issued for payment `id`.
pub fn secret_matches(secret: &Secret, id: &str, client_secret: &str) -> bool {
    let expected = payments::client_secret(secret, id);
    constant_time_eq(expected.as_bytes(), client_secret.as_bytes())
}

fn bad_secret() -> PaymentError {
    ServiceError::invalid(
        "client_secret",
        "The client secret does not match a payment: pass the client_secret that \
         POST /v1/payment_sessions returned.",
    )
    .into()
}

/// The payment a client secret opens in the key's account and mode (another account's
/// payment is not found), expired first when it is past due.
pub async fn payment_for(
    deps: &Deps<'_>,
    scope: &Scope,
    client_secret: &str,
) -> Result<PaymentRow, PaymentError> {
    let id = payment_id_of(client_secret)
        .filter(|id| secret_matches(deps.secret, id, client_secret))
        .ok_or_else(bad_secret)?;
    let row = payments::find(deps.store, scope, id).await?;
    payments::expire_if_due(deps, row).await
}

/// Where the payment stands, as the frame shows it.
pub async fn status(
    deps: &Deps<'_>,
    scope: &Scope,
    client_secret: &str,
) -> Result<ElementsOutcome, PaymentError> {
    Ok(outcome_of(&payment_for(deps, scope, client_secret).await?))
}

/// Pays the client secret's payment with the card typed into the frame.
pub async fn confirm(
    deps: &Deps<'_>,
    scope: &Scope,
    client_secret: &str,
    card: TypedCard,
) -> Result<ElementsOutcome, PaymentError> {
    let row = payment_for(deps, scope, client_secret).await?;
    Ok(
        match card_entry::pay(deps, row, card, Channel::Elements).await? {
            Attempt::Settled(row) => outcome_of(&row),
            Attempt::Challenge { url, .. } => ElementsOutcome::Challenge(url),
            Attempt::Declined { payment, .. } => outcome_of(&payment),
            Attempt::Invalid { field, message } => ElementsOutcome::Invalid { field, message },
        },
    )
}

/// A stored payment as the frame sees it: open for a card (or declined, and open again),
/// challenged, or done.
pub fn outcome_of(row: &PaymentRow) -> ElementsOutcome {
    let summary = PaymentSummary {
        id: row.id.clone(),
        status: row.status.as_str().to_string(),
        amount: row.amount,
        currency: row.currency.code().to_string(),
    };
    match status_of(row) {
        PaymentStatus::RequiresPaymentMethod => match last_decline(row) {
            Some((code, decline_code)) => ElementsOutcome::Declined {
                message: customer_decline_message(&decline_code).to_string(),
                code,
                decline_code,
            },
            None => ElementsOutcome::Open(summary),
        },
        PaymentStatus::RequiresAction => match challenge_url(row) {
            Some(url) => ElementsOutcome::Challenge(url),
            None => ElementsOutcome::Done(summary),
        },
        _ => ElementsOutcome::Done(summary),
    }
}

/// The code and decline code of the payment's last declined attempt.
fn last_decline(row: &PaymentRow) -> Option<(String, String)> {
    let error = row.last_error()?;
    let code = error["code"]
        .as_str()
        .unwrap_or("card_declined")
        .to_string();
    let decline_code = error["decline_code"]
        .as_str()
        .unwrap_or("generic_decline")
        .to_string();
    Some((code, decline_code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_secrets_name_their_payment_and_cannot_be_forged() {
        let secret = Secret::new("server-secret");
        let id = "pay_0123456789abcdefghijklmn";
        let client_secret = payments::client_secret(&secret, id);
        assert_eq!(payment_id_of(&client_secret), Some(id));
        assert!(secret_matches(&secret, id, &client_secret));
        let forged = format!("{id}_secret_00000000000000000000000000000000");
        assert!(!secret_matches(&secret, id, &forged));
        let other = "pay_zzzzzzzzzzzzzzzzzzzzzzzz";
        assert!(!secret_matches(&secret, other, &client_secret));
        assert_eq!(payment_id_of("cus_x_secret_y"), None);
        assert_eq!(payment_id_of("nothing"), None);
    }

    fn row(status: &str, error: Option<&str>) -> PaymentRow {
        let mut row = crate::server::store::payments::sample_row("pay_1", status, None);
        row.last_payment_error = error.map(str::to_string);
        row
    }

    #[test]
    fn the_frame_sees_open_declined_or_done() {
        assert!(matches!(
            outcome_of(&row("requires_payment_method", None)),
            ElementsOutcome::Open(_)
        ));
        let declined = outcome_of(&row(
            "requires_payment_method",
            Some(r#"{"code":"card_declined","decline_code":"authentication_failed"}"#),
        ));
        match declined {
            ElementsOutcome::Declined {
                decline_code,
                message,
                ..
            } => {
                assert_eq!(decline_code, "authentication_failed");
                assert!(message.contains("bank"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
        match outcome_of(&row("succeeded", None)) {
            ElementsOutcome::Done(p) => assert!(p.is_success()),
            other => panic!("unexpected {other:?}"),
        }
    }
}
