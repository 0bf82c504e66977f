//! Developers: the API keys of this mode (roll with a grace period, reveal the publishable
//! key, a new secret key shown once) and the webhook endpoints (list, add).

use super::webhook::EventChoices;
use super::{DashboardLayout, StatusBadge, action, load_failed, signed_out, viewer};
use crate::server::services::dashboard;
use crate::server::state::AppState;
use crate::server::store::api_keys::ApiKeyRow;
use crate::server::store::webhook_endpoints::EndpointRow;
use crate::server::web::session::{NEW_KEY_COOKIE, new_key_cookie};
use crate::ui::pages::dashboard::developers_actions::{AddEndpoint, GRACE_PERIODS, RollKey};
use leptos::prelude::*;

/// The secret key rolled just before this page view, if any; the cookie that carried it is
/// removed in the same response so it is shown once.
fn take_new_key() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    let key = crate::server::web::session::cookie(&parts.headers, NEW_KEY_COOKIE)?;
    let state = use_context::<AppState>()?;
    if let (Some(response), Ok(clear)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&new_key_cookie("", 0, state.config.is_https())),
    ) {
        response.append_header(http::header::SET_COOKIE, clear);
    }
    // Only a well-formed key is echoed into the page.
    let well_formed =
        key.starts_with("sk_") && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    well_formed.then_some(key)
}

#[component]
pub fn DevelopersPage() -> impl IntoView {
    let Some(v) = viewer() else {
        return signed_out();
    };
    let new_key = take_new_key();
    let state = expect_context::<AppState>();
    let scope = v.scope.clone();
    let data = Suspend::new(async move {
        match dashboard::developers(&state.store, &scope).await {
            Ok((keys, endpoints)) => {
                let now = state.clock.now();
                view! {
                    <Keys keys now />
                    <Endpoints endpoints />
                }
                .into_any()
            }
            Err(err) => load_failed(err),
        }
    });
    view! {
        <DashboardLayout viewer=v active="developers" title="Developers".to_string()>
            <h1>"Developers"</h1>
            {new_key.map(|key| view! {
                <section class="card highlight" data-testid="new-key">
                    <h2>"Your new secret key"</h2>
                    <p><code data-testid="new-secret-key">{key}</code></p>
                    <p class="muted">"Copy it now: it is shown only this once. Store it where your server reads its secrets."</p>
                </section>
            })}
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>{data}</Suspense>
        </DashboardLayout>
    }
    .into_any()
}

#[component]
fn Keys(keys: Vec<ApiKeyRow>, now: i64) -> impl IntoView {
    let (live, expired): (Vec<_>, Vec<_>) = keys
        .into_iter()
        .partition(|k| k.expires_at.is_none_or(|at| at > now));
    view! {
        <section class="card">
            <h2>"API keys"</h2>
            {if live.is_empty() {
                view! { <p class="muted">"No working keys in this mode: roll one below."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table data-testid="keys">
                            <thead><tr><th scope="col">"Type"</th><th scope="col">"Key"</th><th scope="col">"Created"</th><th scope="col">"Stops working"</th></tr></thead>
                            <tbody>
                                {live.into_iter().map(|k| view! { <KeyRow key_row=k /> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <p class="muted small">"Secret keys are shown once, when created; only their start and last four characters are kept."</p>
            <details class="action" data-testid="roll">
                <summary class="button ghost">"Roll a key…"</summary>
                <form method="post" action={action::<RollKey>()} class="stack">
                    <div class="field">
                        <label for="roll-kind">"Key"</label>
                        <select id="roll-kind" name="kind">
                            <option value="secret">"Secret key"</option>
                            <option value="publishable">"Publishable key"</option>
                        </select>
                    </div>
                    <div class="field">
                        <label for="roll-grace">"The current key stops working"</label>
                        <select id="roll-grace" name="grace">
                            {GRACE_PERIODS.into_iter().map(|(secs, label)| view! {
                                <option value=secs.to_string() selected={secs == 86_400}>{label}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <p class="muted small">"A grace period lets you deploy the new key before the old one stops."</p>
                    <button type="submit" class="button primary">"Confirm roll"</button>
                </form>
            </details>
            {(!expired.is_empty()).then(|| view! {
                <details>
                    <summary class="small">{format!("{} expired key(s)", expired.len())}</summary>
                    <ul class="plain-list small">
                        {expired.into_iter().map(|k| view! {
                            <li><code>{k.hint.clone()}</code> " stopped " {k.expires_at.map(crate::server::clock::format_utc)}</li>
                        }).collect_view()}
                    </ul>
                </details>
            })}
        </section>
    }
}

#[component]
fn KeyRow(key_row: ApiKeyRow) -> impl IntoView {
    let k = key_row;
    let publishable = k.kind == "publishable";
    let shown = if publishable {
        // Publishable keys are public by design: kept whole, revealed on request.
        let short: String = format!("{}…", k.hint.chars().take(12).collect::<String>());
        view! {
            <details class="reveal">
                <summary><code>{short}</code> " " <span class="small">"Reveal"</span></summary>
                <code data-testid="publishable-key">{k.hint.clone()}</code>
            </details>
        }
        .into_any()
    } else {
        view! { <code data-testid="secret-key-hint">{k.hint.clone()}</code> }.into_any()
    };
    view! {
        <tr>
            <td>{if publishable { "Publishable" } else { "Secret" }}</td>
            <td>{shown}</td>
            <td>{crate::server::clock::format_utc(k.created)}</td>
            <td data-testid="key-expiry">{k.expires_at.map(crate::server::clock::format_utc).unwrap_or_else(|| "Never".into())}</td>
        </tr>
    }
}

#[component]
fn Endpoints(endpoints: Vec<EndpointRow>) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Webhook endpoints"</h2>
            {if endpoints.is_empty() {
                view! { <p class="muted" data-testid="no-endpoints">"No endpoints yet. Add your server's URL below to be told when payments and refunds change."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list" data-testid="endpoints">
                        {endpoints.into_iter().map(|e| {
                            let href = format!("/dashboard/webhooks/{}", e.id);
                            let events = e.events().join(", ");
                            view! {
                                <li>
                                    <a href=href class="wrap">{e.url.clone()}</a> " " <StatusBadge status=e.status.clone() />
                                    <p class="muted small wrap">{if events == "*" { "All events".to_string() } else { events }}</p>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <details class="action" data-testid="add-endpoint">
                <summary class="button primary">"Add endpoint…"</summary>
                <form method="post" action={action::<AddEndpoint>()} class="stack">
                    <div class="field">
                        <label for="endpoint-url">"URL"</label>
                        <input id="endpoint-url" name="url" type="url" required placeholder="https://shop.example/webhooks/vinr" />
                    </div>
                    <div class="field">
                        <label for="endpoint-description">"Description"</label>
                        <input id="endpoint-description" name="description" />
                    </div>
                    <EventChoices chosen=Vec::new() />
                    <button type="submit" class="button primary">"Add endpoint"</button>
                </form>
            </details>
        </section>
    }
}
