//! `/v1/account`, health checks and the three ways to present a key.

use crate::helpers::{TestApp, assert_error, send, send_raw};
use base64::Engine;
use vinr::server::clock::Clock;

#[tokio::test]
async fn account_answers_for_each_form_of_key() {
    let app = TestApp::spawn().await;
    let (status, body) = send(app.get("/v1/account")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], app.account_id.as_str());
    assert_eq!(body["object"], "account");
    assert_eq!(body["business_name"], "Test Shop");
    assert_eq!(body["livemode"], false);
    assert_eq!(body["key_type"], "secret");

    let bearer = app
        .client
        .get(app.url("/v1/account"))
        .bearer_auth(&app.sk_test);
    assert_eq!(send(bearer).await.1["id"], app.account_id.as_str());
    let basic = app
        .client
        .get(app.url("/v1/account"))
        .basic_auth(&app.sk_test, Some(""));
    assert_eq!(send(basic).await.1["id"], app.account_id.as_str());
    let manual_basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:", app.sk_test));
    let raw = app
        .client
        .get(app.url("/v1/account"))
        .header("Authorization", format!("Basic {manual_basic}"));
    assert_eq!(send(raw).await.0, 200);

    let live = app
        .client
        .get(app.url("/v1/account"))
        .header("X-Api-Key", &app.sk_live);
    assert_eq!(send(live).await.1["livemode"], true);
    let publishable = app
        .client
        .get(app.url("/v1/account"))
        .header("X-Api-Key", &app.pk_test);
    assert_eq!(send(publishable).await.1["key_type"], "publishable");
}

#[tokio::test]
async fn missing_and_wrong_keys_are_401s() {
    let app = TestApp::spawn().await;
    let (status, body) = send(app.client.get(app.url("/v1/account"))).await;
    assert_error(
        status,
        &body,
        401,
        "authentication_error",
        "api_key_missing",
    );

    let wrong = format!("{}x", app.sk_test);
    let (status, body) = send(
        app.client
            .get(app.url("/v1/account"))
            .header("X-Api-Key", &wrong),
    )
    .await;
    assert_error(
        status,
        &body,
        401,
        "authentication_error",
        "api_key_invalid",
    );
    // The error never repeats the key it was given.
    assert!(!body.to_string().contains(&wrong[8..wrong.len() - 4]));

    let (status, body) = send(
        app.client
            .get(app.url("/v1/account"))
            .header("X-Api-Key", "not-a-key"),
    )
    .await;
    assert_error(
        status,
        &body,
        401,
        "authentication_error",
        "api_key_invalid",
    );
    let (status, body) = send(
        app.client
            .get(app.url("/v1/account"))
            .header("Authorization", "Basic %%%"),
    )
    .await;
    assert_error(
        status,
        &body,
        401,
        "authentication_error",
        "api_key_missing",
    );
}

#[tokio::test]
async fn a_rolled_key_stops_after_its_grace_period() {
    let (app, clock) = TestApp::spawn_manual_clock().await;
    let issued = vinr::server::services::accounts::roll_key(
        &app.state.store,
        &clock,
        &app.account_id,
        vinr::domain::mode::Mode::Test,
        vinr::domain::api_key::KeyKind::Secret,
        3600,
    )
    .await
    .unwrap();
    let new_key = issued.key.expose().to_string();
    let with = |key: &str| {
        app.client
            .get(app.url("/v1/account"))
            .header("X-Api-Key", key.to_string())
    };
    assert_eq!(
        send(with(&app.sk_test)).await.0,
        200,
        "old key works during the grace period"
    );
    assert_eq!(send(with(&new_key)).await.0, 200);
    clock.advance_secs(3601);
    let (status, body) = send(with(&app.sk_test)).await;
    assert_error(
        status,
        &body,
        401,
        "authentication_error",
        "api_key_expired",
    );
    assert_eq!(send(with(&new_key)).await.0, 200);
}

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    let (status, body) = send(app.client.get(app.url("/healthz"))).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    let (status, body) = send(app.client.get(app.url("/readyz"))).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ready")));
    let expected = if app.sqlite_path.is_some() {
        "sqlite"
    } else {
        "postgres"
    };
    assert_eq!(body["database"], expected);
}

#[tokio::test]
async fn every_response_carries_an_id_and_security_headers() {
    let app = TestApp::spawn().await;
    let resp = send_raw(app.get("/v1/account")).await;
    let id = resp.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(id.starts_with("req_"), "{id}");
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    let csp = resp.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
}

#[tokio::test]
async fn a_dead_database_is_a_500_that_says_nothing_more() {
    let app = TestApp::spawn().await;
    app.state.store.close().await;
    let (status, body) = send(app.get("/v1/customers")).await;
    assert_error(status, &body, 500, "api_error", "internal_error");
    assert_eq!(body["error"]["message"], "Something went wrong");
    let (status, body) = send(app.client.get(app.url("/readyz"))).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (503, Some("unavailable"))
    );
}

#[tokio::test]
async fn housekeeping_forgets_old_idempotency_keys_only() {
    // This app's clock runs three days behind, so its key is old by the wall clock while the
    // keys of tests running beside it (on a shared Postgres database) are fresh.
    let three_days = 3 * 24 * 3600;
    let clock = vinr::server::clock::ManualClock::starting_at(
        vinr::server::clock::SystemClock.now() - three_days,
    );
    let app = TestApp::spawn_with_clock(std::sync::Arc::new(clock.clone())).await;
    let (status, _) = send(
        app.post_form("/v1/customers", &[("email", "a@example.com")])
            .header("Idempotency-Key", "old"),
    )
    .await;
    assert_eq!(status, 200);
    let scope = vinr::server::store::idempotency::KeyScope {
        account_id: &app.account_id,
        mode: "test",
        key: "old",
    };
    let stored = || async {
        vinr::server::store::idempotency::find(&app.state.store, &scope)
            .await
            .unwrap()
    };

    vinr::server::workers::housekeeping::run_once(&app.state.store, clock.now() + 3600)
        .await
        .unwrap();
    assert!(
        stored().await.is_some(),
        "a key younger than the retention is kept"
    );
    vinr::server::workers::housekeeping::run_once(
        &app.state.store,
        vinr::server::clock::SystemClock.now(),
    )
    .await
    .unwrap();
    assert!(
        stored().await.is_none(),
        "a key older than the retention is forgotten"
    );
}
