//! Dashboard sign-in: password check with a lock-out after repeated failures, and sessions.

use crate::domain::mode::Mode;
use crate::server::clock::Clock;
use crate::server::crypto::{Secret, hash_password, random_base62, sha256_hex, verify_password};
use crate::server::store::Store;
use crate::server::store::sessions::{self, SessionOwner};
use crate::server::store::users;
use std::sync::OnceLock;

/// Failed attempts in a row that lock an account's login.
pub const MAX_FAILED_LOGINS: i64 = 5;
/// How long a lock lasts.
pub const LOCK_SECS: i64 = 15 * 60;
/// How long a session lasts.
pub const SESSION_SECS: i64 = 12 * 60 * 60;

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("Incorrect e-mail or password.")]
    Invalid,
    #[error("Too many failed attempts. Try again in {minutes} minutes.")]
    Locked { minutes: i64 },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A new session: the token goes into the cookie and nowhere else.
#[derive(Debug)]
pub struct NewSession {
    pub token: Secret,
    pub expires_at: i64,
}

/// Hash checked when the e-mail is unknown, so timing does not tell which e-mails exist.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password for unknown users"))
}

pub async fn login(
    store: &Store,
    clock: &dyn Clock,
    email: &str,
    password: &str,
) -> Result<NewSession, LoginError> {
    let now = clock.now();
    let Some(user) = users::find_by_email(store.reader(), email.trim()).await? else {
        let _ = verify_password(decoy_hash(), password);
        return Err(LoginError::Invalid);
    };
    if user.locked_until > now {
        return Err(LoginError::Locked {
            minutes: (user.locked_until - now + 59) / 60,
        });
    }
    let ok = verify_password(&user.password_hash, password);
    let mut tx = store.begin().await?;
    if !ok {
        let failures = user.failed_logins + 1;
        let (failures, locked_until) = if failures >= MAX_FAILED_LOGINS {
            (0, now + LOCK_SECS)
        } else {
            (failures, 0)
        };
        users::set_login_state(&mut tx, &user.id, failures, locked_until).await?;
        tx.commit().await?;
        return Err(if locked_until > 0 {
            LoginError::Locked {
                minutes: LOCK_SECS / 60,
            }
        } else {
            LoginError::Invalid
        });
    }
    users::set_login_state(&mut tx, &user.id, 0, 0).await?;
    sessions::delete_expired(&mut tx, now).await?;
    let token = random_base62(43);
    let expires_at = now + SESSION_SECS;
    sessions::insert(
        &mut tx,
        &sha256_hex(token.as_bytes()),
        &user.id,
        Mode::Test.as_str(),
        now,
        expires_at,
    )
    .await?;
    tx.commit().await?;
    Ok(NewSession {
        token: Secret::new(token),
        expires_at,
    })
}

/// The live session a cookie token names, if any.
pub async fn find(
    store: &Store,
    clock: &dyn Clock,
    token: &str,
) -> Result<Option<SessionOwner>, sqlx::Error> {
    sessions::find_live(store.reader(), &sha256_hex(token.as_bytes()), clock.now()).await
}

pub async fn logout(store: &Store, token: &str) -> Result<(), sqlx::Error> {
    let mut tx = store.begin().await?;
    sessions::delete(&mut tx, &sha256_hex(token.as_bytes())).await?;
    tx.commit().await
}

/// Makes the session show and act on `mode`'s data.
pub async fn set_mode(store: &Store, token: &str, mode: Mode) -> Result<(), sqlx::Error> {
    let mut tx = store.begin().await?;
    sessions::set_mode(&mut tx, &sha256_hex(token.as_bytes()), mode.as_str()).await?;
    tx.commit().await
}
