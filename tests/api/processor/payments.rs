//! Live payments at the processor: what live mode refuses, authorise, capture and refund,
//! declines and challenges, no card number stored, and a test-mode connection taking the
//! guides' test tokens.

use super::*;

#[tokio::test]
async fn live_mode_needs_a_processor_and_refuses_sandbox_and_test_cards() {
    let stripe = LocalStripe::start().await;
    let app = TestApp::spawn().await;
    // No processor yet: live payments say how to add one.
    let (status, body) =
        send(app.live_post("/v1/payments", &[("amount", "500"), ("currency", "EUR")])).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("kind=stripe"),
        "{body}"
    );
    let (_, listed) = send(app.live_get("/v1/acquirer_connections")).await;
    assert_eq!(
        listed["data"].as_array().unwrap().len(),
        0,
        "live mode starts with none"
    );
    // Live mode takes no sandbox connection and no test key; a refused key is reported now.
    let bad = [
        (vec![("id", "acq_sim"), ("kind", "sandbox")], "kind", None),
        (
            vec![
                ("id", "acq_s"),
                ("kind", "stripe"),
                ("stripe[secret_key]", "sk_test_abc"),
            ],
            "stripe[secret_key]",
            None,
        ),
        (
            // localstripe answers 401 to a key that is not an sk_ key.
            vec![
                ("id", "acq_s"),
                ("kind", "stripe"),
                ("stripe[secret_key]", "rk_live_abc"),
                ("stripe[api_base]", &stripe.base),
            ],
            "stripe[secret_key]",
            Some("processor_key_invalid"),
        ),
        (
            vec![
                ("id", "acq_s"),
                ("kind", "stripe"),
                ("stripe[secret_key]", "sk_live_abc"),
                ("stripe[api_base]", "http://127.0.0.1:9"),
            ],
            "stripe[secret_key]",
            Some("processor_key_invalid"),
        ),
        (
            // A host the operator does not allow is never called.
            vec![
                ("id", "acq_s"),
                ("kind", "stripe"),
                ("stripe[secret_key]", "sk_live_abc"),
                ("stripe[api_base]", "https://10.0.0.1"),
            ],
            "stripe[api_base]",
            None,
        ),
    ];
    for (form, param, code) in bad {
        let (status, body) = send(app.live_post("/v1/acquirer_connections", &form)).await;
        assert_eq!(status, 400, "{form:?}: {body}");
        assert_eq!(body["error"]["param"], param, "{body}");
        if let Some(code) = code {
            assert_eq!(body["error"]["code"], code, "{body}");
        }
    }
    app.go_live(&stripe).await;
    // A test card never reaches the processor in live mode; nor does a test token.
    let before = stripe.requests().len();
    let (status, body) = send(app.live_post(
        "/v1/payment_methods",
        &[
            ("card[number]", "4242424242424242"),
            ("card[exp_month]", "12"),
            ("card[exp_year]", "2034"),
            ("card[cvc]", "123"),
        ],
    ))
    .await;
    assert_error(status, &body, 402, "card_error", "card_declined");
    assert_eq!(body["error"]["decline_code"], "live_mode_test_card");
    let (status, _) = send(app.live_post(
        "/v1/payments",
        &[
            ("amount", "500"),
            ("currency", "EUR"),
            ("payment_method", "pm_card_visa"),
        ],
    ))
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        stripe.requests().len(),
        before,
        "nothing was sent to the processor"
    );
    // A sandbox connection named in live mode is refused too (the test mode one exists).
    let pm = app.live_card("4111111111111111").await;
    let (status, body) = send(app.live_post(
        "/v1/payments",
        &[
            ("amount", "500"),
            ("currency", "EUR"),
            ("payment_method", pm["id"].as_str().unwrap()),
            ("routing[preferred_acquirer]", "acq_sandbox"),
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
    assert_eq!(body["error"]["param"], "routing[preferred_acquirer]");
}

#[tokio::test]
async fn a_live_payment_is_authorised_captured_and_refunded_at_the_processor() {
    let stripe = LocalStripe::start().await;
    let app = TestApp::spawn().await;
    app.go_live(&stripe).await;
    let pm = app.live_card("4111111111111111").await;
    assert_eq!(pm["card"]["last4"], "1111");
    let (status, pay) = send(app.live_post(
        "/v1/payments",
        &[
            ("amount", "5000"),
            ("currency", "EUR"),
            ("payment_method", pm["id"].as_str().unwrap()),
            ("capture_method", "manual"),
            ("statement_descriptor", "VINR SHOP"),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{pay}");
    assert_eq!(pay["status"], "requires_capture");
    assert_eq!(pay["acquirer"], "acq_stripe");
    assert_eq!(pay["livemode"], true);
    let id = pay["id"].as_str().unwrap();
    let charge = pay["latest_charge"].as_str().unwrap();

    // What reached the processor: the card once (to tokenise it), then only its token, with
    // our attempt (the charge id) as the idempotency key.
    let sent = stripe.requests();
    let intent = sent
        .iter()
        .find(|r| r["path"] == "/v1/payment_intents")
        .expect("an intent was created");
    assert_eq!(intent["idempotency_key"], charge);
    assert_eq!(intent["form"]["amount"], "5000");
    assert_eq!(intent["form"]["currency"], "eur");
    assert_eq!(intent["form"]["capture_method"], "manual");
    assert_eq!(intent["form"]["statement_descriptor_suffix"], "VINR SHOP");
    assert_eq!(intent["form"]["metadata[vinr_attempt]"], charge);
    for r in &sent {
        if r["path"] != "/v1/payment_methods" {
            assert!(!r.to_string().contains("4111111111111111"), "{r}");
        }
    }

    let (status, captured) = send(app.live_post(
        &format!("/v1/payments/{id}/capture"),
        &[("amount_to_capture", "3000")],
    ))
    .await;
    assert_eq!(status, 200, "{captured}");
    assert_eq!(captured["status"], "succeeded");
    assert_eq!(captured["amount_received"], 3000);
    let pi_id = stripe.requests().iter().rev().find_map(|r| {
        r["path"]
            .as_str()
            .unwrap()
            .strip_suffix("/capture")
            .map(|p| p.trim_start_matches("/v1/payment_intents/").to_string())
    });
    let pi = stripe
        .get(&format!("/v1/payment_intents/{}", pi_id.unwrap()))
        .await;
    assert_eq!(pi["status"], "succeeded", "{pi}");
    assert_eq!(pi["metadata"]["vinr_attempt"], charge);

    let (status, refund) =
        send(app.live_post("/v1/refunds", &[("payment", id), ("amount", "1000")])).await;
    assert_eq!(status, 200, "{refund}");
    assert_eq!(refund["status"], "succeeded");
    let refunds: Vec<Value> = stripe
        .requests()
        .into_iter()
        .filter(|r| r["path"] == "/v1/refunds")
        .collect();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0]["form"]["amount"], "1000");
    assert_eq!(refunds[0]["idempotency_key"], refund["id"]);
    let (_, after) = send(app.live_get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(after["amount_refunded"], 1000);

    // Partial reversal is not something Stripe does: a clear 400, the hold untouched.
    let pm2 = app.live_card("5105105105105100").await;
    let (_, held) = send(app.live_post(
        "/v1/payments",
        &[
            ("amount", "800"),
            ("currency", "EUR"),
            ("payment_method", pm2["id"].as_str().unwrap()),
            ("capture_method", "manual"),
        ],
    ))
    .await;
    let held_id = held["id"].as_str().unwrap();
    let (status, body) = send(app.live_post(
        &format!("/v1/payments/{held_id}/reverse"),
        &[("amount", "300")],
    ))
    .await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    let (status, canceled) =
        send(app.live_post(&format!("/v1/payments/{held_id}/cancel"), &[])).await;
    assert_eq!(status, 200, "{canceled}");
    assert_eq!(canceled["status"], "canceled");
    assert!(
        stripe
            .requests()
            .iter()
            .any(|r| r["path"].as_str().unwrap().ends_with("/cancel")),
        "the hold was released at the processor"
    );
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn declines_and_challenges_come_from_the_processor() {
    let stripe = LocalStripe::start().await;
    let app = TestApp::spawn().await;
    app.go_live(&stripe).await;
    // Stripe's "charge fails" card: declined at the authorisation.
    let pm = app.live_card("4000000000000341").await;
    let (status, body) = send(app.live_post(
        "/v1/payments",
        &[
            ("amount", "900"),
            ("currency", "EUR"),
            ("payment_method", pm["id"].as_str().unwrap()),
        ],
    ))
    .await;
    assert_error(status, &body, 402, "card_error", "card_declined");

    // Stripe's "always authenticate" card: a challenge at the processor's page, which sends
    // the customer back to VINR, which asks the processor how it ended.
    let pm = app.live_card("4000002760003184").await;
    let (status, pay) = send(app.live_post(
        "/v1/payments",
        &[
            ("amount", "1200"),
            ("currency", "EUR"),
            ("payment_method", pm["id"].as_str().unwrap()),
            ("return_url", "https://shop.example/done"),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{pay}");
    assert_eq!(pay["status"], "requires_action");
    let id = pay["id"].as_str().unwrap();
    let url = pay["next_action"]["redirect_to_url"]["url"]
        .as_str()
        .unwrap();
    assert!(url.starts_with(&format!("{}/_acs/", stripe.base)), "{url}");
    assert_eq!(
        pay["next_action"]["redirect_to_url"]["return_url"],
        "https://shop.example/done"
    );
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let acs = browser
        .post(url)
        .form(&[("result", "complete")])
        .send()
        .await
        .unwrap();
    let back = acs.headers()["location"].to_str().unwrap().to_string();
    assert!(back.ends_with(&format!("/processor/return/{id}")), "{back}");
    let done = browser
        .get(app.url(&format!("/processor/return/{id}")))
        .send()
        .await
        .unwrap();
    let target = done.headers()["location"].to_str().unwrap().to_string();
    assert!(
        target.starts_with("https://shop.example/done?payment_id="),
        "{target}"
    );
    assert!(target.ends_with("status=succeeded"), "{target}");
    let (_, paid) = send(app.live_get(&format!("/v1/payments/{id}"))).await;
    assert_eq!(paid["status"], "succeeded");
    assert_eq!(paid["amount_received"], 1200);
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn no_card_number_reaches_vinrs_database() {
    let stripe = LocalStripe::start().await;
    let app = TestApp::spawn().await;
    let Some(path) = app.sqlite_path.clone() else {
        return; // The Postgres pass: the SQLite pass reads the file.
    };
    app.go_live(&stripe).await;
    let numbers = ["4111111111111111", "5105105105105100", "4000002760003184"];
    for number in numbers {
        let pm = app.live_card(number).await;
        send(app.live_post(
            "/v1/payments",
            &[
                ("amount", "300"),
                ("currency", "EUR"),
                ("payment_method", pm["id"].as_str().unwrap()),
            ],
        ))
        .await;
    }
    // The processor got each number (that is where it goes) …
    let sent = stripe.requests();
    for number in numbers {
        assert!(sent.iter().any(|r| r["form"]["card[number]"] == number));
    }
    // … and VINR's database does not (its log included).
    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(format!("{}-wal", path.display())) {
        bytes.extend(wal);
    }
    for number in numbers {
        let found = bytes.windows(number.len()).any(|w| w == number.as_bytes());
        assert!(!found, "{number} reached the database");
    }
}

#[tokio::test]
async fn a_test_mode_stripe_connection_takes_the_guides_test_tokens() {
    let stripe = LocalStripe::start().await;
    let app = TestApp::spawn().await;
    let (status, body) = send(app.post_form(
        "/v1/acquirer_connections",
        &[
            ("id", "acq_stripe_test"),
            ("kind", "stripe"),
            ("stripe[secret_key]", "sk_test_vinrtests"),
            ("stripe[api_base]", &stripe.base),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["default"], false,
        "the sandbox stays test mode's default"
    );
    // Stripe's own pm_card_visa, through the processor; the sandbox still answers the rest.
    let (status, pay) = send(app.post_form(
        "/v1/payments",
        &[
            ("amount", "1000"),
            ("currency", "EUR"),
            ("payment_method", "pm_card_visa"),
            ("routing[preferred_acquirer]", "acq_stripe_test"),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{pay}");
    assert_eq!(pay["status"], "succeeded");
    assert_eq!(pay["acquirer"], "acq_stripe_test");
    let sent = stripe.requests();
    let intent = sent
        .iter()
        .find(|r| r["path"] == "/v1/payment_intents")
        .expect("sent to the processor");
    assert_eq!(intent["form"]["payment_method"], "pm_card_visa");
    // A sandbox payment method saved earlier cannot go through the processor.
    let (_, sandbox_pay) = send(app.post_form(
        "/v1/payments",
        &[
            ("amount", "500"),
            ("currency", "EUR"),
            ("payment_method", "pm_card_visa"),
        ],
    ))
    .await;
    assert_eq!(sandbox_pay["acquirer"], "acq_sandbox");
    let saved = sandbox_pay["payment_method"].as_str().unwrap();
    let (status, body) = send(app.post_form(
        "/v1/payments",
        &[
            ("amount", "500"),
            ("currency", "EUR"),
            ("payment_method", saved),
            ("routing[preferred_acquirer]", "acq_stripe_test"),
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
    assert_eq!(body["error"]["param"], "payment_method");
}
