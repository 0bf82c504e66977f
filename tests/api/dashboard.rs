//! The merchant dashboard over HTTP, as a browser without JavaScript uses it: pages behind the
//! session cookie, form posts to the actions (Origin and Referer set, `Accept: text/html`),
//! redirects back with `?notice=` or `?__err=`.

use crate::helpers::{TestApp, assert_ledger_sound, send, send_raw};
use serde_json::Value;

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// Signs in and returns the `Cookie` header value.
async fn sign_in(app: &TestApp) -> String {
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

async fn page(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    let resp = send_raw(app.client.get(app.url(path)).header("Cookie", cookie)).await;
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

/// Posts a dashboard form from `from` (a page path) and returns where the browser is sent.
async fn act(
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
async fn error_shown(app: &TestApp, cookie: &str, location: &str) -> String {
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

async fn manual_payment(app: &TestApp, amount: &str, email: &str) -> Value {
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

async fn payment(app: &TestApp, id: &str) -> Value {
    send(app.get(&format!("/v1/payments/{id}"))).await.1
}

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
async fn capture_and_refund_from_the_dashboard_move_money_as_the_api_does() {
    let app = TestApp::spawn().await;
    let cookie = sign_in(&app).await;
    let p = manual_payment(&app, "5000", "ada@example.com").await;
    let id = p["id"].as_str().unwrap();
    let from = format!("/dashboard/payments/{id}");

    // Bad amounts are explained and change nothing.
    let to = act(
        &app,
        &cookie,
        &from,
        "capture",
        &[("payment", id), ("amount", "12.345")],
    )
    .await;
    assert!(
        error_shown(&app, &cookie, &to)
            .await
            .contains("2 decimal places")
    );
    let to = act(
        &app,
        &cookie,
        &from,
        "capture",
        &[("payment", id), ("amount", "80")],
    )
    .await;
    assert!(!error_shown(&app, &cookie, &to).await.is_empty());
    assert_eq!(payment(&app, id).await["status"], "requires_capture");

    let to = act(
        &app,
        &cookie,
        &from,
        "capture",
        &[("payment", id), ("amount", "30.00")],
    )
    .await;
    assert_eq!(to, format!("{from}?notice=captured"));
    let p = payment(&app, id).await;
    assert_eq!(
        (p["status"].as_str(), p["amount_received"].as_i64()),
        (Some("succeeded"), Some(3000))
    );
    let (_, html) = page(&app, &cookie, &to).await;
    assert!(html.contains("Payment captured."));
    assert!(
        html.contains(r#"data-testid="ledger""#),
        "the capture's posting is listed"
    );

    // A second capture is refused in words.
    let to = act(
        &app,
        &cookie,
        &from,
        "capture",
        &[("payment", id), ("amount", "")],
    )
    .await;
    assert!(!error_shown(&app, &cookie, &to).await.is_empty());

    let to = act(
        &app,
        &cookie,
        &from,
        "refund",
        &[
            ("payment", id),
            ("amount", "10"),
            ("reason", "requested_by_customer"),
            ("seen", "0"),
        ],
    )
    .await;
    assert_eq!(to, format!("{from}?notice=refunded"));
    let p = payment(&app, id).await;
    assert_eq!(
        (p["status"].as_str(), p["amount_refunded"].as_i64()),
        (Some("partially_refunded"), Some(1000))
    );

    // The same form sent again (it still says nothing was refunded) does nothing.
    let to = act(
        &app,
        &cookie,
        &from,
        "refund",
        &[
            ("payment", id),
            ("amount", "10"),
            ("reason", ""),
            ("seen", "0"),
        ],
    )
    .await;
    assert!(
        error_shown(&app, &cookie, &to)
            .await
            .contains("refunded since the page was opened")
    );
    assert_eq!(payment(&app, id).await["amount_refunded"], 1000);
    let (_, html) = page(&app, &cookie, &from).await;
    assert!(html.contains("refund.succeeded") && html.contains("€10.00"));
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn cancel_and_adjust_from_the_dashboard() {
    let app = TestApp::spawn().await;
    let cookie = sign_in(&app).await;
    let p = manual_payment(&app, "5000", "ada@example.com").await;
    let id = p["id"].as_str().unwrap();
    let from = format!("/dashboard/payments/{id}");
    let to = act(
        &app,
        &cookie,
        &from,
        "adjust",
        &[("payment", id), ("amount", "45")],
    )
    .await;
    assert_eq!(to, format!("{from}?notice=adjusted"));
    assert_eq!(payment(&app, id).await["amount_capturable"], 4500);
    let to = act(
        &app,
        &cookie,
        &from,
        "cancel",
        &[("payment", id), ("reason", "")],
    )
    .await;
    assert_eq!(to, format!("{from}?notice=canceled"));
    assert_eq!(payment(&app, id).await["status"], "canceled");
}

#[tokio::test]
async fn actions_need_a_session_and_our_own_origin() {
    let app = TestApp::spawn().await;
    let p = manual_payment(&app, "5000", "ada@example.com").await;
    let id = p["id"].as_str().unwrap();
    let to = act(
        &app,
        "vinr_session=forged",
        "/dashboard",
        "capture",
        &[("payment", id), ("amount", "")],
    )
    .await;
    assert!(to.contains("__err="), "{to}");
    let resp = send_raw(
        app.client
            .post(app.url("/dashboard/do/capture"))
            .header("Origin", "https://evil.example")
            .header("Accept", "text/html")
            .form(&[("payment", id), ("amount", "")]),
    )
    .await;
    assert_eq!(resp.status(), 403);
    assert_eq!(payment(&app, id).await["status"], "requires_capture");
}

#[tokio::test]
async fn the_csv_export_holds_what_the_api_lists_for_the_same_filter() {
    let app = TestApp::spawn().await;
    let cookie = sign_in(&app).await;
    let mut made = Vec::new();
    for (amount, email) in [
        ("1000", "a@example.com"),
        ("2000", "b@example.com"),
        ("3000", "a@example.com"),
    ] {
        made.push(
            manual_payment(&app, amount, email).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let (_, waiting) =
        send(app.post_form("/v1/payments", &[("amount", "999"), ("currency", "EUR")])).await;

    let (status, csv) = page(&app, &cookie, "/dashboard/payments.csv").await;
    assert_eq!(status, 200);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("id,created,status,amount,currency"));
    let (_, list) = send(app.get("/v1/payments?limit=100")).await;
    let api_ids: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    let csv_ids: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(csv_ids, api_ids, "same payments, same order");
    assert!(
        csv.contains("\"Tea, green\""),
        "fields with commas are quoted"
    );
    assert!(csv_ids.contains(&waiting["id"].as_str().unwrap()));

    let (_, filtered) = page(
        &app,
        &cookie,
        "/dashboard/payments.csv?q=a%40example.com&status=requires_capture",
    )
    .await;
    let ids: Vec<&str> = filtered
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(ids, vec![made[2].as_str(), made[0].as_str()]);

    let (status, _) = page(&app, &cookie, "/dashboard/payments.csv?status=paid").await;
    assert_eq!(status, 400);
    let resp = send_raw(app.client.get(app.url("/dashboard/payments.csv"))).await;
    assert_eq!(location(&resp), "/login", "no session, no export");
}

#[tokio::test]
async fn a_rolled_key_keeps_working_for_its_grace_period_then_stops() {
    let (app, clock) = TestApp::spawn_manual_clock().await;
    let cookie = sign_in(&app).await;
    assert_eq!(send(app.get("/v1/account")).await.0, 200);
    let resp = send_raw(
        app.client
            .post(app.url("/dashboard/do/roll_key"))
            .header("Cookie", &cookie)
            .header("Origin", &app.base)
            .header("Referer", app.url("/dashboard/developers"))
            .header("Accept", "text/html")
            .form(&[("kind", "secret"), ("grace", "3600")]),
    )
    .await;
    assert_eq!(location(&resp), "/dashboard/developers?notice=key_rolled");
    let flash = resp.headers()["set-cookie"].to_str().unwrap();
    assert!(flash.contains("Path=/dashboard/developers") && flash.contains("HttpOnly"));
    let flash = flash.split(';').next().unwrap();
    let new_key = flash.strip_prefix("vinr_new_key=").unwrap().to_string();

    // Shown once on the developers page, and the cookie is removed in the same response.
    let resp = send_raw(
        app.client
            .get(app.url("/dashboard/developers?notice=key_rolled"))
            .header("Cookie", format!("{cookie}; {flash}")),
    )
    .await;
    let cleared = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cleared.starts_with("vinr_new_key=;") && cleared.contains("Max-Age=0"));
    assert!(resp.text().await.unwrap().contains(&new_key));

    let with = |key: &str| {
        app.client
            .get(app.url("/v1/account"))
            .header("X-Api-Key", key.to_string())
    };
    assert_eq!(
        send(with(&app.sk_test)).await.0,
        200,
        "the old key works during the grace period"
    );
    assert_eq!(send(with(&new_key)).await.0, 200);
    clock.advance_secs(3601);
    let (status, body) = send(with(&app.sk_test)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("api_key_expired"))
    );
    assert_eq!(send(with(&new_key)).await.0, 200);

    let to = act(
        &app,
        &cookie,
        "/dashboard/developers",
        "roll_key",
        &[("kind", "secret"), ("grace", "5")],
    )
    .await;
    assert!(to.contains("__err="), "only the offered grace periods");
}

#[tokio::test]
async fn settings_change_the_account_and_the_default_connection() {
    let app = TestApp::spawn().await;
    let cookie = sign_in(&app).await;
    let from = "/dashboard/settings";
    let settings =
        |name: &'static str, color: &'static str, origins: &'static str, acquirer: &'static str| {
            [
                ("name", name),
                ("brand_color", color),
                ("embed_origins", origins),
                ("default_acquirer", acquirer),
            ]
        };
    let to = act(
        &app,
        &cookie,
        from,
        "settings",
        &settings("Tea House", "red", "", "acq_sandbox"),
    )
    .await;
    assert!(error_shown(&app, &cookie, &to).await.contains("#rrggbb"));
    let to = act(
        &app,
        &cookie,
        from,
        "settings",
        &settings("Tea House", "#112233", "http://shop.example", "acq_sandbox"),
    )
    .await;
    assert!(error_shown(&app, &cookie, &to).await.contains("https"));
    // A connection added in test mode only cannot be the default yet.
    let to = act(
        &app,
        &cookie,
        from,
        "add_connection",
        &[("id", "acq_uk_1"), ("name", "UK")],
    )
    .await;
    assert_eq!(to, format!("{from}?notice=connection_added"));
    let to = act(
        &app,
        &cookie,
        from,
        "settings",
        &settings("Tea House", "#112233", "", "acq_uk_1"),
    )
    .await;
    assert!(error_shown(&app, &cookie, &to).await.contains("live mode"));

    let to = act(
        &app,
        &cookie,
        from,
        "settings",
        &settings(
            "Tea House",
            "#112233",
            "https://Shop.Example/\nhttp://localhost:8080",
            "acq_eu_1",
        ),
    )
    .await;
    assert_eq!(to, format!("{from}?notice=settings_saved"));
    let (_, account) = send(app.get("/v1/account")).await;
    assert_eq!(account["business_name"], "Tea House");
    let (_, html) = page(&app, &cookie, from).await;
    assert!(
        html.contains("https://shop.example\nhttp://localhost:8080"),
        "origins normalised"
    );
    let (_, p) =
        send(app.post_form("/v1/payments", &[("amount", "500"), ("currency", "EUR")])).await;
    assert_eq!(
        p["acquirer"], "acq_eu_1",
        "payments without routing use the default"
    );
    let (_, conns) = send(app.get("/v1/acquirer_connections")).await;
    let default: Vec<&str> = conns["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["default"] == true)
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(default, vec!["acq_eu_1"]);
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
async fn webhook_endpoints_are_managed_from_the_dashboard() {
    let app = TestApp::spawn().await;
    let cookie = sign_in(&app).await;
    let from = "/dashboard/developers";
    let to = act(
        &app,
        &cookie,
        from,
        "add_endpoint",
        &[("url", "not a url"), ("description", "")],
    )
    .await;
    assert!(!error_shown(&app, &cookie, &to).await.is_empty());
    let to = act(
        &app,
        &cookie,
        from,
        "add_endpoint",
        &[
            ("url", "https://shop.example/hooks"),
            ("description", "Shop"),
            ("events[]", "payment.succeeded"),
            ("events[]", "refund.succeeded"),
        ],
    )
    .await;
    let endpoint = to
        .strip_prefix("/dashboard/webhooks/")
        .and_then(|rest| rest.split('?').next())
        .expect("sent to the new endpoint's page")
        .to_string();
    let (_, listed) = send(app.get(&format!("/v1/webhook_endpoints/{endpoint}"))).await;
    assert_eq!(
        listed["enabled_events"],
        serde_json::json!(["payment.succeeded", "refund.succeeded"])
    );
    let page_path = format!("/dashboard/webhooks/{endpoint}");
    let (_, html) = page(&app, &cookie, &page_path).await;
    assert!(
        !html.contains("whsec_") || html.contains("whsec_••"),
        "hidden until revealed"
    );
    let (_, html) = page(&app, &cookie, &format!("{page_path}?reveal=1")).await;
    assert!(html.contains(r#"data-testid="endpoint-secret">whsec_"#));

    let to = act(
        &app,
        &cookie,
        &page_path,
        "edit_endpoint",
        &[
            ("endpoint", &endpoint),
            ("url", "https://shop.example/v2"),
            ("description", ""),
        ],
    )
    .await;
    assert_eq!(to, format!("{page_path}?notice=endpoint_saved"));
    let (_, edited) = send(app.get(&format!("/v1/webhook_endpoints/{endpoint}"))).await;
    assert_eq!(edited["url"], "https://shop.example/v2");
    assert_eq!(edited["enabled_events"], serde_json::json!(["*"]));
    assert_eq!(
        edited["status"], "disabled",
        "the enabled box was not ticked"
    );

    let to = act(
        &app,
        &cookie,
        &page_path,
        "rotate_secret",
        &[("endpoint", &endpoint)],
    )
    .await;
    assert_eq!(to, format!("{page_path}?notice=secret_rotated"));
    let to = act(
        &app,
        &cookie,
        &page_path,
        "delete_endpoint",
        &[("endpoint", &endpoint)],
    )
    .await;
    assert_eq!(to, "/dashboard/developers?notice=endpoint_deleted");
    let (status, _) = send(app.get(&format!("/v1/webhook_endpoints/{endpoint}"))).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn signing_up_creates_an_account_and_signs_in() {
    let app = TestApp::spawn().await;
    let email = format!(
        "new-{}@example.com",
        vinr::crypto::random_base62(8).to_lowercase()
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
