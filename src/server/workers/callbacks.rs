//! The checkout callback loop: `run_once(now)` makes every due attempt once (tests call it with
//! an injected clock); `run` calls it every second. The attempt itself is
//! `services::callbacks::attempt`.

use crate::server::clock::Clock;
use crate::server::services::callbacks::attempt;
use crate::server::store::{Store, callbacks};
use std::sync::Arc;
use std::time::Duration;

/// What one pass of the queue did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub delivered: u64,
    pub retrying: u64,
    pub given_up: u64,
}

/// Makes every due attempt once, at time `now` (Unix seconds; injected so tests can move time).
pub async fn run_once(
    store: &Store,
    client: &reqwest::Client,
    now: i64,
) -> Result<Pass, sqlx::Error> {
    let due = callbacks::due(store.reader(), now, 100).await?;
    let attempts = due.into_iter().map(|d| attempt(store, client, d, now));
    let mut pass = Pass::default();
    for outcome in futures_util::future::join_all(attempts).await {
        match outcome? {
            Some("delivered") => pass.delivered += 1,
            Some("failed") => pass.given_up += 1,
            Some(_) => pass.retrying += 1,
            None => {}
        }
    }
    Ok(pass)
}

/// Runs `run_once` every second until the task is dropped.
pub async fn run(store: Store, clock: Arc<dyn Clock>) {
    let client = reqwest::Client::builder()
        .user_agent(concat!("VINR/", env!("CARGO_PKG_VERSION"), " callbacks"))
        .build()
        .expect("an HTTP client with default TLS builds");
    let with = (store, client, clock);
    super::every(Duration::from_secs(1), "callback pass", with, |(store, client, clock)| async move {
        run_once(&store, &client, clock.now()).await.map(drop)
    })
    .await
}
