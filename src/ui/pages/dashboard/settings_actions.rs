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
    let account = accounts::find(ctx.state.store.reader(), &ctx.scope.account_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| fail("The account is gone."))?;
    // The default connection is the session's mode's own (live mode's must be a processor).
    let live = ctx.scope.mode.is_live();
    let default_acquirer = default_acquirer.trim().to_string();
    if !(live && default_acquirer.is_empty()) {
        crate::server::services::acquirer_connections::check_default(
            &ctx.state,
            &ctx.scope,
            &default_acquirer,
        )
        .await
        .map_err(service_error)?;
    }
    let mut tx = ctx.state.store.begin().await.map_err(internal)?;
    accounts::update_settings(
        &mut tx,
        &ctx.scope.account_id,
        &Settings {
            name,
            brand_color,
            embed_origins: origins.join("\n"),
            default_acquirer: if live {
                account.default_acquirer.clone()
            } else {
                default_acquirer.clone()
            },
        },
    )
    .await
    .map_err(internal)?;
    if live && !default_acquirer.is_empty() {
        accounts::set_live_acquirer(&mut tx, &ctx.scope.account_id, &default_acquirer)
            .await
            .map_err(internal)?;
    }
    tx.commit().await.map_err(internal)?;
    // API keys carry the account's name and default connection: let them be read again.
    ctx.state.keys.clear();
    ctx.back("settings_saved");
    Ok(())
}

/// Adds an acquirer connection in the session's mode: a simulated one (test mode), or a
/// Stripe account whose key is checked with Stripe before it is saved.
// A server function's arguments are its form's fields, one each.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/dashboard/do", endpoint = "add_connection")]
pub async fn add_connection(
    id: String,
    name: String,
    #[server(default)] kind: Option<String>,
    #[server(default)] secret_key: Option<String>,
    #[server(default)] api_base: Option<String>,
    #[server(default)] webhook_secret: Option<String>,
    #[server(default)] make_default: Option<String>,
    #[server(default)] check_only: Option<String>,
) -> Result<(), ServerFnError> {
    use crate::server::crypto::Secret;
    use crate::server::services::acquirer_connections::{
        NewConnection, NewStripeSettings, insert, prepare,
    };
    let ctx = Ctx::get()?;
    let filled = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let stripe = NewStripeSettings {
        secret_key: filled(secret_key).map(Secret::new),
        api_base: filled(api_base),
        webhook_secret: filled(webhook_secret).map(Secret::new),
    };
    let given =
        stripe.secret_key.is_some() || stripe.api_base.is_some() || stripe.webhook_secret.is_some();
    let input = NewConnection {
        id: Some(id),
        name: filled(Some(name)),
        kind: filled(kind),
        stripe: given.then_some(stripe),
        default: make_default.is_some(),
    };
    let row = prepare(
        &ctx.state.acquirers,
        &ctx.state.config.secret,
        &ctx.scope,
        ctx.state.clock.now(),
        &input,
    )
    .await
    .map_err(service_error)?;
    // "Test connection": the checks (and the processor's answer to the key) without saving.
    if check_only.is_some() {
        ctx.back("connection_checked");
        return Ok(());
    }
    let mut tx = ctx.state.store.begin().await.map_err(internal)?;
    insert(&mut tx, &row, input.default)
        .await
        .map_err(service_error)?;
    tx.commit().await.map_err(internal)?;
    // API keys carry the mode's default connection: let them be read again.
    ctx.state.keys.clear();
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
