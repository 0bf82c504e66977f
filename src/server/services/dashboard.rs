//! What the dashboard's pages show, loaded in one call per page so the pages only render.
//! Every lookup is scoped to the signed-in account and mode: another merchant's id is simply
//! not found.

use super::loyalty::payment::{self as payment_points, PaymentPoints};
use super::{Scope, ServiceError};
use crate::domain::stats::DayRow;
use crate::server::store::Store;
use crate::server::store::accounts::{self, AccountRow};
use crate::server::store::acquirer_connections::{self, AcquirerConnectionRow};
use crate::server::store::api_keys::{self, ApiKeyRow};
use crate::server::store::charges::{self, ChargeRow};
use crate::server::store::customers::CustomerRow;
use crate::server::store::events::{self, EventFilter, EventRow};
use crate::server::store::ledger::{self, EntryRow, TransactionRow};
use crate::server::store::loyalty::{AccountFilter, LoyaltyAccountRow};
use crate::server::store::page::{self, Cursor, Listing};
use crate::server::store::payment_methods::{self, PaymentMethodRow};
use crate::server::store::payments::{self, PaymentFilter, PaymentRow};
use crate::server::store::refunds::{self, RefundRow};
use crate::server::store::row;
use crate::server::store::row::Table;
use crate::server::store::webhook_deliveries::{self, AttemptRow, DeliveryRow};
use crate::server::store::webhook_endpoints::{self, EndpointRow};
use std::collections::HashMap;

/// Days the home page looks back.
pub const HOME_DAYS: i64 = 30;

pub struct Home {
    pub days: Vec<DayRow>,
    /// Day number (Unix seconds / 86,400) of today, UTC.
    pub today: i64,
    pub latest: Vec<PaymentRow>,
    pub default_currency: String,
}

pub async fn home(store: &Store, scope: &Scope, now: i64) -> Result<Home, ServiceError> {
    let today = now.div_euclid(86_400);
    let since = (today - HOME_DAYS + 1) * 86_400;
    let mode = scope.mode.as_str();
    let days = payments::daily_totals(store.reader(), &scope.account_id, mode, since).await?;
    let everything = PaymentFilter::default();
    let (latest, _) = newest(store, scope, &everything, 8).await?;
    let account = crate::server::store::accounts::find(store.reader(), &scope.account_id).await?;
    Ok(Home {
        days,
        today,
        latest,
        default_currency: account
            .map(|a| a.default_currency)
            .unwrap_or_else(|| "EUR".into()),
    })
}

/// A delivery with its attempts and the endpoint it went to.
pub struct DeliveryView {
    pub delivery: DeliveryRow,
    pub attempts: Vec<AttemptRow>,
    pub endpoint_url: String,
    /// The body that is POSTed: the event as JSON (pretty-printed for reading).
    pub request_body: String,
}

pub struct PaymentDetail {
    pub payment: PaymentRow,
    pub charges: Vec<ChargeRow>,
    /// Oldest first.
    pub events: Vec<EventRow>,
    pub refunds: Vec<RefundRow>,
    /// Refunds asked for but not yet answered by the acquirer.
    pub refunds_pending: i64,
    /// Oldest first, each with its entries.
    pub ledger: Vec<(TransactionRow, Vec<EntryRow>)>,
    pub deliveries: Vec<DeliveryView>,
    /// What it earned, lost to refunds, or had redeemed on it.
    pub points: PaymentPoints,
}

/// Most events, ledger postings and deliveries a payment page lists (a payment has a handful).
const DETAIL_LIMIT: i64 = 100;

pub async fn payment_detail(
    store: &Store,
    scope: &Scope,
    id: &str,
) -> Result<PaymentDetail, ServiceError> {
    let payment = super::payments::find(store, scope, id).await?;
    let db = store.reader();
    let charges = charges::of_payment(db, &payment.id).await?;
    // Refund events are the refund's, not the payment's: one timeline holds both.
    let refunds = refunds::of_payment(db, &payment.id).await?;
    let mut events = Vec::new();
    for object_id in std::iter::once(&payment.id).chain(refunds.iter().map(|r| &r.id)) {
        let filter = EventFilter {
            kind: None,
            object_id: Some(object_id.clone()),
        };
        let (found, _) = newest(store, scope, &filter, DETAIL_LIMIT).await?;
        events.extend(found);
    }
    events.sort_by(|a, b| (a.sort_key, &a.id).cmp(&(b.sort_key, &b.id)));
    let refunds_pending = refunds::pending_of(db, &payment.id).await?;
    let of_payment = ledger::TransactionFilter {
        payment: Some(payment.id.clone()),
    };
    let (mut transactions, _) = newest(store, scope, &of_payment, DETAIL_LIMIT).await?;
    transactions.reverse();
    let ledger = ledger::with_entries(db, transactions).await?;
    let event_ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
    let deliveries = deliveries_with_attempts(
        store,
        scope,
        webhook_deliveries::of_events(db, &event_ids).await?,
    )
    .await?;
    let points = payment_points::of_payment(store, &payment).await?;
    Ok(PaymentDetail {
        payment,
        charges,
        events,
        refunds,
        refunds_pending,
        ledger,
        deliveries,
        points,
    })
}

/// Deliveries with their attempts and endpoint URLs.
pub async fn deliveries_with_attempts(
    store: &Store,
    scope: &Scope,
    deliveries: Vec<DeliveryRow>,
) -> Result<Vec<DeliveryView>, ServiceError> {
    let db = store.reader();
    let mut endpoint_ids: Vec<String> = deliveries.iter().map(|d| d.endpoint_id.clone()).collect();
    endpoint_ids.sort();
    endpoint_ids.dedup();
    let urls: HashMap<String, String> = webhook_endpoints::by_ids(db, &endpoint_ids)
        .await?
        .into_iter()
        .filter(|e| e.account_id == scope.account_id)
        .map(|e| (e.id, e.url))
        .collect();
    let mut event_ids: Vec<String> = deliveries.iter().map(|d| d.event_id.clone()).collect();
    event_ids.sort();
    event_ids.dedup();
    let bodies: HashMap<String, String> = events::by_ids(db, &event_ids)
        .await?
        .iter()
        .filter(|e| e.account_id == scope.account_id)
        .map(|e| {
            let json = serde_json::to_string_pretty(&crate::server::views::EventView::from(e))
                .unwrap_or_default();
            (e.id.clone(), json)
        })
        .collect();
    Ok(webhook_deliveries::with_attempts(db, deliveries)
        .await?
        .into_iter()
        .map(|(d, attempts)| DeliveryView {
            attempts,
            endpoint_url: urls.get(&d.endpoint_id).cloned().unwrap_or_default(),
            request_body: bodies.get(&d.event_id).cloned().unwrap_or_default(),
            delivery: d,
        })
        .collect())
}

pub struct CustomerDetail {
    pub customer: CustomerRow,
    pub payments: Vec<PaymentRow>,
    pub cards: Vec<PaymentMethodRow>,
    /// Their points accounts, one per program they have points in.
    pub points: Vec<LoyaltyAccountRow>,
}

pub async fn customer_detail(
    store: &Store,
    scope: &Scope,
    id: &str,
) -> Result<CustomerDetail, ServiceError> {
    let not_found = || ServiceError::NotFound {
        object: "customer",
        id: id.to_string(),
    };
    let mode = scope.mode.as_str();
    let db = store.reader();
    let customer = row::find::<CustomerRow>(db, &scope.account_id, mode, id)
        .await?
        .filter(|c| c.deleted == 0)
        .ok_or_else(not_found)?;
    let filter = PaymentFilter {
        customer: Some(customer.id.clone()),
        ..PaymentFilter::default()
    };
    let (payments, _) = newest(store, scope, &filter, 50).await?;
    let of_customer = payment_methods::OfCustomer(customer.id.clone());
    let (cards, _) = newest(store, scope, &of_customer, 50).await?;
    let of_points = AccountFilter {
        customer: Some(customer.id.clone()),
        ..AccountFilter::default()
    };
    let (points, _) = newest(store, scope, &of_points, 50).await?;
    Ok(CustomerDetail {
        customer,
        payments,
        cards,
        points,
    })
}

/// An endpoint with its latest deliveries.
pub struct EndpointDetail {
    pub endpoint: EndpointRow,
    pub deliveries: Vec<DeliveryView>,
}

pub async fn endpoint_detail(
    store: &Store,
    scope: &Scope,
    id: &str,
) -> Result<EndpointDetail, ServiceError> {
    let endpoint = super::webhooks::find(store.reader(), scope, id).await?;
    let of_endpoint = webhook_deliveries::Of::Endpoint(endpoint.id.clone());
    let (rows, _) = newest(store, scope, &of_endpoint, 25).await?;
    let deliveries = deliveries_with_attempts(store, scope, rows).await?;
    Ok(EndpointDetail {
        endpoint,
        deliveries,
    })
}

/// The newest `limit` rows `listing` shows of the scope, and whether there are more.
async fn newest<L: Listing>(
    store: &Store,
    scope: &Scope,
    listing: &L,
    limit: i64,
) -> Result<(Vec<L::Row>, bool), sqlx::Error> {
    let mode = scope.mode.as_str();
    page::list(
        store.reader(),
        &scope.account_id,
        mode,
        listing,
        &Cursor::Start,
        limit,
    )
    .await
}

/// Where a dashboard page of a list starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// The newest rows.
    First,
    /// The rows older than this one.
    After(String),
    /// The rows newer than this one.
    Before(String),
}

/// A page of a dashboard list, and which ways more pages lie.
pub struct Page<T> {
    pub rows: Vec<T>,
    /// Newer rows exist: the page was reached going back, or going forward found more.
    pub newer: bool,
    /// Older rows exist.
    pub older: bool,
}

/// One page of what `listing` shows of the scope, from `position`. A position naming a row
/// of another account, or one that is gone, starts again from the newest.
pub async fn page<L: Listing>(
    store: &Store,
    scope: &Scope,
    listing: &L,
    position: &Position,
    limit: i64,
) -> Result<Page<L::Row>, sqlx::Error> {
    let (db, mode) = (store.reader(), scope.mode.as_str());
    let cursor = match position {
        Position::First => None,
        Position::After(id) | Position::Before(id) => {
            let table = <L::Row as Table>::TABLE;
            page::cursor_of(db, table, &scope.account_id, mode, id)
                .await?
                .map(|sort_key| match position {
                    Position::Before(_) => Cursor::Before {
                        sort_key,
                        id: id.clone(),
                    },
                    _ => Cursor::After {
                        sort_key,
                        id: id.clone(),
                    },
                })
        }
    }
    .unwrap_or(Cursor::Start);
    let (rows, has_more) = page::list(db, &scope.account_id, mode, listing, &cursor, limit).await?;
    let (newer, older) = match cursor {
        Cursor::Start => (false, has_more),
        Cursor::After { .. } => (true, has_more),
        Cursor::Before { .. } => (has_more, true),
    };
    Ok(Page { rows, newer, older })
}

/// What the developers page lists: the API keys (newest first, 50 at most) and the webhook
/// endpoints (100 at most).
pub async fn developers(
    store: &Store,
    scope: &Scope,
) -> Result<(Vec<ApiKeyRow>, Vec<EndpointRow>), sqlx::Error> {
    let mode = scope.mode.as_str();
    let keys = api_keys::list_all(store.reader(), &scope.account_id, mode).await?;
    let (endpoints, _) = newest(store, scope, &webhook_endpoints::EndpointFilter, 100).await?;
    Ok((keys, endpoints))
}

/// What the settings page shows: the account, and its acquirer connections in this mode.
pub async fn settings(
    store: &Store,
    scope: &Scope,
) -> Result<(Option<AccountRow>, Vec<AcquirerConnectionRow>), sqlx::Error> {
    let db = store.reader();
    let account = accounts::find(db, &scope.account_id).await?;
    let connections =
        acquirer_connections::list(db, &scope.account_id, scope.mode.as_str()).await?;
    Ok((account, connections))
}
