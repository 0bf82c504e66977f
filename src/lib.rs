//! VINR: a self-hosted payment gateway.
//!
//! One crate, two builds: the server (`ssr`) and the wasm islands (`hydrate`). Everything that
//! only makes sense on the server lives under `server`, gated here at the module line; `domain`
//! (pure rules) and `ui` (pages and islands) are shared.
#![forbid(unsafe_code)]
#![recursion_limit = "256"]

pub mod domain;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;

/// Entry point of the wasm bundle: wakes up the islands on a server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
