//! The public receipt page of a settled payment (`/receipts/{payment id}`): printable, no
//! JavaScript. The payment's id is its unguessable reference, as for the checkout.

use crate::server::services::receipts::{self, ReceiptView};
use crate::server::state::AppState;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::server::clock::format_utc as date_time;

#[component]
pub fn ReceiptPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let state = expect_context::<AppState>();
    let content = Suspend::new(async move {
        let loaded = async {
            let Some(row) =
                crate::server::services::payments::find_by_reference(&state.store, &id).await?
            else {
                return Ok(None);
            };
            receipts::load(&state.store, &state.config.public_url, &row).await
        };
        match loaded.await {
            Ok(Some(receipt)) => view! { <Receipt receipt /> }.into_any(),
            Ok(None) => view! { <NoReceipt /> }.into_any(),
            Err(err) => {
                tracing::error!(error = %err, "loading a receipt failed");
                view! { <p class="notice error">"Something went wrong. Try again."</p> }.into_any()
            }
        }
    });
    view! {
        <Title text="Receipt" />
        <main class="centered">
            <section class="card narrow receipt">
                <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>{content}</Suspense>
            </section>
        </main>
    }
}

#[component]
fn Receipt(receipt: ReceiptView) -> impl IntoView {
    let paid = receipt.money(receipt.amount);
    let card = match (&receipt.card.brand, &receipt.card.last4) {
        (Some(brand), Some(last4)) => format!("{} •••• {last4}", brand_name(brand)),
        _ => "Card".to_string(),
    };
    // Customers need when and how much; the refund ids are in the JSON for the merchant.
    let refunds: Vec<(String, String)> = receipt
        .refunds
        .iter()
        .map(|r| {
            (
                date_time(r.created),
                format!("−{}", receipt.money(r.amount)),
            )
        })
        .collect();
    let has_refunds = !refunds.is_empty();
    let net = receipt.money(receipt.amount - receipt.amount_refunded);
    view! {
        <p class="brand">{receipt.merchant.name.clone()}</p>
        <h1>"Receipt"</h1>
        {(!receipt.livemode).then(|| view! { <p class="badge test">"Test mode: no real money moved"</p> })}
        <p class="receipt-amount" data-testid="receipt-amount">{paid}</p>
        <dl class="receipt-lines">
            <dt>"Paid to"</dt><dd>{receipt.merchant.name.clone()}</dd>
            <dt>"Date"</dt><dd data-testid="receipt-date">{date_time(receipt.paid_at)}</dd>
            <dt>"Payment method"</dt><dd data-testid="receipt-card">{card}</dd>
            {receipt.description.clone().map(|d| view! { <dt>"For"</dt><dd>{d}</dd> })}
            <dt>"Reference"</dt><dd><code>{receipt.payment.clone()}</code></dd>
        </dl>
        {has_refunds.then(|| view! {
            <h2>"Refunds"</h2>
            <table class="receipt-refunds" data-testid="receipt-refunds">
                <thead><tr><th scope="col">"Refunded on"</th><th scope="col" class="num">"Amount"</th></tr></thead>
                <tbody>
                    {refunds.into_iter().map(|(when, amount)| view! {
                        <tr><td>{when}</td><td class="num">{amount}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p class="receipt-net">"Kept after refunds: " <strong>{net}</strong></p>
        })}
        <p class="muted no-print">"Print this page or save it as PDF for your records."</p>
    }
}

fn brand_name(brand: &str) -> String {
    match brand {
        "visa" => "Visa".into(),
        "mastercard" => "Mastercard".into(),
        "amex" => "American Express".into(),
        other => other.to_string(),
    }
}

#[component]
fn NoReceipt() -> impl IntoView {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <h1>"No receipt here"</h1>
        <p>"There is no receipt at this address: the link is wrong, or the payment took no money."</p>
    }
}

#[cfg(test)]
mod tests {
    use super::date_time;

    #[test]
    fn dates_are_utc_calendar_dates() {
        assert_eq!(date_time(0), "1970-01-01 00:00 UTC");
        // 2026-11-21 19:18:53 UTC.
        assert_eq!(date_time(1_795_288_733), "2026-11-21 19:18 UTC");
        assert_eq!(date_time(951_782_400), "2000-02-29 00:00 UTC");
    }
}
