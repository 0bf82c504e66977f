//! Settings actions: the business's name, brand colour, embed origins and default acquirer
//! connection, and adding a connection.

use super::actions::{Ctx, fail, internal, service_error};
use crate::domain::embed::{parse_brand_color, parse_origins};
use crate::server::store::accounts::{self, Settings};
use leptos::prelude::*;

#[server(prefix = "/dashboard/do", endpoint = "settings")]
pub async fn save_settings(
    name: String,
    brand_color: String,
    embed_origins: String,
    default_acquirer: String,
) -> Result<(), ServerFnError> {
    let ctx = Ctx::get()?;
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(fail("The business name must be 1 to 100 characters."));
    }
    let brand_color = parse_brand_color(&brand_color).map_err(fail)?;
    let origins = parse_origins(&embed_origins).map_err(fail)?;
    crate::server::services::acquirer_connections::check_default(
        &ctx.state.store,
        &ctx.scope.account_id,
        &default_acquirer,
    )
    .await
    .map_err(service_error)?;
    let mut tx = ctx.state.store.begin().await.map_err(internal)?;
    accounts::update_settings(
        &mut tx,
        &ctx.scope.account_id,
        &Settings {
            name,
            brand_color,
            embed_origins: origins.join("\n"),
            default_acquirer,
        },
    )
    .await
    .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    // API keys carry the account's name and default connection: let them be read again.
    ctx.state.keys.clear();
    ctx.back("settings_saved");
    Ok(())
}

/// Adds a simulated acquirer connection in the session's mode.
#[server(prefix = "/dashboard/do", endpoint = "add_connection")]
pub async fn add_connection(id: String, name: String) -> Result<(), ServerFnError> {
    let ctx = Ctx::get()?;
    let mut tx = ctx.state.store.begin().await.map_err(internal)?;
    crate::server::services::acquirer_connections::create(
        &mut tx,
        &ctx.scope,
        ctx.state.clock.now(),
        Some(id),
        Some(name).filter(|n| !n.trim().is_empty()),
    )
    .await
    .map_err(service_error)?;
    tx.commit().await.map_err(internal)?;
    ctx.back("connection_added");
    Ok(())
}

/// The account's billing settings: the days between retries of a failed renewal, what a
/// subscription becomes when they run out, and how long a renewal stays a draft.
#[server(prefix = "/dashboard/do", endpoint = "billing_settings")]
pub async fn save_billing_settings(
    retry_days: String,
    dunning_end: String,
    draft_minutes: String,
) -> Result<(), ServerFnError> {
    use crate::domain::billing::{DunningEnd, MAX_DRAFT_SECS, parse_retry_days};
    let ctx = Ctx::get()?;
    let days = parse_retry_days(&retry_days).ok_or_else(|| {
        fail("Retries: up to 8 numbers of days, each 1 to 60, separated by commas (3,5,7).")
    })?;
    let end = DunningEnd::parse(&dunning_end)
        .ok_or_else(|| fail(format!("When retries run out: {}.", DunningEnd::names())))?;
    let draft_secs = draft_minutes
        .trim()
        .parse::<i64>()
        .ok()
        .map(|m| m.saturating_mul(60))
        .filter(|s| (0..=MAX_DRAFT_SECS).contains(s))
        .ok_or_else(|| {
            fail(format!(
                "The draft window is 0 to {} minutes.",
                MAX_DRAFT_SECS / 60
            ))
        })?;
    let days: Vec<String> = days.iter().map(i64::to_string).collect();
    let mut tx = ctx.state.store.begin().await.map_err(internal)?;
    accounts::update_billing(
        &mut tx,
        &ctx.scope.account_id,
        &days.join(","),
        end.as_str(),
        draft_secs,
    )
    .await
    .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    ctx.back("billing_saved");
    Ok(())
}
