//! One webhook endpoint: its settings (URL, events, enabled), its signing secret (revealed on
//! request, rotated with a 24-hour overlap), deletion, and its latest deliveries with each
//! attempt's request and response, and a resend button.

use super::{DashboardLayout, StatusBadge, action, load_failed, not_found, signed_out, viewer};
use crate::domain::webhook::{EVENT_TYPES, WILDCARD};
use crate::server::services::ServiceError;
use crate::server::services::dashboard::{self, DeliveryView, EndpointDetail};
use crate::server::state::AppState;
use crate::ui::pages::dashboard::developers_actions::{
    DeleteEndpoint, EditEndpoint, ResendEvent, RotateSecret,
};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn EndpointPage() -> impl IntoView {
    let Some(v) = viewer() else {
        return signed_out();
    };
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let reveal = use_query_map().with_untracked(|q| q.get("reveal").is_some());
    let state = expect_context::<AppState>();
    let scope = v.scope.clone();
    let data = Suspend::new(async move {
        match dashboard::endpoint_detail(&state.store, &scope, &id).await {
            Ok(detail) => view! { <Endpoint detail reveal /> }.into_any(),
            Err(ServiceError::NotFound { .. }) => {
                not_found("webhook endpoint", &id, "/dashboard/developers")
            }
            Err(err) => load_failed(err),
        }
    });
    view! {
        <DashboardLayout viewer=v active="developers" title="Webhook endpoint".to_string()>
            <p class="crumbs"><a href="/dashboard/developers">"Developers"</a></p>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>{data}</Suspense>
        </DashboardLayout>
    }
    .into_any()
}

#[component]
fn Endpoint(detail: EndpointDetail, reveal: bool) -> impl IntoView {
    let e = detail.endpoint;
    let events = e.events();
    let all = events.iter().any(|t| t == WILDCARD);
    let enabled = e.status == "enabled";
    let id = e.id.clone();
    let secret = e.secret.clone();
    let rotated_until = e.previous_secret_expires_at;
    view! {
        <h1 class="wrap">{e.url.clone()}</h1>
        <p><StatusBadge status=e.status.clone() /> " " <code>{e.id.clone()}</code>
           {e.disabled_reason.clone().map(|r| view! { <span class="muted">" (" {r} ")"</span> })}</p>
        <section class="card">
            <h2>"Signing secret"</h2>
            {if reveal {
                view! { <p><code data-testid="endpoint-secret">{secret}</code></p> }.into_any()
            } else {
                let href = format!("/dashboard/webhooks/{id}?reveal=1");
                view! { <p><code>"whsec_••••••••"</code> " " <a href=href>"Reveal"</a></p> }.into_any()
            }}
            {rotated_until.map(|until| view! {
                <p class="muted small">"The previous secret also signs until " {crate::server::clock::format_utc(until)} "."</p>
            })}
            <details class="action">
                <summary class="button ghost">"Rotate secret…"</summary>
                <form method="post" action={action::<RotateSecret>()}>
                    <input type="hidden" name="endpoint" value=id.clone() />
                    <p>"A new secret signs from now on; the current one keeps signing alongside it for 24 hours, so you can deploy the new one."</p>
                    <button type="submit" class="button primary">"Confirm rotation"</button>
                </form>
            </details>
        </section>
        <section class="card">
            <h2>"Settings"</h2>
            <form method="post" action={action::<EditEndpoint>()} class="stack">
                <input type="hidden" name="endpoint" value=id.clone() />
                <div class="field">
                    <label for="url">"URL"</label>
                    <input id="url" name="url" type="url" required value=e.url.clone() />
                </div>
                <div class="field">
                    <label for="description">"Description"</label>
                    <input id="description" name="description" value=e.description.clone().unwrap_or_default() />
                </div>
                <EventChoices chosen={if all { Vec::new() } else { events.clone() }} />
                <label class="check"><input type="checkbox" name="enabled" value="on" checked=enabled />" Enabled"</label>
                <button type="submit" class="button primary">"Save endpoint"</button>
            </form>
        </section>
        <section class="card">
            <h2>"Latest deliveries"</h2>
            <DeliveriesTable deliveries=detail.deliveries show_event=true />
        </section>
        <section class="card danger-zone">
            <h2>"Delete"</h2>
            <details class="action">
                <summary class="button ghost">"Delete endpoint…"</summary>
                <form method="post" action={action::<DeleteEndpoint>()}>
                    <input type="hidden" name="endpoint" value=id />
                    <p>"No more events are sent to it; pending deliveries are canceled. This cannot be undone."</p>
                    <button type="submit" class="button danger">"Confirm delete"</button>
                </form>
            </details>
        </section>
    }
}

/// One checkbox per event type; none ticked means every event.
#[component]
pub fn EventChoices(chosen: Vec<String>) -> impl IntoView {
    view! {
        <fieldset class="events">
            <legend>"Events (none ticked: all events)"</legend>
            {EVENT_TYPES.into_iter().map(|t| {
                let checked = chosen.iter().any(|c| c == t);
                view! {
                    <label class="check"><input type="checkbox" name="events[]" value=t checked=checked />" " <code>{t}</code></label>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// Deliveries with every attempt: when, the receiver's status or why it was unreachable, how
/// long it took, what it answered; the request body; and a resend button.
#[component]
pub fn DeliveriesTable(deliveries: Vec<DeliveryView>, show_event: bool) -> impl IntoView {
    if deliveries.is_empty() {
        return view! {
            <p class="muted" data-testid="no-deliveries">"No deliveries. Add a webhook endpoint under "
               <a href="/dashboard/developers">"Developers"</a> " to be told about events."</p>
        }
        .into_any();
    }
    view! {
        <ul class="deliveries" data-testid="deliveries">
            {deliveries.into_iter().map(|d| {
                let del = d.delivery;
                let endpoint_href = format!("/dashboard/webhooks/{}", del.endpoint_id);
                let resendable = del.status != "pending";
                view! {
                    <li class="delivery">
                        <p>
                            {show_event.then(|| view! { <code class="event-type">{del.event_type.clone()}</code> " → " })}
                            <a href=endpoint_href class="wrap">{d.endpoint_url.clone()}</a>
                            " " <StatusBadge status=del.status.clone() />
                        </p>
                        {if d.attempts.is_empty() {
                            view! { <p class="muted small">"Not attempted yet."</p> }.into_any()
                        } else {
                            view! {
                                <ol class="attempts">
                                    {d.attempts.into_iter().map(|a| {
                                        let outcome = match (a.status_code, a.error.clone()) {
                                            (Some(code), _) => format!("HTTP {code}"),
                                            (None, Some(err)) => err,
                                            (None, None) => "No answer".into(),
                                        };
                                        view! {
                                            <li data-testid="attempt">
                                                <span class="small">{format!("#{} · {} · ", a.attempt, crate::server::clock::format_utc(a.at))}</span>
                                                <strong>{outcome}</strong>
                                                <span class="muted small">{format!(" · {} ms", a.duration_ms)}</span>
                                                {a.response_body.clone().filter(|b| !b.is_empty()).map(|b| view! {
                                                    <details><summary class="small">"Response"</summary><pre class="body">{b}</pre></details>
                                                })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ol>
                            }.into_any()
                        }}
                        <details><summary class="small">"Request body"</summary><pre class="body">{d.request_body}</pre></details>
                        {resendable.then(|| view! {
                            <form method="post" action={action::<ResendEvent>()} class="inline">
                                <input type="hidden" name="event" value=del.event_id.clone() />
                                <input type="hidden" name="endpoint" value=del.endpoint_id.clone() />
                                <button type="submit" class="button ghost small-button">"Resend"</button>
                            </form>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
