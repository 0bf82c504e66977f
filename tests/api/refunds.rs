//! Refunds (§5) with their ledger postings (§10): partial and full, the fee returned pro rata,
//! before and after settlement, failures through the sandbox, and never more than received —
//! also when twenty refunds race. `ledger verify` after each scenario.

use crate::helpers::{TestApp, assert_error, assert_ledger_sound, send};
use serde_json::{Value, json};
use vinr::server::clock::Clock;

async fn paid(app: &TestApp, amount: &str, method: &str) -> String {
    let (status, body) = send(app.post_form(
        "/v1/payments",
        &[("amount", amount), ("payment_method", method)],
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    body["id"].as_str().unwrap().to_string()
}

async fn refund(app: &TestApp, payment: &str, form: &[(&str, &str)]) -> (u16, Value) {
    send(app.post_form(&format!("/v1/payments/{payment}/refunds"), form)).await
}

async fn payment(app: &TestApp, id: &str) -> Value {
    send(app.get(&format!("/v1/payments/{id}"))).await.1
}

async fn pending_and_available(app: &TestApp) -> (i64, i64) {
    let (_, b) = send(app.get("/v1/balance")).await;
    (
        b["pending"][0]["amount"].as_i64().unwrap_or(0),
        b["available"][0]["amount"].as_i64().unwrap_or(0),
    )
}

#[tokio::test]
async fn partial_then_full_refunds_move_status_balance_and_fee() {
    let app = TestApp::spawn().await;
    let id = paid(&app, "10000", "pm_card_visa").await;
    // Captured: 10000 − 165 fee.
    assert_eq!(pending_and_available(&app).await, (9_835, 0));

    let (status, first) = refund(
        &app,
        &id,
        &[("amount", "3000"), ("reason", "requested_by_customer")],
    )
    .await;
    assert_eq!(status, 200, "{first}");
    assert!(first["id"].as_str().unwrap().starts_with("re_"));
    assert_eq!(
        (
            first["status"].as_str(),
            first["amount"].as_i64(),
            first["payment"].as_str()
        ),
        (Some("succeeded"), Some(3000), Some(id.as_str()))
    );
    let p = payment(&app, &id).await;
    assert_eq!(
        (p["status"].as_str(), p["amount_refunded"].as_i64()),
        (Some("partially_refunded"), Some(3000))
    );
    // 3000 back to the card; 50 of the fee (165 × 30 %) comes back with it.
    assert_eq!(pending_and_available(&app).await, (9_835 - 2_950, 0));

    // The other path, the rest by default.
    let (status, rest) = send(app.post_form("/v1/refunds", &[("payment", &id)])).await;
    assert_eq!(status, 200, "{rest}");
    assert_eq!(rest["amount"], 7000);
    let p = payment(&app, &id).await;
    assert_eq!(
        (p["status"].as_str(), p["amount_refunded"].as_i64()),
        (Some("refunded"), Some(10_000))
    );
    assert_eq!(
        pending_and_available(&app).await,
        (0, 0),
        "a full refund undoes the capture"
    );

    // Nothing left: a refunded payment refuses more (409), and the list shows both refunds.
    let (status, body) = refund(&app, &id, &[("amount", "1")]).await;
    assert_error(
        status,
        &body,
        409,
        "invalid_state",
        "payment_unexpected_state",
    );
    let (_, list) = send(app.get(&format!("/v1/refunds?payment={id}"))).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    let (status, fetched) =
        send(app.get(&format!("/v1/refunds/{}", first["id"].as_str().unwrap()))).await;
    assert_eq!(
        (status, fetched["reason"].as_str()),
        (200, Some("requested_by_customer"))
    );
    let (_, events) = send(app.get("/v1/events?type=refund.succeeded")).await;
    assert_eq!(events["data"].as_array().unwrap().len(), 2);
    let (_, posted) = send(app.get(&format!("/v1/ledger/transactions?payment={id}"))).await;
    let kinds: Vec<&str> = posted["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["refund", "refund", "capture"]);
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn refunds_after_settlement_come_from_the_available_balance() {
    let (app, clock) = TestApp::spawn_manual_clock().await;
    let id = paid(&app, "2000", "pm_card_visa").await;
    clock.advance_secs(vinr::server::config::DEFAULT_SETTLEMENT_DELAY_SECS);
    vinr::server::services::ledger::settle_due_for(
        &app.state.store,
        clock.now(),
        Some(&app.account_id),
    )
    .await
    .unwrap();
    assert_eq!(pending_and_available(&app).await, (0, 1_947));
    let (status, _) = refund(&app, &id, &[("amount", "1000")]).await;
    assert_eq!(status, 200);
    // 1000 less the 27 of the 53 fee that comes back (26.5 rounds up).
    assert_eq!(pending_and_available(&app).await, (0, 1_947 - 973));
    assert_ledger_sound(&app).await;

    // Refunded before settlement: the settlement moves only what is left.
    let other = paid(&app, "2000", "pm_card_visa").await;
    refund(&app, &other, &[("amount", "500")]).await;
    clock.advance_secs(vinr::server::config::DEFAULT_SETTLEMENT_DELAY_SECS);
    vinr::server::services::ledger::settle_due_for(
        &app.state.store,
        clock.now(),
        Some(&app.account_id),
    )
    .await
    .unwrap();
    // 1947 − 487 (500 less 13 of fee) = 1460 more available.
    assert_eq!(pending_and_available(&app).await, (0, 974 + 1_460));
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn a_failed_refund_gives_the_amount_back() {
    let app = TestApp::spawn().await;
    let id = paid(&app, "1500", "pm_card_refundFail").await;
    let (status, failed) = refund(&app, &id, &[]).await;
    assert_eq!(status, 200, "{failed}");
    assert_eq!(failed["status"], "failed");
    assert!(
        failed["failure_reason"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );
    let p = payment(&app, &id).await;
    assert_eq!(
        (p["status"].as_str(), p["amount_refunded"].as_i64()),
        (Some("succeeded"), Some(0))
    );
    let (_, events) = send(app.get("/v1/events?type=refund.failed")).await;
    assert_eq!(events["data"].as_array().unwrap().len(), 1);
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn bad_refunds_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let id = paid(&app, "1000", "pm_card_visa").await;
    // More than the payment holds: its state refuses it.
    let (status, body) = refund(&app, &id, &[("amount", "1001")]).await;
    assert_error(status, &body, 409, "invalid_state", "amount_too_large");
    for (form, param) in [
        (vec![("amount", "0")], "amount"),
        (vec![("amount", "-5")], "amount"),
        (vec![("reason", "bored")], "reason"),
    ] {
        let (status, body) = refund(&app, &id, &form).await;
        assert_error(
            status,
            &body,
            400,
            "invalid_request_error",
            "parameter_invalid",
        );
        assert_eq!(body["error"]["param"], param, "{body}");
    }
    let (status, body) = send(app.post_form("/v1/refunds", &[("amount", "5")])).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_missing",
    );
    // Uncaptured, failed, or another merchant's payments.
    let (_, held) = send(app.post_form(
        "/v1/payments",
        &[
            ("amount", "500"),
            ("payment_method", "pm_card_visa"),
            ("capture_method", "manual"),
        ],
    ))
    .await;
    let (status, body) = refund(&app, held["id"].as_str().unwrap(), &[]).await;
    assert_error(
        status,
        &body,
        409,
        "invalid_state",
        "payment_unexpected_state",
    );
    let (_, declined) = send(app.post_form(
        "/v1/payments",
        &[
            ("amount", "500"),
            ("payment_method", "pm_card_chargeDeclined"),
        ],
    ))
    .await;
    let declined_id = declined["error"]["payment"]["id"].as_str().unwrap();
    let (status, body) = refund(&app, declined_id, &[]).await;
    assert_error(
        status,
        &body,
        409,
        "invalid_state",
        "payment_unexpected_state",
    );
    let other = app.other_merchant_key().await;
    let (status, body) = send(
        app.client
            .post(app.url(&format!("/v1/payments/{id}/refunds")))
            .header("X-Api-Key", other)
            .form(&[("amount", "1")]),
    )
    .await;
    assert_error(
        status,
        &body,
        404,
        "invalid_request_error",
        "resource_missing",
    );
    let p = payment(&app, &id).await;
    assert_eq!(
        (p["status"].as_str(), p["amount_refunded"].as_i64()),
        (Some("succeeded"), Some(0))
    );
    let (_, list) = send(app.get("/v1/refunds")).await;
    assert_eq!(list["data"], json!([]));
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn twenty_racing_refunds_never_exceed_what_was_received() {
    let app = TestApp::spawn().await;
    let id = paid(&app, "5000", "pm_card_visa").await;
    let attempts = (0..20).map(|_| {
        let req = app.post_form(&format!("/v1/payments/{id}/refunds"), &[("amount", "700")]);
        async move { send(req).await }
    });
    let results = futures_util::future::join_all(attempts).await;
    let ok = results.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(ok, 7, "5000 holds seven refunds of 700");
    for (status, body) in results.iter().filter(|(s, _)| *s != 200) {
        assert_error(*status, body, 409, "invalid_state", "amount_too_large");
    }
    let p = payment(&app, &id).await;
    assert_eq!(
        (p["status"].as_str(), p["amount_refunded"].as_i64()),
        (Some("partially_refunded"), Some(4900))
    );
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn a_receipt_shows_the_payment_card_and_refunds_and_has_a_public_page() {
    let app = TestApp::spawn().await;
    let id = paid(&app, "4999", "pm_card_visa").await;
    refund(&app, &id, &[("amount", "999")]).await;
    let (status, receipt) = send(app.get(&format!("/v1/payments/{id}/receipt"))).await;
    assert_eq!(status, 200, "{receipt}");
    assert_eq!(receipt["object"], "receipt");
    assert_eq!(receipt["merchant"]["name"], "Test Shop");
    assert_eq!(
        (
            receipt["amount"].as_i64(),
            receipt["amount_refunded"].as_i64()
        ),
        (Some(4999), Some(999))
    );
    assert_eq!(receipt["card"], json!({"brand": "visa", "last4": "4242"}));
    assert_eq!(receipt["refunds"][0]["amount"], 999);
    let url = receipt["url"].as_str().unwrap();
    assert!(url.ends_with(&format!("/receipts/{id}")), "{url}");

    // The page needs no key.
    let page = app
        .client
        .get(app.url(&format!("/receipts/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for text in ["Test Shop", "€49.99", "Visa •••• 4242", "−€9.99", "€40.00"] {
        assert!(html.contains(text), "{text} missing from the receipt page");
    }
    assert!(!html.contains("4242424242424242"));

    // No receipt for a payment that took no money, or an unknown one.
    let (_, waiting) = send(app.post_form("/v1/payments", &[("amount", "100")])).await;
    let waiting_id = waiting["id"].as_str().unwrap();
    let (status, body) = send(app.get(&format!("/v1/payments/{waiting_id}/receipt"))).await;
    assert_error(
        status,
        &body,
        409,
        "invalid_state",
        "payment_unexpected_state",
    );
    let gone = app
        .client
        .get(app.url(&format!("/receipts/{waiting_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
    let unknown = app
        .client
        .get(app.url("/receipts/pay_000000000000000000000000"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}
