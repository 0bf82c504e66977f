//! Server-rendered pages: headers, sign-in, sessions, lock-out and the Origin check.

use crate::helpers::{TestApp, send_raw};

impl TestApp {
    fn login_request(&self, email: &str, password: &str) -> reqwest::RequestBuilder {
        self.client
            .post(self.url("/login"))
            .header("Origin", &self.base)
            .form(&[("email", email), ("password", password)])
    }
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_login_page_has_a_nonce_csp_and_no_framing() {
    let app = TestApp::spawn().await;
    let resp = send_raw(app.client.get(app.url("/login"))).await;
    assert_eq!(resp.status(), 200);
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("a nonce")
        .to_string();
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let html = resp.text().await.unwrap();
    assert!(html.contains(r#"action="/login""#), "{html}");
    // Every inline script carries this response's nonce.
    for script in html.split("<script").skip(1) {
        let tag = script.split('>').next().unwrap();
        if !tag.contains("src=") {
            assert!(
                tag.contains(&format!("nonce=\"{nonce}\"")),
                "inline script without the nonce: {tag}"
            );
        }
    }
}

#[tokio::test]
async fn signing_in_and_out() {
    let app = TestApp::spawn().await;
    let resp = send_raw(app.client.get(app.url("/dashboard"))).await;
    assert_eq!(
        (resp.status().as_u16(), location(&resp)),
        (303, "/login".to_string())
    );

    let resp = send_raw(app.login_request(&app.email, "wrong password")).await;
    assert_eq!(
        (resp.status().as_u16(), location(&resp)),
        (303, "/login?error=invalid".to_string())
    );
    assert!(resp.headers().get("set-cookie").is_none());
    let page = send_raw(app.client.get(app.url("/login?error=invalid")))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Incorrect e-mail or password."));

    let resp = send_raw(app.login_request(&app.email.to_uppercase(), &app.password)).await;
    assert_eq!(
        (resp.status().as_u16(), location(&resp)),
        (303, "/dashboard".to_string())
    );
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_string();

    let resp = send_raw(
        app.client
            .get(app.url("/dashboard"))
            .header("Cookie", &session),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("Test Shop"),
        "the dashboard names the merchant"
    );
    assert!(html.contains("Test mode"));

    let resp = send_raw(
        app.client
            .post(app.url("/logout"))
            .header("Origin", &app.base)
            .header("Cookie", &session),
    )
    .await;
    assert_eq!(resp.status(), 303);
    let resp = send_raw(
        app.client
            .get(app.url("/dashboard"))
            .header("Cookie", &session),
    )
    .await;
    assert_eq!(
        (resp.status().as_u16(), location(&resp)),
        (303, "/login".to_string())
    );
}

#[tokio::test]
async fn repeated_failures_lock_the_login() {
    let app = TestApp::spawn().await;
    for _ in 0..4 {
        let resp = send_raw(app.login_request(&app.email, "nope nope nope")).await;
        assert_eq!(location(&resp), "/login?error=invalid");
    }
    let resp = send_raw(app.login_request(&app.email, "nope nope nope")).await;
    assert_eq!(location(&resp), "/login?error=locked");
    // Even the right password waits out the lock.
    let resp = send_raw(app.login_request(&app.email, &app.password)).await;
    assert_eq!(location(&resp), "/login?error=locked");
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = TestApp::spawn().await;
    let form = [
        ("email", app.email.as_str()),
        ("password", app.password.as_str()),
    ];
    let foreign = app
        .client
        .post(app.url("/login"))
        .header("Origin", "https://evil.example")
        .form(&form);
    assert_eq!(send_raw(foreign).await.status(), 403);
    let no_origin = app.client.post(app.url("/login")).form(&form);
    assert_eq!(send_raw(no_origin).await.status(), 403);
}

#[tokio::test]
async fn unknown_pages_are_404_pages() {
    let app = TestApp::spawn().await;
    let resp = send_raw(app.client.get(app.url("/no/such/page"))).await;
    assert_eq!(resp.status(), 404);
    assert!(resp.text().await.unwrap().contains("Page not found"));
}

#[tokio::test]
async fn the_3ds_challenge_page_completes_and_returns_to_the_merchant() {
    let app = TestApp::spawn().await;
    let (status, p) = crate::helpers::send(app.post_form(
        "/v1/payments",
        &[
            ("amount", "5000"),
            ("currency", "EUR"),
            ("payment_method", "pm_card_threeDSecure2Required"),
            ("return_url", "https://shop.example/back?order=7"),
        ],
    ))
    .await;
    assert_eq!(
        (status, p["status"].as_str()),
        (200, Some("requires_action"))
    );
    let id = p["id"].as_str().unwrap();
    let url = p["next_action"]["redirect_to_url"]["url"].as_str().unwrap();
    let path = &url[url.find("/sandbox/").unwrap()..];

    let page = send_raw(app.client.get(app.url(path))).await;
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("form-action 'self' https://shop.example;"),
        "{csp}"
    );
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Confirm this purchase")
            && html.contains("50.00 EUR")
            && html.contains("Test Shop"),
        "{html}"
    );

    let submit = |result: &'static str| {
        app.client
            .post(app.url(path))
            .header("Origin", &app.base)
            .form(&[("result", result)])
    };
    let done = send_raw(submit("complete")).await;
    assert_eq!(done.status(), 303);
    assert_eq!(
        location(&done),
        format!("https://shop.example/back?order=7&payment_id={id}&status=succeeded")
    );
    let (_, now) = crate::helpers::send(app.get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(now["status"], "succeeded");
    // A second click changes nothing and still leads back.
    let again = send_raw(submit("fail")).await;
    assert_eq!(
        location(&again),
        format!("https://shop.example/back?order=7&payment_id={id}&status=succeeded")
    );
    let html = send_raw(app.client.get(app.url(path)))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Authentication finished"));
}

#[tokio::test]
async fn a_failed_challenge_fails_the_payment() {
    let app = TestApp::spawn().await;
    let (_, p) = crate::helpers::send(app.post_form(
        "/v1/payments",
        &[
            ("amount", "700"),
            ("payment_method", "pm_card_threeDSecure2Required"),
        ],
    ))
    .await;
    let id = p["id"].as_str().unwrap();
    let path = format!("/sandbox/3ds/{id}");
    let done = send_raw(
        app.client
            .post(app.url(&path))
            .header("Origin", &app.base)
            .form(&[("result", "fail")]),
    )
    .await;
    assert_eq!(
        (done.status().as_u16(), location(&done)),
        (303, path.clone())
    );
    let (_, now) = crate::helpers::send(app.get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(now["status"], "failed");
    assert_eq!(
        now["last_payment_error"]["decline_code"],
        "authentication_failed"
    );
    let missing = send_raw(app.client.get(app.url("/sandbox/3ds/pay_doesnotexist"))).await;
    assert_eq!(missing.status(), 404);
}
