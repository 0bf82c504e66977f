//! A password input with a show/hide toggle.

use leptos::prelude::*;

/// The password field of the sign-in form. Without JavaScript it is a plain password input;
/// once hydrated, a button reveals what was typed (handy on a phone keyboard).
/// `new_password` (sign-up) tells password managers to suggest a new password.
#[island]
pub fn PasswordField(new_password: bool) -> impl IntoView {
    let autocomplete = if new_password {
        "new-password"
    } else {
        "current-password"
    };
    let (shown, set_shown) = signal(false);
    // Effects run only in the browser: the toggle appears once it can work.
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    view! {
        <div class="field">
            <label for="password">"Password"</label>
            <div class="password-row">
                <input
                    id="password"
                    name="password"
                    type=move || if shown.get() { "text" } else { "password" }
                    autocomplete=autocomplete
                    required
                />
                <button
                    type="button"
                    class="button ghost"
                    data-testid="toggle-password"
                    hidden=move || !hydrated.get()
                    aria-controls="password"
                    aria-pressed=move || shown.get().to_string()
                    on:click=move |_| set_shown.update(|s| *s = !*s)
                >
                    {move || if shown.get() { "Hide" } else { "Show" }}
                </button>
            </div>
        </div>
    }
}
