//! The ledger (§10): captures post balanced transactions with the fee, settlement moves pending
//! to available, balances per currency and per connected account; `ledger verify` after each
//! scenario, and it catches a ledger that was tampered with.

use crate::helpers::{TestApp, assert_ledger_sound, send};
use serde_json::{Value, json};
use vinr::server::clock::Clock;
use vinr::server::services::ledger::verify::{Options, verify};

async fn pay(app: &TestApp, form: &[(&str, &str)]) -> Value {
    let (status, body) = send(app.post_form("/v1/payments", form)).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn transactions(app: &TestApp, payment: &str) -> Vec<Value> {
    let (status, list) = send(app.get(&format!("/v1/ledger/transactions?payment={payment}"))).await;
    assert_eq!(status, 200, "{list}");
    list["data"].as_array().unwrap().clone()
}

async fn balance(app: &TestApp, query: &str) -> Value {
    let (status, body) = send(app.get(&format!("/v1/balance{query}"))).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn a_capture_posts_gross_fee_and_net_once() {
    let app = TestApp::spawn().await;
    let payment = pay(
        &app,
        &[("amount", "10000"), ("payment_method", "pm_card_visa")],
    )
    .await;
    let id = payment["id"].as_str().unwrap();
    let posted = transactions(&app, id).await;
    assert_eq!(posted.len(), 1, "{posted:?}");
    let t = &posted[0];
    assert_eq!(t["type"], "capture");
    assert!(t["id"].as_str().unwrap().starts_with("txn_"));
    assert_eq!(
        (t["amount"].as_i64(), t["fee"].as_i64(), t["net"].as_i64()),
        (Some(10_000), Some(165), Some(9_835))
    );
    assert_eq!(t["charge"], payment["latest_charge"]);
    let lines: Vec<(String, i64, i64)> = t["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["book"].as_str().unwrap().to_string(),
                e["debit"].as_i64().unwrap(),
                e["credit"].as_i64().unwrap(),
            )
        })
        .collect();
    let mut lines = lines;
    lines.sort();
    assert_eq!(
        lines,
        [
            ("acquirer_receivable".to_string(), 10_000, 0),
            ("fees".to_string(), 0, 165),
            ("merchant_pending".to_string(), 0, 9_835)
        ]
    );
    // The fee is recorded on the charge.
    let (_, expanded) = send(app.get(&format!("/v1/payments/{id}?expand[]=latest_charge"))).await;
    assert_eq!(expanded["latest_charge"]["fee"], 165);

    let b = balance(&app, "").await;
    assert_eq!(b["pending"], json!([{"amount": 9_835, "currency": "EUR"}]));
    assert_eq!(b["available"], json!([{"amount": 0, "currency": "EUR"}]));
    assert_eq!(b["account"], app.account_id.as_str());

    // A second currency keeps its own books; a decline posts nothing.
    pay(
        &app,
        &[
            ("amount", "5000"),
            ("currency", "JPY"),
            ("payment_method", "pm_card_visa"),
        ],
    )
    .await;
    let (status, _) = send(app.post_form(
        "/v1/payments",
        &[
            ("amount", "700"),
            ("payment_method", "pm_card_chargeDeclined"),
        ],
    ))
    .await;
    assert_eq!(status, 402);
    let b = balance(&app, "").await;
    // JPY: 5000 × 1.4 % = 70, + 25 → 95 fee.
    assert_eq!(
        b["pending"],
        json!([{"amount": 9_835, "currency": "EUR"}, {"amount": 4_905, "currency": "JPY"}])
    );
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn manual_capture_posts_only_what_was_captured_and_reversals_post_nothing() {
    let app = TestApp::spawn().await;
    let held = pay(
        &app,
        &[
            ("amount", "5000"),
            ("payment_method", "pm_card_visa"),
            ("capture_method", "manual"),
        ],
    )
    .await;
    let id = held["id"].as_str().unwrap();
    assert!(
        transactions(&app, id).await.is_empty(),
        "an authorisation moves no money"
    );
    let (status, captured) = send(app.post_form(
        &format!("/v1/payments/{id}/capture"),
        &[("amount_to_capture", "3000")],
    ))
    .await;
    assert_eq!(status, 200, "{captured}");
    let posted = transactions(&app, id).await;
    assert_eq!(posted.len(), 1);
    // 3000 × 1.4 % = 42, + 25.
    assert_eq!(
        (posted[0]["amount"].as_i64(), posted[0]["fee"].as_i64()),
        (Some(3_000), Some(67))
    );

    // A released hold: nothing posted, the ledger still verifies.
    let other = pay(
        &app,
        &[
            ("amount", "800"),
            ("payment_method", "pm_card_visa"),
            ("capture_method", "manual"),
        ],
    )
    .await;
    let other_id = other["id"].as_str().unwrap();
    let (status, _) = send(app.post_form(&format!("/v1/payments/{other_id}/reverse"), &[])).await;
    assert_eq!(status, 200);
    assert!(transactions(&app, other_id).await.is_empty());
    assert_eq!(
        balance(&app, "").await["pending"],
        json!([{"amount": 2_933, "currency": "EUR"}])
    );
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn settlement_makes_the_net_available_after_the_delay_once() {
    let (app, clock) = TestApp::spawn_manual_clock().await;
    let payment = pay(
        &app,
        &[("amount", "2000"), ("payment_method", "pm_card_visa")],
    )
    .await;
    let store = &app.state.store;
    let settle =
        |now| vinr::server::services::ledger::settle_due_for(store, now, Some(&app.account_id));
    assert_eq!(
        settle(clock.now()).await.unwrap(),
        0,
        "settled before the delay"
    );
    clock.advance_secs(vinr::server::config::DEFAULT_SETTLEMENT_DELAY_SECS);
    assert!(settle(clock.now()).await.unwrap() >= 1);
    assert_eq!(settle(clock.now()).await.unwrap(), 0, "settled twice");
    // 2000 × 1.4 % = 28, + 25 = 53 fee.
    let b = balance(&app, "").await;
    assert_eq!(
        b["available"],
        json!([{"amount": 1_947, "currency": "EUR"}])
    );
    assert_eq!(b["pending"], json!([{"amount": 0, "currency": "EUR"}]));
    let posted = transactions(&app, payment["id"].as_str().unwrap()).await;
    assert_eq!(posted.len(), 2);
    assert_eq!(posted[0]["type"], "settlement");
    assert_eq!(posted[0]["settles"], posted[1]["id"]);
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn on_behalf_of_credits_the_connected_account_and_the_fee_stays_with_the_merchant() {
    let app = TestApp::spawn().await;
    let (status, acct) = send(app.post_form("/v1/accounts", &[("business_name", "Seller")])).await;
    assert_eq!(status, 200, "{acct}");
    let acct_id = acct["id"].as_str().unwrap();
    pay(
        &app,
        &[
            ("amount", "10000"),
            ("payment_method", "pm_card_visa"),
            ("on_behalf_of", acct_id),
        ],
    )
    .await;
    let seller = balance(&app, &format!("?account={acct_id}")).await;
    assert_eq!(
        seller["pending"],
        json!([{"amount": 9_835, "currency": "EUR"}])
    );
    assert_eq!(seller["account"], acct_id);
    assert_eq!(balance(&app, "").await["pending"], json!([]));
    let (status, _) = send(app.get("/v1/balance?account=acct_000000000000000000000000")).await;
    assert_eq!(status, 404);
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn verify_names_a_tampered_ledger() {
    let app = TestApp::spawn().await;
    let payment = pay(
        &app,
        &[("amount", "1000"), ("payment_method", "pm_card_visa")],
    )
    .await;
    assert_ledger_sound(&app).await;
    let store = &app.state.store;
    // Someone edits a balance and an entry behind the ledger's back.
    sqlx::query(
        "UPDATE ledger_balances SET balance = balance + 1 WHERE account_id = $1 AND book = 'fees'",
    )
    .bind(&app.account_id)
    .execute(store.writer())
    .await
    .unwrap();
    sqlx::query(
        "UPDATE ledger_entries SET credit = credit + 5 WHERE account_id = $1 AND book = 'merchant_pending'",
    )
    .bind(&app.account_id)
    .execute(store.writer())
    .await
    .unwrap();
    sqlx::query("UPDATE payments SET amount_received = 999 WHERE id = $1")
        .bind(payment["id"].as_str().unwrap())
        .execute(store.writer())
        .await
        .unwrap();
    let options = Options {
        account_id: Some(app.account_id.clone()),
        allow_negative: false,
    };
    let problems = verify(store, &options).await.unwrap();
    let text = problems.join("\n");
    assert!(text.contains("is unbalanced"), "{text}");
    assert!(text.contains("balance fees of"), "{text}");
    assert!(
        text.contains("capture posting(s) of 1000; it received 999"),
        "{text}"
    );
}

/// `vinr ledger verify`, the command itself, over a scenario's database: exit 0 when sound,
/// exit 1 naming the fault after tampering. (It reads the SQLite file; the Postgres pass
/// checks the same invariants through the function.)
#[tokio::test]
async fn the_verify_command_exits_non_zero_naming_the_fault() {
    let app = TestApp::spawn().await;
    let Some(path) = app.sqlite_path.clone() else {
        return;
    };
    pay(
        &app,
        &[("amount", "1000"), ("payment_method", "pm_card_visa")],
    )
    .await;
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_vinr"))
            .args(["ledger", "verify"])
            .env("VINR_DATABASE_URL", format!("sqlite://{}", path.display()))
            .env("VINR_SECRET", "test-secret-for-the-command-line")
            .env("RUST_LOG", "error")
            .output()
            .expect("vinr runs")
    };
    let sound = run();
    let out = String::from_utf8_lossy(&sound.stdout);
    assert!(sound.status.success(), "{out}");
    assert!(out.contains("every invariant holds"), "{out}");
    sqlx::query("UPDATE ledger_entries SET debit = debit + 7 WHERE account_id = $1 AND book = 'acquirer_receivable'")
        .bind(&app.account_id)
        .execute(app.state.store.writer())
        .await
        .unwrap();
    let broken = run();
    let out = String::from_utf8_lossy(&broken.stdout);
    assert_eq!(broken.status.code(), Some(1), "{out}");
    assert!(
        out.contains("FAIL: transaction txn_") && out.contains("is unbalanced"),
        "{out}"
    );
}
