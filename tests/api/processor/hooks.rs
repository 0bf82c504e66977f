//! The processor's webhooks: settling what its answers left open, and disputes.

use super::*;

#[tokio::test]
async fn the_processors_webhooks_settle_what_its_answers_left_open() {
    let stripe = LocalStripe::start().await;
    let (app, clock) = TestApp::spawn_manual_clock().await;
    app.go_live(&stripe).await;
    let hook = app.url("/v1/processor_hooks/acq_stripe");
    stripe.send_webhooks_to(&hook).await;

    // Unsigned, wrongly signed, stale or for an unknown connection: refused.
    let now = app.state.clock.now();
    let (body, good) = signed_event("refund.updated", serde_json::json!({}), now, HOOK_SECRET);
    let (_, wrong) = signed_event("refund.updated", serde_json::json!({}), now, "whsec_other");
    let (_, stale) = signed_event(
        "refund.updated",
        serde_json::json!({}),
        now - 600,
        HOOK_SECRET,
    );
    for (url, signature) in [
        (hook.clone(), None),
        (hook.clone(), Some(wrong)),
        (hook.clone(), Some(stale)),
        (app.url("/v1/processor_hooks/acq_other"), Some(good.clone())),
    ] {
        let mut req = app.client.post(&url).body(body.clone());
        if let Some(signature) = signature {
            req = req.header("Stripe-Signature", signature);
        }
        let (status, answer) = send(req).await;
        assert_error(
            status,
            &answer,
            400,
            "invalid_request_error",
            "signature_invalid",
        );
    }
    let (status, answer) = send(
        app.client
            .post(&hook)
            .header("Stripe-Signature", good)
            .body(body),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["recorded"], false);

    // An answer lost with its instance: the processor's own webhook (localstripe's
    // payment_intent.succeeded) records it once nobody waits on the call.
    let attempt = "ch_losthook00000000000001";
    let (id, _) = app.lose_an_answer("4111111111111111", 820, attempt).await;
    // Its webhook comes a second later, once nobody waits on the call any more.
    clock.advance_secs(CONFIRM_CALL_SECS + 1);
    let mut status = Value::Null;
    for _ in 0..50 {
        let (_, now) = send(app.live_get(&format!("/v1/payments/{id}"))).await;
        status = now["status"].clone();
        if status == "succeeded" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, "succeeded", "recorded from the processor's webhook");

    // A refund left pending (the processor was down): its refund.updated settles it, once
    // the request that made it can no longer be waiting.
    stripe.outage(true).await;
    let (_, refund) =
        send(app.live_post("/v1/refunds", &[("payment", &id), ("amount", "300")])).await;
    assert_eq!(refund["status"], "pending", "{refund}");
    stripe.outage(false).await;
    let refund_id = refund["id"].as_str().unwrap();
    let object = serde_json::json!({"id": "re_x", "object": "refund", "status": "succeeded",
        "amount": 300, "metadata": {"vinr_refund": refund_id}});
    let deliver = |t: i64| app.processor_event(&hook, "refund.updated", &object, t);
    let (status, answer) = deliver(app.state.clock.now()).await;
    assert_error(
        status,
        &answer,
        409,
        "invalid_request_error",
        "request_in_flight",
    );
    clock.advance_secs(61);
    let (status, answer) = deliver(app.state.clock.now()).await;
    assert_eq!(
        (status, answer["recorded"].clone()),
        (200, Value::Bool(true)),
        "{answer}"
    );
    let (_, settled) = send(app.live_get(&format!("/v1/refunds/{refund_id}"))).await;
    assert_eq!(settled["status"], "succeeded");
    let (_, paid) = send(app.live_get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(paid["amount_refunded"], 300);
    // The same delivery again changes nothing.
    let (status, answer) = deliver(app.state.clock.now()).await;
    assert_eq!(
        (status, answer["recorded"].clone()),
        (200, Value::Bool(false))
    );
    assert_ledger_sound(&app).await;

    // Days later the issuer sends the refund back: it failed after all. The payment is whole
    // again, the merchant's balance gets the money back (a reversal posting), refund.failed.
    let failed = serde_json::json!({"id": "re_x", "object": "refund", "status": "failed",
        "failure_reason": "lost_or_stolen_card", "amount": 300, "metadata": {"vinr_refund": refund_id}});
    let send_failed =
        || app.processor_event(&hook, "refund.updated", &failed, app.state.clock.now());
    let (status, answer) = send_failed().await;
    assert_eq!(
        (status, answer["recorded"].clone()),
        (200, Value::Bool(true)),
        "{answer}"
    );
    let (_, turned) = send(app.live_get(&format!("/v1/refunds/{refund_id}"))).await;
    assert_eq!(turned["status"], "failed", "{turned}");
    let (_, whole) = send(app.live_get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(
        (whole["status"].as_str(), whole["amount_refunded"].as_i64()),
        (Some("succeeded"), Some(0))
    );
    let (_, events) = send(app.live_get("/v1/events?type=refund.failed")).await;
    assert_eq!(events["data"].as_array().unwrap().len(), 1);
    let (_, ledger) = send(app.live_get(&format!("/v1/ledger/transactions?payment={id}"))).await;
    let kinds: Vec<&str> = ledger["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["type"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"refund_reversal"), "{kinds:?}");
    let (status, answer) = send_failed().await;
    assert_eq!(
        (status, answer["recorded"].clone()),
        (200, Value::Bool(false))
    );
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn a_dispute_reported_by_the_processor_is_recorded_and_announced() {
    let stripe = LocalStripe::start().await;
    let app = TestApp::spawn().await;
    app.go_live(&stripe).await;
    let pm = app.live_card("4111111111111111").await;
    let (_, pay) = send(app.live_post(
        "/v1/payments",
        &[
            ("amount", "2000"),
            ("currency", "EUR"),
            ("payment_method", pm["id"].as_str().unwrap()),
        ],
    ))
    .await;
    let id = pay["id"].as_str().unwrap();
    let pi: String = sqlx::query_scalar("SELECT processor_ref FROM payments WHERE id = $1")
        .bind(id)
        .fetch_one(app.state.store.reader())
        .await
        .unwrap();
    let hook = app.url("/v1/processor_hooks/acq_stripe");
    let dispute = |status: &str| {
        let object = serde_json::json!({"id": "dp_1", "object": "dispute", "amount": 2000,
            "currency": "eur", "reason": "fraudulent", "status": status, "created": 1_800_000_000,
            "payment_intent": pi, "charge": "ch_x"});
        let (body, signature) = signed_event(
            "charge.dispute.created",
            object,
            app.state.clock.now(),
            HOOK_SECRET,
        );
        send(
            app.client
                .post(&hook)
                .header("Stripe-Signature", signature)
                .body(body),
        )
    };
    let (status, answer) = dispute("needs_response").await;
    assert_eq!(
        (status, answer["recorded"].clone()),
        (200, Value::Bool(true)),
        "{answer}"
    );
    let (_, disputed) = send(app.live_get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(disputed["dispute"]["id"], "dp_1", "{disputed}");
    assert_eq!(disputed["dispute"]["reason"], "fraudulent");
    assert_eq!(disputed["dispute"]["status"], "needs_response");
    assert_eq!(disputed["status"], "succeeded");
    // The same news again is not news; a new status is.
    let (_, again) = dispute("needs_response").await;
    assert_eq!(again["recorded"], false);
    let (_, lost) = dispute("lost").await;
    assert_eq!(lost["recorded"], true);
    let (_, events) = send(app.live_get("/v1/events?type=payment.disputed")).await;
    let events = events["data"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["data"]["object"]["dispute"]["status"], "lost");
    assert_ledger_sound(&app).await;
}
