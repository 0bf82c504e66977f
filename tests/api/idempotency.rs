//! §4: replay, mismatch, in-flight races, and nothing stored for failed requests.

use crate::helpers::{TestApp, assert_error, send, send_raw};
use vinr::server::store::customers;

async fn customer_count(app: &TestApp) -> i64 {
    customers::count(app.state.store.reader(), &app.account_id, "test")
        .await
        .unwrap()
}

#[tokio::test]
async fn same_key_and_parameters_replay_the_first_response() {
    let app = TestApp::spawn().await;
    let form = [("email", "jenny@example.com"), ("metadata[order_id]", "42")];
    let first = send_raw(
        app.post_form("/v1/customers", &form)
            .header("Idempotency-Key", "order-42"),
    )
    .await;
    assert_eq!(first.status(), 200);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: serde_json::Value = first.json().await.unwrap();

    let again = send_raw(
        app.post_form("/v1/customers", &form)
            .header("Idempotency-Key", "order-42"),
    )
    .await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: serde_json::Value = again.json().await.unwrap();
    assert_eq!(first, again, "a replay returns the stored body exactly");
    assert_eq!(customer_count(&app).await, 1);

    // The same parameters as JSON, keys in another order, are the same request.
    let json = serde_json::json!({"metadata": {"order_id": "42"}, "email": "jenny@example.com"});
    let (status, body) = send(
        app.post_json("/v1/customers", &json)
            .header("Idempotency-Key", "order-42"),
    )
    .await;
    assert_eq!((status, &body), (200, &first));
    assert_eq!(customer_count(&app).await, 1);
}

#[tokio::test]
async fn same_key_with_other_parameters_is_422() {
    let app = TestApp::spawn().await;
    let (status, _) = send(
        app.post_form("/v1/customers", &[("email", "a@example.com")])
            .header("Idempotency-Key", "k1"),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = send(
        app.post_form("/v1/customers", &[("email", "b@example.com")])
            .header("Idempotency-Key", "k1"),
    )
    .await;
    assert_error(
        status,
        &body,
        422,
        "idempotency_error",
        "idempotency_key_reused",
    );
    // Another endpoint with the same key is another request too.
    let (_, created) = send(app.get("/v1/customers")).await;
    let id = created["data"][0]["id"].as_str().unwrap().to_string();
    let (status, body) = send(
        app.post_form(
            &format!("/v1/customers/{id}"),
            &[("email", "a@example.com")],
        )
        .header("Idempotency-Key", "k1"),
    )
    .await;
    assert_error(
        status,
        &body,
        422,
        "idempotency_error",
        "idempotency_key_reused",
    );
    assert_eq!(customer_count(&app).await, 1);
}

#[tokio::test]
async fn a_failed_request_stores_nothing_and_may_be_retried() {
    let app = TestApp::spawn().await;
    let (status, body) = send(
        app.post_form("/v1/customers", &[("email", "not-an-email")])
            .header("Idempotency-Key", "retry-me"),
    )
    .await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    assert_eq!(body["error"]["param"], "email");
    // The key is free again: a corrected retry goes through (and is not a 422).
    let (status, body) = send(
        app.post_form("/v1/customers", &[("email", "fixed@example.com")])
            .header("Idempotency-Key", "retry-me"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(customer_count(&app).await, 1);
}

#[tokio::test]
async fn keys_are_scoped_to_account_and_mode() {
    let app = TestApp::spawn().await;
    let other = TestApp::spawn().await;
    let form = [("email", "same@example.com")];
    let (s1, a) = send(
        app.post_form("/v1/customers", &form)
            .header("Idempotency-Key", "shared"),
    )
    .await;
    let live = app
        .client
        .post(app.url("/v1/customers"))
        .header("X-Api-Key", &app.sk_live)
        .header("Idempotency-Key", "shared")
        .form(&form);
    let (s2, b) = send(live).await;
    let (s3, c) = send(
        other
            .post_form("/v1/customers", &form)
            .header("Idempotency-Key", "shared"),
    )
    .await;
    assert_eq!((s1, s2, s3), (200, 200, 200));
    assert_ne!(a["id"], b["id"]);
    assert_ne!(a["id"], c["id"]);
    assert_eq!(b["livemode"], true);
}

#[tokio::test]
async fn fifty_concurrent_requests_with_one_key_make_one_customer() {
    let app = TestApp::spawn().await;
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let req = app
            .post_form("/v1/customers", &[("email", "race@example.com")])
            .header("Idempotency-Key", "the-race");
        tasks.push(tokio::spawn(async move {
            let resp = req.send().await.unwrap();
            let replayed = resp.headers().contains_key("idempotent-replayed");
            let status = resp.status().as_u16();
            (
                status,
                replayed,
                resp.json::<serde_json::Value>().await.unwrap(),
            )
        }));
    }
    let mut originals = 0;
    let mut ids = std::collections::HashSet::new();
    for task in tasks {
        let (status, replayed, body) = task.await.unwrap();
        match status {
            200 => {
                if !replayed {
                    originals += 1;
                }
                ids.insert(body["id"].as_str().unwrap().to_string());
            }
            409 => assert_eq!(body["error"]["code"], "idempotency_key_in_use", "{body}"),
            other => panic!("unexpected status {other}: {body}"),
        }
    }
    assert_eq!(originals, 1, "exactly one request did the work");
    assert_eq!(ids.len(), 1, "every success names the same customer");
    assert_eq!(customer_count(&app).await, 1);
}
