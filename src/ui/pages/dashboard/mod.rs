//! The merchant dashboard: server-rendered pages behind sign-in. Forms post to the actions kept
//! beside each page (`*_actions.rs`, sharing `actions`) and come back with `?notice=` or
//! `?__err=`, shown at the top of the page.
//! Every page acts on the session's account and mode only.

pub mod actions;
pub mod billing;
pub mod billing_actions;
pub mod customers;
pub mod developers;
pub mod developers_actions;
pub mod export;
pub mod filters;
pub mod home;
pub mod invoices;
pub mod loyalty;
pub mod loyalty_accounts;
pub mod loyalty_actions;
pub mod loyalty_rewards;
pub mod payment;
pub mod payment_actions;
pub mod payments;
pub mod products;
pub mod settings;
pub mod settings_actions;
pub mod subscriptions;
pub mod webhook;

use super::current_session;
use crate::domain::money::Currency;
use crate::server::services::Scope;
use crate::server::store::payments::PaymentRow;
use crate::server::store::sessions::SessionOwner;
use crate::ui::pages::dashboard::payment_actions::SetMode;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The signed-in user and what they look at.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub owner: SessionOwner,
    pub scope: Scope,
}

/// The viewer of this request (the session middleware sends visitors without one to /login).
pub fn viewer() -> Option<Viewer> {
    let session = current_session()?;
    let owner = session.0;
    let scope = Scope {
        account_id: owner.account_id.clone(),
        mode: owner.mode,
    };
    Some(Viewer { owner, scope })
}

/// The URL a form posts to for server function `T`.
pub fn action<T: ServerFn>() -> &'static str {
    T::PATH
}

/// An action behind a second look, working without JavaScript: a summary button that opens
/// a form posting to `action` with its hidden `fields`, what it does (`body`), and the
/// button that confirms it.
#[component]
pub fn ConfirmAction(
    testid: &'static str,
    summary: &'static str,
    #[prop(default = "button ghost")] summary_class: &'static str,
    action: String,
    fields: Vec<(&'static str, String)>,
    body: AnyView,
    confirm: &'static str,
    #[prop(default = "button danger")] confirm_class: &'static str,
) -> impl IntoView {
    view! {
        <details class="action" data-testid=testid>
            <summary class=summary_class>{summary}</summary>
            <form method="post" action=action>
                {fields.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value /> }).collect_view()}
                {body}
                <button type="submit" class=confirm_class>{confirm}</button>
            </form>
        </details>
    }
}

/// What a `?notice=` code says.
pub fn notice_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "welcome" => {
            "Welcome to VINR. Your account is in test mode; copy your test secret key below."
        }
        "mode_test" => "Now showing test data.",
        "mode_live" => "Now showing live data. Actions here move real money.",
        "captured" => "Payment captured.",
        "canceled" => "Payment canceled.",
        "adjusted" => "Authorised amount changed.",
        "refunded" => "Refund succeeded.",
        "refund_failed" => "The acquirer refused the refund; no money moved. See the refund below.",
        "key_rolled" => "Key rolled.",
        "endpoint_added" => "Endpoint added. Its signing secret is below.",
        "endpoint_saved" => "Endpoint saved.",
        "endpoint_deleted" => "Endpoint deleted.",
        "secret_rotated" => "Secret rotated. The previous secret keeps signing for 24 hours.",
        "resent" => "Event queued for delivery again.",
        "settings_saved" => "Settings saved.",
        "connection_added" => "Acquirer connection added.",
        "connection_checked" => {
            "Checked: the connection works (for Stripe, Stripe accepted the key). Add it to save it."
        }
        "subscription_canceled" => "Subscription canceled.",
        "subscription_ends" => "The subscription will end at the end of its period.",
        "subscription_resumed" => "The subscription will keep renewing.",
        "invoice_voided" => "Invoice voided.",
        "invoice_written_off" => "Invoice marked uncollectible.",
        "invoice_paid" => "Invoice paid.",
        "billing_saved" => "Billing settings saved.",
        "loyalty_saved" => "Program settings saved.",
        "loyalty_rule_added" => "Earn rule added: payments from now on earn by it.",
        "loyalty_rule_removed" => "Earn rule removed.",
        "points_adjusted" => "Points adjusted.",
        "reward_created" => "Reward created.",
        "reward_paused" => "Reward paused: it can no longer be redeemed.",
        "reward_offered" => "Reward offered again.",
        _ => return None,
    })
}

/// The outcome of the last action, if the URL carries one.
#[component]
fn Notices() -> impl IntoView {
    let query = use_query_map();
    let (notice, error) = query.with_untracked(|q| {
        (
            q.get("notice").and_then(|c| notice_message(&c)),
            q.get("__err")
                .map(|e| crate::ui::pages::dashboard::actions::decode_error(&e)),
        )
    });
    view! {
        <div class="notices" aria-live="polite">
            {error.clone().map(|m| view! { <p class="notice error" role="alert" data-testid="error">{m}</p> })}
            {notice.filter(|_| error.is_none()).map(|m| view! { <p class="notice ok" role="status" data-testid="notice">{m}</p> })}
        </div>
    }
}

const NAV: [(&str, &str, &str); 7] = [
    ("home", "/dashboard", "Home"),
    ("payments", "/dashboard/payments", "Payments"),
    ("customers", "/dashboard/customers", "Customers"),
    ("billing", "/dashboard/subscriptions", "Billing"),
    ("loyalty", "/dashboard/loyalty", "Loyalty"),
    ("developers", "/dashboard/developers", "Developers"),
    ("settings", "/dashboard/settings", "Settings"),
];

/// Frame of every dashboard page: who is signed in, in which mode, the sections, the way out.
#[component]
pub fn DashboardLayout(
    viewer: Viewer,
    /// Which entry of the navigation is this page's.
    active: &'static str,
    title: String,
    children: Children,
) -> impl IntoView {
    let owner = viewer.owner;
    let live = viewer.scope.mode.is_live();
    let (mode_label, other, switch_label) = if live {
        ("Live mode", "test", "View test data")
    } else {
        ("Test mode", "live", "View live data")
    };
    view! {
        <Title text=format!("{title} · {} · VINR", owner.account_name) />
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="/dashboard">"VINR"</a>
            <span class="account-name" data-testid="account-name">{owner.account_name.clone()}</span>
            <span class=format!("badge mode-{}", if live { "live" } else { "test" })>{mode_label}</span>
            <form method="post" action={action::<SetMode>()} class="inline">
                <input type="hidden" name="mode" value=other />
                <button type="submit" class="button ghost small-button">{switch_label}</button>
            </form>
            <span class="spacer"></span>
            <span class="muted user-email">{owner.email.clone()}</span>
            <form method="post" action="/logout" class="inline">
                <button type="submit" class="button ghost small-button">"Sign out"</button>
            </form>
        </header>
        <nav class="dash-nav" aria-label="Dashboard">
            {NAV.into_iter().map(|(key, href, label)| {
                let current = (key == active).then_some("page");
                view! { <a href=href aria-current=current>{label}</a> }
            }).collect_view()}
        </nav>
        {(!live).then(|| view! {
            <p class="test-banner">"Test data: payments here use test cards and move no money."</p>
        })}
        <main id="main" class="page">
            <Notices />
            {children()}
        </main>
    }
}

/// A page for visitors without a session (the middleware normally redirects them first).
pub fn signed_out() -> AnyView {
    view! { <main class="centered"><p>"Please " <a href="/login">"sign in"</a> "."</p></main> }
        .into_any()
}

/// Shown when loading a page's data failed; the cause goes to the log.
pub fn load_failed(err: impl std::fmt::Display) -> AnyView {
    tracing::error!(error = %err, "loading a dashboard page failed");
    view! {
        <p class="notice error" role="alert">"Something went wrong loading this page. Reload to try again."</p>
    }
    .into_any()
}

/// A 404 inside the dashboard: the object is not in this account and mode.
pub fn not_found(what: &'static str, id: &str, back: &'static str) -> AnyView {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="card" data-testid="not-found">
            <h1>{format!("No such {what}")}</h1>
            <p>"There is no " {what} " " <code>{id.to_string()}</code> " in this account's "
               "data in this mode. Check the id, or switch between test and live data."</p>
            <a class="button ghost" href=back>"Back"</a>
        </section>
    }
    .into_any()
}

/// An amount as people read it: `€12.50`.
pub fn money(currency: &str, minor: i64) -> String {
    match Currency::parse(currency) {
        Some(c) => c.display(minor),
        None => format!("{minor} {currency}"),
    }
}

/// `requires_capture` → `Requires capture`.
pub fn status_label(status: &str) -> String {
    let mut s = status.replace('_', " ");
    if let Some(first) = s.get(0..1) {
        let upper = first.to_ascii_uppercase();
        s.replace_range(0..1, &upper);
    }
    s
}

#[component]
pub fn StatusBadge(status: String) -> impl IntoView {
    view! { <span class=format!("status status-{status}")>{status_label(&status)}</span> }
}

/// Who paid, as well as the payment tells: e-mail, name, reference or customer id.
pub fn payer(p: &PaymentRow) -> String {
    p.customer_email
        .clone()
        .or_else(|| p.customer_name.clone())
        .or_else(|| p.customer_reference.clone())
        .or_else(|| p.customer.clone())
        .unwrap_or_else(|| "—".into())
}

/// Links to the newer and older pages of a list, where there are any.
#[component]
pub fn Pager(newer: Option<String>, older: Option<String>) -> impl IntoView {
    view! {
        <nav class="pager" aria-label="Pages">
            {newer.map(|h| view! { <a class="button ghost" href=h rel="prev">"← Newer"</a> })}
            <span class="spacer"></span>
            {older.map(|h| view! { <a class="button ghost" href=h rel="next">"Older →"</a> })}
        </nav>
    }
}

/// A table of payments, each linking to its page.
#[component]
pub fn PaymentsTable(rows: Vec<PaymentRow>) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="payments" data-testid="payments-table">
                <thead>
                    <tr>
                        <th scope="col">"Amount"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Customer"</th>
                        <th scope="col" class="hide-narrow">"Description"</th>
                        <th scope="col">"Created"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|p| {
                        let href = format!("/dashboard/payments/{}", p.id);
                        view! {
                            <tr data-id=p.id.clone()>
                                <td class="num"><a href=href>{money(p.currency.code(), p.amount)}</a></td>
                                <td><StatusBadge status=p.status.as_str().to_string() /></td>
                                <td class="wrap">{payer(&p)}</td>
                                <td class="wrap hide-narrow">{p.description.clone().unwrap_or_default()}</td>
                                <td>{crate::server::clock::format_utc(p.created)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_code_the_actions_send_has_words() {
        for code in [
            "welcome",
            "mode_test",
            "mode_live",
            "captured",
            "canceled",
            "adjusted",
            "refunded",
            "refund_failed",
            "key_rolled",
            "endpoint_added",
            "endpoint_saved",
            "endpoint_deleted",
            "secret_rotated",
            "resent",
            "settings_saved",
            "connection_added",
            "connection_checked",
            "subscription_canceled",
            "subscription_ends",
            "subscription_resumed",
            "invoice_voided",
            "invoice_written_off",
            "invoice_paid",
            "billing_saved",
            "loyalty_saved",
            "loyalty_rule_added",
            "loyalty_rule_removed",
            "points_adjusted",
            "reward_created",
            "reward_paused",
            "reward_offered",
        ] {
            assert!(notice_message(code).is_some(), "{code}");
        }
        assert_eq!(notice_message("<script>"), None);
    }

    #[test]
    fn labels_read_as_words() {
        assert_eq!(status_label("requires_capture"), "Requires capture");
        assert_eq!(status_label("succeeded"), "Succeeded");
        assert_eq!(money("EUR", 1250), "€12.50");
        assert_eq!(money("XYZ", 5), "5 XYZ");
    }
}
