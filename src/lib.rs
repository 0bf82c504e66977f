//! VINR: a self-hosted payment gateway.
//!
//! One crate, two builds: the server (`ssr`) and the wasm islands (`hydrate`). Modules that only
//! make sense on the server are gated here, at the module line.
#![forbid(unsafe_code)]
#![recursion_limit = "256"]

pub mod domain;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod acquirer;
#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod app;
#[cfg(feature = "ssr")]
pub mod challenge;
#[cfg(feature = "ssr")]
pub mod checkout_form;
#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod crypto;
#[cfg(feature = "ssr")]
pub mod dashboard;
#[cfg(feature = "ssr")]
pub mod demo_shop;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod views;
#[cfg(feature = "ssr")]
pub mod webhooks;
#[cfg(feature = "ssr")]
pub mod workers;

/// Entry point of the wasm bundle: wakes up the islands on a server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
