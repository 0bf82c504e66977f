//! API keys: secret keys call everything, publishable keys only what a browser may.

use super::mode::Mode;

/// Secret keys may call everything; publishable keys only the browser-side endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Secret,
    Publishable,
}

impl KeyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Secret => "secret",
            KeyKind::Publishable => "publishable",
        }
    }

    /// The key prefix for a kind and mode: `sk_test_`, `pk_live_`…
    pub fn prefix(self, mode: Mode) -> String {
        let kind = match self {
            KeyKind::Secret => "sk",
            KeyKind::Publishable => "pk",
        };
        format!("{kind}_{}_", mode.as_str())
    }
}
