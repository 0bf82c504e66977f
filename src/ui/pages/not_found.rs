//! The page for URLs that lead nowhere.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found · VINR" />
        <main class="centered">
            <section class="card narrow">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address. Check the link, or go to your dashboard."</p>
                <a class="button primary" href="/dashboard">"Go to the dashboard"</a>
            </section>
        </main>
    }
}
