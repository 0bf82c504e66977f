//! The merchant dashboard over HTTP, as a browser without JavaScript uses it: pages behind the
//! session cookie, form posts to the actions (Origin and Referer set, `Accept: text/html`),
//! redirects back with `?notice=` or `?__err=`.

pub mod billing;
pub mod developers;
pub mod loyalty;
pub mod pages;
pub mod payments;

use crate::helpers::{TestApp, send, send_raw};
use serde_json::Value;

pub fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// Signs in and returns the `Cookie` header value.
pub async fn sign_in(app: &TestApp) -> String {
    let resp = send_raw(
        app.client
            .post(app.url("/login"))
            .header("Origin", &app.base)
            .form(&[
                ("email", app.email.as_str()),
                ("password", app.password.as_str()),
            ]),
    )
    .await;
    assert_eq!(location(&resp), "/dashboard");
    let cookie = resp.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

pub async fn page(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    let resp = send_raw(app.client.get(app.url(path)).header("Cookie", cookie)).await;
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

/// The text of the first element with `data-testid="{testid}"`.
fn text_of(html: &str, testid: &str) -> String {
    let start = html
        .find(&format!("data-testid=\"{testid}\""))
        .unwrap_or_else(|| panic!("no {testid}"));
    let rest = &html[start..];
    let rest = &rest[rest.find('>').unwrap() + 1..];
    rest[..rest.find('<').unwrap()].to_string()
}

/// Posts a dashboard form from `from` (a page path) and returns where the browser is sent.
pub async fn act(
    app: &TestApp,
    cookie: &str,
    from: &str,
    action: &str,
    form: &[(&str, &str)],
) -> String {
    let resp = send_raw(
        app.client
            .post(app.url(&format!("/dashboard/do/{action}")))
            .header("Cookie", cookie)
            .header("Origin", &app.base)
            .header("Referer", app.url(from))
            .header("Accept", "text/html")
            .form(form),
    )
    .await;
    assert!(
        resp.status().is_redirection(),
        "{action}: {} {:?}",
        resp.status(),
        resp.text().await
    );
    location(&resp)
}

/// The message an action's failure carries back, as the page shows it.
pub async fn error_shown(app: &TestApp, cookie: &str, location: &str) -> String {
    assert!(location.contains("__err="), "expected an error: {location}");
    let path = location
        .strip_prefix(&app.base)
        .unwrap_or(location)
        .to_string();
    let (status, html) = page(app, cookie, &path).await;
    assert_eq!(status, 200);
    let start = html
        .find(r#"data-testid="error""#)
        .expect("the error is shown");
    let text = &html[start..];
    let text = &text[text.find('>').unwrap() + 1..];
    text[..text.find('<').unwrap()].to_string()
}

pub async fn manual_payment(app: &TestApp, amount: &str, email: &str) -> Value {
    let (status, body) = send(app.post_form(
        "/v1/payments",
        &[
            ("amount", amount),
            ("currency", "EUR"),
            ("payment_method", "pm_card_visa"),
            ("capture_method", "manual"),
            ("customer_email", email),
            ("description", "Tea, green"),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "requires_capture");
    body
}

pub async fn payment(app: &TestApp, id: &str) -> Value {
    send(app.get(&format!("/v1/payments/{id}"))).await.1
}
