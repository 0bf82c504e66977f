//! Interactive islands: the only parts of a page that ship wasm.

pub mod password_field;
