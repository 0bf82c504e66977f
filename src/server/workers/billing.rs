//! Billing on the wall clock: renewals, notices, draft finalization, retries and expiry of
//! unpaid first invoices, as they fall due (`services::billing::engine`). Test clocks run
//! their own objects when advanced.

use crate::server::services::billing::engine;
use crate::server::state::AppState;
use std::time::Duration;

/// How often the loop looks.
pub const INTERVAL: Duration = Duration::from_secs(5);

pub async fn run(state: AppState) {
    super::every(INTERVAL, "billing pass", state, |state| async move {
        engine::drain_wall(
            &state.payment_deps(),
            engine::WALL_BATCH,
            engine::Scope::All,
        )
        .await
        .map(|_| ())
    })
    .await;
}
