//! A subscription and its items.

use super::PriceView;
use crate::server::store::products::PriceRow;
use crate::server::store::subscriptions::{SubscriptionItemRow, SubscriptionRow};
use crate::server::views::{is_live, metadata};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// One price of a subscription, in a quantity.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = SubscriptionItem)]
pub struct SubscriptionItemView {
    pub id: String,
    /// Always `subscription_item`.
    pub object: &'static str,
    pub subscription: String,
    pub price: PriceView,
    /// Licensed prices: how many are billed each period (metered prices bill usage instead).
    pub quantity: Option<i64>,
    pub created: i64,
}

impl SubscriptionItemView {
    pub fn new(item: &SubscriptionItemRow, price: &PriceRow) -> Self {
        let metered = price.usage_type == crate::domain::billing::UsageType::Metered;
        SubscriptionItemView {
            id: item.id.clone(),
            object: "subscription_item",
            subscription: item.subscription.clone(),
            price: PriceView::from(price),
            quantity: (!metered).then_some(item.quantity),
            created: item.created,
        }
    }
}

/// The items of a subscription, as a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemsView {
    /// Always `list`.
    pub object: &'static str,
    pub data: Vec<SubscriptionItemView>,
    pub has_more: bool,
    pub url: String,
}

/// A customer's subscription to one or more prices, billed every period.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Subscription)]
pub struct SubscriptionView {
    pub id: String,
    /// Always `subscription`.
    pub object: &'static str,
    pub customer: String,
    /// `incomplete`, `incomplete_expired`, `trialing`, `active`, `past_due`, `canceled` or
    /// `unpaid`.
    pub status: &'static str,
    pub items: ItemsView,
    pub currency: &'static str,
    pub default_payment_method: Option<String>,
    pub billing_cycle_anchor: i64,
    pub current_period_start: i64,
    pub current_period_end: i64,
    pub trial_start: Option<i64>,
    pub trial_end: Option<i64>,
    pub cancel_at_period_end: bool,
    pub canceled_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub latest_invoice: Option<String>,
    pub test_clock: Option<String>,
    pub description: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub created: i64,
    pub livemode: bool,
}

impl SubscriptionView {
    /// The subscription with its items, each with its price (`prices` holds them).
    pub fn new(s: &SubscriptionRow, items: &[SubscriptionItemRow], prices: &[PriceRow]) -> Self {
        let data = items
            .iter()
            .filter_map(|item| {
                let price = prices.iter().find(|p| p.id == item.price)?;
                Some(SubscriptionItemView::new(item, price))
            })
            .collect();
        SubscriptionView {
            id: s.id.clone(),
            object: "subscription",
            customer: s.customer.clone(),
            status: s.status.as_str(),
            items: ItemsView {
                object: "list",
                data,
                has_more: false,
                url: format!("/v1/subscription_items?subscription={}", s.id),
            },
            currency: s.currency.code(),
            default_payment_method: s.default_payment_method.clone(),
            billing_cycle_anchor: s.billing_cycle_anchor,
            current_period_start: s.current_period_start,
            current_period_end: s.current_period_end,
            trial_start: s.trial_start,
            trial_end: s.trial_end,
            cancel_at_period_end: s.cancel_at_period_end != 0,
            canceled_at: s.canceled_at,
            ended_at: s.ended_at,
            latest_invoice: s.latest_invoice.clone(),
            test_clock: s.test_clock.clone(),
            description: s.description.clone(),
            metadata: metadata(&s.metadata),
            created: s.created,
            livemode: is_live(s.mode),
        }
    }
}
