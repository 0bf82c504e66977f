//! The endpoints API: create, retrieve, update, list, delete; the secret shown once.

use super::endpoint;
use crate::helpers::{TestApp, assert_error, send};
use serde_json::json;

#[tokio::test]
async fn endpoints_are_managed_and_their_secret_shown_once() {
    let app = TestApp::spawn().await;
    let created = endpoint(&app, "https://shop.example/hooks", &["payment.completed"]).await;
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("we_"));
    assert_eq!(created["object"], "webhook_endpoint");
    assert_eq!(created["enabled_events"], json!(["payment.completed"]));
    assert_eq!(created["status"], "enabled");
    let secret = created["secret"].as_str().unwrap();
    assert_eq!(
        vinr::server::services::webhooks::signing::secret_key(secret)
            .unwrap()
            .len(),
        32,
        "{secret}"
    );

    let (status, fetched) = send(app.get(&format!("/v1/webhook_endpoints/{id}"))).await;
    assert_eq!(status, 200);
    assert!(
        fetched.get("secret").is_none(),
        "secret shown again: {fetched}"
    );

    // JSON body, default subscription, then updates.
    let (_, all) = send(app.post_json(
        "/v1/webhook_endpoints",
        &json!({"url": "http://127.0.0.1:9/x", "description": "ops"}),
    ))
    .await;
    assert_eq!(all["enabled_events"], json!(["*"]));
    let (status, updated) = send(app.post_form(
        &format!("/v1/webhook_endpoints/{id}"),
        &[
            ("url", "https://shop.example/v2/hooks"),
            ("enabled_events[]", "payment.failed"),
            ("enabled_events[]", "payment.completed"),
            ("disabled", "true"),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["url"], "https://shop.example/v2/hooks");
    assert_eq!(
        updated["enabled_events"],
        json!(["payment.failed", "payment.completed"])
    );
    assert_eq!(
        (
            updated["status"].as_str(),
            updated["disabled_reason"].as_str()
        ),
        (Some("disabled"), Some("requested"))
    );
    let (_, list) = send(app.get("/v1/webhook_endpoints")).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    assert!(list["data"][0].get("secret").is_none());

    // Bad input: clear errors, nothing created.
    let (status, body) = send(app.post_form("/v1/webhook_endpoints", &[("url", "ftp://x")])).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    assert_eq!(body["error"]["param"], "url");
    let (status, body) = send(app.post_form(
        "/v1/webhook_endpoints",
        &[
            ("url", "https://a.example"),
            ("enabled_events[]", "payment.paid"),
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
    assert_eq!(body["error"]["param"], "enabled_events");
    let (status, body) =
        send(app.post_form("/v1/webhook_endpoints", &[("description", "x")])).await;
    assert_eq!(
        (status, body["error"]["param"].as_str()),
        (400, Some("url"))
    );
    let (_, list) = send(app.get("/v1/webhook_endpoints")).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);

    // Another merchant and the other mode see nothing.
    let other = app.other_merchant_key().await;
    let (status, body) = send(
        app.client
            .get(app.url(&format!("/v1/webhook_endpoints/{id}")))
            .header("X-Api-Key", other),
    )
    .await;
    assert_error(
        status,
        &body,
        404,
        "invalid_request_error",
        "resource_missing",
    );
    let (_, live) = send(
        app.client
            .get(app.url("/v1/webhook_endpoints"))
            .header("X-Api-Key", &app.sk_live),
    )
    .await;
    assert_eq!(live["data"], json!([]));

    let (status, deleted) = send(
        app.client
            .delete(app.url(&format!("/v1/webhook_endpoints/{id}")))
            .header("X-Api-Key", &app.sk_test),
    )
    .await;
    assert_eq!((status, deleted["deleted"].as_bool()), (200, Some(true)));
    let (status, _) = send(app.get(&format!("/v1/webhook_endpoints/{id}"))).await;
    assert_eq!(status, 404);
}
