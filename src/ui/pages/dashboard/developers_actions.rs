//! Developer actions: rolling API keys, and managing webhook endpoints (add, edit, delete,
//! rotate the secret, resend an event).

use super::actions::{Ctx, fail, internal, service_error};
use crate::domain::api_key::KeyKind;
use crate::server::services::webhooks::{self, EndpointFields, queue};
use crate::server::web::session::new_key_cookie;
use leptos::prelude::*;

/// The grace periods offered when rolling a key, in seconds, with their labels.
pub const GRACE_PERIODS: [(i64, &str); 5] = [
    (0, "Immediately"),
    (3_600, "In 1 hour"),
    (86_400, "In 24 hours"),
    (3 * 86_400, "In 3 days"),
    (7 * 86_400, "In 7 days"),
];

/// Issues a new key of `kind` in the session's mode; the old ones stop after `grace` seconds.
/// A new secret key is shown once, on the page this sends the browser back to.
#[server(prefix = "/dashboard/do", endpoint = "roll_key")]
pub async fn roll_key(kind: String, grace: String) -> Result<(), ServerFnError> {
    let ctx = Ctx::get()?;
    let kind = match kind.as_str() {
        "secret" => KeyKind::Secret,
        "publishable" => KeyKind::Publishable,
        _ => return Err(fail("Choose a secret or a publishable key.")),
    };
    let grace: i64 = grace
        .parse()
        .ok()
        .filter(|g| GRACE_PERIODS.iter().any(|(secs, _)| secs == g))
        .ok_or_else(|| fail("Choose when the old key stops working."))?;
    let issued = crate::server::services::accounts::roll_key(
        &ctx.state.store,
        ctx.state.clock.as_ref(),
        &ctx.scope.account_id,
        ctx.scope.mode,
        kind,
        grace,
    )
    .await
    .map_err(internal)?;
    // Requests with the old key must see its new expiry now, not when the cache entry ages out.
    ctx.state.keys.clear();
    if kind == KeyKind::Secret {
        let cookie = new_key_cookie(issued.key.expose(), 300, ctx.state.config.is_https());
        if let (Some(options), Ok(value)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            http::HeaderValue::from_str(&cookie),
        ) {
            options.append_header(http::header::SET_COOKIE, value);
        }
    }
    ctx.back("key_rolled");
    Ok(())
}

fn fields(url: String, description: String, events: Option<Vec<String>>) -> EndpointFields {
    EndpointFields {
        url: Some(url.trim().to_string()),
        description: Some(description.trim().to_string()).filter(|d| !d.is_empty()),
        enabled_events: Some(events.unwrap_or_default()).filter(|e| !e.is_empty()),
        disabled: None,
        metadata: None,
    }
}

/// Adds an endpoint; with no event ticked it receives every event.
#[server(prefix = "/dashboard/do", endpoint = "add_endpoint")]
pub async fn add_endpoint(
    url: String,
    description: String,
    events: Option<Vec<String>>,
) -> Result<(), ServerFnError> {
    let ctx = Ctx::get()?;
    let mut tx = ctx.state.store.begin().await.map_err(internal)?;
    let row = webhooks::create(
        &mut tx,
        &ctx.scope,
        ctx.state.clock.as_ref(),
        fields(url, description, events),
    )
    .await
    .map_err(service_error)?;
    tx.commit().await.map_err(internal)?;
    ctx.go(&format!(
        "/dashboard/webhooks/{}?notice=endpoint_added",
        row.id
    ));
    Ok(())
}

/// Changes an endpoint's URL, description, events and whether it is enabled.
#[server(prefix = "/dashboard/do", endpoint = "edit_endpoint")]
pub async fn edit_endpoint(
    endpoint: String,
    url: String,
    description: String,
    events: Option<Vec<String>>,
    enabled: Option<String>,
) -> Result<(), ServerFnError> {
    let ctx = Ctx::get()?;
    let mut changes = fields(url, description, events);
    // Unticking every event means "all events", as when adding.
    changes.enabled_events = Some(
        changes
            .enabled_events
            .unwrap_or_else(|| vec![crate::domain::webhook::WILDCARD.to_string()]),
    );
    changes.description = Some(changes.description.unwrap_or_default());
    changes.disabled = Some(enabled.is_none());
    let mut tx = ctx.state.store.begin().await.map_err(internal)?;
    webhooks::update(&mut tx, &ctx.scope, &endpoint, changes)
        .await
        .map_err(service_error)?;
    tx.commit().await.map_err(internal)?;
    ctx.back("endpoint_saved");
    Ok(())
}

#[server(prefix = "/dashboard/do", endpoint = "delete_endpoint")]
pub async fn delete_endpoint(endpoint: String) -> Result<(), ServerFnError> {
    let ctx = Ctx::get()?;
    let mut tx = ctx.state.store.begin().await.map_err(internal)?;
    webhooks::delete(&mut tx, &ctx.scope, &endpoint)
        .await
        .map_err(service_error)?;
    tx.commit().await.map_err(internal)?;
    ctx.go("/dashboard/developers?notice=endpoint_deleted");
    Ok(())
}

/// New signing secret; the old one keeps signing alongside for 24 hours.
#[server(prefix = "/dashboard/do", endpoint = "rotate_secret")]
pub async fn rotate_secret(endpoint: String) -> Result<(), ServerFnError> {
    let ctx = Ctx::get()?;
    let mut tx = ctx.state.store.begin().await.map_err(internal)?;
    webhooks::rotate_secret(&mut tx, &ctx.scope, ctx.state.clock.as_ref(), &endpoint)
        .await
        .map_err(service_error)?;
    tx.commit().await.map_err(internal)?;
    ctx.back("secret_rotated");
    Ok(())
}

/// Sends an event to one endpoint again (same `webhook-id`, same body).
#[server(prefix = "/dashboard/do", endpoint = "resend")]
pub async fn resend_event(event: String, endpoint: String) -> Result<(), ServerFnError> {
    let ctx = Ctx::get()?;
    let mut tx = ctx.state.store.begin().await.map_err(internal)?;
    queue::resend(
        &mut tx,
        &ctx.scope,
        ctx.state.clock.now_micros(),
        &event,
        Some(&endpoint),
    )
    .await
    .map_err(service_error)?;
    tx.commit().await.map_err(internal)?;
    ctx.back("resent");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_new_key_cookie_goes_to_one_page_only() {
        let c = new_key_cookie("sk_test_x", 300, true);
        assert!(c.starts_with(
            "vinr_new_key=sk_test_x; Path=/dashboard/developers; HttpOnly; SameSite=Strict"
        ));
        assert!(c.ends_with("; Secure"));
        assert!(!new_key_cookie("", 0, false).contains("Secure"));
    }
}
