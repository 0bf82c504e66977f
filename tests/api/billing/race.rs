//! Two instances on one database: renewing the same period, and advancing the same clock, bill
//! it once; an instance stopped between charging a renewal and recording the answer leaves
//! it to the reconciler.

use super::at;
use crate::helpers::{TestApp, assert_ledger_sound, send};
use serde_json::json;
use vinr::server::config::Config;
use vinr::server::services::billing::engine;
use vinr::server::state::AppState;
use vinr::server::web::Application;

impl TestApp {
    /// Another instance on this one's database and clock: its state and base URL.
    async fn twin(&self) -> (AppState, String) {
        let config = Config {
            addr: "127.0.0.1:0".parse().unwrap(),
            ..(*self.state.config).clone()
        };
        let app = Application::build(config, self.state.clock.clone())
            .await
            .expect("the twin builds");
        let base = format!("http://{}", app.local_addr());
        let state = app.state().clone();
        tokio::spawn(app.run_until(std::future::pending()));
        (state, base)
    }
}

#[tokio::test]
async fn two_instances_renewing_the_same_period_bill_it_once() {
    let (app, clock) = TestApp::spawn_manual_clock().await;
    let (twin, _) = app.twin().await;
    let mine = engine::Scope::Account(&app.account_id);
    let cust = app.create_customer("race@example.com").await;
    let cust = cust["id"].as_str().unwrap().to_string();
    let pm = app.attach_card(&cust, "4242424242424242").await;
    app.ok(app.post_form(
        &format!("/v1/customers/{cust}"),
        &[("default_payment_method", &pm)],
    ))
    .await;
    let price = app.monthly_price(4200).await;
    let sub = app.subscribe(&cust, &price).await;
    let sub_id = sub["id"].as_str().unwrap().to_string();
    clock.advance_secs(32 * 86_400);

    // Both take the same period end at once, past any lease: the step's compare-and-set
    // lets one of them write its renewal.
    let now = app.state.clock.now();
    let due: Vec<_> = engine::due_on_wall(&app.state.store, now, 100, mine)
        .await
        .unwrap()
        .into_iter()
        .filter(|d| matches!(d, engine::Due::PeriodEnd(_)))
        .collect();
    assert_eq!(due.len(), 1);
    let (a, b) = (app.state.payment_deps(), twin.payment_deps());
    let (ra, rb) = tokio::join!(
        engine::run(&a, due[0].clone(), now),
        engine::run(&b, due[0].clone(), now)
    );
    assert!(
        ra.is_ok() && rb.is_ok(),
        "losing the race is not an error: {ra:?} {rb:?}"
    );
    let invoices = app.invoices_of(&sub_id).await;
    assert_eq!(invoices.len(), 2, "one renewal draft");
    assert_eq!(invoices[0]["status"], "draft");

    // After the draft hour, a third instance took the draft and stopped: the others leave
    // it alone until its lease runs out, then one of them finishes the work.
    clock.advance_secs(2 * 3_600);
    let now = app.state.clock.now();
    let draft = invoices[0]["id"].as_str().unwrap().to_string();
    let mut tx = app.state.store.begin().await.unwrap();
    let taken =
        vinr::server::store::invoices::lease(&mut tx, &draft, now, now + engine::LEASE_SECS)
            .await
            .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(taken, 1);
    let (ra, rb) = tokio::join!(engine::run_wall(&a, mine), engine::run_wall(&b, mine));
    assert_eq!((ra.unwrap(), rb.unwrap()), (0, 0), "the lease is honoured");
    assert_eq!(app.invoices_of(&sub_id).await[0]["status"], "draft");
    clock.advance_secs(engine::LEASE_SECS);
    let (ra, rb) = tokio::join!(engine::run_wall(&a, mine), engine::run_wall(&b, mine));
    let ran = ra.unwrap() + rb.unwrap();
    assert!(ran >= 1, "someone finalized the draft");
    let invoices = app.invoices_of(&sub_id).await;
    assert_eq!(invoices.len(), 2);
    assert_eq!(
        (
            invoices[0]["status"].as_str(),
            invoices[0]["attempt_count"].as_i64()
        ),
        (Some("paid"), Some(1)),
        "{}",
        invoices[0]
    );
    let payments = app
        .get_ok(&format!("/v1/payments?customer={cust}&limit=100"))
        .await;
    let renewal = invoices[0]["id"].as_str().unwrap();
    assert_eq!(
        payments["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["invoice"] == renewal)
            .count(),
        1,
        "one charge for the period"
    );
    assert_eq!(app.event_count("invoice.paid").await, 2);
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn two_instances_advancing_the_same_clock_run_it_once() {
    let app = TestApp::spawn().await;
    let (_, twin_base) = app.twin().await;
    let start = at(2027, 1, 10, 0);
    let (clock, cust, _) = app.clock_customer(start, "4242424242424242").await;
    let price = app.monthly_price(300).await;
    let sub = app.subscribe(&cust, &price).await;
    let sub_id = sub["id"].as_str().unwrap().to_string();
    let path = format!("/v1/test_clocks/{clock}/advance");
    let to = json!({"frozen_time": at(2027, 7, 11, 0)});
    let here = app.post_json(&path, &to);
    let there = app
        .client
        .post(format!("{twin_base}{path}"))
        .header("X-Api-Key", &app.sk_test)
        .json(&to);
    let ((sa, ba), (sb, bb)) = tokio::join!(send(here), send(there));
    let mut statuses = [sa, sb];
    statuses.sort();
    assert_eq!(statuses[0], 200, "{ba} {bb}");
    assert!(
        statuses[1] == 409 || statuses[1] == 400,
        "the other is refused while it runs or after: {ba} {bb}"
    );
    let invoices = app.invoices_of(&sub_id).await;
    assert_eq!(invoices.len(), 7, "the first invoice and six renewals");
    assert!(invoices.iter().all(|i| i["status"] == "paid"));
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn a_renewal_charge_cut_off_before_its_answer_is_recovered_by_the_reconciler() {
    use vinr::server::clock::{Clock, ManualClock, SystemClock};
    use vinr::server::services::payments::CONFIRM_CALL_SECS;
    let clock = ManualClock::starting_at(SystemClock.now());
    // Every acquirer call takes 300 ms: long enough to stop the renewal's mid-call.
    let app = TestApp::spawn_configured(std::sync::Arc::new(clock.clone()), |c| {
        c.sandbox_latency = std::time::Duration::from_millis(300);
    })
    .await;
    let cust = app.create_customer("cutoff@example.com").await;
    let cust = cust["id"].as_str().unwrap().to_string();
    let pm = app.attach_card(&cust, "4242424242424242").await;
    app.ok(app.post_form(
        &format!("/v1/customers/{cust}"),
        &[("default_payment_method", &pm)],
    ))
    .await;
    let price = app.monthly_price(1800).await;
    let sub = app.subscribe(&cust, &price).await;
    let sub_id = sub["id"].as_str().unwrap().to_string();
    let deps = app.state.payment_deps();
    let mine = engine::Scope::Account(&app.account_id);
    clock.advance_secs(32 * 86_400);
    engine::run_wall(&deps, mine).await.unwrap();
    clock.advance_secs(2 * 3_600);
    // The instance stops while the acquirer is being asked: the finalization and the
    // `processing` payment are committed, the answer is not.
    let cut = tokio::time::timeout(
        std::time::Duration::from_millis(100),
        engine::run_wall(&deps, mine),
    )
    .await;
    assert!(cut.is_err(), "the charge was cut off");
    let renewal = app.invoices_of(&sub_id).await[0].clone();
    assert_eq!(
        (
            renewal["status"].as_str(),
            renewal["attempt_count"].as_i64()
        ),
        (Some("open"), Some(1))
    );
    let pay_id = renewal["payment"].as_str().unwrap().to_string();
    let payment = app.get_ok(&format!("/v1/payments/{pay_id}")).await;
    assert_eq!(payment["status"], "processing");

    // Past the call's deadline the reconciler asks the acquirer and records its answer; the
    // invoice is settled in the same transaction, once.
    clock.advance_secs(CONFIRM_CALL_SECS + 1);
    let done =
        vinr::server::workers::reconcile::run_once_for(&deps, clock.now(), Some(&app.account_id))
            .await
            .unwrap();
    assert_eq!(done.payments, 1);
    let payment = app.get_ok(&format!("/v1/payments/{pay_id}")).await;
    assert_eq!(payment["status"], "succeeded");
    let renewal = app
        .get_ok(&format!("/v1/invoices/{}", renewal["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        (renewal["status"].as_str(), renewal["amount_paid"].as_i64()),
        (Some("paid"), Some(1800))
    );
    assert_eq!(app.event_count("invoice.paid").await, 2);
    // The worker's next pass has nothing left to do for it.
    assert_eq!(engine::run_wall(&deps, mine).await.unwrap(), 0);
    assert_eq!(app.invoices_of(&sub_id).await.len(), 2);
    assert_ledger_sound(&app).await;
}
