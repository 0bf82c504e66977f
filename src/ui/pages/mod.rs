//! Server-rendered pages.

pub mod checkout;
pub mod dashboard;
pub mod elements;
pub mod invoice;
pub mod login;
pub mod not_found;
pub mod receipt;
pub mod signup;
pub mod three_ds;

use crate::server::web::session::CurrentSession;
use leptos::prelude::*;

/// The signed-in user of the request being rendered (set by `session::resolve_session`).
pub fn current_session() -> Option<CurrentSession> {
    use_context::<http::request::Parts>()?
        .extensions
        .get::<CurrentSession>()
        .cloned()
}

/// Replaces the page's CSP (set by the shell) for this response: `form_origin` may receive
/// the page's form posts, `frame_ancestors` may frame it (see `ui::csp::page_csp_for`).
pub fn set_page_csp(form_origin: &str, frame_ancestors: &str) {
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        let csp = crate::ui::csp::page_csp_for(&nonce.to_string(), form_origin, frame_ancestors);
        if let Ok(value) = http::HeaderValue::from_str(&csp) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

/// The origin of a payment's `return_url` (empty without one): a page whose form post ends in
/// a redirect there must name it in `form-action`, which browsers apply to the redirect too.
pub fn return_origin(payment: &crate::server::store::payments::PaymentRow) -> String {
    payment
        .return_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default()
}

/// A hosted page (checkout, invoice) that has nothing else to show: the tab's title, a
/// heading and what to do, with the response's status.
pub fn hosted_message(
    status: http::StatusCode,
    title: &'static str,
    heading: &'static str,
    text: &'static str,
) -> leptos::prelude::AnyView {
    set_status(status);
    view! {
        <leptos_meta::Title text=title />
        <section class="checkout-card">
            <h1>{heading}</h1>
            <p>{text}</p>
        </section>
    }
    .into_any()
}

/// A hosted page's card in the merchant's colour (set through the page's nonce: the CSP
/// allows no inline styles), headed by the merchant's initial and name and, in test mode,
/// the badge; then `body`.
#[component]
pub fn MerchantCard(
    merchant: String,
    brand_color: String,
    test_mode: bool,
    body: AnyView,
) -> impl IntoView {
    let initial = merchant
        .chars()
        .next()
        .map(|c| c.to_uppercase().to_string())
        .unwrap_or_default();
    let nonce = leptos::nonce::use_nonce().map(|n| n.to_string());
    let css = format!(":root{{--brand:{brand_color}}}");
    view! {
        <style nonce=nonce>{css}</style>
        <section class="checkout-card" aria-labelledby="merchant-name">
            <header class="checkout-head">
                <span class="merchant-mark" aria-hidden="true">{initial}</span>
                <h1 id="merchant-name" class="merchant-name">{merchant}</h1>
                {test_mode.then(|| view! { <span class="badge test" title="Sandbox: no real money moves">"Test mode"</span> })}
            </header>
            {body}
        </section>
    }
}

/// What a plain (no JavaScript) post of the card form came back with, from the query: the
/// field the server refused with its message (`?invalid=`), and whether it failed on our side
/// (`?failed=1`).
pub fn card_form_outcome() -> (Option<(String, String)>, bool) {
    use leptos_router::hooks::use_query_map;
    use_query_map().with_untracked(|q| {
        (
            q.get("invalid").and_then(|f| {
                crate::domain::checkout::field_message(&f).map(|m| (f, m.to_string()))
            }),
            q.get("failed").is_some(),
        )
    })
}

/// Sets the response's status (a page that is not found still renders).
pub fn set_status(status: http::StatusCode) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}
