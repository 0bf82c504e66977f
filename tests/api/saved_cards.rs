//! Saved cards and their reuse, connected accounts, acquirer connections.

use crate::helpers::{TestApp, assert_error, send};
use serde_json::json;

#[tokio::test]
async fn a_saved_card_is_reused_through_the_customer_default() {
    let app = TestApp::spawn().await;
    let cust = app.create_customer("saver@example.com").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, first) = send(app.post_form(
        "/v1/payments",
        &[
            ("amount", "1500"),
            ("payment_method", "pm_card_visa"),
            ("customer", &cust),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{first}");
    let pm = first["payment_method"].as_str().unwrap().to_string();

    let (status, list) = send(app.get(&format!("/v1/payment_methods?customer={cust}"))).await;
    assert_eq!(status, 200);
    let saved = &list["data"][0];
    assert_eq!(saved["id"], pm.as_str());
    assert_eq!(
        (
            saved["card"]["brand"].as_str(),
            saved["card"]["last4"].as_str()
        ),
        (Some("visa"), Some("4242"))
    );
    assert!(saved["card"]["fingerprint"].as_str().unwrap().len() >= 16);
    assert_eq!(saved["customer"], cust.as_str());

    let (status, updated) = send(app.post_form(
        &format!("/v1/customers/{cust}"),
        &[("default_payment_method", &pm)],
    ))
    .await;
    assert_eq!(
        (status, updated["default_payment_method"].as_str()),
        (200, Some(pm.as_str()))
    );
    let (status, second) = send(app.post_form(
        "/v1/payments",
        &[("amount", "900"), ("customer", &cust), ("confirm", "true")],
    ))
    .await;
    assert_eq!(
        (status, second["status"].as_str()),
        (200, Some("succeeded")),
        "{second}"
    );
    assert_eq!(
        second["payment_method"],
        pm.as_str(),
        "the saved card was charged again"
    );
    // Without confirm, a customer's payment waits for the checkout instead of charging.
    let (_, waiting) =
        send(app.post_form("/v1/payments", &[("amount", "900"), ("customer", &cust)])).await;
    assert_eq!(waiting["status"], "requires_payment_method");
    // Also by naming it.
    let (status, third) = send(app.post_form(
        "/v1/payments",
        &[
            ("amount", "300"),
            ("customer", &cust),
            ("payment_method", &pm),
        ],
    ))
    .await;
    assert_eq!((status, third["status"].as_str()), (200, Some("succeeded")));
}

#[tokio::test]
async fn attaching_cards_to_customers() {
    let app = TestApp::spawn().await;
    let a = app.create_customer("a@example.com").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let b = app.create_customer("b@example.com").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, p) = send(app.post_form(
        "/v1/payments",
        &[("amount", "100"), ("payment_method", "pm_card_mastercard")],
    ))
    .await;
    let pm = p["payment_method"].as_str().unwrap().to_string();
    let (status, body) = send(app.post_form(
        &format!("/v1/customers/{a}"),
        &[("default_payment_method", &pm)],
    ))
    .await;
    assert_error(
        status,
        &body,
        404,
        "invalid_request_error",
        "resource_missing",
    );
    let (status, attached) = send(app.post_form(
        &format!("/v1/payment_methods/{pm}/attach"),
        &[("customer", &a)],
    ))
    .await;
    assert_eq!(
        (status, attached["customer"].as_str()),
        (200, Some(a.as_str())),
        "{attached}"
    );
    let (status, body) = send(app.post_form(
        &format!("/v1/payment_methods/{pm}/attach"),
        &[("customer", &b)],
    ))
    .await;
    assert_error(
        status,
        &body,
        409,
        "invalid_state",
        "payment_method_attached",
    );
    let (status, body) = send(app.post_form(
        &format!("/v1/payment_methods/{pm}/attach"),
        &[("customer", "cust_nope")],
    ))
    .await;
    assert_error(
        status,
        &body,
        404,
        "invalid_request_error",
        "resource_missing",
    );
    let (status, body) =
        send(app.post_form("/v1/customers", &[("default_payment_method", &pm)])).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    let (status, got) = send(app.get(&format!("/v1/payment_methods/{pm}"))).await;
    assert_eq!(
        (status, got["card"]["brand"].as_str()),
        (200, Some("mastercard"))
    );
    let other = TestApp::spawn().await;
    let (status, body) = send(other.get(&format!("/v1/payment_methods/{pm}"))).await;
    assert_error(
        status,
        &body,
        404,
        "invalid_request_error",
        "resource_missing",
    );
}

#[tokio::test]
async fn payments_on_behalf_of_a_connected_account() {
    let app = TestApp::spawn().await;
    let (status, acct) =
        send(app.post_form("/v1/accounts", &[("business_name", "Corner Bakery")])).await;
    assert_eq!(status, 200, "{acct}");
    let id = acct["id"].as_str().unwrap();
    assert!(id.starts_with("acct_") && acct["type"] == "connected");
    let (status, p) = send(app.post_form(
        "/v1/payments",
        &[
            ("amount", "2000"),
            ("payment_method", "pm_card_visa"),
            ("on_behalf_of", id),
            ("statement_descriptor", "CORNER BAKERY"),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(
        (
            p["on_behalf_of"].as_str(),
            p["statement_descriptor"].as_str()
        ),
        (Some(id), Some("CORNER BAKERY"))
    );
    let (_, list) = send(app.get("/v1/accounts")).await;
    assert_eq!(list["data"][0]["id"], id);
    let (status, body) = send(app.post_form("/v1/accounts", &[])).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    let other = TestApp::spawn().await;
    let (status, body) =
        send(other.post_form("/v1/payments", &[("amount", "2000"), ("on_behalf_of", id)])).await;
    assert_error(
        status,
        &body,
        404,
        "invalid_request_error",
        "resource_missing",
    );
}

#[tokio::test]
async fn acquirer_connections_are_listed() {
    let app = TestApp::spawn().await;
    let (status, list) = send(app.get("/v1/acquirer_connections")).await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["acq_eu_1", "acq_sandbox", "acq_us_1"]);
}

#[tokio::test]
async fn merchants_add_their_own_acquirer_connections() {
    let app = TestApp::spawn().await;
    let (status, created) = send(app.post_form(
        "/v1/acquirer_connections",
        &[("id", "acq_uk_1"), ("name", "UK acquiring")],
    ))
    .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["object"], "acquirer_connection");
    assert_eq!(created["name"], "UK acquiring");
    assert_eq!(created["default"], false);
    let (_, list) = send(app.get("/v1/acquirer_connections")).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 4);

    let routed = [
        ("amount", "1500"),
        ("currency", "gbp"),
        ("payment_method", "pm_card_visa"),
        ("routing[preferred_acquirer]", "acq_uk_1"),
    ];
    let (status, payment) = send(app.post_form("/v1/payments", &routed)).await;
    assert_eq!(status, 200, "{payment}");
    assert_eq!(payment["status"], "succeeded");
    assert_eq!(payment["acquirer"], "acq_uk_1");

    // The same id again is refused; a bad id too.
    let (status, body) =
        send(app.post_form("/v1/acquirer_connections", &[("id", "acq_uk_1")])).await;
    assert_error(
        status,
        &body,
        409,
        "invalid_state",
        "resource_already_exists",
    );
    let (status, body) = send(app.post_form("/v1/acquirer_connections", &[("id", "UK")])).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    assert_eq!(body["error"]["param"], "id");
    // Stripe settings without kind=stripe are refused, not dropped into a sandbox connection
    // (whichever of them came, even none but an empty object).
    for stripe in [
        json!({"webhook_secret": "whsec_x", "api_base": null}),
        json!({}),
    ] {
        let (status, body) = send(app.post_json(
            "/v1/acquirer_connections",
            &json!({"id": "acq_mixed", "stripe": stripe, "default": true}),
        ))
        .await;
        assert_error(
            status,
            &body,
            400,
            "invalid_request_error",
            "parameter_invalid",
        );
        assert_eq!(body["error"]["param"], "stripe", "{body}");
    }
    let (_, list) = send(app.get("/v1/acquirer_connections")).await;
    assert!(!list.to_string().contains("acq_mixed"), "{list}");

    // Another merchant has the starting three only, and cannot route to ours.
    let other = app.other_merchant_key().await;
    let (_, theirs) = send(
        app.client
            .get(app.url("/v1/acquirer_connections"))
            .header("X-Api-Key", &other),
    )
    .await;
    assert_eq!(theirs["data"].as_array().unwrap().len(), 3);
    let (status, body) = send(
        app.client
            .post(app.url("/v1/payments"))
            .header("X-Api-Key", &other)
            .form(&routed),
    )
    .await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    assert_eq!(body["error"]["param"], "routing[preferred_acquirer]");
    // Live mode has its own set: none until the merchant adds a processor (it moves real
    // money; see processor.rs).
    let (_, live) = send(
        app.client
            .get(app.url("/v1/acquirer_connections"))
            .header("X-Api-Key", &app.sk_live),
    )
    .await;
    assert_eq!(live["data"].as_array().unwrap().len(), 0);
}
