//! Points accounts: the list (newest first, pages both ways) and one account with its
//! balances, next expiries, history and a manual adjustment.

use super::billing::ListQuery;
use super::loyalty::{LoyaltyTabs, points};
use super::loyalty_actions::AdjustPoints;
use super::{ConfirmAction, DashboardLayout, action, load_failed, not_found, signed_out, viewer};
use crate::server::clock::{format_date, format_utc};
use crate::server::services::ServiceError;
use crate::server::services::dashboard;
use crate::server::services::loyalty::LoyaltyError;
use crate::server::services::loyalty::dashboard::{self as loyalty, AccountDetail, HISTORY_LIMIT};
use crate::server::state::AppState;
use crate::server::store::loyalty::{AccountFilter, LoyaltyAccountRow, PtxRow};
use crate::server::views::loyalty::LoyaltyAccountView;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

const PAGE_SIZE: i64 = 25;

#[component]
pub fn LoyaltyAccountsPage() -> impl IntoView {
    let Some(v) = viewer() else {
        return signed_out();
    };
    let query = ListQuery::read();
    let state = expect_context::<AppState>();
    let scope = v.scope.clone();
    let data = Suspend::new(async move {
        let filter = AccountFilter::default();
        let page = dashboard::page(&state.store, &scope, &filter, &query.position, PAGE_SIZE);
        query.show(
            "/dashboard/loyalty/accounts",
            page.await,
            |r: &LoyaltyAccountRow| &r.id,
            [
                "No points accounts yet in this mode. A customer's account opens with their first points.",
                "No points accounts.",
            ],
            |rows| view! { <AccountsTable rows /> }.into_any(),
        )
    });
    view! {
        <DashboardLayout viewer=v active="loyalty" title="Points accounts".to_string()>
            <h1>"Loyalty"</h1>
            <LoyaltyTabs active="accounts" />
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>{data}</Suspense>
        </DashboardLayout>
    }
    .into_any()
}

/// Points accounts, each linking to its page (also a customer's, on their page).
#[component]
pub fn AccountsTable(rows: Vec<LoyaltyAccountRow>) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table data-testid="loyalty-accounts">
                <thead>
                    <tr>
                        <th scope="col">"Customer"</th>
                        <th scope="col">"Program"</th>
                        <th scope="col" class="num">"Available"</th>
                        <th scope="col" class="num">"Pending"</th>
                        <th scope="col" class="num">"Reserved"</th>
                        <th scope="col" class="num hide-narrow">"Earned in all"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|a| {
                        let href = format!("/dashboard/loyalty/accounts/{}", a.id);
                        view! {
                            <tr data-id=a.id.clone()>
                                <td><a href=href>{a.customer.clone()}</a></td>
                                <td><code>{a.program.clone()}</code></td>
                                <td class="num" data-testid="available">{a.available}</td>
                                <td class="num">{a.pending}</td>
                                <td class="num">{a.reserved}</td>
                                <td class="num hide-narrow">{a.lifetime_earned}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn LoyaltyAccountPage() -> impl IntoView {
    let Some(v) = viewer() else {
        return signed_out();
    };
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let state = expect_context::<AppState>();
    let scope = v.scope.clone();
    let data = Suspend::new(async move {
        match loyalty::account_detail(&state.store, &scope, &id).await {
            Ok(detail) => view! { <Account detail /> }.into_any(),
            Err(LoyaltyError::Service(ServiceError::NotFound { .. })) => {
                not_found("points account", &id, "/dashboard/loyalty/accounts")
            }
            Err(err) => load_failed(err),
        }
    });
    view! {
        <DashboardLayout viewer=v active="loyalty" title="Points account".to_string()>
            <p class="crumbs"><a href="/dashboard/loyalty/accounts">"Points accounts"</a></p>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>{data}</Suspense>
        </DashboardLayout>
    }
    .into_any()
}

#[component]
fn Account(detail: AccountDetail) -> impl IntoView {
    let a = detail.account;
    let who = detail
        .customer
        .as_ref()
        .and_then(|c| c.name.clone().or_else(|| c.email.clone()))
        .unwrap_or_else(|| a.customer.clone());
    let customer_href = format!("/dashboard/customers/{}", a.customer);
    // The API's next expiries (soonest first, at most five), not worked out a second time.
    let expiring = LoyaltyAccountView::new(&a, &detail.lots).next_expiring;
    let pending: Vec<(i64, i64)> = detail
        .lots
        .iter()
        .filter(|l| l.pending == 1)
        .map(|l| (l.available_at, l.remaining))
        .collect();
    let (history, more) = detail.history;
    let adjust_fields = vec![
        ("program", a.program.clone()),
        ("customer", a.customer.clone()),
    ];
    let adjust_body = view! {
        <div class="field">
            <label for="adjust-points">"Points"</label>
            <input id="adjust-points" name="points" inputmode="numeric" required placeholder="50 or -50" />
            <p class="muted small">"Positive gives points at once; negative takes available points, soonest-expiring first."</p>
        </div>
        <div class="field">
            <label for="adjust-reason">"Reason"</label>
            <input id="adjust-reason" name="reason" required maxlength="500" placeholder="Goodwill for a late delivery" />
        </div>
    }
    .into_any();
    view! {
        <h1>{who} " " <span class="muted small">{detail.program.name.clone()}</span></h1>
        <div class="stats">
            <section class="card stat-card"><h2>"Available"</h2><p class="stat" data-testid="available">{a.available}</p></section>
            <section class="card stat-card"><h2>"Pending"</h2><p class="stat" data-testid="pending">{a.pending}</p></section>
            <section class="card stat-card"><h2>"Reserved"</h2><p class="stat">{a.reserved}</p></section>
        </div>
        <section class="card">
            <dl class="facts">
                <dt>"Id"</dt><dd><code>{a.id.clone()}</code></dd>
                <dt>"Customer"</dt><dd><a href=customer_href>{a.customer.clone()}</a></dd>
                <dt>"Program"</dt><dd><a href=format!("/dashboard/loyalty?program={}", a.program)>{a.program.clone()}</a></dd>
                <dt>"Earned in all"</dt><dd>{points(a.lifetime_earned)}</dd>
                <dt>"Redeemed"</dt><dd>{points(a.redeemed)}</dd>
                <dt>"Expired"</dt><dd>{points(a.expired)}</dd>
                {pending.into_iter().map(|(at, n)| view! { <dt>"Spendable from"</dt><dd>{format!("{}: {}", format_date(at), points(n))}</dd> }).collect_view()}
                {expiring.into_iter().map(|e| view! { <dt>"Expires"</dt><dd>{format!("{}: {}", format_date(e.expires_at), points(e.points))}</dd> }).collect_view()}
            </dl>
            <ConfirmAction
                testid="adjust"
                summary="Adjust points…"
                action={action::<AdjustPoints>().to_string()}
                fields=adjust_fields
                body=adjust_body
                confirm="Adjust"
                confirm_class="button primary"
            />
        </section>
        <section class="card">
            <h2>"History"</h2>
            <History rows=history />
            {more.then(|| view! { <p class="muted small">{format!("The {HISTORY_LIMIT} newest are shown; list the rest with GET /v1/loyalty/points/transactions?account={}.", a.id)}</p> })}
        </section>
    }
}

/// What a transaction came from, linked where the dashboard has a page for it.
fn source_cell(p: &PtxRow) -> AnyView {
    match (p.source_type.as_deref(), p.source_id.clone()) {
        (Some("payment"), Some(id)) => {
            let href = format!("/dashboard/payments/{id}");
            view! { <a href=href>{id}</a> }.into_any()
        }
        (_, Some(id)) => view! { <code>{id}</code> }.into_any(),
        _ => view! { <span class="muted">"—"</span> }.into_any(),
    }
}

#[component]
fn History(rows: Vec<PtxRow>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"No transactions."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table data-testid="history">
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Type"</th>
                        <th scope="col" class="num">"Points"</th>
                        <th scope="col" class="num">"Available after"</th>
                        <th scope="col">"Source"</th>
                        <th scope="col" class="hide-narrow">"Reason"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|p| {
                        let signed = if p.points > 0 { format!("+{}", p.points) } else { p.points.to_string() };
                        let source = source_cell(&p);
                        view! {
                            <tr data-id=p.id.clone()>
                                <td>{format_utc(p.created)}</td>
                                <td>{p.kind.as_str()}</td>
                                <td class="num">{signed}</td>
                                <td class="num">{p.balance_after}</td>
                                <td>{source}</td>
                                <td class="wrap hide-narrow">{p.reason.clone().unwrap_or_default()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
