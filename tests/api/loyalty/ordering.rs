//! A customer's points history reads as a running balance in the order it was written, even
//! when a transaction was worked out before another that was written first (an earn is worked
//! out before its payment's transaction, which then waits its turn).

use crate::helpers::TestApp;
use serde_json::{Value, json};
use vinr::domain::loyalty::PtxType;
use vinr::domain::mode::Mode;
use vinr::server::clock::Clock;
use vinr::server::services::Scope;
use vinr::server::services::loyalty::posting::{Note, Points};
use vinr::server::services::loyalty::programs;
use vinr::server::store::loyalty;

#[tokio::test]
async fn a_transaction_worked_out_first_but_written_last_lists_last() {
    let (app, clock) = TestApp::spawn_manual_clock().await;
    let cust = app.customer_id("late@example.com").await;
    let adjust = |points: i64| {
        app.ok_json(app.post_json(
            "/v1/loyalty/points/adjust",
            &json!({"customer": cust, "points": points, "reason": "test"}),
        ))
    };
    adjust(10).await;

    // An earn of 5 worked out now, the way a payment's success works it out before its
    // transaction, from the account as read ...
    let store = &app.state.store;
    let scope = Scope {
        account_id: app.account_id.clone(),
        mode: Mode::Test,
    };
    let program = programs::find(store.reader(), &scope, "prog_default", None)
        .await
        .unwrap();
    let read = loyalty::account_of_hot(store, &scope.account_id, scope.mode, &program.id, &cust)
        .await
        .unwrap()
        .expect("the account the adjustment made");
    let mut earn = Points::new(read.clone(), Vec::new(), clock.now_micros());
    earn.give(&program, PtxType::Earn, 5, false, Note::default());

    // ... while another change of the account is written first, a moment later ...
    clock.advance_secs(1);
    adjust(3).await;

    // ... and the earn is written last.
    let mut tx = store.begin().await.unwrap();
    earn.write_adding(&mut tx, &read);
    tx.commit().await.unwrap();

    let list = app
        .ok_json(app.get(&format!("/v1/loyalty/points/transactions?customer={cust}")))
        .await;
    let newest_first: Vec<(i64, i64)> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t: &Value| {
            (
                t["points"].as_i64().unwrap(),
                t["balance_after"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(newest_first, vec![(5, 18), (3, 13), (10, 10)], "{list}");
    // The verifier reads each balance as the one before plus what moved.
    app.assert_points_sound().await;
}
