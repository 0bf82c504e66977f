//! The REST API under `/v1`: extractors, one file per resource, and the error mapping that
//! makes every failure (unknown route, wrong method, bad body, panic) the contract's error.

pub mod account;
pub mod auth;
pub mod body;
pub mod customers;
pub mod error;
pub mod health;
pub mod idempotency;
pub mod list;
pub mod params;

use crate::state::AppState;
use axum::Router;
use axum::extract::Request;
use axum::response::IntoResponse;
use axum::routing::get;
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
