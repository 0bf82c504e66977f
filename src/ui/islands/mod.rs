//! Interactive islands: the only parts of a page that ship wasm.
//!
//! The browser gets two bundles: the card element's frame (`frame` feature: its island only)
//! and everything else (checkout form, password fields). A bundle holds the islands compiled
//! into it, so each page downloads only its own code. The server renders them all.

#[cfg(any(feature = "ssr", feature = "frame"))]
pub mod card_element;
pub mod card_fields;
#[cfg(any(feature = "ssr", not(feature = "frame")))]
pub mod card_form;
#[cfg(any(feature = "ssr", not(feature = "frame")))]
pub mod password_field;
