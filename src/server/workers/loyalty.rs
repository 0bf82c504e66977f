//! Loyalty on time: pending points become spendable when their days are over and spendable
//! points expire, for every account with a lot due (`services::loyalty::lots`).

use crate::server::clock::Clock;
use crate::server::store::Store;
use std::sync::Arc;
use std::time::Duration;

/// How often the loop looks.
pub const INTERVAL: Duration = Duration::from_secs(30);

pub async fn run(store: Store, clock: Arc<dyn Clock>) {
    super::every(
        INTERVAL,
        "loyalty pass",
        (store, clock),
        |(store, clock)| async move {
            let done =
                crate::server::services::loyalty::lots::run_once(&store, clock.as_ref(), None)
                    .await?;
            if done > 0 {
                tracing::info!(accounts = done, "loyalty points activated or expired");
            }
            Ok::<_, crate::server::services::loyalty::LoyaltyError>(())
        },
    )
    .await
}
