//! Webhooks, all in one place: endpoints (here: create, with the secret shown once, update,
//! disable, delete, rotate the secret), `queue` (events into deliveries, in the event's own
//! transaction), `send` (one batch of deliveries over HTTP) and `signing` (both signature
//! styles, and `verify` for Rust merchants). The event types and retry schedule are domain
//! rules (`domain::webhook`); the loop that sends is `workers::webhooks`.

pub mod queue;
pub mod send;
pub mod signing;
#[cfg(test)]
mod vectors;

pub use signing::{VerifyError, verify};

use super::{Scope, ServiceError};
use crate::domain::ids::{self, IdKind};
use crate::domain::lenient;
use crate::domain::metadata::Metadata;
use crate::domain::webhook::{WILDCARD, check_enabled_events};
use crate::server::clock::Clock;
use crate::server::crypto::new_id;
use crate::server::store::row;
use crate::server::store::webhook_endpoints::{self, EndpointRow};
use crate::server::store::{Tx, webhook_deliveries};
use std::collections::BTreeMap;

/// How long the previous secret keeps signing after a rotation.
pub const ROTATION_OVERLAP_SECS: i64 = 24 * 3600;
/// Longest description kept.
const MAX_DESCRIPTION: usize = 500;

/// Fields of create and update, as the API's body sends them; `None` leaves a field as it is
/// (create: the default).
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EndpointParams)]
pub struct EndpointFields {
    /// Where events are POSTed (http or https).
    pub url: Option<String>,
    /// Event types to send (`enabled_events[]=payment.completed`), or `*` for all (the default).
    #[serde(default, deserialize_with = "lenient::opt_string_list")]
    pub enabled_events: Option<Vec<String>>,
    pub description: Option<String>,
    /// `true` stops deliveries (pending ones are canceled); `false` resumes them.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub disabled: Option<bool>,
    pub metadata: Option<BTreeMap<String, String>>,
}

fn not_found(id: &str) -> ServiceError {
    ServiceError::NotFound {
        object: "webhook_endpoint",
        id: id.to_string(),
    }
}

/// An endpoint of this scope, or 404 (deleted ones included in the 404).
pub async fn find(
    ex: impl sqlx::Executor<'_, Database = sqlx::Any>,
    scope: &Scope,
    id: &str,
) -> Result<EndpointRow, ServiceError> {
    if !ids::is_id(IdKind::WebhookEndpoint, id) {
        return Err(not_found(id));
    }
    webhook_endpoints::find(ex, &scope.account_id, scope.mode.as_str(), id)
        .await?
        .ok_or_else(|| not_found(id))
}

fn check_url(url: String) -> Result<String, ServiceError> {
    crate::server::services::payments::http_url("url", Some(url))?
        .ok_or_else(|| ServiceError::invalid("url", "url must be an http or https URL."))
}

fn check_events(list: Vec<String>) -> Result<String, ServiceError> {
    let list = check_enabled_events(&list)
        .map_err(|e| ServiceError::invalid("enabled_events", e.to_string()))?;
    Ok(serde_json::to_string(&list).expect("a list of strings serialises"))
}

fn check_description(text: Option<String>) -> Result<Option<String>, ServiceError> {
    Ok(crate::domain::customer::check_text(
        "description",
        text,
        MAX_DESCRIPTION,
    )?)
}

/// Creates an endpoint subscribed to `enabled_events` (default all) with a fresh secret.
pub async fn create(
    tx: &mut Tx,
    scope: &Scope,
    clock: &dyn Clock,
    fields: EndpointFields,
) -> Result<EndpointRow, ServiceError> {
    let url = check_url(
        fields
            .url
            .ok_or_else(|| ServiceError::invalid("url", "url is required."))?,
    )?;
    let enabled_events = check_events(
        fields
            .enabled_events
            .unwrap_or_else(|| vec![WILDCARD.into()]),
    )?;
    let metadata = Metadata::parse(fields.metadata.unwrap_or_default())?;
    let now = clock.now_micros();
    let disabled = fields.disabled.unwrap_or(false);
    let row = EndpointRow {
        id: new_id(IdKind::WebhookEndpoint),
        account_id: scope.account_id.clone(),
        mode: scope.mode,
        url,
        description: check_description(fields.description)?,
        enabled_events,
        status: if disabled { "disabled" } else { "enabled" }.into(),
        disabled_reason: disabled.then(|| "requested".to_string()),
        metadata: metadata.to_json(),
        secret: crate::server::services::webhooks::signing::new_secret(),
        previous_secret: None,
        previous_secret_expires_at: None,
        deleted: 0,
        created: now.div_euclid(1_000_000),
        sort_key: now,
    };
    row::insert_now(tx, &row).await?;
    Ok(row)
}

/// Changes the given fields. Disabling cancels the endpoint's pending deliveries (they are
/// not sent later in a burst); enabling again resumes with the next event.
pub async fn update(
    tx: &mut Tx,
    scope: &Scope,
    id: &str,
    fields: EndpointFields,
) -> Result<EndpointRow, ServiceError> {
    let mut row = find(tx.conn().await?, scope, id).await?;
    if let Some(url) = fields.url {
        row.url = check_url(url)?;
    }
    if let Some(list) = fields.enabled_events {
        row.enabled_events = check_events(list)?;
    }
    if fields.description.is_some() {
        row.description = check_description(fields.description)?;
    }
    if let Some(update) = fields.metadata {
        row.metadata = crate::domain::metadata::merged(&row.metadata, update)?;
    }
    match fields.disabled {
        Some(true) if row.status == "enabled" => {
            row.status = "disabled".into();
            row.disabled_reason = Some("requested".into());
            webhook_deliveries::cancel_pending(tx, &row.id).await?;
        }
        Some(false) => {
            row.status = "enabled".into();
            row.disabled_reason = None;
        }
        _ => {}
    }
    row::update(tx, &row).await?;
    Ok(row)
}

/// Deletes an endpoint: it is gone from the API, its pending deliveries are canceled, and the
/// deliveries already made stay listed under their events.
pub async fn delete(tx: &mut Tx, scope: &Scope, id: &str) -> Result<String, ServiceError> {
    let mut row = find(tx.conn().await?, scope, id).await?;
    row.deleted = 1;
    row.status = "disabled".into();
    row.disabled_reason = Some("deleted".into());
    row::update(tx, &row).await?;
    webhook_deliveries::cancel_pending(tx, &row.id).await?;
    Ok(row.id)
}

/// Issues a new secret. The old one keeps signing for `ROTATION_OVERLAP_SECS` beside it, so
/// receivers can switch without losing a delivery; a second rotation within that time drops
/// the oldest.
pub async fn rotate_secret(
    tx: &mut Tx,
    scope: &Scope,
    clock: &dyn Clock,
    id: &str,
) -> Result<EndpointRow, ServiceError> {
    let mut row = find(tx.conn().await?, scope, id).await?;
    let old = std::mem::replace(
        &mut row.secret,
        crate::server::services::webhooks::signing::new_secret(),
    );
    row.previous_secret = Some(old);
    row.previous_secret_expires_at = Some(clock.now() + ROTATION_OVERLAP_SECS);
    row::update(tx, &row).await?;
    Ok(row)
}
