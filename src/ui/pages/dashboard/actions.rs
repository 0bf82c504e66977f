//! What every dashboard action shares. Actions are the Leptos server functions the dashboard's
//! forms post to; each page keeps its own beside it (`*_actions.rs`), calling the same services
//! as the REST API.
//!
//! Actions are plain form posts, so they work without JavaScript: on success the browser is
//! sent back to the page it came from with `?notice=<what happened>`; on failure Leptos sends it
//! back with the error encoded in `__err`, which the page shows in words.

use crate::server::services::payments::PaymentError;
use crate::server::services::{Scope, ServiceError};
use crate::server::state::AppState;
use crate::server::store::sessions::SessionOwner;
use crate::server::web::session::CurrentSession;
use http::request::Parts;
use leptos::prelude::*;

/// Where dashboard actions are served: `POST /dashboard/do/<action>`.
pub const ACTION_PREFIX: &str = "/dashboard/do";

/// What every action needs: the server, the signed-in user, and the account and mode they act on.
pub struct Ctx {
    pub state: AppState,
    pub owner: SessionOwner,
    pub scope: Scope,
    parts: Parts,
}

impl Ctx {
    /// The context of the action being run, or an error asking to sign in again.
    pub fn get() -> Result<Ctx, ServerFnError> {
        let parts = use_context::<Parts>().ok_or_else(|| fail("Missing request."))?;
        let state = use_context::<AppState>().ok_or_else(|| fail("Missing server state."))?;
        let owner = parts
            .extensions
            .get::<CurrentSession>()
            .map(|s| s.0.clone())
            .ok_or_else(|| fail("Your session has ended. Sign in again."))?;
        let scope = Scope {
            account_id: owner.account_id.clone(),
            mode: owner.mode,
        };
        Ok(Ctx {
            state,
            owner,
            scope,
            parts,
        })
    }

    /// The session cookie's token (to change the session itself).
    pub fn session_token(&self) -> Option<String> {
        crate::server::web::session::cookie(
            &self.parts.headers,
            crate::server::web::session::COOKIE_NAME,
        )
    }

    /// Sends the browser back to the page the form was on, saying what happened.
    pub fn back(&self, notice: &str) {
        let referer = self
            .parts
            .headers
            .get(http::header::REFERER)
            .and_then(|v| v.to_str().ok());
        leptos_axum::redirect(&back_to(referer, notice));
    }

    /// Sends the browser to one of our own pages.
    pub fn go(&self, path_and_query: &str) {
        leptos_axum::redirect(path_and_query);
    }
}

/// The path and query of `referer` (our own page; anything else falls back to the dashboard
/// home) with the previous outcome removed and `notice` added.
pub fn back_to(referer: Option<&str>, notice: &str) -> String {
    let base = url::Url::parse("http://vinr.invalid/dashboard").expect("a valid URL");
    let mut url = referer
        .and_then(|r| url::Url::parse(r).ok())
        .filter(|u| u.path().starts_with("/dashboard"))
        .map(|mut u| {
            // Only the path and query are kept: the host is whatever the browser used.
            let _ = u.set_host(Some("vinr.invalid"));
            u
        })
        .unwrap_or(base);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !matches!(k.as_ref(), "notice" | "__err" | "__path"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .append_pair("notice", notice);
    format!("{}?{}", url.path(), url.query().unwrap_or_default())
}

/// An error the page shows as it is.
pub fn fail(message: impl Into<String>) -> ServerFnError {
    ServerFnError::ServerError(message.into())
}

/// A database failure: logged, and shown without internals.
pub fn internal(err: impl std::fmt::Display) -> ServerFnError {
    tracing::error!(error = %err, "a dashboard action failed");
    fail("Something went wrong on our side; nothing was changed. Try again.")
}

/// A service's refusal in words (they are written for people already).
pub fn service_error(err: ServiceError) -> ServerFnError {
    match err {
        ServiceError::Database(e) => internal(e),
        other => fail(other.to_string()),
    }
}

pub fn payment_error(err: PaymentError) -> ServerFnError {
    match err {
        PaymentError::Service(e) => service_error(e),
        other => fail(other.to_string()),
    }
}

/// The message of an error carried back in `__err`, for the page to show.
pub fn decode_error(encoded: &str) -> String {
    let err = leptos::server_fn::error::ServerFnUrlError::<ServerFnError>::decode_err(encoded);
    match err {
        ServerFnError::ServerError(message) => message,
        ServerFnError::Args(_)
        | ServerFnError::MissingArg(_)
        | ServerFnError::Deserialization(_) => {
            "The form was incomplete; reload the page and try again.".into()
        }
        _ => "That did not work; reload the page and try again.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_keeps_the_page_and_its_filters_and_replaces_the_outcome() {
        assert_eq!(
            back_to(
                Some("http://127.0.0.1:3000/dashboard/payments?status=failed&notice=x&__err=abc"),
                "captured"
            ),
            "/dashboard/payments?status=failed&notice=captured"
        );
        assert_eq!(
            back_to(Some("https://evil.example/phish"), "captured"),
            "/dashboard?notice=captured"
        );
        assert_eq!(back_to(None, "saved"), "/dashboard?notice=saved");
    }

    #[test]
    fn errors_come_back_in_words() {
        let err = fail("The payment cannot be captured: it is canceled.");
        let encoded = leptos::server_fn::error::ServerFnUrlError::new("/x", err)
            .to_url("http://h/p")
            .unwrap();
        let value = encoded
            .query_pairs()
            .find(|(k, _)| k == "__err")
            .unwrap()
            .1
            .into_owned();
        assert_eq!(
            decode_error(&value),
            "The payment cannot be captured: it is canceled."
        );
        assert!(decode_error("not base64!").contains("reload the page"));
    }
}
