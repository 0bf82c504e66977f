//! Assembles the HTTP server: routes (health, `/v1`, sign-in, Leptos pages, static files) and
//! the layers every response passes through (request id, tracing, panics as 500s, security
//! headers, session lookup, Origin check), and the few routes that are plain HTML forms rather
//! Leptos pages or REST: the session (sign-in, sign-up), the sandbox 3DS form and checkout cancel.

use crate::server::api;
use crate::server::clock::Clock;
use crate::server::config::Config;
use crate::server::state::AppState;
use crate::server::store::Store;
use crate::ui::shell::{App, shell};
pub mod challenge;
pub mod checkout_form;
pub mod session;

use crate::ui::csp::DEFAULT_CSP;
use anyhow::{Context, Result};
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

/// A built server, bound to its port, ready to run.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Connects and migrates the store, binds the listener (port 0 picks a free port).
    pub async fn build(config: Config, clock: Arc<dyn Clock>) -> Result<Application> {
        let store = Store::connect(&config.database_url).await?;
        store.migrate().await?;
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("binding {}", config.addr))?;
        let acquirers = crate::server::acquirer::Registry::new(
            config.sandbox_latency,
            config.processor_timeouts,
            config.processor_hosts.clone(),
        );
        let state = AppState::new(crate::server::state::Shared {
            leptos_options: leptos_options(listener.local_addr()?),
            store,
            config: Arc::new(config),
            clock,
            acquirers,
            in_flight: Default::default(),
            keys: Default::default(),
        });
        Ok(Application {
            router: router(state.clone()),
            listener,
            state,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then finishes the requests in progress. The store stays
    /// open: the caller stops its workers first, then closes it (`Store::close`).
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("serving HTTP")?;
        Ok(())
    }
}

/// Leptos' options, built here rather than from a build tool's environment so the binary runs
/// the same from `make run`, from tests and from an installed copy. `LEPTOS_SITE_ROOT` points
/// at the built assets.
fn leptos_options(addr: SocketAddr) -> LeptosOptions {
    let site_root = std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into());
    LeptosOptions::builder()
        .output_name("vinr")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let page_state = state.clone();
    let shell_options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(api::health::healthz))
        .route("/readyz", get(api::health::readyz))
        .nest("/v1", api::router())
        .route("/login", post(session::login_submit))
        .route("/logout", post(session::logout_submit))
        .route("/signup", post(session::signup_submit))
        .route(
            "/dashboard/payments.csv",
            get(crate::ui::pages::dashboard::export::payments_csv),
        )
        .route(
            &format!("{}/{{*action}}", crate::ui::pages::dashboard::actions::ACTION_PREFIX),
            post(dashboard_action),
        )
        .route("/sandbox/3ds/{id}", post(crate::server::web::challenge::submit))
        .route(
            "/processor/return/{id}",
            get(crate::server::web::challenge::processor_return),
        )
        .route("/checkout/{id}/cancel", post(crate::server::web::checkout_form::cancel))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(page_state.clone()),
            move || shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(state.clone(), session::resolve_session))
        .layer(middleware::from_fn_with_state(state.clone(), session::check_origin))
        .layer(middleware::from_fn(security_headers))
        // Pages, CSS, JS and wasm travel gzipped to browsers that ask (the checkout loads on
        // phones); API clients that do not ask pay nothing.
        .layer(tower_http::compression::CompressionLayer::new().gzip(true))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let request_id = req
                .extensions()
                .get::<RequestId>()
                .and_then(|id| id.header_value().to_str().ok())
                .unwrap_or_default()
                .to_string();
            // The path only: query strings may carry e-mails and other personal data.
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id)
        })
        // One access-log line per response, at the default log level.
        .on_response(DefaultOnResponse::new().level(Level::INFO)))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), NewRequestId))
        .with_state(state)
}

/// Runs a dashboard action (a Leptos server function) with the server's state in context.
async fn dashboard_action(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
) -> Response {
    leptos_axum::handle_server_fns_with_context(move || provide_context(state.clone()), req)
        .await
        .into_response()
}

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Request ids look like object ids: `req_` and random base62.
#[derive(Clone, Copy)]
struct NewRequestId;

impl MakeRequestId for NewRequestId {
    fn make_request_id<B>(&mut self, _req: &axum::http::Request<B>) -> Option<RequestId> {
        let id = format!("req_{}", crate::server::crypto::random_base62(20));
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    // The panic message was already printed by the panic hook, with the request's span.
    tracing::error!("a request handler panicked");
    api::error::ApiError::internal_silent().into_response()
}

/// Headers every response carries. Pages set their own CSP (with the hydration nonce); the
/// rest get one that allows nothing.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(DEFAULT_CSP));
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        // Pages show account data: never keep them in a shared cache.
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    response
}
