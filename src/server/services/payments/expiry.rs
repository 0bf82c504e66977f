//! Expiry: a payment nobody paid by its `expires_at` becomes `expired` (by the worker, or
//! first by whoever reads it after that time).

use super::{Deps, PaymentError, Result, Staged, emit, save, status_of};
use crate::domain::payment::{Command, transition};
use crate::server::store::payments::{self, PaymentRow};

/// True when a payment still waiting for its customer is past its `expires_at`.
pub fn is_due_for_expiry(row: &PaymentRow, now: i64) -> bool {
    status_of(row).awaits_customer() && now >= row.expires_at
}

/// Turns a payment nobody paid in time into `expired` and emits `payment.expired`.
pub async fn expire(deps: &Deps<'_>, mut row: PaymentRow) -> Result<Staged> {
    let from = status_of(&row);
    let next = transition(from, Command::Expire)?;
    row.status = next;
    row.next_action = None;
    let mut tx = deps.store.begin().await?;
    save(deps, &mut tx, &row, from).await?;
    emit(deps, &mut tx, &row, &["payment.expired"]).await?;
    Ok(Staged {
        tx,
        payment: row,
        decline: None,
    })
}

/// The payment as it stands now: one past its `expires_at` is expired first (the worker may
/// not have reached it yet), so no page or confirm ever treats it as payable.
pub async fn expire_if_due(deps: &Deps<'_>, row: PaymentRow) -> Result<PaymentRow> {
    if !is_due_for_expiry(&row, deps.clock.now()) {
        return Ok(row);
    }
    let id = row.id.clone();
    match expire(deps, row).await {
        Ok(staged) => {
            staged.tx.commit().await?;
            Ok(staged.payment)
        }
        // Expired (or paid) by someone else meanwhile: read what it is now.
        Err(PaymentError::Conflict | PaymentError::State(_)) => {
            payments::find_by_id(deps.store.reader(), &id)
                .await?
                .ok_or(PaymentError::Conflict)
        }
        Err(err) => Err(err),
    }
}
