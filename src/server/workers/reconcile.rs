//! The reconciler: payments and refunds whose request stopped (an instance died, a deploy)
//! between asking the acquirer and recording its answer. Payments stuck in `processing` past
//! their call deadline and refunds `pending` for longer than `REFUND_STUCK_SECS` get the
//! acquirer's answer looked up and recorded, with their events and ledger postings, exactly
//! as the request would have. Safe on many instances: every write is a compare-and-set.

use crate::server::services::payments::{self as service, Deps, PaymentError};
use crate::server::services::refunds;
use crate::server::state::AppState;
use crate::server::store::{payments, refunds as refund_rows};
use std::time::Duration;

/// How often the loop looks.
pub const INTERVAL: Duration = Duration::from_secs(30);
/// A refund still `pending` this many seconds after it was asked for has lost its request.
pub const REFUND_STUCK_SECS: i64 = 120;
/// Rows handled per pass.
const BATCH: i64 = 100;

/// What one pass recorded.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reconciled {
    pub payments: u64,
    pub refunds: u64,
}

/// Recovers what is stuck at `now` (Unix seconds). Another instance finishing a row first is
/// not an error.
pub async fn run_once(deps: &Deps<'_>, now: i64) -> Result<Reconciled, PaymentError> {
    run_once_for(deps, now, None).await
}

/// `run_once` for one account's rows only, or all with None (tests sharing a database use
/// their own account).
pub async fn run_once_for(
    deps: &Deps<'_>,
    now: i64,
    account: Option<&str>,
) -> Result<Reconciled, PaymentError> {
    let mut done = Reconciled::default();
    for row in payments::stuck_processing(deps.store.reader(), now, account, BATCH).await? {
        match service::recover(deps, row).await {
            Ok(Some(staged)) => {
                staged.tx.commit().await?;
                done.payments += 1;
            }
            Ok(None) | Err(PaymentError::Conflict | PaymentError::State(_)) => {}
            Err(err) => return Err(err),
        }
    }
    let cutoff = now - REFUND_STUCK_SECS;
    for refund in refund_rows::stuck_pending(deps.store.reader(), cutoff, account, BATCH).await? {
        match recover_refund(deps, refund).await {
            Ok(()) => done.refunds += 1,
            Err(PaymentError::Conflict) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(done)
}

/// Looks up a pending refund's answer and records it.
async fn recover_refund(
    deps: &Deps<'_>,
    refund: refund_rows::RefundRow,
) -> Result<(), PaymentError> {
    let Some(payment) = service::find_by_reference(deps.store, &refund.payment_id).await? else {
        return Err(PaymentError::Conflict);
    };
    let Some(scope) = service::scope_of(&payment) else {
        return Err(PaymentError::Conflict);
    };
    let acquirer = service::acquirer_for(deps, &scope, &payment.acquirer).await?;
    let profile = service::card_profile(deps, &scope, &payment).await?;
    let answer = match acquirer {
        Some(acquirer) => {
            acquirer
                .lookup_refund(
                    &refund.id,
                    &service::hold_of(&payment, &profile),
                    refund.amount,
                )
                .await
        }
        None => Err(refunds::NO_CONNECTION),
    };
    // Still no answer: the next pass asks again.
    if answer.is_err_and(|d| d.is_unavailable()) {
        return Err(PaymentError::Conflict);
    }
    let answer = answer.map_err(|d| d.message);
    let staged = refunds::record_answer(deps, &payment, refund, answer).await?;
    staged.tx.commit().await?;
    Ok(())
}

/// Runs `run_once` every `INTERVAL` until the task is dropped.
pub async fn run(state: AppState) {
    super::every(INTERVAL, "reconcile pass", state, |state| async move {
        let done = run_once(&state.payment_deps(), state.clock.now()).await?;
        if done.payments + done.refunds > 0 {
            tracing::warn!(
                payments = done.payments,
                refunds = done.refunds,
                "recorded the answers of interrupted acquirer calls"
            );
        }
        Ok::<_, PaymentError>(())
    })
    .await
}
