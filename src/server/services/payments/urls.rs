//! Where a payment sends its customer: the pages an issuer challenge ends on, the challenge
//! itself, and the merchant's `return_url` with the result.

use crate::server::store::payments::PaymentRow;

/// The page inside the card element's frame where an issuer challenge ends.
pub fn elements_challenge_end(public_url: &str, payment_id: &str) -> String {
    format!("{public_url}/elements/challenge/{payment_id}")
}

/// Where a processor's 3-D Secure challenge sends the customer back to: VINR asks the
/// processor how it ended, then sends them on as the sandbox's challenge page would.
pub fn processor_return(public_url: &str, payment_id: &str) -> String {
    format!("{public_url}/processor/return/{payment_id}")
}

/// The issuer challenge a payment in `requires_action` waits on.
pub fn challenge_url(row: &PaymentRow) -> Option<String> {
    redirect_to_url(row, "url")
}

/// A field of the payment's `next_action.redirect_to_url`.
pub(super) fn redirect_to_url(row: &PaymentRow, field: &str) -> Option<String> {
    let action: serde_json::Value = serde_json::from_str(row.next_action.as_deref()?).ok()?;
    action["redirect_to_url"][field]
        .as_str()
        .map(str::to_string)
}

/// The merchant's `return_url` with `payment_id` and `status` appended, when it has one.
pub fn return_url_with_result(row: &PaymentRow) -> Option<String> {
    let mut target = url::Url::parse(row.return_url.as_deref()?).ok()?;
    target
        .query_pairs_mut()
        .append_pair("payment_id", &row.id)
        .append_pair("status", row.status.as_str());
    Some(target.to_string())
}
