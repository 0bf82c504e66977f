//! Refunds: money given back from a captured payment, in full or in parts, never more in total
//! than was received (also when many are asked for at once).
//!
//! 1. One transaction records the refund `pending`, holds its amount on the payment with a
//!    compare-and-set (the hold fails when the rest is already refunded or held), and emits
//!    `refund.created`.
//! 2. The acquirer is asked, outside any transaction.
//! 3. One transaction records the answer: `succeeded` moves the hold into `amount_refunded`,
//!    sets the payment `partially_refunded` / `refunded`, posts the refund to the ledger and
//!    emits `refund.succeeded`; `failed` gives the hold back and emits `refund.failed`.

use crate::domain::ids::{self, IdKind};
use crate::domain::ledger::{self, Book};
use crate::domain::metadata::Metadata;
use crate::domain::payment::{Command, transition};
use crate::domain::refund::RefundStatus;
use crate::server::acquirer::Decline;
use crate::server::crypto::new_id;
use crate::server::services::Scope;
use crate::server::services::ledger::{Posting, post};
use crate::server::services::payments::{self, Deps, PaymentError};
use crate::server::store::refunds::{self as rows, RefundRow};
use crate::server::store::row;
use crate::server::store::{Tx, ledger as ledger_rows, payments as payment_rows};
use crate::server::views::{self, RefundView};
use std::collections::BTreeMap;

/// Why a refund may be asked for.
pub const REASONS: [&str; 3] = ["duplicate", "fraudulent", "requested_by_customer"];

/// What the merchant asked for.
#[derive(Debug, Default)]
pub struct NewRefund {
    pub payment: String,
    /// Minor units; the whole refundable rest when absent.
    pub amount: Option<i64>,
    pub reason: Option<String>,
    pub metadata: Option<BTreeMap<String, String>>,
}

/// The refund written (its outcome recorded) but not yet committed.
pub struct StagedRefund {
    pub tx: Tx,
    pub refund: RefundRow,
}

fn invalid(param: &str, message: impl Into<String>) -> PaymentError {
    crate::server::services::ServiceError::invalid(param, message).into()
}

async fn emit(deps: &Deps<'_>, tx: &mut Tx, r: &RefundRow, kind: &str) -> Result<(), sqlx::Error> {
    crate::server::services::events::record(
        tx,
        deps.clock.now_micros(),
        &r.account_id,
        r.mode,
        &views::to_json(&RefundView::from(r)),
        &[kind],
        None,
    )
    .await
}

/// Refunds all or part of a captured payment.
pub async fn create(
    deps: &Deps<'_>,
    scope: &Scope,
    input: NewRefund,
) -> Result<StagedRefund, PaymentError> {
    if let Some(reason) = &input.reason
        && !REASONS.contains(&reason.as_str())
    {
        return Err(invalid(
            "reason",
            format!("reason must be one of {}.", REASONS.join(", ")),
        ));
    }
    let metadata = Metadata::parse(input.metadata.unwrap_or_default())
        .map_err(crate::server::services::ServiceError::from)?;
    let payment = payments::find(deps.store, scope, &input.payment).await?;
    let status = payments::status_of(&payment);
    // The state machine decides whether this payment can be refunded at all (409 if not).
    transition(status, Command::Refund { full: false })?;
    let held = rows::pending_of(deps.store.reader(), &payment.id).await?;
    let refundable = payment.amount_received - payment.amount_refunded - held;
    let amount = input.amount.unwrap_or(refundable);
    if amount < 1 {
        return Err(invalid("amount", "amount must be at least 1."));
    }
    // Well formed, but more than the payment has left: its state refuses it (409).
    if amount > refundable {
        return Err(crate::server::services::ServiceError::conflict(
            "amount_too_large",
            format!(
                "amount is more than what is left to refund ({refundable}{}).",
                if held > 0 {
                    ", after refunds still pending"
                } else {
                    ""
                }
            ),
        )
        .into());
    }
    let now = deps.clock.now_micros();
    let refund = RefundRow {
        id: new_id(IdKind::Refund),
        account_id: payment.account_id.clone(),
        mode: payment.mode,
        payment_id: payment.id.clone(),
        charge_id: payment.latest_charge.clone(),
        amount,
        currency: payment.currency,
        status: RefundStatus::Pending,
        reason: input.reason,
        metadata: metadata.to_json(),
        failure_reason: None,
        created: now.div_euclid(1_000_000),
        sort_key: now,
    };
    let mut tx = deps.store.begin().await?;
    if !rows::hold(&mut tx, &payment.id, amount).await? {
        // Another refund took the rest first (or the payment changed meanwhile).
        return Err(crate::server::services::ServiceError::conflict(
            "amount_too_large",
            "The payment has less left to refund than asked: other refunds came first.",
        )
        .into());
    }
    row::insert_now(&mut tx, &refund).await?;
    emit(deps, &mut tx, &refund, "refund.created").await?;
    tx.commit().await?;

    let acquirer = payments::acquirer_for(deps, scope, &payment.acquirer).await?;
    let profile = payments::card_profile(deps, scope, &payment).await?;
    let answer = match acquirer {
        Some(acquirer) => {
            acquirer
                .refund(&refund.id, &payments::hold_of(&payment, &profile), amount)
                .await
        }
        None => Err(NO_CONNECTION),
    };
    // No answer: the refund stays pending and the reconciler looks it up by its id (the
    // processor's idempotency key), so it is never sent twice.
    if answer.is_err_and(|d| d.is_unavailable()) {
        return Ok(StagedRefund {
            tx: deps.store.begin().await?,
            refund,
        });
    }
    let answer = answer.map_err(|d| d.message);

    record_answer(deps, &payment, refund, answer).await
}

/// A refund whose payment's connection is gone.
pub const NO_CONNECTION: Decline = Decline {
    code: "refund_failed",
    decline_code: "refund_failed",
    message: "The payment's acquirer connection no longer exists.",
};

/// Step 3: records the acquirer's answer to a pending refund (also the reconciler's, for a
/// refund whose request stopped before this step). The refund must still be `pending`:
/// whoever records first wins, the other gets a conflict and changes nothing.
pub async fn record_answer(
    deps: &Deps<'_>,
    payment: &payment_rows::PaymentRow,
    mut refund: RefundRow,
    answer: Result<(), &'static str>,
) -> Result<StagedRefund, PaymentError> {
    let amount = refund.amount;
    let mut tx = deps.store.begin().await?;
    let (status, reason) = match answer {
        Ok(()) => (RefundStatus::Succeeded, None),
        Err(reason) => (RefundStatus::Failed, Some(reason)),
    };
    if !rows::finish(&mut tx, &refund.id, status, reason).await? {
        return Err(PaymentError::Conflict);
    }
    refund.status = status;
    refund.failure_reason = reason.map(str::to_string);
    if reason.is_none() {
        let (received, refunded) = rows::settle_hold(&mut tx, &payment.id, amount).await?;
        post_refund(deps, &mut tx, payment, &refund, received, refunded).await?;
        // The points the refunded amount earned go back, in the same transaction.
        crate::server::services::loyalty::refunds::on_refund(
            &mut tx, deps.clock, payment, received, refunded,
        )
        .await?;
        emit(deps, &mut tx, &refund, "refund.succeeded").await?;
    } else {
        rows::release_hold(&mut tx, &payment.id, amount).await?;
        emit(deps, &mut tx, &refund, "refund.failed").await?;
    }
    Ok(StagedRefund { tx, refund })
}

/// Posts a succeeded refund: the fee comes back pro rata; the merchant's pending net is
/// debited before settlement, the available balance after.
async fn post_refund(
    deps: &Deps<'_>,
    tx: &mut Tx,
    payment: &payment_rows::PaymentRow,
    refund: &RefundRow,
    received: i64,
    refunded_after: i64,
) -> Result<(), PaymentError> {
    let capture = ledger_rows::capture_of(tx.conn().await?, &payment.id)
        .await?
        .ok_or(PaymentError::Conflict)?;
    let fee_back = ledger::fee_share(capture.fee, received, refunded_after)
        - ledger::fee_share(capture.fee, received, refunded_after - refund.amount);
    let from = if ledger_rows::is_settled(tx.conn().await?, &capture.id).await? {
        Book::MerchantAvailable
    } else {
        Book::MerchantPending
    };
    let entries = ledger::refund(
        &payment.account_id,
        &capture.owner,
        from,
        refund.amount,
        fee_back,
    );
    post(
        tx,
        deps.clock.now_micros(),
        Posting {
            account_id: &payment.account_id,
            mode: payment.mode,
            kind: "refund",
            payment_id: Some(&payment.id),
            charge_id: capture.charge_id.as_deref(),
            refund_id: Some(&refund.id),
            owner: &capture.owner,
            currency: payment.currency,
            amount: refund.amount,
            fee: -fee_back,
            net: refund.amount - fee_back,
            available_on: None,
            settles: None,
        },
        &entries,
    )
    .await?;
    Ok(())
}

/// A refund the processor reports failed after it had succeeded (the issuer sent the money
/// back): the refund becomes `failed`, the payment's refunded amount and status drop by it,
/// and a reversal posting gives the merchant the money back (`refund.failed`), in one
/// transaction, with the points clawed back for it given back.
pub async fn fail_after_success(
    deps: &Deps<'_>,
    payment: &payment_rows::PaymentRow,
    mut refund: RefundRow,
    reason: &'static str,
) -> Result<StagedRefund, PaymentError> {
    let mut tx = deps.store.begin().await?;
    if rows::fail_after_success(&mut tx, &refund.id, reason).await? != 1 {
        return Err(PaymentError::Conflict);
    }
    let (received, refunded) = rows::unsettle(&mut tx, &payment.id, refund.amount).await?;
    // The points its clawback took come back as far as the payment's net stands for them.
    crate::server::services::loyalty::refunds::on_refund_failed(
        &mut tx, deps.clock, payment, received, refunded,
    )
    .await?;
    let posting = ledger_rows::refund_posting(tx.conn().await?, &refund.id)
        .await?
        .ok_or(PaymentError::Conflict)?;
    let fee_back = -posting.fee;
    let entries =
        ledger::refund_reversal(&payment.account_id, &posting.owner, refund.amount, fee_back);
    post(
        &mut tx,
        deps.clock.now_micros(),
        Posting {
            account_id: &payment.account_id,
            mode: payment.mode,
            kind: "refund_reversal",
            payment_id: Some(&payment.id),
            charge_id: posting.charge_id.as_deref(),
            refund_id: Some(&refund.id),
            owner: &posting.owner,
            currency: payment.currency,
            amount: refund.amount,
            fee: fee_back,
            net: -(refund.amount - fee_back),
            available_on: None,
            settles: None,
        },
        &entries,
    )
    .await?;
    refund.status = RefundStatus::Failed;
    refund.failure_reason = Some(reason.to_string());
    emit(deps, &mut tx, &refund, "refund.failed").await?;
    Ok(StagedRefund { tx, refund })
}

/// A refund of this scope, or 404.
pub async fn find(
    deps: &Deps<'_>,
    scope: &Scope,
    id: &str,
) -> Result<RefundRow, crate::server::services::ServiceError> {
    let not_found = || crate::server::services::ServiceError::NotFound {
        object: "refund",
        id: id.to_string(),
    };
    if !ids::is_id(IdKind::Refund, id) {
        return Err(not_found());
    }
    row::find::<RefundRow>(
        deps.store.reader(),
        &scope.account_id,
        scope.mode.as_str(),
        id,
    )
    .await?
    .ok_or_else(not_found)
}
