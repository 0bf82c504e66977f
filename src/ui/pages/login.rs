//! Sign-in page. The form posts to `/login` (a plain form: it works without JavaScript).

use crate::ui::islands::password_field::PasswordField;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The message for an `?error=` code set by the sign-in handler.
pub fn error_message(code: Option<&str>) -> Option<&'static str> {
    match code {
        Some("invalid") => Some("Incorrect e-mail or password."),
        Some("locked") => Some("Too many failed attempts. Sign-in is locked for 15 minutes."),
        _ => None,
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let signup_open =
        use_context::<crate::server::state::AppState>().is_some_and(|s| s.config.allow_signup);
    let query = use_query_map();
    let (error, signed_out) = query.with_untracked(|q| {
        (
            error_message(q.get("error").as_deref()),
            q.get("signed_out").is_some(),
        )
    });
    view! {
        <Title text="Sign in · VINR" />
        <main class="centered">
            <form class="card narrow" method="post" action="/login" novalidate=false>
                <p class="brand">"VINR"</p>
                <h1>"Sign in to your dashboard"</h1>
                <div aria-live="polite">
                    {error.map(|m| view! { <p class="notice error" role="alert">{m}</p> })}
                    {(signed_out && error.is_none())
                        .then(|| view! { <p class="notice">"You have been signed out."</p> })}
                </div>
                <div class="field">
                    <label for="email">"E-mail"</label>
                    <input id="email" name="email" type="email" autocomplete="username" required autofocus />
                </div>
                <PasswordField new_password=false />
                <button type="submit" class="button primary wide">"Sign in"</button>
                {signup_open.then(|| view! {
                    <p class="small">"New to VINR? " <a href="/signup">"Create an account"</a></p>
                })}
            </form>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_error_codes_have_messages() {
        assert!(error_message(Some("invalid")).is_some());
        assert!(error_message(Some("locked")).is_some());
        assert_eq!(error_message(Some("<script>")), None);
        assert_eq!(error_message(None), None);
    }
}
