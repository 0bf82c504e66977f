//! Expiry: payments nobody paid by their `expires_at` become `expired` (and emit
//! `payment.expired`; a checkout session's callback is queued with it).

use crate::server::services::payments::{self as service, Deps, PaymentError};
use crate::server::state::AppState;
use crate::server::store::payments;
use std::time::Duration;

/// How often the loop looks.
pub const INTERVAL: Duration = Duration::from_secs(5);
/// Payments handled per query.
const BATCH: i64 = 200;

/// Expires every payment due at `now` (Unix seconds); returns how many this call expired.
/// Another instance expiring the same payment first is not an error.
pub async fn run_once(deps: &Deps<'_>, now: i64) -> Result<u64, PaymentError> {
    let mut expired = 0;
    loop {
        let due = payments::due_for_expiry(deps.store.reader(), now, BATCH).await?;
        let found = due.len() as i64;
        for row in due {
            match service::expire(deps, row).await {
                Ok(staged) => {
                    staged.tx.commit().await?;
                    expired += 1;
                }
                Err(PaymentError::Conflict | PaymentError::State(_)) => {}
                Err(err) => return Err(err),
            }
        }
        if found < BATCH {
            return Ok(expired);
        }
    }
}

/// Runs `run_once` every `INTERVAL` until the task is dropped.
pub async fn run(state: AppState) {
    super::every(INTERVAL, "expiry pass", state, |state| async move {
        let expired = run_once(&state.payment_deps(), state.clock.now()).await?;
        if expired > 0 {
            tracing::info!(expired, "expired unpaid payments");
        }
        Ok::<_, PaymentError>(())
    })
    .await
}
