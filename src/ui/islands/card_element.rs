//! The embedded card element: the checkout's card fields inside an iframe on a merchant's
//! page. It talks to the page's loader (`/v1/elements.js`) only by `postMessage`, only with
//! the one origin the server checked against the merchant's allow-list, and only with the
//! window that framed it. The client secret arrives that way too, never in a URL.
//!
//! Card data goes from these fields to our own server functions below; a 3-D Secure
//! challenge opens inside the frame, as a dialog over the fields.

use super::card_fields::{CardFields, CardInputs, focus};
use crate::domain::elements::{
    ElementError, ElementsOutcome, FrameMessage, PageMessage, parse_page_message,
};
use leptos::html;
use leptos::prelude::*;

/// Where the payment behind a client secret stands (the frame asks on `init` and after a
/// challenge).
#[server(endpoint = "elements/status")]
pub async fn elements_status(
    publishable_key: String,
    client_secret: String,
) -> Result<ElementsOutcome, ServerFnError> {
    let state = expect_context::<crate::server::state::AppState>();
    let scope = browser_scope(&state, &publishable_key).await?;
    crate::server::services::elements::status(&state.payment_deps(), &scope, &client_secret)
        .await
        .map_err(frame_error)
}

/// Pays the client secret's payment with the card typed into the frame.
#[server(endpoint = "elements/confirm")]
pub async fn elements_confirm(
    publishable_key: String,
    client_secret: String,
    number: String,
    expiry: String,
    cvc: String,
) -> Result<ElementsOutcome, ServerFnError> {
    use crate::server::services::card_entry::TypedCard;
    let state = expect_context::<crate::server::state::AppState>();
    let scope = browser_scope(&state, &publishable_key).await?;
    let card = TypedCard {
        name: None,
        number: crate::server::crypto::Secret::new(number),
        expiry,
        cvc: crate::server::crypto::Secret::new(cvc),
    };
    crate::server::services::elements::confirm(&state.payment_deps(), &scope, &client_secret, card)
        .await
        .map_err(frame_error)
}

/// The account and mode of a publishable key (a secret key is refused: it must never be in
/// a web page).
#[cfg(feature = "ssr")]
async fn browser_scope(
    state: &crate::server::state::AppState,
    key: &str,
) -> Result<crate::server::services::Scope, ServerFnError> {
    let auth = crate::server::api::auth::authenticate(state, key)
        .await
        .map_err(|e| refuse(e.status, e.message.clone()))?;
    if auth.kind != crate::domain::api_key::KeyKind::Publishable {
        return Err(refuse(
            http::StatusCode::FORBIDDEN,
            "The card element takes a publishable key (pk_…). Never put a secret key in a web page."
                .into(),
        ));
    }
    Ok(crate::server::services::Scope {
        account_id: auth.account_id,
        mode: auth.mode,
    })
}

/// A refusal in words for the merchant's developer; a failure on our side says only that
/// (its cause is logged, never card data: the card was checked and dropped before).
#[cfg(feature = "ssr")]
fn frame_error(err: crate::server::services::payments::PaymentError) -> ServerFnError {
    let api = crate::server::api::error::ApiError::from(err);
    let message = if api.status.is_server_error() {
        "Something went wrong on our side. Check the payment's status before trying again.".into()
    } else {
        api.message.clone()
    };
    refuse(api.status, message)
}

/// A failure with its HTTP status (a refusal is a 4xx, not Leptos' default 500).
#[cfg(feature = "ssr")]
fn refuse(status: http::StatusCode, message: String) -> ServerFnError {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
    ServerFnError::new(message)
}

/// Posts a message to the page that framed us, to its checked origin only.
fn post(origin: &str, message: &FrameMessage) {
    if let Ok(Some(parent)) = window().parent() {
        let _ = parent.post_message(&message.to_json().into(), origin);
    }
}

/// The words a server function failure carries (without Leptos' prefix).
fn failure_message(err: &ServerFnError) -> String {
    match err {
        ServerFnError::ServerError(message) => message.clone(),
        _ => "We couldn't reach the payment server. Check your connection and try again.".into(),
    }
}

#[island]
pub fn CardElement(
    publishable_key: String,
    /// The origin of the merchant's page, checked against its allow-list by the server.
    parent_origin: String,
    today: (i32, u32),
) -> impl IntoView {
    let fields = CardFields::new(today, |_| None);
    let client_secret = RwSignal::new(None::<String>);
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let challenge = RwSignal::new(None::<String>);
    let pending = RwSignal::new(None::<u64>);
    let challenge_frame = NodeRef::<html::Iframe>::new();
    let key = StoredValue::new(publishable_key);
    let origin = StoredValue::new(parent_origin);
    let send = move |message: FrameMessage| origin.with_value(|o| post(o, &message));

    // The page learns our height after every change that can move it.
    let report_height = move || {
        request_animation_frame(move || {
            // The body, not the root element: the frame's padding counts too.
            if let Some(body) = document().body() {
                send(FrameMessage::Resize {
                    height: body.offset_height(),
                });
            }
        });
    };
    Effect::new(move |_| {
        banner.track();
        challenge.track();
        for error in [fields.number_error, fields.expiry_error, fields.cvc_error] {
            error.0.track();
        }
        report_height();
    });

    let on_change = Callback::new(move |()| {
        let error = fields
            .shown_error()
            .map(|m| ElementError::new("validation_error", "invalid_card", m));
        send(FrameMessage::Change {
            complete: fields.complete(),
            empty: fields.empty(),
            brand: fields.brand.get_untracked().as_str().to_string(),
            error,
        });
    });

    // Answers confirm `id` and says in the frame what went wrong.
    let answer = move |id: u64, outcome: &ElementsOutcome| {
        match outcome {
            ElementsOutcome::Declined { message, .. } => {
                banner.set(Some(message.clone()));
                fields.clear_after_decline();
            }
            ElementsOutcome::Invalid { field, message } => fields.show_invalid(field, message),
            _ => {}
        }
        let (payment, error) = match outcome.confirm_result() {
            Ok(payment) => (Some(payment), None),
            Err(error) => (None, Some(error)),
        };
        send(FrameMessage::Result { id, payment, error });
    };
    let fail = move |id: u64, message: String| {
        banner.set(Some(message.clone()));
        send(FrameMessage::Result {
            id,
            payment: None,
            error: Some(ElementError::new("api_error", "api_error", message)),
        });
    };

    let init = move |secret: String, appearance: Box<crate::domain::elements::Appearance>| {
        if client_secret.get_untracked().is_some() {
            return;
        }
        let (variables, refused) = appearance.css_variables();
        if let Some(style) = document()
            .document_element()
            .and_then(|e| {
                leptos::wasm_bindgen::JsCast::dyn_into::<leptos::web_sys::HtmlElement>(e).ok()
            })
            .map(|e| e.style())
        {
            for (property, value) in variables {
                let _ = style.set_property(property, &value);
            }
        }
        if !refused.is_empty() {
            leptos::logging::warn!("VINR card element: appearance variables ignored: {refused:?}");
        }
        client_secret.set(Some(secret.clone()));
        let key = key.get_value();
        leptos::task::spawn_local(async move {
            match elements_status(key, secret).await {
                Ok(_) => send(FrameMessage::Ready),
                Err(err) => {
                    let message = failure_message(&err);
                    banner.set(Some(message.clone()));
                    send(FrameMessage::Error {
                        error: ElementError::new(
                            "invalid_request_error",
                            "elements_setup",
                            message,
                        ),
                    });
                }
            }
            report_height();
        });
    };

    let confirm = move |id: u64| {
        let Some(secret) = client_secret.get_untracked() else {
            return fail(id, "The card element has no client secret yet.".into());
        };
        if busy.get_untracked() {
            send(FrameMessage::Result {
                id,
                payment: None,
                error: Some(ElementError::new(
                    "invalid_request_error",
                    "confirm_in_progress",
                    "A confirmation is already in progress.",
                )),
            });
            return;
        }
        banner.set(None);
        if let Some(node) = fields.check_all() {
            focus(node);
            let first = [
                ("number", fields.number_problem()),
                ("expiry", fields.expiry_problem()),
                ("cvc", fields.cvc_problem()),
            ]
            .into_iter()
            .find_map(|(field, problem)| problem.map(|m| (field, m)));
            let (field, message) = first.unwrap_or(("number", "Check the card details."));
            let outcome = ElementsOutcome::Invalid {
                field: field.into(),
                message: message.into(),
            };
            send(FrameMessage::Result {
                id,
                payment: None,
                error: outcome.confirm_result().err(),
            });
            return;
        }
        busy.set(true);
        let key = key.get_value();
        leptos::task::spawn_local(async move {
            let result = elements_confirm(
                key,
                secret,
                fields.number.get_untracked(),
                fields.expiry.get_untracked(),
                fields.cvc.get_untracked(),
            )
            .await;
            match result {
                Ok(ElementsOutcome::Challenge(url)) => {
                    pending.set(Some(id));
                    challenge.set(Some(url));
                }
                Ok(outcome) => {
                    busy.set(false);
                    answer(id, &outcome);
                }
                Err(err) => {
                    busy.set(false);
                    fail(id, failure_message(&err));
                }
            }
        });
    };

    // Listens once hydrated (effects run only in the browser), then tells the page.
    Effect::new(move |_| {
        let handle = window_event_listener(leptos::ev::message, move |ev| {
            let from_parent = window()
                .parent()
                .ok()
                .flatten()
                .zip(ev.source())
                .is_some_and(|(parent, source)| {
                    leptos::web_sys::js_sys::Object::is(parent.as_ref(), source.as_ref())
                });
            let expected = origin.with_value(|o| ev.origin() == *o);
            if !from_parent || !expected {
                return;
            }
            let Some(message) = ev.data().as_string().and_then(|d| parse_page_message(&d)) else {
                return;
            };
            match message {
                PageMessage::Init {
                    client_secret,
                    appearance,
                } => init(client_secret, appearance),
                PageMessage::Confirm { id } => confirm(id),
            }
        });
        let resize = window_event_listener(leptos::ev::resize, move |_| report_height());
        on_cleanup(move || {
            handle.remove();
            resize.remove();
        });
        send(FrameMessage::Loaded);
    });

    // The challenge ends on our own page (`/elements/challenge/…`), which we may read.
    let on_challenge_load = move |_| {
        let ended = challenge_frame
            .get_untracked()
            .and_then(|f| f.content_window())
            .and_then(|w| w.location().pathname().ok())
            .is_some_and(|path| path.starts_with("/elements/challenge/"));
        if !ended {
            return;
        }
        challenge.set(None);
        let (Some(id), Some(secret)) = (pending.get_untracked(), client_secret.get_untracked())
        else {
            busy.set(false);
            return;
        };
        pending.set(None);
        let key = key.get_value();
        leptos::task::spawn_local(async move {
            let result = elements_status(key, secret).await;
            busy.set(false);
            match result {
                Ok(outcome) => answer(id, &outcome),
                Err(err) => fail(id, failure_message(&err)),
            }
        });
    };

    view! {
        <div class="elements-card" role="group" aria-label="Card details" data-testid="card-element">
            <div class="notice error" role="alert" data-testid="payment-error" hidden=move || banner.with(Option::is_none)>
                {move || banner.get()}
            </div>
            <div class="elements-fields" aria-busy=move || busy.get().to_string() hidden=move || challenge.with(Option::is_some)>
                <CardInputs fields=fields on_change=on_change />
            </div>
            <Show when=move || challenge.with(Option::is_some)>
                <div class="elements-challenge" role="dialog" aria-modal="true" aria-label="Confirm the payment with your bank" data-testid="challenge">
                    <p class="muted">"Your bank asks you to confirm this payment."</p>
                    <iframe
                        node_ref=challenge_frame
                        src=move || challenge.get().unwrap_or_default()
                        title="3D Secure: confirm with your bank"
                        on:load=on_challenge_load
                    ></iframe>
                </div>
            </Show>
        </div>
    }
}
