//! The card form of the hosted checkout.
//!
//! The server renders it as a plain form that posts to the `pay_checkout` server function, so
//! a customer without JavaScript can pay. Once hydrated, it formats the number and expiry as
//! they are typed, shows the brand, checks each field with the same rules as the server
//! (`domain::card`) and submits through the same server function, staying on the page for a
//! decline. The card number and CVC go only to our own origin and are never kept.

use super::card_fields::{CardFields, CardInputs, Field, FieldError, focus};
use crate::domain::checkout::{PayOutcome, field_message};
use leptos::html;
use leptos::prelude::*;

/// Pays a checkout or a hosted invoice with a typed card: the island calls it with `fetch`; without JavaScript
/// the form posts here and gets a redirect (`leptos_axum` tells the two apart by `Accept`).
#[server(endpoint = "checkout/pay")]
pub async fn pay_checkout(
    reference: String,
    name: String,
    number: String,
    expiry: String,
    cvc: String,
) -> Result<PayOutcome, ServerFnError> {
    use crate::server::services::checkout::{self, TypedCard};
    let state = expect_context::<crate::server::state::AppState>();
    let deps = state.payment_deps();
    let card = TypedCard {
        name: Some(name),
        number: crate::server::crypto::Secret::new(number),
        expiry,
        cvc: crate::server::crypto::Secret::new(cvc),
    };
    // The same form pays a checkout (`pay_…`) and a hosted invoice (`inv_…`).
    let is_invoice = reference.starts_with("inv_");
    let page = if is_invoice {
        crate::server::services::billing::hosted::page_of(&reference)
    } else {
        format!("/checkout/{reference}")
    };
    let result = if is_invoice {
        crate::server::services::billing::hosted::pay(&deps, &reference, card)
            .await
            .map_err(|e| e.to_string())
    } else {
        checkout::pay(&deps, &reference, card)
            .await
            .map_err(|e| e.to_string())
    };
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(err) => {
            // The error never holds card data: the card was checked and dropped before any
            // step that can fail this way.
            tracing::error!(error = %err, "a hosted card payment failed");
            if plain_form_post() {
                leptos_axum::redirect(&format!("{page}?failed=1"));
            }
            return Err(ServerFnError::new(
                "Something went wrong on our side. Check the payment's status before trying again.",
            ));
        }
    };
    if plain_form_post() {
        let target = match &outcome {
            PayOutcome::Redirect(url) => url.clone(),
            PayOutcome::Declined(_) => page,
            PayOutcome::Invalid { field, .. } => format!("{page}?invalid={field}"),
        };
        leptos_axum::redirect(&target);
    }
    Ok(outcome)
}

/// True for a browser's own form post (no JavaScript): it accepts HTML, `fetch` does not.
#[cfg(feature = "ssr")]
fn plain_form_post() -> bool {
    use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}

/// The card form. `today` is the server's (year, month), so expiry checks agree with it.
#[island]
pub fn CardForm(
    reference: String,
    pay_label: String,
    today: (i32, u32),
    /// A field refused by the server on a plain form post, with its message.
    #[prop(optional)]
    invalid: Option<(String, String)>,
    /// The name to suggest (the payment's customer name).
    #[prop(optional)]
    holder: Option<String>,
) -> impl IntoView {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));

    let first_error = move |field: &str| {
        invalid
            .as_ref()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    };
    let name = RwSignal::new(holder.unwrap_or_default());
    let name_error = FieldError::new(first_error("name"));
    let fields = CardFields::new(today, first_error);
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let name_ref = NodeRef::<html::Input>::new();

    let check_name = move || {
        name.with(|n| n.trim().is_empty())
            .then(|| field_message("name"))
            .flatten()
    };

    let hidden_reference = reference.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if !hydrated.get_untracked() {
            return;
        }
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        banner.set(None);
        let name_problem = check_name();
        name_error.set(name_problem);
        let first_bad = fields.check_all();
        if name_problem.is_some() {
            focus(name_ref);
            return;
        }
        if let Some(node) = first_bad {
            focus(node);
            return;
        }
        busy.set(true);
        let reference = reference.clone();
        leptos::task::spawn_local(async move {
            let result = pay_checkout(
                reference,
                name.get_untracked(),
                fields.number.get_untracked(),
                fields.expiry.get_untracked(),
                fields.cvc.get_untracked(),
            )
            .await;
            match result {
                Ok(PayOutcome::Redirect(url)) => {
                    // Keep the button busy: the page is about to change.
                    if window().location().set_href(&url).is_err() {
                        busy.set(false);
                    }
                }
                Ok(PayOutcome::Declined(message)) => {
                    busy.set(false);
                    banner.set(Some(message));
                    fields.clear_after_decline();
                }
                Ok(PayOutcome::Invalid { field, message }) => {
                    busy.set(false);
                    if field == "name" {
                        name_error.set(Some(&message));
                        focus(name_ref);
                    } else {
                        fields.show_invalid(&field, &message);
                    }
                }
                Err(_) => {
                    busy.set(false);
                    banner.set(Some(
                        "We couldn't reach the payment server. Check your connection, then \
                         reload the page to see whether the payment went through."
                            .into(),
                    ));
                }
            }
        });
    };

    let action = <PayCheckout as leptos::server_fn::ServerFn>::PATH;
    view! {
        <form
            method="post"
            action=action
            class="card-form"
            novalidate=move || hydrated.get()
            data-hydrated=move || hydrated.get().to_string()
            data-testid="card-form"
            on:submit=on_submit
        >
            <input type="hidden" name="reference" value=hidden_reference />
            <div class="notice error" role="alert" data-testid="payment-error" hidden=move || banner.with(Option::is_none)>
                {move || banner.get()}
            </div>
            <Field label="Name on card" id="name" error=name_error>
                <input
                    id="name"
                    name="name"
                    node_ref=name_ref
                    autocomplete="cc-name"
                    required
                    maxlength="100"
                    aria-invalid=move || name_error.is_set().to_string()
                    aria-describedby="name-error"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                    on:blur=move |_| name_error.set(check_name())
                />
            </Field>
            <CardInputs fields=fields />
            <button
                type="submit"
                class="button primary wide pay"
                data-testid="pay"
                disabled=move || busy.get()
                aria-busy=move || busy.get().to_string()
            >
                {move || if busy.get() { "Processing…".to_string() } else { pay_label.clone() }}
            </button>
        </form>
    }
}
