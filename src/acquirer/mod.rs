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
}

/// The default connection every merchant has.
pub const DEFAULT_CONNECTION: &str = "acq_sandbox";

/// Acquirer connections by id (`acq_sandbox`, `acq_eu_1`, …).
#[derive(Clone, Default)]
pub struct Registry {
    connections: HashMap<String, Arc<dyn Acquirer>>,
}

impl Registry {
    /// The sandbox under its default name and the simulated regional connections.
    pub fn sandbox(latency: std::time::Duration) -> Registry {
        let mut registry = Registry::default();
        for id in [DEFAULT_CONNECTION, "acq_eu_1", "acq_us_1"] {
            registry
                .connections
                .insert(id.to_string(), Arc::new(sandbox::Sandbox::new(latency)));
        }
        registry
    }

    pub fn get(&self, id: &str) -> Option<Arc<dyn Acquirer>> {
        self.connections.get(id).cloned()
    }

    /// Connection ids, sorted.
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.connections.keys().cloned().collect();
        ids.sort();
        ids
    }
}
