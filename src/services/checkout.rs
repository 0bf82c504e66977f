//! The hosted checkout: what its page shows, paying with a card typed there, cancelling, and
//! Dintero-style checkout sessions (an order with line items, a return and a callback URL).
//!
//! The page and its island, the plain form post and `GET /v1/checkout/{reference}` all come
//! here, so with or without JavaScript a payment goes through the same code.

use super::payments::{
    self as payments_service, ConfirmPayment, Deps, NewPayment, PaymentError, Staged,
};
use super::{Scope, ServiceError};
use crate::clock::year_month;
use crate::crypto::{Secret, new_id};
use crate::domain::card::{CardFieldError, check_card, customer_decline_message, split_expiry};
pub use crate::domain::checkout::PayOutcome;
use crate::domain::ids::{self, IdKind};
use crate::domain::mode::Mode;
use crate::domain::payment::PaymentStatus;
use crate::store::checkout_sessions::{self, CheckoutSessionRow};
use crate::store::payments::{self, PaymentRow};
use crate::store::{accounts, callbacks};
use serde::{Deserialize, Serialize};

use serde_json::{Value, json};

/// The colour used when an account's own is not a `#rrggbb` value.
pub const DEFAULT_BRAND_COLOR: &str = "#4f46e5";
/// Longest name on a card we accept.
const MAX_NAME_LEN: usize = 100;

/// One line of an order, as the merchant sent it. `amount` is the line's total in minor units
/// (VAT included); `vat` is the rate in percent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
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

/// Checks line items against the order amount: each line well formed, ids unique, and the
/// lines summing to the amount exactly.
pub fn check_items(items: &[LineItem], amount: i64) -> Result<(), ServiceError> {
    let mut seen = std::collections::HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let param = |field: &str| format!("order[items][{i}][{field}]");
        if item.line_id.trim().is_empty() || item.line_id.len() > 64 {
            return Err(ServiceError::invalid(
                param("line_id"),
                "Each item needs a line_id of 1 to 64 characters.",
            ));
        }
        if !seen.insert(item.line_id.as_str()) {
            return Err(ServiceError::invalid(
                param("line_id"),
                format!("line_id {} is used twice.", item.line_id),
            ));
        }
        if item.description.trim().is_empty() || item.description.chars().count() > 256 {
            return Err(ServiceError::invalid(
                param("description"),
                "Each item needs a description of 1 to 256 characters.",
            ));
        }
        if !(1..=1_000_000).contains(&item.quantity) {
            return Err(ServiceError::invalid(
                param("quantity"),
                "quantity must be a whole number from 1 to 1000000.",
            ));
        }
        if !(0..=99_999_999).contains(&item.amount) {
            return Err(ServiceError::invalid(
                param("amount"),
                "An item's amount is its total in minor units, from 0 to 99999999.",
            ));
        }
        if !(0.0..=100.0).contains(&item.vat) {
            return Err(ServiceError::invalid(
                param("vat"),
                "vat is a rate in percent, from 0 to 100.",
            ));
        }
        if item.vat_amount.is_some_and(|v| v < 0 || v > item.amount) {
            return Err(ServiceError::invalid(
                param("vat_amount"),
                "vat_amount must be between 0 and the item's amount.",
            ));
        }
    }
    let sum: i64 = items.iter().map(|i| i.amount).sum();
    if !items.is_empty() && sum != amount {
        return Err(ServiceError::invalid(
            "order[items]",
            format!("The items sum to {sum}, but order[amount] is {amount}; they must be equal."),
        ));
    }
    Ok(())
}

/// Input of `create_session`.
#[derive(Debug, Default, Clone)]
pub struct NewSession {
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub merchant_reference: Option<String>,
    pub items: Vec<LineItem>,
    pub return_url: Option<String>,
    pub callback_url: Option<String>,
    /// Unix seconds; default 24 hours from now.
    pub expires_at: Option<i64>,
}

/// Creates a session and its payment (awaiting the customer) in one transaction.
pub async fn create_session(
    deps: &Deps<'_>,
    scope: &Scope,
    default_currency: &str,
    input: NewSession,
) -> Result<(Staged, CheckoutSessionRow), PaymentError> {
    let now_micros = deps.clock.now_micros();
    let now = now_micros.div_euclid(1_000_000);
    let amount = input.amount.ok_or_else(|| {
        ServiceError::invalid("order[amount]", "Missing required param: order[amount].")
    })?;
    check_items(&input.items, amount)?;
    let merchant_reference = crate::domain::customer::check_text(
        "order[merchant_reference]",
        input.merchant_reference,
        255,
    )
    .map_err(ServiceError::from)?;
    let callback_url = check_http_url("url[callback_url]", input.callback_url)?;
    let expires_in = match input.expires_at {
        Some(at) => at - now,
        None => payments_service::DEFAULT_EXPIRES_IN,
    };
    let session_id = new_id(IdKind::CheckoutSession);
    let new_payment = NewPayment {
        amount: Some(amount),
        currency: input.currency,
        confirm: Some(false),
        return_url: input.return_url.clone(),
        expires_in: Some(expires_in),
        checkout_session: Some(session_id.clone()),
        ..NewPayment::default()
    };
    let mut staged =
        match payments_service::create(deps, scope, default_currency, new_payment).await {
            Ok(staged) => staged,
            // The payment's checks speak of its own fields; name the session's.
            Err(PaymentError::Service(err)) => return Err(rename_params(err).into()),
            Err(err) => return Err(err),
        };
    let items = serde_json::to_string(&input.items).expect("line items serialise");
    let session = CheckoutSessionRow {
        id: session_id,
        account_id: scope.account_id.clone(),
        mode: scope.mode.as_str().to_string(),
        payment_id: staged.payment.id.clone(),
        merchant_reference,
        items,
        return_url: staged.payment.return_url.clone(),
        callback_url,
        expires_at: staged.payment.expires_at,
        created: now,
        sort_key: now_micros,
    };
    checkout_sessions::insert(&mut staged.tx, &session).await?;
    Ok((staged, session))
}

/// Session parameters are nested under `order` and `url`; the payment's checks name its own.
fn rename_params(err: ServiceError) -> ServiceError {
    let rename = |param: String| match param.as_str() {
        "amount" => "order[amount]".to_string(),
        "currency" => "order[currency]".to_string(),
        "return_url" => "url[return_url]".to_string(),
        "expires_in" => "expires_at".to_string(),
        _ => param,
    };
    match err {
        ServiceError::Invalid { param, message } => {
            let message = if param == "expires_in" {
                "expires_at must be between 60 seconds and 30 days from now.".to_string()
            } else {
                message
            };
            ServiceError::Invalid {
                param: rename(param),
                message,
            }
        }
        ServiceError::Coded {
            param,
            code,
            message,
        } => ServiceError::Coded {
            param: rename(param),
            code,
            message,
        },
        other => other,
    }
}

fn check_http_url(param: &str, value: Option<String>) -> Result<Option<String>, ServiceError> {
    let Some(value) = value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
    else {
        return Ok(None);
    };
    match url::Url::parse(&value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && value.len() <= 2048 => Ok(Some(value)),
        _ => Err(ServiceError::invalid(
            param,
            format!("{param} must be an http or https URL."),
        )),
    }
}

/// A session as the API shows it, with its payment and the callbacks made so far.
pub async fn session_json(
    deps: &Deps<'_>,
    session: &CheckoutSessionRow,
    payment: Value,
) -> Result<Value, sqlx::Error> {
    let deliveries = callbacks::for_session(deps.store.reader(), &session.id).await?;
    let attempts = if deliveries.is_empty() {
        Vec::new()
    } else {
        callbacks::attempts_for_session(deps.store.reader(), &session.id).await?
    };
    let callbacks: Vec<Value> = deliveries
        .iter()
        .map(|d| {
            let tries: Vec<Value> = attempts
                .iter()
                .filter(|a| a.delivery_id == d.id)
                .map(|a| {
                    json!({"attempt": a.attempt, "at": a.at, "status_code": a.status_code,
                           "error": a.error, "duration_ms": a.duration_ms})
                })
                .collect();
            json!({"event": d.event, "status": d.status, "attempts": d.attempts,
                   "next_attempt_at": (d.status == "pending").then_some(d.next_attempt_at),
                   "delivered_at": d.delivered_at, "created": d.created, "attempt_log": tries})
        })
        .collect();
    Ok(json!({
        "id": session.id,
        "object": "checkout.session",
        "url": payments_service::checkout_url(deps.public_url, &session.payment_id),
        "payment": payment,
        "order": {
            "amount": payment["amount"],
            "currency": payment["currency"],
            "merchant_reference": session.merchant_reference,
            "items": items_of(session),
        },
        "return_url": session.return_url,
        "callback_url": session.callback_url,
        "callbacks": callbacks,
        "expires_at": session.expires_at,
        "created": session.created,
        "livemode": session.mode == "live",
    }))
}

fn items_of(session: &CheckoutSessionRow) -> Vec<LineItem> {
    serde_json::from_str(&session.items).unwrap_or_default()
}

/// Everything the checkout shows about one payment.
#[derive(Debug, Clone)]
pub struct CheckoutView {
    pub payment: PaymentRow,
    pub merchant_name: String,
    pub brand_color: String,
    pub merchant_reference: Option<String>,
    pub items: Vec<LineItem>,
}

impl CheckoutView {
    pub fn status(&self) -> PaymentStatus {
        PaymentStatus::parse(&self.payment.status).unwrap_or(PaymentStatus::Failed)
    }

    pub fn livemode(&self) -> bool {
        self.payment.mode == "live"
    }

    /// What to tell the customer about the last attempt, when it was declined and they may
    /// try again.
    pub fn decline_message(&self) -> Option<&'static str> {
        if self.status() != PaymentStatus::RequiresPaymentMethod {
            return None;
        }
        let error: Value =
            serde_json::from_str(self.payment.last_payment_error.as_deref()?).ok()?;
        Some(customer_decline_message(
            error["decline_code"].as_str().unwrap_or_default(),
        ))
    }

    /// The public context (`GET /v1/checkout/{reference}`).
    pub fn context_json(&self, public_url: &str) -> Value {
        let p = &self.payment;
        json!({
            "object": "checkout",
            "id": p.id,
            "reference": p.id,
            "payment": p.id,
            "amount": p.amount,
            "currency": p.currency,
            "status": p.status,
            "merchant_display_name": self.merchant_name,
            "brand_color": self.brand_color,
            "description": p.description,
            "product_name": p.product_name,
            "merchant_reference": self.merchant_reference,
            "items": self.items,
            "url": payments_service::checkout_url(public_url, &p.id),
            "expires_at": p.expires_at,
            "created": p.created,
            "livemode": self.livemode(),
        })
    }
}

/// The checkout of a payment (its id is the reference), expired first when it is past due.
/// None when there is no such payment.
pub async fn load(deps: &Deps<'_>, reference: &str) -> Result<Option<CheckoutView>, PaymentError> {
    if !ids::is_id(IdKind::Payment, reference) {
        return Ok(None);
    }
    let Some(row) = payments::find_by_id(deps.store.reader(), reference).await? else {
        return Ok(None);
    };
    let payment = payments_service::expire_if_due(deps, row).await?;
    let account = accounts::find(deps.store.reader(), &payment.account_id).await?;
    let (merchant_name, brand_color) = account.map(|a| (a.name, a.brand_color)).unwrap_or_default();
    let session = match &payment.checkout_session {
        Some(id) => checkout_sessions::find_by_id(deps.store.reader(), id).await?,
        None => None,
    };
    Ok(Some(CheckoutView {
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
    let page = format!("/checkout/{}", row.id);
    let awaiting = PaymentStatus::parse(&row.status)
        .is_some_and(|s| s.awaits_customer() || s == PaymentStatus::Processing);
    match (&row.return_url, awaiting) {
        (Some(url), false) => match url::Url::parse(url) {
            Ok(mut target) => {
                target
                    .query_pairs_mut()
                    .append_pair("payment_id", &row.id)
                    .append_pair("status", &row.status);
                target.to_string()
            }
            Err(_) => page,
        },
        _ => page,
    }
}

/// The card as typed into the checkout form. Number and CVC are secrets from here on.
pub struct TypedCard {
    pub name: String,
    pub number: Secret,
    pub expiry: String,
    pub cvc: Secret,
}

/// Pays the checkout `reference` with a typed card. A decline leaves the payment waiting for
/// another card; a paid, canceled or expired payment is never charged again.
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
    let row = view.payment;
    match PaymentStatus::parse(&row.status) {
        Some(PaymentStatus::RequiresPaymentMethod) => {}
        // A challenge is under way: finish it rather than charge again.
        Some(PaymentStatus::RequiresAction) => {
            if let Some(url) = challenge_url(&row) {
                return Ok(PayOutcome::Redirect(url));
            }
        }
        _ => return Ok(PayOutcome::Redirect(result_target(&row))),
    }
    let name = card.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_LEN {
        return Ok(PayOutcome::Invalid {
            field: "name".into(),
            message: "Enter the name as it is printed on the card.".into(),
        });
    }
    let (month, year) = split_expiry(&card.expiry);
    let checked = match check_card(
        card.number.expose(),
        &month,
        &year,
        card.cvc.expose(),
        year_month(deps.clock.now()),
    ) {
        Ok(checked) => checked,
        Err(err) => return Ok(invalid_field(&err)),
    };
    let Some(mode) = Mode::parse(&row.mode) else {
        return Err(ServiceError::invalid("mode", "The payment has no valid mode.").into());
    };
    let scope = Scope {
        account_id: row.account_id.clone(),
        mode,
    };
    let method = super::cards::card_method(
        &scope,
        deps.clock,
        deps.secret,
        &checked,
        Some(name.to_string()),
    );
    drop(checked);
    let input = ConfirmPayment {
        new_card: Some(method),
        ..ConfirmPayment::default()
    };
    match payments_service::confirm(deps, &scope, &row.id, input, true).await {
        Ok(staged) => {
            staged.tx.commit().await?;
            let paid = staged.payment;
            Ok(match PaymentStatus::parse(&paid.status) {
                Some(PaymentStatus::RequiresAction) => match challenge_url(&paid) {
                    Some(url) => PayOutcome::Redirect(url),
                    None => PayOutcome::Redirect(result_target(&paid)),
                },
                Some(PaymentStatus::RequiresPaymentMethod) => PayOutcome::Declined(
                    customer_decline_message(
                        staged.decline.map(|d| d.decline_code).unwrap_or_default(),
                    )
                    .to_string(),
                ),
                _ => PayOutcome::Redirect(result_target(&paid)),
            })
        }
        // Paid, canceled or expired meanwhile (another tab, the worker): show where it stands.
        Err(PaymentError::State(_) | PaymentError::Conflict) => {
            Ok(PayOutcome::Redirect(format!("/checkout/{}", row.id)))
        }
        Err(err) => Err(err),
    }
}

/// The form field a card check failed on, with its message.
fn invalid_field(err: &CardFieldError) -> PayOutcome {
    let field = match err.param {
        "exp_month" | "exp_year" => "expiry",
        other => other,
    };
    PayOutcome::Invalid {
        field: field.to_string(),
        message: err.message.to_string(),
    }
}

/// The issuer challenge a payment in `requires_action` waits on.
fn challenge_url(row: &PaymentRow) -> Option<String> {
    let action: Value = serde_json::from_str(row.next_action.as_deref()?).ok()?;
    action["redirect_to_url"]["url"]
        .as_str()
        .map(str::to_string)
}

/// The customer gives up: the payment is canceled (`requested_by_customer`). Returns where to
/// send them. A payment that already has a result keeps it.
pub async fn cancel(deps: &Deps<'_>, reference: &str) -> Result<Option<String>, PaymentError> {
    let Some(view) = load(deps, reference).await? else {
        return Ok(None);
    };
    let row = view.payment;
    if !view_status(&row).awaits_customer() {
        return Ok(Some(result_target(&row)));
    }
    let Some(mode) = Mode::parse(&row.mode) else {
        return Ok(Some(result_target(&row)));
    };
    let scope = Scope {
        account_id: row.account_id.clone(),
        mode,
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

fn view_status(row: &PaymentRow) -> PaymentStatus {
    PaymentStatus::parse(&row.status).unwrap_or(PaymentStatus::Failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, amount: i64) -> LineItem {
        LineItem {
            line_id: id.into(),
            description: "Socks".into(),
            quantity: 2,
            amount,
            vat: 25.0,
            vat_amount: None,
        }
    }

    #[test]
    fn items_must_sum_to_the_amount() {
        assert!(check_items(&[item("1", 1000), item("2", 500)], 1500).is_ok());
        assert!(check_items(&[], 1500).is_ok());
        let err = check_items(&[item("1", 1000)], 1500).unwrap_err();
        assert!(matches!(err, ServiceError::Invalid { ref param, .. } if param == "order[items]"));
    }

    #[test]
    fn items_are_checked_one_by_one() {
        let param_of = |items: &[LineItem]| match check_items(items, 1000) {
            Err(ServiceError::Invalid { param, .. }) => param,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            param_of(&[item("1", 500), item("1", 500)]),
            "order[items][1][line_id]"
        );
        let mut zero = item("1", 1000);
        zero.quantity = 0;
        assert_eq!(param_of(&[zero]), "order[items][0][quantity]");
        let mut vat = item("1", 1000);
        vat.vat = 125.0;
        assert_eq!(param_of(&[vat]), "order[items][0][vat]");
        let mut blank = item("1", 1000);
        blank.description = " ".into();
        assert_eq!(param_of(&[blank]), "order[items][0][description]");
    }

    #[test]
    fn brand_colours_must_be_plain_hex() {
        assert_eq!(safe_color("#0a7cff"), "#0a7cff");
        assert_eq!(safe_color("red;}body{display:none"), DEFAULT_BRAND_COLOR);
        assert_eq!(safe_color("#12345"), DEFAULT_BRAND_COLOR);
    }

    fn payment(status: &str, return_url: Option<&str>) -> PaymentRow {
        crate::store::payments::sample_row("pay_1", status, return_url)
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
