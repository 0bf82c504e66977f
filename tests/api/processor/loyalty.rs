//! Points in live mode, where the processor can turn a succeeded refund back (the issuer
//! returned the money): what its clawback took comes back, and what a full refund gave back
//! for a redemption is taken again.

use super::LocalStripe;
use crate::helpers::{TestApp, assert_ledger_sound, send};
use serde_json::{Value, json};

impl TestApp {
    /// A live request with a JSON body.
    fn live_json(&self, path: &str, body: &Value) -> reqwest::RequestBuilder {
        self.client
            .post(self.url(path))
            .header("X-Api-Key", &self.sk_live)
            .json(body)
    }

    /// Tells VINR, as Stripe does, that the refund `refund` of `amount` failed after all:
    /// whether it was news (recorded).
    async fn refund_turned_back(&self, refund: &str, amount: i64) -> bool {
        let failed = json!({"id": "re_x", "object": "refund", "status": "failed",
            "failure_reason": "lost_or_stolen_card", "amount": amount,
            "metadata": {"vinr_refund": refund}});
        let hook = self.url("/v1/processor_hooks/acq_stripe");
        let (status, answer) = self
            .processor_event(&hook, "refund.updated", &failed, self.state.clock.now())
            .await;
        assert_eq!(status, 200, "{answer}");
        answer["recorded"].as_bool().expect("recorded")
    }

    /// A live customer's points: (available, redeemed).
    async fn live_points(&self, customer: &str) -> (Option<i64>, Option<i64>) {
        let (_, list) =
            send(self.live_get(&format!("/v1/loyalty/accounts?customer={customer}"))).await;
        let a = &list["data"][0];
        (a["available"].as_i64(), a["redeemed"].as_i64())
    }

    /// A live refund that succeeded: its id.
    async fn live_refund(&self, payment: &str, amount: &str) -> String {
        let (status, refund) =
            send(self.live_post("/v1/refunds", &[("payment", payment), ("amount", amount)])).await;
        assert_eq!(
            (status, refund["status"].as_str()),
            (200, Some("succeeded")),
            "{refund}"
        );
        refund["id"].as_str().unwrap().to_string()
    }
}

#[tokio::test]
async fn a_refund_turned_back_gives_back_the_points_its_clawback_took() {
    let stripe = LocalStripe::start().await;
    let app = TestApp::spawn().await;
    app.go_live(&stripe).await;
    let rule = json!({"earn_rules": [
        {"event": "payment.completed", "points": 1, "per_amount": 100, "currency": "EUR"}]});
    let (status, body) = send(app.live_json("/v1/loyalty/programs/prog_default", &rule)).await;
    assert_eq!(status, 200, "{body}");
    let (_, cust) = send(app.live_post("/v1/customers", &[("email", "back@example.com")])).await;
    let cust = cust["id"].as_str().unwrap().to_string();
    let pm = app.live_card("4111111111111111").await;
    let (status, pay) = send(app.live_post(
        "/v1/payments",
        &[
            ("amount", "5000"),
            ("currency", "EUR"),
            ("customer", &cust),
            ("payment_method", pm["id"].as_str().unwrap()),
        ],
    ))
    .await;
    assert_eq!(
        (status, pay["status"].as_str()),
        (200, Some("succeeded")),
        "{pay}"
    );
    let id = pay["id"].as_str().unwrap();
    let balance = || async {
        let (_, list) = send(app.live_get(&format!("/v1/loyalty/accounts?customer={cust}"))).await;
        let a = &list["data"][0];
        (a["available"].as_i64(), a["lifetime_earned"].as_i64())
    };
    assert_eq!(
        balance().await,
        (Some(50), Some(50)),
        "€50.00 at a point per euro"
    );

    // Two refunds, €20 then €10: 20 and 10 points clawed back.
    let first = app.live_refund(id, "2000").await;
    app.live_refund(id, "1000").await;
    assert_eq!(balance().await, (Some(20), Some(20)));

    // The €20 refund is turned back: the payment stands for €40 again, so 40 points.
    assert!(app.refund_turned_back(&first, 2000).await, "news");
    assert_eq!(balance().await, (Some(40), Some(40)), "20 points back");
    let (_, list) =
        send(app.live_get(&format!("/v1/loyalty/points/transactions?source={id}"))).await;
    let kinds: Vec<(&str, i64)> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["type"].as_str().unwrap(), t["points"].as_i64().unwrap()))
        .collect();
    assert!(kinds.contains(&("restore", 20)), "{kinds:?}");
    let (_, expanded) = send(app.live_get(&format!("/v1/payments/{id}?expand[]=loyalty"))).await;
    assert_eq!(
        (
            expanded["loyalty"]["points_earned"].as_i64(),
            expanded["loyalty"]["points_clawed_back"].as_i64()
        ),
        (Some(50), Some(10)),
        "{}",
        expanded["loyalty"]
    );
    let (_, events) = send(app.live_get("/v1/events?type=loyalty.points.restored")).await;
    assert_eq!(events["data"].as_array().unwrap().len(), 1);
    // The same news again gives nothing twice.
    assert!(!app.refund_turned_back(&first, 2000).await, "old news");
    assert_eq!(balance().await, (Some(40), Some(40)));

    // The rest refunded: exactly what was earned is gone, whatever came back between.
    app.live_refund(id, "4000").await;
    assert_eq!(balance().await, (Some(0), Some(0)));
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn a_full_refund_turned_back_takes_the_redeemed_points_again() {
    let stripe = LocalStripe::start().await;
    let app = TestApp::spawn().await;
    app.go_live(&stripe).await;
    let (_, cust) = send(app.live_post("/v1/customers", &[("email", "again@example.com")])).await;
    let cust = cust["id"].as_str().unwrap().to_string();
    let adjust = |points: i64| {
        app.live_json(
            "/v1/loyalty/points/adjust",
            &json!({"customer": cust, "points": points, "reason": "test"}),
        )
    };
    let (status, body) = send(adjust(500)).await;
    assert_eq!(status, 200, "{body}");
    let (status, reward) = send(app.live_json(
        "/v1/loyalty/rewards",
        &json!({"name": "€5 off", "cost_points": 400, "discount_amount": 500, "currency": "EUR"}),
    ))
    .await;
    assert_eq!(status, 200, "{reward}");
    let (status, pay) = send(app.live_post(
        "/v1/payments",
        &[("amount", "5000"), ("currency", "EUR"), ("customer", &cust)],
    ))
    .await;
    assert_eq!(status, 200, "{pay}");
    let id = pay["id"].as_str().unwrap();
    let (status, redemption) = send(app.live_json(
        "/v1/loyalty/redemptions",
        &json!({"customer": cust, "reward": reward["id"], "payment": id}),
    ))
    .await;
    assert_eq!(
        (status, redemption["status"].as_str()),
        (200, Some("reserved")),
        "{redemption}"
    );
    let rdm = redemption["id"].as_str().unwrap();
    let pm = app.live_card("4111111111111111").await;
    let (status, paid) = send(app.live_post(
        &format!("/v1/payments/{id}/confirm"),
        &[("payment_method", pm["id"].as_str().unwrap())],
    ))
    .await;
    assert_eq!(
        (
            status,
            paid["status"].as_str(),
            paid["amount_received"].as_i64()
        ),
        (200, Some("succeeded"), Some(4500)),
        "{paid}"
    );
    assert_eq!(app.live_points(&cust).await, (Some(100), Some(400)));
    let restored = || async {
        let (_, r) = send(app.live_get(&format!("/v1/loyalty/redemptions/{rdm}"))).await;
        (
            r["status"].as_str().map(String::from),
            r["restored"].as_bool(),
        )
    };

    // Fully refunded: the 400 come back, and the customer spends 300 of them.
    let refund = app.live_refund(id, "4500").await;
    assert_eq!(app.live_points(&cust).await, (Some(500), Some(0)));
    assert_eq!(restored().await, (Some("completed".into()), Some(true)));
    let (status, body) = send(adjust(-300)).await;
    assert_eq!(status, 200, "{body}");

    // The refund is turned back: the payment stands again, and so does the redemption. Of
    // the 400 given back only 200 are left to take; the program allows no negative balance.
    assert!(app.refund_turned_back(&refund, 4500).await, "news");
    assert_eq!(app.live_points(&cust).await, (Some(0), Some(200)));
    assert_eq!(restored().await, (Some("completed".into()), Some(false)));
    let (_, list) =
        send(app.live_get(&format!("/v1/loyalty/points/transactions?customer={cust}"))).await;
    let taken = &list["data"][0];
    let restore = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["type"] == "restore")
        .unwrap();
    assert_eq!(
        (
            taken["type"].as_str(),
            taken["points"].as_i64(),
            &taken["reverses"]
        ),
        (Some("redeem"), Some(-200), &restore["id"]),
        "{list}"
    );
    let (_, events) = send(app.live_get("/v1/events?type=loyalty.points.clawed_back")).await;
    assert_eq!(events["data"].as_array().unwrap().len(), 1);
    // The same news again takes nothing twice.
    assert!(!app.refund_turned_back(&refund, 4500).await, "old news");
    assert_eq!(app.live_points(&cust).await, (Some(0), Some(200)));

    // Refunded in full again: what the take-back took comes back, no more.
    let again = app.live_refund(id, "4500").await;
    assert_eq!(app.live_points(&cust).await, (Some(200), Some(0)));
    assert_eq!(restored().await, (Some("completed".into()), Some(true)));
    assert_ledger_sound(&app).await;

    // Where the program allows a negative balance, what was spent since is taken below
    // zero — all 400 now, the 200 forgone before too: the redemption stands whole, and
    // 500 given less 400 redeemed less 500 spent is -400. The verifier accepts a balance
    // a take-back took below zero as it does a clawback's.
    let policy = json!({"refund_policy": {"allow_negative": true}});
    let (status, body) = send(app.live_json("/v1/loyalty/programs/prog_default", &policy)).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(adjust(-200)).await;
    assert_eq!(status, 200, "{body}");
    assert!(app.refund_turned_back(&again, 4500).await, "news");
    assert_eq!(app.live_points(&cust).await, (Some(-400), Some(400)));
    assert_ledger_sound(&app).await;
}
