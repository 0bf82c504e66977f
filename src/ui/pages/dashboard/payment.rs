//! One payment: what it is, what can be done with it (capture, adjust, cancel, refund, each
//! behind a confirmation step), and its history: events, charges, refunds, ledger postings
//! and webhook deliveries.

use super::webhook::DeliveriesTable;
use super::{
    ConfirmAction, DashboardLayout, StatusBadge, action, load_failed, money, not_found, signed_out,
    viewer,
};
use crate::domain::payment::PaymentStatus;
use crate::server::services::ServiceError;
use crate::server::services::dashboard::{self, PaymentDetail};
use crate::server::services::loyalty::payment::PaymentPoints;
use crate::server::services::refunds::REASONS;
use crate::server::state::AppState;
use crate::server::store::charges::ChargeRow;
use crate::server::store::ledger::{EntryRow, TransactionRow};
use crate::server::store::payments::PaymentRow;
use crate::server::store::refunds::RefundRow;
use crate::ui::pages::dashboard::loyalty::points as points_label;
use crate::ui::pages::dashboard::payment_actions::{
    AdjustPayment, CancelPayment, CapturePayment, RefundPayment,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn PaymentPage() -> impl IntoView {
    let Some(v) = viewer() else {
        return signed_out();
    };
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let state = expect_context::<AppState>();
    let scope = v.scope.clone();
    let title = id.clone();
    let data = Suspend::new(async move {
        match dashboard::payment_detail(&state.store, &scope, &id).await {
            Ok(detail) => view! { <Detail detail /> }.into_any(),
            Err(ServiceError::NotFound { .. }) => not_found("payment", &id, "/dashboard/payments"),
            Err(err) => load_failed(err),
        }
    });
    view! {
        <DashboardLayout viewer=v active="payments" title=title>
            <p class="crumbs"><a href="/dashboard/payments">"Payments"</a></p>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>{data}</Suspense>
        </DashboardLayout>
    }
    .into_any()
}

/// What the payment earned and lost in points, and the reward redeemed on it.
#[component]
fn Points(points: PaymentPoints, currency: String) -> impl IntoView {
    let earned = points.earned();
    let clawed = points.clawed_back();
    let to_earn = points.to_earn;
    view! {
        <section class="card" data-testid="payment-points">
            <h2>"Points"</h2>
            <dl class="facts">
                {to_earn.map(|n| view! { <dt>"Will earn"</dt><dd>{points_label(n)}</dd> })}
                {(earned > 0).then(|| view! { <dt>"Earned"</dt><dd data-testid="points-earned">{points_label(earned)}</dd> })}
                {(clawed > 0).then(|| view! { <dt>"Taken back by refunds"</dt><dd>{points_label(clawed)}</dd> })}
                {points.redemptions.into_iter().map(|(r, reward)| {
                    let name = reward.map(|w| w.name).unwrap_or_else(|| r.reward.clone());
                    let text = format!("{name}: {} for {} off ({})", points_label(r.points), money(&currency, r.discount), r.status.as_str());
                    view! { <dt>"Reward"</dt><dd>{text}</dd> }
                }).collect_view()}
            </dl>
            {points.transactions.first().map(|p| {
                let href = format!("/dashboard/loyalty/accounts/{}", p.loyalty_account);
                view! { <p><a href=href>"The customer's points account"</a></p> }
            })}
        </section>
    }
}

#[component]
fn Detail(detail: PaymentDetail) -> impl IntoView {
    let p = detail.payment;
    let took_money = p.amount_received > 0;
    let receipt = took_money.then(|| format!("/receipts/{}", p.id));
    view! {
        <header class="payment-head">
            <div>
                <p class="amount" data-testid="payment-amount">{money(p.currency.code(), p.amount)}</p>
                <p><StatusBadge status=p.status.as_str().to_string() /> " " <code data-testid="payment-id">{p.id.clone()}</code></p>
            </div>
            {receipt.map(|href| view! { <a class="button ghost" href=href>"Receipt"</a> })}
        </header>
        <Actions payment=p.clone() pending=detail.refunds_pending />
        <div class="columns">
            <Facts payment=p.clone() />
            <Charges charges=detail.charges />
        </div>
        <section class="card">
            <h2>"Refunds"</h2>
            <Refunds refunds=detail.refunds />
        </section>
        {(!detail.points.is_empty()).then(|| view! { <Points points=detail.points currency=p.currency.code().to_string() /> })}
        <section class="card">
            <h2>"Timeline"</h2>
            {if detail.events.is_empty() {
                view! { <p class="muted">"No events yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="timeline" data-testid="timeline">
                        {detail.events.into_iter().map(|e| view! {
                            <li>
                                <span class="event-type">{e.kind}</span>
                                <span class="muted small">{crate::server::clock::format_utc(e.created)} " · " <code>{e.id}</code></span>
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
        <section class="card">
            <h2>"Ledger"</h2>
            <Ledger postings=detail.ledger />
        </section>
        <section class="card">
            <h2>"Webhook deliveries"</h2>
            <DeliveriesTable deliveries=detail.deliveries show_event=true />
        </section>
    }
}

/// The actions the payment's status allows, each opened then confirmed.
#[component]
fn Actions(payment: PaymentRow, pending: i64) -> impl IntoView {
    let p = payment;
    let plain = |minor: i64| p.currency.format_plain(minor);
    let capturable = p.status == PaymentStatus::RequiresCapture;
    let cancelable = matches!(
        p.status.as_str(),
        "requires_payment_method" | "requires_action" | "requires_capture"
    );
    let refundable = p.amount_received - p.amount_refunded - pending;
    let can_refund =
        matches!(p.status.as_str(), "succeeded" | "partially_refunded") && refundable > 0;
    if !capturable && !cancelable && !can_refund {
        return ().into_any();
    }
    let id = p.id.clone();
    let currency = p.currency.code();
    let capture_default = plain(p.amount_capturable);
    let refund_default = plain(refundable);
    let seen = (p.amount_refunded + pending).to_string();
    view! {
        <section class="card actions" aria-label="Actions">
            <h2>"Actions"</h2>
            <div class="action-row">
                {capturable.then(|| view! {
                    <ConfirmAction
                        testid="capture"
                        summary="Capture…"
                        summary_class="button primary"
                        action={action::<CapturePayment>().to_string()}
                        fields={vec![("payment", id.clone())]}
                        body={view! {
                            <label for="capture-amount">"Amount to capture (" {currency} ")"</label>
                            <input id="capture-amount" name="amount" inputmode="decimal" value=capture_default.clone() />
                            <p class="muted small">"Up to " {capture_default.clone()} ". Whatever is not captured is released to the customer."</p>
                        }.into_any()}
                        confirm="Confirm capture"
                        confirm_class="button primary"
                    />
                    <ConfirmAction
                        testid="adjust"
                        summary="Adjust…"
                        action={action::<AdjustPayment>().to_string()}
                        fields={vec![("payment", id.clone())]}
                        body={view! {
                            <label for="adjust-amount">"New authorised amount (" {currency} ")"</label>
                            <input id="adjust-amount" name="amount" inputmode="decimal" required />
                            <p class="muted small">"An increase asks the card's issuer again and can be declined."</p>
                        }.into_any()}
                        confirm="Confirm new amount"
                        confirm_class="button primary"
                    />
                })}
                {cancelable.then(|| view! {
                    <ConfirmAction
                        testid="cancel"
                        summary="Cancel…"
                        action={action::<CancelPayment>().to_string()}
                        fields={vec![("payment", id.clone()), ("reason", String::new())]}
                        body={view! { <p>"The customer will not be charged; an authorisation is released."</p> }.into_any()}
                        confirm="Confirm cancel"
                    />
                })}
                {can_refund.then(|| view! {
                    <ConfirmAction
                        testid="refund"
                        summary="Refund…"
                        action={action::<RefundPayment>().to_string()}
                        fields={vec![("payment", id.clone()), ("seen", seen.clone())]}
                        body={view! {
                            <label for="refund-amount">"Amount to refund (" {currency} ")"</label>
                            <input id="refund-amount" name="amount" inputmode="decimal" value=refund_default.clone() />
                            <p class="muted small">{format!("Up to {refund_default}.")}</p>
                            <label for="refund-reason">"Reason"</label>
                            <select id="refund-reason" name="reason">
                                <option value="">"None given"</option>
                                {REASONS.into_iter().map(|r| view! { <option value=r>{super::status_label(r)}</option> }).collect_view()}
                            </select>
                        }.into_any()}
                        confirm="Confirm refund"
                        confirm_class="button primary"
                    />
                })}
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn Facts(payment: PaymentRow) -> impl IntoView {
    let p = payment;
    let m = |minor: i64| money(p.currency.code(), minor);
    let customer = p.customer.clone().map(|c| {
        let href = format!("/dashboard/customers/{c}");
        view! { <a href=href>{c}</a> }
    });
    let metadata: Vec<(String, String)> =
        serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&p.metadata)
            .map(|m| {
                m.into_iter()
                    .map(|(k, v)| {
                        (
                            k,
                            v.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| v.to_string()),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
    let error = p
        .last_payment_error
        .as_deref()
        .and_then(|e| serde_json::from_str::<serde_json::Value>(e).ok())
        .and_then(|e| e["message"].as_str().map(str::to_string));
    // The processor's dispute (chargeback), as it last reported it.
    let dispute = p
        .dispute
        .as_deref()
        .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
        .map(|d| {
            format!(
                "{} · {} ({})",
                m(d["amount"].as_i64().unwrap_or_default()),
                d["reason"].as_str().unwrap_or_default().replace('_', " "),
                d["status"].as_str().unwrap_or_default().replace('_', " "),
            )
        });
    view! {
        <section class="card">
            <h2>"Details"</h2>
            <dl class="facts">
                <dt>"Created"</dt><dd>{crate::server::clock::format_utc(p.created)}</dd>
                <dt>"Amount"</dt><dd>{m(p.amount)}</dd>
                <dt>"Capturable"</dt><dd data-testid="amount-capturable">{m(p.amount_capturable)}</dd>
                <dt>"Received"</dt><dd data-testid="amount-received">{m(p.amount_received)}</dd>
                <dt>"Refunded"</dt><dd data-testid="amount-refunded">{m(p.amount_refunded)}</dd>
                <dt>"Capture"</dt><dd>{p.capture_method.clone()}</dd>
                <dt>"Acquirer"</dt><dd><code>{p.acquirer.clone()}</code></dd>
                {customer.map(|c| view! { <dt>"Customer"</dt><dd>{c}</dd> })}
                {p.customer_email.clone().map(|v| view! { <dt>"E-mail"</dt><dd>{v}</dd> })}
                {p.customer_name.clone().map(|v| view! { <dt>"Name"</dt><dd>{v}</dd> })}
                {p.customer_reference.clone().map(|v| view! { <dt>"Reference"</dt><dd>{v}</dd> })}
                {p.description.clone().map(|v| view! { <dt>"Description"</dt><dd class="wrap">{v}</dd> })}
                {p.statement_descriptor.clone().map(|v| view! { <dt>"Statement"</dt><dd>{v}</dd> })}
                {p.on_behalf_of.clone().map(|v| view! { <dt>"On behalf of"</dt><dd><code>{v}</code></dd> })}
                {p.cancellation_reason.clone().map(|v| view! { <dt>"Canceled"</dt><dd>{v}</dd> })}
                {error.map(|v| view! { <dt>"Last error"</dt><dd class="wrap">{v}</dd> })}
                {dispute.map(|v| view! { <dt>"Disputed"</dt><dd data-testid="dispute">{v}</dd> })}
                {metadata.into_iter().map(|(k, v)| view! { <dt>"metadata." {k}</dt><dd class="wrap">{v}</dd> }).collect_view()}
            </dl>
        </section>
    }
}

#[component]
fn Charges(charges: Vec<ChargeRow>) -> impl IntoView {
    view! {
        <section class="card" data-testid="charges">
            <h2>"Charges"</h2>
            {if charges.is_empty() {
                view! { <p class="muted">"No card tried yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {charges.into_iter().map(|c| {
                            let outcome = c.failure_message.clone().unwrap_or_else(|| super::status_label(&c.status));
                            view! {
                                <li>
                                    <p><strong>{card_brand(&c.card_brand)} " •••• " {c.card_last4.clone()}</strong>
                                       " " <span class="muted">{format!("{:02}/{}", c.card_exp_month, c.card_exp_year)}</span></p>
                                    <p class="small">{outcome} " · " {money(c.currency.code(), c.amount)}
                                       {(c.amount_captured > 0).then(|| format!(" · captured {}", money(c.currency.code(), c.amount_captured)))}
                                       {(c.fee > 0).then(|| format!(" · fee {}", money(c.currency.code(), c.fee)))}</p>
                                    <p class="muted small">"Acquirer " <code>{c.acquirer.clone()}</code> " · " <code>{c.id.clone()}</code></p>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// `visa` → `Visa`, `amex` → `American Express`.
pub fn card_brand(brand: &str) -> String {
    match brand {
        "amex" => "American Express".into(),
        "mastercard" => "Mastercard".into(),
        other => super::status_label(other),
    }
}

#[component]
fn Refunds(refunds: Vec<RefundRow>) -> impl IntoView {
    if refunds.is_empty() {
        return view! { <p class="muted">"No refunds."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table data-testid="refunds">
                <thead><tr><th scope="col">"Amount"</th><th scope="col">"Status"</th><th scope="col">"Reason"</th><th scope="col">"Created"</th></tr></thead>
                <tbody>
                    {refunds.into_iter().map(|r| view! {
                        <tr>
                            <td class="num">{money(r.currency.code(), r.amount)}</td>
                            <td><StatusBadge status=r.status.as_str().to_string() />
                                {r.failure_reason.clone().map(|f| view! { <span class="muted small">" " {f}</span> })}</td>
                            <td>{r.reason.clone().map(|r| super::status_label(&r)).unwrap_or_else(|| "—".into())}</td>
                            <td>{crate::server::clock::format_utc(r.created)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// `merchant_pending` → `Merchant pending`.
fn book_label(book: &str) -> String {
    super::status_label(book)
}

#[component]
fn Ledger(postings: Vec<(TransactionRow, Vec<EntryRow>)>) -> impl IntoView {
    if postings.is_empty() {
        return view! { <p class="muted">"Nothing posted: the payment has not taken money."</p> }
            .into_any();
    }
    view! {
        <div class="ledger" data-testid="ledger">
            {postings.into_iter().map(|(t, entries)| {
                let m = |minor: i64| money(t.currency.code(), minor);
                view! {
                    <div class="posting">
                        <p><strong>{super::status_label(&t.kind)}</strong> " " {m(t.amount)}
                           " · fee " {m(t.fee)} " · net " {m(t.net)}
                           <span class="muted small">" · " {crate::server::clock::format_utc(t.created)} " · " <code>{t.id.clone()}</code></span></p>
                        <div class="table-scroll">
                            <table class="entries">
                                <thead><tr><th scope="col">"Book"</th><th scope="col" class="num">"Debit"</th><th scope="col" class="num">"Credit"</th></tr></thead>
                                <tbody>
                                    {entries.into_iter().map(|e| view! {
                                        <tr>
                                            <td>{book_label(&e.book)}</td>
                                            <td class="num">{(e.debit != 0).then(|| m(e.debit))}</td>
                                            <td class="num">{(e.credit != 0).then(|| m(e.credit))}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    </div>
                }
            }).collect_view()}
        </div>
    }
    .into_any()
}
