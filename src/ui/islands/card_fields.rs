//! The card number, expiry and security code fields shared by the hosted checkout's form and
//! the embedded card element: formatting as typed, brand detection, and each field checked
//! with the same rules as the server (`domain::card`).

use crate::domain::card::{
    self, Brand, check_cvc, check_expiry, check_number, detect_brand, digits, split_expiry,
};
use leptos::html;
use leptos::prelude::*;

/// The error shown under one field, and whether it is there.
#[derive(Clone, Copy)]
pub struct FieldError(pub RwSignal<Option<String>>);

impl FieldError {
    pub fn new(initial: Option<String>) -> Self {
        FieldError(RwSignal::new(initial))
    }
    pub fn set(&self, message: Option<&str>) {
        self.0.set(message.map(str::to_string));
    }
    pub fn is_set(&self) -> bool {
        self.0.with(Option::is_some)
    }
}

/// The three card fields' values, errors and elements.
#[derive(Clone, Copy)]
pub struct CardFields {
    pub number: RwSignal<String>,
    pub expiry: RwSignal<String>,
    pub cvc: RwSignal<String>,
    pub number_error: FieldError,
    pub expiry_error: FieldError,
    pub cvc_error: FieldError,
    pub number_ref: NodeRef<html::Input>,
    pub expiry_ref: NodeRef<html::Input>,
    pub cvc_ref: NodeRef<html::Input>,
    pub brand: Memo<Brand>,
    /// The server's (year, month), so expiry checks agree with it.
    today: (i32, u32),
}

impl CardFields {
    /// Empty fields; `error_of` gives a field's first error (one the server refused on a
    /// plain form post).
    pub fn new(today: (i32, u32), error_of: impl Fn(&str) -> Option<String>) -> Self {
        let number = RwSignal::new(String::new());
        CardFields {
            number,
            expiry: RwSignal::new(String::new()),
            cvc: RwSignal::new(String::new()),
            number_error: FieldError::new(error_of("number")),
            expiry_error: FieldError::new(error_of("expiry")),
            cvc_error: FieldError::new(error_of("cvc")),
            number_ref: NodeRef::new(),
            expiry_ref: NodeRef::new(),
            cvc_ref: NodeRef::new(),
            brand: Memo::new(move |_| number.with(|n| detect_brand(&digits(n)))),
            today,
        }
    }

    /// What is wrong with the number, if anything.
    pub fn number_problem(&self) -> Option<&'static str> {
        let d = self.number.with_untracked(|n| digits(n));
        if d.is_empty() {
            Some("Enter your card number.")
        } else {
            check_number(&d).err().map(|e| {
                if d.len() < self.brand.get_untracked().number_len() {
                    "Your card number is incomplete."
                } else {
                    e.message
                }
            })
        }
    }

    /// What is wrong with the expiry, if anything.
    pub fn expiry_problem(&self) -> Option<&'static str> {
        let (m, y) = self.expiry.with_untracked(|e| split_expiry(e));
        if m.is_empty() {
            Some("Enter the expiry date as MM / YY.")
        } else {
            check_expiry(&m, &y, self.today).err().map(|e| e.message)
        }
    }

    /// What is wrong with the security code, if anything.
    pub fn cvc_problem(&self) -> Option<&'static str> {
        check_cvc(&self.cvc.get_untracked(), self.brand.get_untracked())
            .err()
            .map(|e| e.message)
    }

    /// Shows every field's problem; returns the first bad field, to focus.
    pub fn check_all(&self) -> Option<NodeRef<html::Input>> {
        let checks = [
            (self.number_error, self.number_problem(), self.number_ref),
            (self.expiry_error, self.expiry_problem(), self.expiry_ref),
            (self.cvc_error, self.cvc_problem(), self.cvc_ref),
        ];
        let mut first_bad = None;
        for (error, message, node) in checks {
            error.set(message);
            if message.is_some() && first_bad.is_none() {
                first_bad = Some(node);
            }
        }
        first_bad
    }

    /// True when every field would pass its check.
    pub fn complete(&self) -> bool {
        self.number_problem().is_none()
            && self.expiry_problem().is_none()
            && self.cvc_problem().is_none()
    }

    /// True when nothing has been typed.
    pub fn empty(&self) -> bool {
        self.number.with_untracked(String::is_empty)
            && self.expiry.with_untracked(String::is_empty)
            && self.cvc.with_untracked(String::is_empty)
    }

    /// The first error shown under a field.
    pub fn shown_error(&self) -> Option<String> {
        [self.number_error, self.expiry_error, self.cvc_error]
            .iter()
            .find_map(|e| e.0.get_untracked())
    }

    /// Marks the field the server refused (`number`, `expiry`, `cvc`) and focuses it.
    pub fn show_invalid(&self, field: &str, message: &str) {
        let (error, node) = match field {
            "expiry" => (self.expiry_error, self.expiry_ref),
            "cvc" => (self.cvc_error, self.cvc_ref),
            _ => (self.number_error, self.number_ref),
        };
        error.set(Some(message));
        focus(node);
    }

    /// After a decline: the number and code go, so the next card starts clean.
    pub fn clear_after_decline(&self) {
        self.number.set(String::new());
        self.cvc.set(String::new());
        focus(self.number_ref);
    }
}

/// Moves the keyboard focus to an input, when it is on the page.
pub fn focus(node: NodeRef<html::Input>) {
    if let Some(input) = node.get_untracked() {
        let _ = input.focus();
    }
}

/// The card number, expiry and security code inputs. `on_change` runs after each keystroke
/// and each check (the card element reports them to the merchant's page).
#[component]
pub fn CardInputs(
    fields: CardFields,
    #[prop(optional)] on_change: Option<Callback<()>>,
) -> impl IntoView {
    let changed = move || {
        if let Some(cb) = on_change {
            cb.run(());
        }
    };
    let f = fields;
    view! {
        <Field label="Card number" id="number" error=f.number_error>
            <div class="number-row">
                <input
                    id="number"
                    name="number"
                    node_ref=f.number_ref
                    inputmode="numeric"
                    autocomplete="cc-number"
                    placeholder="1234 1234 1234 1234"
                    required
                    maxlength="23"
                    aria-invalid=move || f.number_error.is_set().to_string()
                    aria-describedby="number-error number-brand"
                    prop:value=move || f.number.get()
                    on:input=move |ev| {
                        let typed = digits(&event_target_value(&ev));
                        let max = match detect_brand(&typed) {
                            Brand::Unknown => 19,
                            known => known.number_len(),
                        };
                        let kept: String = typed.chars().take(max).collect();
                        f.number.set(card::format_number(&kept));
                        f.number_error.set(None);
                        changed();
                    }
                    on:blur=move |_| {
                        f.number_error.set(f.number_problem());
                        changed();
                    }
                />
                <span
                    id="number-brand"
                    class="brand-badge"
                    data-brand=move || f.brand.get().as_str()
                    data-testid="card-brand"
                    aria-live="polite"
                >
                    {move || match f.brand.get() {
                        Brand::Unknown => String::new(),
                        b => b.display_name().to_string(),
                    }}
                </span>
            </div>
        </Field>
        <div class="field-pair">
            <Field label="Expiry (MM / YY)" id="expiry" error=f.expiry_error>
                <input
                    id="expiry"
                    name="expiry"
                    node_ref=f.expiry_ref
                    inputmode="numeric"
                    autocomplete="cc-exp"
                    placeholder="MM / YY"
                    required
                    maxlength="7"
                    aria-invalid=move || f.expiry_error.is_set().to_string()
                    aria-describedby="expiry-error"
                    prop:value=move || f.expiry.get()
                    on:input=move |ev| {
                        f.expiry.set(card::format_expiry(&event_target_value(&ev)));
                        f.expiry_error.set(None);
                        changed();
                    }
                    on:blur=move |_| {
                        f.expiry_error.set(f.expiry_problem());
                        changed();
                    }
                />
            </Field>
            <Field label="Security code" id="cvc" error=f.cvc_error>
                <input
                    id="cvc"
                    name="cvc"
                    node_ref=f.cvc_ref
                    inputmode="numeric"
                    autocomplete="cc-csc"
                    placeholder=move || if f.brand.get() == Brand::Amex { "4 digits" } else { "3 digits" }
                    required
                    maxlength=move || f.brand.get().cvc_len().to_string()
                    aria-invalid=move || f.cvc_error.is_set().to_string()
                    aria-describedby="cvc-error"
                    prop:value=move || f.cvc.get()
                    on:input=move |ev| {
                        let typed: String = digits(&event_target_value(&ev)).chars().take(4).collect();
                        f.cvc.set(typed);
                        f.cvc_error.set(None);
                        changed();
                    }
                    on:blur=move |_| {
                        f.cvc_error.set(f.cvc_problem());
                        changed();
                    }
                />
            </Field>
        </div>
    }
}

/// A labelled field with its error line (announced when it changes).
#[component]
pub fn Field(
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
