//! Dashboard sessions: the cookie holds a random token, the table its SHA-256 digest.

use super::statement::reads;
use super::statement::writes;
use crate::domain::mode::Mode;
use crate::server::store::row::row;

row! {
    /// A live session with the user and account it belongs to.
    #[derive(Debug, Clone)]
    pub struct SessionOwner {
        pub user_id: String,
        pub email: String,
        pub mode: Mode,
        pub expires_at: i64,
        pub account_id: String,
        pub account_name: String,
    }
}

writes! {
    pub fn insert(digest: &str, user_id: &str, mode: &str, created: i64, expires_at: i64) =
        "INSERT INTO sessions (digest, user_id, mode, created, expires_at) VALUES ($1, $2, $3, $4, $5)";
}

reads! {
    pub fn find_live(digest: &str, now: i64) -> Option<SessionOwner> =
        fetch_optional("SELECT u.id AS user_id, u.email, s.mode, s.expires_at, a.id AS account_id,
            a.name AS account_name
            FROM sessions s JOIN users u ON u.id = s.user_id JOIN accounts a ON a.id = u.account_id
            WHERE s.digest = $1 AND s.expires_at > $2");
}

writes! {
    /// Switches a session between test and live data.
    pub fn set_mode(digest: &str, mode: &str) =
        "UPDATE sessions SET mode = $2 WHERE digest = $1";
}

writes! {
    pub fn delete(digest: &str) =
        "DELETE FROM sessions WHERE digest = $1";
}

writes! {
    /// Removes sessions that have run out, so the table does not grow without bound.
    pub fn delete_expired(now: i64) =
        "DELETE FROM sessions WHERE expires_at <= $1";
}
