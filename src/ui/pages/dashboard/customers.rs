//! Customers: the list (newest first, search by e-mail, pages both ways) and one customer with
//! their payments and saved cards.

use super::loyalty_accounts::AccountsTable;
use super::payment::card_brand;
use super::{DashboardLayout, Pager, PaymentsTable, load_failed, not_found, signed_out, viewer};
use crate::server::services::ServiceError;
use crate::server::services::dashboard::{self, CustomerDetail, Page, Position};
use crate::server::state::AppState;
use crate::server::store::customers::{CustomerFilter, CustomerRow};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

const PAGE_SIZE: i64 = 25;

#[component]
pub fn CustomersPage() -> impl IntoView {
    let Some(v) = viewer() else {
        return signed_out();
    };
    let (email, after, before) = use_query_map().with_untracked(|q| {
        (
            q.get("email")
                .map(|e| e.trim().to_string())
                .filter(|e| !e.is_empty()),
            q.get("after"),
            q.get("before"),
        )
    });
    let state = expect_context::<AppState>();
    let scope = v.scope.clone();
    let shown_email = email.clone().unwrap_or_default();
    let data = Suspend::new(async move {
        let position = match (&after, &before) {
            (Some(id), _) => Position::After(id.clone()),
            (None, Some(id)) => Position::Before(id.clone()),
            (None, None) => Position::First,
        };
        let filter = CustomerFilter {
            email: email.clone(),
        };
        match dashboard::page(&state.store, &scope, &filter, &position, PAGE_SIZE).await {
            Ok(Page { rows, newer, older }) => {
                view! { <CustomerList rows newer older email=email.clone() /> }.into_any()
            }
            Err(err) => load_failed(err),
        }
    });
    view! {
        <DashboardLayout viewer=v active="customers" title="Customers".to_string()>
            <h1>"Customers"</h1>
            <form method="get" action="/dashboard/customers" class="filters card" role="search">
                <div class="field grow">
                    <label for="email">"E-mail"</label>
                    <input id="email" name="email" type="search" value=shown_email placeholder="ada@example.com" />
                </div>
                <div class="field actions"><button type="submit" class="button primary">"Search"</button></div>
            </form>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>{data}</Suspense>
        </DashboardLayout>
    }
    .into_any()
}

#[component]
fn CustomerList(
    rows: Vec<CustomerRow>,
    newer: bool,
    older: bool,
    email: Option<String>,
) -> impl IntoView {
    if rows.is_empty() {
        let message = if email.is_some() {
            "No customer has this e-mail."
        } else {
            "No customers yet in this mode. Create them with POST /v1/customers, or save a card at checkout."
        };
        return view! { <p class="empty card" data-testid="empty">{message}</p> }.into_any();
    }
    let suffix = email
        .map(|e| {
            format!(
                "&email={}",
                url::form_urlencoded::byte_serialize(e.as_bytes()).collect::<String>()
            )
        })
        .unwrap_or_default();
    let newer_href = newer.then(|| format!("/dashboard/customers?before={}{suffix}", rows[0].id));
    let older_href = older.then(|| {
        format!(
            "/dashboard/customers?after={}{suffix}",
            rows[rows.len() - 1].id
        )
    });
    view! {
        <div class="table-scroll">
            <table data-testid="customers-table">
                <thead><tr><th scope="col">"Name"</th><th scope="col">"E-mail"</th><th scope="col">"Created"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|c| {
                        let href = format!("/dashboard/customers/{}", c.id);
                        let name = c.name.clone().unwrap_or_else(|| c.id.clone());
                        view! {
                            <tr>
                                <td><a href=href>{name}</a></td>
                                <td class="wrap">{c.email.clone().unwrap_or_default()}</td>
                                <td>{crate::server::clock::format_utc(c.created)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pager newer=newer_href older=older_href />
    }
    .into_any()
}

#[component]
pub fn CustomerPage() -> impl IntoView {
    let Some(v) = viewer() else {
        return signed_out();
    };
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let state = expect_context::<AppState>();
    let scope = v.scope.clone();
    let data = Suspend::new(async move {
        match dashboard::customer_detail(&state.store, &scope, &id).await {
            Ok(detail) => view! { <Customer detail /> }.into_any(),
            Err(ServiceError::NotFound { .. }) => {
                not_found("customer", &id, "/dashboard/customers")
            }
            Err(err) => load_failed(err),
        }
    });
    view! {
        <DashboardLayout viewer=v active="customers" title="Customer".to_string()>
            <p class="crumbs"><a href="/dashboard/customers">"Customers"</a></p>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>{data}</Suspense>
        </DashboardLayout>
    }
    .into_any()
}

#[component]
fn Customer(detail: CustomerDetail) -> impl IntoView {
    let c = detail.customer;
    let default_pm = c.default_payment_method.clone();
    let payments_href = format!("/dashboard/payments?q={}", c.id);
    view! {
        <h1>{c.name.clone().unwrap_or_else(|| c.id.clone())}</h1>
        <section class="card">
            <dl class="facts">
                <dt>"Id"</dt><dd><code>{c.id.clone()}</code></dd>
                {c.email.clone().map(|v| view! { <dt>"E-mail"</dt><dd>{v}</dd> })}
                {c.phone.clone().map(|v| view! { <dt>"Phone"</dt><dd>{v}</dd> })}
                {c.description.clone().map(|v| view! { <dt>"Description"</dt><dd class="wrap">{v}</dd> })}
                <dt>"Created"</dt><dd>{crate::server::clock::format_utc(c.created)}</dd>
            </dl>
        </section>
        <section class="card">
            <h2>"Saved cards"</h2>
            {if detail.cards.is_empty() {
                view! { <p class="muted">"No saved cards. Attach a payment method to this customer to reuse it."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list" data-testid="cards">
                        {detail.cards.into_iter().map(|pm| {
                            let is_default = default_pm.as_deref() == Some(pm.id.as_str());
                            view! {
                                <li>
                                    <strong>{card_brand(&pm.card_brand)} " •••• " {pm.card_last4.clone()}</strong>
                                    " " <span class="muted">{format!("{:02}/{}", pm.card_exp_month, pm.card_exp_year)}</span>
                                    {is_default.then(|| view! { " " <span class="badge">"Default"</span> })}
                                    " " <code class="small">{pm.id.clone()}</code>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="card" data-testid="customer-points">
            <h2>"Points"</h2>
            {if detail.points.is_empty() {
                view! { <p class="muted">"No points yet. Points accounts open with a customer's first points (an earn rule, the API, or an adjustment)."</p> }.into_any()
            } else {
                view! { <AccountsTable rows=detail.points /> }.into_any()
            }}
        </section>
        <section class="card">
            <div class="card-head">
                <h2>"Payments"</h2>
                <a href=payments_href>"Filter payments by this customer"</a>
            </div>
            {if detail.payments.is_empty() {
                view! { <p class="muted">"No payments for this customer yet."</p> }.into_any()
            } else {
                view! { <PaymentsTable rows=detail.payments /> }.into_any()
            }}
        </section>
    }
}
