//! Acquirer connections: adding one (REST API and dashboard), and checking the connection
//! a merchant makes their default.

use super::{Scope, ServiceError};
use crate::domain::mode::Mode;
use crate::server::acquirer::SANDBOX_KIND;
use crate::server::store::acquirer_connections::AcquirerConnectionRow;
use crate::server::store::row;
use crate::server::store::{Store, Tx, is_unique_violation};

/// Whether `id` can name a connection: `acq_` then 1 to 40 of a-z, 0-9 and `_`.
pub fn valid_connection_id(id: &str) -> bool {
    id.strip_prefix("acq_").is_some_and(|rest| {
        (1..=40).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    })
}

/// Adds a (simulated) connection `id` named `name` (default: the id) in the scope's mode.
pub async fn create(
    tx: &mut Tx,
    scope: &Scope,
    now: i64,
    id: Option<String>,
    name: Option<String>,
) -> Result<AcquirerConnectionRow, ServiceError> {
    let id = id
        .map(|i| i.trim().to_string())
        .filter(|i| !i.is_empty())
        .ok_or_else(|| ServiceError::invalid("id", "Missing required param: id."))?;
    if !valid_connection_id(&id) {
        return Err(ServiceError::invalid(
            "id",
            "id must be acq_ followed by 1 to 40 lowercase letters, digits or underscores.",
        ));
    }
    let name = match name.map(|n| n.trim().to_string()) {
        None => id.clone(),
        Some(n) if n.is_empty() || n.chars().count() > 100 => {
            return Err(ServiceError::invalid(
                "name",
                "name must be 1 to 100 characters.",
            ));
        }
        Some(n) => n,
    };
    let row = AcquirerConnectionRow {
        account_id: scope.account_id.clone(),
        mode: scope.mode,
        id: id.clone(),
        name,
        kind: SANDBOX_KIND.to_string(),
        created: now,
    };
    if let Err(err) = row::insert_now(tx, &row).await {
        if is_unique_violation(&err) {
            return Err(ServiceError::invalid(
                "id",
                format!("You already have an acquirer connection {id}."),
            ));
        }
        return Err(err.into());
    }
    Ok(row)
}

/// A default connection must exist in both modes: the setting is the account's, and a live
/// payment must not fail because the connection was only added in test mode.
pub async fn check_default(store: &Store, account_id: &str, id: &str) -> Result<(), ServiceError> {
    for mode in [Mode::Test, Mode::Live] {
        let found =
            row::find::<AcquirerConnectionRow>(store.reader(), account_id, mode.as_str(), id)
                .await?;
        if found.is_none() {
            return Err(ServiceError::invalid(
                "default_acquirer",
                format!(
                    "{id} does not exist in {} mode; add it there too before making it the default.",
                    mode.as_str()
                ),
            ));
        }
    }
    Ok(())
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
