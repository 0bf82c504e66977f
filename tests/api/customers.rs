//! `/v1/customers`: the first resource, with its validation, scoping and pagination.

use crate::helpers::{TestApp, assert_error, send};
use serde_json::json;

#[tokio::test]
async fn create_retrieve_update_delete() {
    let app = TestApp::spawn().await;
    let (status, created) = send(app.post_form(
        "/v1/customers",
        &[
            ("email", "Jenny@Example.com"),
            ("name", "Jenny Rosen"),
            ("metadata[orderId]", "1234"),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("cust_") && id.len() == 29, "{id}");
    assert_eq!(created["object"], "customer");
    assert_eq!(created["livemode"], false);
    assert_eq!(
        created["metadata"],
        json!({"orderId": "1234"}),
        "metadata keys are kept as sent"
    );
    assert!(created["created"].as_i64().unwrap() > 1_700_000_000);

    let (status, fetched) = send(app.get(&format!("/v1/customers/{id}"))).await;
    assert_eq!((status, &fetched), (200, &created));

    let (status, updated) = send(app.post_json(
        &format!("/v1/customers/{id}"),
        &json!({"name": "Jenny R.", "metadata": {"orderId": "", "tier": "gold"}}),
    ))
    .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["name"], "Jenny R.");
    assert_eq!(updated["email"], "Jenny@Example.com");
    assert_eq!(updated["metadata"], json!({"tier": "gold"}));

    let (status, deleted) = send(
        app.client
            .delete(app.url(&format!("/v1/customers/{id}")))
            .header("X-Api-Key", &app.sk_test),
    )
    .await;
    assert_eq!((status, deleted["deleted"].as_bool()), (200, Some(true)));
    let (status, body) = send(app.get(&format!("/v1/customers/{id}"))).await;
    assert_error(
        status,
        &body,
        404,
        "invalid_request_error",
        "resource_missing",
    );
}

#[tokio::test]
async fn bad_fields_are_named() {
    let app = TestApp::spawn().await;
    let long_value = "v".repeat(501);
    let cases: Vec<(Vec<(String, String)>, &str)> = vec![
        (vec![("email".into(), "jenny@".into())], "email"),
        (vec![("name".into(), "n".repeat(257))], "name"),
        (vec![("metadata[k]".into(), long_value)], "metadata"),
        (
            (0..51)
                .map(|i| (format!("metadata[k{i}]"), "v".to_string()))
                .collect(),
            "metadata",
        ),
        (
            vec![(format!("metadata[{}]", "k".repeat(41)), "v".into())],
            "metadata",
        ),
    ];
    for (form, param) in cases {
        let (status, body) = send(
            app.client
                .post(app.url("/v1/customers"))
                .header("X-Api-Key", &app.sk_test)
                .form(&form),
        )
        .await;
        assert_error(
            status,
            &body,
            400,
            "invalid_request_error",
            "parameter_invalid",
        );
        assert_eq!(body["error"]["param"], param, "{body}");
    }
    let (_, list) = send(app.get("/v1/customers")).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn other_merchants_and_modes_get_404() {
    let app = TestApp::spawn().await;
    let other = TestApp::spawn().await;
    let mine = app.create_customer("mine@example.com").await;
    let id = mine["id"].as_str().unwrap();
    let (status, body) = send(other.get(&format!("/v1/customers/{id}"))).await;
    assert_error(
        status,
        &body,
        404,
        "invalid_request_error",
        "resource_missing",
    );
    let (status, body) =
        send(other.post_form(&format!("/v1/customers/{id}"), &[("name", "x")])).await;
    assert_error(
        status,
        &body,
        404,
        "invalid_request_error",
        "resource_missing",
    );
    let live = app
        .client
        .get(app.url(&format!("/v1/customers/{id}")))
        .header("X-Api-Key", &app.sk_live);
    let (status, body) = send(live).await;
    assert_error(
        status,
        &body,
        404,
        "invalid_request_error",
        "resource_missing",
    );
    let (status, body) = send(app.get("/v1/customers/cust_doesnotexist")).await;
    assert_error(
        status,
        &body,
        404,
        "invalid_request_error",
        "resource_missing",
    );
    // Unchanged by the foreign update.
    let (_, again) = send(app.get(&format!("/v1/customers/{id}"))).await;
    assert_eq!(again["name"], serde_json::Value::Null);
}

#[tokio::test]
async fn lists_page_both_ways_newest_first() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(
            app.create_customer(&format!("c{i}@example.com")).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    ids.reverse(); // newest first
    let page_ids = |body: &serde_json::Value| -> Vec<String> {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (status, first) = send(app.get("/v1/customers?limit=3")).await;
    assert_eq!(status, 200);
    assert_eq!(first["object"], "list");
    assert_eq!(first["url"], "/v1/customers");
    assert_eq!(first["has_more"], true);
    assert_eq!(page_ids(&first), ids[0..3]);

    let (_, second) =
        send(app.get(&format!("/v1/customers?limit=3&starting_after={}", ids[2]))).await;
    assert_eq!(page_ids(&second), ids[3..6]);
    assert_eq!(second["has_more"], true);
    let (_, last) =
        send(app.get(&format!("/v1/customers?limit=3&starting_after={}", ids[5]))).await;
    assert_eq!(page_ids(&last), ids[6..7]);
    assert_eq!(last["has_more"], false);

    let (_, back) = send(app.get(&format!("/v1/customers?limit=3&ending_before={}", ids[6]))).await;
    assert_eq!(page_ids(&back), ids[3..6]);
    assert_eq!(back["has_more"], true);
    let (_, start) =
        send(app.get(&format!("/v1/customers?limit=3&ending_before={}", ids[2]))).await;
    assert_eq!(page_ids(&start), ids[0..2]);
    assert_eq!(start["has_more"], false);

    let (_, filtered) = send(app.get("/v1/customers?email=C3@EXAMPLE.COM")).await;
    assert_eq!(page_ids(&filtered), vec![ids[3].clone()]);
}

#[tokio::test]
async fn secrets_never_reach_the_database_file() {
    let app = TestApp::spawn().await;
    app.create_customer("someone@example.com").await;
    let Some(path) = &app.sqlite_path else { return }; // Postgres: nothing on local disk to scan.
    let mut bytes = std::fs::read(path).unwrap();
    for extra in ["-wal", "-shm"] {
        if let Ok(more) = std::fs::read(format!("{}{extra}", path.display())) {
            bytes.extend(more);
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains(&app.sk_test), "secret key stored in clear");
    assert!(
        !text.contains(&app.sk_live),
        "live secret key stored in clear"
    );
    assert!(!text.contains(&app.password), "password stored in clear");
}
