//! The dashboard shell and its home page: the signed-in merchant, their mode, their keys.

use super::current_session;
use crate::state::AppState;
use crate::store::{api_keys, customers};
use leptos::prelude::*;
use leptos_meta::Title;

/// Frame of every dashboard page: who is signed in, in which mode, and the way out.
#[component]
pub fn DashboardLayout(
    account_name: String,
    email: String,
    mode: String,
    children: Children,
) -> impl IntoView {
    let mode_label = if mode == "live" {
        "Live mode"
    } else {
        "Test mode"
    };
    view! {
        <header class="topbar">
            <a class="brand" href="/dashboard">"VINR"</a>
            <span class="account-name" data-testid="account-name">{account_name}</span>
            <span class=format!("badge mode-{mode}")>{mode_label}</span>
            <span class="spacer"></span>
            <span class="muted user-email">{email}</span>
            <form method="post" action="/logout">
                <button type="submit" class="button ghost">"Sign out"</button>
            </form>
        </header>
        <main class="page">{children()}</main>
    }
}

#[component]
pub fn DashboardHome() -> impl IntoView {
    // The middleware sends visitors without a session to /login before rendering.
    let Some(session) = current_session() else {
        return view! { <p>"Please sign in."</p> }.into_any();
    };
    let owner = session.0;
    let state = expect_context::<AppState>();
    let account_id = owner.account_id.clone();
    let mode = owner.mode.clone();
    let data = Suspend::new(async move {
        let now = state.clock.now();
        let keys = api_keys::list_active(state.store.reader(), &account_id, now).await;
        let customer_count = customers::count(state.store.reader(), &account_id, &mode).await;
        match (keys, customer_count) {
            (Ok(keys), Ok(count)) => {
                view! { <HomeContent keys mode=mode.clone() customer_count=count /> }.into_any()
            }
            (Err(err), _) | (_, Err(err)) => {
                tracing::error!(error = %err, "loading the dashboard home failed");
                view! { <p class="notice error">"Something went wrong loading this page. Try again."</p> }.into_any()
            }
        }
    });
    view! {
        <Title text=format!("{} · VINR", owner.account_name) />
        <DashboardLayout account_name=owner.account_name.clone() email=owner.email.clone() mode=owner.mode.clone()>
            <h1>"Home"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>{data}</Suspense>
        </DashboardLayout>
    }
    .into_any()
}

#[component]
fn HomeContent(keys: Vec<api_keys::ApiKeyRow>, mode: String, customer_count: i64) -> impl IntoView {
    let keys: Vec<_> = keys.into_iter().filter(|k| k.mode == mode).collect();
    let empty = keys.is_empty();
    view! {
        <section class="card">
            <h2>"Customers"</h2>
            <p class="stat" data-testid="customer-count">{customer_count}</p>
            {(customer_count == 0).then(|| view! {
                <p class="muted">"No customers yet. Create one with POST /v1/customers, or take a payment."</p>
            })}
        </section>
        <section class="card">
            <h2>"API keys"</h2>
            {if empty {
                view! { <p class="muted">"No active keys in this mode. Roll one with `vinr keys roll`."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table>
                            <thead><tr><th scope="col">"Type"</th><th scope="col">"Key"</th><th scope="col">"Expires"</th></tr></thead>
                            <tbody>
                                {keys.into_iter().map(|k| view! {
                                    <tr>
                                        <td>{if k.kind == "secret" { "Secret" } else { "Publishable" }}</td>
                                        <td><code>{k.hint}</code></td>
                                        <td>{k.expires_at.map(|_| "Rolled: expires soon").unwrap_or("Never")}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <p class="muted">"Secret keys are shown once, when they are created; only their last four characters are kept here."</p>
                }.into_any()
            }}
        </section>
    }
}
