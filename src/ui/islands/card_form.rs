//! The card form of the hosted checkout.
//!
//! The server renders it as a plain form that posts to the `pay_checkout` server function, so
//! a customer without JavaScript can pay. Once hydrated, it formats the number and expiry as
//! they are typed, shows the brand, checks each field with the same rules as the server
//! (`domain::card`) and submits through the same server function, staying on the page for a
//! decline. The card number and CVC go only to our own origin and are never kept.

use crate::domain::card::{
    self, Brand, check_cvc, check_expiry, check_number, detect_brand, digits, split_expiry,
};
use crate::domain::checkout::{PayOutcome, field_message};
use leptos::html;
use leptos::prelude::*;

/// Pays a checkout with a typed card: the island calls it with `fetch`; without JavaScript
/// the form posts here and gets a redirect (`leptos_axum` tells the two apart by `Accept`).
#[server(endpoint = "checkout/pay")]
pub async fn pay_checkout(
    reference: String,
    name: String,
    number: String,
    expiry: String,
    cvc: String,
) -> Result<PayOutcome, ServerFnError> {
    use crate::services::checkout::{self, TypedCard};
    let state = expect_context::<crate::state::AppState>();
    let deps = crate::api::payments::deps(&state);
    let card = TypedCard {
        name,
        number: crate::crypto::Secret::new(number),
        expiry,
        cvc: crate::crypto::Secret::new(cvc),
    };
    let page = format!("/checkout/{reference}");
    let outcome = match checkout::pay(&deps, &reference, card).await {
        Ok(outcome) => outcome,
        Err(err) => {
            // The error never holds card data: the card was checked and dropped before any
            // step that can fail this way.
            tracing::error!(error = %err, "a checkout payment failed");
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

/// The error shown under one field, and whether it is there.
#[derive(Clone, Copy)]
struct FieldError(RwSignal<Option<String>>);

impl FieldError {
    fn new(initial: Option<String>) -> Self {
        FieldError(RwSignal::new(initial))
    }
    fn set(&self, message: Option<&str>) {
        self.0.set(message.map(str::to_string));
    }
    fn is_set(&self) -> bool {
        self.0.with(Option::is_some)
    }
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

    let name = RwSignal::new(holder.unwrap_or_default());
    let number = RwSignal::new(String::new());
    let expiry = RwSignal::new(String::new());
    let cvc = RwSignal::new(String::new());
    let first_error = |field: &str| {
        invalid
            .as_ref()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    };
    let name_error = FieldError::new(first_error("name"));
    let number_error = FieldError::new(first_error("number"));
    let expiry_error = FieldError::new(first_error("expiry"));
    let cvc_error = FieldError::new(first_error("cvc"));
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let number_ref = NodeRef::<html::Input>::new();
    let name_ref = NodeRef::<html::Input>::new();
    let expiry_ref = NodeRef::<html::Input>::new();
    let cvc_ref = NodeRef::<html::Input>::new();

    let brand = Memo::new(move |_| number.with(|n| detect_brand(&digits(n))));

    // Each check returns the message to show, or None.
    let check_name = move || {
        name.with(|n| n.trim().is_empty())
            .then(|| field_message("name"))
            .flatten()
    };
    let check_number_field = move || {
        let d = number.with(|n| digits(n));
        if d.is_empty() {
            Some("Enter your card number.")
        } else {
            check_number(&d).err().map(|e| {
                if d.len() < brand.get_untracked().number_len() {
                    "Your card number is incomplete."
                } else {
                    e.message
                }
            })
        }
    };
    let check_expiry_field = move || {
        let (m, y) = expiry.with(|e| split_expiry(e));
        if m.is_empty() {
            Some("Enter the expiry date as MM / YY.")
        } else {
            check_expiry(&m, &y, today).err().map(|e| e.message)
        }
    };
    let check_cvc_field = move || {
        check_cvc(&cvc.get_untracked(), brand.get_untracked())
            .err()
            .map(|e| e.message)
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
        let checks = [
            (name_error, check_name(), name_ref),
            (number_error, check_number_field(), number_ref),
            (expiry_error, check_expiry_field(), expiry_ref),
            (cvc_error, check_cvc_field(), cvc_ref),
        ];
        let mut first_bad = None;
        for (error, message, node) in checks {
            error.set(message);
            if message.is_some() && first_bad.is_none() {
                first_bad = Some(node);
            }
        }
        if let Some(node) = first_bad {
            if let Some(input) = node.get_untracked() {
                let _ = input.focus();
            }
            return;
        }
        busy.set(true);
        let reference = reference.clone();
        leptos::task::spawn_local(async move {
            let result = pay_checkout(
                reference,
                name.get_untracked(),
                number.get_untracked(),
                expiry.get_untracked(),
                cvc.get_untracked(),
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
                    number.set(String::new());
                    cvc.set(String::new());
                    if let Some(input) = number_ref.get_untracked() {
                        let _ = input.focus();
                    }
                }
                Ok(PayOutcome::Invalid { field, message }) => {
                    busy.set(false);
                    let (error, node) = match field.as_str() {
                        "name" => (name_error, name_ref),
                        "expiry" => (expiry_error, expiry_ref),
                        "cvc" => (cvc_error, cvc_ref),
                        _ => (number_error, number_ref),
                    };
                    error.set(Some(&message));
                    if let Some(input) = node.get_untracked() {
                        let _ = input.focus();
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
            <Field label="Card number" id="number" error=number_error>
                <div class="number-row">
                    <input
                        id="number"
                        name="number"
                        node_ref=number_ref
                        inputmode="numeric"
                        autocomplete="cc-number"
                        placeholder="1234 1234 1234 1234"
                        required
                        maxlength="23"
                        aria-invalid=move || number_error.is_set().to_string()
                        aria-describedby="number-error number-brand"
                        prop:value=move || number.get()
                        on:input=move |ev| {
                            let typed = digits(&event_target_value(&ev));
                            let max = match detect_brand(&typed) {
                                Brand::Unknown => 19,
                                known => known.number_len(),
                            };
                            let kept: String = typed.chars().take(max).collect();
                            number.set(card::format_number(&kept));
                            number_error.set(None);
                        }
                        on:blur=move |_| number_error.set(check_number_field())
                    />
                    <span
                        id="number-brand"
                        class="brand-badge"
                        data-brand=move || brand.get().as_str()
                        data-testid="card-brand"
                        aria-live="polite"
                    >
                        {move || match brand.get() {
                            Brand::Unknown => String::new(),
                            b => b.display_name().to_string(),
                        }}
                    </span>
                </div>
            </Field>
            <div class="field-pair">
                <Field label="Expiry (MM / YY)" id="expiry" error=expiry_error>
                    <input
                        id="expiry"
                        name="expiry"
                        node_ref=expiry_ref
                        inputmode="numeric"
                        autocomplete="cc-exp"
                        placeholder="MM / YY"
                        required
                        maxlength="7"
                        aria-invalid=move || expiry_error.is_set().to_string()
                        aria-describedby="expiry-error"
                        prop:value=move || expiry.get()
                        on:input=move |ev| {
                            expiry.set(card::format_expiry(&event_target_value(&ev)));
                            expiry_error.set(None);
                        }
                        on:blur=move |_| expiry_error.set(check_expiry_field())
                    />
                </Field>
                <Field label="Security code" id="cvc" error=cvc_error>
                    <input
                        id="cvc"
                        name="cvc"
                        node_ref=cvc_ref
                        inputmode="numeric"
                        autocomplete="cc-csc"
                        placeholder=move || if brand.get() == Brand::Amex { "4 digits" } else { "3 digits" }
                        required
                        maxlength=move || brand.get().cvc_len().to_string()
                        aria-invalid=move || cvc_error.is_set().to_string()
                        aria-describedby="cvc-error"
                        prop:value=move || cvc.get()
                        on:input=move |ev| {
                            let typed: String = digits(&event_target_value(&ev)).chars().take(4).collect();
                            cvc.set(typed);
                            cvc_error.set(None);
                        }
                        on:blur=move |_| cvc_error.set(check_cvc_field())
                    />
                </Field>
            </div>
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

/// A labelled field with its error line (announced when it changes).
#[component]
fn Field(
    label: &'static str,
    id: &'static str,
    error: FieldError,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field" class:invalid=move || error.is_set()>
            <label for=id>{label}</label>
            {children()}
            <p id=format!("{id}-error") class="field-error" aria-live="polite" data-testid=format!("{id}-error")>
                {move || error.0.get()}
            </p>
        </div>
    }
}
