//! Merchant accounts: creation with their keys and dashboard login, the demo account made on
//! first start, and key rolling.

use crate::domain::api_key::KeyKind;
use crate::domain::customer::check_email;
use crate::domain::ids::IdKind;
use crate::domain::mode::Mode;
use crate::server::acquirer::{SANDBOX_KIND, STARTING_CONNECTIONS};
use crate::server::clock::Clock;
use crate::server::crypto::{
    Secret, derive_base62, hash_password, new_id, random_base62, sha256_hex, verify_password,
};
use crate::server::store::accounts::{self, AccountRow};
use crate::server::store::acquirer_connections::AcquirerConnectionRow;
use crate::server::store::api_keys::{self, ApiKeyRow};
use crate::server::store::row;
use crate::server::store::users::{self, UserRow};
use crate::server::store::{Store, Tx, is_unique_violation};
use anyhow::{Context, Result, bail};

/// Random characters in a key after its prefix (about 190 bits).
const KEY_RANDOM_LEN: usize = 32;

/// The demo account's login.
pub const DEMO_EMAIL: &str = "demo@vinr.local";
pub const DEMO_NAME: &str = "Demo Shop";

/// A key as handed out: the only time its full value exists outside the caller.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    pub mode: Mode,
    pub kind: KeyKind,
    pub key: Secret,
}

/// What creating an account hands back, to be shown once.
#[derive(Debug)]
pub struct CreatedAccount {
    pub account: AccountRow,
    pub email: String,
    pub password: Secret,
    pub keys: Vec<IssuedKey>,
}

/// The stored hint of a key: publishable keys are public and kept whole; of a secret key only
/// the prefix and last four characters.
fn hint_for(kind: KeyKind, key: &str) -> String {
    match kind {
        KeyKind::Publishable => key.to_string(),
        KeyKind::Secret => format!("{}…{}", &key[..8], &key[key.len() - 4..]),
    }
}

async fn insert_key(
    tx: &mut Tx,
    account_id: &str,
    mode: Mode,
    kind: KeyKind,
    key: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    row::insert_now(
        tx,
        &ApiKeyRow {
            id: new_id(IdKind::ApiKey),
            account_id: account_id.to_string(),
            mode,
            kind: kind.as_str().to_string(),
            digest: sha256_hex(key.as_bytes()),
            hint: hint_for(kind, key),
            created: now,
            expires_at: None,
        },
    )
    .await
}

fn random_key(kind: KeyKind, mode: Mode) -> String {
    format!("{}{}", kind.prefix(mode), random_base62(KEY_RANDOM_LEN))
}

/// A merchant account by id (none when there is no such account).
pub async fn find(store: &Store, id: &str) -> Result<Option<AccountRow>, sqlx::Error> {
    crate::server::store::accounts::find(store.reader(), id).await
}

/// Creates an account with test and live keys (secret and publishable) and a dashboard user.
/// A password is generated when none is given.
pub async fn create_account(
    store: &Store,
    clock: &dyn Clock,
    name: &str,
    email: &str,
    password: Option<&str>,
) -> Result<CreatedAccount> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        bail!("the business name must be 1 to 100 characters");
    }
    let email = check_email(email).map_err(|e| anyhow::anyhow!(e.message))?;
    let password = match password {
        Some(p) if p.chars().count() < 10 => bail!("the password must be at least 10 characters"),
        Some(p) => p.to_string(),
        None => random_base62(20),
    };
    let keys: Vec<IssuedKey> = [Mode::Test, Mode::Live]
        .into_iter()
        .flat_map(|mode| [KeyKind::Secret, KeyKind::Publishable].map(|kind| (mode, kind)))
        .map(|(mode, kind)| IssuedKey {
            mode,
            kind,
            key: Secret::new(random_key(kind, mode)),
        })
        .collect();
    let account = insert_account(store, clock, name, &email, &password, &keys, false).await?;
    Ok(CreatedAccount {
        account,
        email,
        password: Secret::new(password),
        keys,
    })
}

async fn insert_account(
    store: &Store,
    clock: &dyn Clock,
    name: &str,
    email: &str,
    password: &str,
    keys: &[IssuedKey],
    is_demo: bool,
) -> Result<AccountRow> {
    let now = clock.now();
    let account = AccountRow {
        id: new_id(IdKind::Account),
        name: name.to_string(),
        email: email.to_string(),
        default_currency: "EUR".into(),
        brand_color: "#4f46e5".into(),
        is_demo: i64::from(is_demo),
        created: now,
        embed_origins: String::new(),
        default_acquirer: crate::server::acquirer::DEFAULT_CONNECTION.into(),
        billing_retry_days: "3,5,7".into(),
        billing_dunning_end: "canceled".into(),
        billing_draft_secs: 3_600,
        live_acquirer: None,
    };
    let hash = hash_password(password);
    let mut tx = store.begin().await?;
    row::insert_now(&mut tx, &account).await?;
    for k in keys {
        insert_key(&mut tx, &account.id, k.mode, k.kind, k.key.expose(), now).await?;
    }
    // Test mode starts with simulated connections; live mode with none (it moves real
    // money: the merchant adds a processor).
    for (id, name) in STARTING_CONNECTIONS {
        let connection = AcquirerConnectionRow {
            account_id: account.id.clone(),
            mode: Mode::Test,
            id: id.to_string(),
            name: name.to_string(),
            kind: SANDBOX_KIND.to_string(),
            created: now,
            settings: None,
        };
        row::insert_now(&mut tx, &connection).await?;
    }
    // Every merchant and mode has `prog_default` (with no rules: it earns nothing until the
    // merchant says how).
    for program in
        crate::server::services::loyalty::programs::defaults_for(&account.id, clock.now_micros())
    {
        tx.defer(row::insert(&program));
    }
    let user = UserRow {
        id: new_id(IdKind::User),
        account_id: account.id.clone(),
        email: email.to_string(),
        password_hash: hash,
        failed_logins: 0,
        locked_until: 0,
        created: now,
    };
    if let Err(err) = row::insert_now(&mut tx, &user).await {
        if is_unique_violation(&err) {
            bail!("a dashboard user with the e-mail {email} already exists");
        }
        return Err(err.into());
    }
    tx.commit().await?;
    Ok(account)
}

/// The demo account's credentials as printed at start. Keys and password are derived from the
/// server secret, so they can be printed on every start without being stored; a value the
/// operator has since replaced is reported as such instead.
#[derive(Debug)]
pub struct DemoCredentials {
    pub account_id: String,
    pub created_now: bool,
    pub email: String,
    pub password: Option<Secret>,
    pub secret_key: Option<Secret>,
    pub publishable_key: Option<Secret>,
}

fn demo_values(secret: &Secret) -> (String, String, String) {
    let sk = format!(
        "sk_test_{}",
        derive_base62(secret, "vinr demo sk_test v1", KEY_RANDOM_LEN)
    );
    let pk = format!(
        "pk_test_{}",
        derive_base62(secret, "vinr demo pk_test v1", KEY_RANDOM_LEN)
    );
    let password = derive_base62(secret, "vinr demo password v1", 16);
    (sk, pk, password)
}

/// Makes the demo account on first start; on later starts finds it again.
pub async fn ensure_demo(
    store: &Store,
    clock: &dyn Clock,
    secret: &Secret,
) -> Result<DemoCredentials> {
    let (sk, pk, password) = demo_values(secret);
    let existing = accounts::find_demo(store.reader()).await?;
    let (account_id, created_now) = match existing {
        Some(account) => (account.id, false),
        None => {
            let keys = [
                IssuedKey {
                    mode: Mode::Test,
                    kind: KeyKind::Secret,
                    key: Secret::new(sk.clone()),
                },
                IssuedKey {
                    mode: Mode::Test,
                    kind: KeyKind::Publishable,
                    key: Secret::new(pk.clone()),
                },
            ];
            let account =
                insert_account(store, clock, DEMO_NAME, DEMO_EMAIL, &password, &keys, true)
                    .await
                    .context("creating the demo account")?;
            (account.id, true)
        }
    };
    let now = clock.now();
    let still_valid = |key: String| async move {
        let owner =
            api_keys::find_owner_by_digest(store.reader(), &sha256_hex(key.as_bytes())).await?;
        let valid = owner.is_some_and(|o| o.expires_at.is_none_or(|at| at > now));
        Ok::<_, sqlx::Error>(valid.then(|| Secret::new(key)))
    };
    let user = users::find_by_email(store.reader(), DEMO_EMAIL).await?;
    let password_ok = user.is_some_and(|u| verify_password(&u.password_hash, &password));
    Ok(DemoCredentials {
        account_id,
        created_now,
        email: DEMO_EMAIL.to_string(),
        password: password_ok.then(|| Secret::new(password)),
        secret_key: still_valid(sk).await?,
        publishable_key: still_valid(pk).await?,
    })
}

/// Adds `origin` to an account's allowed embed origins, if it is not there yet (the demo
/// shop's origin, on start).
pub async fn allow_embed_origin(store: &Store, account_id: &str, origin: &str) -> Result<()> {
    let account = accounts::find(store.reader(), account_id)
        .await?
        .with_context(|| format!("no account {account_id}"))?;
    let mut origins =
        crate::domain::embed::parse_origins(&account.embed_origins).map_err(anyhow::Error::msg)?;
    if origins.iter().any(|o| o == origin) {
        return Ok(());
    }
    origins.push(origin.to_string());
    let settings = accounts::Settings {
        name: account.name,
        brand_color: account.brand_color,
        embed_origins: origins.join("\n"),
        default_acquirer: account.default_acquirer,
    };
    let mut tx = store.begin().await?;
    accounts::update_settings(&mut tx, account_id, &settings).await?;
    tx.commit().await?;
    Ok(())
}

/// Issues a new key of `kind` and `mode`; the keys it replaces keep working for `grace_secs`
/// (0 stops them at once), so deployed code can be switched over without downtime.
pub async fn roll_key(
    store: &Store,
    clock: &dyn Clock,
    account_id: &str,
    mode: Mode,
    kind: KeyKind,
    grace_secs: i64,
) -> Result<IssuedKey> {
    if grace_secs < 0 {
        bail!("the grace period cannot be negative");
    }
    let now = clock.now();
    let key = random_key(kind, mode);
    let mut tx = store.begin().await?;
    api_keys::expire_all(
        &mut tx,
        account_id,
        mode.as_str(),
        kind.as_str(),
        now + grace_secs,
    )
    .await?;
    insert_key(&mut tx, account_id, mode, kind, &key, now).await?;
    tx.commit().await?;
    Ok(IssuedKey {
        mode,
        kind,
        key: Secret::new(key),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_hide_secret_keys_only() {
        assert_eq!(
            hint_for(KeyKind::Secret, "sk_test_abcdefghijklmnop1234"),
            "sk_test_…1234"
        );
        assert_eq!(
            hint_for(KeyKind::Publishable, "pk_test_abcd"),
            "pk_test_abcd"
        );
    }

    #[test]
    fn demo_values_are_well_formed_and_stable() {
        let secret = Secret::new("x".repeat(48));
        let (sk, pk, pw) = demo_values(&secret);
        assert!(sk.starts_with("sk_test_") && sk.len() == 8 + KEY_RANDOM_LEN);
        assert!(pk.starts_with("pk_test_"));
        assert_eq!(pw.len(), 16);
        assert_eq!(demo_values(&secret).0, sk);
    }
}
