//! The HTML shell and the page routes. Server-only: in the islands architecture the browser
//! hydrates islands, not the app, so none of this is compiled to wasm.

use crate::ui::pages::checkout::CheckoutPage;
use crate::ui::pages::dashboard::customers::{CustomerPage, CustomersPage};
use crate::ui::pages::dashboard::developers::DevelopersPage;
use crate::ui::pages::dashboard::home::DashboardHome;
use crate::ui::pages::dashboard::invoices::{InvoicePage as DashboardInvoicePage, InvoicesPage};
use crate::ui::pages::dashboard::loyalty::LoyaltyPage;
use crate::ui::pages::dashboard::loyalty_accounts::{LoyaltyAccountPage, LoyaltyAccountsPage};
use crate::ui::pages::dashboard::loyalty_rewards::RewardsPage;
use crate::ui::pages::dashboard::payment::PaymentPage;
use crate::ui::pages::dashboard::payments::PaymentsPage;
use crate::ui::pages::dashboard::products::ProductsPage;
use crate::ui::pages::dashboard::settings::SettingsPage;
use crate::ui::pages::dashboard::subscriptions::{SubscriptionPage, SubscriptionsPage};
use crate::ui::pages::dashboard::webhook::EndpointPage;
use crate::ui::pages::elements::{ElementsCardPage, ElementsChallengeEnd};
use crate::ui::pages::invoice::InvoicePage;
use crate::ui::pages::login::LoginPage;
use crate::ui::pages::not_found::NotFound;
use crate::ui::pages::receipt::ReceiptPage;
use crate::ui::pages::signup::SignupPage;
use crate::ui::pages::three_ds::ThreeDsPage;
use leptos::prelude::*;
use leptos_meta::{MetaTags, provide_meta_context};
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The wasm bundle of the card element's frame (its island only; built by `make build` beside
/// the main bundle), so the checkout does not download the frame's code nor the frame the
/// checkout's.
pub const FRAME_BUNDLE: &str = "vinr-frame";

/// The options naming the bundle this page loads: the frame's under `/elements/`, else the main.
fn bundle_options(mut options: LeptosOptions) -> LeptosOptions {
    let in_frame = use_context::<http::request::Parts>()
        .is_some_and(|parts| parts.uri.path().starts_with("/elements/"));
    if in_frame {
        options.output_name = FRAME_BUNDLE.into();
    }
    options
}

/// The document around every page. Sets the page CSP with this response's nonce, which
/// Leptos also puts on its hydration bootstrap script.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let options = bundle_options(options);
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        let csp = crate::ui::csp::page_csp(&nonce.to_string());
        if let Ok(value) = http::HeaderValue::from_str(&csp) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" href="/pkg/vinr.css" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=|| view! { <Redirect path="/dashboard" /> } />
                <Route path=path!("/login") view=LoginPage />
                // Async: the page is sent whole once its data is loaded, so it needs no script.
                <Route path=path!("/signup") view=SignupPage />
                <Route path=path!("/dashboard") view=DashboardHome ssr=SsrMode::Async />
                <Route path=path!("/dashboard/payments") view=PaymentsPage ssr=SsrMode::Async />
                <Route path=path!("/dashboard/payments/:id") view=PaymentPage ssr=SsrMode::Async />
                <Route path=path!("/dashboard/customers") view=CustomersPage ssr=SsrMode::Async />
                <Route path=path!("/dashboard/customers/:id") view=CustomerPage ssr=SsrMode::Async />
                <Route path=path!("/dashboard/subscriptions") view=SubscriptionsPage ssr=SsrMode::Async />
                <Route path=path!("/dashboard/subscriptions/:id") view=SubscriptionPage ssr=SsrMode::Async />
                <Route path=path!("/dashboard/invoices") view=InvoicesPage ssr=SsrMode::Async />
                <Route path=path!("/dashboard/invoices/:id") view=DashboardInvoicePage ssr=SsrMode::Async />
                <Route path=path!("/dashboard/products") view=ProductsPage ssr=SsrMode::Async />
                <Route path=path!("/dashboard/loyalty") view=LoyaltyPage ssr=SsrMode::Async />
                <Route path=path!("/dashboard/loyalty/accounts") view=LoyaltyAccountsPage ssr=SsrMode::Async />
                <Route path=path!("/dashboard/loyalty/accounts/:id") view=LoyaltyAccountPage ssr=SsrMode::Async />
                <Route path=path!("/dashboard/loyalty/rewards") view=RewardsPage ssr=SsrMode::Async />
                <Route path=path!("/dashboard/developers") view=DevelopersPage ssr=SsrMode::Async />
                <Route path=path!("/dashboard/webhooks/:id") view=EndpointPage ssr=SsrMode::Async />
                <Route path=path!("/dashboard/settings") view=SettingsPage ssr=SsrMode::Async />
                <Route path=path!("/sandbox/3ds/:id") view=ThreeDsPage ssr=SsrMode::Async />
                <Route path=path!("/checkout/:id") view=CheckoutPage ssr=SsrMode::Async />
                // Async too: who may frame them (their CSP) is known only once the key is.
                <Route path=path!("/elements/card") view=ElementsCardPage ssr=SsrMode::Async />
                <Route path=path!("/elements/challenge/:id") view=ElementsChallengeEnd ssr=SsrMode::Async />
                <Route path=path!("/receipts/:id") view=ReceiptPage ssr=SsrMode::Async />
                <Route path=path!("/invoices/:id") view=InvoicePage ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}
