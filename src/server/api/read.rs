//! What every `GET` of the API takes (`Read`): the server and a caller with a secret key, with
//! the scoped lookups most of them make. Scoping lives here once: an object of another account
//! or mode is a 404, like one that does not exist.

use super::auth::scope_of;
use super::auth::{ApiAuth, SecretAuth};
use super::error::{ApiError, ApiResult};
use super::list::Paging;
use crate::server::services::Scope;
use crate::server::state::AppState;
use crate::server::store::page::Listing;
use crate::server::store::row::{self, Table};
use crate::server::views::ListView;
use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// The server and the caller of a `GET`.
pub struct Read {
    pub state: AppState,
    pub auth: ApiAuth,
}

impl FromRequestParts<AppState> for Read {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let SecretAuth(auth) = SecretAuth::from_request_parts(parts, state).await?;
        Ok(Read {
            state: state.clone(),
            auth,
        })
    }
}

impl Read {
    /// The caller's account and mode.
    pub fn scope(&self) -> Scope {
        scope_of(&self.auth)
    }

    /// The `object` (its name in the 404) `id` of table `T`, in the caller's account and mode.
    pub async fn find<T: Table>(&self, object: &str, id: &str) -> ApiResult<T> {
        let (account, mode) = (&self.auth.account_id, self.auth.mode.as_str());
        row::find::<T>(self.state.store.reader(), account, mode, id)
            .await?
            .ok_or_else(|| ApiError::not_found(object, id))
    }

    /// One page of `listing` in the caller's account and mode, as the list at `url`.
    pub async fn list<L, V>(
        &self,
        paging: &Paging,
        listing: &L,
        url: &str,
    ) -> ApiResult<Json<ListView<V>>>
    where
        L: Listing,
        V: for<'r> From<&'r L::Row>,
    {
        let (found, has_more) = paging.page(&self.state, &self.auth, listing).await?;
        Ok(Json(ListView::of(&found, has_more, url)))
    }
}
