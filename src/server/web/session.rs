//! Dashboard sessions over HTTP: the cookie, the sign-in and sign-out form posts, the
//! middleware that resolves a session for pages, and the Origin check that keeps other sites
//! from posting to cookie-authenticated routes.

use crate::domain::api_key::KeyKind;
use crate::domain::mode::Mode;
use crate::server::services::sessions::{self as service, LoginError};
use crate::server::state::AppState;
use crate::server::store::sessions::SessionOwner;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// Cookie carrying a newly rolled secret key to the one page view that shows it.
pub const NEW_KEY_COOKIE: &str = "vinr_new_key";
/// Where that page is (the cookie is sent nowhere else).
pub const DEVELOPERS_PATH: &str = "/dashboard/developers";

/// A `Set-Cookie` value for the new-key cookie (`max_age` 0 removes it).
pub fn new_key_cookie(value: &str, max_age: i64, https: bool) -> String {
    let secure = if https { "; Secure" } else { "" };
    format!(
        "{NEW_KEY_COOKIE}={value}; Path={DEVELOPERS_PATH}; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    )
}

pub const COOKIE_NAME: &str = "vinr_session";

/// The signed-in user of this request, put in the request's extensions for pages to read.
#[derive(Debug, Clone)]
pub struct CurrentSession(pub SessionOwner);

/// The value of cookie `name` in the request, if present.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn session_cookie(state: &AppState, token: &str, max_age: i64) -> HeaderValue {
    let secure = if state.config.is_https() {
        "; Secure"
    } else {
        ""
    };
    let value =
        format!("{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&value).expect("cookie values are base62")
}

/// Looks up the session for every request that carries the cookie; sends visitors without one
/// away from the dashboard, and signed-in users away from the sign-in page.
pub async fn resolve_session(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    let is_page = !path.starts_with("/v1/") && !path.starts_with("/pkg/");
    let mut current = None;
    if is_page && let Some(token) = cookie(req.headers(), COOKIE_NAME) {
        match service::find(&state.store, state.clock.as_ref(), &token).await {
            Ok(found) => current = found,
            Err(err) => return crate::server::api::error::ApiError::internal(&err).into_response(),
        }
    }
    let is_get = req.method() == Method::GET;
    if is_get && current.is_none() && (path == "/dashboard" || path.starts_with("/dashboard/")) {
        return Redirect::to("/login").into_response();
    }
    if is_get && current.is_some() && (path == "/login" || path == "/signup") {
        return Redirect::to("/dashboard").into_response();
    }
    if let Some(owner) = current {
        req.extensions_mut().insert(CurrentSession(owner));
    }
    next.run(req).await
}

/// Refuses state-changing requests to cookie-authenticated routes unless they come from our
/// own pages. The API (`/v1`) authenticates with keys, not cookies, and is exempt.
pub async fn check_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || req.uri().path().starts_with("/v1/") {
        return next.run(req).await;
    }
    if origin_allowed(req.headers(), &state.config.public_url) {
        next.run(req).await
    } else {
        crate::server::api::error::ApiError::forbidden(
            "Cross-site request refused: the Origin header does not match this site.",
        )
        .with_code("origin_mismatch")
        .into_response()
    }
}

/// The Origin must be our public URL's, or the host the browser addressed us by.
pub fn origin_allowed(headers: &HeaderMap, public_url: &str) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    if origin == public_url {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    matches!((host, origin_host), (Some(h), Some(o)) if h == o)
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
}

/// `POST /login`: a plain form post, so signing in works without JavaScript.
pub async fn login_submit(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    let form: LoginForm = parse_login_form(&body);
    match service::login(
        &state.store,
        state.clock.as_ref(),
        &form.email,
        &form.password,
    )
    .await
    {
        Ok(session) => {
            let max_age = session.expires_at - state.clock.now();
            let mut response = Redirect::to("/dashboard").into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                session_cookie(&state, session.token.expose(), max_age),
            );
            response
        }
        Err(LoginError::Invalid) => Redirect::to("/login?error=invalid").into_response(),
        Err(LoginError::Locked { .. }) => Redirect::to("/login?error=locked").into_response(),
        Err(LoginError::Database(err)) => {
            crate::server::api::error::ApiError::internal(&err).into_response()
        }
    }
}

/// What went wrong with a sign-up, as the `?error=` code the sign-up page explains.
pub fn signup_error_code(message: &str) -> &'static str {
    if message.contains("business name") {
        "name"
    } else if message.contains("password") {
        "password"
    } else if message.contains("already exists") {
        "taken"
    } else if message.contains("mail") {
        "email"
    } else {
        "failed"
    }
}

/// `POST /signup`: creates an account with its keys and signs its owner in. A plain form
/// post like sign-in; on a refusal the page comes back with what was typed (not the password).
pub async fn signup_submit(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    if !state.config.allow_signup {
        return Redirect::to("/signup").into_response();
    }
    let mut name = String::new();
    let mut email = String::new();
    let mut password = String::new();
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "name" => name = v.into_owned(),
            "email" => email = v.into_owned(),
            "password" => password = v.into_owned(),
            _ => {}
        }
    }
    let created = crate::server::services::accounts::create_account(
        &state.store,
        state.clock.as_ref(),
        &name,
        &email,
        Some(&password),
    )
    .await;
    let created = match created {
        Ok(created) => created,
        Err(err) => {
            if let Some(db) = err.downcast_ref::<sqlx::Error>() {
                return crate::server::api::error::ApiError::internal(db).into_response();
            }
            let back: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("error", signup_error_code(&err.to_string()))
                .append_pair("name", &name)
                .append_pair("email", &email)
                .finish();
            return Redirect::to(&format!("/signup?{back}")).into_response();
        }
    };
    let session = match service::login(&state.store, state.clock.as_ref(), &email, &password).await
    {
        Ok(session) => session,
        Err(LoginError::Database(err)) => {
            return crate::server::api::error::ApiError::internal(&err).into_response();
        }
        Err(_) => return Redirect::to("/login").into_response(),
    };
    // The test secret key exists nowhere else: the developers page shows it once.
    let test_secret = created
        .keys
        .iter()
        .find(|k| k.mode == Mode::Test && k.kind == KeyKind::Secret)
        .map(|k| k.key.expose().to_string())
        .unwrap_or_default();
    let max_age = session.expires_at - state.clock.now();
    let mut response = Redirect::to("/dashboard/developers?notice=welcome").into_response();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        session_cookie(&state, session.token.expose(), max_age),
    );
    if let Ok(flash) =
        HeaderValue::from_str(&new_key_cookie(&test_secret, 300, state.config.is_https()))
    {
        headers.append(header::SET_COOKIE, flash);
    }
    response
}

/// `POST /logout`: ends the session and clears the cookie.
pub async fn logout_submit(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, COOKIE_NAME)
        && let Err(err) = service::logout(&state.store, &token).await
    {
        return crate::server::api::error::ApiError::internal(&err).into_response();
    }
    let mut response = Redirect::to("/login?signed_out=1").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    (StatusCode::SEE_OTHER, response).into_response()
}

fn parse_login_form(body: &[u8]) -> LoginForm {
    let mut form = LoginForm::default();
    for (k, v) in form_urlencoded::parse(body) {
        match k.as_ref() {
            "email" => form.email = v.into_owned(),
            "password" => form.password = v.into_owned(),
            _ => {}
        }
    }
    form
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn reads_cookies() {
        let h = headers(&[("cookie", "a=1; vinr_session=tok; b=2")]);
        assert_eq!(cookie(&h, COOKIE_NAME).as_deref(), Some("tok"));
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn signup_refusals_have_codes() {
        assert_eq!(
            signup_error_code("the business name must be 1 to 100 characters"),
            "name"
        );
        assert_eq!(
            signup_error_code("the password must be at least 10 characters"),
            "password"
        );
        assert_eq!(
            signup_error_code("a dashboard user with the e-mail a@b.c already exists"),
            "taken"
        );
        assert_eq!(
            signup_error_code("email must be a valid e-mail address"),
            "email"
        );
        assert_eq!(signup_error_code("?"), "failed");
    }

    #[test]
    fn origin_must_be_ours() {
        let public = "http://127.0.0.1:3000";
        assert!(origin_allowed(&headers(&[("origin", public)]), public));
        assert!(origin_allowed(
            &headers(&[
                ("origin", "http://localhost:4000"),
                ("host", "localhost:4000")
            ]),
            public
        ));
        assert!(!origin_allowed(
            &headers(&[
                ("origin", "https://evil.example"),
                ("host", "127.0.0.1:3000")
            ]),
            public
        ));
        assert!(!origin_allowed(
            &headers(&[("host", "127.0.0.1:3000")]),
            public
        ));
    }
}
