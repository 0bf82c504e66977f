//! The card element's frame (`/elements/card?pk=…&origin=…`) and the page inside it where an
//! issuer challenge ends (`/elements/challenge/{payment}`).
//!
//! Only the merchant's allowed origins may frame them (CSP `frame-ancestors`); the browser
//! enforces that, whatever the `origin` parameter claims. The parameter only names which of
//! those origins the frame may talk to.

use super::{set_page_csp, set_status};
use crate::domain::api_key::KeyKind;
use crate::server::api::auth::authenticate;
use crate::server::services::accounts;
use crate::server::services::elements::{challenge_ancestors, frame_ancestors, origin_allowed};
use crate::server::state::AppState;
use crate::ui::islands::card_element::CardElement;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ElementsCardPage() -> impl IntoView {
    let (key, origin) = use_query_map().with_untracked(|q| {
        (
            q.get("pk").unwrap_or_default(),
            q.get("origin").unwrap_or_default(),
        )
    });
    let state = expect_context::<AppState>();
    let content = Suspend::new(async move {
        let refuse = |title: &'static str, message: String| {
            set_status(http::StatusCode::BAD_REQUEST);
            view! {
                <div class="elements-card refused" data-testid="elements-refused">
                    <p class="notice error" role="alert"><strong>{title}</strong> " " {message}</p>
                </div>
            }
            .into_any()
        };
        let auth = match authenticate(&state, &key).await {
            Ok(auth) if auth.kind == KeyKind::Publishable => auth,
            Ok(_) => {
                return refuse(
                    "Secret key in a web page.",
                    "The card element takes a publishable key (pk_…). Roll this secret key now: \
                     anyone who saw the page can use it."
                        .into(),
                );
            }
            Err(err) => return refuse("Card fields unavailable.", err.message.clone()),
        };
        let account = match accounts::find(&state.store, &auth.account_id).await {
            Ok(Some(account)) => account,
            Ok(None) => return refuse("Card fields unavailable.", "No such account.".into()),
            Err(err) => {
                tracing::error!(error = %err, "loading the card element's account failed");
                set_status(http::StatusCode::INTERNAL_SERVER_ERROR);
                return view! { <p class="notice error">"Something went wrong. Reload the page."</p> }
                    .into_any();
            }
        };
        set_page_csp("", &frame_ancestors(&account));
        if !origin_allowed(&account, &origin) {
            return refuse(
                "This site may not show these card fields.",
                format!(
                    "Add {origin} to the allowed embed origins in the VINR dashboard (Settings)."
                ),
            );
        }
        view! {
            <CardElement
                publishable_key=key.clone()
                parent_origin=origin.clone()
                today=crate::server::clock::year_month(state.clock.now())
            />
        }
        .into_any()
    });
    // Until the account is known, nobody may frame the page.
    set_page_csp("", "'none'");
    view! {
        <Title text="Card details · VINR" />
        <main class="elements-frame">
            <Suspense fallback=|| ()>{content}</Suspense>
        </main>
    }
}

/// Where a challenge started in the card element ends. The element sees this page load in
/// its dialog, closes it and asks for the result; without script it says where things stand.
#[component]
pub fn ElementsChallengeEnd() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let state = expect_context::<AppState>();
    let content = Suspend::new(async move {
        let payment =
            match crate::server::services::payments::find_by_reference(&state.store, &id).await {
                Ok(Some(payment)) => payment,
                Ok(None) => {
                    set_status(http::StatusCode::NOT_FOUND);
                    return view! { <p>"No such payment."</p> }.into_any();
                }
                Err(err) => {
                    tracing::error!(error = %err, "loading a challenge's end failed");
                    set_status(http::StatusCode::INTERNAL_SERVER_ERROR);
                    return view! { <p>"Something went wrong."</p> }.into_any();
                }
            };
        if let Ok(Some(account)) = accounts::find(&state.store, &payment.account_id).await {
            set_page_csp("", &challenge_ancestors(&account));
        }
        let status = payment.status.as_str();
        view! {
            <p data-testid="challenge-status">"Authentication finished. This payment is now " <strong>{status}</strong> "."</p>
        }
        .into_any()
    });
    set_page_csp("", "'none'");
    view! {
        <Title text="Authentication finished · VINR" />
        <main class="elements-frame">
            <Suspense fallback=|| ()>{content}</Suspense>
        </main>
    }
}
