//! What the dashboard's billing pages show, one call per page: the home page's recurring
//! revenue, a subscription with its items and invoices, an invoice with its lines and
//! attempts, and the catalog. Scoped to the signed-in account and mode like every page.

use super::invoicing::{Priced, priced};
use super::{Result, subscriptions};
use crate::domain::billing::{Interval, SubscriptionStatus, monthly_amount};
use crate::server::services::Scope;
use crate::server::store::Store;
use crate::server::store::customers::CustomerRow;
use crate::server::store::invoices::{self, InvoiceRow, LineRow};
use crate::server::store::payment_methods::PaymentMethodRow;
use crate::server::store::payments::{self, PaymentRow};
use crate::server::store::products::{self, PriceRow, ProductFilter, ProductRow};
use crate::server::store::row;
use crate::server::store::subscriptions::{
    SubscriptionRow, count_by_status, items_of, paying_items,
};
use std::collections::BTreeMap;

/// Recurring revenue and how many subscriptions stand where.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BillingSummary {
    /// Monthly recurring revenue per currency (active and past-due subscriptions' licensed
    /// items, each counted per month).
    pub mrr: BTreeMap<String, i64>,
    pub active: i64,
    pub trialing: i64,
    pub past_due: i64,
}

pub async fn summary(store: &Store, scope: &Scope) -> Result<BillingSummary> {
    let (account, mode) = (scope.account_id.as_str(), scope.mode.as_str());
    let items = paying_items(store.reader(), account, mode).await?;
    let counts = count_by_status(store.reader(), account, mode).await?;
    Ok(summarize(&items, &counts))
}

/// The summary of paying items `(currency, amount per period, interval, count)` and counts
/// per status.
pub fn summarize(items: &[(String, i64, String, i64)], counts: &[(String, i64)]) -> BillingSummary {
    let mut mrr = BTreeMap::new();
    for (currency, amount, interval, count) in items {
        if let Some(interval) = Interval::parse(interval) {
            *mrr.entry(currency.clone()).or_insert(0) += monthly_amount(*amount, interval, *count);
        }
    }
    let count = |status: SubscriptionStatus| {
        counts
            .iter()
            .filter(|(s, _)| s == status.as_str())
            .map(|(_, n)| n)
            .sum()
    };
    BillingSummary {
        mrr,
        active: count(SubscriptionStatus::Active),
        trialing: count(SubscriptionStatus::Trialing),
        past_due: count(SubscriptionStatus::PastDue),
    }
}

/// A subscription with what its page shows.
pub struct SubscriptionDetail {
    pub subscription: SubscriptionRow,
    pub items: Vec<Priced>,
    pub customer: Option<CustomerRow>,
    /// The card its invoices are charged to, if it has its own.
    pub card: Option<PaymentMethodRow>,
    pub invoices: Vec<InvoiceRow>,
}

pub async fn subscription_detail(
    store: &Store,
    scope: &Scope,
    id: &str,
) -> Result<SubscriptionDetail> {
    let (account, mode) = (scope.account_id.as_str(), scope.mode.as_str());
    let ex = store.reader();
    let subscription = subscriptions::find(ex, scope, id).await?;
    let mut conn = ex.acquire().await?;
    let items = items_of(&mut *conn, id).await?;
    let items = priced(&mut conn, items).await?;
    let customer =
        row::find::<CustomerRow>(&mut *conn, account, mode, &subscription.customer).await?;
    let card = match &subscription.default_payment_method {
        Some(pm) => row::find::<PaymentMethodRow>(&mut *conn, account, mode, pm).await?,
        None => None,
    };
    let invoices = invoices::of_subscription(&mut *conn, id).await?;
    Ok(SubscriptionDetail {
        subscription,
        items,
        customer,
        card,
        invoices,
    })
}

/// An invoice with its lines and every attempt to pay it.
pub struct InvoiceDetail {
    pub invoice: InvoiceRow,
    pub lines: Vec<LineRow>,
    pub attempts: Vec<PaymentRow>,
    pub customer: Option<CustomerRow>,
}

pub async fn invoice_detail(store: &Store, scope: &Scope, id: &str) -> Result<InvoiceDetail> {
    let ex = store.reader();
    let invoice = super::invoicing::find(ex, scope, id).await?;
    let mut conn = ex.acquire().await?;
    let lines = invoices::lines_of(&mut *conn, id).await?;
    let attempts = payments::of_invoice(&mut *conn, id).await?;
    let customer = row::find::<CustomerRow>(
        &mut *conn,
        &scope.account_id,
        scope.mode.as_str(),
        &invoice.customer,
    )
    .await?;
    Ok(InvoiceDetail {
        invoice,
        lines,
        attempts,
        customer,
    })
}

/// The products shown at most, newest first.
pub const CATALOG_LIMIT: i64 = 100;

/// The catalog: products, newest first, each with its prices.
pub async fn catalog(store: &Store, scope: &Scope) -> Result<Vec<(ProductRow, Vec<PriceRow>)>> {
    let (rows, _) = crate::server::store::page::list(
        store.reader(),
        &scope.account_id,
        scope.mode.as_str(),
        &ProductFilter::default(),
        &crate::server::store::page::Cursor::Start,
        CATALOG_LIMIT,
    )
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for product in rows {
        let prices = products::prices_of(
            store.reader(),
            &scope.account_id,
            scope.mode.as_str(),
            &product.id,
        )
        .await?;
        out.push((product, prices));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recurring_revenue_adds_each_currency_per_month() {
        let items = [
            ("EUR".to_string(), 2900, "month".to_string(), 1),
            ("EUR".to_string(), 12000, "year".to_string(), 1),
            ("USD".to_string(), 900, "month".to_string(), 3),
        ];
        let counts = [
            ("active".to_string(), 2),
            ("past_due".to_string(), 1),
            ("canceled".to_string(), 7),
        ];
        let summary = summarize(&items, &counts);
        assert_eq!(summary.mrr["EUR"], 2900 + 1000);
        assert_eq!(summary.mrr["USD"], 300);
        assert_eq!(
            (summary.active, summary.trialing, summary.past_due),
            (2, 0, 1)
        );
    }
}
