//! Server-rendered pages.

pub mod checkout;
pub mod dashboard;
pub mod login;
pub mod not_found;
pub mod receipt;
pub mod signup;
pub mod three_ds;

use crate::session::CurrentSession;
use leptos::prelude::*;

/// The signed-in user of the request being rendered (set by `session::resolve_session`).
pub fn current_session() -> Option<CurrentSession> {
    use_context::<http::request::Parts>()?
        .extensions
        .get::<CurrentSession>()
        .cloned()
}
