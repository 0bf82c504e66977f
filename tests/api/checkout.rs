//! The hosted checkout: public context, the page, paying with and without JavaScript, 3DS,
//! cancel, expiry, checkout sessions and their callbacks.

use crate::helpers::{TestApp, assert_error, send, send_raw};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use vinr::server::clock::Clock;

const RETURN_URL: &str = "https://shop.example/orders/7/done";

impl TestApp {
    /// A payment waiting at the checkout.
    async fn checkout_payment(&self, extra: &[(&str, &str)]) -> Value {
        let mut form = vec![
            ("amount", "4999"),
            ("currency", "EUR"),
            ("description", "Order 1234"),
            ("return_url", RETURN_URL),
        ];
        form.extend_from_slice(extra);
        let (status, body) = send(self.post_form("/v1/payments", &form)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status"], "requires_payment_method");
        body
    }

    /// The card form posted as a browser without JavaScript posts it.
    async fn pay_without_js(&self, reference: &str, number: &str) -> reqwest::Response {
        send_raw(
            self.client
                .post(self.url("/api/checkout/pay"))
                .header("Origin", &self.base)
                .header("Accept", "text/html,application/xhtml+xml")
                .form(&[
                    ("reference", reference),
                    ("name", "Ada Lovelace"),
                    ("number", number),
                    ("expiry", "12 / 34"),
                    ("cvc", "123"),
                ]),
        )
        .await
    }

    async fn payment(&self, id: &str) -> Value {
        let (status, body) = send(self.get(&format!("/v1/payments/{id}"))).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    async fn page(&self, path: &str) -> (u16, String) {
        let resp = send_raw(self.client.get(self.url(path))).await;
        let status = resp.status().as_u16();
        (status, resp.text().await.unwrap())
    }
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

fn result_url(id: &str, status: &str) -> String {
    format!("{RETURN_URL}?payment_id={id}&status={status}")
}

#[tokio::test]
async fn the_checkout_context_is_public_and_the_page_shows_the_order() {
    let app = TestApp::spawn().await;
    let payment = app.checkout_payment(&[]).await;
    let id = payment["id"].as_str().unwrap();
    assert_eq!(
        payment["checkout_url"],
        format!("http://127.0.0.1/checkout/{id}")
    );

    let resp = send_raw(app.client.get(app.url(&format!("/v1/checkout/{id}")))).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let context: Value = resp.json().await.unwrap();
    assert_eq!(context["object"], "checkout");
    assert_eq!(context["amount"], 4999);
    assert_eq!(context["currency"], "EUR");
    assert_eq!(context["status"], "requires_payment_method");
    assert_eq!(context["merchant_display_name"], "Test Shop");
    assert_eq!(context["description"], "Order 1234");
    assert_eq!(context["expires_at"], payment["expires_at"]);
    assert_eq!(context["livemode"], false);
    assert!(context.get("client_secret").is_none(), "{context}");

    let (status, body) = send(app.client.get(app.url("/v1/checkout/pay_nope"))).await;
    assert_error(
        status,
        &body,
        404,
        "invalid_request_error",
        "resource_missing",
    );

    let resp = send_raw(app.client.get(app.url(&format!("/checkout/{id}")))).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(
        csp.contains("form-action 'self' https://shop.example"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let html = resp.text().await.unwrap();
    // The main wasm bundle, without the card element frame's code, under the names the build
    // writes (`/pkg/vinr.wasm`, not wasm-bindgen's `vinr_bg.wasm`: see .cargo/config.toml).
    assert!(html.contains("/pkg/vinr.js"), "{html}");
    assert!(html.contains("/pkg/vinr.wasm"), "{html}");
    assert!(!html.contains("_bg.wasm"), "{html}");
    assert!(!html.contains("vinr-frame"), "{html}");
    for wanted in [
        "Test Shop",
        "€49.99",
        "Order 1234",
        "Pay €49.99",
        "action=\"/api/checkout/pay\"",
        "autocomplete=\"cc-number\"",
        "Cancel and return to Test Shop",
    ] {
        assert!(html.contains(wanted), "{wanted} missing from the page");
    }
    // The merchant's card: its colour through this response's nonce, its initial, the badge.
    assert!(html.contains(&crate::helpers::brand_style(&csp)), "{html}");
    assert!(html.contains(r#"class="merchant-mark">T</span>"#));
    assert!(html.contains("Test mode"));

    let (status, html) = app.page("/checkout/pay_000000000000000000000000").await;
    assert_eq!(status, 404);
    assert!(html.contains("This checkout doesn't exist"));
}

#[tokio::test]
async fn without_javascript_a_decline_can_be_followed_by_another_card() {
    let app = TestApp::spawn().await;
    let payment = app.checkout_payment(&[]).await;
    let id = payment["id"].as_str().unwrap();

    let resp = app.pay_without_js(id, "4000 0000 0000 0002").await;
    assert_eq!(resp.status(), 302);
    assert_eq!(location(&resp), format!("/checkout/{id}"));
    let declined = app.payment(id).await;
    assert_eq!(declined["status"], "requires_payment_method");
    assert_eq!(
        declined["last_payment_error"]["decline_code"],
        "generic_decline"
    );
    let (_, html) = app.page(&format!("/checkout/{id}")).await;
    assert!(
        html.contains("Your card was declined."),
        "no decline message"
    );
    assert!(
        html.contains("data-testid=\"card-form\""),
        "no form to retry"
    );

    let resp = app.pay_without_js(id, "4242 4242 4242 4242").await;
    assert_eq!(resp.status(), 302);
    assert_eq!(location(&resp), result_url(id, "succeeded"));
    let paid = app.payment(id).await;
    assert_eq!(paid["status"], "succeeded");
    assert_eq!(paid["amount_received"], 4999);

    // Paying twice is impossible: the customer is sent to the result, nothing is charged.
    let resp = app.pay_without_js(id, "4242 4242 4242 4242").await;
    assert_eq!(location(&resp), result_url(id, "succeeded"));
    let again = app.payment(id).await;
    assert_eq!(again["latest_charge"], paid["latest_charge"]);
    let (_, html) = app.page(&format!("/checkout/{id}")).await;
    assert!(html.contains("data-status=\"succeeded\""));
    assert!(!html.contains("data-testid=\"card-form\""));

    // The card was saved as brand, last four and the name typed, nothing more.
    let pm = paid["payment_method"].as_str().unwrap();
    let (_, method) = send(app.get(&format!("/v1/payment_methods/{pm}"))).await;
    assert_eq!(method["card"]["last4"], "4242");
    assert_eq!(method["billing_details"]["name"], "Ada Lovelace");
}

#[tokio::test]
async fn card_checks_happen_before_the_issuer_is_asked() {
    let app = TestApp::spawn().await;
    let payment = app.checkout_payment(&[]).await;
    let id = payment["id"].as_str().unwrap();
    let resp = app.pay_without_js(id, "4242 4242 4242 4241").await;
    assert_eq!(location(&resp), format!("/checkout/{id}?invalid=number"));
    let unchanged = app.payment(id).await;
    assert_eq!(unchanged["status"], "requires_payment_method");
    assert!(unchanged["latest_charge"].is_null());
    let (_, html) = app.page(&format!("/checkout/{id}?invalid=number")).await;
    assert!(html.contains("Your card number is incorrect."));
    // Only known fields have messages: a crafted link puts no words on the page.
    let (_, html) = app
        .page(&format!("/checkout/{id}?invalid=%3Cb%3Eboo"))
        .await;
    assert!(!html.contains("boo"));

    // The island calls the same server function and gets the outcome as data.
    let resp = send_raw(
        app.client
            .post(app.url("/api/checkout/pay"))
            .header("Origin", &app.base)
            .form(&[
                ("reference", id),
                ("name", "Ada"),
                ("number", "4242424242424242"),
                ("expiry", "01 / 20"),
                ("cvc", "123"),
            ]),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let outcome: Value = resp.json().await.unwrap();
    assert_eq!(outcome["Invalid"]["field"], "expiry", "{outcome}");

    let resp = send_raw(
        app.client
            .post(app.url("/api/checkout/pay"))
            .header("Origin", &app.base)
            .form(&[
                ("reference", id),
                ("name", "Ada"),
                ("number", "4000000000009995"),
                ("expiry", "12/34"),
                ("cvc", "123"),
            ]),
    )
    .await;
    let outcome: Value = resp.json().await.unwrap();
    assert!(
        outcome["Declined"]
            .as_str()
            .is_some_and(|m| m.contains("insufficient funds")),
        "{outcome}"
    );
}

#[tokio::test]
async fn a_challenge_started_at_the_checkout_comes_back_to_it() {
    let app = TestApp::spawn().await;
    let payment = app.checkout_payment(&[]).await;
    let id = payment["id"].as_str().unwrap();

    let resp = app.pay_without_js(id, "4000 0000 0000 3220").await;
    assert_eq!(
        location(&resp),
        format!("http://127.0.0.1/sandbox/3ds/{id}")
    );
    let challenged = app.payment(id).await;
    assert_eq!(challenged["status"], "requires_action");
    assert_eq!(
        challenged["next_action"]["redirect_to_url"]["return_url"],
        format!("http://127.0.0.1/checkout/{id}")
    );

    // Failing it is a decline the customer can recover from on the same page.
    let resp = send_raw(
        app.client
            .post(app.url(&format!("/sandbox/3ds/{id}")))
            .header("Origin", &app.base)
            .form(&[("result", "fail")]),
    )
    .await;
    assert_eq!(location(&resp), format!("/checkout/{id}"));
    let failed = app.payment(id).await;
    assert_eq!(failed["status"], "requires_payment_method");
    let (_, html) = app.page(&format!("/checkout/{id}")).await;
    assert!(
        html.contains("Your bank couldn"),
        "no authentication message"
    );

    let resp = app.pay_without_js(id, "4000 0000 0000 3220").await;
    assert!(location(&resp).ends_with(&format!("/sandbox/3ds/{id}")));
    let resp = send_raw(
        app.client
            .post(app.url(&format!("/sandbox/3ds/{id}")))
            .header("Origin", &app.base)
            .form(&[("result", "complete")]),
    )
    .await;
    assert_eq!(location(&resp), result_url(id, "succeeded"));
    assert_eq!(app.payment(id).await["status"], "succeeded");
}

#[tokio::test]
async fn cancel_and_return_cancels_the_payment() {
    let app = TestApp::spawn().await;
    let payment = app.checkout_payment(&[]).await;
    let id = payment["id"].as_str().unwrap();
    let cancel = || {
        app.client
            .post(app.url(&format!("/checkout/{id}/cancel")))
            .header("Origin", &app.base)
    };
    let resp = send_raw(cancel()).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), result_url(id, "canceled"));
    let canceled = app.payment(id).await;
    assert_eq!(canceled["status"], "canceled");
    assert_eq!(canceled["cancellation_reason"], "requested_by_customer");
    // Once more changes nothing, and the card form is gone for good.
    let resp = send_raw(cancel()).await;
    assert_eq!(location(&resp), result_url(id, "canceled"));
    let resp = app.pay_without_js(id, "4242 4242 4242 4242").await;
    assert_eq!(location(&resp), result_url(id, "canceled"));
    assert!(app.payment(id).await["latest_charge"].is_null());
    // A cross-site post is refused.
    let resp = send_raw(
        app.client
            .post(app.url(&format!("/checkout/{id}/cancel")))
            .header("Origin", "https://evil.example"),
    )
    .await;
    assert_eq!(resp.status(), 403);
}

#[tokio::test]
async fn unpaid_payments_expire_and_say_so() {
    let (app, clock) = TestApp::spawn_manual_clock().await;
    let due = app.checkout_payment(&[("expires_in", "60")]).await;
    let later = app.checkout_payment(&[("expires_in", "3600")]).await;
    let paid = app.checkout_payment(&[("expires_in", "60")]).await;
    let paid_id = paid["id"].as_str().unwrap();
    app.pay_without_js(paid_id, "4242424242424242").await;

    let deps = app.state.payment_deps();
    assert_eq!(
        vinr::server::workers::expiry::run_once(&deps, clock.now())
            .await
            .unwrap(),
        0
    );
    clock.advance_secs(61);
    assert_eq!(
        vinr::server::workers::expiry::run_once(&deps, clock.now())
            .await
            .unwrap(),
        1
    );
    let id = due["id"].as_str().unwrap();
    let expired = app.payment(id).await;
    assert_eq!(expired["status"], "expired");
    assert!(expired["checkout_url"].is_null());
    assert_eq!(app.payment(paid_id).await["status"], "succeeded");
    let later_id = later["id"].as_str().unwrap();
    assert_eq!(
        app.payment(later_id).await["status"],
        "requires_payment_method"
    );
    let (_, events) = send(app.get("/v1/events?limit=100")).await;
    let expired_events: Vec<&Value> = events["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "payment.expired")
        .collect();
    assert_eq!(expired_events.len(), 1, "{events}");
    assert_eq!(expired_events[0]["data"]["object"]["id"], id);

    let (_, html) = app.page(&format!("/checkout/{id}")).await;
    assert!(html.contains("data-status=\"expired\""));
    assert!(html.contains("This payment link has expired"));
    let resp = app.pay_without_js(id, "4242424242424242").await;
    assert_eq!(location(&resp), result_url(id, "expired"));

    // Past its time but before the worker runs, the page already tells the truth.
    clock.advance_secs(3600);
    let (_, context) = send(app.client.get(app.url(&format!("/v1/checkout/{later_id}")))).await;
    assert_eq!(context["status"], "expired");
    let (status, body) = send(app.post_form(
        &format!("/v1/payments/{later_id}/confirm"),
        &[("payment_method", "pm_card_visa")],
    ))
    .await;
    assert_error(
        status,
        &body,
        409,
        "invalid_state",
        "payment_unexpected_state",
    );
}

#[tokio::test]
async fn sessions_check_their_order_and_create_a_payment() {
    let app = TestApp::spawn().await;
    let order = |amount: i64| {
        json!({
            "order": {
                "amount": amount,
                "currency": "NOK",
                "merchant_reference": "order-42",
                "items": [
                    {"line_id": "1", "description": "Wool socks", "quantity": 2, "amount": 20000, "vat": 25},
                    {"line_id": "2", "description": "Shipping", "quantity": 1, "amount": 4900, "vat": 25}
                ]
            },
            "url": {"return_url": RETURN_URL, "callback_url": "https://shop.example/callback"}
        })
    };
    let (status, body) = send(app.post_json("/v1/checkout/sessions", &order(25000))).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    assert_eq!(body["error"]["param"], "order[items]");
    let (status, body) = send(app.post_json("/v1/checkout/sessions", &json!({}))).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_missing",
    );
    let mut bad_url = order(24900);
    bad_url["url"]["callback_url"] = json!("ftp://nope");
    let (status, body) = send(app.post_json("/v1/checkout/sessions", &bad_url)).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    assert_eq!(body["error"]["param"], "url[callback_url]");
    // An expiry at either end of i64 is out of range, not an overflow (schemathesis sent one).
    for at in [i64::MIN, i64::MAX] {
        let mut far = order(24900);
        far["expires_at"] = json!(at);
        let (status, body) = send(app.post_json("/v1/checkout/sessions", &far)).await;
        assert_error(
            status,
            &body,
            400,
            "invalid_request_error",
            "parameter_invalid",
        );
        assert_eq!(body["error"]["param"], "expires_at");
    }
    // A nested object as an array of its fields is not an object.
    let mut as_array = order(24900);
    as_array["url"] = json!([RETURN_URL, null]);
    let (status, body) = send(app.post_json("/v1/checkout/sessions", &as_array)).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );

    let (status, session) = send(app.post_json("/v1/checkout/sessions", &order(24900))).await;
    assert_eq!(status, 200, "{session}");
    let session_id = session["id"].as_str().unwrap();
    assert!(session_id.starts_with("cs_"));
    let payment_id = session["payment"]["id"].as_str().unwrap();
    assert_eq!(
        session["url"],
        format!("http://127.0.0.1/checkout/{payment_id}")
    );
    assert_eq!(session["payment"]["checkout_url"], session["url"]);
    assert_eq!(session["payment"]["amount"], 24900);
    assert_eq!(session["payment"]["currency"], "NOK");
    assert_eq!(session["order"]["items"][0]["description"], "Wool socks");
    assert_eq!(session["callbacks"], json!([]));

    let (_, context) = send(
        app.client
            .get(app.url(&format!("/v1/checkout/{payment_id}"))),
    )
    .await;
    assert_eq!(context["merchant_reference"], "order-42");
    assert_eq!(context["items"].as_array().unwrap().len(), 2);
    let (_, html) = app.page(&format!("/checkout/{payment_id}")).await;
    assert!(html.contains("Wool socks") && html.contains("249.00 NOK"));

    let (status, fetched) = send(app.get(&format!("/v1/checkout/sessions/{session_id}"))).await;
    assert_eq!(status, 200);
    assert_eq!(fetched["payment"]["id"], payment_id);
    let other = app.other_merchant_key().await;
    let (status, _) = send(
        app.client
            .get(app.url(&format!("/v1/checkout/sessions/{session_id}")))
            .header("X-Api-Key", other),
    )
    .await;
    assert_eq!(status, 404);

    // The seed's curl style: form-encoded with numbered items.
    let (status, body) = send(app.post_form(
        "/v1/checkout/sessions",
        &[
            ("order[amount]", "1500"),
            ("order[currency]", "EUR"),
            ("order[items][0][line_id]", "a"),
            ("order[items][0][description]", "Tea"),
            ("order[items][0][quantity]", "3"),
            ("order[items][0][amount]", "1500"),
            ("order[items][0][vat]", "12.5"),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["order"]["items"][0]["vat"], 12.5);
}

/// A merchant's callback endpoint that fails `failures` times, then answers 200.
async fn callback_receiver(failures: usize) -> (String, Arc<Mutex<Vec<String>>>) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/callback",
        axum::routing::get(move |uri: axum::http::Uri| {
            let log = log.clone();
            async move {
                let mut calls = log.lock().unwrap();
                calls.push(uri.query().unwrap_or_default().to_string());
                if calls.len() <= failures {
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    axum::http::StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/callback?token=t1"), seen)
}

#[tokio::test]
async fn callbacks_are_retried_with_backoff_until_accepted() {
    let (app, clock) = TestApp::spawn_manual_clock().await;
    let (callback_url, calls) = callback_receiver(3).await;
    let (status, session) = send(app.post_json(
        "/v1/checkout/sessions",
        &json!({
            "order": {"amount": 1000, "currency": "EUR", "merchant_reference": "order-9"},
            "url": {"return_url": RETURN_URL, "callback_url": callback_url}
        }),
    ))
    .await;
    assert_eq!(status, 200, "{session}");
    let session_id = session["id"].as_str().unwrap();
    let payment_id = session["payment"]["id"].as_str().unwrap();
    let resp = app.pay_without_js(payment_id, "4242424242424242").await;
    assert_eq!(location(&resp), result_url(payment_id, "succeeded"));

    let client = reqwest::Client::new();
    let store = &app.state.store;
    let pass = |now| vinr::server::workers::callbacks::run_once(store, &client, now);
    let first = pass(clock.now()).await.unwrap();
    assert_eq!(first.retrying, 1);
    // Not yet due again: nothing is called.
    clock.advance_secs(4);
    assert_eq!(pass(clock.now()).await.unwrap(), Default::default());
    for wait in [1, 10, 20] {
        clock.advance_secs(wait);
        pass(clock.now()).await.unwrap();
    }
    assert_eq!(calls.lock().unwrap().len(), 4);
    clock.advance_secs(3600);
    assert_eq!(pass(clock.now()).await.unwrap(), Default::default());

    let calls = calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 4);
    assert_eq!(
        calls[3],
        format!(
            "token=t1&transaction_id={payment_id}&session_id={session_id}&merchant_reference=order-9&event=succeeded"
        )
    );
    let (_, fetched) = send(app.get(&format!("/v1/checkout/sessions/{session_id}"))).await;
    let callback = &fetched["callbacks"][0];
    assert_eq!(callback["status"], "delivered", "{fetched}");
    assert_eq!(callback["attempts"], 4);
    let codes: Vec<i64> = callback["attempt_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [500, 500, 500, 200]);
}

#[tokio::test]
async fn card_numbers_never_reach_the_database() {
    let app = TestApp::spawn().await;
    let Some(path) = app.sqlite_path.clone() else {
        return; // The file check needs SQLite; the Postgres pass covers the rest.
    };
    let payment = app.checkout_payment(&[]).await;
    let id = payment["id"].as_str().unwrap();
    app.pay_without_js(id, "4000000000000002").await;
    app.pay_without_js(id, "4242424242424242").await;
    assert_eq!(app.payment(id).await["status"], "succeeded");
    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(path.with_extension("db-wal")) {
        bytes.extend(wal);
    }
    for pan in ["4242424242424242", "4000000000000002", "424242424242"] {
        assert!(
            !bytes.windows(pan.len()).any(|w| w == pan.as_bytes()),
            "{pan} found in the database"
        );
    }
}
