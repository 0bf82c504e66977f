//! The REST API under `/v1`: extractors, one file per resource, and the error mapping that
//! makes every failure (unknown route, wrong method, bad body, panic) the contract's error.

pub mod account;
pub mod auth;
pub mod body;
pub mod connected_accounts;
pub mod customers;
pub mod error;
pub mod events;
pub mod health;
pub mod idempotency;
pub mod list;
pub mod params;
pub mod payment_methods;
pub mod payments;

use crate::state::AppState;
use axum::Router;
use axum::extract::Request;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use error::ApiError;

/// The `/v1` routes (nested by the server under `/v1`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(account::get_account))
        .route(
            "/customers",
            get(customers::list_customers).post(customers::create_customer),
        )
        .route(
            "/customers/{id}",
            get(customers::get_customer)
                .post(customers::update_customer)
                .delete(customers::delete_customer),
        )
        .route(
            "/payments",
            get(payments::list_payments).post(payments::create_payment),
        )
        .route("/payments/{id}", get(payments::get_payment))
        .route("/payments/{id}/confirm", post(payments::confirm_payment))
        .route("/payments/{id}/capture", post(payments::capture_payment))
        .route("/payments/{id}/cancel", post(payments::cancel_payment))
        .route("/payments/{id}/adjust", post(payments::adjust_payment))
        .route("/payments/{id}/reverse", post(payments::reverse_payment))
        .route(
            "/payment_methods",
            get(payment_methods::list_payment_methods),
        )
        .route(
            "/payment_methods/{id}",
            get(payment_methods::get_payment_method),
        )
        .route(
            "/payment_methods/{id}/attach",
            post(payment_methods::attach_payment_method),
        )
        .route(
            "/accounts",
            get(connected_accounts::list_accounts).post(connected_accounts::create_account),
        )
        .route("/accounts/{id}", get(connected_accounts::get_account))
        .route(
            "/acquirer_connections",
            get(connected_accounts::list_acquirer_connections),
        )
        .route("/events", get(events::list_events))
        .route("/events/{id}", get(events::get_event))
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
