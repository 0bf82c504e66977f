//! Payments: create (optionally confirming), confirm, capture, cancel, adjust, reverse.
//!
//! Each use case validates, asks the acquirer (outside any transaction: a SQLite write lock must
//! not wait on the network), then writes the change, its charge and its events in one
//! transaction, applying the state machine with a compare-and-set. The transaction is handed
//! back uncommitted (`Staged`) so the caller can add its idempotency record before committing.
//!
//! One file per step of a payment's life: `create`, `confirm`, `hold` (capture, cancel,
//! adjust, reverse after authorisation), `expiry`; `outcome` applies what the acquirer said;
//! `methods` resolves cards and tokens; `validate` checks fields; `urls` says where the
//! customer goes.

mod confirm;
mod create;
mod expiry;
mod hold;
pub use hold::CANCELLATION_REASONS;
mod methods;
mod off_session;
mod outcome;
mod points;
mod recover;
mod urls;
mod validate;

pub use confirm::{ConfirmPayment, confirm};
pub use create::{DEFAULT_EXPIRES_IN, Defaults, MAX_EXPIRES_IN, NewPayment, Routing, create};
pub use expiry::{expire, expire_if_due, is_due_for_expiry};
pub use hold::{adjust, cancel, capture, card_profile, reverse};
pub use off_session::{OffSession, finish_off_session, start_off_session};
pub use recover::{recover, settle};
use urls::redirect_to_url;
pub use urls::{challenge_url, elements_challenge_end, processor_return, return_url_with_result};

/// Seconds a confirm may wait on the acquirer before the reconciler may take its payment over
/// (the sandbox answers in milliseconds; a real acquirer's client times out well before).
pub const CONFIRM_CALL_SECS: i64 = 120;
pub(crate) use validate::http_url;

use super::{Scope, ServiceError};
use crate::domain::ids::{self, IdKind};
use crate::domain::metadata::Metadata;
use crate::domain::money::{Amount, AmountError, Currency};
use crate::domain::payment::{Command, PaymentStatus, TransitionError, transition};
use crate::server::acquirer::sandbox::test_token;
use crate::server::acquirer::{
    Acquirer, Attempt, AuthOutcome, CardProfile, DEFAULT_CONNECTION, Decline, Hold, Registry,
    SANDBOX_KIND,
};
use crate::server::clock::Clock;
use crate::server::crypto::{Secret, hmac_sha256, new_id};
use crate::server::store::acquirer_connections::AcquirerConnectionRow;
use crate::server::store::charges::{self, ChargeRow};
use crate::server::store::payment_methods::PaymentMethodRow;
use crate::server::store::payments::{self, PaymentRow};
use crate::server::store::row;
use crate::server::store::webhook_endpoints::{self, EndpointRow};
use crate::server::store::{Store, Tx, customers};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What the payment use cases need from the server.
pub struct Deps<'a> {
    pub store: &'a Store,
    pub clock: &'a dyn Clock,
    pub acquirers: &'a Registry,
    pub secret: &'a Secret,
    pub public_url: &'a str,
    /// The fee on captured charges.
    pub fees: crate::domain::ledger::FeeSchedule,
    /// Seconds before a capture's net becomes available.
    pub settlement_delay_secs: i64,
}

/// A change written but not yet committed, and what it produced.
pub struct Staged {
    pub tx: Tx,
    pub payment: PaymentRow,
    /// Set when the acquirer declined: the API answers 402 with the payment.
    pub decline: Option<Decline>,
}

/// Why a payment use case refused.
#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// The status does not allow the command (409).
    #[error(transparent)]
    State(#[from] TransitionError),
    /// Another request changed the payment first (409).
    #[error(
        "The payment was changed by another request at the same time; retrieve it and try again."
    )]
    Conflict,
    /// The issuer declined an adjustment (402); nothing changed.
    #[error("{}", .0.message)]
    AdjustDeclined(Decline, Box<PaymentRow>),
}

impl From<sqlx::Error> for PaymentError {
    fn from(e: sqlx::Error) -> Self {
        PaymentError::Service(ServiceError::Database(e))
    }
}

type Result<T> = std::result::Result<T, PaymentError>;

fn invalid(param: &str, message: impl Into<String>) -> PaymentError {
    ServiceError::invalid(param, message).into()
}

pub use crate::server::views::payment::checkout_url;

/// Where a card was entered, which decides what a decline and a 3-D Secure challenge do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// A merchant's server called the API: a decline fails the payment, and a challenge ends
    /// at the merchant's `return_url`.
    Api,
    /// The hosted checkout: the customer is there, may try another card after a decline, and
    /// comes back to the checkout after a challenge.
    Checkout,
    /// The embedded card element: like the checkout, but the challenge runs inside the
    /// element's frame and ends on its own page there.
    Elements,
}

impl Channel {
    /// A customer is present and may try another card after a decline.
    pub fn retryable(self) -> bool {
        self != Channel::Api
    }

    /// Where the issuer's challenge sends the customer back to (None: nowhere to go).
    pub fn challenge_return(self, public_url: &str, row: &PaymentRow) -> Option<String> {
        match self {
            Channel::Api => row.return_url.clone(),
            Channel::Checkout => Some(checkout_url(public_url, &row.id)),
            Channel::Elements => Some(elements_challenge_end(public_url, &row.id)),
        }
    }

    /// The channel a payment's pending challenge was started from, read back from where it
    /// returns to.
    pub fn of_challenge(row: &PaymentRow, public_url: &str) -> Channel {
        match redirect_to_url(row, "return_url") {
            Some(back) if back == checkout_url(public_url, &row.id) => Channel::Checkout,
            Some(back) if back == elements_challenge_end(public_url, &row.id) => Channel::Elements,
            _ => Channel::Api,
        }
    }
}

/// The authorisation attempt a payment in `processing` makes with `card`.
fn attempt_of<'a>(
    row: &'a PaymentRow,
    card: &'a CardProfile,
    return_url: Option<&'a str>,
    off_session: bool,
) -> Attempt<'a> {
    Attempt {
        reference: row.attempt.as_deref().unwrap_or(&row.id),
        payment_id: &row.id,
        card,
        amount: row.amount,
        currency: row.currency.code(),
        manual_capture: row.capture_method == "manual",
        off_session,
        return_url,
        statement_descriptor: row.statement_descriptor.as_deref(),
    }
}

/// The authorisation a payment holds, as its acquirer knows it.
pub fn hold_of<'a>(row: &'a PaymentRow, card: &'a CardProfile) -> Hold<'a> {
    Hold {
        reference: row.attempt.as_deref().unwrap_or(&row.id),
        card,
        processor_ref: row.processor_ref.as_deref(),
    }
}

/// The client secret of a payment: derived, never stored; it lets a browser confirm this one
/// payment with a publishable key.
pub fn client_secret(secret: &Secret, payment_id: &str) -> String {
    let mac = hmac_sha256(
        secret.expose().as_bytes(),
        format!("client_secret:{payment_id}").as_bytes(),
    );
    format!("{payment_id}_secret_{}", &hex::encode(mac)[..32])
}

/// Writes one event per kind, each carrying the payment as it is now, in the order given
/// (their sort keys follow one another, so lists show them in that order).
/// Emits one event about `row` in `tx` (news of it from outside a use case here: a
/// processor's webhook).
pub async fn announce(deps: &Deps<'_>, tx: &mut Tx, row: &PaymentRow, kind: &str) -> Result<()> {
    emit(deps, tx, row, &[kind]).await
}

async fn emit(deps: &Deps<'_>, tx: &mut Tx, row: &PaymentRow, kinds: &[&str]) -> Result<()> {
    emit_to(deps, tx, row, kinds, None).await
}

/// `emit`, for the webhook endpoints given (read before the transaction) when there are some.
async fn emit_to(
    deps: &Deps<'_>,
    tx: &mut Tx,
    row: &PaymentRow,
    kinds: &[&str],
    endpoints: Option<&[EndpointRow]>,
) -> Result<()> {
    let object = crate::server::views::to_json(&crate::server::views::PaymentView::new(
        row,
        deps.public_url,
    ));
    crate::server::services::events::record(
        tx,
        deps.clock.now_micros(),
        &row.account_id,
        row.mode,
        &object,
        kinds,
        endpoints,
    )
    .await?;
    Ok(())
}

/// A payment of this scope, or 404.
pub async fn find(
    store: &Store,
    scope: &Scope,
    id: &str,
) -> std::result::Result<PaymentRow, ServiceError> {
    let not_found = || ServiceError::NotFound {
        object: "payment",
        id: id.to_string(),
    };
    if !ids::is_id(IdKind::Payment, id) {
        return Err(not_found());
    }
    row::find_hot::<PaymentRow>(store, &scope.account_id, scope.mode.as_str(), id)
        .await?
        .ok_or_else(not_found)
}

/// The acquirer behind one of the merchant's connections, or `None` when the merchant has no
/// connection by that id (or, in live mode, only a sandbox one: live mode moves real money).
/// Test mode's default connection exists for every account, so the hot path needs no lookup.
pub async fn acquirer_for(
    deps: &Deps<'_>,
    scope: &Scope,
    connection: &str,
) -> std::result::Result<Option<Arc<dyn Acquirer>>, sqlx::Error> {
    if connection == DEFAULT_CONNECTION && !scope.mode.is_live() {
        return Ok(deps.acquirers.get(SANDBOX_KIND));
    }
    let row = row::find::<AcquirerConnectionRow>(
        deps.store.reader(),
        &scope.account_id,
        scope.mode.as_str(),
        connection,
    )
    .await?;
    Ok(row.and_then(|row| {
        crate::server::services::acquirer_connections::connector(deps.acquirers, deps.secret, &row)
            .filter(|acquirer| acquirer.remote() || !scope.mode.is_live())
    }))
}

/// The acquirer of a payment (its connection was checked when the payment was created, and
/// connections are never removed).
async fn acquirer_of(
    deps: &Deps<'_>,
    scope: &Scope,
    row: &PaymentRow,
) -> Result<Arc<dyn Acquirer>> {
    acquirer_for(deps, scope, &row.acquirer)
        .await?
        .ok_or_else(|| {
            invalid(
                "acquirer",
                format!(
                    "The payment's acquirer connection {} no longer exists.",
                    row.acquirer
                ),
            )
        })
}

/// The status of a stored payment (an unknown one counts as `failed`: nothing may follow it).
pub fn status_of(row: &PaymentRow) -> PaymentStatus {
    row.status
}

/// The merchant and mode a stored payment belongs to: how pages reached by the payment's id
/// alone (checkout, issuer challenge) act on it.
pub fn scope_of(row: &PaymentRow) -> Option<Scope> {
    Some(Scope {
        account_id: row.account_id.clone(),
        mode: row.mode,
    })
}

/// A payment by its id alone, for the pages reached without a key (checkout, issuer
/// challenge). A malformed id is not found without asking the database.
pub async fn find_by_reference(
    store: &Store,
    id: &str,
) -> std::result::Result<Option<PaymentRow>, sqlx::Error> {
    if !ids::is_id(IdKind::Payment, id) {
        return Ok(None);
    }
    payments::find_by_id(store.reader(), id).await
}

/// Writes `row` if its status is still `from`, or reports the race. When a checkout
/// session's payment reaches a result, the session's callback is queued in the same
/// transaction, so a recorded result is never left unreported; a capture posts to the ledger
/// in it too.
async fn save(deps: &Deps<'_>, tx: &mut Tx, row: &PaymentRow, from: PaymentStatus) -> Result<()> {
    // An invoice's attempt settles the invoice (and its subscription) in the same transaction:
    // worked out first, so that the writer is not held while they are read.
    let settlement = match row.invoice.is_some() && row.status != from {
        true => {
            crate::server::services::billing::settle::prepare(
                deps.store,
                deps.clock,
                deps.public_url,
                row,
            )
            .await?
        }
        false => None,
    };
    // Loyalty: the points a success earns, and a reward reserved on the payment, worked
    // out (read) before the writer is taken, like the invoice's settlement.
    let loyalty = points::PointsChange::prepare(deps, row, from).await?;
    // A payment put in `processing` waits on the acquirer: should the request stop before
    // recording the answer, the reconciler takes it over once this deadline has passed.
    let call_until = if row.status == PaymentStatus::Processing {
        deps.clock.now() + CONFIRM_CALL_SECS
    } else {
        0
    };
    if !payments::update_if_status(tx, row, from.as_str(), call_until).await? {
        return Err(PaymentError::Conflict);
    }
    if let Some(session) = &row.checkout_session
        && row.status != from
    {
        crate::server::services::callbacks::enqueue(tx, deps.clock.now(), row, session).await?;
    }
    if row.status == PaymentStatus::Succeeded && from != PaymentStatus::Succeeded {
        crate::server::services::ledger::post_capture(tx, deps, row).await?;
    }
    if let Some(settlement) = settlement {
        settlement.write(tx, deps.clock).await?;
    }
    loyalty.write(tx, deps.clock).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_secrets_are_bound_to_their_payment() {
        let secret = Secret::new("s".repeat(48));
        let a = client_secret(&secret, "pay_a");
        assert!(a.starts_with("pay_a_secret_"));
        assert_eq!(a, client_secret(&secret, "pay_a"));
        assert_ne!(a, client_secret(&secret, "pay_b"));
    }
}
