//! `GET /v1/account`: who the key belongs to, and in which mode.

use super::auth::ApiAuth;
use super::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::accounts;
use axum::Json;
use axum::extract::State;
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccountDto {
    pub id: String,
    pub object: &'static str,
    pub business_name: String,
    pub email: String,
    pub default_currency: String,
    pub brand_color: String,
    /// The kind of key that made this request.
    pub key_type: &'static str,
    pub livemode: bool,
    pub created: i64,
}

/// Any key, secret or publishable, may ask who it belongs to.
#[utoipa::path(get, path = "/account", tag = "Account", responses((status = 200, description = "The account the key belongs to", body = AccountDto), (status = 401, description = "Missing or invalid API key", body = crate::api::schemas::Error)))]
pub async fn get_account(
    State(state): State<AppState>,
    auth: ApiAuth,
) -> ApiResult<Json<AccountDto>> {
    let account = accounts::find(state.store.reader(), &auth.account_id)
        .await?
        .ok_or_else(|| ApiError::not_found("account", &auth.account_id))?;
    Ok(Json(AccountDto {
        id: account.id,
        object: "account",
        business_name: account.name,
        email: account.email,
        default_currency: account.default_currency,
        brand_color: account.brand_color,
        key_type: auth.kind.as_str(),
        livemode: auth.mode.is_live(),
        created: account.created,
    }))
}
