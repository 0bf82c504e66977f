//! What paying at the hosted checkout can lead to: shared by the server, which decides, and
//! the card-form island, which shows it.

use serde::{Deserialize, Serialize};

/// The answer to one attempt to pay at the checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PayOutcome {
    /// Go here next: the issuer's challenge, the merchant's `return_url`, or the result page.
    Redirect(String),
    /// The issuer declined; the form stays, with this message for the customer.
    Declined(String),
    /// A field is wrong (`name`, `number`, `expiry`, `cvc`); nothing was sent to the issuer.
    Invalid { field: String, message: String },
}

/// One line of an order, as the merchant sent it. `amount` is the line's total in minor units
/// (VAT included); `vat` is the rate in percent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LineItem {
    pub line_id: String,
    pub description: String,
    pub quantity: i64,
    pub amount: i64,
    #[serde(default)]
    pub vat: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_amount: Option<i64>,
}

/// The fields of the card form, in the order they are filled in.
pub const FIELDS: [&str; 4] = ["name", "number", "expiry", "cvc"];

/// What to say about a field the server refused, when the page is shown again after a plain
/// form post (no JavaScript). Only known fields have a message, so a crafted link cannot put
/// words on the page.
pub fn field_message(field: &str) -> Option<&'static str> {
    match field {
        "name" => Some("Enter the name as it is printed on the card."),
        "number" => Some("Your card number is incorrect. Check it and try again."),
        "expiry" => Some("Check the expiry date: month and year, not in the past (MM / YY)."),
        "cvc" => Some(
            "Enter the security code: 3 digits on the back, or 4 on the front for American Express.",
        ),
        _ => None,
    }
}

/// What a customer at the checkout reads after a decline, by the acquirer's `decline_code`:
/// plain words and what to do next, never the issuer's jargon.
pub fn customer_decline_message(decline_code: &str) -> &'static str {
    match decline_code {
        "insufficient_funds" => {
            "Your card has insufficient funds. Try another card, or contact your bank."
        }
        "incorrect_cvc" => {
            "The security code (CVC) doesn't match this card. Check it and try again, or use another card."
        }
        "expired_card" => "Your card has expired. Try another card.",
        "processing_error" => {
            "We couldn't process your card just now. You were not charged; try again, or use another card."
        }
        "authentication_failed" => {
            "Your bank couldn't confirm it was you, so the payment was not made. Try again, or use another card."
        }
        _ => {
            "Your card was declined. You were not charged; try another card, or contact your bank."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_a_message_and_nothing_else_does() {
        for field in FIELDS {
            assert!(field_message(field).is_some(), "{field}");
        }
        assert_eq!(field_message("<script>"), None);
    }

    #[test]
    fn decline_messages_are_for_customers() {
        for code in [
            "generic_decline",
            "insufficient_funds",
            "incorrect_cvc",
            "expired_card",
            "processing_error",
            "authentication_failed",
            "something_new",
        ] {
            let message = customer_decline_message(code);
            assert!(!message.contains('_'), "{code}: {message}");
            assert!(message.ends_with('.'), "{code}");
        }
        assert!(customer_decline_message("insufficient_funds").contains("insufficient funds"));
    }
}
