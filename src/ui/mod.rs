//! The user interface. Islands are compiled to wasm and hydrated in the browser; pages are
//! rendered on the server only.

pub mod islands;

#[cfg(feature = "ssr")]
pub mod csp;

#[cfg(feature = "ssr")]
pub mod shell;

#[cfg(feature = "ssr")]
pub mod pages;
