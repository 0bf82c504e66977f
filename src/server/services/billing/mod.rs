//! Billing: products and prices (`catalog`), subscriptions, invoices (`invoicing` builds and
//! charges them, `settle` applies a payment's outcome), metered `usage`, the due work of
//! renewals, retries and expiries (`engine`), and test `clocks` that run it on a time of
//! their own.
//!
//! Each invoice attempt is a payment charged off-session through the payments service, so
//! the ledger, refunds, events and webhooks apply to it unchanged. Every change is one
//! transaction, its events written in it; work that several instances may reach at once
//! (a renewal, a retry) is written with a compare-and-set on the state it started from.

pub mod catalog;
pub mod charging;
pub mod clocks;
pub mod dashboard;
pub mod engine;
pub mod hosted;
pub mod invoices;
pub mod invoicing;
pub mod settle;
pub mod subscriptions;
pub mod usage;

use super::payments::PaymentError;
use super::{Scope, ServiceError};
use crate::domain::billing::{DunningEnd, parse_retry_days};
use crate::server::acquirer::Decline;
use crate::server::clock::Clock;
use crate::server::store::Tx;
use crate::server::store::invoices::{InvoiceRow, lines_of};
use crate::server::store::payments::PaymentRow;
use crate::server::store::products::{self, PriceRow};
use crate::server::store::subscriptions::{SubscriptionRow, items_of};
use crate::server::store::test_clocks::TestClockRow;
use crate::server::store::webhook_endpoints::EndpointRow;
use crate::server::store::{accounts, row};
use crate::server::views::billing::{InvoiceView, SubscriptionView};
use sqlx::{Any, Executor};

/// Why a billing use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error(transparent)]
    Payment(#[from] PaymentError),
    /// The object's status does not allow this (409).
    #[error("{message}")]
    State { code: &'static str, message: String },
    /// Not with this key (403): test clocks are for test mode.
    #[error("{0}")]
    Forbidden(String),
    /// The payment was declined or needs the customer (402), and the error names it.
    #[error("{}", .decline.message)]
    Declined {
        decline: Decline,
        payment: Box<PaymentRow>,
    },
}

impl From<sqlx::Error> for BillingError {
    fn from(e: sqlx::Error) -> Self {
        BillingError::Service(ServiceError::Database(e))
    }
}

impl From<crate::domain::customer::FieldError> for BillingError {
    fn from(e: crate::domain::customer::FieldError) -> Self {
        BillingError::Service(e.into())
    }
}

impl From<crate::domain::metadata::MetadataError> for BillingError {
    fn from(e: crate::domain::metadata::MetadataError) -> Self {
        BillingError::Service(e.into())
    }
}

pub type Result<T> = std::result::Result<T, BillingError>;

fn invalid(param: &str, message: impl Into<String>) -> BillingError {
    ServiceError::invalid(param, message).into()
}

pub(super) fn missing(param: &str, object: &str, id: &str) -> BillingError {
    ServiceError::Coded {
        param: param.into(),
        code: "resource_missing",
        message: format!("No such {object}: '{id}'"),
    }
    .into()
}

pub(super) fn state(code: &'static str, message: impl Into<String>) -> BillingError {
    BillingError::State {
        code,
        message: message.into(),
    }
}

/// An account's billing settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Days between a failed renewal payment and each retry.
    pub retry_days: Vec<i64>,
    /// What a subscription becomes when its retries run out.
    pub dunning_end: DunningEnd,
    /// Seconds a renewal invoice stays a draft.
    pub draft_secs: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            retry_days: vec![3, 5, 7],
            dunning_end: DunningEnd::Canceled,
            draft_secs: 3_600,
        }
    }
}

/// The billing settings of an account (the defaults where a stored value is unreadable).
pub async fn settings<'e>(
    ex: impl Executor<'e, Database = Any>,
    account_id: &str,
) -> std::result::Result<Settings, sqlx::Error> {
    Ok(settings_of(accounts::find(ex, account_id).await?))
}

/// `settings`, as a hot read.
pub async fn settings_hot(
    store: &crate::server::store::Store,
    account_id: &str,
) -> std::result::Result<Settings, sqlx::Error> {
    Ok(settings_of(accounts::find_hot(store, account_id).await?))
}

fn settings_of(account: Option<accounts::AccountRow>) -> Settings {
    let defaults = Settings::default();
    let Some(account) = account else {
        return defaults;
    };
    Settings {
        retry_days: parse_retry_days(&account.billing_retry_days).unwrap_or(defaults.retry_days),
        dunning_end: DunningEnd::parse(&account.billing_dunning_end)
            .unwrap_or(defaults.dunning_end),
        draft_secs: account.billing_draft_secs.max(0),
    }
}

/// `time_on`, as a hot read.
pub async fn time_on_hot(
    store: &crate::server::store::Store,
    scope: &Scope,
    clock: Option<&str>,
    wall: &dyn Clock,
) -> std::result::Result<i64, sqlx::Error> {
    let Some(id) = clock else {
        return Ok(wall.now());
    };
    let found =
        row::find_hot::<TestClockRow>(store, &scope.account_id, scope.mode.as_str(), id).await?;
    Ok(clock_time(found, wall))
}

/// The time billing objects on `clock` live at: the test clock's, else the wall clock's.
pub async fn time_on<'e>(
    ex: impl Executor<'e, Database = Any>,
    scope: &Scope,
    clock: Option<&str>,
    wall: &dyn Clock,
) -> std::result::Result<i64, sqlx::Error> {
    let Some(id) = clock else {
        return Ok(wall.now());
    };
    let found = row::find::<TestClockRow>(ex, &scope.account_id, scope.mode.as_str(), id).await?;
    Ok(clock_time(found, wall))
}

/// A test clock's time; the wall clock's when the clock is gone.
fn clock_time(clock: Option<TestClockRow>, wall: &dyn Clock) -> i64 {
    clock.map_or_else(|| wall.now(), |c| c.frozen_time)
}

/// Writes events about a billing object (its view as it is now). Events keep the wall
/// clock's time, as webhook signatures do, whatever clock the object runs on.
async fn emit(
    tx: &mut Tx,
    wall: &dyn Clock,
    scope: &Scope,
    object: &impl serde::Serialize,
    kinds: &[&str],
) -> std::result::Result<(), sqlx::Error> {
    emit_to(tx, wall, scope, object, kinds, None).await
}

/// `emit`, to the webhook endpoints given when they were read before the transaction (so
/// that nothing in it waits on a read).
async fn emit_to(
    tx: &mut Tx,
    wall: &dyn Clock,
    scope: &Scope,
    object: &impl serde::Serialize,
    kinds: &[&str],
    endpoints: Option<&[EndpointRow]>,
) -> std::result::Result<(), sqlx::Error> {
    if kinds.is_empty() {
        return Ok(());
    }
    let json = crate::server::views::to_json(object);
    super::events::record(
        tx,
        wall.now_micros(),
        &scope.account_id,
        scope.mode,
        &json,
        kinds,
        endpoints,
    )
    .await
}

/// The endpoints a scope's events go to, read before a transaction that will record some.
async fn endpoints_of(
    store: &crate::server::store::Store,
    scope: &Scope,
) -> std::result::Result<Vec<EndpointRow>, sqlx::Error> {
    crate::server::store::webhook_endpoints::enabled(store, &scope.account_id, scope.mode.as_str())
        .await
}

fn scope_of(account_id: &str, mode: crate::domain::mode::Mode) -> Scope {
    Scope {
        account_id: account_id.to_string(),
        mode,
    }
}

/// A subscription as the API shows it, its items and their prices read with `ex`.
pub async fn subscription_view(
    ex: &mut sqlx::AnyConnection,
    sub: &SubscriptionRow,
) -> std::result::Result<SubscriptionView, sqlx::Error> {
    let items = items_of(&mut *ex, &sub.id).await?;
    let ids: Vec<String> = items.iter().map(|i| i.price.clone()).collect();
    let prices: Vec<PriceRow> = products::prices_among(&mut *ex, &ids).await?;
    Ok(SubscriptionView::new(sub, &items, &prices))
}

/// An invoice as the API shows it, its lines read with `ex`.
pub async fn invoice_view(
    ex: &mut sqlx::AnyConnection,
    invoice: &InvoiceRow,
    public_url: &str,
) -> std::result::Result<InvoiceView, sqlx::Error> {
    let lines = lines_of(&mut *ex, &invoice.id).await?;
    Ok(InvoiceView::new(invoice, &lines, public_url))
}
