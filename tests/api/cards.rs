//! Card numbers (API-direct): every test card of §6 by number, and the number never stored.

use crate::helpers::{TestApp, assert_error, send};
use serde_json::Value;

impl TestApp {
    /// Tokenises a card with the publishable key, as a browser would.
    async fn tokenize(&self, number: &str, cvc: &str) -> (u16, Value) {
        let req = self
            .client
            .post(self.url("/v1/payment_methods"))
            .header("X-Api-Key", &self.pk_test)
            .form(&[
                ("type", "card"),
                ("card[number]", number),
                ("card[exp_month]", "12"),
                ("card[exp_year]", "2034"),
                ("card[cvc]", cvc),
            ]);
        send(req).await
    }

    async fn pay_with_card(&self, number: &str) -> (u16, Value) {
        let (status, pm) = self.tokenize(number, "123").await;
        assert_eq!(status, 200, "{pm}");
        let id = pm["id"].as_str().unwrap().to_string();
        send(self.post_form(
            "/v1/payments",
            &[
                ("amount", "2000"),
                ("payment_method", &id),
                ("confirm", "true"),
            ],
        ))
        .await
    }
}

#[tokio::test]
async fn every_test_card_number_behaves_as_documented() {
    let app = TestApp::spawn().await;
    for number in ["4242 4242 4242 4242", "5555555555554444"] {
        let (status, p) = app.pay_with_card(number).await;
        assert_eq!(
            (status, p["status"].as_str()),
            (200, Some("succeeded")),
            "{number}: {p}"
        );
    }
    let (status, p) = {
        let (_, pm) = app.tokenize("378282246310005", "1234").await;
        send(app.post_form(
            "/v1/payments",
            &[
                ("amount", "2000"),
                ("payment_method", pm["id"].as_str().unwrap()),
            ],
        ))
        .await
    };
    assert_eq!(
        (status, p["status"].as_str()),
        (200, Some("succeeded")),
        "amex: {p}"
    );
    let declines = [
        ("4000000000000002", "card_declined", "generic_decline"),
        ("4000000000009995", "card_declined", "insufficient_funds"),
        ("4000000000000127", "incorrect_cvc", "incorrect_cvc"),
        ("4000000000000069", "expired_card", "expired_card"),
        ("4000000000000119", "processing_error", "processing_error"),
    ];
    for (number, code, decline_code) in declines {
        let (status, body) = app.pay_with_card(number).await;
        assert_error(status, &body, 402, "card_error", code);
        assert_eq!(body["error"]["decline_code"], decline_code, "{number}");
    }
    for number in ["4000000000003220", "4000008400001629"] {
        let (status, p) = app.pay_with_card(number).await;
        assert_eq!(
            (status, p["status"].as_str()),
            (200, Some("requires_action")),
            "{number}"
        );
        let id = p["id"].as_str().unwrap();
        let (status, done) = send(app.post_form(
            &format!("/v1/payments/{id}/confirm"),
            &[("details[challenge]", "completed")],
        ))
        .await;
        if number.ends_with("3220") {
            assert_eq!((status, done["status"].as_str()), (200, Some("succeeded")));
        } else {
            assert_error(status, &done, 402, "card_error", "card_declined");
        }
    }
}

#[tokio::test]
async fn invalid_cards_are_refused_before_anything_is_stored() {
    let app = TestApp::spawn().await;
    let (status, body) = app.tokenize("4242 4242 4242 4241", "123").await;
    assert_error(status, &body, 402, "card_error", "incorrect_number");
    assert_eq!(body["error"]["param"], "card[number]");
    let (status, body) = app.tokenize("378282246310005", "123").await;
    assert_error(status, &body, 402, "card_error", "invalid_cvc");
    let past = app
        .client
        .post(app.url("/v1/payment_methods"))
        .header("X-Api-Key", &app.pk_test)
        .form(&[
            ("card[number]", "4242424242424242"),
            ("card[exp_month]", "1"),
            ("card[exp_year]", "2020"),
            ("card[cvc]", "123"),
        ]);
    let (status, body) = send(past).await;
    assert_error(status, &body, 402, "card_error", "invalid_expiry_year");
    let (status, body) = send(app.post_form(
        "/v1/payment_methods",
        &[("card[number]", "4242424242424242")],
    ))
    .await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_missing",
    );
    let no_key = app
        .client
        .post(app.url("/v1/payment_methods"))
        .form(&[("card[number]", "4242424242424242")]);
    assert_eq!(send(no_key).await.0, 401);
}

#[tokio::test]
async fn the_card_number_never_leaves_the_request() {
    let app = TestApp::spawn().await;
    let (status, pm) = app.tokenize("4242424242424242", "321").await;
    assert_eq!(status, 200);
    assert_eq!(
        (pm["card"]["brand"].as_str(), pm["card"]["last4"].as_str()),
        (Some("visa"), Some("4242"))
    );
    let (_, again) = app.tokenize("4242 4242 4242 4242", "999").await;
    assert_eq!(
        pm["card"]["fingerprint"], again["card"]["fingerprint"],
        "same card, same fingerprint"
    );
    let (_, p) = send(app.post_form(
        "/v1/payments",
        &[
            ("amount", "100"),
            ("payment_method", pm["id"].as_str().unwrap()),
        ],
    ))
    .await;
    let (_, events) = send(app.get("/v1/events?limit=100")).await;
    let (_, charge) = send(app.get(&format!(
        "/v1/payments/{}?expand[]=latest_charge",
        p["id"].as_str().unwrap()
    )))
    .await;
    for text in [
        pm.to_string(),
        p.to_string(),
        events.to_string(),
        charge.to_string(),
    ] {
        assert!(
            !text.contains("4242424242424242") && !text.contains("424242424242"),
            "{text}"
        );
    }
    let Some(path) = &app.sqlite_path else { return };
    let mut bytes = std::fs::read(path).unwrap();
    if let Ok(wal) = std::fs::read(format!("{}-wal", path.display())) {
        bytes.extend(wal);
    }
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        !text.contains("4242424242424242"),
        "the card number reached the database"
    );
    // Three digits turn up by chance in random ids, so the CVC is looked for as a value:
    // a whole column, or a JSON string inside one.
    let pool = app.state.store.reader();
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for (table,) in tables {
        let columns: Vec<(String,)> =
            sqlx::query_as(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .fetch_all(pool)
                .await
                .unwrap();
        for (column,) in columns {
            let (hits,): (i64,) = sqlx::query_as(&format!(
                "SELECT COUNT(*) FROM {table} WHERE CAST({column} AS TEXT) = '321'
                     OR CAST({column} AS TEXT) LIKE '%\"321\"%'"
            ))
            .fetch_one(pool)
            .await
            .unwrap();
            assert_eq!(hits, 0, "the CVC reached the database ({table}.{column})");
        }
    }
}
