//! A live subscription charged off-session with the customer's saved processor token.

use super::*;

#[tokio::test]
async fn a_live_subscription_is_charged_off_session_with_the_saved_token() {
    let stripe = LocalStripe::start().await;
    let (app, clock) = TestApp::spawn_manual_clock().await;
    app.go_live(&stripe).await;
    let (_, cust) = send(app.live_post("/v1/customers", &[("email", "live@example.com")])).await;
    let cust = cust["id"].as_str().unwrap().to_string();
    let pm = app.live_card("4111111111111111").await;
    let pm = pm["id"].as_str().unwrap().to_string();
    let (status, body) = send(app.live_post(
        &format!("/v1/payment_methods/{pm}/attach"),
        &[("customer", &cust)],
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    send(app.live_post(
        &format!("/v1/customers/{cust}"),
        &[("default_payment_method", &pm)],
    ))
    .await;
    let (status, _) = send(app.live_post(
        "/v1/products",
        &[("id", "prod_live"), ("name", "Live plan")],
    ))
    .await;
    assert_eq!(status, 200);
    let (status, price) = send(app.live_post(
        "/v1/prices",
        &[
            ("product", "prod_live"),
            ("unit_amount", "1500"),
            ("currency", "EUR"),
            ("recurring[interval]", "month"),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{price}");
    let (status, sub) = send(app.live_post(
        "/v1/subscriptions",
        &[
            ("customer", &cust),
            ("items[0][price]", price["id"].as_str().unwrap()),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{sub}");
    assert_eq!(sub["status"], "active", "{sub}");
    let sub_id = sub["id"].as_str().unwrap().to_string();
    let token: String =
        sqlx::query_scalar("SELECT processor_token FROM payment_methods WHERE id = $1")
            .bind(&pm)
            .fetch_one(app.state.store.reader())
            .await
            .unwrap();
    let intent_of = |payment: &str| {
        stripe.requests().into_iter().find(|r| {
            r["path"] == "/v1/payment_intents" && r["form"]["metadata[vinr_payment]"] == payment
        })
    };
    // The first invoice is charged once the subscription and its attempt are written (a lost
    // answer is then looked up), with the saved token; a 3-D Secure card would be asked to
    // pay on the hosted invoice page.
    let (_, first) = send(app.live_get(&format!(
        "/v1/invoices/{}",
        sub["latest_invoice"].as_str().unwrap()
    )))
    .await;
    assert_eq!(first["status"], "paid", "{first}");
    let charge = intent_of(first["payment"].as_str().unwrap()).expect("the first intent");
    assert_eq!(charge["form"]["payment_method"], token.as_str());
    // error_if_incomplete cannot be kept through a processor (nothing may be written before
    // the answer, and the answer must not be lost): refused, nothing written.
    let (status, body) = send(app.live_post(
        "/v1/subscriptions",
        &[
            ("customer", &cust),
            ("items[0][price]", price["id"].as_str().unwrap()),
            ("payment_behavior", "error_if_incomplete"),
        ],
    ))
    .await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    assert_eq!(body["error"]["param"], "payment_behavior");

    // The renewal, a month on: made, a draft for an hour, then charged with the saved token,
    // the customer not there.
    let deps = app.state.payment_deps();
    let mine = vinr::server::services::billing::engine::Scope::Account(&app.account_id);
    clock.advance_secs(32 * 86_400);
    vinr::server::services::billing::engine::drain_wall(&deps, 100, mine)
        .await
        .unwrap();
    clock.advance_secs(3_601);
    vinr::server::services::billing::engine::drain_wall(&deps, 100, mine)
        .await
        .unwrap();
    let (_, invoices) = send(app.live_get(&format!("/v1/invoices?subscription={sub_id}"))).await;
    let renewal = &invoices["data"][0];
    assert_eq!(
        renewal["billing_reason"], "subscription_cycle",
        "{invoices}"
    );
    assert_eq!(renewal["status"], "paid", "{renewal}");
    let charge = intent_of(renewal["payment"].as_str().unwrap()).expect("the renewal's intent");
    assert_eq!(charge["form"]["payment_method"], token.as_str());
    assert_eq!(charge["form"]["off_session"], "true", "{charge}");
    assert_eq!(charge["form"]["amount"], "1500");
    assert!(
        charge["form"]["return_url"].is_null(),
        "off session: no challenge to return from"
    );
    assert_ledger_sound(&app).await;
}
