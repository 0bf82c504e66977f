//! A short-lived cache of API keys already verified, so that a request does not cost a
//! database round trip just to learn whose key it carries.
//!
//! Entries live a few seconds: a key rolled or expired elsewhere (the CLI, another instance)
//! stops working within that time; expiry itself is still checked on every request against
//! the cached `expires_at`. Only keys that exist are cached, so unknown keys cannot fill it.

use crate::server::store::api_keys::KeyOwner;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a verified key is trusted without asking the database again.
pub const TTL: Duration = Duration::from_secs(5);
/// Entries kept at most; past it the cache starts over (keys are few: two per mode and account).
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub struct KeyCache {
    entries: Mutex<HashMap<String, (Instant, KeyOwner)>>,
}

impl KeyCache {
    /// The owner of the key with this digest, if verified less than `TTL` ago.
    pub fn get(&self, digest: &str, now: Instant) -> Option<KeyOwner> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(digest)
            .filter(|(at, _)| now.duration_since(*at) < TTL)
            .map(|(_, owner)| owner.clone())
    }

    pub fn put(&self, digest: &str, owner: KeyOwner, now: Instant) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (at, _)| now.duration_since(*at) < TTL);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(digest.to_string(), (now, owner));
    }

    /// Forgets everything (after a key changed in this process).
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner() -> KeyOwner {
        KeyOwner {
            key_id: "key_1".into(),
            mode: crate::domain::mode::Mode::Test,
            kind: "secret".into(),
            expires_at: None,
            account_id: "acct_1".into(),
            account_name: "Shop".into(),
            default_currency: "EUR".into(),
            default_acquirer: "acq_sandbox".into(),
        }
    }

    #[test]
    fn entries_expire_after_the_ttl() {
        let cache = KeyCache::default();
        let t0 = Instant::now();
        cache.put("d", owner(), t0);
        assert!(cache.get("d", t0 + Duration::from_secs(1)).is_some());
        assert!(cache.get("d", t0 + TTL).is_none());
        assert!(cache.get("other", t0).is_none());
        cache.clear();
        assert!(cache.get("d", t0).is_none());
    }
}
