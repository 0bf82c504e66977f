//! The hosted invoice page (`/invoices/{inv}`): who bills, how much and for what (the
//! invoice's lines), and, while it is open, the checkout's card form (it works without
//! JavaScript) or the way to the bank's challenge its latest attempt waits on.

use super::{MerchantCard, hosted_message};
use crate::server::clock::format_date;
use crate::server::services::billing::hosted::{self, HostedInvoice, Stage};
use crate::server::state::AppState;
use crate::ui::islands::card_form::CardForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn InvoicePage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let (invalid, failed) = super::card_form_outcome();
    let state = expect_context::<AppState>();
    let content = Suspend::new(async move {
        let deps = state.payment_deps();
        match hosted::load(&deps, &id).await {
            Ok(Some(loaded)) => {
                let today = crate::server::clock::year_month(state.clock.now());
                view! { <Invoice hosted=loaded invalid failed today /> }.into_any()
            }
            Ok(None) => hosted_message(
                http::StatusCode::NOT_FOUND,
                "Invoice not found",
                "This invoice doesn't exist",
                "Check the link you were sent, or ask the business that billed you for a new one.",
            ),
            Err(err) => {
                tracing::error!(error = %err, "loading a hosted invoice failed");
                hosted_message(
                    http::StatusCode::INTERNAL_SERVER_ERROR,
                    "Invoice unavailable",
                    "Something went wrong",
                    "We couldn't load this invoice. Reload the page in a moment.",
                )
            }
        }
    });
    view! {
        <main class="checkout">
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>{content}</Suspense>
        </main>
    }
}

#[component]
fn Invoice(
    hosted: HostedInvoice,
    invalid: Option<(String, String)>,
    failed: bool,
    today: (i32, u32),
) -> impl IntoView {
    // The card post may end in a redirect to the processor's challenge page: browsers apply
    // `form-action` to that redirect too.
    if !hosted.challenge_origins.is_empty() {
        super::set_page_csp(&hosted.challenge_origins.join(" "), "'none'");
    }
    let inv = &hosted.invoice;
    let money = move |minor: i64| inv.currency.display(minor);
    let due = money(inv.amount_remaining);
    let total = money(inv.total);
    let merchant = hosted.merchant_name.clone();
    let stage = hosted.stage();
    let test_mode = !hosted.livemode();
    let decline = hosted.decline_message();
    let (title, text, tone) = match &stage {
        Stage::Paid => (
            "Invoice paid",
            format!(
                "You paid {} to {merchant} on {}. You can close this page.",
                money(inv.amount_paid),
                inv.paid_at.map(format_date).unwrap_or_default()
            ),
            "success",
        ),
        Stage::Void => (
            "Invoice canceled",
            format!("{merchant} canceled this invoice: nothing is owed."),
            "neutral",
        ),
        Stage::Uncollectible => (
            "Invoice closed",
            format!("This invoice can no longer be paid here. Contact {merchant} about it."),
            "neutral",
        ),
        Stage::Confirming => (
            "Confirming your payment",
            "Your bank is still answering. Reload this page in a few seconds; don't pay again."
                .to_string(),
            "neutral",
        ),
        Stage::Challenge(_) => (
            "Confirm with your bank",
            "Your bank wants to check it's you before this invoice is paid.".to_string(),
            "neutral",
        ),
        Stage::Payable => ("", String::new(), ""),
    };
    let panel = match stage {
        Stage::Payable => view! {
            {failed.then(|| view! {
                <div class="notice error" role="alert">"Something went wrong on our side. Reload this page to see whether the invoice was paid before trying again."</div>
            })}
            {decline.map(|m| view! {
                <div class="notice error" role="alert" data-testid="decline-message">{m}</div>
            })}
            <CardForm
                reference=inv.id.clone()
                pay_label=format!("Pay {due}")
                today=today
                invalid=invalid.unwrap_or_default()
            />
            {test_mode.then(|| view! {
                <p class="muted small test-hint">"Test card: 4242 4242 4242 4242, any future date, any CVC."</p>
            })}
        }
        .into_any(),
        Stage::Challenge(url) => view! {
            <div class="result neutral" role="status" data-testid="invoice-status" data-status="requires_action">
                <h2>{title}</h2>
                <p>{text}</p>
            </div>
            <a class="button primary wide" href=url data-testid="challenge-link">"Continue to your bank"</a>
        }
        .into_any(),
        _ => view! {
            <div class=format!("result {tone}") role="status" data-testid="invoice-status" data-status=inv.status.as_str()>
                <h2>{title}</h2>
                <p>{text}</p>
            </div>
        }
        .into_any(),
    };
    let lines = hosted
        .lines
        .iter()
        .map(|l| {
            let period = if l.period_end > l.period_start {
                format!(
                    "{} – {}",
                    format_date(l.period_start),
                    format_date(l.period_end)
                )
            } else {
                String::new()
            };
            (l.description.clone(), period, l.quantity, money(l.amount))
        })
        .collect::<Vec<_>>();
    let credit = (inv.total != inv.amount_due).then(|| money(inv.amount_due - inv.total));
    let period = format!(
        "{} – {}",
        format_date(inv.period_start),
        format_date(inv.period_end)
    );
    let card = view! {
        <div class="order" aria-label="Invoice summary">
            <p class="amount-label">{if inv.amount_remaining > 0 { "Amount due" } else { "Invoice total" }}</p>
            <p class="amount" data-testid="amount">{if inv.amount_remaining > 0 { due.clone() } else { total.clone() }}</p>
            <p class="muted small">"Invoice " <code>{inv.id.clone()}</code> " · " {period}</p>
            <table class="items" data-testid="invoice-lines">
                <caption class="visually-hidden">"What this invoice is for"</caption>
                <thead><tr><th scope="col">"Description"</th><th scope="col" class="num">"Qty"</th><th scope="col" class="num">"Amount"</th></tr></thead>
                <tbody>
                    {lines.into_iter().map(|(description, period, quantity, amount)| view! {
                        <tr>
                            <td>{description}{(!period.is_empty()).then(|| view! { <br /><span class="muted small">{period}</span> })}</td>
                            <td class="num">{quantity}</td>
                            <td class="num">{amount}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
                <tfoot>
                    <tr><th scope="row" colspan="2">"Total"</th><td class="num">{total}</td></tr>
                    {credit.map(|c| view! { <tr><th scope="row" colspan="2">"Credit applied"</th><td class="num">{c}</td></tr> })}
                    {(inv.amount_paid > 0).then(|| view! { <tr><th scope="row" colspan="2">"Paid"</th><td class="num">{money(inv.amount_paid)}</td></tr> })}
                </tfoot>
            </table>
        </div>
        {panel}
        <p class="muted small secured">"Payments secured by VINR. Card details go only to VINR, never to the business."</p>
    }
    .into_any();
    view! {
        <Title text=format!("Invoice {} · {}", inv.id, merchant) />
        <MerchantCard merchant=merchant.clone() brand_color=hosted.brand_color.clone() test_mode body=card />
    }
}
