//! Engagement with exact points: automatic earns on payments, the seed's earn call, refunds'
//! clawbacks, redemptions on payments, races, pending days and expiry on the injected clock,
//! bad input. Every scenario ends with the points ledger verified.

mod clocks;
mod ordering;
mod redemptions;

use crate::helpers::{TestApp, assert_error, assert_ledger_sound, send};
use serde_json::{Value, json};

impl TestApp {
    pub async fn ok_json(&self, req: reqwest::RequestBuilder) -> Value {
        let (status, body) = send(req).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// `prog_default` earns `points` per euro on `event`, with these other settings.
    pub async fn euro_rule(&self, event: &str, extra: Value) -> Value {
        let mut body = json!({
            "earn_rules": [{"event": event, "points": 1, "per_amount": 100, "currency": "EUR"}]
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.ok_json(self.post_json("/v1/loyalty/programs/prog_default", &body))
            .await
    }

    /// A customer's id.
    pub async fn customer_id(&self, email: &str) -> String {
        self.create_customer(email).await["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// A payment of `amount` by `customer` with a test card, paid at once.
    pub async fn paid_by(&self, customer: &str, amount: i64) -> Value {
        self.ok_json(self.post_json(
            "/v1/payments",
            &json!({"amount": amount, "currency": "eur", "customer": customer, "payment_method": "pm_card_visa"}),
        ))
        .await
    }

    /// The customer's account in `prog_default` (Null when none).
    pub async fn points_of(&self, customer: &str) -> Value {
        let list = self
            .ok_json(self.get(&format!("/v1/loyalty/accounts?customer={customer}")))
            .await;
        list["data"][0].clone()
    }

    pub async fn refund(&self, payment: &str, amount: i64) {
        self.ok_json(self.post_json(
            &format!("/v1/payments/{payment}/refunds"),
            &json!({"amount": amount}),
        ))
        .await;
    }

    pub async fn events_named(&self, kind: &str) -> Vec<Value> {
        let list = self.ok_json(self.get("/v1/events?limit=100")).await;
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == kind)
            .cloned()
            .collect()
    }

    pub async fn assert_points_sound(&self) {
        assert_ledger_sound(self).await;
    }
}

#[tokio::test]
async fn a_program_starts_without_rules_and_a_payment_earns_nothing() {
    let app = TestApp::spawn().await;
    let program = app
        .ok_json(app.get("/v1/loyalty/programs/prog_default"))
        .await;
    assert_eq!(program["object"], "loyalty_program");
    assert_eq!(program["earn_rules"], json!([]));
    assert_eq!(program["refund_policy"]["earned"], "clawback");
    let cust = app.customer_id("none@example.com").await;
    app.paid_by(&cust, 4999).await;
    assert!(app.points_of(&cust).await.is_null(), "no rule: no account");
    app.assert_points_sound().await;
}

#[tokio::test]
async fn a_payment_earns_by_the_rule_once_and_the_seed_call_answers_the_same_earn() {
    let app = TestApp::spawn().await;
    app.euro_rule("payment.completed", json!({})).await;
    let cust = app.customer_id("earn@example.com").await;
    let payment = app.paid_by(&cust, 4999).await;
    let pay = payment["id"].as_str().unwrap();
    let account = app.points_of(&cust).await;
    assert_eq!(
        (
            account["available"].as_i64(),
            account["pending"].as_i64(),
            account["lifetime_earned"].as_i64()
        ),
        (Some(49), Some(0), Some(49)),
        "€49.99 at a point per euro: {account}"
    );
    assert!(account["id"].as_str().unwrap().starts_with("loy_"));
    let earned = app.events_named("loyalty.points.earned").await;
    assert_eq!(earned.len(), 1);
    let ptx = &earned[0]["data"]["object"];
    assert_eq!(
        (
            ptx["type"].as_str(),
            ptx["points"].as_i64(),
            ptx["balance_after"].as_i64()
        ),
        (Some("earn"), Some(49), Some(49))
    );
    assert_eq!(ptx["source"], json!({"type": "payment", "id": pay}));
    assert_eq!(app.events_named("loyalty.account.created").await.len(), 1);

    // The seed's webhook handler, sent three times: the rule's earn answers each.
    let seed = json!({"programId": "prog_default", "customerId": cust, "amount": 49, "sourcePaymentId": pay});
    for _ in 0..3 {
        let again = app
            .ok_json(app.post_json("/v1/loyalty/points/earn", &seed))
            .await;
        assert_eq!(again["id"], ptx["id"], "the first earn, not a new one");
    }
    let (status, body) = send(app.post_json(
        "/v1/loyalty/points/earn",
        &json!({"programId": "prog_default", "customerId": cust, "amount": 50, "sourcePaymentId": pay}),
    ))
    .await;
    assert_error(status, &body, 409, "invalid_state", "source_already_earned");
    assert_eq!(app.points_of(&cust).await["available"], 49);
    let list = app
        .ok_json(app.get(&format!("/v1/loyalty/points/transactions?source={pay}")))
        .await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    app.assert_points_sound().await;
}

#[tokio::test]
async fn the_seed_call_alone_earns_once_for_a_payment() {
    let app = TestApp::spawn().await;
    let cust = app.customer_id("seed@example.com").await;
    let payment = app.paid_by(&cust, 4999).await;
    let pay = payment["id"].as_str().unwrap();
    // As the seed's handler sends it (no rule in the program).
    let seed = json!({"programId": "prog_default", "customerId": cust, "amount": 4999 / 100, "sourcePaymentId": pay});
    let first = app
        .ok_json(app.post_json("/v1/loyalty/points/earn", &seed))
        .await;
    assert!(first["id"].as_str().unwrap().starts_with("ptx_"));
    assert_eq!(first["points"], 49);
    let second = app
        .ok_json(app.post_json("/v1/loyalty/points/earn", &seed))
        .await;
    assert_eq!(second["id"], first["id"]);
    let third = app
        .ok_json(app.post_form(
            "/v1/loyalty/points/earn",
            &[
                ("program", "prog_default"),
                ("points", "49"),
                ("source_payment", pay),
            ],
        ))
        .await;
    assert_eq!(
        third["id"], first["id"],
        "form body, the customer taken from the payment"
    );
    assert_eq!(app.points_of(&cust).await["available"], 49);
    assert_eq!(app.events_named("loyalty.points.earned").await.len(), 1);
    app.assert_points_sound().await;
}

#[tokio::test]
async fn partial_refunds_claw_back_pro_rata_and_a_full_refund_exactly_what_was_earned() {
    let app = TestApp::spawn().await;
    app.euro_rule("payment.completed", json!({})).await;
    let cust = app.customer_id("refund@example.com").await;
    let payment = app.paid_by(&cust, 4999).await;
    let pay = payment["id"].as_str().unwrap();
    app.refund(pay, 1000).await;
    // 49 × 3999 ÷ 4999 = 39.2 → 39 still owed: 10 back.
    assert_eq!(app.points_of(&cust).await["available"], 39);
    app.refund(pay, 1999).await;
    // 49 × 2000 ÷ 4999 = 19.6 → 19 owed: 20 more back.
    assert_eq!(app.points_of(&cust).await["available"], 19);
    app.refund(pay, 2000).await;
    let account = app.points_of(&cust).await;
    assert_eq!(
        (
            account["available"].as_i64(),
            account["lifetime_earned"].as_i64()
        ),
        (Some(0), Some(0))
    );
    let clawbacks = app
        .ok_json(app.get(&format!(
            "/v1/loyalty/points/transactions?source={pay}&type=clawback"
        )))
        .await;
    let points: Vec<i64> = clawbacks["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["points"].as_i64().unwrap())
        .collect();
    assert_eq!(
        points,
        vec![-19, -20, -10],
        "newest first; they add up to the 49 earned"
    );
    assert_eq!(
        app.events_named("loyalty.points.clawed_back").await.len(),
        3
    );
    app.assert_points_sound().await;
}

#[tokio::test]
async fn adjustments_give_and_take_but_never_below_zero() {
    let app = TestApp::spawn().await;
    let cust = app.customer_id("adjust@example.com").await;
    let given = app
        .ok_json(app.post_json(
            "/v1/loyalty/points/adjust",
            &json!({"customer": cust, "points": 100, "reason": "welcome"}),
        ))
        .await;
    assert_eq!(
        (
            given["type"].as_str(),
            given["points"].as_i64(),
            given["balance_after"].as_i64()
        ),
        (Some("adjust"), Some(100), Some(100))
    );
    let (status, body) = send(app.post_json(
        "/v1/loyalty/points/adjust",
        &json!({"customer": cust, "points": -101, "reason": "too much"}),
    ))
    .await;
    assert_error(status, &body, 409, "invalid_state", "insufficient_points");
    let taken = app
        .ok_json(app.post_json(
            "/v1/loyalty/points/adjust",
            &json!({"customer": cust, "points": -40, "reason": "correction"}),
        ))
        .await;
    assert_eq!(taken["balance_after"], 60);
    assert_eq!(app.points_of(&cust).await["available"], 60);
    assert_eq!(app.events_named("loyalty.points.adjusted").await.len(), 2);
    app.assert_points_sound().await;
}

#[tokio::test]
async fn calculate_says_what_a_payment_would_earn() {
    let app = TestApp::spawn().await;
    app.ok_json(app.post_json(
        "/v1/loyalty/programs/prog_default",
        &json!({"earn_rules": [{"event": "payment.completed", "points": 2, "per_amount": 100, "currency": "EUR", "min_amount": 1000, "max_points": 150, "multiplier": 1.5}]}),
    ))
    .await;
    let calc = |amount: i64| {
        let app = &app;
        async move {
            app.ok_json(app.post_json(
                "/v1/loyalty/points/calculate",
                &json!({"amount": amount, "currency": "eur"}),
            ))
            .await["points"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(calc(999).await, 0, "below the minimum");
    assert_eq!(calc(4999).await, 49 * 2 * 3 / 2, "2 per euro × 1.5");
    assert_eq!(calc(1_000_000).await, 150, "capped");
    let usd = app
        .ok_json(app.post_json(
            "/v1/loyalty/points/calculate",
            &json!({"amount": 4999, "currency": "usd"}),
        ))
        .await;
    assert_eq!(usd["points"], 0, "no rule in USD");
}

#[tokio::test]
async fn bad_loyalty_input_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let cust = app.customer_id("bad@example.com").await;
    let other = app.other_merchant_key().await;
    let cases: Vec<(Value, u16, &str, &str)> = vec![
        (
            json!({"program": "prog_nope", "customer": cust, "points": 5}),
            404,
            "invalid_request_error",
            "resource_missing",
        ),
        (
            json!({"customer": "cust_nope", "points": 5}),
            404,
            "invalid_request_error",
            "resource_missing",
        ),
        (
            json!({"customer": cust, "points": -5}),
            400,
            "invalid_request_error",
            "parameter_invalid",
        ),
        (
            json!({"customer": cust, "points": 0}),
            400,
            "invalid_request_error",
            "parameter_invalid",
        ),
        (
            json!({"customer": cust}),
            400,
            "invalid_request_error",
            "parameter_missing",
        ),
        (
            json!({"customer": cust, "points": 5, "source_payment": "pay_nope"}),
            404,
            "invalid_request_error",
            "resource_missing",
        ),
    ];
    for (body, status_want, kind, code) in cases {
        let (status, got) = send(app.post_json("/v1/loyalty/points/earn", &body)).await;
        assert_error(status, &got, status_want, kind, code);
    }
    // A payment of another customer, and one not paid.
    let someone = app.customer_id("someone@example.com").await;
    let theirs = app.paid_by(&someone, 1000).await;
    let (status, got) = send(app.post_json(
        "/v1/loyalty/points/earn",
        &json!({"customer": cust, "points": 5, "source_payment": theirs["id"]}),
    ))
    .await;
    assert_error(
        status,
        &got,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    let unpaid = app
        .ok_json(app.post_json(
            "/v1/payments",
            &json!({"amount": 1000, "currency": "eur", "customer": cust}),
        ))
        .await;
    let (status, got) = send(app.post_json(
        "/v1/loyalty/points/earn",
        &json!({"customer": cust, "points": 5, "source_payment": unpaid["id"]}),
    ))
    .await;
    assert_error(
        status,
        &got,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    // Another merchant's customer is not found.
    let req = app
        .client
        .post(app.url("/v1/loyalty/points/earn"))
        .header("X-Api-Key", &other)
        .json(&json!({"customer": cust, "points": 5}));
    let (status, got) = send(req).await;
    assert_error(
        status,
        &got,
        404,
        "invalid_request_error",
        "resource_missing",
    );
    // Rules checked whole.
    for rules in [
        json!([{"event": "payment.refunded", "points": 1}]),
        json!([{"event": "payment.completed", "points": 0}]),
        json!([{"event": "payment.completed", "points": 1, "multiplier": "1.2345"}]),
        json!([{"event": "payment.completed", "points": 1}, {"event": "payment.completed", "points": 2}]),
    ] {
        let (status, got) = send(app.post_json(
            "/v1/loyalty/programs/prog_default",
            &json!({"earn_rules": rules}),
        ))
        .await;
        assert_error(
            status,
            &got,
            400,
            "invalid_request_error",
            "parameter_invalid",
        );
    }
    let program = app
        .ok_json(app.get("/v1/loyalty/programs/prog_default"))
        .await;
    assert_eq!(program["earn_rules"], json!([]), "nothing written");
    assert!(app.points_of(&cust).await.is_null());
    // A reward without its name or cost is missing a parameter; a bad cost is invalid.
    for (body, code) in [
        (
            json!({"cost_points": 10, "discount_percent": 5}),
            "parameter_missing",
        ),
        (
            json!({"name": "Tea", "discount_percent": 5}),
            "parameter_missing",
        ),
        (
            json!({"name": "Tea", "cost_points": -1, "discount_percent": 5}),
            "parameter_invalid",
        ),
    ] {
        let (status, got) = send(app.post_json("/v1/loyalty/rewards", &body)).await;
        assert_error(status, &got, 400, "invalid_request_error", code);
    }
    let rewards = app.ok_json(app.get("/v1/loyalty/rewards")).await;
    assert_eq!(rewards["data"], json!([]));
    let list = app
        .ok_json(app.get("/v1/loyalty/points/transactions"))
        .await;
    assert_eq!(list["data"], json!([]));
    app.assert_points_sound().await;
}

#[tokio::test]
async fn concurrent_payments_of_one_customer_each_earn_exactly_once() {
    let app = TestApp::spawn().await;
    app.euro_rule("payment.completed", json!({})).await;
    let cust = app.customer_id("busy@example.com").await;
    // The first creates the account (racing to: then the lock); the others add to it as
    // increments, each transaction's balance read back from the account as it is written.
    let payments =
        futures_util::future::join_all((0..10).map(|i| app.paid_by(&cust, 1000 + i * 100))).await;
    let account = app.points_of(&cust).await;
    let want: i64 = (0..10).map(|i| (1000 + i * 100) / 100).sum();
    assert_eq!(account["available"], want, "{account}");
    let mut balances = Vec::new();
    for p in &payments {
        let earned = app
            .ok_json(app.get(&format!(
                "/v1/loyalty/points/transactions?source={}",
                p["id"].as_str().unwrap()
            )))
            .await;
        let ptx = &earned["data"][0];
        assert_eq!(earned["data"].as_array().unwrap().len(), 1);
        balances.push((
            ptx["balance_after"].as_i64().unwrap(),
            ptx["points"].as_i64().unwrap(),
        ));
        // The event says the same balance as the stored transaction.
        let event = app
            .events_named("loyalty.points.earned")
            .await
            .into_iter()
            .find(|e| e["data"]["object"]["id"] == ptx["id"])
            .expect("an event per earn");
        assert_eq!(event["data"]["object"], *ptx);
    }
    // Listed in the order they were written (oldest last), each balance is the one before
    // plus its points.
    let list = app
        .ok_json(app.get(&format!(
            "/v1/loyalty/points/transactions?customer={cust}&limit=100"
        )))
        .await;
    let listed: Vec<(i64, i64)> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|t| {
            (
                t["balance_after"].as_i64().unwrap(),
                t["points"].as_i64().unwrap(),
            )
        })
        .collect();
    let mut running = 0;
    for &(balance, points) in &listed {
        running += points;
        assert_eq!(balance, running, "{listed:?}");
    }
    balances.sort();
    assert_eq!(balances, {
        let mut l = listed.clone();
        l.sort();
        l
    });
    let accounts = app
        .ok_json(app.get(&format!("/v1/loyalty/accounts?customer={cust}")))
        .await;
    assert_eq!(accounts["data"].as_array().unwrap().len(), 1, "one account");
    app.assert_points_sound().await;
}
