//! Embedded elements (§8) and API-direct: payment sessions, the loader, the card element's
//! frame and who may frame it, its server functions (pay, decline, 3-D Secure inside the
//! frame), and confirming with a publishable key and the client secret.

use crate::helpers::{TestApp, assert_error, send, send_raw};
use serde_json::{Value, json};
use vinr::server::services::accounts;

const SHOP: &str = "https://shop.example";

impl TestApp {
    /// A payment session of €10.00; returns its JSON.
    async fn payment_session(&self) -> Value {
        let (status, body) = send(self.post_form(
            "/v1/payment_sessions",
            &[("amount", "1000"), ("currency", "EUR")],
        ))
        .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Lets `SHOP` frame this merchant's card element.
    async fn allow_shop(&self) {
        accounts::allow_embed_origin(&self.state.store, &self.account_id, SHOP)
            .await
            .unwrap();
    }

    /// Calls one of the frame's server functions as its island does.
    async fn frame_call(&self, name: &str, form: &[(&str, &str)]) -> (u16, String) {
        let resp = send_raw(
            self.client
                .post(self.url(&format!("/api/elements/{name}")))
                .header("Origin", &self.base)
                .form(form),
        )
        .await;
        let status = resp.status().as_u16();
        (status, resp.text().await.unwrap())
    }

    /// Pays a session in the frame with `number`; returns the outcome as JSON.
    async fn frame_pay(&self, client_secret: &str, number: &str) -> (u16, Value) {
        let (status, text) = self
            .frame_call(
                "confirm",
                &[
                    ("publishable_key", &self.pk_test),
                    ("client_secret", client_secret),
                    ("number", number),
                    ("expiry", "12 / 34"),
                    ("cvc", "123"),
                ],
            )
            .await;
        (status, serde_json::from_str(&text).unwrap_or(json!(text)))
    }
}

fn csp(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn frame_ancestors(csp: &str) -> String {
    csp.split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("frame-ancestors "))
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_payment_session_is_a_payment_awaiting_the_element() {
    let app = TestApp::spawn().await;
    let session = app.payment_session().await;
    assert_eq!(session["object"], "payment_session");
    assert_eq!(session["id"], session["payment"]["id"]);
    assert_eq!(session["payment"]["status"], "requires_payment_method");
    assert_eq!(session["payment"]["amount"], 1000);
    assert_eq!(session["livemode"], false);
    let secret = session["client_secret"].as_str().unwrap();
    assert!(secret.starts_with(&format!("{}_secret_", session["id"].as_str().unwrap())));
    assert_eq!(session["payment"]["client_secret"], secret);

    // The SDK's camelCase JSON works too.
    let (status, body) = send(app.post_json(
        "/v1/payment_sessions",
        &json!({"amount": 2500, "currency": "eur", "customerEmail": "ada@example.com"}),
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["payment"]["currency"], "EUR");

    // Refusals change nothing.
    let (status, body) = send(app.post_form(
        "/v1/payment_sessions",
        &[("amount", "1000"), ("payment_method", "pm_card_visa")],
    ))
    .await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    assert_eq!(body["error"]["param"], "payment_method");
    let (status, body) = send(app.post_form("/v1/payment_sessions", &[("currency", "EUR")])).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_missing",
    );
    let (status, body) = send(app.post_form("/v1/payment_sessions", &[("amount", "-5")])).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = send(
        app.client
            .post(app.url("/v1/payment_sessions"))
            .header("X-Api-Key", &app.pk_test)
            .form(&[("amount", "1000")]),
    )
    .await;
    assert_error(status, &body, 403, "permission_error", "permission_denied");
    let (_, list) = send(app.get("/v1/payments?limit=100")).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2, "{list}");

    // Idempotent like every POST.
    let create = || {
        app.post_form("/v1/payment_sessions", &[("amount", "700")])
            .header("Idempotency-Key", "session-1")
    };
    let (_, first) = send(create()).await;
    let (_, again) = send(create()).await;
    assert_eq!(first, again);
}

#[tokio::test]
async fn the_loader_is_small_cacheable_and_versioned() {
    let app = TestApp::spawn().await;
    let resp = send_raw(app.client.get(app.url("/v1/elements.js"))).await;
    assert_eq!(resp.status(), 200);
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert!(header("content-type").starts_with("text/javascript"));
    assert_eq!(header("cache-control"), "public, max-age=3600");
    assert_eq!(header("x-vinr-elements-version"), "1");
    assert_eq!(header("access-control-allow-origin"), "*");
    let etag = header("etag");
    assert!(etag.starts_with('"') && etag.len() == 18, "{etag}");
    let body = resp.text().await.unwrap();
    assert!(body.contains("w.Vinr = Vinr"));
    assert!(body.len() < 16_000, "{} bytes", body.len());
    // The client secret travels by postMessage, never in the frame's URL.
    assert!(body.contains("'/elements/card?v='"));
    assert!(!body.contains("client_secret="));

    let resp = send_raw(
        app.client
            .get(app.url("/v1/elements.js"))
            .header("If-None-Match", &etag),
    )
    .await;
    assert_eq!(resp.status(), 304);
}

#[tokio::test]
async fn only_allowed_origins_may_frame_the_card_element() {
    let app = TestApp::spawn().await;
    let page = |key: String, origin: &str| {
        let url = app.url(&format!(
            "/elements/card?v=1&pk={key}&origin={}",
            urlencode(origin)
        ));
        send_raw(app.client.get(url))
    };

    // No origin allowed yet: nobody may frame it, and the page says what to do.
    let resp = page(app.pk_test.clone(), SHOP).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(frame_ancestors(&csp(&resp)), "'none'");
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("Add https://shop.example to the allowed embed origins"),
        "{html}"
    );

    app.allow_shop().await;
    let resp = page(app.pk_test.clone(), SHOP).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(frame_ancestors(&csp(&resp)), SHOP);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("CardElement"),
        "the card island is on the page"
    );
    assert!(html.contains("Card number"));
    // The frame loads its own wasm bundle, not the checkout's.
    assert!(html.contains("/pkg/vinr-frame.js"), "{html}");
    assert!(html.contains("/pkg/vinr-frame.wasm"), "{html}");
    assert!(!html.contains("/pkg/vinr.js"), "{html}");

    // Another origin gets the same allow-list (the browser refuses it) and no fields.
    let resp = page(app.pk_test.clone(), "https://evil.example").await;
    assert_eq!(resp.status(), 400);
    assert_eq!(frame_ancestors(&csp(&resp)), SHOP);
    assert!(!resp.text().await.unwrap().contains("Card number"));

    // A secret key is refused loudly; an unknown key is named.
    let resp = page(app.sk_test.clone(), SHOP).await;
    assert_eq!(resp.status(), 400);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Secret key in a web page")
    );
    let resp = page("pk_test_unknown0000000000000000".into(), SHOP).await;
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("Invalid API key"));

    // The hosted checkout and the dashboard are never framed.
    let session = app.payment_session().await;
    let resp = send_raw(
        app.client
            .get(app.url(&format!("/checkout/{}", session["id"].as_str().unwrap()))),
    )
    .await;
    assert_eq!(frame_ancestors(&csp(&resp)), "'none'");
    let resp = send_raw(app.client.get(app.url("/login"))).await;
    assert_eq!(frame_ancestors(&csp(&resp)), "'none'");
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn the_frame_pays_declines_and_retries() {
    let app = TestApp::spawn().await;
    app.allow_shop().await;
    let session = app.payment_session().await;
    let id = session["id"].as_str().unwrap();
    let secret = session["client_secret"].as_str().unwrap();

    let (status, text) = app
        .frame_call(
            "status",
            &[("publishable_key", &app.pk_test), ("client_secret", secret)],
        )
        .await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("\"Open\""), "{text}");

    let (status, declined) = app.frame_pay(secret, "4000 0000 0000 0002").await;
    assert_eq!(status, 200, "{declined}");
    assert_eq!(declined["Declined"]["decline_code"], "generic_decline");
    assert!(
        declined["Declined"]["message"]
            .as_str()
            .unwrap()
            .contains("declined")
    );
    let (_, payment) = send(app.get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(payment["status"], "requires_payment_method");

    let (status, invalid) = app.frame_pay(secret, "4242 4242 4242 4241").await;
    assert_eq!(status, 200);
    assert_eq!(invalid["Invalid"]["field"], "number");

    let (status, paid) = app.frame_pay(secret, "4242 4242 4242 4242").await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["Done"]["status"], "succeeded");
    assert_eq!(paid["Done"]["id"], id);
    let (_, payment) = send(app.get(&format!("/v1/payments/{id}?expand[]=latest_charge"))).await;
    assert_eq!(payment["status"], "succeeded");
    assert_eq!(
        payment["latest_charge"]["payment_method_details"]["card"]["last4"],
        "4242"
    );

    // Paid is paid: another card is not charged.
    let (_, again) = app.frame_pay(secret, "5555 5555 5555 4444").await;
    assert_eq!(again["Done"]["status"], "succeeded");
    let (_, charges) = send(app.get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(charges["amount_received"], 1000);

    // The numbers typed in the frame reached neither the database nor the events.
    let (_, events) = send(app.get("/v1/events?limit=100")).await;
    let mut seen = events.to_string();
    if let Some(path) = &app.sqlite_path {
        for file in [
            path.display().to_string(),
            format!("{}-wal", path.display()),
        ] {
            if let Ok(bytes) = std::fs::read(&file) {
                seen.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
    }
    for number in [
        "4242424242424242",
        "4242 4242 4242 4242",
        "4000000000000002",
        "4000 0000 0000 0002",
    ] {
        assert!(!seen.contains(number), "{number} was stored");
    }
}

#[tokio::test]
async fn the_frame_only_opens_the_payment_of_its_client_secret() {
    let app = TestApp::spawn().await;
    let session = app.payment_session().await;
    let id = session["id"].as_str().unwrap();
    let secret = session["client_secret"].as_str().unwrap();
    let forged = format!("{id}_secret_00000000000000000000000000000000");

    let (status, text) = app.frame_pay(&forged, "4242424242424242").await;
    assert_eq!(status, 400, "{text}");
    assert!(text.to_string().contains("client secret"), "{text}");
    // Another merchant's publishable key with a genuine secret: no such payment.
    let other_pk = app.other_merchant_key_of("publishable").await;
    let (status, text) = app
        .frame_call(
            "confirm",
            &[
                ("publishable_key", other_pk.as_str()),
                ("client_secret", secret),
                ("number", "4242424242424242"),
                ("expiry", "12/34"),
                ("cvc", "123"),
            ],
        )
        .await;
    assert_eq!(status, 404, "{text}");
    // A secret key has no business in a browser.
    let (status, text) = app
        .frame_call(
            "status",
            &[("publishable_key", &app.sk_test), ("client_secret", secret)],
        )
        .await;
    assert_eq!(status, 403, "{text}");
    let (status, _) = app
        .frame_call(
            "status",
            &[
                ("publishable_key", "pk_test_nope"),
                ("client_secret", secret),
            ],
        )
        .await;
    assert_eq!(status, 401);
    let (_, payment) = send(app.get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(payment["status"], "requires_payment_method");
    assert!(payment["latest_charge"].is_null());
}

#[tokio::test]
async fn a_challenge_runs_and_ends_inside_the_frame() {
    let app = TestApp::spawn().await;
    app.allow_shop().await;
    for (result, want) in [
        ("complete", "succeeded"),
        ("fail", "requires_payment_method"),
    ] {
        let session = app.payment_session().await;
        let id = session["id"].as_str().unwrap();
        let secret = session["client_secret"].as_str().unwrap();
        let (status, challenge) = app.frame_pay(secret, "4000 0000 0000 3220").await;
        assert_eq!(status, 200, "{challenge}");
        let url = challenge["Challenge"].as_str().unwrap().to_string();
        assert!(url.ends_with(&format!("/sandbox/3ds/{id}")), "{url}");
        let (_, payment) = send(app.get(&format!("/v1/payments/{id}"))).await;
        assert_eq!(payment["status"], "requires_action");
        assert_eq!(
            payment["next_action"]["redirect_to_url"]["return_url"],
            format!("http://127.0.0.1/elements/challenge/{id}")
        );

        // The issuer's page may be framed by the element (ours) on the shop's page.
        let resp = send_raw(app.client.get(app.url(&format!("/sandbox/3ds/{id}")))).await;
        assert_eq!(frame_ancestors(&csp(&resp)), format!("'self' {SHOP}"));
        let resp = send_raw(
            app.client
                .post(app.url(&format!("/sandbox/3ds/{id}")))
                .header("Origin", &app.base)
                .form(&[("result", result)]),
        )
        .await;
        assert_eq!(resp.status(), 303);
        let to = resp.headers()["location"].to_str().unwrap().to_string();
        assert_eq!(to, format!("/elements/challenge/{id}"));
        let resp = send_raw(app.client.get(app.url(&to))).await;
        assert_eq!(resp.status(), 200);
        assert_eq!(frame_ancestors(&csp(&resp)), format!("'self' {SHOP}"));
        assert!(resp.text().await.unwrap().contains(want));

        let (_, text) = app
            .frame_call(
                "status",
                &[("publishable_key", &app.pk_test), ("client_secret", secret)],
            )
            .await;
        let outcome: Value = serde_json::from_str(&text).unwrap();
        if want == "succeeded" {
            assert_eq!(outcome["Done"]["status"], "succeeded", "{outcome}");
        } else {
            // A failed challenge is a decline the customer can retry with another card.
            assert_eq!(
                outcome["Declined"]["decline_code"], "authentication_failed",
                "{outcome}"
            );
            let (_, paid) = app.frame_pay(secret, "4242424242424242").await;
            assert_eq!(paid["Done"]["status"], "succeeded");
        }
    }
}

#[tokio::test]
async fn a_browser_confirms_with_the_publishable_key_and_client_secret() {
    let app = TestApp::spawn().await;
    let session = app.payment_session().await;
    let id = session["id"].as_str().unwrap();
    let secret = session["client_secret"].as_str().unwrap();
    let browser = |path: &str, form: &[(&str, &str)]| {
        app.client
            .post(app.url(path))
            .header("X-Api-Key", &app.pk_test)
            .form(form)
    };
    // Tokenised in the browser with the publishable key (API-direct).
    let (status, pm) = send(browser(
        "/v1/payment_methods",
        &[
            ("card[number]", "4242424242424242"),
            ("card[exp_month]", "12"),
            ("card[exp_year]", "2034"),
            ("card[cvc]", "123"),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{pm}");
    let pm = pm["id"].as_str().unwrap();
    let confirm = format!("/v1/payments/{id}/confirm");

    let (status, body) = send(browser(&confirm, &[("payment_method", pm)])).await;
    assert_error(status, &body, 403, "permission_error", "permission_denied");
    let other = app.payment_session().await;
    let (status, body) = send(browser(
        &confirm,
        &[
            ("payment_method", pm),
            ("client_secret", other["client_secret"].as_str().unwrap()),
        ],
    ))
    .await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    assert_eq!(body["error"]["param"], "client_secret");
    let (status, body) = send(browser(
        &confirm,
        &[
            ("client_secret", secret),
            ("details[challenge]", "completed"),
        ],
    ))
    .await;
    assert_eq!(status, 400, "{body}");
    // A card saved for some customer cannot be charged from a browser.
    let customer = app.create_customer("saved@example.com").await;
    let (_, saved) = send(app.post_form(
        "/v1/payment_methods",
        &[
            ("card[number]", "5555555555554444"),
            ("card[exp_month]", "12"),
            ("card[exp_year]", "2034"),
            ("card[cvc]", "123"),
        ],
    ))
    .await;
    let saved = saved["id"].as_str().unwrap();
    let (status, _) = send(app.post_form(
        &format!("/v1/payment_methods/{saved}/attach"),
        &[("customer", customer["id"].as_str().unwrap())],
    ))
    .await;
    assert_eq!(status, 200);
    let (status, body) = send(browser(
        &confirm,
        &[("client_secret", secret), ("payment_method", saved)],
    ))
    .await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    let (_, payment) = send(app.get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(payment["status"], "requires_payment_method");

    let (status, paid) = send(browser(
        &confirm,
        &[("client_secret", secret), ("payment_method", pm)],
    ))
    .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["status"], "succeeded");
    assert!(paid.get("client_secret").is_none(), "{paid}");

    // Another merchant's publishable key does not find it.
    let other_pk = app.other_merchant_key_of("publishable").await;
    let (status, body) = send(
        app.client
            .post(app.url(&confirm))
            .header("X-Api-Key", &other_pk)
            .form(&[
                ("client_secret", secret),
                ("payment_method", "pm_card_visa"),
            ]),
    )
    .await;
    assert_error(
        status,
        &body,
        404,
        "invalid_request_error",
        "resource_missing",
    );
}

#[tokio::test]
async fn api_direct_pays_with_a_token_and_confirm_true() {
    let app = TestApp::spawn().await;
    let (status, pm) = send(
        app.client
            .post(app.url("/v1/payment_methods"))
            .header("X-Api-Key", &app.pk_test)
            .form(&[
                ("card[number]", "4000000000003220"),
                ("card[exp_month]", "12"),
                ("card[exp_year]", "2034"),
                ("card[cvc]", "123"),
            ]),
    )
    .await;
    assert_eq!(status, 200, "{pm}");
    assert!(pm.to_string().find("4000000000003220").is_none());
    let (status, payment) = send(app.post_json(
        "/v1/payments",
        &json!({"amount": 1000, "currency": "EUR", "paymentMethod": pm["id"], "confirm": true,
                "returnUrl": "https://shop.example/done"}),
    ))
    .await;
    assert_eq!(status, 200, "{payment}");
    // A server-side confirm's challenge returns to the merchant, not to a frame.
    assert_eq!(payment["status"], "requires_action");
    assert_eq!(
        payment["next_action"]["redirect_to_url"]["return_url"],
        "https://shop.example/done"
    );
}
