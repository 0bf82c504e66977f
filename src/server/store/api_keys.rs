//! API keys: only their SHA-256 digest is stored (publishable keys, being public, also whole).

use super::row::row;
use super::statement::reads;
use super::statement::writes;
use crate::domain::mode::Mode;

row! {
    /// A key as stored.
    #[derive(Debug, Clone)]
    pub struct ApiKeyRow in "api_keys" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub kind: String,
        pub digest: String,
        pub hint: String,
        pub created: i64,
        pub expires_at: Option<i64>,
    }
}

row! {
    /// What authenticating a request needs: the key and the account it belongs to.
    #[derive(Debug, Clone)]
    pub struct KeyOwner {
        pub key_id: String,
        pub mode: Mode,
        pub kind: String,
        pub expires_at: Option<i64>,
        pub account_id: String,
        pub account_name: String,
        pub default_currency: String,
        /// The key's mode's default connection: empty in live mode until a processor is added.
        pub default_acquirer: String,
    }
}

reads! {
    pub fn find_owner_by_digest(digest: &str) -> Option<KeyOwner> =
        fetch_optional("SELECT k.id AS key_id, k.mode, k.kind, k.expires_at, a.id AS account_id,
            a.name AS account_name, a.default_currency,
            CASE WHEN k.mode = 'live' THEN COALESCE(a.live_acquirer, '') ELSE a.default_acquirer END
                AS default_acquirer
            FROM api_keys k JOIN accounts a ON a.id = k.account_id
            WHERE k.digest = $1");
}

reads! {
    /// Keys of one account that still work at `now`, newest first.
    pub fn list_active(account_id: &str, now: i64) -> Vec<ApiKeyRow> =
        fetch_all("SELECT id, account_id, mode, kind, digest, hint, created, expires_at FROM api_keys
            WHERE account_id = $1 AND (expires_at IS NULL OR expires_at > $2)
            ORDER BY created DESC, id");
}

reads! {
    /// Every key of one account, newest first, expired ones included (the dashboard shows when a
    /// rolled key stopped or stops working).
    pub fn list_all(account_id: &str, mode: &str) -> Vec<ApiKeyRow> =
        fetch_all("SELECT id, account_id, mode, kind, digest, hint, created, expires_at FROM api_keys
            WHERE account_id = $1 AND mode = $2
            ORDER BY created DESC, id LIMIT 50");
}

writes! {
    /// Makes every still-unexpiring key of this account, mode and kind stop working at `at`.
    pub fn expire_all(account_id: &str, mode: &str, kind: &str, at: i64) =
        "UPDATE api_keys SET expires_at = $4
            WHERE account_id = $1 AND mode = $2 AND kind = $3
            AND (expires_at IS NULL OR expires_at > $4)";
}
