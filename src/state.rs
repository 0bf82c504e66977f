//! The one shared state of the server: options, store, clock and config.

use crate::acquirer::Registry;
use crate::api::idempotency::InFlight;
use crate::clock::Clock;
use crate::config::Config;
use crate::store::Store;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    /// Acquirer connections by id.
    pub acquirers: Registry,
    /// Idempotency keys held by requests running in this process.
    pub in_flight: InFlight,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
