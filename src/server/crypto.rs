//! Randomness, digests and password hashing, in one place so their choices are reviewed once.

use crate::domain::ids::{BASE62, ID_RANDOM_LEN, IdKind};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::{Digest, Sha256};
use std::fmt;

/// A secret string: never printed by `Debug`, never serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself; call sites that use this are the ones to review.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Secrets may arrive in requests (a card number, a CVC): they deserialise, but never serialise.
impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// `len` random base62 characters from the thread-local CSPRNG.
pub fn random_base62(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| BASE62[rng.random_range(0..BASE62.len())] as char)
        .collect()
}

/// A fresh object id of `kind`.
pub fn new_id(kind: IdKind) -> String {
    format!("{}{}", kind.prefix(), random_base62(ID_RANDOM_LEN))
}

/// Lower-case hex SHA-256 of `data`: how API keys and session tokens are stored.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// HMAC-SHA256 of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Seals `plaintext` (a processor's secret key, say) under a key derived from the server
/// secret: XChaCha20-Poly1305 with a random nonce, as `v1.` + base64(nonce ‖ ciphertext).
pub fn seal(secret: &Secret, plaintext: &str) -> String {
    use base64::Engine;
    use chacha20poly1305::XChaCha20Poly1305;
    use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
    let cipher = XChaCha20Poly1305::new(&sealing_key(secret).into());
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let sealed = cipher
        .encrypt(&nonce, plaintext.as_bytes())
        .expect("encrypting in memory cannot fail");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    format!(
        "v1.{}",
        base64::engine::general_purpose::STANDARD.encode(out)
    )
}

/// Opens what `seal` produced; None when it was sealed under another server secret or altered.
pub fn unseal(secret: &Secret, sealed: &str) -> Option<String> {
    use base64::Engine;
    use chacha20poly1305::aead::{Aead, KeyInit};
    use chacha20poly1305::{XChaCha20Poly1305, XNonce};
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(sealed.strip_prefix("v1.")?)
        .ok()?;
    if bytes.len() < 24 {
        return None;
    }
    let (nonce, body) = bytes.split_at(24);
    let cipher = XChaCha20Poly1305::new(&sealing_key(secret).into());
    let plain = cipher.decrypt(XNonce::from_slice(nonce), body).ok()?;
    String::from_utf8(plain).ok()
}

fn sealing_key(secret: &Secret) -> [u8; 32] {
    hmac_sha256(secret.expose().as_bytes(), b"vinr:seal:v1")
}

/// A base62 string derived from the server secret and a label: the same on every start, so
/// derived credentials (the demo merchant's) can be printed again without ever being stored.
pub fn derive_base62(secret: &Secret, label: &str, len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut counter = 0u32;
    while out.len() < len {
        let block = hmac_sha256(
            secret.expose().as_bytes(),
            format!("{label}#{counter}").as_bytes(),
        );
        // Rejection sampling keeps the characters uniform over the alphabet.
        for byte in block {
            if out.len() < len && (byte as usize) < 248 {
                out.push(BASE62[byte as usize % 62] as char);
            }
        }
        counter += 1;
    }
    out
}

fn argon2() -> Argon2<'static> {
    // OWASP's argon2id baseline: 19 MiB, two passes, one lane.
    let params = Params::new(19 * 1024, 2, 1, None).expect("static argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with argon2id and a random salt, as a PHC string.
pub fn hash_password(password: &str) -> String {
    let mut salt_bytes = [0u8; 16];
    rand::rng().fill(&mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes).expect("16 bytes is a valid salt");
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing with valid parameters cannot fail")
        .to_string()
}

/// True when `password` matches the stored PHC `hash`. A malformed hash never matches.
pub fn verify_password(hash: &str, password: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Compares two byte strings in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::is_id;

    #[test]
    fn sealed_settings_open_only_with_the_same_secret() {
        let key = Secret::new("s".repeat(48));
        let sealed = seal(&key, "sk_live_secret");
        assert!(!sealed.contains("sk_live"));
        assert_ne!(sealed, seal(&key, "sk_live_secret"), "random nonces");
        assert_eq!(unseal(&key, &sealed).as_deref(), Some("sk_live_secret"));
        assert_eq!(unseal(&Secret::new("other"), &sealed), None);
        let mut altered = sealed.clone();
        altered.pop();
        altered.push('A');
        assert_eq!(unseal(&key, &altered), None);
        assert_eq!(unseal(&key, "garbage"), None);
    }

    #[test]
    fn ids_have_the_documented_shape() {
        let id = new_id(IdKind::Payment);
        assert!(is_id(IdKind::Payment, &id), "{id}");
        assert_ne!(new_id(IdKind::Payment), id);
    }

    #[test]
    fn secrets_do_not_leak_through_debug() {
        let secret = Secret::new("sk_test_supersecret");
        assert!(!format!("{secret:?}").contains("supersecret"));
    }

    #[test]
    fn derived_strings_are_stable_and_label_dependent() {
        let secret = Secret::new("server secret");
        let a = derive_base62(&secret, "demo", 32);
        assert_eq!(a.len(), 32);
        assert_eq!(a, derive_base62(&secret, "demo", 32));
        assert_ne!(a, derive_base62(&secret, "other", 32));
        assert_ne!(a, derive_base62(&Secret::new("another"), "demo", 32));
    }

    #[test]
    fn passwords_verify_only_with_the_right_input() {
        let hash = hash_password("correct horse");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "correct horse"));
        assert!(!verify_password(&hash, "wrong horse"));
        assert!(!verify_password("not a hash", "correct horse"));
    }

    #[test]
    fn digests_and_macs_match_known_values() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // RFC 4231 test case 2.
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
