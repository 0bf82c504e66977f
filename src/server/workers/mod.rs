//! Background work. Each worker exposes one step (`run_once(now)`) that tests call directly
//! with an injected clock, and a loop that calls it on a timer.

pub mod billing;
pub mod callbacks;
pub mod expiry;
pub mod housekeeping;
pub mod loyalty;
pub mod reconcile;
pub mod settlement;
pub mod webhooks;

use crate::server::state::AppState;

use std::time::Duration;
use tokio::task::JoinHandle;

/// Runs `pass` (given a clone of `with`) every `period` until the task is dropped; a pass that
/// overruns delays the next tick rather than bunching them. A failed pass is logged as `what`
/// and tried again at the next tick.
pub async fn every<S, F, E>(period: Duration, what: &'static str, with: S, pass: impl Fn(S) -> F)
where
    S: Clone,
    F: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if let Err(err) = pass(with.clone()).await {
            tracing::warn!(error = %err, "{what} failed; will retry");
        }
    }
}

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
        tokio::spawn(billing::run(state.clone())),
        tokio::spawn(loyalty::run(state.store.clone(), state.clock.clone())),
    ]
}
