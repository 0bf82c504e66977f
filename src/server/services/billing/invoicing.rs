//! Building invoices: their lines and totals, finalizing a draft (charging them is
//! `charging`'s).

use super::{BillingError, Result, invalid, state};
use crate::domain::billing::{
    BillingReason, InvoiceStatus, LineKind, Recurrence, Usage, UsageType, aggregate,
};
use crate::domain::ids::IdKind;
use crate::server::crypto::new_id;
use crate::server::services::Scope;
use crate::server::store::invoices::{self, InvoiceRow, LineRow};
use crate::server::store::products::{PriceRow, ProductRow};
use crate::server::store::subscriptions::{SubscriptionItemRow, SubscriptionRow};
use crate::server::store::{Tx, row};
use sqlx::{Any, Executor};

/// A subscription's items with their prices and the names of their products.
#[derive(Debug, Clone)]
pub struct Priced {
    pub item: SubscriptionItemRow,
    pub price: PriceRow,
    pub product_name: String,
}

/// Reads the prices and product names of `items`.
pub async fn priced(
    ex: &mut sqlx::AnyConnection,
    items: Vec<SubscriptionItemRow>,
) -> Result<Vec<Priced>> {
    let ids: Vec<String> = items.iter().map(|i| i.price.clone()).collect();
    let prices = crate::server::store::products::prices_among(&mut *ex, &ids).await?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let price = prices
            .iter()
            .find(|p| p.id == item.price)
            .cloned()
            .ok_or_else(|| {
                invalid(
                    "price",
                    format!("The price {} no longer exists.", item.price),
                )
            })?;
        let product = row::find::<ProductRow>(
            &mut *ex,
            &price.account_id,
            price.mode.as_str(),
            &price.product,
        )
        .await?;
        let product_name = product.map_or_else(|| price.product.clone(), |p| p.name);
        out.push(Priced {
            item,
            price,
            product_name,
        });
    }
    Ok(out)
}

/// The recurrence of a subscription.
pub fn recurrence(sub: &SubscriptionRow) -> Recurrence {
    Recurrence {
        interval: sub.recurring_interval,
        count: sub.recurring_count,
    }
}

/// A new invoice of `sub` (no lines, no totals yet).
pub fn new_invoice(
    sub: &SubscriptionRow,
    reason: BillingReason,
    period: (i64, i64),
    now: i64,
    sort_key: i64,
) -> InvoiceRow {
    InvoiceRow {
        id: new_id(IdKind::Invoice),
        account_id: sub.account_id.clone(),
        mode: sub.mode,
        customer: sub.customer.clone(),
        subscription: Some(sub.id.clone()),
        test_clock: sub.test_clock.clone(),
        status: InvoiceStatus::Draft,
        currency: sub.currency,
        billing_reason: reason,
        period_start: period.0,
        period_end: period.1,
        subtotal: 0,
        total: 0,
        amount_due: 0,
        amount_paid: 0,
        amount_remaining: 0,
        attempt_count: 0,
        next_payment_attempt: None,
        dunning_at: None,
        payment: None,
        finalize_at: None,
        finalized_at: None,
        paid_at: None,
        voided_at: None,
        marked_uncollectible_at: None,
        created: now,
        sort_key,
    }
}

/// A line of `invoice` (None: pending, for the subscription's next invoice).
#[allow(clippy::too_many_arguments)]
pub fn line(
    sub: &SubscriptionRow,
    invoice: Option<&str>,
    item: Option<&Priced>,
    kind: LineKind,
    description: String,
    quantity: i64,
    amount: i64,
    period: (i64, i64),
    now: i64,
    sort_key: i64,
) -> LineRow {
    LineRow {
        id: new_id(IdKind::InvoiceLine),
        account_id: sub.account_id.clone(),
        mode: sub.mode,
        invoice: invoice.map(str::to_string),
        subscription: Some(sub.id.clone()),
        subscription_item: item.map(|p| p.item.id.clone()),
        price: item.map(|p| p.price.id.clone()),
        kind,
        description,
        quantity,
        amount,
        currency: sub.currency,
        period_start: period.0,
        period_end: period.1,
        created: now,
        sort_key,
    }
}

/// The lines billing the licensed items for `period` in advance (free during a trial).
pub fn licensed_lines(
    sub: &SubscriptionRow,
    invoice: &str,
    items: &[Priced],
    period: (i64, i64),
    trial: bool,
    now: i64,
    sort_key: i64,
) -> Vec<LineRow> {
    items
        .iter()
        .filter(|p| p.price.usage_type == UsageType::Licensed)
        .zip(0..)
        .map(|(p, i)| {
            let qty = p.item.quantity;
            let (description, amount) = if trial {
                (format!("Trial period for {}", p.product_name), 0)
            } else {
                (
                    format!("{qty} × {}", p.product_name),
                    p.price.unit_amount.saturating_mul(qty),
                )
            };
            let kind = LineKind::Subscription;
            line(
                sub,
                Some(invoice),
                Some(p),
                kind,
                description,
                qty,
                amount,
                period,
                now,
                sort_key + i,
            )
        })
        .collect()
}

/// The lines billing the metered items' usage over `period`, one per item.
pub async fn usage_lines(
    ex: &mut sqlx::AnyConnection,
    sub: &SubscriptionRow,
    invoice: &str,
    items: &[Priced],
    period: (i64, i64),
    now: i64,
    sort_key: i64,
) -> Result<Vec<LineRow>> {
    let mut lines = Vec::new();
    for (p, i) in items
        .iter()
        .filter(|p| p.price.usage_type == UsageType::Metered)
        .zip(100..)
    {
        let records = invoices::usage_between(&mut *ex, &p.item.id, period.0, period.1).await?;
        let usage: Vec<Usage> = records
            .iter()
            .map(|r| Usage {
                timestamp: r.usage_time,
                action: r.action,
                quantity: r.quantity,
            })
            .collect();
        let how = p
            .price
            .aggregate_usage
            .unwrap_or(crate::domain::billing::AggregateUsage::Sum);
        let qty = aggregate(&usage, how);
        let description = format!("{qty} × {} (usage)", p.product_name);
        let amount = p.price.unit_amount.saturating_mul(qty);
        lines.push(line(
            sub,
            Some(invoice),
            Some(p),
            LineKind::Usage,
            description,
            qty,
            amount,
            period,
            now,
            sort_key + i,
        ));
    }
    Ok(lines)
}

/// The renewal of `sub` at its period end, as a draft of `id` (empty for a preview): the
/// licensed items for the next period, the usage of the one ending (none after a trial),
/// and the pending prorations, with its totals (a credit is carried at finalization).
/// Returns the invoice, all its lines, and those of them that are new (the pending ones
/// already exist).
pub async fn renewal(
    conn: &mut sqlx::AnyConnection,
    sub: &SubscriptionRow,
    items: &[Priced],
    now: i64,
    sort_key: i64,
) -> Result<(InvoiceRow, Vec<LineRow>, Vec<LineRow>)> {
    let at = sub.current_period_end;
    let next = (at, recurrence(sub).period_end(sub.billing_cycle_anchor, at));
    let invoice = new_invoice(sub, BillingReason::SubscriptionCycle, next, now, sort_key);
    let mut new = licensed_lines(sub, &invoice.id, items, next, false, now, sort_key);
    if sub.trial_end != Some(at) {
        let old = (sub.current_period_start, at);
        new.extend(usage_lines(conn, sub, &invoice.id, items, old, now, sort_key).await?);
    }
    let mut all = invoices::pending_lines(&mut *conn, &sub.id).await?;
    for l in &mut all {
        l.invoice = Some(invoice.id.clone());
    }
    all.extend(new.iter().cloned());
    let mut invoice = invoice;
    let subtotal: i64 = all.iter().map(|l| l.amount).sum();
    invoice.subtotal = subtotal;
    invoice.total = subtotal;
    invoice.amount_due = subtotal.max(0);
    invoice.amount_remaining = invoice.amount_due;
    Ok((invoice, all, new))
}

/// Sets the invoice's totals from its lines. A total below zero (credits larger than what
/// is billed) is carried to the subscription's next invoice as a pending credit line, so no
/// credit is lost; the invoice then asks for nothing.
pub fn total(
    invoice: &mut InvoiceRow,
    lines: &mut Vec<LineRow>,
    sub: &SubscriptionRow,
    now: i64,
    sort_key: i64,
) {
    let subtotal: i64 = lines.iter().map(|l| l.amount).sum();
    if subtotal < 0 {
        let period = (invoice.period_start, invoice.period_end);
        let carried = -subtotal;
        lines.push(line(
            sub,
            Some(&invoice.id),
            None,
            LineKind::Proration,
            "Credit carried to the next invoice".into(),
            1,
            carried,
            period,
            now,
            sort_key + 500,
        ));
        lines.push(line(
            sub,
            None,
            None,
            LineKind::Proration,
            format!("Credit carried from {}", invoice.id),
            1,
            subtotal,
            period,
            now,
            sort_key + 501,
        ));
    }
    invoice.subtotal = subtotal.max(0);
    invoice.total = subtotal.max(0);
    invoice.amount_due = subtotal.max(0);
    invoice.amount_remaining = invoice.amount_due - invoice.amount_paid;
}

/// Finalizes a draft at `now`: its usage lines are counted again (usage may be reported
/// during the draft window), its totals set, and it is open (or paid, when nothing is due).
/// Reads with `store` before anything is written; the writes are queued in `tx`, whose
/// compare-and-set on the draft decides (the caller's).
pub async fn finalize_lines(
    store: &crate::server::store::Store,
    tx: &mut Tx,
    invoice: &mut InvoiceRow,
    sub: &SubscriptionRow,
    now: i64,
    sort_key: i64,
) -> Result<Vec<LineRow>> {
    if invoice.status != InvoiceStatus::Draft {
        return Err(state(
            "invoice_unexpected_state",
            format!(
                "The invoice is {}: only a draft can be finalized.",
                invoice.status
            ),
        ));
    }
    let reader = store.reader();
    let mut lines = invoices::lines_of_hot(store, &invoice.id).await?;
    let usage: Vec<LineRow> = lines
        .iter()
        .filter(|l| l.kind == LineKind::Usage)
        .cloned()
        .collect();
    if !usage.is_empty() {
        let mut conn = reader.acquire().await?;
        let items = crate::server::store::subscriptions::items_of(&mut *conn, &sub.id).await?;
        let items = priced(&mut conn, items).await?;
        let period = (usage[0].period_start, usage[0].period_end);
        let fresh = usage_lines(&mut conn, sub, &invoice.id, &items, period, now, sort_key).await?;
        tx.defer(invoices::deleting_usage_lines(&invoice.id));
        lines.retain(|l| l.kind != LineKind::Usage);
        for l in &fresh {
            tx.defer(row::insert(l));
        }
        lines.extend(fresh);
    }
    let before = lines.len();
    total(invoice, &mut lines, sub, now, sort_key);
    for l in &lines[before..] {
        tx.defer(row::insert(l));
    }
    invoice.status = InvoiceStatus::Open;
    invoice.finalized_at = Some(now);
    invoice.finalize_at = None;
    Ok(lines)
}

/// Refuses a change to an invoice whose status is not one of `allowed`.
pub fn expect_status(invoice: &InvoiceRow, allowed: &[InvoiceStatus], action: &str) -> Result<()> {
    if allowed.contains(&invoice.status) {
        return Ok(());
    }
    Err(state(
        "invoice_unexpected_state",
        format!("This invoice is {} and cannot be {action}.", invoice.status),
    ))
}

/// An invoice of the scope, or 404.
pub async fn find<'e>(
    ex: impl Executor<'e, Database = Any>,
    scope: &Scope,
    id: &str,
) -> Result<InvoiceRow> {
    row::find::<InvoiceRow>(ex, &scope.account_id, scope.mode.as_str(), id)
        .await?
        .ok_or_else(|| {
            BillingError::Service(crate::server::services::ServiceError::NotFound {
                object: "invoice",
                id: id.to_string(),
            })
        })
}
