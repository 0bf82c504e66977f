//! The payments page: filters (status, currency, dates), search (payment id, customer id,
//! e-mail or customer reference), cursor pagination both ways, and CSV export of the filtered
//! set. A plain GET form: filters are in the URL, so a filtered view can be bookmarked.

use super::{DashboardLayout, Pager, PaymentsTable, load_failed, signed_out, status_label, viewer};
use crate::domain::payment::PaymentStatus;
use crate::server::services::dashboard::{self, Page, Position};
use crate::server::state::AppState;
use crate::server::store::payments::PaymentRow;
use crate::ui::pages::dashboard::filters::PaymentQuery;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Payments per page.
const PAGE_SIZE: i64 = 25;

#[component]
pub fn PaymentsPage() -> impl IntoView {
    let Some(v) = viewer() else {
        return signed_out();
    };
    let (query, position) = use_query_map().with_untracked(|q| {
        let pairs: Vec<(String, String)> = ["status", "currency", "from", "to", "q"]
            .into_iter()
            .filter_map(|k| q.get(k).map(|v| (k.to_string(), v)))
            .collect();
        let query = PaymentQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let position = match (q.get("after"), q.get("before")) {
            (Some(id), _) => Position::After(id),
            (None, Some(id)) => Position::Before(id),
            _ => Position::First,
        };
        (query, position)
    });
    let state = expect_context::<AppState>();
    let scope = v.scope.clone();
    let form_query = query.clone();
    let data = Suspend::new(async move {
        let filter = match query.filter() {
            Ok(f) => f,
            Err(problems) => {
                return view! {
                    <div class="notice error" role="alert">
                        {problems.into_iter().map(|p| view! { <p>{p}</p> }).collect_view()}
                    </div>
                }
                .into_any();
            }
        };
        match dashboard::page(&state.store, &scope, &filter, &position, PAGE_SIZE).await {
            Ok(page) => view! { <Results page query=query.clone() /> }.into_any(),
            Err(err) => load_failed(err),
        }
    });
    view! {
        <DashboardLayout viewer=v active="payments" title="Payments".to_string()>
            <div class="page-head">
                <h1>"Payments"</h1>
                <a class="button ghost" href=format!("/dashboard/payments.csv?{}", form_query.to_query())
                   download data-testid="export">"Export CSV"</a>
            </div>
            <FilterForm query=form_query />
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>{data}</Suspense>
        </DashboardLayout>
    }
    .into_any()
}

#[component]
fn FilterForm(query: PaymentQuery) -> impl IntoView {
    let selected = query.status.clone();
    view! {
        <form method="get" action="/dashboard/payments" class="filters card" role="search">
            <div class="field grow">
                <label for="q">"Search"</label>
                <input id="q" name="q" type="search" value=query.q.clone()
                       placeholder="pay_…, cust_…, e-mail or customer reference" />
            </div>
            <div class="field">
                <label for="status">"Status"</label>
                <select id="status" name="status">
                    <option value="" selected=selected.is_empty()>"Any"</option>
                    {PaymentStatus::ALL.into_iter().map(|s| {
                        let value = s.as_str();
                        view! { <option value=value selected={selected == value}>{status_label(value)}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field narrow-field">
                <label for="currency">"Currency"</label>
                <input id="currency" name="currency" value=query.currency.clone() placeholder="EUR"
                       maxlength="3" autocapitalize="characters" />
            </div>
            <div class="field">
                <label for="from">"From"</label>
                <input id="from" name="from" type="date" value=query.from.clone() />
            </div>
            <div class="field">
                <label for="to">"To"</label>
                <input id="to" name="to" type="date" value=query.to.clone() />
            </div>
            <div class="field actions">
                <button type="submit" class="button primary">"Filter"</button>
                {(!query.is_empty()).then(|| view! { <a href="/dashboard/payments">"Clear"</a> })}
            </div>
        </form>
    }
}

#[component]
fn Results(page: Page<PaymentRow>, query: PaymentQuery) -> impl IntoView {
    let Page { rows, newer, older } = page;
    if rows.is_empty() {
        let message = if query.is_empty() {
            "No payments yet in this mode. Payments you create with the API appear here."
        } else {
            "No payments match these filters. Loosen them, or clear them to see every payment."
        };
        return view! { <p class="empty card" data-testid="empty">{message}</p> }.into_any();
    }
    let base = query.to_query();
    let link = |key: &str, id: &str| {
        let sep = if base.is_empty() { "" } else { "&" };
        format!("/dashboard/payments?{base}{sep}{key}={id}")
    };
    let newer_href = newer.then(|| link("before", &rows[0].id));
    let older_href = older.then(|| link("after", &rows[rows.len() - 1].id));
    view! {
        <PaymentsTable rows />
        <Pager newer=newer_href older=older_href />
    }
    .into_any()
}
