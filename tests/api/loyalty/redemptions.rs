//! Rewards redeemed outright and on payments, racing redemptions, pending days with a refund
//! inside them, expiry of the soonest-expiring lots first, and the verifier catching a
//! tampered entry.

use crate::helpers::{TestApp, assert_error, send};
use serde_json::{Value, json};
use vinr::server::clock::Clock;

impl TestApp {
    async fn give(&self, customer: &str, points: i64) -> Value {
        self.ok_json(self.post_json(
            "/v1/loyalty/points/adjust",
            &json!({"customer": customer, "points": points, "reason": "test"}),
        ))
        .await
    }

    async fn reward(&self, body: Value) -> String {
        self.ok_json(self.post_json("/v1/loyalty/rewards", &body))
            .await["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub(crate) async fn run_lots(&self) -> usize {
        vinr::server::services::loyalty::lots::run_once(
            &self.state.store,
            self.state.clock.as_ref(),
            Some(&self.account_id),
        )
        .await
        .unwrap()
    }
}

#[tokio::test]
async fn a_reward_is_redeemed_outright_only_with_enough_points() {
    let app = TestApp::spawn().await;
    let cust = app.customer_id("outright@example.com").await;
    app.give(&cust, 100).await;
    let reward = app
        .reward(json!({"name": "Free coffee", "cost_points": 150, "discount_amount": 300, "currency": "eur"}))
        .await;
    let (status, body) = send(app.post_json(
        "/v1/loyalty/redemptions",
        &json!({"customer": cust, "reward": reward}),
    ))
    .await;
    assert_error(status, &body, 409, "invalid_state", "insufficient_points");
    assert_eq!(
        app.points_of(&cust).await["available"],
        100,
        "nothing taken"
    );
    app.give(&cust, 60).await;
    let done = app
        .ok_json(app.post_json(
            "/v1/loyalty/redemptions",
            &json!({"customer": cust, "reward": reward}),
        ))
        .await;
    assert_eq!(
        (done["status"].as_str(), done["points"].as_i64()),
        (Some("completed"), Some(150))
    );
    assert!(done["id"].as_str().unwrap().starts_with("rdm_"));
    let account = app.points_of(&cust).await;
    assert_eq!(
        (account["available"].as_i64(), account["redeemed"].as_i64()),
        (Some(10), Some(150))
    );
    assert_eq!(
        app.events_named("loyalty.redemption.completed").await.len(),
        1
    );
    app.assert_points_sound().await;
}

#[tokio::test]
async fn a_reward_on_a_payment_lowers_it_completes_when_paid_and_comes_back_on_a_full_refund() {
    let app = TestApp::spawn().await;
    app.euro_rule("payment.completed", json!({})).await;
    let cust = app.customer_id("onpay@example.com").await;
    app.give(&cust, 500).await;
    let reward = app
        .reward(json!({"name": "€5 off", "cost_points": 400, "discount_amount": 500, "currency": "EUR"}))
        .await;
    let payment = app
        .ok_json(app.post_json(
            "/v1/payments",
            &json!({"amount": 5000, "currency": "eur", "customer": cust}),
        ))
        .await;
    let pay = payment["id"].as_str().unwrap();
    // A confirm that read the payment before the reward went on it (at 5000).
    let read_before = vinr::server::store::payments::find_by_id(app.state.store.reader(), pay)
        .await
        .unwrap()
        .unwrap();
    let reserved = app
        .ok_json(app.post_json(
            "/v1/loyalty/redemptions",
            &json!({"customer": cust, "reward": reward, "payment": pay}),
        ))
        .await;
    assert_eq!(
        (reserved["status"].as_str(), reserved["discount"].as_i64()),
        (Some("reserved"), Some(500))
    );
    let account = app.points_of(&cust).await;
    assert_eq!(
        (account["available"].as_i64(), account["reserved"].as_i64()),
        (Some(100), Some(400))
    );
    assert_eq!(
        app.ok_json(app.get(&format!("/v1/payments/{pay}"))).await["amount"],
        4500
    );
    // That confirm cannot take the payment at the old price: its compare-and-set fails.
    let mut claim = read_before.clone();
    claim.status = vinr::domain::payment::PaymentStatus::Processing;
    let mut tx = app.state.store.begin().await.unwrap();
    let taken = vinr::server::store::payments::update_if_status(
        &mut tx,
        &claim,
        "requires_payment_method",
        0,
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    assert!(!taken, "a stale amount never reaches the acquirer");

    let paid = app
        .ok_json(app.post_json(
            &format!("/v1/payments/{pay}/confirm"),
            &json!({"payment_method": "pm_card_visa"}),
        ))
        .await;
    assert_eq!(
        (paid["status"].as_str(), paid["amount_received"].as_i64()),
        (Some("succeeded"), Some(4500))
    );
    let done = app
        .ok_json(app.get(&format!(
            "/v1/loyalty/redemptions/{}",
            reserved["id"].as_str().unwrap()
        )))
        .await;
    assert_eq!(done["status"], "completed");
    let account = app.points_of(&cust).await;
    assert_eq!(
        (
            account["available"].as_i64(),
            account["reserved"].as_i64(),
            account["redeemed"].as_i64()
        ),
        (Some(145), Some(0), Some(400)),
        "100 left + 45 earned on €45"
    );

    app.refund(pay, 4500).await;
    let account = app.points_of(&cust).await;
    assert_eq!(
        (account["available"].as_i64(), account["redeemed"].as_i64()),
        (Some(500), Some(0)),
        "the 45 earned clawed back, the 400 redeemed restored"
    );
    assert_eq!(app.events_named("loyalty.points.restored").await.len(), 1);
    // A second full refund cannot happen; the restore is once.
    let (status, _) = send(app.post_json(
        &format!("/v1/payments/{pay}/refunds"),
        &json!({"amount": 1}),
    ))
    .await;
    assert_ne!(status, 200);
    app.assert_points_sound().await;
}

#[tokio::test]
async fn a_canceled_reservation_gives_the_points_and_the_price_back() {
    let app = TestApp::spawn().await;
    let cust = app.customer_id("cancel@example.com").await;
    app.give(&cust, 300).await;
    let reward = app
        .reward(json!({"name": "10% off", "cost_points": 200, "discount_percent": 10}))
        .await;
    let payment = app
        .ok_json(app.post_json(
            "/v1/payments",
            &json!({"amount": 2999, "currency": "eur", "customer": cust}),
        ))
        .await;
    let pay = payment["id"].as_str().unwrap();
    let reserved = app
        .ok_json(app.post_json(
            "/v1/loyalty/redemptions",
            &json!({"customer": cust, "reward": reward, "payment": pay}),
        ))
        .await;
    assert_eq!(reserved["discount"], 299, "10 % of 2999, rounded down");
    let (status, body) = send(app.post_json(
        "/v1/loyalty/redemptions",
        &json!({"customer": cust, "reward": reward, "payment": pay}),
    ))
    .await;
    assert_error(
        status,
        &body,
        409,
        "invalid_state",
        "payment_has_redemption",
    );
    let canceled = app
        .ok_json(app.post_json(
            &format!(
                "/v1/loyalty/redemptions/{}/cancel",
                reserved["id"].as_str().unwrap()
            ),
            &json!({}),
        ))
        .await;
    assert_eq!(canceled["status"], "canceled");
    assert_eq!(
        app.ok_json(app.get(&format!("/v1/payments/{pay}"))).await["amount"],
        2999
    );
    let account = app.points_of(&cust).await;
    assert_eq!(
        (account["available"].as_i64(), account["reserved"].as_i64()),
        (Some(300), Some(0))
    );
    assert_eq!(
        app.events_named("loyalty.redemption.canceled").await.len(),
        1
    );
    // A payment succeeding on a redemption that was canceled meanwhile (read as reserved
    // before its transaction) leaves it as it is: no second release, nothing refused.
    {
        use vinr::domain::loyalty::RedemptionStatus;
        use vinr::server::services::loyalty::{programs, redemptions};
        let scope = vinr::server::services::Scope {
            account_id: app.account_id.clone(),
            mode: vinr::domain::mode::Mode::Test,
        };
        let store = &app.state.store;
        let id = reserved["id"].as_str().unwrap();
        let mut stale = redemptions::find(store.reader(), &scope, id).await.unwrap();
        stale.status = RedemptionStatus::Reserved;
        let program = programs::find(store.reader(), &scope, "prog_default", None)
            .await
            .unwrap();
        let mut tx = store.begin().await.unwrap();
        let clock = app.state.clock.as_ref();
        let ended = redemptions::end(&mut tx, clock, &program, stale, RedemptionStatus::Completed)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(ended.is_none());
        let account = app.points_of(&cust).await;
        assert_eq!(
            (account["available"].as_i64(), account["redeemed"].as_i64()),
            (Some(300), Some(0))
        );
    }
    // A payment canceled with a reward on it gives the points back too.
    let again = app
        .ok_json(app.post_json(
            "/v1/loyalty/redemptions",
            &json!({"customer": cust, "reward": reward, "payment": pay}),
        ))
        .await;
    app.ok_json(app.post_json(&format!("/v1/payments/{pay}/cancel"), &json!({})))
        .await;
    let ended = app
        .ok_json(app.get(&format!(
            "/v1/loyalty/redemptions/{}",
            again["id"].as_str().unwrap()
        )))
        .await;
    assert_eq!(ended["status"], "canceled");
    assert_eq!(app.points_of(&cust).await["available"], 300);
    app.assert_points_sound().await;
}

#[tokio::test]
async fn two_racing_redemptions_for_the_same_points_one_wins() {
    let app = TestApp::spawn().await;
    let cust = app.customer_id("race@example.com").await;
    app.give(&cust, 100).await;
    let reward = app
        .reward(json!({"name": "Tote bag", "cost_points": 60, "discount_percent": 5}))
        .await;
    let body = json!({"customer": cust, "reward": reward});
    let (a, b) = tokio::join!(
        send(app.post_json("/v1/loyalty/redemptions", &body)),
        send(app.post_json("/v1/loyalty/redemptions", &body))
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses[0], 200, "{a:?} {b:?}");
    assert!(statuses[1] == 400 || statuses[1] == 409, "{a:?} {b:?}");
    assert_eq!(app.points_of(&cust).await["available"], 40);
    app.assert_points_sound().await;
}

#[tokio::test]
async fn points_expire_soonest_lots_first_and_pending_points_wait_their_days() {
    let (app, clock) = TestApp::spawn_manual_clock().await;
    app.euro_rule("payment.completed", json!({"expiry_days": 30}))
        .await;
    let cust = app.customer_id("expiry@example.com").await;
    app.give(&cust, 10).await;
    clock.advance_secs(10 * 86_400);
    app.give(&cust, 20).await;
    clock.advance_secs(86_400);
    let reward = app
        .reward(json!({"name": "Sticker", "cost_points": 15, "discount_percent": 1}))
        .await;
    app.ok_json(app.post_json(
        "/v1/loyalty/redemptions",
        &json!({"customer": cust, "reward": reward}),
    ))
    .await;
    // The first lot (10) went first, then 5 of the second.
    let account = app.points_of(&cust).await;
    assert_eq!(account["available"], 15);
    assert_eq!(
        account["next_expiring"],
        json!([{"points": 15, "expires_at": clock.now() - 86_400 + 30 * 86_400}])
    );
    clock.advance_secs(20 * 86_400);
    assert_eq!(
        app.run_lots().await,
        0,
        "the first lot is spent: nothing expires at day 31"
    );
    clock.advance_secs(10 * 86_400);
    assert_eq!(app.run_lots().await, 1);
    let account = app.points_of(&cust).await;
    assert_eq!(
        (account["available"].as_i64(), account["expired"].as_i64()),
        (Some(0), Some(15))
    );
    assert_eq!(app.events_named("loyalty.points.expired").await.len(), 1);

    // Pending days: earned points wait; a refund inside the window takes from them.
    app.euro_rule(
        "payment.completed",
        json!({"pending_days": 14, "expiry_days": 0}),
    )
    .await;
    let payment = app.paid_by(&cust, 4999).await;
    let account = app.points_of(&cust).await;
    assert_eq!(
        (account["pending"].as_i64(), account["available"].as_i64()),
        (Some(49), Some(0))
    );
    app.refund(payment["id"].as_str().unwrap(), 1000).await;
    assert_eq!(
        app.points_of(&cust).await["pending"],
        39,
        "clawed back from pending"
    );
    clock.advance_secs(13 * 86_400);
    assert_eq!(app.run_lots().await, 0);
    clock.advance_secs(86_400);
    assert_eq!(app.run_lots().await, 1);
    let account = app.points_of(&cust).await;
    assert_eq!(
        (account["pending"].as_i64(), account["available"].as_i64()),
        (Some(0), Some(39))
    );
    assert_eq!(app.events_named("loyalty.points.available").await.len(), 1);
    app.assert_points_sound().await;
}

#[tokio::test]
async fn the_verifier_catches_a_tampered_entry() {
    let app = TestApp::spawn().await;
    let cust = app.customer_id("tamper@example.com").await;
    let ptx = app.give(&cust, 25).await;
    app.assert_points_sound().await;
    let mut tx = app.state.store.begin().await.unwrap();
    tx.execute(
        vinr::server::store::Statement::new(
            "UPDATE points_entries SET points = points + 1 WHERE ptx = $1 AND book = 'available'",
        )
        .bind(ptx["id"].as_str().unwrap()),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let options = vinr::server::services::ledger::verify::Options {
        account_id: Some(app.account_id.clone()),
        allow_negative: false,
    };
    let problems = vinr::server::services::ledger::verify::verify(&app.state.store, &options)
        .await
        .unwrap();
    assert!(
        problems.iter().any(|p| p.contains("does not balance")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("available is 25 but its entries sum to 26")),
        "{problems:?}"
    );
}
