//! Every failure is the contract's error object, never a 500 or an empty body.

use crate::helpers::{TestApp, assert_error, send};

#[tokio::test]
async fn unknown_routes_and_wrong_methods() {
    let app = TestApp::spawn().await;
    let (status, body) = send(app.get("/v1/nothing-here")).await;
    assert_error(
        status,
        &body,
        404,
        "invalid_request_error",
        "resource_missing",
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("/v1/nothing-here")
    );

    let (status, body) = send(
        app.client
            .delete(app.url("/v1/account"))
            .header("X-Api-Key", &app.sk_test),
    )
    .await;
    assert_error(
        status,
        &body,
        405,
        "invalid_request_error",
        "method_not_allowed",
    );
    let (status, body) = send(
        app.client
            .put(app.url("/v1/customers"))
            .header("X-Api-Key", &app.sk_test),
    )
    .await;
    assert_error(
        status,
        &body,
        405,
        "invalid_request_error",
        "method_not_allowed",
    );
}

#[tokio::test]
async fn malformed_bodies_are_400s_and_change_nothing() {
    let app = TestApp::spawn().await;
    let post = |content_type: &'static str, body: &'static [u8]| {
        app.client
            .post(app.url("/v1/customers"))
            .header("X-Api-Key", &app.sk_test)
            .header("Content-Type", content_type)
            .body(body)
    };
    let (status, body) = send(post("application/json", b"{\"email\": ")).await;
    assert_error(status, &body, 400, "invalid_request_error", "body_invalid");
    let (status, body) = send(post("application/json", b"[1,2,3]")).await;
    assert_error(status, &body, 400, "invalid_request_error", "body_invalid");
    // Whitespace alone is not JSON (schemathesis found it taken as "no fields").
    let (status, body) = send(post("application/json", b"\t")).await;
    assert_error(status, &body, 400, "invalid_request_error", "body_invalid");
    let (status, body) = send(post("application/json", b"\xff\xfe\x00garbage")).await;
    assert_error(status, &body, 400, "invalid_request_error", "body_invalid");
    let (status, body) = send(post(
        "application/x-www-form-urlencoded",
        b"email=a@b.co&email=c@d.co",
    ))
    .await;
    assert_error(status, &body, 400, "invalid_request_error", "body_invalid");
    let (status, body) = send(post("application/x-www-form-urlencoded", b"metadata[a=1")).await;
    assert_error(status, &body, 400, "invalid_request_error", "body_invalid");
    let (status, body) = send(post("text/csv", b"a,b")).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "content_type_unsupported",
    );
    let (status, body) = send(post("application/x-www-form-urlencoded", b"emial=a@b.co")).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_unknown",
    );
    assert_eq!(body["error"]["param"], "emial");
    let (status, body) = send(post("application/json", b"{\"metadata\": {\"a\": 1}}")).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    assert_eq!(body["error"]["param"], "metadata[a]");

    let huge = vec![b'a'; 300 * 1024];
    let (status, body) = send(
        app.client
            .post(app.url("/v1/customers"))
            .header("X-Api-Key", &app.sk_test)
            .body(huge),
    )
    .await;
    assert_error(
        status,
        &body,
        413,
        "invalid_request_error",
        "body_too_large",
    );

    let (_, list) = send(app.get("/v1/customers")).await;
    assert_eq!(
        list["data"].as_array().unwrap().len(),
        0,
        "a bad request changed something"
    );
}

#[tokio::test]
async fn publishable_keys_cannot_call_secret_endpoints() {
    let app = TestApp::spawn().await;
    let (status, body) = send(
        app.client
            .get(app.url("/v1/customers"))
            .header("X-Api-Key", &app.pk_test),
    )
    .await;
    assert_error(status, &body, 403, "permission_error", "permission_denied");
}

#[tokio::test]
async fn bad_query_parameters_are_400s() {
    let app = TestApp::spawn().await;
    for (query, param) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
    ] {
        let (status, body) = send(app.get(&format!("/v1/customers?{query}"))).await;
        assert_error(
            status,
            &body,
            400,
            "invalid_request_error",
            "parameter_invalid",
        );
        assert_eq!(body["error"]["param"], param, "{query}");
    }
    let (status, body) = send(app.get("/v1/customers?starting_after=cust_nope")).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
    let (status, body) = send(app.get("/v1/customers?starting_after=a&ending_before=b")).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "parameter_invalid",
    );
}

#[tokio::test]
async fn idempotency_key_header_is_checked() {
    let app = TestApp::spawn().await;
    let long = "k".repeat(256);
    let (status, body) = send(
        app.post_form("/v1/customers", &[("email", "a@b.co")])
            .header("Idempotency-Key", long),
    )
    .await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request_error",
        "idempotency_key_invalid",
    );
}
