//! The processor failing: an answer lost in a crash looked up, an outage left to the
//! reconciler, and the published fake without idempotency or redirects still charging once.

use super::*;

#[tokio::test]
async fn an_answer_lost_in_a_crash_is_looked_up_never_charged_twice() {
    let stripe = LocalStripe::start().await;
    let (app, clock) = TestApp::spawn_manual_clock().await;
    app.go_live(&stripe).await;
    let attempt = "ch_lostanswer000000000001";
    let (id, first) = app.lose_an_answer("4111111111111111", 700, attempt).await;
    assert!(matches!(first, AuthOutcome::Authorized { .. }), "{first:?}");

    clock.advance_secs(CONFIRM_CALL_SECS + 1);
    let deps = app.state.payment_deps();
    let done = run_once_for(&deps, app.state.clock.now(), Some(&app.account_id))
        .await
        .unwrap();
    assert_eq!(done.payments, 1);
    let (_, paid) = send(app.live_get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(paid["status"], "succeeded", "{paid}");
    assert_eq!(paid["latest_charge"], attempt);
    // The reconciler looked the intent up (search, which the fake lacks, then the list) and
    // made none: one intent exists at the processor.
    let sent = stripe.requests();
    let creates = sent
        .iter()
        .filter(|r| r["path"] == "/v1/payment_intents" && r["method"] == "POST")
        .count();
    assert_eq!(creates, 1);
    assert!(
        sent.iter()
            .any(|r| r["path"] == "/v1/payment_intents/search")
    );
    assert!(
        sent.iter()
            .any(|r| r["path"] == "/v1/payment_intents" && r["method"] == "GET")
    );
    let ours = stripe.intents_with("vinr_attempt", attempt).await;
    assert_eq!(ours, 1, "charged once");
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn a_processor_outage_leaves_the_attempt_processing_for_the_reconciler() {
    let stripe = LocalStripe::start().await;
    let (app, clock) = TestApp::spawn_manual_clock().await;
    app.go_live(&stripe).await;
    let pm = app.live_card("4111111111111111").await;
    stripe.outage(true).await;
    let (status, pay) = send(app.live_post(
        "/v1/payments",
        &[
            ("amount", "650"),
            ("currency", "EUR"),
            ("payment_method", pm["id"].as_str().unwrap()),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{pay}");
    assert_eq!(
        pay["status"], "processing",
        "no answer: the attempt stays open"
    );
    let id = pay["id"].as_str().unwrap().to_string();
    // A refund while the processor is down waits too (on another, paid payment).
    stripe.outage(false).await;
    let (_, paid) = send(app.live_post(
        "/v1/payments",
        &[
            ("amount", "900"),
            ("currency", "EUR"),
            ("payment_method", pm["id"].as_str().unwrap()),
        ],
    ))
    .await;
    assert_eq!(paid["status"], "succeeded", "{paid}");
    stripe.outage(true).await;
    let (status, refund) = send(app.live_post(
        "/v1/refunds",
        &[("payment", paid["id"].as_str().unwrap()), ("amount", "400")],
    ))
    .await;
    assert_eq!(status, 200, "{refund}");
    assert_eq!(refund["status"], "pending");
    stripe.outage(false).await;

    clock.advance_secs(CONFIRM_CALL_SECS + 1);
    let deps = app.state.payment_deps();
    let done = run_once_for(&deps, app.state.clock.now(), Some(&app.account_id))
        .await
        .unwrap();
    assert_eq!((done.payments, done.refunds), (1, 1), "{done:?}");
    let (_, after) = send(app.live_get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(after["status"], "succeeded", "{after}");
    let (_, refunded) =
        send(app.live_get(&format!("/v1/refunds/{}", refund["id"].as_str().unwrap()))).await;
    assert_eq!(refunded["status"], "succeeded", "{refunded}");
    // One intent for the attempt the outage interrupted, one refund.
    let for_attempt = stripe.intents_with("vinr_payment", &id).await;
    assert_eq!(for_attempt, 1);
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn the_published_fake_without_idempotency_or_redirects_still_charges_once() {
    let stripe = LocalStripe::start_plain().await;
    let (app, clock) = TestApp::spawn_manual_clock().await;
    app.go_live(&stripe).await;
    // It refuses return_url and statement_descriptor_suffix: the payment goes through without.
    let pm = app.live_card("4111111111111111").await;
    let (status, pay) = send(app.live_post(
        "/v1/payments",
        &[
            ("amount", "990"),
            ("currency", "EUR"),
            ("payment_method", pm["id"].as_str().unwrap()),
            ("return_url", "https://shop.example/done"),
            ("statement_descriptor", "SHOP"),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{pay}");
    assert_eq!(pay["status"], "succeeded");

    // A refund whose answer was lost: pending here (the processor was down when asked),
    // then made at the processor by the request's own call before it died.
    let paid_id = pay["id"].as_str().unwrap();
    stripe.outage(true).await;
    let (_, refund) =
        send(app.live_post("/v1/refunds", &[("payment", paid_id), ("amount", "200")])).await;
    assert_eq!(refund["status"], "pending", "{refund}");
    stripe.outage(false).await;
    let refund_id = refund["id"].as_str().unwrap();
    let pi: String = sqlx::query_scalar("SELECT processor_ref FROM payments WHERE id = $1")
        .bind(paid_id)
        .fetch_one(app.state.store.reader())
        .await
        .unwrap();
    let card = CardProfile::default();
    app.connector()
        .await
        .refund(
            refund_id,
            &vinr::server::acquirer::Hold {
                reference: "unused",
                card: &card,
                processor_ref: Some(&pi),
            },
            200,
        )
        .await
        .unwrap();

    // A lost authorisation: the fake would charge again for the same key, so the lookup
    // finds the intent in the list first; the refund is found among the intent's refunds.
    let attempt = "ch_plainlost0000000000001";
    let (id, _) = app.lose_an_answer("5105105105105100", 440, attempt).await;
    clock.advance_secs(CONFIRM_CALL_SECS + 1);
    let deps = app.state.payment_deps();
    let done = run_once_for(&deps, app.state.clock.now(), Some(&app.account_id))
        .await
        .unwrap();
    assert_eq!((done.payments, done.refunds), (1, 1), "{done:?}");
    let (_, refunded) = send(app.live_get(&format!("/v1/refunds/{refund_id}"))).await;
    assert_eq!(refunded["status"], "succeeded");
    let refunds = stripe
        .get(&format!("/v1/refunds?payment_intent={pi}"))
        .await;
    assert_eq!(
        refunds["data"].as_array().unwrap().len(),
        1,
        "refunded once"
    );
    let (_, paid) = send(app.live_get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(paid["status"], "succeeded", "{paid}");
    let for_attempt = stripe.intents_with("vinr_attempt", attempt).await;
    assert_eq!(for_attempt, 1, "charged once");
    assert_ledger_sound(&app).await;
}
