//! Idempotency keys as stored. The protocol around them lives in `api::idempotency`.

use super::{Statement, Store};
use crate::server::store::row::row;
use sqlx::AnyPool;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// The three values that name a key: keys are scoped to an account and mode.
#[derive(Debug, Clone)]
pub struct KeyScope<'a> {
    pub account_id: &'a str,
    pub mode: &'a str,
    pub key: &'a str,
}

row! {
    #[derive(Debug, Clone, serde::Deserialize)]
    pub struct IdempotencyRow {
        pub request_hash: String,
        pub owner: String,
        pub state: String,
        pub locked_until: i64,
        pub response_status: Option<i64>,
        pub response_body: Option<String>,
    }
}

pub const IN_FLIGHT: &str = "in_flight";
pub const DONE: &str = "done";

pub async fn find(
    store: &Store,
    scope: &KeyScope<'_>,
) -> Result<Option<IdempotencyRow>, sqlx::Error> {
    store
        .fetch_optional(
            Statement::new(
                "SELECT request_hash, owner, state, locked_until, response_status, response_body
                 FROM idempotency_keys WHERE account_id = $1 AND mode = $2 AND idem_key = $3",
            )
            .bind(scope.account_id)
            .bind(scope.mode)
            .bind(scope.key),
        )
        .await
}

/// Takes the key for `owner` until `locked_until`, committed at once so that other instances
/// see it in flight. True when this owner now holds it: the key was free, or its last holder's
/// lease ran out (that instance died mid-request).
pub async fn claim(
    pool: &AnyPool,
    scope: &KeyScope<'_>,
    request_hash: &str,
    owner: &str,
    now: i64,
    locked_until: i64,
) -> Result<bool, sqlx::Error> {
    let inserted = Statement::new(
        "INSERT INTO idempotency_keys
             (account_id, mode, idem_key, request_hash, owner, state, locked_until, created)
         VALUES ($1, $2, $3, $4, $5, 'in_flight', $6, $7)
         ON CONFLICT (account_id, mode, idem_key) DO UPDATE
             SET request_hash = excluded.request_hash, owner = excluded.owner,
                 locked_until = excluded.locked_until, created = excluded.created
             WHERE idempotency_keys.state = 'in_flight' AND idempotency_keys.locked_until < $7",
    )
    .bind(scope.account_id)
    .bind(scope.mode)
    .bind(scope.key)
    .bind(request_hash)
    .bind(owner)
    .bind(locked_until)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Gives the key back without a stored response (the request failed without an effect).
pub async fn release(pool: &AnyPool, scope: &KeyScope<'_>, owner: &str) -> Result<(), sqlx::Error> {
    Statement::new(
        "DELETE FROM idempotency_keys
         WHERE account_id = $1 AND mode = $2 AND idem_key = $3 AND owner = $4 AND state = 'in_flight'",
    )
    .bind(scope.account_id)
    .bind(scope.mode)
    .bind(scope.key)
    .bind(owner)
    .execute(pool)
    .await?;
    Ok(())
}

/// The write that stores the response, in the transaction that holds the request's effect:
/// inserts the row, or completes this owner's in-flight row. It changes no row when someone
/// else holds or completed the key (a lease taken over), in which case the caller must roll back.
pub fn complete(
    scope: &KeyScope<'_>,
    request_hash: &str,
    owner: &str,
    status: u16,
    body: &str,
    now: i64,
) -> Statement {
    Statement::new(
        "INSERT INTO idempotency_keys
             (account_id, mode, idem_key, request_hash, owner, state, locked_until,
              response_status, response_body, created)
         VALUES ($1, $2, $3, $4, $5, 'done', 0, $6, $7, $8)
         ON CONFLICT (account_id, mode, idem_key) DO UPDATE
             SET state = 'done', response_status = excluded.response_status,
                 response_body = excluded.response_body, locked_until = 0
             WHERE idempotency_keys.owner = excluded.owner AND idempotency_keys.state = 'in_flight'",
    )
    .bind(scope.account_id)
    .bind(scope.mode)
    .bind(scope.key)
    .bind(request_hash)
    .bind(owner)
    .bind(i64::from(status))
    .bind(body)
    .bind(now)
}

/// Forgets keys created before `cutoff` (the contract keeps them at least 24 hours).
pub async fn delete_older_than(pool: &AnyPool, cutoff: i64) -> Result<u64, sqlx::Error> {
    let done = Statement::new("DELETE FROM idempotency_keys WHERE created < $1 AND state = 'done'")
        .bind(cutoff)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

/// Keys held by requests in this process, by `account/mode/key` (beside the leased rows, which
/// other instances see).
#[derive(Clone, Default)]
pub struct InFlight {
    held: Arc<Mutex<HashSet<String>>>,
    /// Leases of failed requests whose database release is still on its way (Drop cannot
    /// wait for it), by key name → owner: a retry in this process releases them itself
    /// instead of answering 409 for a request that has already failed.
    releasing: Arc<Mutex<HashMap<String, String>>>,
}

impl InFlight {
    pub fn try_hold(&self, name: &str) -> bool {
        self.held
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.to_string())
    }

    pub fn release(&self, name: &str) {
        self.held
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name);
    }

    pub fn releasing(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.releasing.lock().unwrap_or_else(|e| e.into_inner())
    }
}
