//! Acquirers: who authorises, captures and releases card payments. The gateway talks to them
//! only through the `Acquirer` trait; the sandbox is one implementation.

pub mod sandbox;

use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Arc;

/// The card as an acquirer sees it: never the number, only what identifies and describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardProfile {
    pub brand: String,
    pub last4: String,
    /// The sandbox test scenario this card stands for (see `sandbox::Scenario`).
    pub scenario: String,
}

/// Why the issuer or acquirer said no, in the contract's codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decline {
    /// `code` of the card error: `card_declined`, `expired_card`, `incorrect_cvc`, `processing_error`.
    pub code: &'static str,
    /// `decline_code`: `generic_decline`, `insufficient_funds`, …
    pub decline_code: &'static str,
    /// What the merchant reads.
    pub message: &'static str,
}

/// The answer to an authorisation request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthOutcome {
    Authorized,
    /// The issuer wants a 3-D Secure challenge before deciding.
    ChallengeRequired,
    Declined(Decline),
}

/// One acquirer connection.
#[async_trait]
pub trait Acquirer: Send + Sync {
    /// Asks for an authorisation of `amount` minor units of `currency`; `manual_capture` when
    /// the merchant will capture later (a hold) rather than at once (a charge).
    async fn authorize(
        &self,
        card: &CardProfile,
        amount: i64,
        currency: &str,
        manual_capture: bool,
    ) -> AuthOutcome;
    /// The issuer's decision once the customer has completed (or failed) the challenge.
    async fn complete_challenge(&self, card: &CardProfile, passed: bool) -> AuthOutcome;
    /// Changes an authorisation to `new_amount`; an increase may be declined.
    async fn adjust(
        &self,
        card: &CardProfile,
        old_amount: i64,
        new_amount: i64,
    ) -> Result<(), Decline>;
    /// Captures `amount` of an authorisation.
    async fn capture(&self, card: &CardProfile, amount: i64) -> Result<(), Decline>;
    /// Releases `amount` of an authorisation.
    async fn release(&self, card: &CardProfile, amount: i64) -> Result<(), Decline>;
    /// Gives `amount` of a captured payment back to the card.
    async fn refund(&self, card: &CardProfile, amount: i64) -> Result<(), Decline>;
    /// What became of an authorisation whose answer we lost (the instance asking stopped
    /// before recording it). Asked by the reconciler, never twice for one attempt's money: an
    /// acquirer looks the attempt up by our reference rather than authorising again.
    async fn lookup_authorization(
        &self,
        card: &CardProfile,
        amount: i64,
        currency: &str,
        manual_capture: bool,
    ) -> AuthOutcome;
    /// What became of a refund whose answer we lost, looked up the same way.
    async fn lookup_refund(&self, card: &CardProfile, amount: i64) -> Result<(), Decline>;
}

/// The connection every merchant has, used when `routing[preferred_acquirer]` names none.
pub const DEFAULT_CONNECTION: &str = "acq_sandbox";

/// The connections a new account starts with, in each mode: (id, name).
pub const STARTING_CONNECTIONS: [(&str, &str); 3] = [
    (DEFAULT_CONNECTION, "Sandbox"),
    ("acq_eu_1", "Sandbox EU 1"),
    ("acq_us_1", "Sandbox US 1"),
];

/// The kind of connection backed by the simulated acquirer.
pub const SANDBOX_KIND: &str = "sandbox";

/// Acquirer implementations by kind. A merchant's connections (`acq_…`, stored per account)
/// each name a kind; this build has one, the sandbox.
#[derive(Clone, Default)]
pub struct Registry {
    kinds: HashMap<String, Arc<dyn Acquirer>>,
}

impl Registry {
    /// The sandbox, answering after `latency` (zero for benchmarks).
    pub fn sandbox(latency: std::time::Duration) -> Registry {
        let mut registry = Registry::default();
        registry.kinds.insert(
            SANDBOX_KIND.to_string(),
            Arc::new(sandbox::Sandbox::new(latency)),
        );
        registry
    }

    /// The implementation of connections of `kind`.
    pub fn get(&self, kind: &str) -> Option<Arc<dyn Acquirer>> {
        self.kinds.get(kind).cloned()
    }
}
