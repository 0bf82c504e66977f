//! Renewals on a test clock, dunning, a first invoice that fails, and bad input.

use super::at;
use crate::helpers::{TestApp, assert_error, assert_ledger_sound, send};
use serde_json::json;

#[tokio::test]
async fn a_monthly_price_renews_at_month_ends_and_each_renewal_is_paid() {
    let app = TestApp::spawn().await;
    let start = at(2027, 1, 31, 10);
    let (clock, cust, _pm) = app.clock_customer(start, "4242424242424242").await;
    let price = app.monthly_price(2900).await;
    // The seed's body, as sent.
    let sub = app
        .ok(app.post_json(
            "/v1/subscriptions",
            &json!({"customerId": cust, "priceId": price}),
        ))
        .await;
    assert_eq!(sub["status"], "active", "{sub}");
    assert_eq!(sub["current_period_start"], start);
    assert_eq!(sub["current_period_end"], at(2027, 2, 28, 10));
    assert_eq!(sub["items"]["data"][0]["price"]["unit_amount"], 2900);
    // One event says it was created, already active (its first invoice paid at once).
    assert_eq!(app.event_count("subscription.created").await, 1);
    assert_eq!(app.event_count("subscription.updated").await, 0);
    let events = app
        .ok(app.get("/v1/events?type=subscription.created"))
        .await;
    assert_eq!(events["data"][0]["data"]["object"]["status"], "active");
    let sub_id = sub["id"].as_str().unwrap().to_string();
    let first = app
        .ok(app.get(&format!(
            "/v1/invoices/{}",
            sub["latest_invoice"].as_str().unwrap()
        )))
        .await;
    assert_eq!(
        (
            first["status"].as_str(),
            first["amount_paid"].as_i64(),
            first["billing_reason"].as_str()
        ),
        (Some("paid"), Some(2900), Some("subscription_create"))
    );
    let payment = app
        .ok(app.get(&format!(
            "/v1/payments/{}",
            first["payment"].as_str().unwrap()
        )))
        .await;
    assert_eq!(
        (payment["status"].as_str(), payment["invoice"].as_str()),
        (Some("succeeded"), first["id"].as_str())
    );
    assert_eq!(
        payment["created"], start,
        "the first charge lives at the clock's time too"
    );

    // The renewal is made at the period end, a draft for an hour, then charged.
    app.advance(&clock, at(2027, 2, 28, 10) + 1_800).await;
    let invoices = app.invoices_of(&sub_id).await;
    assert_eq!(invoices.len(), 2);
    assert_eq!(
        (
            invoices[0]["status"].as_str(),
            invoices[0]["amount_due"].as_i64()
        ),
        (Some("draft"), Some(2900))
    );
    app.advance(&clock, at(2027, 2, 28, 12)).await;
    let invoices = app.invoices_of(&sub_id).await;
    let renewal = &invoices[0];
    assert_eq!(renewal["status"], "paid", "{renewal}");
    assert_eq!(renewal["billing_reason"], "subscription_cycle");
    assert_eq!(
        (
            renewal["period_start"].as_i64(),
            renewal["period_end"].as_i64()
        ),
        (Some(at(2027, 2, 28, 10)), Some(at(2027, 3, 31, 10)))
    );
    assert_eq!(
        renewal["status_transitions"]["paid_at"],
        at(2027, 2, 28, 11),
        "finalized and paid after the draft hour"
    );
    assert_eq!(renewal["lines"]["data"][0]["amount"], 2900);
    let charge = app
        .ok(app.get(&format!(
            "/v1/payments/{}",
            renewal["payment"].as_str().unwrap()
        )))
        .await;
    assert_eq!(
        charge["created"],
        at(2027, 2, 28, 11),
        "the renewal's payment lives at the clock's time"
    );
    assert_eq!(renewal["lines"]["data"][0]["type"], "subscription");

    // Two more months in one advance: each renewal in time order.
    app.advance(&clock, at(2027, 5, 1, 0)).await;
    let invoices = app.invoices_of(&sub_id).await;
    assert_eq!(invoices.len(), 4);
    assert!(
        invoices
            .iter()
            .all(|i| i["status"] == "paid" && i["amount_paid"] == 2900)
    );
    let sub = app
        .ok(app.get(&format!("/v1/subscriptions/{sub_id}")))
        .await;
    assert_eq!(
        (sub["status"].as_str(), sub["current_period_end"].as_i64()),
        (Some("active"), Some(at(2027, 5, 31, 10)))
    );
    assert_eq!(app.event_count("invoice.paid").await, 4);
    assert_eq!(app.event_count("invoice.upcoming").await, 3);
    assert_ledger_sound(&app).await;

    let upcoming = app
        .ok(app.get(&format!("/v1/invoices/upcoming?subscription={sub_id}")))
        .await;
    assert_eq!(
        (
            upcoming["amount_due"].as_i64(),
            upcoming["period_start"].as_i64()
        ),
        (Some(2900), Some(at(2027, 5, 31, 10)))
    );
}

#[tokio::test]
async fn a_failing_card_is_retried_after_3_5_and_7_days_then_the_subscription_is_canceled() {
    let app = TestApp::spawn().await;
    let start = at(2027, 3, 1, 9);
    let (clock, cust, _) = app.clock_customer(start, "4242424242424242").await;
    let price = app.monthly_price(1000).await;
    let sub = app
        .ok(app.post_form(
            "/v1/subscriptions",
            &[("customer", &cust), ("items[0][price]", &price)],
        ))
        .await;
    let sub_id = sub["id"].as_str().unwrap().to_string();
    let declining = app.attach_card(&cust, "4000000000000002").await;
    app.ok(app.post_form(
        &format!("/v1/subscriptions/{sub_id}"),
        &[("default_payment_method", &declining)],
    ))
    .await;

    let finalized = at(2027, 4, 1, 10);
    app.advance(&clock, finalized).await;
    let renewal = app.invoices_of(&sub_id).await[0].clone();
    assert_eq!(
        (
            renewal["status"].as_str(),
            renewal["attempt_count"].as_i64()
        ),
        (Some("open"), Some(1)),
        "{renewal}"
    );
    assert_eq!(renewal["next_payment_attempt"], finalized + 3 * 86_400);
    let sub = app
        .ok(app.get(&format!("/v1/subscriptions/{sub_id}")))
        .await;
    assert_eq!(sub["status"], "past_due");

    app.advance(&clock, finalized + 3 * 86_400).await;
    let renewal = app.invoices_of(&sub_id).await[0].clone();
    assert_eq!(
        (
            renewal["attempt_count"].as_i64(),
            renewal["next_payment_attempt"].as_i64()
        ),
        (Some(2), Some(finalized + 8 * 86_400))
    );
    app.advance(&clock, finalized + 15 * 86_400).await;
    let renewal = app.invoices_of(&sub_id).await[0].clone();
    assert_eq!(
        (
            renewal["status"].as_str(),
            renewal["attempt_count"].as_i64()
        ),
        (Some("uncollectible"), Some(4)),
        "{renewal}"
    );
    assert_eq!(
        renewal["status_transitions"]["marked_uncollectible_at"],
        finalized + 15 * 86_400
    );
    let sub = app
        .ok(app.get(&format!("/v1/subscriptions/{sub_id}")))
        .await;
    assert_eq!(
        (sub["status"].as_str(), sub["ended_at"].as_i64()),
        (Some("canceled"), Some(finalized + 15 * 86_400))
    );
    assert_eq!(app.event_count("invoice.payment_failed").await, 4);
    assert_eq!(app.event_count("subscription.deleted").await, 1);
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn error_if_incomplete_creates_nothing_and_allow_incomplete_expires() {
    let app = TestApp::spawn().await;
    let start = at(2027, 6, 1, 0);
    let (clock, cust, _) = app.clock_customer(start, "4000000000000002").await;
    let price = app.monthly_price(500).await;
    let (status, body) = send(app.post_form(
        "/v1/subscriptions",
        &[
            ("customer", &cust),
            ("price", &price),
            ("payment_behavior", "error_if_incomplete"),
        ],
    ))
    .await;
    assert_error(status, &body, 402, "card_error", "card_declined");
    let list = app
        .ok(app.get(&format!("/v1/subscriptions?customer={cust}")))
        .await;
    assert_eq!(
        list["data"].as_array().unwrap().len(),
        0,
        "nothing was created"
    );

    let sub = app
        .ok(app.post_form(
            "/v1/subscriptions",
            &[("customer", &cust), ("price", &price)],
        ))
        .await;
    assert_eq!(sub["status"], "incomplete");
    app.advance(&clock, start + 23 * 3_600).await;
    let sub = app
        .ok(app.get(&format!(
            "/v1/subscriptions/{}",
            sub["id"].as_str().unwrap()
        )))
        .await;
    assert_eq!(sub["status"], "incomplete_expired");
    let invoice = app
        .ok(app.get(&format!(
            "/v1/invoices/{}",
            sub["latest_invoice"].as_str().unwrap()
        )))
        .await;
    assert_eq!(invoice["status"], "void");
}

#[tokio::test]
async fn bad_billing_input_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let start = at(2027, 1, 1, 0);
    let (clock, cust, _) = app.clock_customer(start, "4242424242424242").await;
    let price = app.monthly_price(700).await;
    let (status, body) = send(app.post_form(
        "/v1/subscriptions",
        &[("customer", &cust), ("price", "price_nope")],
    ))
    .await;
    assert_error(
        status,
        &body,
        404,
        "invalid_request_error",
        "resource_missing",
    );
    let (status, body) = send(app.post_form(
        "/v1/subscriptions",
        &[("customer", "cust_nope"), ("price", &price)],
    ))
    .await;
    assert_error(
        status,
        &body,
        404,
        "invalid_request_error",
        "resource_missing",
    );
    let (status, body) = send(app.post_form(
        "/v1/subscriptions",
        &[("customer", &cust), ("price", &price), ("quantity", "0")],
    ))
    .await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    let usd = app.ok(app.post_json("/v1/prices", &json!({"product": "prod_starter", "unit_amount": 100, "currency": "USD", "recurring": {"interval": "month"}}))).await;
    let (status, body) = send(app.post_form(
        "/v1/subscriptions",
        &[
            ("customer", &cust),
            ("items[0][price]", &price),
            ("items[1][price]", usd["id"].as_str().unwrap()),
        ],
    ))
    .await;
    assert_error(
        status,
        &body,
        409,
        "invalid_state",
        "price_currency_mismatch",
    );
    let sub = app
        .ok(app.post_form(
            "/v1/subscriptions",
            &[("customer", &cust), ("price", &price)],
        ))
        .await;
    let item = sub["items"]["data"][0]["id"].as_str().unwrap();
    let (status, body) = send(app.post_form(
        "/v1/usage_records",
        &[("subscription_item", item), ("quantity", "3")],
    ))
    .await;
    assert_error(status, &body, 409, "invalid_state", "price_not_metered");
    let (status, body) = send(app.post_json(
        &format!("/v1/test_clocks/{clock}/advance"),
        &json!({"frozen_time": start - 1}),
    ))
    .await;
    assert_error(
        status,
        &body,
        409,
        "invalid_state",
        "test_clock_not_forward",
    );
    let (status, body) =
        send(app.post_form(&format!("/v1/prices/{price}"), &[("unit_amount", "1")])).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    let live = app
        .client
        .post(app.url("/v1/test_clocks"))
        .header("X-Api-Key", &app.sk_live)
        .form(&[("frozen_time", "1")]);
    let (status, body) = send(live).await;
    assert_error(status, &body, 403, "permission_error", "permission_denied");
    let list = app
        .ok(app.get(&format!("/v1/subscriptions?customer={cust}")))
        .await;
    assert_eq!(
        list["data"].as_array().unwrap().len(),
        1,
        "only the good subscription exists"
    );
}

#[tokio::test]
async fn a_backlog_on_the_wall_clock_drains_in_one_worker_turn() {
    use vinr::server::services::billing::engine;
    let (app, clock) = TestApp::spawn_manual_clock().await;
    let cust = app.create_customer("backlog@example.com").await;
    let cust = cust["id"].as_str().unwrap().to_string();
    let pm = app.attach_card(&cust, "4242424242424242").await;
    app.ok(app.post_form(
        &format!("/v1/customers/{cust}"),
        &[("default_payment_method", &pm)],
    ))
    .await;
    let price = app.monthly_price(600).await;
    let mut subs = Vec::new();
    for _ in 0..7 {
        subs.push(
            app.subscribe(&cust, &price).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    // The instance was away past the period end: notices and renewals are all due, more
    // than a batch of 3 holds.
    clock.advance_secs(32 * 86_400);
    let deps = app.state.payment_deps();
    // The test database may be shared (Postgres): only this test's account is its to run.
    let mine = engine::Scope::Account(&app.account_id);
    let ran = engine::drain_wall(&deps, 3, mine).await.unwrap();
    assert_eq!(ran, 14, "7 notices and 7 period ends in one turn");
    clock.advance_secs(2 * 3_600);
    assert_eq!(
        engine::drain_wall(&deps, 3, mine).await.unwrap(),
        7,
        "7 drafts charged"
    );
    for sub in &subs {
        let invoices = app.invoices_of(sub).await;
        assert_eq!(invoices.len(), 2);
        assert_eq!(invoices[0]["status"], "paid", "{}", invoices[0]);
    }
    assert_eq!(app.event_count("invoice.upcoming").await, 7);
    assert_eq!(
        engine::drain_wall(&deps, 3, mine).await.unwrap(),
        0,
        "nothing left"
    );
    assert_ledger_sound(&app).await;
}
