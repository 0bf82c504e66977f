//! `GET /v1/account`: who the key belongs to, and in which mode.

use super::auth::ApiAuth;
use super::error::{ApiError, ApiResult};
use crate::server::state::AppState;
use crate::server::store::accounts;
use crate::server::views::AccountView;
use axum::Json;
use axum::extract::State;

/// Any key, secret or publishable, may ask who it belongs to.
#[utoipa::path(get, path = "/account", tag = "Account", responses((status = 200, description = "The account the key belongs to", body = AccountView), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn get_account(
    State(state): State<AppState>,
    auth: ApiAuth,
) -> ApiResult<Json<AccountView>> {
    let account = accounts::find(state.store.reader(), &auth.account_id)
        .await?
        .ok_or_else(|| ApiError::not_found("account", &auth.account_id))?;
    Ok(Json(AccountView::new(
        account,
        auth.kind.as_str(),
        auth.mode.is_live(),
    )))
}
