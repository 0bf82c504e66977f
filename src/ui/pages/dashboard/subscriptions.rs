//! Subscriptions: the list (filter by status, pages both ways) and one subscription with its
//! items, card and invoices, and the ways to end it.

use super::billing::{BillingTabs, ListQuery, StatusFilter, period};
use super::billing_actions::CancelSubscription;
use super::invoices::InvoicesTable;
use super::payment::card_brand;
use super::{
    ConfirmAction, DashboardLayout, StatusBadge, action, load_failed, money, not_found, signed_out,
    viewer,
};
use crate::domain::billing::SubscriptionStatus;
use crate::server::clock::format_utc;
use crate::server::services::ServiceError;
use crate::server::services::billing::BillingError;
use crate::server::services::billing::dashboard::{self as billing, SubscriptionDetail};
use crate::server::services::dashboard;
use crate::server::state::AppState;
use crate::server::store::subscriptions::{SubscriptionFilter, SubscriptionRow};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

const PAGE_SIZE: i64 = 25;

#[component]
pub fn SubscriptionsPage() -> impl IntoView {
    let Some(v) = viewer() else {
        return signed_out();
    };
    let query = ListQuery::read();
    let state = expect_context::<AppState>();
    let scope = v.scope.clone();
    let shown = query.status.clone();
    let data = Suspend::new(async move {
        let status = match query.status_as(SubscriptionStatus::parse) {
            Ok(status) => status,
            Err(message) => return message,
        };
        let filter = SubscriptionFilter {
            status,
            ..SubscriptionFilter::default()
        };
        let page = dashboard::page(&state.store, &scope, &filter, &query.position, PAGE_SIZE);
        query.show(
            "/dashboard/subscriptions",
            page.await,
            |r: &SubscriptionRow| &r.id,
            [
                "No subscriptions yet in this mode. Create one with POST /v1/subscriptions.",
                "No subscription has this status.",
            ],
            |rows| view! { <SubscriptionList rows /> }.into_any(),
        )
    });
    let statuses = SubscriptionStatus::wire_names();
    view! {
        <DashboardLayout viewer=v active="billing" title="Subscriptions".to_string()>
            <h1>"Billing"</h1>
            <BillingTabs active="subscriptions" />
            <StatusFilter action="/dashboard/subscriptions" statuses selected=shown />
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>{data}</Suspense>
        </DashboardLayout>
    }
    .into_any()
}

#[component]
fn SubscriptionList(rows: Vec<SubscriptionRow>) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table data-testid="subscriptions-table">
                <thead><tr>
                    <th scope="col">"Subscription"</th><th scope="col">"Status"</th>
                    <th scope="col">"Customer"</th><th scope="col">"Current period"</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|s| {
                        let href = format!("/dashboard/subscriptions/{}", s.id);
                        let customer = format!("/dashboard/customers/{}", s.customer);
                        view! {
                            <tr data-id=s.id.clone()>
                                <td><a href=href><code>{s.id.clone()}</code></a></td>
                                <td><StatusBadge status=s.status.as_str().to_string() />
                                    {(s.cancel_at_period_end != 0).then(|| view! { <span class="muted small">" ends at period end"</span> })}</td>
                                <td><a href=customer>{s.customer.clone()}</a></td>
                                <td>{period(s.current_period_start, s.current_period_end)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn SubscriptionPage() -> impl IntoView {
    let Some(v) = viewer() else {
        return signed_out();
    };
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let state = expect_context::<AppState>();
    let scope = v.scope.clone();
    let data = Suspend::new(async move {
        match billing::subscription_detail(&state.store, &scope, &id).await {
            Ok(detail) => view! { <Subscription detail /> }.into_any(),
            Err(BillingError::Service(ServiceError::NotFound { .. })) => {
                not_found("subscription", &id, "/dashboard/subscriptions")
            }
            Err(err) => load_failed(err),
        }
    });
    view! {
        <DashboardLayout viewer=v active="billing" title="Subscription".to_string()>
            <p class="crumbs"><a href="/dashboard/subscriptions">"Subscriptions"</a></p>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>{data}</Suspense>
        </DashboardLayout>
    }
    .into_any()
}

#[component]
fn Subscription(detail: SubscriptionDetail) -> impl IntoView {
    let s = detail.subscription;
    let currency = s.currency.code();
    let customer_name = detail
        .customer
        .as_ref()
        .and_then(|c| c.email.clone().or_else(|| c.name.clone()))
        .unwrap_or_else(|| s.customer.clone());
    let card = detail
        .card
        .as_ref()
        .map(|c| format!("{} •••• {}", card_brand(&c.card_brand), c.card_last4))
        .unwrap_or_else(|| "The customer's default card".into());
    let ended = s.status.is_final();
    let ends = s.cancel_at_period_end != 0;
    let cancel = action::<CancelSubscription>();
    let items = detail.items;
    view! {
        <h1><code>{s.id.clone()}</code> " " <StatusBadge status=s.status.as_str().to_string() /></h1>
        {(ends && !ended).then(|| view! {
            <p class="notice" data-testid="ends-at-period-end">{format!("Ends on {} (at the end of this period).", format_utc(s.current_period_end))}</p>
        })}
        <section class="card">
            <dl class="facts">
                <dt>"Customer"</dt><dd><a href=format!("/dashboard/customers/{}", s.customer)>{customer_name}</a></dd>
                <dt>"Current period"</dt><dd>{period(s.current_period_start, s.current_period_end)}</dd>
                <dt>"Card charged"</dt><dd>{card}</dd>
                {s.trial_end.map(|t| view! { <dt>"Trial ends"</dt><dd>{format_utc(t)}</dd> })}
                {s.ended_at.map(|t| view! { <dt>"Ended"</dt><dd>{format_utc(t)}</dd> })}
                {s.test_clock.clone().map(|c| view! { <dt>"Test clock"</dt><dd><code>{c}</code></dd> })}
                <dt>"Created"</dt><dd>{format_utc(s.created)}</dd>
            </dl>
        </section>
        <section class="card">
            <h2>"Items"</h2>
            <table data-testid="items-table">
                <thead><tr><th scope="col">"Product"</th><th scope="col">"Price"</th><th scope="col" class="num">"Quantity"</th></tr></thead>
                <tbody>
                    {items.into_iter().map(|p| {
                        let every = match p.price.recurring_count {
                            1 => p.price.recurring_interval.map(|i| i.as_str().to_string()).unwrap_or_default(),
                            n => format!("{n} {}s", p.price.recurring_interval.map(|i| i.as_str()).unwrap_or_default()),
                        };
                        let price = match p.price.usage_type {
                            crate::domain::billing::UsageType::Metered => format!("{} per unit used each {every}", money(currency, p.price.unit_amount)),
                            crate::domain::billing::UsageType::Licensed => format!("{} per {every}", money(currency, p.price.unit_amount)),
                        };
                        view! {
                            <tr><td>{p.product_name.clone()}</td><td>{price}</td><td class="num">{p.item.quantity}</td></tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        {(!ended).then(|| view! {
            <section class="card actions" aria-label="Actions" data-testid="subscription-actions">
                <h2>"Actions"</h2>
                <div class="action-row">
                    {if ends {
                        view! {
                            <form method="post" action=cancel>
                                <input type="hidden" name="subscription" value=s.id.clone() />
                                <input type="hidden" name="when" value="resume" />
                                <button type="submit" class="button ghost" data-testid="resume">"Keep it renewing"</button>
                            </form>
                        }.into_any()
                    } else {
                        view! {
                            <ConfirmAction
                                testid="cancel-at-period-end"
                                summary="Cancel at period end…"
                                action={cancel.to_string()}
                                fields={vec![("subscription", s.id.clone()), ("when", "period_end".into())]}
                                body={view! { <p>{format!("It runs, paid, until {}; then it ends without another invoice.", format_utc(s.current_period_end))}</p> }.into_any()}
                                confirm="Confirm"
                                confirm_class="button primary"
                            />
                        }.into_any()
                    }}
                    <ConfirmAction
                        testid="cancel-now"
                        summary="Cancel now…"
                        action={cancel.to_string()}
                        fields={vec![("subscription", s.id.clone()), ("when", "now".into())]}
                        body={view! { <p>"It ends at once: no further invoices, and nothing is refunded."</p> }.into_any()}
                        confirm="Confirm cancel"
                    />
                </div>
            </section>
        })}
        <section class="card">
            <h2>"Invoices"</h2>
            <InvoicesTable rows=detail.invoices />
        </section>
    }
}
