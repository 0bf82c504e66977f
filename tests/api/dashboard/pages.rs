//! Dashboard pages: what they show, to whom, in which mode; signing up.

use super::*;

#[tokio::test]
async fn every_page_renders_for_the_signed_in_merchant_and_only_their_data() {
    let app = TestApp::spawn().await;
    let cookie = sign_in(&app).await;
    let (_, html) = page(&app, &cookie, "/dashboard").await;
    assert!(html.contains("No payments yet"), "home has an empty state");

    let p = manual_payment(&app, "5000", "ada@example.com").await;
    let id = p["id"].as_str().unwrap();
    let customer = app.create_customer("grace@example.com").await;
    for path in [
        "/dashboard",
        "/dashboard/payments",
        &format!("/dashboard/payments/{id}"),
        "/dashboard/customers",
        &format!("/dashboard/customers/{}", customer["id"].as_str().unwrap()),
        "/dashboard/developers",
        "/dashboard/settings",
    ] {
        let (status, html) = page(&app, &cookie, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains("Test Shop"), "{path} names the merchant");
    }
    let (_, home) = page(&app, &cookie, "/dashboard").await;
    assert!(home.contains(id), "the latest payments list it");
    assert!(home.contains(r#"data-testid="volume-chart""#));

    // Search by e-mail, by id; a filter that matches nothing says so.
    let (_, found) = page(&app, &cookie, "/dashboard/payments?q=ADA%40example.com").await;
    assert!(found.contains(id));
    let (_, found) = page(&app, &cookie, &format!("/dashboard/payments?q={id}")).await;
    assert!(found.contains(id));
    let (_, none) = page(&app, &cookie, "/dashboard/payments?status=refunded").await;
    assert!(!none.contains(id) && none.contains("No payments match"));
    let (status, bad) = page(&app, &cookie, "/dashboard/payments?from=2026-02-30").await;
    assert_eq!(status, 200);
    assert!(bad.contains("is not a date"));

    // The payment page shows the charge and its timeline; the secret key never appears.
    let (_, detail) = page(&app, &cookie, &format!("/dashboard/payments/{id}")).await;
    assert!(
        detail.contains(">4242<") && detail.contains("payment.created"),
        "{detail}"
    );
    assert!(!detail.contains(&app.sk_test));
    let (_, developers) = page(&app, &cookie, "/dashboard/developers").await;
    assert!(
        developers.contains(&app.pk_test),
        "the publishable key can be revealed"
    );
    assert!(
        !developers.contains(&app.sk_test),
        "the secret key is never shown again"
    );

    // Another merchant's payment, typed into the URL, is not found.
    let other_key = app.other_merchant_key().await;
    let (_, theirs) = send(
        app.client
            .post(app.url("/v1/payments"))
            .header("X-Api-Key", &other_key)
            .form(&[("amount", "700"), ("currency", "EUR")]),
    )
    .await;
    let theirs = theirs["id"].as_str().unwrap();
    let (status, html) = page(&app, &cookie, &format!("/dashboard/payments/{theirs}")).await;
    assert_eq!(status, 404);
    assert!(html.contains(r#"data-testid="not-found""#));
    let (status, _) = page(&app, &cookie, "/dashboard/customers/cust_nope").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_mode_switch_scopes_every_page() {
    let app = TestApp::spawn().await;
    let cookie = sign_in(&app).await;
    let p = manual_payment(&app, "5000", "ada@example.com").await;
    let id = p["id"].as_str().unwrap();
    let to = act(&app, &cookie, "/dashboard", "mode", &[("mode", "live")]).await;
    assert_eq!(to, "/dashboard?notice=mode_live");
    let (_, home) = page(&app, &cookie, "/dashboard").await;
    assert!(home.contains("Live mode") && !home.contains(id));
    let (status, _) = page(&app, &cookie, &format!("/dashboard/payments/{id}")).await;
    assert_eq!(status, 404, "a test payment is not found in live mode");
    act(&app, &cookie, "/dashboard", "mode", &[("mode", "test")]).await;
    let (status, _) = page(&app, &cookie, &format!("/dashboard/payments/{id}")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn signing_up_creates_an_account_and_signs_in() {
    let app = TestApp::spawn().await;
    let email = format!(
        "new-{}@example.com",
        vinr::server::crypto::random_base62(8).to_lowercase()
    );
    let signup = |name: &str, email: &str, password: &str| {
        app.client
            .post(app.url("/signup"))
            .header("Origin", &app.base)
            .form(&[("name", name), ("email", email), ("password", password)])
    };
    let resp = send_raw(signup("Tea House", &email, "short")).await;
    assert!(location(&resp).starts_with("/signup?error=password&name=Tea+House"));
    let resp = send_raw(signup("Tea House", &app.email, "long enough password")).await;
    assert!(location(&resp).starts_with("/signup?error=taken"));
    let resp = send_raw(signup("Tea House", &email, "long enough password")).await;
    assert_eq!(location(&resp), "/dashboard/developers?notice=welcome");
    let cookies: Vec<String> = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect();
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    let key = cookies[1]
        .strip_prefix("vinr_new_key=sk_test_")
        .expect("the test secret key, once");
    let (status, html) = page(
        &app,
        &cookies.join("; "),
        "/dashboard/developers?notice=welcome",
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("Tea House") && html.contains("Welcome to VINR") && html.contains(key));
    let (_, account) = send(
        app.client
            .get(app.url("/v1/account"))
            .header("X-Api-Key", format!("sk_test_{key}")),
    )
    .await;
    assert_eq!(account["business_name"], "Tea House");
    let (_, signup_page) = page(&app, "", "/signup?error=taken&email=x%40y.z").await;
    assert!(signup_page.contains("already exists") && signup_page.contains("x@y.z"));
}

#[tokio::test]
async fn an_operator_can_close_sign_up() {
    let app =
        TestApp::spawn_configured(std::sync::Arc::new(vinr::server::clock::SystemClock), |c| {
            c.allow_signup = false
        })
        .await;
    let email = format!(
        "new-{}@example.com",
        vinr::server::crypto::random_base62(8).to_lowercase()
    );
    let resp = send_raw(
        app.client
            .post(app.url("/signup"))
            .header("Origin", &app.base)
            .form(&[
                ("name", "Tea House"),
                ("email", email.as_str()),
                ("password", "long enough password"),
            ]),
    )
    .await;
    assert_eq!(location(&resp), "/signup");
    assert!(resp.headers().get("set-cookie").is_none());
    let (_, html) = page(&app, "", "/signup").await;
    assert!(html.contains("Sign-up is closed"));
    let (_, login) = page(&app, "", "/login").await;
    assert!(!login.contains("Create an account"));
    let found = vinr::server::store::users::find_by_email(app.state.store.reader(), &email)
        .await
        .unwrap();
    assert!(found.is_none(), "no account was created");
}
