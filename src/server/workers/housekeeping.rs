//! Housekeeping: forgets idempotency keys and sessions once they can no longer matter.

use crate::server::clock::Clock;
use crate::server::store::{Store, idempotency, sessions};
use std::sync::Arc;
use std::time::Duration;

/// Idempotency keys are kept at least 24 hours (the contract); we keep them 48.
pub const IDEMPOTENCY_RETENTION_SECS: i64 = 48 * 3600;
/// How often the loop runs.
pub const INTERVAL: Duration = Duration::from_secs(3600);

/// What one step removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub idempotency_keys: u64,
    pub sessions: u64,
}

/// One pass at time `now` (Unix seconds).
pub async fn run_once(store: &Store, now: i64) -> Result<Outcome, sqlx::Error> {
    let idempotency_keys =
        idempotency::delete_older_than(store.writer(), now - IDEMPOTENCY_RETENTION_SECS).await?;
    let mut tx = store.begin().await?;
    let sessions = sessions::delete_expired(&mut tx, now).await?;
    tx.commit().await?;
    Ok(Outcome {
        idempotency_keys,
        sessions,
    })
}

/// Runs `run_once` every `INTERVAL` until the task is dropped.
pub async fn run(store: Store, clock: Arc<dyn Clock>) {
    super::every(
        INTERVAL,
        "housekeeping",
        (store, clock),
        |(store, clock)| async move {
            let outcome = run_once(&store, clock.now()).await?;
            tracing::debug!(?outcome, "housekeeping done");
            Ok::<_, sqlx::Error>(())
        },
    )
    .await
}
