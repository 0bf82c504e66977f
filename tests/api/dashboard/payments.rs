//! Payment actions from the dashboard, their guards, and the CSV export.

use super::*;
use crate::helpers::assert_ledger_sound;

#[tokio::test]
async fn capture_and_refund_from_the_dashboard_move_money_as_the_api_does() {
    let app = TestApp::spawn().await;
    let cookie = sign_in(&app).await;
    let p = manual_payment(&app, "5000", "ada@example.com").await;
    let id = p["id"].as_str().unwrap();
    let from = format!("/dashboard/payments/{id}");

    // Bad amounts are explained and change nothing.
    let to = act(
        &app,
        &cookie,
        &from,
        "capture",
        &[("payment", id), ("amount", "12.345")],
    )
    .await;
    assert!(
        error_shown(&app, &cookie, &to)
            .await
            .contains("2 decimal places")
    );
    let to = act(
        &app,
        &cookie,
        &from,
        "capture",
        &[("payment", id), ("amount", "80")],
    )
    .await;
    assert!(!error_shown(&app, &cookie, &to).await.is_empty());
    assert_eq!(payment(&app, id).await["status"], "requires_capture");

    let to = act(
        &app,
        &cookie,
        &from,
        "capture",
        &[("payment", id), ("amount", "30.00")],
    )
    .await;
    assert_eq!(to, format!("{from}?notice=captured"));
    let p = payment(&app, id).await;
    assert_eq!(
        (p["status"].as_str(), p["amount_received"].as_i64()),
        (Some("succeeded"), Some(3000))
    );
    let (_, html) = page(&app, &cookie, &to).await;
    assert!(html.contains("Payment captured."));
    assert!(
        html.contains(r#"data-testid="ledger""#),
        "the capture's posting is listed"
    );

    // A second capture is refused in words.
    let to = act(
        &app,
        &cookie,
        &from,
        "capture",
        &[("payment", id), ("amount", "")],
    )
    .await;
    assert!(!error_shown(&app, &cookie, &to).await.is_empty());

    let to = act(
        &app,
        &cookie,
        &from,
        "refund",
        &[
            ("payment", id),
            ("amount", "10"),
            ("reason", "requested_by_customer"),
            ("seen", "0"),
        ],
    )
    .await;
    assert_eq!(to, format!("{from}?notice=refunded"));
    let p = payment(&app, id).await;
    assert_eq!(
        (p["status"].as_str(), p["amount_refunded"].as_i64()),
        (Some("partially_refunded"), Some(1000))
    );

    // The same form sent again (it still says nothing was refunded) does nothing.
    let to = act(
        &app,
        &cookie,
        &from,
        "refund",
        &[
            ("payment", id),
            ("amount", "10"),
            ("reason", ""),
            ("seen", "0"),
        ],
    )
    .await;
    assert!(
        error_shown(&app, &cookie, &to)
            .await
            .contains("refunded since the page was opened")
    );
    assert_eq!(payment(&app, id).await["amount_refunded"], 1000);
    let (_, html) = page(&app, &cookie, &from).await;
    assert!(html.contains("refund.succeeded") && html.contains("€10.00"));
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn cancel_and_adjust_from_the_dashboard() {
    let app = TestApp::spawn().await;
    let cookie = sign_in(&app).await;
    let p = manual_payment(&app, "5000", "ada@example.com").await;
    let id = p["id"].as_str().unwrap();
    let from = format!("/dashboard/payments/{id}");
    let to = act(
        &app,
        &cookie,
        &from,
        "adjust",
        &[("payment", id), ("amount", "45")],
    )
    .await;
    assert_eq!(to, format!("{from}?notice=adjusted"));
    assert_eq!(payment(&app, id).await["amount_capturable"], 4500);
    let to = act(
        &app,
        &cookie,
        &from,
        "cancel",
        &[("payment", id), ("reason", "")],
    )
    .await;
    assert_eq!(to, format!("{from}?notice=canceled"));
    assert_eq!(payment(&app, id).await["status"], "canceled");
}

#[tokio::test]
async fn actions_need_a_session_and_our_own_origin() {
    let app = TestApp::spawn().await;
    let p = manual_payment(&app, "5000", "ada@example.com").await;
    let id = p["id"].as_str().unwrap();
    let to = act(
        &app,
        "vinr_session=forged",
        "/dashboard",
        "capture",
        &[("payment", id), ("amount", "")],
    )
    .await;
    assert!(to.contains("__err="), "{to}");
    let resp = send_raw(
        app.client
            .post(app.url("/dashboard/do/capture"))
            .header("Origin", "https://evil.example")
            .header("Accept", "text/html")
            .form(&[("payment", id), ("amount", "")]),
    )
    .await;
    assert_eq!(resp.status(), 403);
    assert_eq!(payment(&app, id).await["status"], "requires_capture");
}

#[tokio::test]
async fn the_csv_export_holds_what_the_api_lists_for_the_same_filter() {
    let app = TestApp::spawn().await;
    let cookie = sign_in(&app).await;
    let mut made = Vec::new();
    for (amount, email) in [
        ("1000", "a@example.com"),
        ("2000", "b@example.com"),
        ("3000", "a@example.com"),
    ] {
        made.push(
            manual_payment(&app, amount, email).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let (_, waiting) =
        send(app.post_form("/v1/payments", &[("amount", "999"), ("currency", "EUR")])).await;

    let (status, csv) = page(&app, &cookie, "/dashboard/payments.csv").await;
    assert_eq!(status, 200);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("id,created,status,amount,currency"));
    let (_, list) = send(app.get("/v1/payments?limit=100")).await;
    let api_ids: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    let csv_ids: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(csv_ids, api_ids, "same payments, same order");
    assert!(
        csv.contains("\"Tea, green\""),
        "fields with commas are quoted"
    );
    assert!(csv_ids.contains(&waiting["id"].as_str().unwrap()));

    let (_, filtered) = page(
        &app,
        &cookie,
        "/dashboard/payments.csv?q=a%40example.com&status=requires_capture",
    )
    .await;
    let ids: Vec<&str> = filtered
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(ids, vec![made[2].as_str(), made[0].as_str()]);

    // Compressed, as browsers ask for it: the body ends cleanly (the gzip layer polls the
    // stream once more after its end).
    let gz = send_raw(
        app.client
            .get(app.url("/dashboard/payments.csv"))
            .header("Cookie", &cookie)
            .header("Accept-Encoding", "gzip"),
    )
    .await;
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert!(
        gz.bytes().await.is_ok(),
        "the compressed export ends cleanly"
    );

    let (status, _) = page(&app, &cookie, "/dashboard/payments.csv?status=paid").await;
    assert_eq!(status, 400);
    let resp = send_raw(app.client.get(app.url("/dashboard/payments.csv"))).await;
    assert_eq!(location(&resp), "/login", "no session, no export");
}
