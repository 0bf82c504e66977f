//! The one shared state of the server: options, store, clock and config.

use crate::server::acquirer::Registry;
use crate::server::clock::Clock;
use crate::server::config::Config;
use crate::server::services::payments::Deps;
use crate::server::store::Store;
use crate::server::store::idempotency::InFlight;
use crate::server::store::key_cache::KeyCache;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;

/// Handed to every handler: cloning it (once per extractor) is one reference count.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }

    /// What the payment use cases need (handlers, pages and workers alike).
    pub fn payment_deps(&self) -> Deps<'_> {
        Deps {
            store: &self.store,
            clock: self.clock.as_ref(),
            acquirers: &self.acquirers,
            secret: &self.config.secret,
            public_url: &self.config.public_url,
            fees: self.config.fees,
            settlement_delay_secs: self.config.settlement_delay_secs,
        }
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    /// Acquirer implementations by kind.
    pub acquirers: Registry,
    /// API keys verified in the last few seconds.
    pub keys: Arc<KeyCache>,
    /// Idempotency keys held by requests running in this process.
    pub in_flight: InFlight,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
