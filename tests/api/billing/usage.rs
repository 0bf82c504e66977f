//! Metered usage billed in arrears beside a licensed item on one invoice: increments, a set,
//! a retried report, the draft window, and records outside the open period.

use super::at;
use crate::helpers::{TestApp, assert_error, assert_ledger_sound, send};
use serde_json::{Value, json};

impl TestApp {
    async fn report(&self, body: Value) -> (u16, Value) {
        send(self.post_json("/v1/usage_records", &body)).await
    }
}

#[tokio::test]
async fn licensed_and_metered_items_are_billed_on_one_invoice() {
    let app = TestApp::spawn().await;
    let start = at(2027, 3, 1, 0);
    let (clock, cust, _) = app.clock_customer(start, "4242424242424242").await;
    let seat = app.monthly_price(1000).await;
    app.ok(app.post_form("/v1/products", &[("id", "prod_api"), ("name", "API calls")]))
        .await;
    let calls = app
        .ok(app.post_json(
            "/v1/prices",
            &json!({"product": "prod_api", "unit_amount": 5, "currency": "EUR",
                    "recurring": {"interval": "month", "usage_type": "metered", "aggregate_usage": "sum"}}),
        ))
        .await;
    let calls = calls["id"].as_str().unwrap().to_string();
    let sub = app
        .ok(app.post_form(
            "/v1/subscriptions",
            &[
                ("customer", &cust),
                ("items[0][price]", &seat),
                ("items[0][quantity]", "2"),
                ("items[1][price]", &calls),
            ],
        ))
        .await;
    let sub_id = sub["id"].as_str().unwrap().to_string();
    let first = app.invoices_of(&sub_id).await[0].clone();
    assert_eq!(
        (first["amount_paid"].as_i64(), first["status"].as_str()),
        (Some(2000), Some("paid")),
        "usage is billed in arrears: the first invoice is the seats"
    );
    let metered = sub["items"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["price"]["id"] == calls.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let day = |d: u32, h: i64| at(2027, 3, d, h);
    // Usage is reported as it happens, never ahead of the clock.
    let (status, body) = app
        .report(json!({"subscription_item": metered, "quantity": 1, "timestamp": day(5, 0)}))
        .await;
    assert_error(status, &body, 409, "invalid_state", "usage_ahead_of_time");
    app.advance(&clock, day(16, 0)).await;
    let (status, r1) = app
        .report(json!({"subscription_item": metered, "quantity": 10, "timestamp": day(5, 0), "identifier": "batch-1"}))
        .await;
    assert_eq!(status, 200, "{r1}");
    assert_eq!(r1["object"], "usage_record");
    assert!(r1["id"].as_str().unwrap().starts_with("mbu_"));
    // The same report again (a retry) is the first record, not ten more.
    let (_, again) = app
        .report(json!({"subscription_item": metered, "quantity": 10, "timestamp": day(5, 0), "identifier": "batch-1"}))
        .await;
    assert_eq!(again["id"], r1["id"]);
    for body in [
        json!({"subscription_item": metered, "quantity": 5, "timestamp": day(10, 0)}),
        // The guides' way: the subscription and the price.
        json!({"subscription": sub_id, "price": calls, "quantity": 7, "timestamp": day(12, 0)}),
        json!({"subscription_item": metered, "quantity": 4, "timestamp": day(15, 0)}),
        // A set replaces what that moment had: 4 becomes 2.
        json!({"subscription_item": metered, "quantity": 2, "timestamp": day(15, 0), "action": "set"}),
    ] {
        let (status, body) = app.report(body).await;
        assert_eq!(status, 200, "{body}");
    }
    let upcoming = app
        .get_ok(&format!("/v1/invoices/upcoming?subscription={sub_id}"))
        .await;
    assert_eq!(
        upcoming["amount_due"],
        2000 + 24 * 5,
        "seats for April and March's 24 calls so far"
    );

    // Before the period: refused, and nothing is written.
    let (status, body) = app
        .report(json!({"subscription_item": metered, "quantity": 1, "timestamp": start - 60}))
        .await;
    assert_error(status, &body, 409, "invalid_state", "usage_period_closed");
    // A licensed item takes no usage.
    let seat_item = sub["items"]["data"][0]["id"].as_str().unwrap();
    let (status, body) = app
        .report(json!({"subscription_item": seat_item, "quantity": 1}))
        .await;
    assert_error(status, &body, 409, "invalid_state", "price_not_metered");

    // During the renewal's draft hour, March's late usage still counts.
    let renewal_at = at(2027, 4, 1, 0);
    app.advance(&clock, renewal_at + 1_800).await;
    let (status, body) = app
        .report(json!({"subscription_item": metered, "quantity": 3, "timestamp": day(31, 23)}))
        .await;
    assert_eq!(status, 200, "{body}");
    // April's first calls belong to April.
    let (status, body) = app
        .report(
            json!({"subscription_item": metered, "quantity": 100, "timestamp": renewal_at + 600}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    app.advance(&clock, renewal_at + 2 * 3_600).await;
    let renewal = app.invoices_of(&sub_id).await[0].clone();
    assert_eq!(renewal["status"], "paid", "{renewal}");
    let mut lines: Vec<(String, i64, i64, i64)> = renewal["lines"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["type"].as_str().unwrap().to_string(),
                l["quantity"].as_i64().unwrap(),
                l["amount"].as_i64().unwrap(),
                l["period"]["start"].as_i64().unwrap(),
            )
        })
        .collect();
    lines.sort();
    assert_eq!(
        lines,
        vec![
            ("subscription".to_string(), 2, 2000, renewal_at),
            ("usage".to_string(), 27, 135, start),
        ]
    );
    assert_eq!(renewal["amount_paid"], 2135);

    // March is closed now that its invoice is final.
    let (status, body) = app
        .report(json!({"subscription_item": metered, "quantity": 1, "timestamp": day(20, 0)}))
        .await;
    assert_error(status, &body, 409, "invalid_state", "usage_period_closed");
    let upcoming = app
        .get_ok(&format!("/v1/invoices/upcoming?subscription={sub_id}"))
        .await;
    assert_eq!(upcoming["amount_due"], 2000 + 100 * 5);
    assert_ledger_sound(&app).await;
}
