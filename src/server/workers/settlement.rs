//! Settlement: a capture's net moves from pending to available once the settlement delay has
//! passed (`services::ledger::settle_due`).

use crate::server::clock::Clock;
use crate::server::store::Store;
use std::sync::Arc;
use std::time::Duration;

/// How often the loop looks.
pub const INTERVAL: Duration = Duration::from_secs(60);

/// Runs `settle_due` every `INTERVAL` until the task is dropped.
pub async fn run(store: Store, clock: Arc<dyn Clock>) {
    let mut ticker = tokio::time::interval(INTERVAL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        match crate::server::services::ledger::settle_due(&store, clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(settled = n, "captures settled"),
            Err(err) => tracing::warn!(error = %err, "settlement pass failed; will retry"),
        }
    }
}
