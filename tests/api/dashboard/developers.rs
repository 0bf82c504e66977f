//! Developer and settings actions: keys, webhook endpoints, account settings.

use super::*;

#[tokio::test]
async fn a_rolled_key_keeps_working_for_its_grace_period_then_stops() {
    let (app, clock) = TestApp::spawn_manual_clock().await;
    let cookie = sign_in(&app).await;
    assert_eq!(send(app.get("/v1/account")).await.0, 200);
    let resp = send_raw(
        app.client
            .post(app.url("/dashboard/do/roll_key"))
            .header("Cookie", &cookie)
            .header("Origin", &app.base)
            .header("Referer", app.url("/dashboard/developers"))
            .header("Accept", "text/html")
            .form(&[("kind", "secret"), ("grace", "3600")]),
    )
    .await;
    assert_eq!(location(&resp), "/dashboard/developers?notice=key_rolled");
    let flash = resp.headers()["set-cookie"].to_str().unwrap();
    assert!(flash.contains("Path=/dashboard/developers") && flash.contains("HttpOnly"));
    let flash = flash.split(';').next().unwrap();
    let new_key = flash.strip_prefix("vinr_new_key=").unwrap().to_string();

    // Shown once on the developers page, and the cookie is removed in the same response.
    let resp = send_raw(
        app.client
            .get(app.url("/dashboard/developers?notice=key_rolled"))
            .header("Cookie", format!("{cookie}; {flash}")),
    )
    .await;
    let cleared = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cleared.starts_with("vinr_new_key=;") && cleared.contains("Max-Age=0"));
    assert!(resp.text().await.unwrap().contains(&new_key));

    let with = |key: &str| {
        app.client
            .get(app.url("/v1/account"))
            .header("X-Api-Key", key.to_string())
    };
    assert_eq!(
        send(with(&app.sk_test)).await.0,
        200,
        "the old key works during the grace period"
    );
    assert_eq!(send(with(&new_key)).await.0, 200);
    clock.advance_secs(3601);
    let (status, body) = send(with(&app.sk_test)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("api_key_expired"))
    );
    assert_eq!(send(with(&new_key)).await.0, 200);

    let to = act(
        &app,
        &cookie,
        "/dashboard/developers",
        "roll_key",
        &[("kind", "secret"), ("grace", "5")],
    )
    .await;
    assert!(to.contains("__err="), "only the offered grace periods");
}

#[tokio::test]
async fn settings_change_the_account_and_the_default_connection() {
    let app = TestApp::spawn().await;
    let cookie = sign_in(&app).await;
    let from = "/dashboard/settings";
    let settings =
        |name: &'static str, color: &'static str, origins: &'static str, acquirer: &'static str| {
            [
                ("name", name),
                ("brand_color", color),
                ("embed_origins", origins),
                ("default_acquirer", acquirer),
            ]
        };
    let to = act(
        &app,
        &cookie,
        from,
        "settings",
        &settings("Tea House", "red", "", "acq_sandbox"),
    )
    .await;
    assert!(error_shown(&app, &cookie, &to).await.contains("#rrggbb"));
    let to = act(
        &app,
        &cookie,
        from,
        "settings",
        &settings("Tea House", "#112233", "http://shop.example", "acq_sandbox"),
    )
    .await;
    assert!(error_shown(&app, &cookie, &to).await.contains("https"));
    // A connection added in test mode only cannot be the default yet.
    let to = act(
        &app,
        &cookie,
        from,
        "add_connection",
        &[("id", "acq_uk_1"), ("name", "UK")],
    )
    .await;
    assert_eq!(to, format!("{from}?notice=connection_added"));
    let to = act(
        &app,
        &cookie,
        from,
        "settings",
        &settings("Tea House", "#112233", "", "acq_nowhere"),
    )
    .await;
    assert!(
        error_shown(&app, &cookie, &to)
            .await
            .contains("does not exist in test mode")
    );

    let to = act(
        &app,
        &cookie,
        from,
        "settings",
        &settings(
            "Tea House",
            "#112233",
            "https://Shop.Example/\nhttp://localhost:8080",
            "acq_eu_1",
        ),
    )
    .await;
    assert_eq!(to, format!("{from}?notice=settings_saved"));
    let (_, account) = send(app.get("/v1/account")).await;
    assert_eq!(account["business_name"], "Tea House");
    let (_, html) = page(&app, &cookie, from).await;
    assert!(
        html.contains("https://shop.example\nhttp://localhost:8080"),
        "origins normalised"
    );
    let (_, p) =
        send(app.post_form("/v1/payments", &[("amount", "500"), ("currency", "EUR")])).await;
    assert_eq!(
        p["acquirer"], "acq_eu_1",
        "payments without routing use the default"
    );
    let (_, conns) = send(app.get("/v1/acquirer_connections")).await;
    let default: Vec<&str> = conns["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["default"] == true)
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(default, vec!["acq_eu_1"]);
}

#[tokio::test]
async fn webhook_endpoints_are_managed_from_the_dashboard() {
    let app = TestApp::spawn().await;
    let cookie = sign_in(&app).await;
    let from = "/dashboard/developers";
    let to = act(
        &app,
        &cookie,
        from,
        "add_endpoint",
        &[("url", "not a url"), ("description", "")],
    )
    .await;
    assert!(!error_shown(&app, &cookie, &to).await.is_empty());
    let to = act(
        &app,
        &cookie,
        from,
        "add_endpoint",
        &[
            ("url", "https://shop.example/hooks"),
            ("description", "Shop"),
            ("events[]", "payment.succeeded"),
            ("events[]", "refund.succeeded"),
        ],
    )
    .await;
    let endpoint = to
        .strip_prefix("/dashboard/webhooks/")
        .and_then(|rest| rest.split('?').next())
        .expect("sent to the new endpoint's page")
        .to_string();
    let (_, listed) = send(app.get(&format!("/v1/webhook_endpoints/{endpoint}"))).await;
    assert_eq!(
        listed["enabled_events"],
        serde_json::json!(["payment.succeeded", "refund.succeeded"])
    );
    let page_path = format!("/dashboard/webhooks/{endpoint}");
    let (_, html) = page(&app, &cookie, &page_path).await;
    assert!(
        !html.contains("whsec_") || html.contains("whsec_••"),
        "hidden until revealed"
    );
    let (_, html) = page(&app, &cookie, &format!("{page_path}?reveal=1")).await;
    assert!(html.contains(r#"data-testid="endpoint-secret">whsec_"#));

    let to = act(
        &app,
        &cookie,
        &page_path,
        "edit_endpoint",
        &[
            ("endpoint", &endpoint),
            ("url", "https://shop.example/v2"),
            ("description", ""),
        ],
    )
    .await;
    assert_eq!(to, format!("{page_path}?notice=endpoint_saved"));
    let (_, edited) = send(app.get(&format!("/v1/webhook_endpoints/{endpoint}"))).await;
    assert_eq!(edited["url"], "https://shop.example/v2");
    assert_eq!(edited["enabled_events"], serde_json::json!(["*"]));
    assert_eq!(
        edited["status"], "disabled",
        "the enabled box was not ticked"
    );

    let to = act(
        &app,
        &cookie,
        &page_path,
        "rotate_secret",
        &[("endpoint", &endpoint)],
    )
    .await;
    assert_eq!(to, format!("{page_path}?notice=secret_rotated"));
    let to = act(
        &app,
        &cookie,
        &page_path,
        "delete_endpoint",
        &[("endpoint", &endpoint)],
    )
    .await;
    assert_eq!(to, "/dashboard/developers?notice=endpoint_deleted");
    let (status, _) = send(app.get(&format!("/v1/webhook_endpoints/{endpoint}"))).await;
    assert_eq!(status, 404);
}
