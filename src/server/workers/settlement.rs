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
    super::every(
        INTERVAL,
        "settlement pass",
        (store, clock),
        |(store, clock)| async move {
            let settled = crate::server::services::ledger::settle_due(&store, clock.now()).await?;
            if settled > 0 {
                tracing::info!(settled, "captures settled");
            }
            Ok::<_, sqlx::Error>(())
        },
    )
    .await
}
