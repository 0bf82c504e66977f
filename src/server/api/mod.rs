//! The REST API under `/v1`: extractors, one file per resource, and the error mapping that
//! makes every failure (unknown route, wrong method, bad body, panic) the contract's error.

pub mod account;
pub mod acquirer_connections;
pub mod auth;
pub mod billing;
pub mod body;
mod body_rules;
pub mod checkout;
pub mod connected_accounts;
pub mod customers;
pub mod elements;
pub mod error;
pub mod events;
mod field_rules;
pub mod health;
pub mod idempotency;
mod layers_doc;
pub mod ledger;
mod links_doc;
pub mod list;
pub mod loyalty;
pub mod params;
pub mod payment_methods;
pub mod payment_sessions;
pub mod payments;
pub mod processor_hooks;
pub mod read;
pub mod receipts;
pub mod refunds;
pub mod webhook_deliveries;
pub mod webhook_endpoints;

use crate::server::state::AppState;
use crate::server::views;
use axum::extract::Request;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use error::ApiError;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The document's frame; the paths come from the handlers' `#[utoipa::path]` annotations as
/// they are registered below, so a route cannot exist undocumented.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "VINR API",
        version = "1",
        description = "Payments, customers and events of a self-hosted VINR gateway. Bodies are JSON or \
                       form-encoded with bracket nesting; errors are `{\"error\": {...}}`."
    ),
    modifiers(&KeySchemes),
    security(("api_key" = []), ("bearer" = []), ("basic" = [])),
    components(schemas(
        error::ErrorEnvelope, views::PaymentView, views::ChargeView, views::PaymentMethodView,
        views::EventView, views::ConnectedAccountView, views::AcquirerConnectionView,
        views::list::List, views::DeletedView, views::RefundView,
        views::ReceiptView, views::DeliveryView, views::AttemptView,
        views::LedgerTransactionView, views::EntryView, views::loyalty::PaymentLoyaltyView
    ))
)]
struct ApiDoc;

/// The three ways to present a key (§2).
struct KeySchemes;

impl utoipa::Modify for KeySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Api-Key"))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)),
        );
    }
}

/// The `/v1` routes (nested by the server under `/v1`) and their OpenAPI document.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(account::get_account))
        .routes(routes!(
            customers::list_customers,
            customers::create_customer
        ))
        .routes(routes!(
            customers::get_customer,
            customers::update_customer,
            customers::delete_customer
        ))
        .routes(routes!(
            payments::read::list_payments,
            payments::create::create_payment
        ))
        .routes(routes!(payments::read::get_payment))
        .routes(routes!(payment_sessions::create_payment_session))
        .routes(routes!(elements::elements_js))
        .routes(routes!(payments::actions::confirm_payment))
        .routes(routes!(payments::actions::capture_payment))
        .routes(routes!(payments::actions::cancel_payment))
        .routes(routes!(payments::actions::adjust_payment))
        .routes(routes!(payments::actions::reverse_payment))
        .routes(routes!(
            payment_methods::list_payment_methods,
            payment_methods::create_payment_method
        ))
        .routes(routes!(payment_methods::get_payment_method))
        .routes(routes!(payment_methods::attach_payment_method))
        .routes(routes!(
            connected_accounts::list_accounts,
            connected_accounts::create_account
        ))
        .routes(routes!(connected_accounts::get_account))
        .routes(routes!(
            acquirer_connections::list_connections,
            acquirer_connections::create_connection
        ))
        .routes(routes!(checkout::create_session))
        .routes(routes!(checkout::get_session))
        .routes(routes!(checkout::get_context))
        .routes(routes!(events::list_events))
        .routes(routes!(events::get_event))
        .routes(routes!(webhook_deliveries::list_event_deliveries))
        .routes(routes!(webhook_deliveries::resend_event))
        .routes(routes!(
            webhook_endpoints::list_endpoints,
            webhook_endpoints::create_endpoint
        ))
        .routes(routes!(
            webhook_endpoints::get_endpoint,
            webhook_endpoints::update_endpoint,
            webhook_endpoints::delete_endpoint
        ))
        .routes(routes!(webhook_endpoints::rotate_secret))
        .routes(routes!(webhook_endpoints::list_endpoint_deliveries))
        .routes(routes!(refunds::refund_payment))
        .routes(routes!(receipts::get_receipt))
        .routes(routes!(refunds::list_refunds, refunds::create_refund))
        .routes(routes!(refunds::get_refund))
        .routes(routes!(ledger::get_balance))
        .routes(routes!(ledger::list_transactions))
        .routes(routes!(loyalty::list_programs, loyalty::create_program))
        .routes(routes!(loyalty::get_program, loyalty::update_program))
        .routes(routes!(loyalty::list_accounts))
        .routes(routes!(loyalty::get_account))
        .routes(routes!(loyalty::earn_points))
        .routes(routes!(loyalty::adjust_points))
        .routes(routes!(loyalty::calculate_points))
        .routes(routes!(loyalty::list_transactions))
        .routes(routes!(loyalty::get_transaction))
        .routes(routes!(loyalty::list_rewards, loyalty::create_reward))
        .routes(routes!(loyalty::get_reward, loyalty::update_reward))
        .routes(routes!(
            loyalty::list_redemptions,
            loyalty::create_redemption
        ))
        .routes(routes!(loyalty::get_redemption))
        .routes(routes!(loyalty::cancel_redemption))
        .routes(routes!(billing::create_product, billing::list_products))
        .routes(routes!(billing::get_product, billing::update_product))
        .routes(routes!(billing::create_price, billing::list_prices))
        .routes(routes!(billing::get_price, billing::update_price))
        .routes(routes!(
            billing::create_subscription,
            billing::list_subscriptions
        ))
        .routes(routes!(
            billing::get_subscription,
            billing::update_subscription,
            billing::cancel_subscription
        ))
        .routes(routes!(billing::upcoming_invoice))
        .routes(routes!(billing::list_invoices))
        .routes(routes!(billing::get_invoice))
        .routes(routes!(billing::pay_invoice))
        .routes(routes!(billing::void_invoice))
        .routes(routes!(billing::mark_uncollectible))
        .routes(routes!(
            billing::create_usage_record,
            billing::list_usage_records
        ))
        .routes(routes!(
            billing::create_test_clock,
            billing::list_test_clocks
        ))
        .routes(routes!(billing::get_test_clock, billing::delete_test_clock))
        .routes(routes!(billing::advance_test_clock))
        .split_for_parts();
    // The handlers are written relative to where the server nests them.
    doc.paths.paths = std::mem::take(&mut doc.paths.paths)
        .into_iter()
        .map(|(path, item)| (format!("/v1{path}"), item))
        .collect();
    (router, doc)
}

/// The OpenAPI document `GET /v1/openapi.json` answers (also `vinr openapi`, from which the
/// SDKs' committed copy is made).
pub fn document() -> serde_json::Value {
    as_json(&routes().1)
}

fn as_json(doc: &utoipa::openapi::OpenApi) -> serde_json::Value {
    let mut json = serde_json::to_value(doc).expect("the OpenAPI document serialises");
    layers_doc::complete(&mut json);
    json
}

/// The `/v1` router, with `GET /v1/openapi.json` and the JSON fallbacks.
pub fn router() -> Router<AppState> {
    let (router, doc) = routes();
    let doc = Arc::new(as_json(&doc));
    router
        .route(
            "/openapi.json",
            get(move || async move { Json(doc.as_ref().clone()) }),
        )
        .route(
            "/processor_hooks/{acq_id}",
            axum::routing::post(processor_hooks::receive),
        )
        .fallback(unknown_route)
        .method_not_allowed_fallback(wrong_method)
}

async fn unknown_route(req: Request) -> impl IntoResponse {
    ApiError::unknown_route(req.method().as_str(), &original_path(&req))
}

async fn wrong_method(req: Request) -> impl IntoResponse {
    ApiError::method_not_allowed(req.method().as_str(), &original_path(&req))
}

/// The path as the client sent it (nesting strips the `/v1` prefix from `uri()`).
fn original_path(req: &Request) -> String {
    req.extensions()
        .get::<axum::extract::OriginalUri>()
        .map(|u| u.0.path().to_string())
        .unwrap_or_else(|| req.uri().path().to_string())
}
