//! API key authentication in the three forms of §2: `X-Api-Key`, `Authorization: Bearer`, and
//! HTTP Basic with the key as user name.

use super::error::ApiError;
pub use crate::domain::api_key::KeyKind;
use crate::domain::mode::Mode;
use crate::server::services::Scope;
use crate::server::state::AppState;
use crate::server::store::api_keys;
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use base64::Engine;

/// Who is calling: an account, in a mode, with a kind of key.
#[derive(Debug, Clone)]
pub struct ApiAuth {
    pub account_id: String,
    pub account_name: String,
    pub default_currency: String,
    /// The connection payments use when they name none (dashboard settings).
    pub default_acquirer: String,
    pub mode: Mode,
    pub kind: KeyKind,
}

/// Extractor for endpoints that need a secret key.
#[derive(Debug, Clone)]
pub struct SecretAuth(pub ApiAuth);

/// The account and mode a caller acts on: what the use cases are given.
pub fn scope_of(auth: &ApiAuth) -> Scope {
    Scope {
        account_id: auth.account_id.clone(),
        mode: auth.mode,
    }
}

impl From<SecretAuth> for ApiAuth {
    fn from(secret: SecretAuth) -> ApiAuth {
        secret.0
    }
}

/// Reads the presented key from the headers, whichever form it came in.
pub fn presented_key(headers: &HeaderMap) -> Option<String> {
    if let Some(v) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return Some(v.trim().to_string());
    }
    let auth = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    let (scheme, rest) = auth.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(rest.trim().to_string());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest.trim())
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let user = text.split(':').next().unwrap_or_default();
        return Some(user.to_string());
    }
    None
}

/// The kind and mode a key claims by its prefix.
pub fn classify(key: &str) -> Option<(KeyKind, Mode)> {
    [
        (KeyKind::Secret, Mode::Test),
        (KeyKind::Secret, Mode::Live),
        (KeyKind::Publishable, Mode::Test),
        (KeyKind::Publishable, Mode::Live),
    ]
    .into_iter()
    .find(|(kind, mode)| key.starts_with(&kind.prefix(*mode)))
}

/// A key shown back in an error, with all but its prefix and last four characters hidden.
pub fn redact(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 12 {
        return "*".repeat(chars.len());
    }
    let prefix: String = chars[..8].iter().collect();
    let last: String = chars[chars.len() - 4..].iter().collect();
    format!("{prefix}****{last}")
}

impl FromRequestParts<AppState> for ApiAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(key) = presented_key(&parts.headers).filter(|k| !k.is_empty()) else {
            return Err(ApiError::unauthenticated(
                "You did not provide an API key. Send it in the X-Api-Key header, as \
                 `Authorization: Bearer <key>`, or as the HTTP Basic user name.",
            )
            .with_code("api_key_missing"));
        };
        authenticate(state, &key).await
    }
}

/// Checks a presented key (from a header, or from the card element's page and calls):
/// known, not expired, and of the kind and mode its prefix claims. Verified keys are kept
/// for a few seconds (`store::key_cache`).
pub async fn authenticate(state: &AppState, key: &str) -> Result<ApiAuth, ApiError> {
    let invalid =
        || ApiError::unauthenticated(format!("Invalid API key provided: {}", redact(key)));
    let (kind, mode) = classify(key).ok_or_else(invalid)?;
    let digest = crate::server::crypto::sha256_hex(key.as_bytes());
    let seen = std::time::Instant::now();
    let owner = match state.keys.get(&digest, seen) {
        Some(owner) => owner,
        None => {
            let owner = api_keys::find_owner_by_digest(state.store.reader(), &digest)
                .await?
                .ok_or_else(invalid)?;
            state.keys.put(&digest, owner.clone(), seen);
            owner
        }
    };
    if owner.expires_at.is_some_and(|at| at <= state.clock.now()) {
        return Err(ApiError::unauthenticated(format!(
            "The API key {} has expired; use the key that replaced it.",
            redact(key)
        ))
        .with_code("api_key_expired"));
    }
    // The stored kind and mode are authoritative; the prefix only has to agree.
    if owner.kind != kind.as_str() || owner.mode != mode {
        return Err(invalid());
    }
    Ok(ApiAuth {
        account_id: owner.account_id,
        account_name: owner.account_name,
        default_currency: owner.default_currency,
        default_acquirer: owner.default_acquirer,
        mode,
        kind,
    })
}

impl FromRequestParts<AppState> for SecretAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let auth = ApiAuth::from_request_parts(parts, state).await?;
        if auth.kind != KeyKind::Secret {
            return Err(ApiError::forbidden(
                "This endpoint needs a secret key (sk_…); publishable keys may only call the \
                 browser-side endpoints.",
            ));
        }
        Ok(SecretAuth(auth))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(name: &str, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
        h
    }

    #[test]
    fn reads_all_three_forms() {
        assert_eq!(
            presented_key(&headers("x-api-key", "sk_test_a")).as_deref(),
            Some("sk_test_a")
        );
        assert_eq!(
            presented_key(&headers("authorization", "Bearer sk_test_b")).as_deref(),
            Some("sk_test_b")
        );
        // base64("sk_test_c:") as curl -u sk_test_c: sends it.
        let basic = base64::engine::general_purpose::STANDARD.encode("sk_test_c:");
        assert_eq!(
            presented_key(&headers("authorization", &format!("Basic {basic}"))).as_deref(),
            Some("sk_test_c")
        );
        assert_eq!(presented_key(&headers("authorization", "Digest x")), None);
        assert_eq!(presented_key(&HeaderMap::new()), None);
    }

    #[test]
    fn classifies_and_redacts_keys() {
        assert_eq!(classify("sk_test_abc"), Some((KeyKind::Secret, Mode::Test)));
        assert_eq!(
            classify("pk_live_abc"),
            Some((KeyKind::Publishable, Mode::Live))
        );
        assert_eq!(classify("rk_test_abc"), None);
        let shown = redact("sk_test_0123456789abcdefWXYZ");
        assert_eq!(shown, "sk_test_****WXYZ");
        assert_eq!(redact("short"), "*****");
    }
}
