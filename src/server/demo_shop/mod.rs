//! A demo shop on a second origin (`VINR_DEMO_SHOP_ADDR`), written the way a merchant writes
//! one against VINR: its server creates a payment session with the secret key over HTTP and
//! checks the result the same way; its page mounts the card element with the publishable
//! key (`index.html`, `shop.js`). For people to try the embedded path, and for the browser
//! tests. It holds no card data and nothing VINR's API does not give any merchant.

use anyhow::{Context, Result};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

const PAGE: &str = include_str!("index.html");
const SCRIPT: &str = include_str!("shop.js");
const STYLE: &str = include_str!("shop.css");

/// What the shop's server knows: where VINR is and the demo merchant's test keys.
pub struct DemoShop {
    pub vinr_url: String,
    pub secret_key: String,
    pub publishable_key: String,
    client: reqwest::Client,
}

impl DemoShop {
    pub fn new(vinr_url: String, secret_key: String, publishable_key: String) -> Self {
        DemoShop {
            vinr_url,
            secret_key,
            publishable_key,
            client: reqwest::Client::new(),
        }
    }
}

/// Binds the shop's address; the returned future serves it until the process ends.
pub async fn bind(
    addr: SocketAddr,
    shop: DemoShop,
) -> Result<impl Future<Output = std::io::Result<()>>> {
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding the demo shop on {addr}"))?;
    Ok(axum::serve(listener, router(Arc::new(shop))).into_future())
}

fn router(shop: Arc<DemoShop>) -> Router {
    Router::new()
        .route("/", get(page))
        .route(
            "/shop.js",
            get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route(
            "/shop.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
        .route("/session", post(create_session))
        .route("/order/{id}", get(order))
        .with_state(shop)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// The shop page. Scripts from itself and from VINR only; frames from VINR only.
async fn page(State(shop): State<Arc<DemoShop>>) -> Response {
    let html = PAGE
        .replace("{{VINR}}", &shop.vinr_url)
        .replace("{{PK}}", &shop.publishable_key);
    let csp = format!(
        "default-src 'self'; script-src 'self' {vinr}; frame-src {vinr}; style-src 'self'; \
         connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
        vinr = shop.vinr_url
    );
    let mut response = Html(html).into_response();
    if let Ok(value) = HeaderValue::from_str(&csp) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

fn failed(message: String) -> Response {
    tracing::warn!(%message, "demo shop");
    (StatusCode::BAD_GATEWAY, Json(json!({ "error": message }))).into_response()
}

/// `POST /session`: the shop's server decides the amount and asks VINR for a session.
async fn create_session(State(shop): State<Arc<DemoShop>>) -> Response {
    let sent = shop
        .client
        .post(format!("{}/v1/payment_sessions", shop.vinr_url))
        .header("X-Api-Key", &shop.secret_key)
        .form(&[
            ("amount", "1000"),
            ("currency", "EUR"),
            ("description", "Sencha, 100 g"),
            ("metadata[shop]", "demo"),
        ])
        .send()
        .await;
    let body: Value = match sent {
        Ok(r) if r.status().is_success() => match r.json().await {
            Ok(body) => body,
            Err(e) => return failed(format!("VINR's answer was not JSON: {e}")),
        },
        Ok(r) => return failed(format!("VINR answered {}", r.status())),
        Err(e) => return failed(format!("VINR is unreachable: {e}")),
    };
    Json(json!({
        "payment": body["payment"]["id"],
        "client_secret": body["client_secret"],
    }))
    .into_response()
}

/// `GET /order/{payment}`: the payment's status as VINR tells the shop's server.
async fn order(State(shop): State<Arc<DemoShop>>, Path(id): Path<String>) -> Response {
    if !crate::domain::ids::is_id(crate::domain::ids::IdKind::Payment, &id) {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": "no such order" })),
        )
            .into_response();
    }
    let sent = shop
        .client
        .get(format!("{}/v1/payments/{id}", shop.vinr_url))
        .header("X-Api-Key", &shop.secret_key)
        .send()
        .await;
    match sent {
        Ok(r) if r.status().is_success() => match r.json::<Value>().await {
            Ok(p) => Json(json!({
                "id": p["id"],
                "status": p["status"],
                "amount": p["amount"],
                "currency": p["currency"],
            }))
            .into_response(),
            Err(e) => failed(format!("VINR's answer was not JSON: {e}")),
        },
        Ok(r) => failed(format!("VINR answered {}", r.status())),
        Err(e) => failed(format!("VINR is unreachable: {e}")),
    }
}
