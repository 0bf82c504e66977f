//! Accounts: the caller's own, its connected accounts, and its acquirer connections.

use super::is_live;
use crate::server::store::accounts::AccountRow;
use crate::server::store::acquirer_connections::AcquirerConnectionRow;
use crate::server::store::connected_accounts::ConnectedAccountRow;
use serde::Serialize;
use utoipa::ToSchema;

/// The account an API key belongs to.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Account)]
pub struct AccountView {
    pub id: String,
    /// Always `account`.
    pub object: &'static str,
    pub business_name: String,
    pub email: String,
    pub default_currency: String,
    pub brand_color: String,
    /// The kind of key that made this request: `secret` or `publishable`.
    pub key_type: &'static str,
    pub livemode: bool,
    pub created: i64,
}

impl AccountView {
    /// The account as a key of `key_type` in the mode `livemode` sees it.
    pub fn new(account: AccountRow, key_type: &'static str, livemode: bool) -> AccountView {
        AccountView {
            id: account.id,
            object: "account",
            business_name: account.name,
            email: account.email,
            default_currency: account.default_currency,
            brand_color: account.brand_color,
            key_type,
            livemode,
            created: account.created,
        }
    }
}

/// A connected account (`on_behalf_of`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ConnectedAccount)]
pub struct ConnectedAccountView {
    pub id: String,
    /// Always `account`.
    pub object: &'static str,
    /// Always `connected`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub business_name: String,
    pub created: i64,
    pub livemode: bool,
}

impl From<&ConnectedAccountRow> for ConnectedAccountView {
    fn from(row: &ConnectedAccountRow) -> ConnectedAccountView {
        ConnectedAccountView {
            id: row.id.clone(),
            object: "account",
            kind: "connected",
            business_name: row.name.clone(),
            created: row.created,
            livemode: is_live(row.mode),
        }
    }
}

/// An acquirer connection `routing[preferred_acquirer]` may name.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = AcquirerConnection)]
pub struct AcquirerConnectionView {
    pub id: String,
    /// Always `acquirer_connection`.
    pub object: &'static str,
    pub name: String,
    /// What serves it: `sandbox` (simulated) or `stripe` (a processor).
    #[serde(rename = "type")]
    pub kind: String,
    /// True for the connection payments use unless they name another.
    pub default: bool,
    pub created: i64,
    pub livemode: bool,
}

impl AcquirerConnectionView {
    /// The connection; `default` is the id of the mode's default connection.
    pub fn new(row: &AcquirerConnectionRow, default: &str) -> AcquirerConnectionView {
        AcquirerConnectionView {
            id: row.id.clone(),
            object: "acquirer_connection",
            name: row.name.clone(),
            kind: row.kind.clone(),
            default: row.id == default,
            created: row.created,
            livemode: is_live(row.mode),
        }
    }
}
