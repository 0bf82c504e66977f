//! A customer paying with a card they typed: at the hosted checkout or in the embedded card
//! element. Both check the card with the same rules, confirm through the same use case and
//! read the result the same way; they differ only in where a challenge ends (`Channel`).

use super::ServiceError;
use super::payments::{
    self, Channel, ConfirmPayment, Deps, PaymentError, challenge_url, status_of,
};
use crate::domain::card::{CardFieldError, check_card, split_expiry};
use crate::domain::checkout::field_message;
use crate::domain::payment::PaymentStatus;
use crate::server::clock::year_month;
use crate::server::crypto::Secret;
use crate::server::store::payments::PaymentRow;

/// Longest name on a card we accept.
const MAX_NAME_LEN: usize = 100;

/// The card as typed. Number and CVC are secrets from here on; `name` is None where the form
/// does not ask for it (the card element: the merchant's page collects names).
pub struct TypedCard {
    pub name: Option<String>,
    pub number: Secret,
    pub expiry: String,
    pub cvc: Secret,
}

/// What one attempt led to.
#[derive(Debug)]
pub enum Attempt {
    /// The payment is not waiting for a card (paid, authorised, canceled, expired, or being
    /// processed by another request): nothing was charged by this attempt unless it says so.
    Settled(PaymentRow),
    /// The issuer wants the customer to authenticate at `url`.
    Challenge { payment: PaymentRow, url: String },
    /// The issuer declined; the payment waits for another card.
    Declined {
        payment: PaymentRow,
        decline_code: String,
    },
    /// A field is wrong (`name`, `number`, `expiry`, `cvc`); nothing was sent to the issuer.
    Invalid { field: String, message: String },
}

/// Pays `row` with a typed card. A payment that is not waiting for a card is never charged
/// again: it comes back as it stands (or with its pending challenge).
pub async fn pay(
    deps: &Deps<'_>,
    row: PaymentRow,
    card: TypedCard,
    channel: Channel,
) -> Result<Attempt, PaymentError> {
    match status_of(&row) {
        PaymentStatus::RequiresPaymentMethod => {}
        // A challenge is under way: finish it rather than charge again.
        PaymentStatus::RequiresAction => {
            if let Some(url) = challenge_url(&row) {
                return Ok(Attempt::Challenge { payment: row, url });
            }
            return Ok(Attempt::Settled(row));
        }
        _ => return Ok(Attempt::Settled(row)),
    }
    let Some(scope) = payments::scope_of(&row) else {
        return Err(ServiceError::invalid("mode", "The payment has no valid mode.").into());
    };
    let method = match typed_method(deps, &scope, &card, &row.acquirer).await {
        Ok(method) => method,
        Err(InvalidField { field, message }) => return Ok(Attempt::Invalid { field, message }),
    };
    let input = ConfirmPayment {
        new_card: Some(method),
        ..ConfirmPayment::default()
    };
    match payments::confirm(deps, &scope, &row.id, input, channel).await {
        Ok(staged) => {
            staged.tx.commit().await?;
            let paid = staged.payment;
            Ok(match status_of(&paid) {
                PaymentStatus::RequiresAction => match challenge_url(&paid) {
                    Some(url) => Attempt::Challenge { payment: paid, url },
                    None => Attempt::Settled(paid),
                },
                PaymentStatus::RequiresPaymentMethod => Attempt::Declined {
                    decline_code: staged
                        .decline
                        .map(|d| d.decline_code.to_string())
                        .unwrap_or_default(),
                    payment: paid,
                },
                _ => Attempt::Settled(paid),
            })
        }
        // Paid, canceled or expired meanwhile (another tab, the worker): say where it stands.
        Err(PaymentError::State(_) | PaymentError::Conflict) => {
            let now = payments::find_by_reference(deps.store, &row.id)
                .await?
                .unwrap_or(row);
            Ok(Attempt::Settled(now))
        }
        Err(err) => Err(err),
    }
}

/// Checks a typed card with the same rules everywhere it is typed and turns it into a
/// payment method row, not yet saved; or the field that is wrong. When `connection` is a
/// processor, the number and CVC go from memory to it and the row keeps its token.
pub async fn typed_method(
    deps: &Deps<'_>,
    scope: &super::Scope,
    card: &TypedCard,
    connection: &str,
) -> Result<crate::server::store::payment_methods::PaymentMethodRow, InvalidField> {
    let name = match card.name.as_deref().map(str::trim) {
        Some(name) if name.is_empty() || name.chars().count() > MAX_NAME_LEN => {
            return Err(InvalidField {
                field: "name".into(),
                message: field_message("name").unwrap_or_default().into(),
            });
        }
        other => other.map(str::to_string),
    };
    let (month, year) = split_expiry(&card.expiry);
    let checked = check_card(
        card.number.expose(),
        &month,
        &year,
        card.cvc.expose(),
        year_month(deps.clock.now()),
    )
    .map_err(|err| invalid_field(&err))?;
    let mut row = super::cards::card_method(scope, deps.clock, deps.secret, &checked, name);
    super::cards::to_processor(
        deps,
        scope,
        connection,
        &checked,
        card.cvc.expose(),
        &mut row,
    )
    .await
    .map_err(|decline| InvalidField {
        field: "number".into(),
        message: decline.message.to_string(),
    })?;
    Ok(row)
}

/// A form field (`name`, `number`, `expiry`, `cvc`) a typed card is refused for.
#[derive(Debug, PartialEq, Eq)]
pub struct InvalidField {
    pub field: String,
    pub message: String,
}

/// The form field a card check failed on, with its message.
fn invalid_field(err: &CardFieldError) -> InvalidField {
    let field = match err.param {
        "exp_month" | "exp_year" => "expiry",
        other => other,
    };
    InvalidField {
        field: field.to_string(),
        message: err.message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_errors_point_at_the_one_expiry_field() {
        let err = CardFieldError {
            param: "exp_year",
            code: "invalid_expiry_year",
            message: "Your card's expiration year is in the past.",
        };
        assert_eq!(
            invalid_field(&err),
            InvalidField {
                field: "expiry".into(),
                message: err.message.into()
            }
        );
    }
}
