//! The embedded card element (§8): the messages its frame and the merchant's page exchange
//! (JSON strings over `postMessage`, marked `"vinr":"elements"`), what a confirm leads to,
//! and (in `appearance`) the look a merchant may ask for, reduced to safe CSS values.
//!
//! Shared by the server (which decides outcomes) and the frame's island (which talks to the
//! page), so both read the same shapes.

mod appearance;

pub use appearance::{Appearance, VariableValue, Variables};
use serde::{Deserialize, Serialize};

/// The marker every message carries, so unrelated `postMessage` traffic is ignored.
pub const MARKER: &str = "elements";

/// A payment as the card element reports it to the merchant's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentSummary {
    pub id: String,
    pub status: String,
    pub amount: i64,
    pub currency: String,
}

impl PaymentSummary {
    /// True when the customer's part is done and the money is (or will be) the merchant's:
    /// paid, authorised for a later capture, or being processed.
    pub fn is_success(&self) -> bool {
        matches!(
            self.status.as_str(),
            "succeeded" | "requires_capture" | "processing"
        )
    }
}

/// An error as the merchant's page receives it (the API's error object, less `payment`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementError {
    #[serde(rename = "type")]
    pub kind: String,
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decline_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
}

impl ElementError {
    pub fn new(kind: &str, code: &str, message: impl Into<String>) -> Self {
        ElementError {
            kind: kind.into(),
            code: code.into(),
            message: message.into(),
            decline_code: None,
            param: None,
        }
    }
}

/// Where a payment stands for the card element, after loading it or confirming it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ElementsOutcome {
    /// Waiting for a card: the fields are live.
    Open(PaymentSummary),
    /// The payment has a result (or another request is processing it).
    Done(PaymentSummary),
    /// The issuer wants the customer to authenticate at this URL (shown inside the frame).
    Challenge(String),
    /// The issuer declined; the customer may try another card. `message` is for them.
    Declined {
        code: String,
        decline_code: String,
        message: String,
    },
    /// A field is wrong (`number`, `expiry`, `cvc`); nothing was sent to the issuer.
    Invalid { field: String, message: String },
}

impl ElementsOutcome {
    /// What `elements.confirm()` resolves with: the payment, or an error.
    pub fn confirm_result(&self) -> Result<PaymentSummary, ElementError> {
        match self {
            ElementsOutcome::Done(p) if p.is_success() => Ok(p.clone()),
            ElementsOutcome::Done(p) => Err(ElementError::new(
                "invalid_request_error",
                "payment_unexpected_state",
                format!("This payment is {} and can no longer be paid.", p.status),
            )),
            ElementsOutcome::Open(_) | ElementsOutcome::Challenge(_) => Err(ElementError::new(
                "invalid_request_error",
                "payment_unexpected_state",
                "The payment is still waiting for the customer.",
            )),
            ElementsOutcome::Declined {
                code,
                decline_code,
                message,
            } => Err(ElementError {
                decline_code: Some(decline_code.clone()),
                ..ElementError::new("card_error", code, message.clone())
            }),
            ElementsOutcome::Invalid { field, message } => Err(ElementError {
                param: Some(field.clone()),
                ..ElementError::new("validation_error", invalid_code(field), message.clone())
            }),
        }
    }
}

/// The API's error code for a field refused before asking the issuer.
fn invalid_code(field: &str) -> &'static str {
    match field {
        "expiry" => "invalid_expiry",
        "cvc" => "invalid_cvc",
        _ => "incorrect_number",
    }
}

/// A message from the merchant's page to the frame.
#[derive(Debug, Clone, PartialEq)]
pub enum PageMessage {
    /// The page's answer to `loaded`: which payment, and how the fields should look.
    Init {
        client_secret: String,
        appearance: Box<Appearance>,
    },
    /// `elements.confirm()`; the answer is a `result` with the same id.
    Confirm { id: u64 },
}

/// Every field a page message may carry. Read flat rather than as a tagged enum: it keeps
/// serde's buffering machinery out of the wasm the customer downloads.
#[derive(Deserialize)]
struct RawPageMessage {
    vinr: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(rename = "clientSecret")]
    client_secret: Option<String>,
    #[serde(default)]
    appearance: Appearance,
    id: Option<u64>,
}

/// Reads a message from the page; anything else (other scripts' messages, bad JSON) is None.
pub fn parse_page_message(data: &str) -> Option<PageMessage> {
    let raw: RawPageMessage = serde_json::from_str(data).ok()?;
    if raw.vinr != MARKER {
        return None;
    }
    match raw.kind.as_str() {
        "init" => Some(PageMessage::Init {
            client_secret: raw.client_secret?,
            appearance: Box::new(raw.appearance),
        }),
        "confirm" => Some(PageMessage::Confirm { id: raw.id? }),
        _ => None,
    }
}

/// A message from the frame to the merchant's page.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FrameMessage {
    /// The frame listens: send `init`.
    Loaded,
    /// The fields are shown and the client secret checked.
    Ready,
    /// After each keystroke or check.
    Change {
        complete: bool,
        empty: bool,
        brand: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<ElementError>,
    },
    /// The frame's content height in CSS pixels.
    Resize { height: i32 },
    /// The answer to `confirm` number `id`.
    Result {
        id: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        payment: Option<PaymentSummary>,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<ElementError>,
    },
    /// Something the page should know (a bad key or client secret).
    Error { error: ElementError },
}

impl FrameMessage {
    /// The JSON string posted to the page.
    pub fn to_json(&self) -> String {
        // A tagged enum always serialises to an object starting `{"type":…`: the marker goes
        // in front (no JSON tree built, which keeps the wasm small).
        let json = serde_json::to_string(self).unwrap_or_else(|_| "{}".into());
        format!(
            "{{\"vinr\":\"{MARKER}\",{}",
            json.strip_prefix('{').unwrap_or("}")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_marked_page_messages_are_read() {
        let init = r##"{"vinr":"elements","type":"init","clientSecret":"pay_1_secret_x","appearance":{"variables":{"colorPrimary":"#000"}}}"##;
        match parse_page_message(init) {
            Some(PageMessage::Init {
                client_secret,
                appearance,
            }) => {
                assert_eq!(client_secret, "pay_1_secret_x");
                assert_eq!(
                    appearance.variables.color_primary,
                    Some(VariableValue::Text("#000".into()))
                );
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(
            parse_page_message(r#"{"vinr":"elements","type":"confirm","id":3}"#),
            Some(PageMessage::Confirm { id: 3 })
        );
        // Without appearance the defaults apply.
        assert!(matches!(
            parse_page_message(r#"{"vinr":"elements","type":"init","clientSecret":"s"}"#),
            Some(PageMessage::Init { .. })
        ));
        for other in [
            r#"{"type":"confirm","id":3}"#,
            r#"{"vinr":"other","type":"confirm","id":3}"#,
            r#"{"vinr":"elements","type":"steal"}"#,
            "not json",
            r#"{"vinr":"elements","type":"confirm"}"#,
        ] {
            assert_eq!(parse_page_message(other), None, "{other}");
        }
    }

    #[test]
    fn frame_messages_are_marked_json() {
        let json: serde_json::Value =
            serde_json::from_str(&FrameMessage::Resize { height: 120 }.to_json()).unwrap();
        assert_eq!(
            json,
            json!({"type": "resize", "height": 120, "vinr": "elements"})
        );
        let result = FrameMessage::Result {
            id: 2,
            payment: None,
            error: Some(ElementError::new("card_error", "card_declined", "No")),
        };
        let json: serde_json::Value = serde_json::from_str(&result.to_json()).unwrap();
        assert_eq!(json["error"]["type"], "card_error");
        assert!(json.get("payment").is_none());
    }

    fn summary(status: &str) -> PaymentSummary {
        PaymentSummary {
            id: "pay_1".into(),
            status: status.into(),
            amount: 1000,
            currency: "EUR".into(),
        }
    }

    #[test]
    fn confirm_results_say_success_or_why_not() {
        assert!(
            ElementsOutcome::Done(summary("succeeded"))
                .confirm_result()
                .is_ok()
        );
        assert!(
            ElementsOutcome::Done(summary("requires_capture"))
                .confirm_result()
                .is_ok()
        );
        let canceled = ElementsOutcome::Done(summary("canceled")).confirm_result();
        assert_eq!(canceled.unwrap_err().code, "payment_unexpected_state");
        let declined = ElementsOutcome::Declined {
            code: "card_declined".into(),
            decline_code: "generic_decline".into(),
            message: "Your card was declined.".into(),
        }
        .confirm_result()
        .unwrap_err();
        assert_eq!(declined.kind, "card_error");
        assert_eq!(declined.decline_code.as_deref(), Some("generic_decline"));
        let invalid = ElementsOutcome::Invalid {
            field: "expiry".into(),
            message: "Check the date.".into(),
        }
        .confirm_result()
        .unwrap_err();
        assert_eq!(
            (
                invalid.kind.as_str(),
                invalid.code.as_str(),
                invalid.param.as_deref()
            ),
            ("validation_error", "invalid_expiry", Some("expiry"))
        );
    }
}
