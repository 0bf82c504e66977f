//! Dashboard users: e-mail and an argon2id password hash, with a failed-login counter.

use super::row::row;
use super::statement::reads;
use super::statement::writes;

row! {
    #[derive(Debug, Clone)]
    pub struct UserRow in "users" {
        pub id: String,
        pub account_id: String,
        pub email: String,
        pub password_hash: String,
        pub failed_logins: i64,
        pub locked_until: i64,
        pub created: i64,
    }
}

reads! {
    /// E-mails are compared without case: people type them both ways.
    pub fn find_by_email(email: &str) -> Option<UserRow> =
        fetch_optional("SELECT id, account_id, email, password_hash, failed_logins, locked_until, created
            FROM users WHERE lower(email) = lower($1)");
}

writes! {
    /// Records the outcome of a login attempt.
    pub fn set_login_state(user_id: &str, failed_logins: i64, locked_until: i64) =
        "UPDATE users SET failed_logins = $2, locked_until = $3 WHERE id = $1";
}

writes! {
    pub fn set_password(user_id: &str, hash: &str) =
        "UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = 0 WHERE id = $1";
}
