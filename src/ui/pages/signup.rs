//! Sign-up page: a business name, an e-mail and a password create an account with its test and
//! live keys. The form posts to `/signup` (works without JavaScript).

use crate::ui::islands::password_field::PasswordField;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The message for an `?error=` code set by the sign-up handler.
pub fn error_message(code: Option<&str>) -> Option<&'static str> {
    match code {
        Some("name") => Some("Enter your business name (1 to 100 characters)."),
        Some("email") => Some("Enter a valid e-mail address."),
        Some("password") => Some("Choose a password of at least 10 characters."),
        Some("taken") => Some("An account with this e-mail already exists. Sign in instead."),
        Some("failed") => Some("The account could not be created. Try again."),
        _ => None,
    }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let open =
        use_context::<crate::server::state::AppState>().is_some_and(|s| s.config.allow_signup);
    if !open {
        return view! {
            <Title text="Sign-up is closed · VINR" />
            <main class="centered">
                <section class="card narrow" data-testid="signup-closed">
                    <p class="brand">"VINR"</p>
                    <h1>"Sign-up is closed"</h1>
                    <p>"Accounts on this server are created by its operator. Ask them for one, then "
                       <a href="/login">"sign in"</a> "."</p>
                </section>
            </main>
        }
        .into_any();
    }
    let (error, name, email) = use_query_map().with_untracked(|q| {
        (
            error_message(q.get("error").as_deref()),
            q.get("name").unwrap_or_default(),
            q.get("email").unwrap_or_default(),
        )
    });
    view! {
        <Title text="Create your account · VINR" />
        <main class="centered">
            <form class="card narrow" method="post" action="/signup">
                <p class="brand">"VINR"</p>
                <h1>"Create your account"</h1>
                <div aria-live="polite">
                    {error.map(|m| view! { <p class="notice error" role="alert">{m}</p> })}
                </div>
                <div class="field">
                    <label for="name">"Business name"</label>
                    <input id="name" name="name" required maxlength="100" autocomplete="organization" value=name />
                </div>
                <div class="field">
                    <label for="email">"E-mail"</label>
                    <input id="email" name="email" type="email" autocomplete="username" required value=email />
                </div>
                <PasswordField new_password=true />
                <p class="muted small">"At least 10 characters."</p>
                <button type="submit" class="button primary wide">"Create account"</button>
                <p class="small">"Already have an account? " <a href="/login">"Sign in"</a></p>
            </form>
        </main>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_code_has_words() {
        for code in ["name", "email", "password", "taken", "failed"] {
            assert!(error_message(Some(code)).is_some(), "{code}");
        }
        assert_eq!(error_message(Some("<b>")), None);
    }
}
