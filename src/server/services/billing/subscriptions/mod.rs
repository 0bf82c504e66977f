//! Subscriptions: `create` (with the first invoice, charged at once), `update` (items with
//! prorations, cancel at period end, the card), cancel now, and the preview of the next
//! invoice (`upcoming`). What they share (the bodies, the checks of items) is here.

mod create;
mod upcoming;
mod update;

pub use create::create;
pub use upcoming::upcoming;
pub use update::update;

use super::invoicing::{self, Priced, licensed_lines, line, new_invoice, priced, recurrence};
use super::settle::{apply_outcome, cancel_now};
use super::{
    BillingError, Result, emit, invalid, invoice_view, missing, settings, state, subscription_view,
    time_on,
};
use crate::domain::billing::{
    BillingReason, InvoiceStatus, LineKind, MAX_TRIAL_DAYS, PaymentBehavior, ProrationBehavior,
    SubscriptionStatus, UsageType, proration,
};
use crate::domain::ids::IdKind;
use crate::domain::lenient;
use crate::domain::payment::PaymentStatus;
use crate::server::acquirer::Decline;
use crate::server::crypto::new_id;
use crate::server::services::payments::{self, Defaults, Deps, NewPayment};
use crate::server::services::{Scope, ServiceError, customers};
use crate::server::store::invoices::{self, InvoiceRow, LineRow};
use crate::server::store::payment_methods::PaymentMethodRow;
use crate::server::store::payments::PaymentRow;
use crate::server::store::products::PriceRow;
use crate::server::store::subscriptions::{self, SubscriptionItemRow, SubscriptionRow};
use crate::server::store::{Tx, row};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The body of `POST /v1/subscriptions`. The guides' `customerId` and `priceId` (one price)
/// are accepted beside `items`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SubscriptionParams)]
pub struct NewSubscription {
    #[serde(alias = "customer_id")]
    #[schema(required = true)]
    pub customer: Option<String>,
    /// One price, for a subscription of one item.
    #[serde(alias = "price_id")]
    pub price: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub quantity: Option<i64>,
    pub items: Option<Vec<ItemParams>>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    #[schema(minimum = 0, maximum = 730)]
    pub trial_period_days: Option<i64>,
    pub default_payment_method: Option<String>,
    /// `allow_incomplete` (default) or `error_if_incomplete`.
    #[schema(value_type = Option<crate::domain::billing::PaymentBehavior>)]
    pub payment_behavior: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub cancel_at_period_end: Option<bool>,
    pub description: Option<String>,
    pub metadata: Option<BTreeMap<String, String>>,
}

/// An item of a subscription as sent: a new one (`price`), or a change to one (`id`).
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SubscriptionItemParams)]
pub struct ItemParams {
    /// `si_…`: the item to change (updates only).
    pub id: Option<String>,
    #[serde(alias = "price_id")]
    pub price: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub quantity: Option<i64>,
    /// Updates only: removes the item.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub deleted: Option<bool>,
}

/// The body of `POST /v1/subscriptions/{id}`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SubscriptionUpdateParams)]
pub struct SubscriptionUpdate {
    pub items: Option<Vec<ItemParams>>,
    /// `create_prorations` (default), `always_invoice` or `none`.
    pub proration_behavior: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub cancel_at_period_end: Option<bool>,
    pub default_payment_method: Option<String>,
    pub description: Option<String>,
    pub metadata: Option<BTreeMap<String, String>>,
}

/// What a create or update answers: the subscription, and the payment of an invoice it
/// charged at once, if any.
pub struct Changed {
    pub subscription: SubscriptionRow,
    pub tx: Tx,
    /// A payment still to be asked of the acquirer once `tx` has committed.
    pub attempt: Option<PaymentRow>,
}

pub const MAX_ITEMS: usize = 20;

fn check_quantity(param: &str, quantity: Option<i64>, price: &PriceRow) -> Result<i64> {
    match (price.usage_type, quantity) {
        (UsageType::Metered, Some(_)) => Err(invalid(
            param,
            "A metered price is billed for the usage reported: it takes no quantity.",
        )),
        (UsageType::Metered, None) => Ok(0),
        (UsageType::Licensed, None) => Ok(1),
        (UsageType::Licensed, Some(q)) if (1..=1_000_000).contains(&q) => Ok(q),
        (UsageType::Licensed, Some(_)) => {
            Err(invalid(param, "quantity must be between 1 and 1000000."))
        }
    }
}

/// Checks that `price` can join a subscription billed in `currency` every `like`. What the
/// prices are, not the request's shape, refuses these: conflicts (409).
fn check_price(price: &PriceRow, like: Option<&PriceRow>) -> Result<()> {
    if price.active == 0 {
        return Err(state(
            "price_inactive",
            format!("The price {} is not active.", price.id),
        ));
    }
    let Some(interval) = price.recurring_interval else {
        return Err(state(
            "price_not_recurring",
            format!(
                "The price {} is one-off: a subscription needs a recurring price.",
                price.id
            ),
        ));
    };
    if let Some(like) = like {
        if like.currency != price.currency {
            return Err(state(
                "price_currency_mismatch",
                format!(
                    "Every item of a subscription is billed in one currency: {} is in {}, not {}.",
                    price.id,
                    price.currency.code(),
                    like.currency.code()
                ),
            ));
        }
        if like.recurring_interval != Some(interval)
            || like.recurring_count != price.recurring_count
        {
            return Err(state(
                "price_interval_mismatch",
                format!(
                    "Every item of a subscription recurs alike: {} does not recur like {}.",
                    price.id, like.id
                ),
            ));
        }
    }
    Ok(())
}

/// A saved card of the customer, as a subscription's default.
async fn check_method(deps: &Deps<'_>, scope: &Scope, customer: &str, id: &str) -> Result<String> {
    let found = row::find::<PaymentMethodRow>(
        deps.store.reader(),
        &scope.account_id,
        scope.mode.as_str(),
        id,
    )
    .await?;
    match found {
        Some(pm) if pm.customer_id.as_deref() == Some(customer) => Ok(pm.id),
        // Among the cards it may name, there is no such one: as for an unknown id (404).
        Some(_) => Err(missing(
            "default_payment_method",
            &format!("payment method attached to the customer {customer}"),
            id,
        )),
        None => Err(missing("default_payment_method", "payment method", id)),
    }
}

/// A subscription of the scope, or 404.
pub async fn find<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    scope: &Scope,
    id: &str,
) -> Result<SubscriptionRow> {
    row::find::<SubscriptionRow>(ex, &scope.account_id, scope.mode.as_str(), id)
        .await?
        .ok_or_else(|| {
            ServiceError::NotFound {
                object: "subscription",
                id: id.to_string(),
            }
            .into()
        })
}

/// Cancels now: the subscription ends, its drafts are voided and retries stop (an open
/// invoice may still be paid on its page).
pub async fn cancel(deps: &Deps<'_>, scope: &Scope, id: &str) -> Result<(Tx, SubscriptionRow)> {
    let stale = find(deps.store.reader(), scope, id).await?;
    if stale.status.is_final() {
        return Err(state(
            "subscription_unexpected_state",
            format!("The subscription is already {}.", stale.status),
        ));
    }
    let now = time_on(
        deps.store.reader(),
        scope,
        stale.test_clock.as_deref(),
        deps.clock,
    )
    .await?;
    let mut sub = stale.clone();
    cancel_now(&mut sub, now);
    let mut tx = deps.store.begin().await?;
    if !subscriptions::save_if(&mut tx, &sub, stale.status, stale.current_period_end).await? {
        return Err(state(
            "subscription_unexpected_state",
            "The subscription was changed by another request at the same time; retrieve it and try again.",
        ));
    }
    for mut invoice in invoices::of_subscription(tx.conn().await?, &sub.id).await? {
        let kinds: &[&str] = match invoice.status {
            InvoiceStatus::Draft => {
                invoice.status = InvoiceStatus::Void;
                invoice.voided_at = Some(now);
                invoice.amount_remaining = 0;
                &["invoice.voided"]
            }
            InvoiceStatus::Open if invoice.dunning_at.is_some() => {
                invoice.dunning_at = None;
                invoice.next_payment_attempt = None;
                &[]
            }
            _ => continue,
        };
        row::update(&mut tx, &invoice).await?;
        let view = invoice_view(tx.conn().await?, &invoice, deps.public_url).await?;
        emit(&mut tx, deps.clock, scope, &view, kinds).await?;
    }
    let view = subscription_view(tx.conn().await?, &sub).await?;
    emit(&mut tx, deps.clock, scope, &view, &["subscription.deleted"]).await?;
    Ok((tx, sub))
}
