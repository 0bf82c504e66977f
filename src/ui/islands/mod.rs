//! Interactive islands: the only parts of a page that ship wasm.

pub mod card_element;
pub mod card_fields;
pub mod card_form;
pub mod password_field;
