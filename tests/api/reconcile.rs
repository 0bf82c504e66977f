//! The reconciler: a confirm or a refund whose request stopped between asking the acquirer
//! and recording the answer (the state a killed instance leaves) gets its answer recorded,
//! with its charge, events and ledger postings, once its deadline has passed; and only once.

use crate::helpers::{TestApp, assert_ledger_sound, send};
use serde_json::Value;
use vinr::server::services::payments::CONFIRM_CALL_SECS;
use vinr::server::store::refunds::{self, RefundRow};
use vinr::server::workers::reconcile::{REFUND_STUCK_SECS, Reconciled, run_once_for};

impl TestApp {
    /// A payment left as a confirm leaves it after claiming it: `processing`, with `number`'s
    /// card as its method and the call deadline the confirm set.
    async fn stuck_in_processing(&self, number: &str) -> String {
        let (status, payment) =
            send(self.post_form("/v1/payments", &[("amount", "1500"), ("currency", "EUR")])).await;
        assert_eq!(status, 200, "{payment}");
        let (status, pm) = send(self.post_form(
            "/v1/payment_methods",
            &[
                ("card[number]", number),
                ("card[exp_month]", "12"),
                ("card[exp_year]", "2034"),
                ("card[cvc]", "123"),
            ],
        ))
        .await;
        assert_eq!(status, 200, "{pm}");
        let id = payment["id"].as_str().unwrap().to_string();
        let mut tx = self.state.store.begin().await.unwrap();
        sqlx::query(
            "UPDATE payments SET status = 'processing', payment_method = $2, acquirer_call_until = $3
             WHERE id = $1",
        )
        .bind(&id)
        .bind(pm["id"].as_str().unwrap())
        .bind(self.state.clock.now() + CONFIRM_CALL_SECS)
        .execute(tx.conn().await.unwrap())
        .await
        .unwrap();
        tx.commit().await.unwrap();
        id
    }

    async fn reconcile(&self) -> Reconciled {
        let deps = self.state.payment_deps();
        // This merchant's rows only: the Postgres pass shares one database with other tests.
        run_once_for(&deps, self.state.clock.now(), Some(&self.account_id))
            .await
            .unwrap()
    }

    async fn event_types(&self) -> Vec<String> {
        let (_, events) = send(self.get("/v1/events?limit=100")).await;
        events["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_string())
            .collect()
    }
}

async fn payment(app: &TestApp, id: &str) -> Value {
    let (status, body) = send(app.get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn payments_stuck_processing_get_the_acquirers_answer() {
    let (app, clock) = TestApp::spawn_manual_clock().await;
    let paid = app.stuck_in_processing("4242424242424242").await;
    let declined = app.stuck_in_processing("4000000000000002").await;
    let challenged = app.stuck_in_processing("4000000000003220").await;

    // Within the deadline the confirm may still answer: nothing is touched.
    assert_eq!(app.reconcile().await, Reconciled::default());
    assert_eq!(payment(&app, &paid).await["status"], "processing");

    clock.advance_secs(CONFIRM_CALL_SECS + 1);
    let done = app.reconcile().await;
    assert_eq!(done.payments, 3, "{done:?}");

    let p = payment(&app, &paid).await;
    assert_eq!(p["status"], "succeeded");
    assert_eq!(p["amount_received"], 1500);
    assert!(
        p["latest_charge"]
            .as_str()
            .is_some_and(|c| c.starts_with("ch_"))
    );
    let p = payment(&app, &declined).await;
    assert_eq!(p["status"], "failed");
    assert_eq!(p["last_payment_error"]["decline_code"], "generic_decline");
    let p = payment(&app, &challenged).await;
    assert_eq!(p["status"], "requires_action");
    assert!(p["next_action"]["redirect_to_url"]["url"].is_string());

    let types = app.event_types().await;
    assert!(
        types.contains(&"payment.succeeded".to_string()),
        "{types:?}"
    );
    assert!(types.contains(&"payment.failed".to_string()), "{types:?}");
    assert!(
        types.contains(&"payment.requires_action".to_string()),
        "{types:?}"
    );
    assert_ledger_sound(&app).await;

    // Once only.
    clock.advance_secs(CONFIRM_CALL_SECS + 1);
    assert_eq!(app.reconcile().await.payments, 0);
    assert_eq!(payment(&app, &paid).await["amount_received"], 1500);

    // The servers' own pass (every account) runs too; at the real time, so it leaves other
    // tests' confirms in flight alone.
    let deps = app.state.payment_deps();
    let now = vinr::server::clock::Clock::now(&vinr::server::clock::SystemClock);
    vinr::server::workers::reconcile::run_once(&deps, now)
        .await
        .expect("the all-accounts pass runs");
}

#[tokio::test]
async fn refunds_stuck_pending_get_the_acquirers_answer() {
    let (app, clock) = TestApp::spawn_manual_clock().await;
    let (status, paid) = send(app.post_form(
        "/v1/payments",
        &[
            ("amount", "5000"),
            ("currency", "EUR"),
            ("payment_method", "pm_card_visa"),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{paid}");
    let id = paid["id"].as_str().unwrap();
    // What step 1 of a refund commits before asking the acquirer: the refund and its hold.
    let now = app.state.clock.now_micros();
    let refund = RefundRow {
        id: vinr::server::crypto::new_id(vinr::domain::ids::IdKind::Refund),
        account_id: app.account_id.clone(),
        mode: vinr::domain::mode::Mode::Test,
        payment_id: id.to_string(),
        charge_id: paid["latest_charge"].as_str().map(str::to_string),
        amount: 2000,
        currency: vinr::domain::money::Currency::parse("EUR").unwrap(),
        status: vinr::domain::refund::RefundStatus::Pending,
        reason: None,
        metadata: "{}".into(),
        failure_reason: None,
        created: now / 1_000_000,
        sort_key: now,
    };
    let mut tx = app.state.store.begin().await.unwrap();
    assert!(refunds::hold(&mut tx, id, 2000).await.unwrap());
    vinr::server::store::row::insert_now(&mut tx, &refund)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    assert_eq!(app.reconcile().await.refunds, 0, "too early");
    clock.advance_secs(REFUND_STUCK_SECS + 1);
    assert_eq!(app.reconcile().await.refunds, 1);
    let (_, got) = send(app.get(&format!("/v1/refunds/{}", refund.id))).await;
    assert_eq!(got["status"], "succeeded", "{got}");
    let p = payment(&app, id).await;
    assert_eq!(p["status"], "partially_refunded");
    assert_eq!(p["amount_refunded"], 2000);
    assert!(
        app.event_types()
            .await
            .contains(&"refund.succeeded".to_string())
    );
    assert_ledger_sound(&app).await;

    // Once only; and the rest can still be refunded the normal way.
    clock.advance_secs(REFUND_STUCK_SECS + 1);
    assert_eq!(app.reconcile().await.refunds, 0);
    let (status, rest) = send(app.post_form(&format!("/v1/payments/{id}/refunds"), &[])).await;
    assert_eq!(status, 200, "{rest}");
    assert_eq!(rest["amount"], 3000);
    assert_eq!(payment(&app, id).await["status"], "refunded");
    assert_ledger_sound(&app).await;
}
