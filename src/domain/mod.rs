//! Domain types and rules. Compiles to wasm too: no database, no HTTP.

pub mod api_key;
pub mod billing;
pub mod calendar;
pub mod card;
pub mod checkout;
pub mod customer;
pub mod elements;
pub mod embed;
pub mod ids;
pub mod ledger;
pub mod lenient;
pub mod loyalty;
pub mod metadata;
pub mod mode;
pub mod money;
pub mod named;
pub mod payment;
pub mod refund;
pub mod stats;
pub mod webhook;
