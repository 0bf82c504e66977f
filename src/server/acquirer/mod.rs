//! Acquirers: who authorises, captures and releases card payments. The gateway talks to them
//! only through the `Acquirer` trait; the sandbox and the Stripe connector implement it.
//!
//! The trait speaks in what a real processor needs: our reference for each attempt (sent as
//! the processor's idempotency key, so a lost answer is looked up, never charged again), the
//! processor's token for the card, the processor's id of an authorisation, and the return URL
//! a 3-D Secure challenge comes back to.

pub mod sandbox;
pub mod stripe;

use crate::server::crypto::Secret;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Arc;

/// The card as an acquirer sees it: never the number, only what identifies and describes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CardProfile {
    pub brand: String,
    pub last4: String,
    /// The sandbox test scenario this card stands for (see `sandbox::Scenario`).
    pub scenario: String,
    /// The processor's token for the card (`pm_…` at Stripe); none in the sandbox.
    pub token: Option<String>,
}

/// A card as typed, on its way to a processor to be tokenised: held in memory only.
#[derive(Debug)]
pub struct NewCard<'a> {
    pub number: &'a Secret,
    pub exp_month: u32,
    pub exp_year: i32,
    pub cvc: &'a Secret,
}

/// Why the issuer, the acquirer or the processor said no, in the contract's codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decline {
    /// `code` of the card error: `card_declined`, `expired_card`, `incorrect_cvc`, `processing_error`.
    pub code: &'static str,
    /// `decline_code`: `generic_decline`, `insufficient_funds`, …
    pub decline_code: &'static str,
    /// What the merchant reads.
    pub message: &'static str,
}

impl Decline {
    /// The processor did not answer (timeout, 5xx): nothing is known of the request's fate.
    pub const UNAVAILABLE: Decline = Decline {
        code: "processing_error",
        decline_code: "processor_unavailable",
        message: "The payment processor did not answer in time. Try again in a little bit.",
    };

    /// Whether the request's fate is unknown (worth looking up), rather than refused.
    pub fn is_unavailable(&self) -> bool {
        *self == Decline::UNAVAILABLE
    }
}

/// One attempt to authorise a payment.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    /// Our id of the attempt (the charge it becomes): the processor's idempotency key.
    pub reference: &'a str,
    /// The payment it is an attempt of (the processor's webhooks name it back).
    pub payment_id: &'a str,
    pub card: &'a CardProfile,
    /// Minor units of `currency`.
    pub amount: i64,
    pub currency: &'a str,
    /// A hold to capture later rather than a charge at once.
    pub manual_capture: bool,
    /// The customer is not there (a renewal): the processor must not ask for a challenge.
    pub off_session: bool,
    /// Where a 3-D Secure challenge sends the customer back to.
    pub return_url: Option<&'a str>,
    pub statement_descriptor: Option<&'a str>,
}

/// An authorisation already granted, to capture, change, release or refund.
#[derive(Debug, Clone, Copy)]
pub struct Hold<'a> {
    /// Our reference of the attempt that authorised it.
    pub reference: &'a str,
    pub card: &'a CardProfile,
    /// The processor's id of the authorisation; none in the sandbox.
    pub processor_ref: Option<&'a str>,
}

/// The answer to an authorisation request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthOutcome {
    /// Granted; `processor_ref` is the processor's id of the authorisation.
    Authorized {
        processor_ref: Option<String>,
    },
    /// The issuer wants a 3-D Secure challenge before deciding: at the processor's `url`, or
    /// (none) at the sandbox's simulated issuer page.
    ChallengeRequired {
        url: Option<String>,
        processor_ref: Option<String>,
    },
    Declined(Decline),
    /// No answer (timeout, 5xx): the attempt stays `processing` for the reconciler, which
    /// looks it up by its reference.
    Unavailable,
}

impl AuthOutcome {
    /// Granted, with no processor id (the sandbox's answer).
    pub const AUTHORIZED: AuthOutcome = AuthOutcome::Authorized {
        processor_ref: None,
    };
}

/// One acquirer connection.
#[async_trait]
pub trait Acquirer: Send + Sync {
    /// Whether calls reach a processor that moves real money over the network. Such a call
    /// is always claimed first (the payment committed `processing` with its attempt's
    /// reference), so an answer lost in a crash is looked up, never asked for again; and live
    /// mode charges only through such connections.
    fn remote(&self) -> bool;
    /// Hands a typed card to the processor and answers its token; none when the acquirer keeps
    /// no cards (the sandbox, which only needs the card's scenario).
    async fn tokenize(&self, card: &NewCard<'_>) -> Result<Option<String>, Decline>;
    /// Asks for an authorisation (a hold when `manual_capture`, else a charge).
    async fn authorize(&self, attempt: &Attempt<'_>) -> AuthOutcome;
    /// The issuer's decision once the customer has completed (or failed) the challenge.
    /// `passed` is the sandbox page's answer; a processor knows it and is asked.
    async fn complete_challenge(
        &self,
        attempt: &Attempt<'_>,
        processor_ref: Option<&str>,
        passed: bool,
    ) -> AuthOutcome;
    /// Changes an authorisation to `new_amount`; an increase may be declined.
    async fn adjust(
        &self,
        hold: &Hold<'_>,
        old_amount: i64,
        new_amount: i64,
    ) -> Result<(), Decline>;
    /// Captures `amount` of an authorisation of `authorized`; the rest is released.
    async fn capture(&self, hold: &Hold<'_>, amount: i64, authorized: i64) -> Result<(), Decline>;
    /// Releases `amount` of an authorisation (`full`: all of it, which ends it).
    async fn release(&self, hold: &Hold<'_>, amount: i64, full: bool) -> Result<(), Decline>;
    /// Gives `amount` of a captured payment back to the card; `reference` is our refund's id.
    async fn refund(&self, reference: &str, hold: &Hold<'_>, amount: i64) -> Result<(), Decline>;
    /// What became of an authorisation whose answer we lost (the instance asking stopped
    /// before recording it). Asked by the reconciler, never twice for one attempt's money: an
    /// acquirer looks the attempt up by its reference rather than authorising again.
    async fn lookup_authorization(&self, attempt: &Attempt<'_>) -> AuthOutcome;
    /// What became of a refund whose answer we lost, looked up the same way.
    async fn lookup_refund(
        &self,
        reference: &str,
        hold: &Hold<'_>,
        amount: i64,
    ) -> Result<(), Decline>;
}

/// The connection every merchant has in test mode, used when `routing[preferred_acquirer]`
/// names none (live mode has none until the merchant adds a processor).
pub const DEFAULT_CONNECTION: &str = "acq_sandbox";

/// The connections a new account starts with in test mode: (id, name).
pub const STARTING_CONNECTIONS: [(&str, &str); 3] = [
    (DEFAULT_CONNECTION, "Sandbox"),
    ("acq_eu_1", "Sandbox EU 1"),
    ("acq_us_1", "Sandbox US 1"),
];

/// The kind of connection backed by the simulated acquirer.
pub const SANDBOX_KIND: &str = "sandbox";

/// The kind of connection backed by Stripe (as the processor behind VINR).
pub const STRIPE_KIND: &str = "stripe";

/// Acquirer implementations. The sandbox is one shared value; a processor connection is built
/// from its settings over the one pooled HTTPS client.
#[derive(Clone)]
pub struct Registry {
    kinds: HashMap<String, Arc<dyn Acquirer>>,
    http: stripe::Http,
    /// The hosts a processor connection may name (`Config::processor_hosts`).
    hosts: Vec<String>,
}

impl Registry {
    /// The sandbox, answering after `latency` (zero for benchmarks), and processors reached
    /// with `timeouts` at the `hosts` the operator allows.
    pub fn new(
        latency: std::time::Duration,
        timeouts: stripe::Timeouts,
        hosts: Vec<String>,
    ) -> Registry {
        let mut kinds: HashMap<String, Arc<dyn Acquirer>> = HashMap::new();
        kinds.insert(
            SANDBOX_KIND.to_string(),
            Arc::new(sandbox::Sandbox::new(latency)),
        );
        Registry {
            kinds,
            http: stripe::Http::new(timeouts),
            hosts,
        }
    }

    /// Whether a processor may be reached at `base`: a host the operator allows (with its
    /// port when the entry names one), over https, or over http on this machine only (a
    /// local fake).
    pub fn allows(&self, base: &url::Url) -> bool {
        let Some(host) = base.host_str().map(str::to_ascii_lowercase) else {
            return false;
        };
        let with_port = base.port().map(|p| format!("{host}:{p}"));
        let listed = self
            .hosts
            .iter()
            .any(|h| *h == host || Some(h) == with_port.as_ref());
        let loopback = matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]");
        listed && (base.scheme() == "https" || (base.scheme() == "http" && loopback))
    }

    /// The implementation of a stateless kind (the sandbox).
    pub fn get(&self, kind: &str) -> Option<Arc<dyn Acquirer>> {
        self.kinds.get(kind).cloned()
    }

    /// The Stripe connector for these (unsealed) settings.
    pub fn stripe(&self, settings: stripe::Settings) -> Arc<dyn Acquirer> {
        Arc::new(stripe::Stripe::new(self.http.clone(), settings))
    }

    /// The pooled client, for checking a processor key when a connection is added.
    pub fn http(&self) -> &stripe::Http {
        &self.http
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processors_are_reached_only_at_hosts_the_operator_allows() {
        let registry = Registry::new(
            std::time::Duration::ZERO,
            stripe::Timeouts::default(),
            vec![
                "api.stripe.com".into(),
                "127.0.0.1".into(),
                "proxy.example:8443".into(),
            ],
        );
        let allows = |u: &str| registry.allows(&url::Url::parse(u).unwrap());
        assert!(allows("https://api.stripe.com"));
        assert!(allows("https://API.Stripe.com/"));
        assert!(
            !allows("http://api.stripe.com"),
            "http only on this machine"
        );
        assert!(allows("http://127.0.0.1:8420"));
        assert!(allows("https://proxy.example:8443"));
        assert!(
            !allows("https://proxy.example"),
            "that entry names its port"
        );
        assert!(!allows("https://10.0.0.1"));
        assert!(!allows("http://localhost:8420"), "not listed");
        assert!(!allows("https://evil.example"));
    }
}
