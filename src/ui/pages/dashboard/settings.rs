//! Settings: business name, brand colour (the checkout's accent), the origins allowed to embed
//! the card fields, the default acquirer connection, the connections themselves, and billing's
//! retries and draft window.

use super::{DashboardLayout, action, load_failed, signed_out, viewer};
use crate::server::services::dashboard;
use crate::server::state::AppState;
use crate::server::store::accounts::AccountRow;
use crate::server::store::acquirer_connections::AcquirerConnectionRow;
use crate::ui::pages::dashboard::settings_actions::{
    AddConnection, SaveBillingSettings, SaveSettings,
};
use leptos::prelude::*;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let Some(v) = viewer() else {
        return signed_out();
    };
    let state = expect_context::<AppState>();
    let scope = v.scope.clone();
    let scope_live = scope.mode.is_live();
    let data = Suspend::new(async move {
        match dashboard::settings(&state.store, &scope).await {
            Ok((Some(account), connections)) => {
                view! { <Settings account connections live=scope_live /> }.into_any()
            }
            Ok((None, _)) => load_failed("the signed-in account does not exist"),
            Err(err) => load_failed(err),
        }
    });
    view! {
        <DashboardLayout viewer=v active="settings" title="Settings".to_string()>
            <h1>"Settings"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>{data}</Suspense>
        </DashboardLayout>
    }
    .into_any()
}

#[component]
fn Settings(
    account: AccountRow,
    connections: Vec<AcquirerConnectionRow>,
    live: bool,
) -> impl IntoView {
    let mode = if live {
        crate::domain::mode::Mode::Live
    } else {
        crate::domain::mode::Mode::Test
    };
    let default = account
        .default_connection(mode)
        .unwrap_or_default()
        .to_string();
    view! {
        <section class="card">
            <h2>"Business"</h2>
            <form method="post" action={action::<SaveSettings>()} class="stack">
                <div class="field">
                    <label for="name">"Business name"</label>
                    <input id="name" name="name" required maxlength="100" value=account.name.clone() />
                    <p class="muted small">"Shown to customers on the checkout and on receipts."</p>
                </div>
                <div class="field">
                    <label for="brand_color">"Brand colour"</label>
                    <div class="color-row">
                        <input id="brand_color" name="brand_color" type="color" value=account.brand_color.clone() />
                        <code>{account.brand_color.clone()}</code>
                    </div>
                    <p class="muted small">"The checkout's buttons and accents."</p>
                </div>
                <div class="field">
                    <label for="embed_origins">"Allowed embed origins"</label>
                    <textarea id="embed_origins" name="embed_origins" rows="4"
                              placeholder="https://shop.example">{account.embed_origins.clone()}</textarea>
                    <p class="muted small">"Sites allowed to show the card fields in an iframe, one per line (https; http only for localhost). Empty: nowhere."</p>
                </div>
                <div class="field">
                    <label for="default_acquirer">"Default acquirer connection"</label>
                    <select id="default_acquirer" name="default_acquirer">
                        {(live && default.is_empty()).then(|| view! { <option value="" selected>"None yet: add a processor below"</option> })}
                        {connections.iter().map(|c| {
                            let selected = c.id == default;
                            view! { <option value=c.id.clone() selected=selected>{format!("{} ({})", c.name, c.id)}</option> }
                        }).collect_view()}
                    </select>
                    <p class="muted small">{if live {
                        "Live payments that do not name routing[preferred_acquirer] go through this processor connection."
                    } else {
                        "Test payments that do not name routing[preferred_acquirer] use this connection (live mode has its own)."
                    }}</p>
                </div>
                <button type="submit" class="button primary">"Save settings"</button>
            </form>
        </section>
        <BillingSettings account=account.clone() />
        <section class="card">
            <h2>"Acquirer connections (this mode)"</h2>
            <div class="table-scroll">
                <table data-testid="connections">
                    <thead><tr><th scope="col">"Id"</th><th scope="col">"Name"</th><th scope="col">"Type"</th><th scope="col"><span class="visually-hidden">"Default"</span></th></tr></thead>
                    <tbody>
                        {connections.into_iter().map(|c| {
                            let is_default = c.id == default;
                            view! {
                                <tr>
                                    <td><code>{c.id.clone()}</code></td>
                                    <td>{c.name.clone()}</td>
                                    <td>{c.kind.clone()}</td>
                                    <td>{is_default.then(|| view! { <span class="badge">"Default"</span> })}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <details class="action">
                <summary class="button ghost">"Add connection…"</summary>
                <form method="post" action={action::<AddConnection>()} class="stack">
                    <div class="field">
                        <label for="connection-id">"Id"</label>
                        <input id="connection-id" name="id" required placeholder="acq_uk_1" pattern="acq_[a-z0-9_]{1,40}" />
                    </div>
                    <div class="field">
                        <label for="connection-name">"Name"</label>
                        <input id="connection-name" name="name" placeholder="Stripe" />
                    </div>
                    <div class="field">
                        <label for="connection-kind">"Type"</label>
                        <select id="connection-kind" name="kind">
                            <option value="stripe" selected=live>"Stripe (a processor: real money in live mode)"</option>
                            {(!live).then(|| view! { <option value="sandbox" selected>"Sandbox (simulated)"</option> })}
                        </select>
                    </div>
                    <fieldset class="stack">
                        <legend>"Stripe"</legend>
                        <div class="field">
                            <label for="stripe-key">"Secret key"</label>
                            <input id="stripe-key" name="secret_key" type="password" autocomplete="off"
                                   placeholder={if live { "sk_live_…" } else { "sk_test_…" }} />
                            <p class="muted small">"Checked with Stripe, kept encrypted, never shown again."</p>
                        </div>
                        <div class="field">
                            <label for="stripe-base">"API base (optional)"</label>
                            <input id="stripe-base" name="api_base" type="url" placeholder="https://api.stripe.com" />
                        </div>
                        <div class="field">
                            <label for="stripe-hook">"Webhook signing secret (optional)"</label>
                            <input id="stripe-hook" name="webhook_secret" type="password" autocomplete="off" placeholder="whsec_…" />
                        </div>
                    </fieldset>
                    <label class="check"><input type="checkbox" name="make_default" value="1" checked=live />" Make it this mode's default"</label>
                    <div class="row">
                        <button type="submit" name="check_only" value="1" class="button ghost">"Test connection"</button>
                        <button type="submit" class="button primary">"Add connection"</button>
                    </div>
                </form>
            </details>
        </section>
    }
}

/// How billing chases a failed renewal, and how long renewals wait as drafts.
#[component]
fn BillingSettings(account: AccountRow) -> impl IntoView {
    use crate::domain::billing::DunningEnd;
    let end = account.billing_dunning_end.clone();
    let words = |e: DunningEnd| match e {
        DunningEnd::Canceled => "Cancel the subscription",
        DunningEnd::Unpaid => "Mark it unpaid (it stays, nothing is billed)",
        DunningEnd::PastDue => "Leave it past due",
    };
    view! {
        <section class="card" data-testid="billing-settings">
            <h2>"Billing"</h2>
            <form method="post" action={action::<SaveBillingSettings>()} class="stack">
                <div class="field">
                    <label for="retry_days">"Retry a failed renewal after (days)"</label>
                    <input id="retry_days" name="retry_days" value=account.billing_retry_days.clone() placeholder="3,5,7" />
                    <p class="muted small">"Days between attempts, separated by commas: 3,5,7 tries again 3, 8 and 15 days after the first. Hard declines (an expired card, a wrong number) are never retried."</p>
                </div>
                <div class="field">
                    <label for="dunning_end">"When retries run out"</label>
                    <select id="dunning_end" name="dunning_end">
                        {DunningEnd::ALL.iter().map(|e| {
                            view! { <option value=e.as_str() selected={end == e.as_str()}>{words(*e)}</option> }
                        }).collect_view()}
                    </select>
                    <p class="muted small">"The invoice is marked uncollectible in every case."</p>
                </div>
                <div class="field">
                    <label for="draft_minutes">"Renewal drafts wait (minutes)"</label>
                    <input id="draft_minutes" name="draft_minutes" inputmode="numeric" value=(account.billing_draft_secs / 60).to_string() />
                    <p class="muted small">"A renewal invoice stays a draft this long before it is finalized and charged: time to add usage or lines."</p>
                </div>
                <button type="submit" class="button primary">"Save billing settings"</button>
            </form>
        </section>
    }
}
