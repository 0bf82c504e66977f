//! Metered usage (`mbu_…`): reported during a period, billed in arrears on the next invoice.

use super::{Result, invalid, missing, state, time_on};
use crate::domain::billing::{InvoiceStatus, UsageAction, UsageType};
use crate::domain::ids::IdKind;
use crate::domain::lenient;
use crate::server::clock::Clock;
use crate::server::crypto::new_id;
use crate::server::services::Scope;
use crate::server::store::invoices::{self, InvoiceRow, UsageRow};
use crate::server::store::products::PriceRow;
use crate::server::store::subscriptions::{self, SubscriptionItemRow, SubscriptionRow};
use crate::server::store::{Tx, is_unique_violation, row};
use serde::Deserialize;

/// The body of `POST /v1/usage_records`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = UsageRecordParams)]
pub struct NewUsage {
    /// `si_…`; or `subscription` and `price` together.
    pub subscription_item: Option<String>,
    pub subscription: Option<String>,
    pub price: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    #[schema(required = true, minimum = 0, maximum = 1000000000)]
    pub quantity: Option<i64>,
    /// When the usage happened (default: now, on the subscription's clock).
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub timestamp: Option<i64>,
    /// `increment` (default) or `set`.
    #[schema(value_type = Option<crate::domain::billing::UsageAction>)]
    pub action: Option<String>,
    /// Makes a retried report a no-op: the same identifier answers the first record.
    pub identifier: Option<String>,
}

/// How far ahead of the subscription's time a record may be stamped: clocks of the
/// merchant's servers drift.
const MAX_AHEAD_SECS: i64 = 300;

pub async fn record(
    tx: &mut Tx,
    scope: &Scope,
    wall: &dyn Clock,
    input: NewUsage,
) -> Result<UsageRow> {
    let (account, mode) = (scope.account_id.as_str(), scope.mode.as_str());
    let item = match (&input.subscription_item, &input.subscription, &input.price) {
        (Some(id), None, None) => {
            row::find::<SubscriptionItemRow>(tx.conn().await?, account, mode, id)
                .await?
                .ok_or_else(|| missing("subscription_item", "subscription item", id))?
        }
        (None, Some(sub), Some(price)) => {
            row::find::<SubscriptionRow>(tx.conn().await?, account, mode, sub)
                .await?
                .ok_or_else(|| missing("subscription", "subscription", sub))?;
            subscriptions::items_of(tx.conn().await?, sub)
                .await?
                .into_iter()
                .find(|i| &i.price == price && i.account_id == account && i.mode.as_str() == mode)
                .ok_or_else(|| {
                    missing("price", &format!("price of the subscription {sub}"), price)
                })?
        }
        _ => {
            return Err(invalid(
                "subscription_item",
                "Send subscription_item, or subscription and price together.",
            ));
        }
    };
    let quantity = input
        .quantity
        .ok_or_else(|| invalid("quantity", "Missing required param: quantity."))?;
    if !(0..=1_000_000_000).contains(&quantity) {
        return Err(invalid(
            "quantity",
            "quantity must be between 0 and 1000000000.",
        ));
    }
    let action = match input.action.as_deref() {
        None => UsageAction::Increment,
        Some(a) => UsageAction::parse(a).ok_or_else(|| {
            invalid(
                "action",
                format!("action must be {}, not {a}.", UsageAction::names()),
            )
        })?,
    };
    let identifier = match input.identifier {
        Some(i) if i.is_empty() || i.chars().count() > 255 => {
            return Err(invalid("identifier", "identifier is 1 to 255 characters."));
        }
        other => other,
    };
    if let Some(id) = &identifier
        && let Some(found) = invoices::usage_by_identifier(tx.conn().await?, &item.id, id).await?
    {
        return Ok(found);
    }
    let price = row::find::<PriceRow>(tx.conn().await?, account, mode, &item.price)
        .await?
        .ok_or_else(|| missing("price", "price", &item.price))?;
    // The item's price decides this, not the request's shape (409).
    if price.usage_type != UsageType::Metered {
        return Err(state(
            "price_not_metered",
            format!(
                "The price {} is licensed (billed for its quantity): usage is reported for metered prices only.",
                price.id
            ),
        ));
    }
    let sub = row::find::<SubscriptionRow>(tx.conn().await?, account, mode, &item.subscription)
        .await?
        .ok_or_else(|| missing("subscription", "subscription", &item.subscription))?;
    let now = time_on(tx.conn().await?, scope, sub.test_clock.as_deref(), wall).await?;
    let at = input.timestamp.unwrap_or(now);
    // Both rules below compare the stamp with the subscription's own time and period: a
    // conflict with its state (409), where a malformed request is a 400.
    if at > now + MAX_AHEAD_SECS {
        return Err(state(
            "usage_ahead_of_time",
            format!(
                "Usage cannot be reported ahead of its time: {at} is after the subscription's now ({now})."
            ),
        ));
    }
    if !open_for_usage(tx, &sub, at).await? {
        return Err(state(
            "usage_period_closed",
            format!(
                "Usage at {at} falls outside the subscription's open period ({} to {}) and its draft window.",
                sub.current_period_start, sub.current_period_end
            ),
        ));
    }
    if sub.status.is_final() {
        return Err(state(
            "subscription_unexpected_state",
            format!("The subscription is {}.", sub.status),
        ));
    }
    let sort_key = wall.now_micros();
    let row = UsageRow {
        id: new_id(IdKind::UsageRecord),
        account_id: scope.account_id.clone(),
        mode: scope.mode,
        subscription: sub.id.clone(),
        subscription_item: item.id.clone(),
        quantity,
        usage_time: at,
        action,
        identifier,
        created: now,
        sort_key,
    };
    match row::insert_now(tx, &row).await {
        Err(e) if is_unique_violation(&e) => Err(state(
            "idempotency_key_in_use",
            "A record with this identifier is being written; retry.",
        )),
        other => Ok(other.map(|_| row)?),
    }
}

/// Usage at `at` can still be billed: it falls in the open period, or in the previous one
/// while that period's invoice is still a draft.
async fn open_for_usage(tx: &mut Tx, sub: &SubscriptionRow, at: i64) -> Result<bool> {
    if (sub.current_period_start..sub.current_period_end).contains(&at) {
        return Ok(true);
    }
    let Some(latest) = &sub.latest_invoice else {
        return Ok(false);
    };
    let invoice =
        row::find::<InvoiceRow>(tx.conn().await?, &sub.account_id, sub.mode.as_str(), latest)
            .await?;
    Ok(invoice.is_some_and(|i| i.status == InvoiceStatus::Draft && invoices_cover(&i, at, sub)))
}

fn invoices_cover(draft: &InvoiceRow, at: i64, sub: &SubscriptionRow) -> bool {
    // A renewal draft bills the period before the one it opens.
    draft.period_start == sub.current_period_start
        && at < sub.current_period_start
        && at >= previous_start(sub)
}

fn previous_start(sub: &SubscriptionRow) -> i64 {
    super::invoicing::recurrence(sub)
        .period_before(sub.billing_cycle_anchor, sub.current_period_start)
        .max(sub.created)
}
