//! The webhook loop: `run_once(now)` sends one batch, for tests with an injected clock; `run`
//! keeps several batches in flight, so one slow receiver does not hold up the others. The
//! sending itself is `services::webhooks::send`.

use crate::server::clock::Clock;
use crate::server::services::webhooks::send::{Pass, client, send_batch, take_batch};
use crate::server::store::Store;
use std::sync::Arc;
use std::time::Duration;

/// Batches in flight at once in `run`.
const BATCHES_IN_FLIGHT: usize = 8;
/// How often an idle loop looks for due deliveries (event-to-first-attempt latency).
const POLL: Duration = Duration::from_millis(20);

/// Takes one batch of due deliveries at `now` (Unix seconds), sends them and records the
/// attempts.
pub async fn run_once(
    store: &Store,
    client: &reqwest::Client,
    now: i64,
) -> Result<Pass, sqlx::Error> {
    run_once_for(store, client, now, None).await
}

/// `run_once` for one account's deliveries only (tests sharing a database, or delivering one
/// merchant's backlog by hand).
pub async fn run_once_for(
    store: &Store,
    client: &reqwest::Client,
    now: i64,
    account: Option<&str>,
) -> Result<Pass, sqlx::Error> {
    match take_batch(store, now, account).await? {
        Some(batch) => send_batch(store, client, batch, now).await,
        None => Ok(Pass::default()),
    }
}

/// Delivers until the task is dropped: polls every `POLL` when idle, keeps up to
/// `BATCHES_IN_FLIGHT` batches sending at once when busy.
pub async fn run(store: Store, clock: Arc<dyn Clock>) {
    let client = client();
    let slots = Arc::new(tokio::sync::Semaphore::new(BATCHES_IN_FLIGHT));
    loop {
        let permit = slots
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let now = clock.now();
        match take_batch(&store, now, None).await {
            Ok(Some(batch)) => {
                let (store, client) = (store.clone(), client.clone());
                tokio::spawn(async move {
                    if let Err(err) = send_batch(&store, &client, batch, now).await {
                        tracing::warn!(error = %err, "recording webhook attempts failed; the lease will expire and they are sent again");
                    }
                    drop(permit);
                });
            }
            Ok(None) => {
                drop(permit);
                tokio::time::sleep(POLL).await;
            }
            Err(err) => {
                drop(permit);
                tracing::warn!(error = %err, "taking webhook deliveries failed; will retry");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}
