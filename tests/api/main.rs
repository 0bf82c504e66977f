//! The API test suite: one binary, run against SQLite by default and against Postgres when
//! `TEST_DATABASE_URL` is set (`make test` runs both).

mod account;
mod billing;
mod cards;
mod checkout;
mod customers;
mod dashboard;
mod elements;
mod errors;
mod helpers;
mod idempotency;
mod ledger;
mod loyalty;
mod openapi;
mod pages;
mod payments;
mod processor;
mod reconcile;
mod refunds;
mod saved_cards;
mod webhooks;
