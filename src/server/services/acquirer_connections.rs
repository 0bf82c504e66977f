//! Acquirer connections: adding one (REST API and dashboard), and checking the connection
//! a merchant makes their default.

use super::{Scope, ServiceError};
use crate::domain::mode::Mode;
use crate::server::acquirer::{Acquirer, Registry, SANDBOX_KIND, STRIPE_KIND, stripe};
use crate::server::crypto::{Secret, seal, unseal};
use crate::server::store::acquirer_connections::AcquirerConnectionRow;
use crate::server::store::row;
use crate::server::store::{Tx, accounts, is_unique_violation};
use std::sync::Arc;

/// Whether `id` can name a connection: `acq_` then 1 to 40 of a-z, 0-9 and `_`.
pub fn valid_connection_id(id: &str) -> bool {
    id.strip_prefix("acq_").is_some_and(|rest| {
        (1..=40).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    })
}

/// A connection to add, as asked.
#[derive(Debug, Default)]
pub struct NewConnection {
    pub id: Option<String>,
    pub name: Option<String>,
    /// `sandbox` (default) or `stripe`.
    pub kind: Option<String>,
    /// For `stripe` only: its settings, when any were given (the sandbox refuses them).
    pub stripe: Option<NewStripeSettings>,
    /// Make it the mode's default connection.
    pub default: bool,
}

/// A Stripe connection's settings, as asked.
#[derive(Debug, Default)]
pub struct NewStripeSettings {
    /// The secret key (sealed at rest, never shown again).
    pub secret_key: Option<Secret>,
    /// Another API base (a regional proxy, a local fake).
    pub api_base: Option<String>,
    /// The secret Stripe signs its webhooks to this connection with.
    pub webhook_secret: Option<Secret>,
}

/// A Stripe connection's settings, unsealed: None for another kind, or settings that do not
/// open (sealed under another server secret).
pub fn stripe_settings_of(
    secret: &Secret,
    row: &AcquirerConnectionRow,
) -> Option<stripe::Settings> {
    if row.kind != STRIPE_KIND {
        return None;
    }
    stripe::Settings::from_plaintext(&unseal(secret, row.settings.as_deref()?)?)
}

/// The acquirer behind a stored connection: the shared sandbox, or a processor connector
/// built from its sealed settings. None when the kind is unknown or the settings do not open
/// (sealed under another server secret).
pub fn connector(
    registry: &Registry,
    secret: &Secret,
    row: &AcquirerConnectionRow,
) -> Option<Arc<dyn Acquirer>> {
    match row.kind.as_str() {
        STRIPE_KIND => {
            let settings = stripe_settings_of(secret, row)?;
            // A host the operator has since taken off the list is not called.
            let base = url::Url::parse(&settings.api_base).ok()?;
            registry.allows(&base).then(|| registry.stripe(settings))
        }
        kind => registry.get(kind),
    }
}

/// The origins a customer may be sent to for a challenge by `connection` (none for the
/// sandbox, whose challenge page is ours).
pub async fn challenge_origins(
    store: &crate::server::store::Store,
    secret: &Secret,
    scope: &Scope,
    connection: &str,
) -> Result<Vec<String>, sqlx::Error> {
    let row = row::find::<AcquirerConnectionRow>(
        store.reader(),
        &scope.account_id,
        scope.mode.as_str(),
        connection,
    )
    .await?;
    Ok(row
        .and_then(|r| stripe_settings_of(secret, &r))
        .map(|s| stripe::challenge_origins(&s))
        .unwrap_or_default())
}

/// Checks a new connection and, for a processor, its key against the processor (outside any
/// transaction: the processor may be slow). The row is ready to `insert`.
pub async fn prepare(
    registry: &Registry,
    secret: &Secret,
    scope: &Scope,
    now: i64,
    input: &NewConnection,
) -> Result<AcquirerConnectionRow, ServiceError> {
    let id = input
        .id
        .as_deref()
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .ok_or_else(|| ServiceError::invalid("id", "Missing required param: id."))?
        .to_string();
    if !valid_connection_id(&id) {
        return Err(ServiceError::invalid(
            "id",
            "id must be acq_ followed by 1 to 40 lowercase letters, digits or underscores.",
        ));
    }
    let name = match input.name.as_deref().map(str::trim) {
        None => id.clone(),
        Some(n) if n.is_empty() || n.chars().count() > 100 => {
            return Err(ServiceError::invalid(
                "name",
                "name must be 1 to 100 characters.",
            ));
        }
        Some(n) => n.to_string(),
    };
    let live = scope.mode.is_live();
    let (kind, settings) = match input.kind.as_deref().unwrap_or(SANDBOX_KIND) {
        SANDBOX_KIND if live => {
            return Err(ServiceError::invalid(
                "kind",
                "Live mode moves real money: its connections are processors (kind=stripe), not the sandbox.",
            ));
        }
        SANDBOX_KIND => {
            if input.stripe.is_some() {
                return Err(ServiceError::invalid(
                    "stripe",
                    "stripe[…] settings belong to kind=stripe connections.",
                ));
            }
            (SANDBOX_KIND, None)
        }
        STRIPE_KIND => {
            let settings = stripe_settings(registry, input.stripe.as_ref(), live)?;
            stripe::check_key(registry.http(), &settings)
                .await
                .map_err(|why| ServiceError::Coded {
                    param: "stripe[secret_key]".into(),
                    code: "processor_key_invalid",
                    message: why,
                })?;
            (STRIPE_KIND, Some(seal(secret, &settings.to_plaintext())))
        }
        other => {
            return Err(ServiceError::invalid(
                "kind",
                format!("kind must be sandbox or stripe, not {other}."),
            ));
        }
    };
    Ok(AcquirerConnectionRow {
        account_id: scope.account_id.clone(),
        mode: scope.mode,
        id,
        name,
        kind: kind.to_string(),
        created: now,
        settings,
    })
}

/// A Stripe connection's settings from the input, checked.
fn stripe_settings(
    registry: &Registry,
    input: Option<&NewStripeSettings>,
    live: bool,
) -> Result<stripe::Settings, ServiceError> {
    let none = NewStripeSettings::default();
    let input = input.unwrap_or(&none);
    let key = input.secret_key.as_ref().ok_or_else(|| {
        ServiceError::invalid(
            "stripe[secret_key]",
            "Missing required param: stripe[secret_key].",
        )
    })?;
    if !stripe::key_fits_mode(key.expose(), live) {
        return Err(ServiceError::invalid(
            "stripe[secret_key]",
            if live {
                "Live mode needs a live Stripe secret key (sk_live_… or rk_live_…)."
            } else {
                "Test mode needs a test Stripe secret key (sk_test_… or rk_test_…)."
            },
        ));
    }
    let api_base = match input.api_base.as_deref().map(str::trim) {
        None | Some("") => stripe::DEFAULT_API_BASE.to_string(),
        Some(base) => {
            let parsed = url::Url::parse(base)
                .ok()
                .filter(|u| u.query().is_none() && u.username().is_empty() && base.len() <= 500);
            match parsed {
                Some(url) if registry.allows(&url) => base.trim_end_matches('/').to_string(),
                _ => {
                    return Err(ServiceError::invalid(
                        "stripe[api_base]",
                        "stripe[api_base] must be an https URL on a host this server allows (VINR_PROCESSOR_HOSTS; http only on this machine), e.g. https://api.stripe.com.",
                    ));
                }
            }
        }
    };
    if let Some(hook) = &input.webhook_secret
        && (hook.expose().is_empty() || hook.expose().len() > 200)
    {
        return Err(ServiceError::invalid(
            "stripe[webhook_secret]",
            "stripe[webhook_secret] must be 1 to 200 characters (whsec_…).",
        ));
    }
    Ok(stripe::Settings {
        api_base,
        secret_key: key.clone(),
        webhook_secret: input.webhook_secret.clone(),
    })
}

/// Saves a prepared connection; `default` makes it the mode's default in the same transaction.
pub async fn insert(
    tx: &mut Tx,
    row: &AcquirerConnectionRow,
    default: bool,
) -> Result<(), ServiceError> {
    if let Err(err) = row::insert_now(tx, row).await {
        if is_unique_violation(&err) {
            return Err(ServiceError::conflict(
                "resource_already_exists",
                format!("You already have an acquirer connection {}.", row.id),
            ));
        }
        return Err(err.into());
    }
    if default {
        match row.mode {
            Mode::Live => accounts::set_live_acquirer(tx, &row.account_id, &row.id).await?,
            Mode::Test => accounts::set_test_acquirer(tx, &row.account_id, &row.id).await?,
        };
    }
    Ok(())
}

/// A mode's default connection must exist in that mode, and live mode's must be a processor.
pub async fn check_default(
    state: &crate::server::state::AppState,
    scope: &Scope,
    id: &str,
) -> Result<(), ServiceError> {
    let found = row::find::<AcquirerConnectionRow>(
        state.store.reader(),
        &scope.account_id,
        scope.mode.as_str(),
        id,
    )
    .await?;
    match found {
        None => Err(ServiceError::invalid(
            "default_acquirer",
            format!("{id} does not exist in {} mode.", scope.mode.as_str()),
        )),
        Some(row) if scope.mode.is_live() && row.kind == SANDBOX_KIND => {
            Err(ServiceError::invalid(
                "default_acquirer",
                "Live mode's default must be a processor connection, not the sandbox.",
            ))
        }
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_ids_are_acq_and_a_short_slug() {
        assert!(valid_connection_id("acq_uk_1"));
        assert!(valid_connection_id("acq_sandbox"));
        assert!(!valid_connection_id("acq_"));
        assert!(!valid_connection_id("acq_UK"));
        assert!(!valid_connection_id("uk_1"));
        assert!(!valid_connection_id("acq_a-b"));
        assert!(!valid_connection_id(&format!("acq_{}", "a".repeat(41))));
    }
}
