//! Webhooks from processors (`POST /v1/processor_hooks/{acq_id}`): how VINR learns what a
//! processor decided after answering (a payment decided asynchronously or whose answer was
//! lost, a refund settled later, or failing after it succeeded, a dispute).
//!
//! The connection id in the path is the merchant's, so several merchants may share it; the
//! signature (Stripe's `Stripe-Signature`, HMAC under the connection's webhook secret) says
//! which connection the delivery is for. Each event changes a payment or refund only the way
//! the confirm or refund that started it would have, through the same compare-and-set, and
//! only once nobody waits on that call (so a request still in flight records its own answer).

use super::Scope;
use super::payments::{self, Channel, ConfirmPayment, Deps, PaymentError};
use super::refunds;
use crate::domain::payment::PaymentStatus;
use crate::domain::refund::RefundStatus;
use crate::server::acquirer::{STRIPE_KIND, stripe};
use crate::server::services::acquirer_connections::stripe_settings_of;
use crate::server::store::acquirer_connections::{self as connections, AcquirerConnectionRow};
use crate::server::store::refunds::RefundRow;
use crate::server::store::row;
use serde_json::Value;

/// How far a delivery's timestamp may be from now (Stripe's own default tolerance).
pub const TOLERANCE_SECS: i64 = 300;

/// Why a delivery was refused.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// No connection of that id has a webhook secret that signs this body now.
    #[error("No signature matches a webhook secret of this connection.")]
    Unsigned,
    #[error("The body is not a processor event.")]
    NotAnEvent,
    #[error(transparent)]
    Payment(#[from] PaymentError),
}

impl From<sqlx::Error> for HookError {
    fn from(err: sqlx::Error) -> Self {
        HookError::Payment(err.into())
    }
}

/// What a delivery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    /// A payment or refund was brought up to date.
    Recorded,
    /// Nothing to do: already recorded, or an event VINR does not act on.
    Ignored,
    /// The request that started it may still be waiting on the processor: the processor is
    /// asked to deliver it again later (a 409; Stripe retries with backoff).
    Later,
}

/// A refund younger than this may still have its request waiting on the processor.
pub const REFUND_CALL_WINDOW_SECS: i64 = 60;

/// Verifies and applies one delivery to connection `connection_id`.
pub async fn receive(
    deps: &Deps<'_>,
    connection_id: &str,
    signature: Option<&str>,
    body: &[u8],
) -> Result<Handled, HookError> {
    let header = signature.ok_or(HookError::Unsigned)?;
    let now = deps.clock.now();
    let candidates = connections::of_id(deps.store.reader(), connection_id, STRIPE_KIND).await?;
    let connection = candidates
        .into_iter()
        .find(|row| signed_for(deps, row, header, body, now))
        .ok_or(HookError::Unsigned)?;
    let event: Value = serde_json::from_slice(body).map_err(|_| HookError::NotAnEvent)?;
    let kind = event
        .get("type")
        .and_then(Value::as_str)
        .ok_or(HookError::NotAnEvent)?;
    let object = event.pointer("/data/object").ok_or(HookError::NotAnEvent)?;
    let scope = Scope {
        account_id: connection.account_id.clone(),
        mode: connection.mode,
    };
    match kind {
        "payment_intent.succeeded"
        | "payment_intent.amount_capturable_updated"
        | "payment_intent.payment_failed"
        | "payment_intent.canceled" => on_intent(deps, &scope, &connection.id, object).await,
        "refund.created" | "refund.updated" | "refund.failed" | "charge.refund.updated" => {
            on_refund(deps, &scope, object).await
        }
        "charge.dispute.created"
        | "charge.dispute.updated"
        | "charge.dispute.closed"
        | "charge.dispute.funds_withdrawn"
        | "charge.dispute.funds_reinstated" => on_dispute(deps, &scope, object).await,
        _ => Ok(Handled::Ignored),
    }
}

/// Whether `row`'s webhook secret signs `body`.
fn signed_for(
    deps: &Deps<'_>,
    row: &AcquirerConnectionRow,
    header: &str,
    body: &[u8],
    now: i64,
) -> bool {
    stripe_settings_of(deps.secret, row)
        .and_then(|s| s.webhook_secret)
        .is_some_and(|secret| {
            stripe::signature_matches(header, body, secret.expose(), now, TOLERANCE_SECS)
        })
}

/// A PaymentIntent's news: records the attempt it names if that attempt is still open.
async fn on_intent(
    deps: &Deps<'_>,
    scope: &Scope,
    connection: &str,
    intent: &Value,
) -> Result<Handled, HookError> {
    let named = |key: &str| {
        intent
            .pointer(&format!("/metadata/{key}"))
            .and_then(Value::as_str)
    };
    let (Some(payment_id), Some(attempt)) = (named("vinr_payment"), named("vinr_attempt")) else {
        return Ok(Handled::Ignored);
    };
    let Some(row) = payments::find_by_reference(deps.store, payment_id).await? else {
        return Ok(Handled::Ignored);
    };
    let ours = row.account_id == scope.account_id
        && row.mode == scope.mode
        && row.acquirer == connection
        && row.attempt.as_deref() == Some(attempt);
    if !ours {
        return Ok(Handled::Ignored);
    }
    let staged = match payments::status_of(&row) {
        PaymentStatus::Processing => {
            match payments::settle(deps, row, stripe::intent_outcome(intent)).await? {
                Some(staged) => staged,
                // Still in the confirm's hands (or just recorded): the next delivery knows.
                None => return Ok(Handled::Later),
            }
        }
        // The customer finished the challenge but never came back through VINR's return
        // page: the confirm asks the processor, as that page would have.
        PaymentStatus::RequiresAction => {
            let channel = Channel::of_challenge(&row, deps.public_url);
            let input = ConfirmPayment {
                challenge_completed: Some(true),
                ..ConfirmPayment::default()
            };
            match payments::confirm(deps, scope, &row.id, input, channel).await {
                Ok(staged) => staged,
                Err(PaymentError::State(_) | PaymentError::Conflict) => {
                    return Ok(Handled::Ignored);
                }
                Err(err) => return Err(err.into()),
            }
        }
        _ => return Ok(Handled::Ignored),
    };
    staged.tx.commit().await.map_err(PaymentError::from)?;
    Ok(Handled::Recorded)
}

/// A refund's news: a refund still `pending` here (the processor had not decided when it
/// answered, or its answer was lost) is recorded as succeeded or failed.
async fn on_refund(deps: &Deps<'_>, scope: &Scope, refund: &Value) -> Result<Handled, HookError> {
    let Some(refund_id) = refund
        .pointer("/metadata/vinr_refund")
        .and_then(Value::as_str)
    else {
        return Ok(Handled::Ignored);
    };
    let Some(ours) = row::find::<RefundRow>(
        deps.store.reader(),
        &scope.account_id,
        scope.mode.as_str(),
        refund_id,
    )
    .await?
    else {
        return Ok(Handled::Ignored);
    };
    if ours.status == RefundStatus::Succeeded {
        // A refund failing after it succeeded: the issuer sent the money back.
        return match stripe::refund_answer(refund) {
            Err(d) if !d.is_unavailable() => failed_later(deps, ours, d.message).await,
            _ => Ok(Handled::Ignored),
        };
    }
    if ours.status != RefundStatus::Pending {
        return Ok(Handled::Ignored);
    }
    let answer = stripe::refund_answer(refund);
    if answer.is_err_and(|d| d.is_unavailable()) {
        return Ok(Handled::Ignored);
    }
    if ours.created > deps.clock.now() - REFUND_CALL_WINDOW_SECS {
        return Ok(Handled::Later);
    }
    let Some(payment) = payments::find_by_reference(deps.store, &ours.payment_id).await? else {
        return Ok(Handled::Ignored);
    };
    match refunds::record_answer(deps, &payment, ours, answer.map_err(|d| d.message)).await {
        Ok(staged) => {
            staged.tx.commit().await.map_err(PaymentError::from)?;
            Ok(Handled::Recorded)
        }
        // Recorded meanwhile by the request itself or the reconciler.
        Err(PaymentError::Conflict) => Ok(Handled::Ignored),
        Err(err) => Err(err.into()),
    }
}

/// Records a succeeded refund as failed after all (`refunds::fail_after_success`).
async fn failed_later(
    deps: &Deps<'_>,
    refund: RefundRow,
    reason: &'static str,
) -> Result<Handled, HookError> {
    let Some(payment) = payments::find_by_reference(deps.store, &refund.payment_id).await? else {
        return Ok(Handled::Ignored);
    };
    match refunds::fail_after_success(deps, &payment, refund, reason).await {
        Ok(staged) => {
            staged.tx.commit().await.map_err(PaymentError::from)?;
            Ok(Handled::Recorded)
        }
        Err(PaymentError::Conflict) => Ok(Handled::Ignored),
        Err(err) => Err(err.into()),
    }
}

/// A dispute (chargeback) of a payment: recorded on the payment as the processor reports it,
/// and announced (`payment.disputed`) when it is new or its status changes. The money it
/// withholds is the processor's to move; it is not posted to VINR's ledger.
async fn on_dispute(deps: &Deps<'_>, scope: &Scope, dispute: &Value) -> Result<Handled, HookError> {
    let text = |key: &str| dispute.get(key).and_then(Value::as_str);
    let (Some(id), Some(intent)) = (text("id"), text("payment_intent")) else {
        return Ok(Handled::Ignored);
    };
    let Some(payment) = crate::server::store::payments::find_by_processor_ref(
        deps.store.reader(),
        &scope.account_id,
        scope.mode.as_str(),
        intent,
    )
    .await?
    else {
        return Ok(Handled::Ignored);
    };
    let record = serde_json::json!({
        "id": id,
        "amount": dispute.get("amount").and_then(Value::as_i64).unwrap_or(payment.amount_received),
        "currency": payment.currency.code().to_ascii_lowercase(),
        "reason": text("reason").unwrap_or("general"),
        "status": text("status").unwrap_or("needs_response"),
        "created": dispute.get("created").and_then(Value::as_i64).unwrap_or(deps.clock.now()),
    });
    let before: Option<Value> = payment
        .dispute
        .as_deref()
        .and_then(|d| serde_json::from_str(d).ok());
    if before.as_ref() == Some(&record) {
        return Ok(Handled::Ignored);
    }
    let mut row = payment;
    row.dispute = Some(record.to_string());
    let mut tx = deps.store.begin().await?;
    crate::server::store::payments::set_dispute(
        &mut tx,
        &row.id,
        row.dispute.as_deref().unwrap_or_default(),
    )
    .await?;
    payments::announce(deps, &mut tx, &row, "payment.disputed")
        .await
        .map_err(HookError::Payment)?;
    tx.commit().await?;
    Ok(Handled::Recorded)
}
