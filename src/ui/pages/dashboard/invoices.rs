//! Invoices: the list (filter by status, pages both ways) and one invoice with its lines, its
//! attempts to pay, and the actions its status allows (retry, void, write off).

use super::billing::{BillingTabs, ListQuery, StatusFilter, period};
use super::billing_actions::{CloseInvoice, RetryInvoice};
use super::{
    ConfirmAction, DashboardLayout, PaymentsTable, StatusBadge, action, load_failed, money,
    not_found, signed_out, viewer,
};
use crate::domain::billing::InvoiceStatus;
use crate::server::clock::format_utc;
use crate::server::services::ServiceError;
use crate::server::services::billing::BillingError;
use crate::server::services::billing::dashboard::{self as billing, InvoiceDetail};
use crate::server::services::dashboard;
use crate::server::state::AppState;
use crate::server::store::invoices::{InvoiceFilter, InvoiceRow};
use crate::server::views::billing::hosted_invoice_url;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

const PAGE_SIZE: i64 = 25;

#[component]
pub fn InvoicesPage() -> impl IntoView {
    let Some(v) = viewer() else {
        return signed_out();
    };
    let query = ListQuery::read();
    let state = expect_context::<AppState>();
    let scope = v.scope.clone();
    let shown = query.status.clone();
    let data = Suspend::new(async move {
        let status = match query.status_as(InvoiceStatus::parse) {
            Ok(status) => status,
            Err(message) => return message,
        };
        let filter = InvoiceFilter {
            status,
            ..InvoiceFilter::default()
        };
        let page = dashboard::page(&state.store, &scope, &filter, &query.position, PAGE_SIZE);
        query.show(
            "/dashboard/invoices",
            page.await,
            |r: &InvoiceRow| &r.id,
            [
                "No invoices yet in this mode: subscriptions make them.",
                "No invoice has this status.",
            ],
            |rows| view! { <InvoicesTable rows /> }.into_any(),
        )
    });
    let statuses = InvoiceStatus::wire_names();
    view! {
        <DashboardLayout viewer=v active="billing" title="Invoices".to_string()>
            <h1>"Billing"</h1>
            <BillingTabs active="invoices" />
            <StatusFilter action="/dashboard/invoices" statuses selected=shown />
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>{data}</Suspense>
        </DashboardLayout>
    }
    .into_any()
}

/// A table of invoices, each linking to its page.
#[component]
pub fn InvoicesTable(rows: Vec<InvoiceRow>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"No invoices."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table data-testid="invoices-table">
                <thead><tr>
                    <th scope="col">"Amount due"</th><th scope="col">"Status"</th>
                    <th scope="col">"Invoice"</th><th scope="col">"Period"</th><th scope="col">"Created"</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|i| {
                        let href = format!("/dashboard/invoices/{}", i.id);
                        view! {
                            <tr data-id=i.id.clone()>
                                <td class="num"><a href=href>{money(i.currency.code(), i.amount_due)}</a></td>
                                <td><StatusBadge status=i.status.as_str().to_string() /></td>
                                <td><code>{i.id.clone()}</code></td>
                                <td>{period(i.period_start, i.period_end)}</td>
                                <td>{format_utc(i.created)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
pub fn InvoicePage() -> impl IntoView {
    let Some(v) = viewer() else {
        return signed_out();
    };
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let state = expect_context::<AppState>();
    let scope = v.scope.clone();
    let public_url = state.config.public_url.clone();
    let data = Suspend::new(async move {
        match billing::invoice_detail(&state.store, &scope, &id).await {
            Ok(detail) => view! { <Invoice detail public_url=public_url.clone() /> }.into_any(),
            Err(BillingError::Service(ServiceError::NotFound { .. })) => {
                not_found("invoice", &id, "/dashboard/invoices")
            }
            Err(err) => load_failed(err),
        }
    });
    view! {
        <DashboardLayout viewer=v active="billing" title="Invoice".to_string()>
            <p class="crumbs"><a href="/dashboard/invoices">"Invoices"</a></p>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>{data}</Suspense>
        </DashboardLayout>
    }
    .into_any()
}

#[component]
fn Invoice(detail: InvoiceDetail, public_url: String) -> impl IntoView {
    let i = detail.invoice;
    let currency = i.currency.code();
    let status = i.status;
    let open = status == InvoiceStatus::Open;
    let payable = matches!(status, InvoiceStatus::Draft | InvoiceStatus::Open);
    let hosted = (status != InvoiceStatus::Draft).then(|| hosted_invoice_url(&public_url, &i.id));
    let customer = detail
        .customer
        .as_ref()
        .and_then(|c| c.email.clone().or_else(|| c.name.clone()))
        .unwrap_or_else(|| i.customer.clone());
    let id = i.id.clone();
    view! {
        <h1>{money(currency, i.amount_due)} " " <StatusBadge status=status.as_str().to_string() /></h1>
        <section class="card">
            <dl class="facts">
                <dt>"Invoice"</dt><dd><code>{i.id.clone()}</code></dd>
                <dt>"Customer"</dt><dd><a href=format!("/dashboard/customers/{}", i.customer)>{customer}</a></dd>
                {i.subscription.clone().map(|s| view! {
                    <dt>"Subscription"</dt><dd><a href=format!("/dashboard/subscriptions/{s}")>{s.clone()}</a></dd>
                })}
                <dt>"Reason"</dt><dd>{super::status_label(i.billing_reason.as_str())}</dd>
                <dt>"Period"</dt><dd>{period(i.period_start, i.period_end)}</dd>
                <dt>"Paid"</dt><dd>{money(currency, i.amount_paid)}</dd>
                <dt>"Remaining"</dt><dd>{money(currency, i.amount_remaining)}</dd>
                <dt>"Attempts"</dt><dd data-testid="attempt-count">{i.attempt_count}</dd>
                {i.next_payment_attempt.map(|t| view! { <dt>"Next retry"</dt><dd>{format_utc(t)}</dd> })}
                {i.finalize_at.filter(|_| status == InvoiceStatus::Draft).map(|t| view! { <dt>"Finalized at"</dt><dd>{format_utc(t)}</dd> })}
                {hosted.map(|url| view! {
                    <dt>"Customer's page"</dt><dd><a href=url.clone() data-testid="hosted-link">{url.clone()}</a></dd>
                })}
            </dl>
        </section>
        <section class="card">
            <h2>"Lines"</h2>
            <table data-testid="lines-table">
                <thead><tr><th scope="col">"Description"</th><th scope="col">"Type"</th><th scope="col" class="num">"Qty"</th><th scope="col" class="num">"Amount"</th></tr></thead>
                <tbody>
                    {detail.lines.into_iter().map(|l| view! {
                        <tr>
                            <td>{l.description.clone()}<br /><span class="muted small">{period(l.period_start, l.period_end)}</span></td>
                            <td>{super::status_label(l.kind.as_str())}</td>
                            <td class="num">{l.quantity}</td>
                            <td class="num">{money(currency, l.amount)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
                <tfoot><tr><th scope="row" colspan="3">"Total"</th><td class="num">{money(currency, i.total)}</td></tr></tfoot>
            </table>
        </section>
        {payable.then(|| view! {
            <section class="card actions" aria-label="Actions" data-testid="invoice-actions">
                <h2>"Actions"</h2>
                <div class="action-row">
                    <form method="post" action={action::<RetryInvoice>()}>
                        <input type="hidden" name="invoice" value=id.clone() />
                        <button type="submit" class="button primary" data-testid="retry">
                            {if status == InvoiceStatus::Draft { "Finalize and charge now" } else { "Retry payment now" }}
                        </button>
                    </form>
                    <ConfirmAction
                        testid="void"
                        summary="Void…"
                        action={action::<CloseInvoice>().to_string()}
                        fields={vec![("invoice", id.clone()), ("to", "void".into())]}
                        body={view! { <p>"Nothing will be owed on this invoice, and no retry will run."</p> }.into_any()}
                        confirm="Confirm void"
                    />
                    {open.then(|| view! {
                        <ConfirmAction
                            testid="uncollectible"
                            summary="Mark uncollectible…"
                            action={action::<CloseInvoice>().to_string()}
                            fields={vec![("invoice", id.clone()), ("to", "uncollectible".into())]}
                            body={view! { <p>"Write it off: no retry will run. The customer can no longer pay it on its page."</p> }.into_any()}
                            confirm="Confirm"
                        />
                    })}
                </div>
            </section>
        })}
        <section class="card">
            <h2>"Payment attempts"</h2>
            {if detail.attempts.is_empty() {
                view! { <p class="muted">"None yet."</p> }.into_any()
            } else {
                view! { <PaymentsTable rows=detail.attempts /> }.into_any()
            }}
        </section>
    }
}
