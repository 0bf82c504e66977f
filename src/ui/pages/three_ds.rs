//! The simulated issuer's 3-D Secure challenge page.

use crate::domain::payment::PaymentStatus;
use crate::server::services::accounts;
use crate::server::services::payments::Channel;
use crate::server::state::AppState;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ThreeDsPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let state = expect_context::<AppState>();
    let content = Suspend::new(async move {
        let payment =
            match crate::server::services::payments::find_by_reference(&state.store, &id).await {
                Ok(Some(p)) => p,
                Ok(None) => return view! { <ChallengeGone /> }.into_any(),
                Err(err) => {
                    tracing::error!(error = %err, "loading a 3DS challenge failed");
                    return view! { <p class="notice error">"Something went wrong. Try again."</p> }
                    .into_any();
                }
            };
        let account = accounts::find(&state.store, &payment.account_id)
            .await
            .ok()
            .flatten();
        let amount = payment.currency.format(payment.amount);
        // The page redirects to the merchant after the post: let the form go there. Started in
        // a card element, it shows inside that frame, on the merchant's page.
        let form_origin = crate::ui::pages::return_origin(&payment);
        let framed = Channel::of_challenge(&payment, &state.config.public_url) == Channel::Elements;
        let ancestors = match (&account, framed) {
            (Some(account), true) => {
                crate::server::services::elements::challenge_ancestors(account)
            }
            _ => "'none'".to_string(),
        };
        crate::ui::pages::set_page_csp(&form_origin, &ancestors);
        let merchant = account.map(|a| a.name).unwrap_or_default();
        if payment.status != PaymentStatus::RequiresAction {
            let status = payment.status.as_str();
            let back = payment
                .return_url
                .as_ref()
                .map(|_| crate::server::web::challenge::return_target(&payment));
            return view! {
                <h1>"Authentication finished"</h1>
                <p data-testid="challenge-status">"This payment is now " <strong>{status}</strong> "."</p>
                {back.map(|href| view! { <a class="button primary" href=href>"Return to the merchant"</a> })}
            }
            .into_any();
        }
        let action = format!("/sandbox/3ds/{}", payment.id);
        view! {
            <h1>"Confirm this purchase"</h1>
            <p>"Your bank asks you to confirm a payment of " <strong>{amount}</strong> " to " <strong>{merchant}</strong> "."</p>
            <p class="muted">"This is VINR's sandbox: no real bank is involved. Choose how the challenge ends."</p>
            <form method="post" action=action class="challenge-actions">
                <button type="submit" name="result" value="complete" class="button primary wide">"Complete authentication"</button>
                <button type="submit" name="result" value="fail" class="button ghost wide">"Fail authentication"</button>
            </form>
        }
        .into_any()
    });
    view! {
        <Title text="3D Secure · VINR sandbox" />
        <main class="centered">
            <section class="card narrow">
                <p class="brand">"Sandbox issuer · 3D Secure"</p>
                <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>{content}</Suspense>
            </section>
        </main>
    }
}

#[component]
fn ChallengeGone() -> impl IntoView {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <h1>"No such challenge"</h1>
        <p>"This authentication link is not valid. Go back to the shop and try again."</p>
    }
}
