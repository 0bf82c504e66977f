//! Changing a plan mid-period under each proration behaviour (amounts to the unit, rounding
//! included), a trial, and cancelling at the period end.

use super::at;
use crate::helpers::{TestApp, assert_error, assert_ledger_sound, send};
use serde_json::{Value, json};

impl TestApp {
    /// A second monthly price of the starter product.
    async fn other_price(&self, amount: i64) -> String {
        let price = self
            .ok(self.post_json(
                "/v1/prices",
                &json!({"product": "prod_starter", "unit_amount": amount, "currency": "EUR", "recurring": {"interval": "month"}}),
            ))
            .await;
        price["id"].as_str().unwrap().to_string()
    }

    /// Moves the subscription's one item to `price` with `behavior`.
    async fn switch(&self, sub: &Value, price: &str, behavior: &str) -> Value {
        let item = sub["items"]["data"][0]["id"].as_str().unwrap();
        self.ok(self.post_form(
            &format!("/v1/subscriptions/{}", sub["id"].as_str().unwrap()),
            &[
                ("items[0][id]", item),
                ("items[0][price]", price),
                ("proration_behavior", behavior),
            ],
        ))
        .await
    }

    async fn upcoming(&self, sub: &str) -> Value {
        self.get_ok(&format!("/v1/invoices/upcoming?subscription={sub}"))
            .await
    }
}

fn amounts(invoice: &Value) -> Vec<(String, i64)> {
    invoice["lines"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["type"].as_str().unwrap().to_string(),
                l["amount"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn line(kind: &str, amount: i64) -> (String, i64) {
    (kind.to_string(), amount)
}

/// January has 31 days; at 12:00 on the 16th exactly half of it remains, so 999 and 2999 a
/// month prorate to 499.5 and 1499.5: each line rounds half away from zero.
const HALF_WAY: (i32, u32, u32, i64) = (2027, 1, 16, 12);

#[tokio::test]
async fn an_upgrade_with_create_prorations_waits_for_the_next_invoice() {
    let app = TestApp::spawn().await;
    let start = at(2027, 1, 1, 0);
    let (clock, cust, _) = app.clock_customer(start, "4242424242424242").await;
    let cheap = app.monthly_price(999).await;
    let dear = app.other_price(2999).await;
    let sub = app.subscribe(&cust, &cheap).await;
    let sub_id = sub["id"].as_str().unwrap().to_string();
    let (y, m, d, h) = HALF_WAY;
    app.advance(&clock, at(y, m, d, h)).await;

    let changed = app.switch(&sub, &dear, "create_prorations").await;
    assert_eq!(changed["items"]["data"][0]["price"]["id"], dear.as_str());
    assert_eq!(app.invoices_of(&sub_id).await.len(), 1, "no invoice now");
    let upcoming = app.upcoming(&sub_id).await;
    assert_eq!(
        amounts(&upcoming),
        vec![
            line("proration", -500),
            line("proration", 1500),
            line("subscription", 2999)
        ]
    );
    assert_eq!(upcoming["amount_due"], 3999);

    app.advance(&clock, at(2027, 2, 1, 2)).await;
    let renewal = app.invoices_of(&sub_id).await[0].clone();
    assert_eq!(renewal["status"], "paid", "{renewal}");
    assert_eq!(
        amounts(&renewal),
        amounts(&upcoming),
        "the preview was the invoice"
    );
    assert_eq!(renewal["amount_paid"], 3999);
    assert_eq!(
        app.upcoming(&sub_id).await["amount_due"],
        2999,
        "prorations are billed once"
    );
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn an_upgrade_with_always_invoice_is_charged_at_once() {
    let app = TestApp::spawn().await;
    let start = at(2027, 1, 1, 0);
    let (clock, cust, _) = app.clock_customer(start, "4242424242424242").await;
    let cheap = app.monthly_price(999).await;
    let dear = app.other_price(2999).await;
    let sub = app.subscribe(&cust, &cheap).await;
    let sub_id = sub["id"].as_str().unwrap().to_string();
    let (y, m, d, h) = HALF_WAY;
    app.advance(&clock, at(y, m, d, h)).await;

    let changed = app.switch(&sub, &dear, "always_invoice").await;
    let invoices = app.invoices_of(&sub_id).await;
    assert_eq!(invoices.len(), 2);
    let now = &invoices[0];
    assert_eq!(changed["latest_invoice"], now["id"]);
    assert_eq!(
        (
            now["status"].as_str(),
            now["billing_reason"].as_str(),
            now["amount_paid"].as_i64()
        ),
        (Some("paid"), Some("subscription_update"), Some(1000))
    );
    assert_eq!(
        amounts(now),
        vec![line("proration", -500), line("proration", 1500)]
    );
    assert_eq!(
        now["lines"]["data"][0]["period"]["start"],
        at(y, m, d, h),
        "a proration covers the rest of the period"
    );
    assert_eq!(now["lines"]["data"][0]["period"]["end"], at(2027, 2, 1, 0));
    assert_eq!(app.upcoming(&sub_id).await["amount_due"], 2999);

    // A downgrade the same way owes a credit: nothing is charged, and the next invoice is
    // smaller by it.
    let sub = app.get_ok(&format!("/v1/subscriptions/{sub_id}")).await;
    app.advance(&clock, at(2027, 1, 24, 0)).await;
    app.switch(&sub, &cheap, "always_invoice").await;
    let credit = app.invoices_of(&sub_id).await[0].clone();
    // 8 of 31 days remain: −2999 × 8/31 = −773.9… → −774; 999 × 8/31 = 257.8… → 258. The
    // 516 owed is carried to the next invoice, so this one is for nothing.
    assert_eq!(
        amounts(&credit),
        vec![
            line("proration", -774),
            line("proration", 258),
            line("proration", 516)
        ]
    );
    assert_eq!(
        (
            credit["total"].as_i64(),
            credit["amount_due"].as_i64(),
            credit["status"].as_str()
        ),
        (Some(0), Some(0), Some("paid"))
    );
    let upcoming = app.upcoming(&sub_id).await;
    assert_eq!(
        amounts(&upcoming),
        vec![line("proration", -516), line("subscription", 999)]
    );
    assert_eq!(upcoming["amount_due"], 999 - 516, "the credit is carried");
    app.advance(&clock, at(2027, 2, 1, 2)).await;
    let renewal = app.invoices_of(&sub_id).await[0].clone();
    assert_eq!(
        (renewal["amount_paid"].as_i64(), renewal["status"].as_str()),
        (Some(483), Some("paid")),
        "{renewal}"
    );
    assert_eq!(
        app.upcoming(&sub_id).await["amount_due"],
        999,
        "the credit is used once"
    );
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn an_upgrade_without_prorations_bills_the_new_price_from_the_next_period() {
    let app = TestApp::spawn().await;
    let start = at(2027, 1, 1, 0);
    let (clock, cust, _) = app.clock_customer(start, "4242424242424242").await;
    let cheap = app.monthly_price(999).await;
    let dear = app.other_price(2999).await;
    let sub = app.subscribe(&cust, &cheap).await;
    let sub_id = sub["id"].as_str().unwrap().to_string();
    app.advance(&clock, at(2027, 1, 20, 0)).await;
    app.switch(&sub, &dear, "none").await;
    let upcoming = app.upcoming(&sub_id).await;
    assert_eq!(amounts(&upcoming), vec![line("subscription", 2999)]);
    let (status, body) = send(app.post_form(
        &format!("/v1/subscriptions/{sub_id}"),
        &[("proration_behavior", "sometimes")],
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
async fn a_trial_bills_nothing_until_it_ends_then_the_first_period() {
    let app = TestApp::spawn().await;
    let start = at(2027, 1, 1, 0);
    let (clock, cust, _) = app.clock_customer(start, "4242424242424242").await;
    let price = app.monthly_price(1200).await;
    let sub = app
        .ok(app.post_form(
            "/v1/subscriptions",
            &[
                ("customer", &cust),
                ("price", &price),
                ("trial_period_days", "14"),
            ],
        ))
        .await;
    let sub_id = sub["id"].as_str().unwrap().to_string();
    let trial_end = at(2027, 1, 15, 0);
    assert_eq!(
        (
            sub["status"].as_str(),
            sub["trial_end"].as_i64(),
            sub["current_period_end"].as_i64()
        ),
        (Some("trialing"), Some(trial_end), Some(trial_end))
    );
    let first = app.invoices_of(&sub_id).await;
    assert_eq!(first.len(), 1);
    assert_eq!(
        (first[0]["amount_due"].as_i64(), first[0]["status"].as_str()),
        (Some(0), Some("paid")),
        "a trial starts with an invoice of nothing"
    );
    assert!(
        first[0]["payment"].is_null(),
        "and no payment: there is nothing to take"
    );

    app.advance(&clock, at(2027, 1, 12, 1)).await;
    assert_eq!(app.event_count("subscription.trial_will_end").await, 1);
    app.advance(&clock, trial_end + 2 * 3_600).await;
    let sub = app.get_ok(&format!("/v1/subscriptions/{sub_id}")).await;
    assert_eq!(
        (
            sub["status"].as_str(),
            sub["current_period_start"].as_i64(),
            sub["current_period_end"].as_i64()
        ),
        (Some("active"), Some(trial_end), Some(at(2027, 2, 15, 0)))
    );
    let invoices = app.invoices_of(&sub_id).await;
    assert_eq!(invoices.len(), 2);
    assert_eq!(
        (
            invoices[0]["amount_paid"].as_i64(),
            invoices[0]["status"].as_str()
        ),
        (Some(1200), Some("paid")),
        "{}",
        invoices[0]
    );
    assert_eq!(invoices[0]["period_start"], trial_end);
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn cancel_at_period_end_stops_at_the_period_end_without_another_invoice() {
    let app = TestApp::spawn().await;
    let start = at(2027, 4, 30, 0);
    let (clock, cust, _) = app.clock_customer(start, "4242424242424242").await;
    let price = app.monthly_price(800).await;
    let sub = app.subscribe(&cust, &price).await;
    let sub_id = sub["id"].as_str().unwrap().to_string();
    assert_eq!(sub["current_period_end"], at(2027, 5, 30, 0));
    app.advance(&clock, at(2027, 5, 10, 0)).await;
    let sub = app
        .ok(app.post_form(
            &format!("/v1/subscriptions/{sub_id}"),
            &[("cancel_at_period_end", "true")],
        ))
        .await;
    assert_eq!(
        (
            sub["status"].as_str(),
            sub["cancel_at_period_end"].as_bool()
        ),
        (Some("active"), Some(true))
    );
    let (status, body) =
        send(app.get(&format!("/v1/invoices/upcoming?subscription={sub_id}"))).await;
    assert_error(status, &body, 409, "invalid_state", "invoice_upcoming_none");
    app.advance(&clock, at(2027, 6, 2, 0)).await;
    let sub = app.get_ok(&format!("/v1/subscriptions/{sub_id}")).await;
    assert_eq!(
        (sub["status"].as_str(), sub["ended_at"].as_i64()),
        (Some("canceled"), Some(at(2027, 5, 30, 0)))
    );
    assert_eq!(app.invoices_of(&sub_id).await.len(), 1, "no renewal");
    assert_eq!(app.event_count("subscription.deleted").await, 1);
    // Ended: it can no longer change, and deleting it again says so.
    let (status, body) = send(app.post_form(
        &format!("/v1/subscriptions/{sub_id}"),
        &[("cancel_at_period_end", "false")],
    ))
    .await;
    assert_error(
        status,
        &body,
        409,
        "invalid_state",
        "subscription_unexpected_state",
    );
}

/// `?active=true` is a query string's "true": the list filters take it as a boolean.
#[tokio::test]
async fn lists_filter_by_active_from_the_query_string() {
    let app = TestApp::spawn().await;
    for (id, active) in [("prod_on", "true"), ("prod_off", "false")] {
        app.ok(app.post_form("/v1/products", &[("id", id), ("name", id)]))
            .await;
        app.ok(app.post_form(&format!("/v1/products/{id}"), &[("active", active)]))
            .await;
    }
    let ids = |list: Value| -> Vec<String> {
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(app.ok(app.get("/v1/products?active=true")).await),
        ["prod_on"]
    );
    assert_eq!(
        ids(app.ok(app.get("/v1/products?active=false")).await),
        ["prod_off"]
    );
    app.ok(app.get("/v1/prices?active=true")).await;
    app.ok(app.get("/v1/loyalty/rewards?active=false")).await;
    let (status, body) = send(app.get("/v1/products?active=maybe")).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
}
