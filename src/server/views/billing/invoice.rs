//! An invoice, its lines and their periods, and metered usage records.

use crate::server::store::invoices::{InvoiceRow, LineRow, UsageRow};
use crate::server::views::is_live;
use serde::Serialize;
use utoipa::ToSchema;

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
