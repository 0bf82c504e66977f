//! The hosted checkout: what its page shows, paying with a card typed there, and cancelling.
//! Dintero-style sessions (an order with line items, a return and a callback URL) are in
//! `sessions`.
//!
//! The page and its island, the plain form post and `GET /v1/checkout/{reference}` all come
//! here, so with or without JavaScript a payment goes through the same code.

mod sessions;

use sessions::items_of;
pub use sessions::{LineItem, NewSession, create_session, session_view};

use super::ServiceError;
pub use super::card_entry::TypedCard;
use super::card_entry::{self, Attempt};
use super::payments::{
    self as payments_service, Channel, Deps, PaymentError, return_url_with_result, scope_of,
    status_of,
};
pub use crate::domain::checkout::PayOutcome;
use crate::domain::checkout::customer_decline_message;
use crate::domain::payment::PaymentStatus;
use crate::server::store::accounts;
use crate::server::store::checkout_sessions;
use crate::server::store::payments::PaymentRow;
use crate::server::views::CheckoutContextView;
use crate::server::views::checkout::CheckoutMerchant;

/// The colour used when an account's own is not a `#rrggbb` value.
pub const DEFAULT_BRAND_COLOR: &str = "#4f46e5";

/// Everything the checkout shows about one payment.
#[derive(Debug, Clone)]
pub struct CheckoutView {
    pub payment: PaymentRow,
    pub merchant_name: String,
    pub brand_color: String,
    pub merchant_reference: Option<String>,
    pub items: Vec<LineItem>,
    /// Where the payment's processor may send the customer for a challenge (the page's form
    /// post may end in a redirect there); empty for the sandbox.
    pub challenge_origins: Vec<String>,
}

impl CheckoutView {
    pub fn status(&self) -> PaymentStatus {
        status_of(&self.payment)
    }

    pub fn livemode(&self) -> bool {
        self.payment.mode == crate::domain::mode::Mode::Live
    }

    /// What to tell the customer about the last attempt, when it was declined and they may
    /// try again.
    pub fn decline_message(&self) -> Option<&'static str> {
        if self.status() != PaymentStatus::RequiresPaymentMethod {
            return None;
        }
        let error = self.payment.last_error()?;
        Some(customer_decline_message(
            error["decline_code"].as_str().unwrap_or_default(),
        ))
    }

    /// The public context (`GET /v1/checkout/{reference}`).
    pub fn context(&self, public_url: &str) -> CheckoutContextView {
        let merchant = CheckoutMerchant {
            name: &self.merchant_name,
            brand_color: &self.brand_color,
            merchant_reference: self.merchant_reference.as_deref(),
            items: &self.items,
        };
        CheckoutContextView::new(&self.payment, merchant, public_url)
    }
}

/// The checkout of a payment (its id is the reference), expired first when it is past due.
/// None when there is no such payment.
pub async fn load(deps: &Deps<'_>, reference: &str) -> Result<Option<CheckoutView>, PaymentError> {
    let Some(row) = payments_service::find_by_reference(deps.store, reference).await? else {
        return Ok(None);
    };
    let payment = payments_service::expire_if_due(deps, row).await?;
    let account = accounts::find(deps.store.reader(), &payment.account_id).await?;
    let (merchant_name, brand_color) = account.map(|a| (a.name, a.brand_color)).unwrap_or_default();
    let session = match &payment.checkout_session {
        Some(id) => checkout_sessions::find_by_id(deps.store.reader(), id).await?,
        None => None,
    };
    let challenge_origins = match payments_service::scope_of(&payment) {
        Some(scope) => {
            crate::server::services::acquirer_connections::challenge_origins(
                deps.store,
                deps.secret,
                &scope,
                &payment.acquirer,
            )
            .await?
        }
        None => Vec::new(),
    };
    Ok(Some(CheckoutView {
        challenge_origins,
        brand_color: safe_color(&brand_color).to_string(),
        merchant_name,
        merchant_reference: session.as_ref().and_then(|s| s.merchant_reference.clone()),
        items: session.as_ref().map(items_of).unwrap_or_default(),
        payment,
    }))
}

/// The brand colour if it is a plain `#rrggbb` (it goes into the page's CSS).
pub fn safe_color(color: &str) -> &str {
    let ok = color.len() == 7
        && color.starts_with('#')
        && color[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok { color } else { DEFAULT_BRAND_COLOR }
}

/// Where the customer goes once a payment has a result: the merchant's `return_url` with
/// `payment_id` and `status`, or the checkout's own result page. While the payment still
/// waits for the customer, back to the form.
pub fn result_target(row: &PaymentRow) -> String {
    let status = status_of(row);
    let has_result = !(status.awaits_customer() || status == PaymentStatus::Processing);
    has_result
        .then(|| return_url_with_result(row))
        .flatten()
        .unwrap_or_else(|| format!("/checkout/{}", row.id))
}

/// Pays the checkout `reference` with a card typed into its form (the name is required
/// there). A decline leaves the payment waiting for another card; a paid, canceled or expired
/// payment is never charged again.
pub async fn pay(
    deps: &Deps<'_>,
    reference: &str,
    card: TypedCard,
) -> Result<PayOutcome, PaymentError> {
    let Some(view) = load(deps, reference).await? else {
        return Err(ServiceError::NotFound {
            object: "checkout",
            id: reference.to_string(),
        }
        .into());
    };
    let card = TypedCard {
        name: Some(card.name.unwrap_or_default()),
        ..card
    };
    Ok(
        match card_entry::pay(deps, view.payment, card, Channel::Checkout).await? {
            Attempt::Settled(row) => PayOutcome::Redirect(result_target(&row)),
            Attempt::Challenge { url, .. } => PayOutcome::Redirect(url),
            Attempt::Declined { decline_code, .. } => {
                PayOutcome::Declined(customer_decline_message(&decline_code).to_string())
            }
            Attempt::Invalid { field, message } => PayOutcome::Invalid { field, message },
        },
    )
}

/// The customer gives up: the payment is canceled (`requested_by_customer`). Returns where to
/// send them. A payment that already has a result keeps it.
pub async fn cancel(deps: &Deps<'_>, reference: &str) -> Result<Option<String>, PaymentError> {
    let Some(view) = load(deps, reference).await? else {
        return Ok(None);
    };
    let row = view.payment;
    if !status_of(&row).awaits_customer() {
        return Ok(Some(result_target(&row)));
    }
    let Some(scope) = scope_of(&row) else {
        return Ok(Some(result_target(&row)));
    };
    match payments_service::cancel(
        deps,
        &scope,
        &row.id,
        Some("requested_by_customer".to_string()),
    )
    .await
    {
        Ok(staged) => {
            staged.tx.commit().await?;
            Ok(Some(result_target(&staged.payment)))
        }
        Err(PaymentError::State(_) | PaymentError::Conflict) => {
            Ok(Some(format!("/checkout/{}", row.id)))
        }
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brand_colours_must_be_plain_hex() {
        assert_eq!(safe_color("#0a7cff"), "#0a7cff");
        assert_eq!(safe_color("red;}body{display:none"), DEFAULT_BRAND_COLOR);
        assert_eq!(safe_color("#12345"), DEFAULT_BRAND_COLOR);
    }

    fn payment(status: &str, return_url: Option<&str>) -> PaymentRow {
        crate::server::store::payments::sample_row("pay_1", status, return_url)
    }

    #[test]
    fn results_go_to_the_merchant_and_retries_stay_on_the_page() {
        let shop = Some("https://shop.example/done?o=1");
        assert_eq!(
            result_target(&payment("succeeded", shop)),
            "https://shop.example/done?o=1&payment_id=pay_1&status=succeeded"
        );
        assert_eq!(
            result_target(&payment("canceled", shop)),
            "https://shop.example/done?o=1&payment_id=pay_1&status=canceled"
        );
        assert_eq!(
            result_target(&payment("requires_payment_method", shop)),
            "/checkout/pay_1"
        );
        assert_eq!(
            result_target(&payment("succeeded", None)),
            "/checkout/pay_1"
        );
    }
}
