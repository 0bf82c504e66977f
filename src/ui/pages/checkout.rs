//! The hosted checkout page (`/checkout/{reference}`): the merchant's name and colour, the
//! amount, the order, and the card form, or the payment's result when it has one.

use super::{MerchantCard, hosted_message};
use crate::domain::payment::PaymentStatus;
use crate::server::services::checkout::{self, CheckoutView};
use crate::server::services::loyalty::{self, payment::PaymentPoints};
use crate::server::services::payments::{challenge_url, return_url_with_result};
use crate::server::state::AppState;
use crate::ui::islands::card_form::CardForm;
use crate::ui::pages::dashboard::loyalty::points as points_label;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn CheckoutPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let (invalid, failed) = super::card_form_outcome();
    let state = expect_context::<AppState>();
    let content = Suspend::new(async move {
        let deps = state.payment_deps();
        match checkout::load(&deps, &id).await {
            Ok(Some(view)) => {
                allow_form_target(&view);
                // The points lines are extras: a failure to read them leaves them out rather
                // than keeping the customer from paying.
                let points = loyalty::payment::of_payment(&state.store, &view.payment)
                    .await
                    .unwrap_or_else(|err| {
                        tracing::warn!(error = %err, payment = %view.payment.id, "reading a checkout's points failed");
                        PaymentPoints::default()
                    });
                view! { <Checkout checkout=view points invalid=invalid failed=failed today=crate::server::clock::year_month(state.clock.now()) /> }
                    .into_any()
            }
            Ok(None) => hosted_message(
                http::StatusCode::NOT_FOUND,
                "Checkout not found",
                "This checkout doesn't exist",
                "Check the link you were given, or go back to the shop and start again.",
            ),
            Err(err) => {
                tracing::error!(error = %err, "loading a checkout failed");
                hosted_message(
                    http::StatusCode::INTERNAL_SERVER_ERROR,
                    "Checkout unavailable",
                    "Something went wrong",
                    "We couldn't load this payment. Reload the page in a moment.",
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

/// The form's post may end in a redirect to the merchant's `return_url` or to the processor's
/// challenge page: browsers apply `form-action` to that redirect too, so their origins join
/// the page's CSP.
fn allow_form_target(view: &CheckoutView) {
    let mut origins = vec![super::return_origin(&view.payment)];
    origins.extend(view.challenge_origins.iter().cloned());
    origins.retain(|o| !o.is_empty());
    super::set_page_csp(&origins.join(" "), "'none'");
}

#[component]
fn Checkout(
    checkout: CheckoutView,
    points: PaymentPoints,
    invalid: Option<(String, String)>,
    failed: bool,
    today: (i32, u32),
) -> impl IntoView {
    let view = checkout;
    let p = &view.payment;
    let amount = p.currency.display(p.amount);
    let status = view.status();
    let merchant = view.merchant_name.clone();
    let summary = order_summary(&view);
    let loyalty = points_lines(&view, &points);
    let body = match status {
        PaymentStatus::RequiresPaymentMethod => {
            let decline = view.decline_message();
            view! {
                {failed.then(|| view! {
                    <div class="notice error" role="alert">"Something went wrong on our side. Check with the shop whether you were charged before trying again."</div>
                })}
                {decline.map(|m| view! {
                    <div class="notice error" role="alert" data-testid="decline-message">{m}</div>
                })}
                <CardForm
                    reference=p.id.clone()
                    pay_label=format!("Pay {amount}")
                    today=today
                    invalid=invalid.unwrap_or_default()
                    holder=p.customer_name.clone().unwrap_or_default()
                />
            }
            .into_any()
        }
        other => result_panel(&view, other, &amount).into_any(),
    };
    let awaiting = status.awaits_customer();
    let cancel_action = format!("/checkout/{}/cancel", p.id);
    let test_mode = !view.livemode();
    let card = view! {
        <div class="order" aria-label="Order summary">
            <p class="amount-label">"Amount due"</p>
            <p class="amount" data-testid="amount">{amount.clone()}</p>
            {summary}
            {loyalty}
        </div>
        {body}
        {(awaiting && test_mode).then(|| view! {
            <p class="muted small test-hint">"Test card: 4242 4242 4242 4242, any future date, any CVC."</p>
        })}
        {awaiting.then(|| view! {
            <form method="post" action=cancel_action class="cancel-form">
                <button type="submit" class="link-button" data-testid="cancel">
                    {format!("Cancel and return to {merchant}")}
                </button>
            </form>
        })}
        <p class="muted small secured">"Payments secured by VINR. Card details go only to VINR, never to the shop."</p>
    }
    .into_any();
    view! {
        <Title text=format!("Pay {} · {}", amount, merchant) />
        <MerchantCard merchant=merchant.clone() brand_color=view.brand_color.clone() test_mode body=card />
    }
}

/// Description, product or line items.
fn order_summary(view: &CheckoutView) -> impl IntoView + use<> {
    let p = &view.payment;
    let currency = p.currency;
    let price = move |minor: i64| currency.display(minor);
    let items = view.items.clone();
    let text = p.description.clone().or_else(|| p.product_name.clone());
    let reference = view.merchant_reference.clone();
    view! {
        {text.map(|t| view! { <p class="description">{t}</p> })}
        {reference.map(|r| view! { <p class="muted small">"Order " {r}</p> })}
        {(!items.is_empty()).then(|| view! {
            <table class="items">
                <caption class="visually-hidden">"Items in this order"</caption>
                <thead><tr><th scope="col">"Item"</th><th scope="col" class="num">"Qty"</th><th scope="col" class="num">"Amount"</th></tr></thead>
                <tbody>
                    {items.into_iter().map(|i| view! {
                        <tr>
                            <td>{i.description}</td>
                            <td class="num">{i.quantity}</td>
                            <td class="num">{price(i.amount)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
    }
}

/// The reward that lowered the amount (what it cost in points and took off), and the points
/// the payment earns: "you'll earn N" before it is paid, "you earned N" after.
fn points_lines(view: &CheckoutView, points: &PaymentPoints) -> impl IntoView + use<> {
    let currency = view.payment.currency;
    let discount = points.discount().map(|(redemption, reward)| {
        let name = reward
            .as_ref()
            .map(|r| r.name.clone())
            .unwrap_or_else(|| "Reward".to_string());
        let subtotal = currency.display(view.payment.amount + redemption.discount);
        let off = format!("−{}", currency.display(redemption.discount));
        let cost = format!("{} points", redemption.points);
        view! {
            <table class="items" data-testid="discount">
                <caption class="visually-hidden">"Points redeemed on this order"</caption>
                <tbody>
                    <tr><td>"Subtotal"</td><td class="num">{subtotal}</td></tr>
                    <tr><td>{name} <span class="muted small">" · " {cost}</span></td><td class="num">{off}</td></tr>
                </tbody>
            </table>
        }
    });
    let earned = points.earned() - points.clawed_back();
    let earn = match points.to_earn {
        Some(n) => Some(format!(
            "You'll earn {} with this payment.",
            points_label(n)
        )),
        None if earned > 0 => Some(format!(
            "You earned {} with this payment.",
            points_label(earned)
        )),
        None => None,
    };
    view! {
        {discount}
        {earn.map(|text| view! { <p class="points-note" data-testid="points-to-earn">{text}</p> })}
    }
}

/// The payment's result, or where it stands when the form does not apply.
fn result_panel(view: &CheckoutView, status: PaymentStatus, amount: &str) -> impl IntoView + use<> {
    let p = &view.payment;
    let merchant = view.merchant_name.clone();
    // The merchant's page once there is a result; while the bank or the customer still has
    // to act, the way forward is on this page.
    let back = match status {
        PaymentStatus::RequiresPaymentMethod
        | PaymentStatus::RequiresAction
        | PaymentStatus::Processing => None,
        _ => return_url_with_result(p),
    };
    let challenge = challenge_url(p);
    let (title, text, tone) = match status {
        PaymentStatus::Succeeded => (
            "Payment complete",
            format!("You paid {amount} to {merchant}. You can close this page."),
            "success",
        ),
        PaymentStatus::RequiresCapture => (
            "Payment authorised",
            format!("{amount} is reserved on your card for {merchant}, who will take it when your order is ready."),
            "success",
        ),
        PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded => (
            "Paid and refunded",
            format!("This payment to {merchant} was made and has since been refunded, in part or in full."),
            "neutral",
        ),
        PaymentStatus::Processing => (
            "Confirming your payment",
            "Your bank is still answering. Reload this page in a few seconds to see the result; don't pay again."
                .to_string(),
            "neutral",
        ),
        PaymentStatus::RequiresAction => (
            "Confirm with your bank",
            "Your bank wants to check it's you before the payment goes through.".to_string(),
            "neutral",
        ),
        PaymentStatus::Failed => (
            "Payment failed",
            format!("The payment to {merchant} did not go through and you were not charged."),
            "error",
        ),
        PaymentStatus::Canceled => (
            "Payment canceled",
            "This payment was canceled. You were not charged.".to_string(),
            "neutral",
        ),
        PaymentStatus::Expired => (
            "This payment link has expired",
            format!("It was not paid in time, and you were not charged. Go back to {merchant} to start again."),
            "neutral",
        ),
        PaymentStatus::RequiresPaymentMethod => (
            "Waiting for payment",
            String::new(),
            "neutral",
        ),
    };
    let status_name = status.as_str();
    view! {
        <div class=format!("result {tone}") role="status" data-testid="checkout-status" data-status=status_name>
            <h2>{title}</h2>
            <p>{text}</p>
        </div>
        {(status == PaymentStatus::RequiresAction).then(|| challenge.map(|url| view! {
            <a class="button primary wide" href=url>"Continue to your bank"</a>
        }))}
        {back.map(|href| view! {
            <a class="button primary wide" href=href data-testid="return-link">{format!("Return to {merchant}")}</a>
        })}
    }
}
