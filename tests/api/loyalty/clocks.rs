//! Points of a customer on a billing test clock live by the clock: renewals earn at the
//! clock's time, and an advance activates and expires their lots on its way, while the wall
//! clock's worker leaves them alone.

use crate::billing::at;
use crate::helpers::TestApp;
use serde_json::json;

#[tokio::test]
async fn a_test_clock_advance_activates_and_expires_its_customers_points() {
    let (app, wall) = TestApp::spawn_manual_clock().await;
    app.euro_rule(
        "invoice.paid",
        json!({"pending_days": 14, "expiry_days": 30}),
    )
    .await;
    let start = at(2027, 1, 1, 0);
    let (clock, cust, _) = app.clock_customer(start, "4242424242424242").await;
    let price = app.monthly_price(2900).await;
    app.subscribe(&cust, &price).await;
    let account = app.points_of(&cust).await;
    assert_eq!(
        (account["pending"].as_i64(), account["available"].as_i64()),
        (Some(29), Some(0)),
        "the first invoice earns, pending for 14 days"
    );

    // A year of wall time: the wall's worker leaves a clock's customer to the clock.
    wall.advance_secs(365 * 86_400);
    assert_eq!(app.run_lots().await, 0);
    assert_eq!(app.points_of(&cust).await["pending"], 29);

    // Day 16 on the clock: the points became spendable on day 15.
    app.advance(&clock, at(2027, 1, 16, 0)).await;
    let account = app.points_of(&cust).await;
    assert_eq!(
        (account["pending"].as_i64(), account["available"].as_i64()),
        (Some(0), Some(29))
    );
    assert_eq!(
        account["next_expiring"],
        json!([{"points": 29, "expires_at": start + 44 * 86_400}]),
        "spendable on day 15, for 30 days, by the clock"
    );

    // 16 February: the renewal of 1 February earned 29 more, spendable on the 15th; the
    // first 29 expired on the 14th.
    app.advance(&clock, at(2027, 2, 16, 0)).await;
    let account = app.points_of(&cust).await;
    assert_eq!(
        (
            account["pending"].as_i64(),
            account["available"].as_i64(),
            account["expired"].as_i64(),
            account["lifetime_earned"].as_i64()
        ),
        (Some(0), Some(29), Some(29), Some(58)),
        "{account}"
    );
    assert_eq!(app.events_named("loyalty.points.expired").await.len(), 1);
    assert_eq!(app.events_named("loyalty.points.available").await.len(), 2);
    app.assert_points_sound().await;
}
