//! Idempotency (§4) as one reusable protocol around any `POST`, which handlers use through
//! the `Post` extractor (`post.run(…)`, or `idempotent` itself):
//!
//! 1. `Idempotency::start` holds the key (this process: an in-memory set; other instances on
//!    Postgres: a leased row) and answers a replay (stored response, `Idempotent-Replayed: true`),
//!    a 422 for the same key with other parameters, or a 409 while the first request runs.
//! 2. The handler performs its effect in a transaction and hands it to `Idempotency::commit`,
//!    which stores the response in that same transaction and commits: key, effect and response
//!    land together or not at all.
//! 3. If the handler fails instead (any error, 5xx included), dropping the guard releases the
//!    key and nothing is stored, so the request may be retried.

use super::auth::{ApiAuth, SecretAuth};
use super::body::ApiBody;
use super::error::{ApiError, ApiResult};
use crate::server::state::AppState;
use crate::server::store::idempotency::{self as rows, KeyScope};
use crate::server::store::{Backend, Tx};
use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::marker::PhantomData;

/// How long a Postgres lease lasts: longer than any request may take. If the instance holding
/// it dies, another may take the key over after this.
const LEASE_SECS: i64 = 120;

/// The header replays carry.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// The `Idempotency-Key` header, checked: 1 to 255 visible ASCII characters.
#[derive(Debug, Clone, Default)]
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let Some(raw) = parts.headers.get("idempotency-key") else {
            return Ok(IdempotencyKey(None));
        };
        let invalid = || {
            ApiError::bad_request(
                "idempotency_key_invalid",
                "Idempotency-Key must be 1 to 255 visible ASCII characters.",
            )
            .with_param("Idempotency-Key")
        };
        let key = raw.to_str().map_err(|_| invalid())?.trim();
        if !is_valid_key(key) {
            return Err(invalid());
        }
        Ok(IdempotencyKey(Some(key.to_string())))
    }
}

/// A key as the server takes it (after trimming): 1 to 255 visible ASCII characters or
/// spaces. The OpenAPI document's pattern for the header says the same (`layers_doc`).
pub fn is_valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
}

/// The one way a `POST` is made idempotent: holds `key` (or answers a replay, a 422 or a 409),
/// runs `change`, which makes its effect in a transaction and gives it back with the answer,
/// and stores the answer in that transaction as it commits. A change that fails stores
/// nothing and releases the key, so the request may be retried.
pub async fn idempotent(
    state: &AppState,
    auth: &ApiAuth,
    key: IdempotencyKey,
    fingerprint: &str,
    change: impl AsyncFnOnce() -> ApiResult<(Tx, Reply)>,
) -> ApiResult<Response> {
    let idem = match Idempotency::start(state, auth, key, fingerprint).await? {
        Started::Replay(response) => return Ok(response),
        Started::Fresh(idem) => idem,
    };
    let (tx, reply) = change().await?;
    idem.commit(tx, reply).await
}

/// What every idempotent `POST` takes, extracted in this order (so errors keep their
/// precedence): the caller's key (`A`: a secret key unless the endpoint also takes a
/// publishable one), the `Idempotency-Key` header, then the body as `P`.
pub struct Post<P, A = SecretAuth> {
    state: AppState,
    auth: ApiAuth,
    key: IdempotencyKey,
    body: ApiBody<P>,
    auth_kind: PhantomData<A>,
}

impl<P, A> FromRequest<AppState> for Post<P, A>
where
    P: DeserializeOwned,
    A: FromRequestParts<AppState, Rejection = ApiError> + Into<ApiAuth>,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let (mut parts, body) = req.into_parts();
        let auth = A::from_request_parts(&mut parts, state).await?.into();
        let key = IdempotencyKey::from_request_parts(&mut parts, state).await?;
        let body = ApiBody::from_request(Request::from_parts(parts, body), state).await?;
        Ok(Post {
            state: state.clone(),
            auth,
            key,
            body,
            auth_kind: PhantomData,
        })
    }
}

impl<P, A> Post<P, A> {
    /// The parameters, for checks made before the key is held.
    pub fn params(&self) -> &P {
        &self.body.value
    }

    /// The server, for work after the idempotent change (an acquirer call it queued).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Runs `change` (given the server, the caller and the parameters) under `idempotent`.
    pub async fn run(
        self,
        change: impl AsyncFnOnce(&AppState, &ApiAuth, P) -> ApiResult<(Tx, Reply)>,
    ) -> ApiResult<Response> {
        let Post {
            state,
            auth,
            key,
            body,
            ..
        } = self;
        let ApiBody { value, fingerprint } = body;
        idempotent(&state, &auth, key, &fingerprint, async || {
            change(&state, &auth, value).await
        })
        .await
    }

    /// `run` for a change made in a transaction of its own and answered with a view.
    pub async fn change<T>(
        self,
        change: impl AsyncFnOnce(&mut Tx, &AppState, &ApiAuth, P) -> ApiResult<T>,
    ) -> ApiResult<Response>
    where
        T: Serialize,
    {
        self.run(async |state, auth, params| {
            let mut tx = state.store.begin().await?;
            let view = change(&mut tx, state, auth, params).await?;
            Ok((tx, Reply::ok(view)?))
        })
        .await
    }
}

/// A response that is stored for replay: a status and a JSON body.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    pub fn ok(body: impl Serialize) -> ApiResult<Reply> {
        let body = serde_json::to_value(body).map_err(|e| ApiError::internal(&e))?;
        Ok(Reply {
            status: StatusCode::OK,
            body,
        })
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// The outcome of `Idempotency::start`.
enum Started {
    /// The key was used before with the same parameters: answer this.
    Replay(Response),
    /// Go ahead; finish with `commit`.
    Fresh(Idempotency),
}

/// A held idempotency key (or none, when the request carried no key).
struct Idempotency {
    held: Option<Box<Held>>,
}

struct Held {
    state: AppState,
    account_id: String,
    mode: String,
    key: String,
    request_hash: String,
    owner: String,
    leased: bool,
    finished: bool,
}

impl Held {
    fn scope(&self) -> KeyScope<'_> {
        KeyScope {
            account_id: &self.account_id,
            mode: &self.mode,
            key: &self.key,
        }
    }

    fn local_name(&self) -> String {
        format!("{}/{}/{}", self.account_id, self.mode, self.key)
    }
}

impl Idempotency {
    /// Holds `key` for this request, or answers for it.
    async fn start(
        state: &AppState,
        auth: &ApiAuth,
        key: IdempotencyKey,
        request_hash: &str,
    ) -> ApiResult<Started> {
        let Some(key) = key.0 else {
            return Ok(Started::Fresh(Idempotency { held: None }));
        };
        let held = Held {
            state: state.clone(),
            account_id: auth.account_id.clone(),
            mode: auth.mode.as_str().to_string(),
            key,
            request_hash: request_hash.to_string(),
            owner: crate::server::crypto::random_base62(16),
            leased: false,
            finished: false,
        };
        if !state.in_flight.try_hold(&held.local_name()) {
            return Err(ApiError::idempotency_in_use(&held.key));
        }
        // From here on, dropping `guard` releases what was held.
        let mut guard = Idempotency {
            held: Some(Box::new(held)),
        };
        let held = guard.held.as_mut().expect("just set");

        // A lease this process's own failed request left: give it back before looking.
        let abandoned = state.in_flight.releasing().remove(&held.local_name());
        if let Some(owner) = abandoned {
            rows::release(state.store.writer(), &held.scope(), &owner).await?;
        }
        if let Some(existing) = rows::find(&state.store, &held.scope()).await?
            && let Some(answer) = answer_from(&existing, held)?
        {
            return Ok(Started::Replay(answer));
        }
        if state.store.backend() == Backend::Postgres {
            // Other instances share this database: a committed lease tells them we hold it.
            let now = state.clock.now();
            let claimed = rows::claim(
                state.store.writer(),
                &held.scope(),
                &held.request_hash,
                &held.owner,
                now,
                now + LEASE_SECS,
            )
            .await?;
            if !claimed {
                // Another instance holds it, or finished it between our read and our claim.
                let existing = rows::find(&state.store, &held.scope()).await?;
                return match existing.as_ref().map(|row| answer_from(row, held)) {
                    Some(Ok(Some(answer))) => Ok(Started::Replay(answer)),
                    Some(Err(err)) => Err(err),
                    _ => Err(ApiError::idempotency_in_use(&held.key)),
                };
            }
            held.leased = true;
        }
        Ok(Started::Fresh(guard))
    }

    /// Stores `reply` for replay in `tx` (which holds the request's effect) and commits.
    async fn commit(mut self, mut tx: Tx, reply: Reply) -> ApiResult<Response> {
        if let Some(held) = self.held.as_mut() {
            let body = reply.body.to_string();
            let now = held.state.clock.now();
            let write = rows::complete(
                &held.scope(),
                &held.request_hash,
                &held.owner,
                reply.status.as_u16(),
                &body,
                now,
            );
            if held.leased {
                if tx.execute(write).await? != 1 {
                    // Our lease was taken over (we ran past it): the other request's effect wins.
                    tx.rollback().await?;
                    return Err(ApiError::idempotency_in_use(&held.key));
                }
            } else {
                // No lease in the database: only this process could hold the key, and it held
                // it in memory, so there is nothing to check and the row goes with the commit.
                tx.defer(write);
            }
        }
        tx.commit().await?;
        if let Some(held) = self.held.as_mut() {
            held.finished = true;
            held.state.in_flight.release(&held.local_name());
        }
        Ok(reply.into_response())
    }
}

/// What a stored row says to a request presenting its key: a replay, a 422, a 409 — or
/// nothing (`None`) when the row is a lease that ran out.
fn answer_from(row: &rows::IdempotencyRow, held: &Held) -> ApiResult<Option<Response>> {
    if row.state == rows::DONE {
        if row.request_hash != held.request_hash {
            return Err(ApiError::idempotency_reused(&held.key));
        }
        let status = row
            .response_status
            .and_then(|s| u16::try_from(s).ok())
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::OK);
        let body: Value = row
            .response_body
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| ApiError::internal(&e))?
            .unwrap_or(Value::Null);
        let mut response = (status, Json(body)).into_response();
        response
            .headers_mut()
            .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
        return Ok(Some(response));
    }
    if row.locked_until >= held.state.clock.now() {
        return Err(ApiError::idempotency_in_use(&held.key));
    }
    Ok(None)
}

impl Drop for Idempotency {
    fn drop(&mut self) {
        let Some(held) = self.held.as_mut() else {
            return;
        };
        if held.finished {
            return;
        }
        held.state.in_flight.release(&held.local_name());
        if held.leased {
            held.state
                .in_flight
                .releasing()
                .insert(held.local_name(), held.owner.clone());
            // Drop cannot wait; the release is a single DELETE of our own lease row.
            let state = held.state.clone();
            let name = held.local_name();
            let (account_id, mode, key, owner) = (
                held.account_id.clone(),
                held.mode.clone(),
                held.key.clone(),
                held.owner.clone(),
            );
            tokio::spawn(async move {
                let scope = KeyScope {
                    account_id: &account_id,
                    mode: &mode,
                    key: &key,
                };
                if let Err(err) = rows::release(state.store.writer(), &scope, &owner).await {
                    tracing::warn!(error = %err, "could not release an idempotency lease; it expires on its own");
                }
                let mut releasing = state.in_flight.releasing();
                if releasing.get(&name) == Some(&owner) {
                    releasing.remove(&name);
                }
            });
        }
    }
}
