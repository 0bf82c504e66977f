//! Billing's objects: products, prices, subscriptions and their items, invoices and their
//! lines, usage records and test clocks.

use super::{is_live, metadata};
use crate::server::store::invoices::{InvoiceRow, LineRow, UsageRow};
use crate::server::store::products::{PriceRow, ProductRow};
use crate::server::store::subscriptions::{SubscriptionItemRow, SubscriptionRow};
use crate::server::store::test_clocks::TestClockRow;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A product: what a merchant sells, priced by its prices.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Product)]
pub struct ProductView {
    pub id: String,
    /// Always `product`.
    pub object: &'static str,
    pub name: String,
    pub description: Option<String>,
    pub active: bool,
    pub metadata: BTreeMap<String, String>,
    pub created: i64,
    pub livemode: bool,
}

impl From<&ProductRow> for ProductView {
    fn from(r: &ProductRow) -> Self {
        ProductView {
            id: r.id.clone(),
            object: "product",
            name: r.name.clone(),
            description: r.description.clone(),
            active: r.active != 0,
            metadata: metadata(&r.metadata),
            created: r.created,
            livemode: is_live(r.mode),
        }
    }
}

/// How a recurring price recurs.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecurringView {
    /// `day`, `week`, `month` or `year`.
    pub interval: &'static str,
    pub interval_count: i64,
    /// `licensed` (billed for a quantity, in advance) or `metered` (billed for usage, in
    /// arrears).
    pub usage_type: &'static str,
    /// Metered prices: `sum`, `max` or `last`.
    pub aggregate_usage: Option<&'static str>,
}

/// A price of a product: an amount in a currency, once or every period.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Price)]
pub struct PriceView {
    pub id: String,
    /// Always `price`.
    pub object: &'static str,
    pub product: String,
    pub currency: &'static str,
    /// Minor units per unit (never changes).
    pub unit_amount: i64,
    /// `unit_amount`, under the guides' name.
    pub amount: i64,
    /// `one_time` or `recurring`.
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub kind: &'static str,
    pub recurring: Option<RecurringView>,
    pub active: bool,
    pub nickname: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub created: i64,
    pub livemode: bool,
}

impl From<&PriceRow> for PriceView {
    fn from(r: &PriceRow) -> Self {
        PriceView {
            id: r.id.clone(),
            object: "price",
            product: r.product.clone(),
            currency: r.currency.code(),
            unit_amount: r.unit_amount,
            amount: r.unit_amount,
            kind: if r.recurring_interval.is_some() {
                "recurring"
            } else {
                "one_time"
            },
            recurring: r.recurring_interval.map(|interval| RecurringView {
                interval: interval.as_str(),
                interval_count: r.recurring_count,
                usage_type: r.usage_type.as_str(),
                aggregate_usage: r.aggregate_usage.map(|a| a.as_str()),
            }),
            active: r.active != 0,
            nickname: r.nickname.clone(),
            metadata: metadata(&r.metadata),
            created: r.created,
            livemode: is_live(r.mode),
        }
    }
}

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

/// A period of time: what a line bills for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodView {
    pub start: i64,
    pub end: i64,
}

/// One line of an invoice.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = InvoiceLine)]
pub struct InvoiceLineView {
    pub id: String,
    /// Always `line_item`.
    pub object: &'static str,
    /// `subscription` (a period billed in advance), `proration` (a change within a period)
    /// or `usage` (metered usage billed in arrears).
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub kind: &'static str,
    pub amount: i64,
    pub currency: &'static str,
    pub description: String,
    pub quantity: i64,
    pub price: Option<String>,
    pub subscription: Option<String>,
    pub subscription_item: Option<String>,
    pub proration: bool,
    pub period: PeriodView,
}

impl From<&LineRow> for InvoiceLineView {
    fn from(l: &LineRow) -> Self {
        InvoiceLineView {
            id: l.id.clone(),
            object: "line_item",
            kind: l.kind.as_str(),
            amount: l.amount,
            currency: l.currency.code(),
            description: l.description.clone(),
            quantity: l.quantity,
            price: l.price.clone(),
            subscription: l.subscription.clone(),
            subscription_item: l.subscription_item.clone(),
            proration: l.kind == crate::domain::billing::LineKind::Proration,
            period: PeriodView {
                start: l.period_start,
                end: l.period_end,
            },
        }
    }
}

/// The lines of an invoice, as a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinesView {
    /// Always `list`.
    pub object: &'static str,
    pub data: Vec<InvoiceLineView>,
    pub has_more: bool,
    pub url: String,
}

/// When an invoice changed status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusTransitionsView {
    pub finalized_at: Option<i64>,
    pub paid_at: Option<i64>,
    pub voided_at: Option<i64>,
    pub marked_uncollectible_at: Option<i64>,
}

/// What a customer owes for a period of a subscription, and how paying it went.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Invoice)]
pub struct InvoiceView {
    /// `inv_…`; none for the preview of an upcoming invoice.
    pub id: Option<String>,
    /// Always `invoice`.
    pub object: &'static str,
    pub customer: String,
    pub subscription: Option<String>,
    /// `draft`, `open`, `paid`, `void` or `uncollectible`.
    pub status: &'static str,
    pub currency: &'static str,
    /// `subscription_create`, `subscription_cycle` or `subscription_update`.
    pub billing_reason: &'static str,
    pub period_start: i64,
    pub period_end: i64,
    pub lines: LinesView,
    pub subtotal: i64,
    pub total: i64,
    pub amount_due: i64,
    pub amount_paid: i64,
    pub amount_remaining: i64,
    pub attempt_count: i64,
    pub attempted: bool,
    pub next_payment_attempt: Option<i64>,
    /// The latest attempt to pay it (`pay_…`).
    pub payment: Option<String>,
    /// Where the customer sees and pays it.
    pub hosted_invoice_url: Option<String>,
    pub status_transitions: StatusTransitionsView,
    pub test_clock: Option<String>,
    pub created: i64,
    pub livemode: bool,
}

impl InvoiceView {
    pub fn new(i: &InvoiceRow, lines: &[LineRow], public_url: &str) -> Self {
        let id = (!i.id.is_empty()).then(|| i.id.clone());
        InvoiceView {
            hosted_invoice_url: id.as_ref().map(|id| hosted_invoice_url(public_url, id)),
            lines: LinesView {
                object: "list",
                data: lines.iter().map(InvoiceLineView::from).collect(),
                has_more: false,
                url: match &id {
                    Some(id) => format!("/v1/invoices/{id}/lines"),
                    None => "/v1/invoices/upcoming/lines".into(),
                },
            },
            id,
            object: "invoice",
            customer: i.customer.clone(),
            subscription: i.subscription.clone(),
            status: i.status.as_str(),
            currency: i.currency.code(),
            billing_reason: i.billing_reason.as_str(),
            period_start: i.period_start,
            period_end: i.period_end,
            subtotal: i.subtotal,
            total: i.total,
            amount_due: i.amount_due,
            amount_paid: i.amount_paid,
            amount_remaining: i.amount_remaining,
            attempt_count: i.attempt_count,
            attempted: i.attempt_count > 0,
            next_payment_attempt: i.next_payment_attempt,
            payment: i.payment.clone(),
            status_transitions: StatusTransitionsView {
                finalized_at: i.finalized_at,
                paid_at: i.paid_at,
                voided_at: i.voided_at,
                marked_uncollectible_at: i.marked_uncollectible_at,
            },
            test_clock: i.test_clock.clone(),
            created: i.created,
            livemode: is_live(i.mode),
        }
    }
}

/// The page where a customer sees and pays an invoice (reached by its unguessable id).
pub fn hosted_invoice_url(public_url: &str, invoice_id: &str) -> String {
    format!("{public_url}/invoices/{invoice_id}")
}

/// A report of metered usage.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = UsageRecord)]
pub struct UsageRecordView {
    pub id: String,
    /// Always `usage_record`.
    pub object: &'static str,
    pub subscription: String,
    pub subscription_item: String,
    pub quantity: i64,
    pub timestamp: i64,
    /// `increment` or `set`.
    pub action: &'static str,
    pub identifier: Option<String>,
    pub created: i64,
    pub livemode: bool,
}

impl From<&UsageRow> for UsageRecordView {
    fn from(u: &UsageRow) -> Self {
        UsageRecordView {
            id: u.id.clone(),
            object: "usage_record",
            subscription: u.subscription.clone(),
            subscription_item: u.subscription_item.clone(),
            quantity: u.quantity,
            timestamp: u.usage_time,
            action: u.action.as_str(),
            identifier: u.identifier.clone(),
            created: u.created,
            livemode: is_live(u.mode),
        }
    }
}

/// A test clock: a time of its own for the billing of the customers made on it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = TestClock)]
pub struct TestClockView {
    pub id: String,
    /// Always `test_clock`.
    pub object: &'static str,
    pub name: Option<String>,
    pub frozen_time: i64,
    /// `ready`, or `advancing` while an advance runs.
    pub status: String,
    pub created: i64,
    pub livemode: bool,
}

impl From<&TestClockRow> for TestClockView {
    fn from(c: &TestClockRow) -> Self {
        TestClockView {
            id: c.id.clone(),
            object: "test_clock",
            name: c.name.clone(),
            frozen_time: c.frozen_time,
            status: c.status.clone(),
            created: c.created,
            livemode: is_live(c.mode),
        }
    }
}
