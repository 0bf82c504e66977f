//! Recovering a payment whose confirm stopped (the instance died, a deploy) after claiming it
//! (`processing`) and before recording the acquirer's answer: the reconciler asks the acquirer
//! what became of that attempt, or the processor's webhook says, and it is recorded as the
//! confirm would have.

use super::methods::{ResolvedMethod, resolve_method};
use super::outcome::record_outcome;
use super::*;

/// Takes over a payment stuck in `processing` past its call deadline. None when it is not
/// (any more) stuck, or another instance took it first. The answer is recorded as a
/// server-side confirm's (`Channel::Api`): nobody is waiting at a checkout any more.
pub async fn recover(deps: &Deps<'_>, row: PaymentRow) -> Result<Option<Staged>> {
    let Some((scope, method)) = take_over(deps, &row).await? else {
        return Ok(None);
    };
    let acquirer = acquirer_of(deps, &scope, &row).await?;
    let profile = method.profile();
    let back = processor_return(deps.public_url, &row.id);
    let outcome = acquirer
        .lookup_authorization(&attempt_of(
            &row,
            &profile,
            Some(&back),
            row.invoice.is_some(),
        ))
        .await;
    record_outcome(deps, row, outcome, &method.row, Channel::Api)
        .await
        .map(Some)
}

/// Records what a processor's webhook says of a payment still `processing` (an answer the
/// confirm lost, or an asynchronous decision), once nobody waits on the call any more: the
/// same takeover as the reconciler's, so a confirm still in flight records its own answer.
/// None when the payment is not (or no longer) stuck.
pub async fn settle(
    deps: &Deps<'_>,
    row: PaymentRow,
    outcome: AuthOutcome,
) -> Result<Option<Staged>> {
    if outcome == AuthOutcome::Unavailable {
        return Ok(None);
    }
    let Some((_, method)) = take_over(deps, &row).await? else {
        return Ok(None);
    };
    record_outcome(deps, row, outcome, &method.row, Channel::Api)
        .await
        .map(Some)
}

/// Takes a payment stuck in `processing` for one acquirer call (committed), with its scope
/// and method; None when it is not stuck (its call deadline is still running, or it moved on).
async fn take_over(deps: &Deps<'_>, row: &PaymentRow) -> Result<Option<(Scope, ResolvedMethod)>> {
    let Some(scope) = scope_of(row) else {
        return Ok(None);
    };
    let now = deps.clock.now();
    let mut tx = deps.store.begin().await?;
    let taken = payments::take_for_acquirer_call(
        &mut tx,
        &row.id,
        PaymentStatus::Processing.as_str(),
        now,
        now + CONFIRM_CALL_SECS,
    )
    .await?;
    if !taken {
        return Ok(None);
    }
    tx.commit().await?;
    let pm = row.payment_method.clone().ok_or_else(|| {
        invalid(
            "payment_method",
            "A processing payment without a method cannot be recovered.",
        )
    })?;
    let method = resolve_method(deps, &scope, &pm, row.customer.as_deref()).await?;
    Ok(Some((scope, method)))
}
