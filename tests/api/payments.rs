//! `/v1/payments` and `/v1/events`: the seed's requests as written, every transition of the
//! contract, and the bad inputs that must change nothing.

use crate::helpers::{TestApp, assert_error, send};
use serde_json::{Value, json};

impl TestApp {
    async fn pay(&self, form: &[(&str, &str)]) -> (u16, Value) {
        send(self.post_form("/v1/payments", form)).await
    }

    async fn events_of(&self, id: &str) -> Vec<String> {
        let (_, list) = send(self.get(&format!("/v1/events?object={id}&limit=100"))).await;
        let mut kinds: Vec<String> = list["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_string())
            .collect();
        kinds.reverse(); // oldest first
        kinds
    }

    async fn manual_auth(&self, pm: &str, amount: &str) -> String {
        let (status, p) = self
            .pay(&[
                ("amount", amount),
                ("currency", "EUR"),
                ("payment_method", pm),
                ("capture_method", "manual"),
            ])
            .await;
        assert_eq!(
            (status, p["status"].as_str()),
            (200, Some("requires_capture")),
            "{p}"
        );
        p["id"].as_str().unwrap().to_string()
    }
}

#[tokio::test]
async fn seed_create_retrieve_and_list() {
    let app = TestApp::spawn().await;
    let customer = app.create_customer("jenny@example.com").await;
    let cust = customer["id"].as_str().unwrap();
    // curl -X POST …/v1/payments -d amount=5000 -d currency=EUR -d payment_method=pm_card_visa -d customer=…
    let (status, p) = app
        .pay(&[
            ("amount", "5000"),
            ("currency", "EUR"),
            ("payment_method", "pm_card_visa"),
            ("customer", cust),
        ])
        .await;
    assert_eq!(status, 200, "{p}");
    let id = p["id"].as_str().unwrap();
    assert!(id.starts_with("pay_"));
    assert_eq!(
        (
            p["amount"].as_i64(),
            p["currency"].as_str(),
            p["status"].as_str()
        ),
        (Some(5000), Some("EUR"), Some("succeeded"))
    );
    assert_eq!(p["customer"], cust);
    assert_eq!(p["amount_received"], 5000);
    assert!(p["latest_charge"].as_str().unwrap().starts_with("ch_"));
    assert!(p["payment_method"].as_str().unwrap().starts_with("pm_"));
    assert_eq!(p["acquirer"], "acq_sandbox");
    assert!(
        p.get("client_secret").is_none(),
        "no client secret once paid"
    );
    assert_eq!(
        app.events_of(id).await,
        ["payment.created", "payment.succeeded", "payment.completed"]
    );

    // curl …/v1/payments/pay_… ; with the charge expanded: brand and last4, never the number.
    let (status, got) = send(app.get(&format!(
        "/v1/payments/{id}?expand[]=latest_charge&expand[]=customer"
    )))
    .await;
    assert_eq!(status, 200);
    let card = &got["latest_charge"]["payment_method_details"]["card"];
    assert_eq!(
        (card["brand"].as_str(), card["last4"].as_str()),
        (Some("visa"), Some("4242"))
    );
    assert_eq!(got["latest_charge"]["amount_captured"], 5000);
    assert_eq!(got["customer"]["email"], "jenny@example.com");
    assert!(!got.to_string().contains("4242424242424242"));

    // curl "…/v1/payments?limit=10&customer=cust_…"
    app.pay(&[("amount", "100"), ("payment_method", "pm_card_visa")])
        .await;
    let (status, list) = send(app.get(&format!("/v1/payments?limit=10&customer={cust}"))).await;
    assert_eq!(status, 200);
    assert_eq!(list["object"], "list");
    assert_eq!(list["has_more"], false);
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["id"], id);
    let (_, by_status) = send(app.get("/v1/payments?status=succeeded")).await;
    assert_eq!(by_status["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_guides_json_with_camel_case_and_idempotency() {
    let app = TestApp::spawn().await;
    let body = json!({"amount": 4999, "currency": "EUR", "description": "Order 1234",
                      "returnUrl": "https://yoursite.com/orders/1234/complete", "metadata": {"orderId": "1234"}});
    let (status, p) = send(
        app.post_json("/v1/payments", &body)
            .header("Idempotency-Key", "order-1234"),
    )
    .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["status"], "requires_payment_method");
    assert_eq!(p["return_url"], "https://yoursite.com/orders/1234/complete");
    assert_eq!(p["metadata"], json!({"orderId": "1234"}));
    let id = p["id"].as_str().unwrap();
    assert!(
        p["checkout_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/checkout/{id}"))
    );
    assert!(
        p["client_secret"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{id}_secret_"))
    );
    assert_eq!(p["currency"], "EUR");
    let (_, again) = send(
        app.post_json("/v1/payments", &body)
            .header("Idempotency-Key", "order-1234"),
    )
    .await;
    assert_eq!(again["id"], id, "a retry reuses the payment");
    // OI's names: amountMinor and customerReference, lower-case currency.
    let oi = json!({"amountMinor": 10000, "currency": "bdt", "customerReference": "cust_123",
                    "customerEmail": "jenny@example.com", "productName": "Pro plan"});
    let (status, p) = send(app.post_json("/v1/payments", &oi)).await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(
        (p["amount"].as_i64(), p["currency"].as_str()),
        (Some(10000), Some("BDT"))
    );
    let (_, found) = send(app.get("/v1/payments?customer_reference=cust_123")).await;
    assert_eq!(found["data"][0]["id"], p["id"]);
}

#[tokio::test]
async fn manual_capture_partial_and_routing() {
    let app = TestApp::spawn().await;
    let (status, p) = app
        .pay(&[
            ("amount", "5000"),
            ("currency", "EUR"),
            ("payment_method", "pm_card_visa"),
            ("capture_method", "manual"),
            ("routing[preferred_acquirer]", "acq_eu_1"),
        ])
        .await;
    assert_eq!(
        (status, p["status"].as_str(), p["acquirer"].as_str()),
        (200, Some("requires_capture"), Some("acq_eu_1"))
    );
    assert_eq!(p["amount_capturable"], 5000);
    let id = p["id"].as_str().unwrap();
    let (status, c) = send(app.post_json(
        &format!("/v1/payments/{id}/capture"),
        &json!({"amount_to_capture": 3000}),
    ))
    .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(
        (
            c["status"].as_str(),
            c["amount_received"].as_i64(),
            c["amount_capturable"].as_i64()
        ),
        (Some("succeeded"), Some(3000), Some(0))
    );
    let (status, body) = send(app.post_form(&format!("/v1/payments/{id}/capture"), &[])).await;
    assert_error(
        status,
        &body,
        409,
        "invalid_state",
        "payment_unexpected_state",
    );
    assert_eq!(
        app.events_of(id).await,
        [
            "payment.created",
            "payment.captured",
            "payment.succeeded",
            "payment.completed"
        ]
    );
    let (status, body) = app
        .pay(&[
            ("amount", "5000"),
            ("payment_method", "pm_card_visa"),
            ("routing[preferred_acquirer]", "acq_nowhere"),
        ])
        .await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    assert_eq!(body["error"]["param"], "routing[preferred_acquirer]");
}

#[tokio::test]
async fn capture_amounts_are_checked() {
    let app = TestApp::spawn().await;
    let id = app.manual_auth("pm_card_visa", "5000").await;
    // Below 1 the request itself is wrong (400); above what is held, the payment refuses (409).
    for (amount, status_wanted, kind, code) in [
        ("0", 400, "invalid_request_error", "parameter_invalid"),
        ("-1", 400, "invalid_request_error", "parameter_invalid"),
        ("5001", 409, "invalid_state", "amount_too_large"),
    ] {
        let (status, body) = send(app.post_form(
            &format!("/v1/payments/{id}/capture"),
            &[("amount_to_capture", amount)],
        ))
        .await;
        assert_error(status, &body, status_wanted, kind, code);
    }
    let (_, still) = send(app.get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(still["status"], "requires_capture");
}

#[tokio::test]
async fn adjust_up_and_down_and_declined_increase() {
    let app = TestApp::spawn().await;
    let id = app.manual_auth("pm_card_visa", "5000").await;
    let (status, p) = app.pay_adjust(&id, "6500").await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(
        (p["amount"].as_i64(), p["amount_capturable"].as_i64()),
        (Some(6500), Some(6500))
    );
    assert_eq!(p["adjustment"]["previous_amount"], 5000);
    assert!(p["adjustment"]["adjusted_at"].as_i64().is_some());
    let (status, p) = app.pay_adjust(&id, "4000").await;
    assert_eq!((status, p["amount"].as_i64()), (200, Some(4000)));
    let (status, body) = app.pay_adjust(&id, "4000").await;
    assert_error(status, &body, 409, "invalid_state", "amount_unchanged");

    let poor = app.manual_auth("pm_card_insufficientFunds", "5000").await;
    let (status, body) = app.pay_adjust(&poor, "6500").await;
    assert_error(status, &body, 402, "card_error", "card_declined");
    assert_eq!(body["error"]["decline_code"], "insufficient_funds");
    assert_eq!(body["error"]["payment"]["amount"], 5000);
    let (_, unchanged) = send(app.get(&format!("/v1/payments/{poor}"))).await;
    assert_eq!(unchanged["amount"], 5000);
    assert_eq!(
        app.pay_adjust(&poor, "3000").await.0,
        200,
        "a decrease is fine"
    );
}

impl TestApp {
    async fn pay_adjust(&self, id: &str, amount: &str) -> (u16, Value) {
        send(self.post_form(&format!("/v1/payments/{id}/adjust"), &[("amount", amount)])).await
    }
}

#[tokio::test]
async fn reverse_full_and_partial() {
    let app = TestApp::spawn().await;
    let id = app.manual_auth("pm_card_visa", "5000").await;
    let (status, p) =
        send(app.post_form(&format!("/v1/payments/{id}/reverse"), &[("amount", "2000")])).await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(
        (p["status"].as_str(), p["amount_capturable"].as_i64()),
        (Some("requires_capture"), Some(3000))
    );
    let (status, p) = send(app.post_form(&format!("/v1/payments/{id}/reverse"), &[])).await;
    assert_eq!((status, p["status"].as_str()), (200, Some("canceled")));
    assert!(p["reversal"]["id"].as_str().unwrap().starts_with("rev_"));
    assert!(p["reversal"]["reversed_at"].as_i64().is_some());
    assert_eq!(
        app.events_of(&id).await,
        [
            "payment.created",
            "payment.reversed",
            "payment.reversed",
            "payment.canceled"
        ]
    );
    let (status, body) = send(app.post_form(&format!("/v1/payments/{id}/reverse"), &[])).await;
    assert_error(
        status,
        &body,
        409,
        "invalid_state",
        "payment_unexpected_state",
    );
}

#[tokio::test]
async fn cancel_before_capture_only() {
    let app = TestApp::spawn().await;
    let (_, open) = app.pay(&[("amount", "1000")]).await;
    let id = open["id"].as_str().unwrap();
    let (status, p) = send(app.post_form(
        &format!("/v1/payments/{id}/cancel"),
        &[("cancellation_reason", "requested_by_customer")],
    ))
    .await;
    assert_eq!(
        (
            status,
            p["status"].as_str(),
            p["cancellation_reason"].as_str()
        ),
        (200, Some("canceled"), Some("requested_by_customer"))
    );
    assert!(p.get("checkout_url").is_none_or(Value::is_null));
    let (status, body) = send(app.post_form(&format!("/v1/payments/{id}/cancel"), &[])).await;
    assert_error(
        status,
        &body,
        409,
        "invalid_state",
        "payment_unexpected_state",
    );
    let (_, paid) = app
        .pay(&[("amount", "1000"), ("payment_method", "pm_card_visa")])
        .await;
    let (status, body) = send(app.post_form(
        &format!("/v1/payments/{}/cancel", paid["id"].as_str().unwrap()),
        &[],
    ))
    .await;
    assert_error(
        status,
        &body,
        409,
        "invalid_state",
        "payment_unexpected_state",
    );
    let (status, body) = send(app.post_form(
        &format!("/v1/payments/{id}/cancel"),
        &[("cancellation_reason", "bored")],
    ))
    .await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
}

#[tokio::test]
async fn declines_are_402_with_the_failed_payment() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .pay(&[
            ("amount", "5000"),
            ("payment_method", "pm_card_chargeDeclined"),
        ])
        .await;
    assert_error(status, &body, 402, "card_error", "card_declined");
    assert_eq!(body["error"]["decline_code"], "generic_decline");
    let payment = &body["error"]["payment"];
    assert_eq!(payment["status"], "failed");
    assert_eq!(
        payment["last_payment_error"]["decline_code"],
        "generic_decline"
    );
    let id = payment["id"].as_str().unwrap();
    assert_eq!(
        app.events_of(id).await,
        ["payment.created", "payment.failed"]
    );
    let (_, charge) = send(app.get(&format!("/v1/payments/{id}?expand[]=latest_charge"))).await;
    assert_eq!(charge["latest_charge"]["status"], "failed");
    let (status, body) = app
        .pay(&[
            ("amount", "5000"),
            ("payment_method", "pm_card_insufficientFunds"),
        ])
        .await;
    assert_error(status, &body, 402, "card_error", "card_declined");
    assert_eq!(body["error"]["decline_code"], "insufficient_funds");
}

#[tokio::test]
async fn three_d_secure_then_confirm_with_details() {
    let app = TestApp::spawn().await;
    let (status, p) = app
        .pay(&[
            ("amount", "5000"),
            ("payment_method", "pm_card_threeDSecure2Required"),
            ("return_url", "https://shop.example/back"),
        ])
        .await;
    assert_eq!(
        (status, p["status"].as_str()),
        (200, Some("requires_action")),
        "{p}"
    );
    assert_eq!(p["next_action"]["type"], "redirect_to_url");
    assert_eq!(
        p["next_action"]["redirect_to_url"]["return_url"],
        "https://shop.example/back"
    );
    assert!(
        p["next_action"]["redirect_to_url"]["url"]
            .as_str()
            .unwrap()
            .contains(p["id"].as_str().unwrap())
    );
    let id = p["id"].as_str().unwrap();
    let (status, body) = send(app.post_form(&format!("/v1/payments/{id}/confirm"), &[])).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    let (status, done) = send(app.post_form(
        &format!("/v1/payments/{id}/confirm"),
        &[("details[challenge]", "completed")],
    ))
    .await;
    assert_eq!(
        (status, done["status"].as_str()),
        (200, Some("succeeded")),
        "{done}"
    );
    assert!(done["next_action"].is_null());
    assert_eq!(
        app.events_of(id).await,
        [
            "payment.created",
            "payment.requires_action",
            "payment.succeeded",
            "payment.completed"
        ]
    );
    // A failed challenge declines.
    let (_, p) = app
        .pay(&[
            ("amount", "5000"),
            ("payment_method", "pm_card_threeDSecure2Required"),
        ])
        .await;
    let id = p["id"].as_str().unwrap();
    let (status, body) = send(app.post_form(
        &format!("/v1/payments/{id}/confirm"),
        &[("details[challenge]", "failed")],
    ))
    .await;
    assert_error(status, &body, 402, "card_error", "card_declined");
    assert_eq!(body["error"]["payment"]["status"], "failed");
}

#[tokio::test]
async fn confirm_a_payment_created_without_a_method() {
    let app = TestApp::spawn().await;
    let (_, p) = app
        .pay(&[("amount", "2500"), ("capture_method", "manual")])
        .await;
    let id = p["id"].as_str().unwrap();
    let (status, body) = send(app.post_form(&format!("/v1/payments/{id}/capture"), &[])).await;
    assert_error(
        status,
        &body,
        409,
        "invalid_state",
        "payment_unexpected_state",
    );
    let (status, done) = send(app.post_form(
        &format!("/v1/payments/{id}/confirm"),
        &[("payment_method", "pm_card_mastercard")],
    ))
    .await;
    assert_eq!(
        (status, done["status"].as_str()),
        (200, Some("requires_capture")),
        "{done}"
    );
    let (status, body) = send(app.post_form(
        &format!("/v1/payments/{id}/confirm"),
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
async fn bad_inputs_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    // (form, expected code, expected param)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: [Case; 10] = [
        (&[("amount", "0")], "amount_too_small", "amount"),
        (&[("amount", "-5")], "amount_too_small", "amount"),
        (&[("amount", "100000000")], "amount_too_large", "amount"),
        (&[("amount", "12.5")], "parameter_invalid", "amount"),
        (
            &[("amount", "100"), ("currency", "XYZ")],
            "parameter_invalid",
            "currency",
        ),
        (
            &[("amount", "100"), ("capture_method", "later")],
            "parameter_invalid",
            "capture_method",
        ),
        (
            &[("amount", "100"), ("return_url", "javascript:alert(1)")],
            "parameter_invalid",
            "return_url",
        ),
        (
            &[("amount", "100"), ("payment_method", "pm_nope")],
            "resource_missing",
            "payment_method",
        ),
        (
            &[("amount", "100"), ("customer", "cust_nope")],
            "resource_missing",
            "customer",
        ),
        (
            &[("amount", "100"), ("confirm", "true")],
            "parameter_invalid",
            "payment_method",
        ),
    ];
    for (form, code, param) in cases {
        let (status, body) = app.pay(form).await;
        // An object a parameter names that does not exist is a 404 (§3), the rest 400.
        let want = if code == "resource_missing" { 404 } else { 400 };
        assert_error(status, &body, want, "invalid_request_error", code);
        assert_eq!(body["error"]["param"], param, "{form:?}: {body}");
    }
    let (status, body) = app.pay(&[]).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_missing",
    );
    let long = "v".repeat(501);
    let (status, body) = app.pay(&[("amount", "100"), ("metadata[k]", &long)]).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    let (status, body) = app
        .pay(&[
            ("amount", "100"),
            ("statement_descriptor", "A VERY LONG DESCRIPTOR X"),
        ])
        .await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    let (status, body) = app
        .pay(&[("amount", "100"), ("on_behalf_of", "acct_nope")])
        .await;
    assert_error(
        status,
        &body,
        404,
        "invalid_request_error",
        "resource_missing",
    );
    let (_, list) = send(app.get("/v1/payments")).await;
    assert_eq!(
        list["data"].as_array().unwrap().len(),
        0,
        "a refused request created a payment"
    );
    let (_, events) = send(app.get("/v1/events")).await;
    assert_eq!(
        events["data"].as_array().unwrap().len(),
        0,
        "a refused request emitted an event"
    );
}

#[tokio::test]
async fn other_merchants_and_modes_see_404() {
    let app = TestApp::spawn().await;
    let other = TestApp::spawn().await;
    let id = app.manual_auth("pm_card_visa", "5000").await;
    for path in [
        format!("/v1/payments/{id}"),
        "/v1/payments/pay_nope".to_string(),
    ] {
        let (status, body) = send(other.get(&path)).await;
        assert_error(
            status,
            &body,
            404,
            "invalid_request_error",
            "resource_missing",
        );
    }
    let (status, body) = send(other.post_form(&format!("/v1/payments/{id}/capture"), &[])).await;
    assert_error(
        status,
        &body,
        404,
        "invalid_request_error",
        "resource_missing",
    );
    let live = app
        .client
        .get(app.url(&format!("/v1/payments/{id}")))
        .header("X-Api-Key", &app.sk_live);
    assert_eq!(send(live).await.0, 404);
    let live_token = app
        .client
        .post(app.url("/v1/payments"))
        .header("X-Api-Key", &app.sk_live)
        .form(&[("amount", "100"), ("payment_method", "pm_card_visa")]);
    let (status, body) = send(live_token).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    let (_, still) = send(app.get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(still["status"], "requires_capture");
}

#[tokio::test]
async fn fifty_concurrent_captures_capture_once() {
    let app = TestApp::spawn().await;
    let id = app.manual_auth("pm_card_visa", "5000").await;
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let req = app.post_form(&format!("/v1/payments/{id}/capture"), &[]);
        tasks.push(tokio::spawn(async move { send(req).await }));
    }
    let (mut ok, mut conflicts) = (0, 0);
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            200 => ok += 1,
            409 => {
                assert_eq!(body["error"]["code"], "payment_unexpected_state", "{body}");
                conflicts += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((ok, conflicts), (1, 49));
    let captured = app
        .events_of(&id)
        .await
        .iter()
        .filter(|k| *k == "payment.captured")
        .count();
    assert_eq!(captured, 1);
}

#[tokio::test]
async fn events_are_listed_and_retrieved() {
    let app = TestApp::spawn().await;
    let (_, p) = app
        .pay(&[("amount", "700"), ("payment_method", "pm_card_visa")])
        .await;
    let (status, list) = send(app.get("/v1/events?type=payment.succeeded")).await;
    assert_eq!(status, 200);
    let event = &list["data"][0];
    assert_eq!(event["object"], "event");
    assert!(event["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(event["data"]["object"]["id"], p["id"]);
    assert_eq!(event["data"]["object"]["status"], "succeeded");
    assert!(
        event["data"]["object"].get("client_secret").is_none(),
        "events never carry secrets"
    );
    let (status, one) =
        send(app.get(&format!("/v1/events/{}", event["id"].as_str().unwrap()))).await;
    assert_eq!((status, &one), (200, event));
    let (status, body) = send(app.get("/v1/events/evt_nope")).await;
    assert_error(
        status,
        &body,
        404,
        "invalid_request_error",
        "resource_missing",
    );
}

#[tokio::test]
async fn a_declined_request_replays_its_402_instead_of_trying_again() {
    let app = TestApp::spawn().await;
    let form = [
        ("amount", "5000"),
        ("payment_method", "pm_card_chargeDeclined"),
    ];
    let first = crate::helpers::send_raw(
        app.post_form("/v1/payments", &form)
            .header("Idempotency-Key", "declined-1"),
    )
    .await;
    assert_eq!(first.status(), 402);
    let first: Value = first.json().await.unwrap();
    let again = crate::helpers::send_raw(
        app.post_form("/v1/payments", &form)
            .header("Idempotency-Key", "declined-1"),
    )
    .await;
    assert_eq!(again.status(), 402);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(first, again);
    let (_, list) = send(app.get("/v1/payments")).await;
    assert_eq!(
        list["data"].as_array().unwrap().len(),
        1,
        "the decline was not retried"
    );
}
