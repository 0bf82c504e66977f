//! Domain types and rules. Compiles to wasm too: no database, no HTTP.

pub mod customer;
pub mod ids;
pub mod metadata;
pub mod mode;
