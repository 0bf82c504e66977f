//! Background work. Each worker exposes one step (`run_once(now)`) that tests call directly
//! with an injected clock, and a loop that calls it on a timer.

pub mod callbacks;
pub mod expiry;
pub mod housekeeping;
pub mod reconcile;
pub mod settlement;
pub mod webhooks;

use crate::server::state::AppState;

use tokio::task::JoinHandle;

/// Starts every worker of a serving instance. Each is safe to run on many instances against
/// one database (their writes are compare-and-sets). Abort the handles to stop them.
pub fn spawn_all(state: &AppState) -> Vec<JoinHandle<()>> {
    vec![
        tokio::spawn(housekeeping::run(state.store.clone(), state.clock.clone())),
        tokio::spawn(expiry::run(state.clone())),
        tokio::spawn(reconcile::run(state.clone())),
        tokio::spawn(callbacks::run(state.store.clone(), state.clock.clone())),
        tokio::spawn(webhooks::run(state.store.clone(), state.clock.clone())),
        tokio::spawn(settlement::run(state.store.clone(), state.clock.clone())),
    ]
}
