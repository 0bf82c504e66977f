//! Dintero-style checkout sessions: an order with line items, the payment it creates, and where
//! to send the customer and the server-to-server callback.

pub use crate::domain::checkout::LineItem;
use crate::domain::ids::IdKind;
use crate::server::crypto::new_id;
use crate::server::services::payments::{
    self as payments_service, Deps, NewPayment, PaymentError, Staged, http_url,
};
use crate::server::services::{Scope, ServiceError};
use crate::server::store::callbacks;
use crate::server::store::checkout_sessions::CheckoutSessionRow;
use crate::server::store::row;
use crate::server::views::{CheckoutSessionView, PaymentView};

/// Checks line items against the order amount: each line well formed, ids unique, and the
/// lines summing to the amount exactly.
pub fn check_items(items: &[LineItem], amount: i64) -> Result<(), ServiceError> {
    let mut seen = std::collections::HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let param = |field: &str| format!("order[items][{i}][{field}]");
        if item.line_id.trim().is_empty() || item.line_id.chars().count() > 64 {
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
    /// The merchant's default acquirer connection (a session does not choose one).
    pub acquirer: Option<String>,
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
    let callback_url = http_url("url[callback_url]", input.callback_url)?;
    let expires_in = match input.expires_at {
        // Saturating: an `expires_at` near i64::MIN must be refused as out of range below,
        // not overflow (schemathesis sent one).
        Some(at) => at.saturating_sub(now),
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
        routing: Some(payments_service::Routing {
            preferred_acquirer: input.acquirer.clone(),
        }),
        ..NewPayment::default()
    };
    let defaults = payments_service::Defaults {
        currency: default_currency,
        acquirer: crate::server::acquirer::DEFAULT_CONNECTION,
    };
    let mut staged = match payments_service::create(deps, scope, defaults, new_payment).await {
        Ok(staged) => staged,
        // The payment's checks speak of its own fields; name the session's.
        Err(PaymentError::Service(err)) => return Err(rename_params(err).into()),
        Err(err) => return Err(err),
    };
    let items = serde_json::to_string(&input.items).expect("line items serialise");
    let session = CheckoutSessionRow {
        id: session_id,
        account_id: scope.account_id.clone(),
        mode: scope.mode,
        payment_id: staged.payment.id.clone(),
        merchant_reference,
        items,
        return_url: staged.payment.return_url.clone(),
        callback_url,
        expires_at: staged.payment.expires_at,
        created: now,
        sort_key: now_micros,
    };
    row::insert_now(&mut staged.tx, &session).await?;
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

/// A session as the API shows it, with its payment and the callbacks made so far.
pub async fn session_view(
    deps: &Deps<'_>,
    session: &CheckoutSessionRow,
    payment: PaymentView,
) -> Result<CheckoutSessionView, sqlx::Error> {
    let deliveries = callbacks::for_session(deps.store.reader(), &session.id).await?;
    let attempts = if deliveries.is_empty() {
        Vec::new()
    } else {
        callbacks::attempts_for_session(deps.store.reader(), &session.id).await?
    };
    Ok(CheckoutSessionView::new(
        session,
        payment,
        &deliveries,
        &attempts,
        deps.public_url,
    ))
}

pub(super) fn items_of(session: &CheckoutSessionRow) -> Vec<LineItem> {
    serde_json::from_str(&session.items).unwrap_or_default()
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
}
