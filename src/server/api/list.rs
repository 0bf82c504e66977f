//! List endpoints: query parameters (with bracket nesting, like bodies), cursors and the
//! `{"object":"list",…}` envelope.

use super::auth::ApiAuth;
use super::body::deserialize;
use super::error::{ApiError, ApiResult};
use super::params;
use crate::server::state::AppState;
use crate::server::store::page::{self, Cursor, Listing};
use crate::server::store::row::Table;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sqlx::AnyPool;

/// Query-string parameters, parsed the way form bodies are (`created[gte]=…`, `expand[]=…`).
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let raw = params::parse_form(query.as_bytes()).map_err(|e| {
            ApiError::bad_request("parameter_invalid", e.message).with_param(e.param)
        })?;
        Ok(ApiQuery(deserialize(params::normalise_keys(raw))?))
    }
}

/// The paging parameters every list takes. Query values are strings; `limit` is checked by
/// `limit()` rather than by serde, because errors inside `#[serde(flatten)]` lose their path.
#[derive(Debug, Default, Deserialize)]
pub struct Paging {
    pub limit: Option<String>,
    pub starting_after: Option<String>,
    pub ending_before: Option<String>,
}

impl Paging {
    /// The checked page size: 1 to 100, 10 when absent.
    pub fn limit(&self) -> ApiResult<i64> {
        match self.limit.as_deref().map(|l| l.trim().parse::<i64>()) {
            None => Ok(10),
            Some(Ok(n)) if (1..=100).contains(&n) => Ok(n),
            Some(_) => Err(ApiError::invalid_param(
                "limit",
                "limit must be a whole number from 1 to 100.",
            )),
        }
    }

    /// One page of what `listing` shows the caller: the limit checked, the cursor resolved.
    pub async fn page<L: Listing>(
        &self,
        state: &AppState,
        auth: &ApiAuth,
        listing: &L,
    ) -> ApiResult<(Vec<L::Row>, bool)> {
        let limit = self.limit()?;
        let pool = state.store.reader();
        let cursor = self.cursor(pool, L::Row::TABLE, auth).await?;
        let mode = auth.mode.as_str();
        Ok(page::list(pool, &auth.account_id, mode, listing, &cursor, limit).await?)
    }

    /// Resolves `starting_after` / `ending_before` (ids of `table` in the caller's scope).
    pub async fn cursor(&self, pool: &AnyPool, table: &str, auth: &ApiAuth) -> ApiResult<Cursor> {
        let mode = auth.mode.as_str();
        match (&self.starting_after, &self.ending_before) {
            (Some(_), Some(_)) => Err(ApiError::bad_request(
                "parameter_invalid",
                "Pass starting_after or ending_before, not both.",
            )),
            (Some(id), None) => {
                match page::cursor_of(pool, table, &auth.account_id, mode, id).await? {
                    Some(sort_key) => Ok(Cursor::After {
                        sort_key,
                        id: id.clone(),
                    }),
                    None => Err(ApiError::invalid_param(
                        "starting_after",
                        format!("No such object: '{id}'"),
                    )),
                }
            }
            (None, Some(id)) => {
                match page::cursor_of(pool, table, &auth.account_id, mode, id).await? {
                    Some(sort_key) => Ok(Cursor::Before {
                        sort_key,
                        id: id.clone(),
                    }),
                    None => Err(ApiError::invalid_param(
                        "ending_before",
                        format!("No such object: '{id}'"),
                    )),
                }
            }
            (None, None) => Ok(Cursor::Start),
        }
    }
}
