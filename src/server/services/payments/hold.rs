//! After authorisation: capture, cancel, adjust and reverse the hold.

use super::methods::resolve_method;
use super::validate::check_amount;
use super::*;

/// Captures all or `amount_to_capture` of an authorisation; the rest is released.
pub async fn capture(
    deps: &Deps<'_>,
    scope: &Scope,
    id: &str,
    amount_to_capture: Option<i64>,
) -> Result<Staged> {
    let mut row = find(deps.store, scope, id).await?;
    let from = status_of(&row);
    let next = transition(from, Command::Capture)?;
    let amount = match amount_to_capture {
        None => row.amount_capturable,
        Some(a) if a >= 1 && a <= row.amount_capturable => a,
        Some(a) if a < 1 => {
            return Err(invalid(
                "amount_to_capture",
                "amount_to_capture must be at least 1.",
            ));
        }
        Some(_) => return Err(beyond_capturable(&row)),
    };
    let charge_id = row.latest_charge.clone().ok_or(PaymentError::Conflict)?;
    let charge = row::find::<ChargeRow>(
        deps.store.reader(),
        &scope.account_id,
        scope.mode.as_str(),
        &charge_id,
    )
    .await?
    .ok_or(PaymentError::Conflict)?;
    let profile = card_profile(deps, scope, &row).await?;
    let acquirer = acquirer_of(deps, scope, &row).await?;
    take_for_acquirer_call(deps, &row, from).await?;
    // Capturing less releases the rest of the hold.
    if let Err(decline) = acquirer
        .capture(&hold_of(&row, &profile), amount, row.amount_capturable)
        .await
    {
        give_back(deps, &row).await;
        return Err(invalid("amount_to_capture", decline.message));
    }
    row.status = next;
    row.amount_received = amount;
    row.amount_capturable = 0;
    let mut tx = deps.store.begin().await?;
    save(deps, &mut tx, &row, from).await?;
    charges::set_captured(
        &mut tx,
        &charge.id,
        charge.amount,
        amount,
        deps.fees.fee(amount),
        "succeeded",
    )
    .await?;
    emit(
        deps,
        &mut tx,
        &row,
        &["payment.captured", "payment.succeeded", "payment.completed"],
    )
    .await?;
    Ok(Staged {
        tx,
        payment: row,
        decline: None,
    })
}

/// How long one acquirer call may hold a payment (a crashed instance's hold runs out).
const ACQUIRER_CALL_SECS: i64 = 60;

/// Takes the payment for a call that asks the acquirer to move money (capture, release,
/// adjust), committed at once: a concurrent capture, cancel, adjust or reverse of the same
/// payment gets a 409 instead of making a second call.
async fn take_for_acquirer_call(
    deps: &Deps<'_>,
    row: &PaymentRow,
    from: PaymentStatus,
) -> Result<()> {
    let now = deps.clock.now();
    let mut tx = deps.store.begin().await?;
    let taken = payments::take_for_acquirer_call(
        &mut tx,
        &row.id,
        from.as_str(),
        now,
        now + ACQUIRER_CALL_SECS,
    )
    .await?;
    if !taken {
        return Err(PaymentError::Conflict);
    }
    tx.commit().await?;
    Ok(())
}

/// Gives the payment back after the acquirer said no (nothing moved). Should that fail, the
/// hold runs out after `ACQUIRER_CALL_SECS`.
async fn give_back(deps: &Deps<'_>, row: &PaymentRow) {
    let given = async {
        let mut tx = deps.store.begin().await?;
        payments::end_acquirer_call(&mut tx, &row.id).await?;
        tx.commit().await
    };
    if let Err(err) = given.await {
        tracing::warn!(payment = %row.id, error = %err, "could not give a payment back after a declined acquirer call");
    }
}

/// The card a payment was made with, as the acquirer sees it.
pub async fn card_profile(deps: &Deps<'_>, scope: &Scope, row: &PaymentRow) -> Result<CardProfile> {
    let pm = row
        .payment_method
        .as_deref()
        .ok_or(PaymentError::Conflict)?;
    Ok(resolve_method(deps, scope, pm, None).await?.profile())
}

pub const CANCELLATION_REASONS: [&str; 4] = [
    "duplicate",
    "fraudulent",
    "requested_by_customer",
    "abandoned",
];

/// Cancels a payment that has not been captured; an authorisation hold is released.
pub async fn cancel(
    deps: &Deps<'_>,
    scope: &Scope,
    id: &str,
    reason: Option<String>,
) -> Result<Staged> {
    if let Some(r) = &reason
        && !CANCELLATION_REASONS.contains(&r.as_str())
    {
        return Err(invalid(
            "cancellation_reason",
            format!(
                "cancellation_reason must be one of {}.",
                CANCELLATION_REASONS.join(", ")
            ),
        ));
    }
    let mut row = find(deps.store, scope, id).await?;
    let from = status_of(&row);
    let next = transition(from, Command::Cancel)?;
    // A hold, or a processor's authorisation awaiting its challenge, is released.
    if from == PaymentStatus::RequiresCapture
        || (from == PaymentStatus::RequiresAction && row.processor_ref.is_some())
    {
        let profile = card_profile(deps, scope, &row).await?;
        let acquirer = acquirer_of(deps, scope, &row).await?;
        take_for_acquirer_call(deps, &row, from).await?;
        // A hold the acquirer cannot release runs out on its own: the cancel stands.
        let _ = acquirer
            .release(&hold_of(&row, &profile), row.amount_capturable, true)
            .await;
    }
    row.status = next;
    row.amount_capturable = 0;
    row.next_action = None;
    row.cancellation_reason = reason;
    let mut tx = deps.store.begin().await?;
    save(deps, &mut tx, &row, from).await?;
    emit(deps, &mut tx, &row, &["payment.canceled"]).await?;
    Ok(Staged {
        tx,
        payment: row,
        decline: None,
    })
}

/// Changes the authorised amount before capture. An increase may be declined by the issuer.
pub async fn adjust(
    deps: &Deps<'_>,
    scope: &Scope,
    id: &str,
    amount: Option<i64>,
) -> Result<Staged> {
    let new_amount = check_amount(amount, "amount")?.get();
    let mut row = find(deps.store, scope, id).await?;
    let from = status_of(&row);
    let next = transition(from, Command::Adjust)?;
    if new_amount == row.amount_capturable {
        return Err(ServiceError::conflict(
            "amount_unchanged",
            "The new amount must differ from the amount currently authorized.",
        )
        .into());
    }
    let profile = card_profile(deps, scope, &row).await?;
    let acquirer = acquirer_of(deps, scope, &row).await?;
    take_for_acquirer_call(deps, &row, from).await?;
    if let Err(decline) = acquirer
        .adjust(&hold_of(&row, &profile), row.amount_capturable, new_amount)
        .await
    {
        give_back(deps, &row).await;
        return Err(PaymentError::AdjustDeclined(decline, Box::new(row)));
    }
    let previous = row.amount;
    row.status = next;
    row.amount = new_amount;
    row.amount_capturable = new_amount;
    row.adjustment =
        Some(json!({"previous_amount": previous, "adjusted_at": deps.clock.now()}).to_string());
    let mut tx = deps.store.begin().await?;
    save(deps, &mut tx, &row, from).await?;
    emit(deps, &mut tx, &row, &["payment.adjusted"]).await?;
    Ok(Staged {
        tx,
        payment: row,
        decline: None,
    })
}

/// Releases all of an authorisation (the payment is canceled) or `amount` of it.
pub async fn reverse(
    deps: &Deps<'_>,
    scope: &Scope,
    id: &str,
    amount: Option<i64>,
) -> Result<Staged> {
    let mut row = find(deps.store, scope, id).await?;
    let from = status_of(&row);
    let released = match amount {
        None => row.amount_capturable,
        Some(a) if a >= 1 && a <= row.amount_capturable => a,
        Some(a) => {
            transition(from, Command::Reverse { full: true })?;
            if a < 1 {
                return Err(invalid("amount", "amount must be at least 1."));
            }
            return Err(beyond_capturable(&row));
        }
    };
    let full = released == row.amount_capturable;
    let next = transition(from, Command::Reverse { full })?;
    let profile = card_profile(deps, scope, &row).await?;
    let acquirer = acquirer_of(deps, scope, &row).await?;
    take_for_acquirer_call(deps, &row, from).await?;
    if let Err(decline) = acquirer
        .release(&hold_of(&row, &profile), released, full)
        .await
    {
        give_back(deps, &row).await;
        return Err(invalid("amount", decline.message));
    }
    row.status = next;
    row.amount_capturable -= released;
    row.reversal = Some(
        json!({"id": new_id(IdKind::Reversal), "amount": released, "reversed_at": deps.clock.now()}).to_string(),
    );
    let mut tx = deps.store.begin().await?;
    save(deps, &mut tx, &row, from).await?;
    let kinds: &[&str] = if full {
        &["payment.reversed", "payment.canceled"]
    } else {
        &["payment.reversed"]
    };
    emit(deps, &mut tx, &row, kinds).await?;
    Ok(Staged {
        tx,
        payment: row,
        decline: None,
    })
}

/// More than the payment holds: the amount is well formed, the payment's state refuses it (409).
fn beyond_capturable(row: &PaymentRow) -> PaymentError {
    ServiceError::conflict(
        "amount_too_large",
        format!(
            "The amount is more than the amount capturable ({}).",
            row.amount_capturable
        ),
    )
    .into()
}
