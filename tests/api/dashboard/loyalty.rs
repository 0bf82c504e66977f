//! Loyalty in the dashboard and at the checkout, as a browser without JavaScript uses them: a
//! program's rules and settings, rewards, a manual adjustment, an account's balances and
//! history, a customer's points; the checkout's discount line and "you'll earn N points";
//! `expand[]=loyalty` agreeing with all of it.

use super::{act, error_shown, page, sign_in, text_of};
use crate::helpers::{TestApp, send, send_raw};
use serde_json::{Value, json};

async fn checkout_html(app: &TestApp, payment: &str) -> String {
    let resp = send_raw(app.client.get(app.url(&format!("/checkout/{payment}")))).await;
    assert_eq!(resp.status().as_u16(), 200);
    resp.text().await.unwrap()
}

async fn with_loyalty(app: &TestApp, payment: &str) -> Value {
    app.ok_json(app.get(&format!("/v1/payments/{payment}?expand[]=loyalty")))
        .await
}

#[tokio::test]
async fn a_merchant_runs_loyalty_from_the_dashboard_and_the_checkout_shows_it() {
    let app = TestApp::spawn().await;
    let cookie = sign_in(&app).await;
    let (status, html) = page(&app, &cookie, "/dashboard/loyalty").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(r#"data-testid="no-rules""#),
        "a new program has no rules"
    );

    // A rule from the dashboard: one point per euro.
    let back = act(
        &app,
        &cookie,
        "/dashboard/loyalty",
        "loyalty_rule_add",
        &[
            ("program", "prog_default"),
            ("event", "payment.completed"),
            ("points", "1"),
            ("per_amount", "1.00"),
            ("currency", "eur"),
            ("min_amount", ""),
            ("max_points", ""),
            ("multiplier", "1"),
        ],
    )
    .await;
    assert_eq!(back, "/dashboard/loyalty?notice=loyalty_rule_added");
    let bad = act(
        &app,
        &cookie,
        "/dashboard/loyalty",
        "loyalty_rule_add",
        &[
            ("program", "prog_default"),
            ("event", "invoice.paid"),
            ("points", "0"),
            ("per_amount", "1.00"),
            ("currency", "EUR"),
            ("min_amount", ""),
            ("max_points", ""),
            ("multiplier", "1"),
        ],
    )
    .await;
    assert!(
        error_shown(&app, &cookie, &bad)
            .await
            .contains("points must be 1")
    );
    let program = app
        .ok_json(app.get("/v1/loyalty/programs/prog_default"))
        .await;
    assert_eq!(
        program["earn_rules"],
        json!([{"event": "payment.completed", "points": 1, "per_amount": 100, "currency": "EUR",
                "min_amount": 0, "max_points": null, "multiplier": "1"}]),
        "the bad rule wrote nothing"
    );
    let (_, html) = page(&app, &cookie, "/dashboard/loyalty").await;
    assert!(html.contains("1 point per €1.00 paid"), "{html}");

    // Settings: points expire a year after they become spendable.
    let back = act(
        &app,
        &cookie,
        "/dashboard/loyalty",
        "loyalty_program",
        &[
            ("program", "prog_default"),
            ("name", "Tea points"),
            ("pending_days", "0"),
            ("expiry_days", "365"),
            ("earned", "clawback"),
            ("redeemed", "restore_on_full_refund"),
        ],
    )
    .await;
    assert_eq!(back, "/dashboard/loyalty?notice=loyalty_saved");
    let program = app
        .ok_json(app.get("/v1/loyalty/programs/prog_default"))
        .await;
    assert_eq!(
        (program["name"].as_str(), program["expiry_days"].as_i64()),
        (Some("Tea points"), Some(365))
    );

    // A reward, €5 off for 400 points.
    let back = act(
        &app,
        &cookie,
        "/dashboard/loyalty/rewards",
        "loyalty_reward",
        &[
            ("program", "prog_default"),
            ("name", "€5 off"),
            ("cost_points", "400"),
            ("kind", "amount"),
            ("discount", "5.00"),
            ("currency", "EUR"),
        ],
    )
    .await;
    assert_eq!(back, "/dashboard/loyalty/rewards?notice=reward_created");
    let rewards = app.ok_json(app.get("/v1/loyalty/rewards")).await;
    let reward = rewards["data"][0].clone();
    assert_eq!(
        (
            reward["discount_amount"].as_i64(),
            reward["cost_points"].as_i64()
        ),
        (Some(500), Some(400))
    );
    let (_, html) = page(&app, &cookie, "/dashboard/loyalty/rewards").await;
    assert!(html.contains("€5.00 off") && html.contains("400 points"));

    // 500 points by hand, with a reason; none without one.
    let cust = app.customer_id("tea@example.com").await;
    let refused = act(
        &app,
        &cookie,
        &format!("/dashboard/customers/{cust}"),
        "loyalty_adjust",
        &[
            ("program", "prog_default"),
            ("customer", &cust),
            ("points", "500"),
            ("reason", " "),
        ],
    )
    .await;
    assert!(
        error_shown(&app, &cookie, &refused)
            .await
            .contains("reason")
    );
    assert!(app.points_of(&cust).await.is_null(), "nothing written");
    act(
        &app,
        &cookie,
        &format!("/dashboard/customers/{cust}"),
        "loyalty_adjust",
        &[
            ("program", "prog_default"),
            ("customer", &cust),
            ("points", "500"),
            ("reason", "Welcome gift"),
        ],
    )
    .await;

    // The checkout: €54.99 earns 54 points; with the reward on it, €49.99 earns 49.
    let payment = app
        .ok_json(app.post_json(
            "/v1/payments",
            &json!({"amount": 5499, "currency": "eur", "customer": cust}),
        ))
        .await;
    let pay = payment["id"].as_str().unwrap();
    let html = checkout_html(&app, pay).await;
    assert!(html.contains("earn 54 points with this payment."), "{html}");
    assert_eq!(
        with_loyalty(&app, pay).await["loyalty"]["points_to_earn"],
        54
    );
    let redemption = app
        .ok_json(app.post_json(
            "/v1/loyalty/redemptions",
            &json!({"customer": cust, "reward": reward["id"], "payment": pay}),
        ))
        .await;
    let html = checkout_html(&app, pay).await;
    assert!(html.contains("€49.99"), "the amount due is lowered");
    assert!(
        html.contains(r#"data-testid="discount""#)
            && html.contains("−€5.00")
            && html.contains("€54.99")
    );
    assert!(html.contains("earn 49 points"), "{html}");
    let expanded = with_loyalty(&app, pay).await["loyalty"].clone();
    assert_eq!(
        (
            expanded["points_to_earn"].as_i64(),
            expanded["redemptions"][0]["status"].as_str()
        ),
        (Some(49), Some("reserved"))
    );

    let paid = app
        .ok_json(app.post_json(
            &format!("/v1/payments/{pay}/confirm"),
            &json!({"payment_method": "pm_card_visa"}),
        ))
        .await;
    assert_eq!(paid["status"], "succeeded");
    let html = checkout_html(&app, pay).await;
    assert!(
        html.contains("You earned 49 points with this payment."),
        "{html}"
    );
    let expanded = with_loyalty(&app, pay).await["loyalty"].clone();
    assert_eq!(
        (
            expanded["points_earned"].as_i64(),
            expanded["points_to_earn"].is_null(),
            expanded["redemptions"][0]["id"].as_str(),
            expanded["redemptions"][0]["status"].as_str(),
            expanded["transactions"][0]["type"].as_str(),
        ),
        (
            Some(49),
            true,
            redemption["id"].as_str(),
            Some("completed"),
            Some("earn")
        )
    );

    // The account's page: 500 − 400 + 49, and its history; the customer's page links it.
    let account = app.points_of(&cust).await;
    assert_eq!(account["available"], 149);
    let account_id = account["id"].as_str().unwrap();
    let (status, html) = page(
        &app,
        &cookie,
        &format!("/dashboard/loyalty/accounts/{account_id}"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(text_of(&html, "available"), "149");
    assert!(html.contains("Welcome gift") && html.contains("+49") && html.contains(pay));
    let (_, html) = page(&app, &cookie, &format!("/dashboard/customers/{cust}")).await;
    assert!(
        html.contains(account_id)
            || html.contains(&format!("/dashboard/loyalty/accounts/{account_id}"))
    );
    let (_, html) = page(&app, &cookie, "/dashboard/loyalty/accounts").await;
    assert!(html.contains(&format!("/dashboard/loyalty/accounts/{account_id}")));
    let (_, html) = page(&app, &cookie, &format!("/dashboard/payments/{pay}")).await;
    assert_eq!(text_of(&html, "points-earned"), "49 points");

    // A refund of €25.00 of €49.99 leaves ⌊49 × 2499 ÷ 4999⌋ = 24 owed: 25 are taken back.
    let (status, _) = send(app.post_json(
        &format!("/v1/payments/{pay}/refunds"),
        &json!({"amount": 2500}),
    ))
    .await;
    assert_eq!(status, 200);
    let expanded = with_loyalty(&app, pay).await["loyalty"].clone();
    assert_eq!(expanded["points_clawed_back"], 25);
    assert_eq!(expanded["transactions"][1]["type"], "clawback");

    // Removing the rule: payments earn nothing more; a second removal says it is gone.
    let form = [
        ("program", "prog_default"),
        ("event", "payment.completed"),
        ("currency", "EUR"),
    ];
    let back = act(
        &app,
        &cookie,
        "/dashboard/loyalty",
        "loyalty_rule_remove",
        &form,
    )
    .await;
    assert_eq!(back, "/dashboard/loyalty?notice=loyalty_rule_removed");
    let again = act(
        &app,
        &cookie,
        "/dashboard/loyalty",
        "loyalty_rule_remove",
        &form,
    )
    .await;
    assert!(
        error_shown(&app, &cookie, &again)
            .await
            .contains("gone already")
    );
    let program = app
        .ok_json(app.get("/v1/loyalty/programs/prog_default"))
        .await;
    assert_eq!(program["earn_rules"], json!([]));

    // Pausing the reward stops its redemption.
    act(
        &app,
        &cookie,
        "/dashboard/loyalty/rewards",
        "loyalty_reward_active",
        &[
            ("reward", reward["id"].as_str().unwrap()),
            ("active", "false"),
        ],
    )
    .await;
    let paused = app
        .ok_json(app.get(&format!(
            "/v1/loyalty/rewards/{}",
            reward["id"].as_str().unwrap()
        )))
        .await;
    assert_eq!(paused["active"], false);
    let (status, refused) = send(app.post_json(
        "/v1/loyalty/redemptions",
        &json!({"customer": cust, "reward": reward["id"]}),
    ))
    .await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (409, Some("reward_inactive")),
        "{refused}"
    );
    assert_eq!(
        app.points_of(&cust).await["available"],
        124,
        "149 less the 25 clawed back; nothing taken by the refused redemption"
    );
    app.assert_points_sound().await;
}

#[tokio::test]
async fn another_merchants_points_account_is_not_found_in_the_dashboard() {
    let app = TestApp::spawn().await;
    let cookie = sign_in(&app).await;
    let (status, html) = page(&app, &cookie, "/dashboard/loyalty/accounts/loy_nope").await;
    assert_eq!(status, 404);
    assert!(html.contains(r#"data-testid="not-found""#));
    let (status, _) = page(&app, &cookie, "/dashboard/loyalty?program=prog_nope").await;
    assert_eq!(status, 404);
    let (_, html) = page(&app, &cookie, "/dashboard/loyalty/accounts").await;
    assert!(html.contains(r#"data-testid="empty""#));
}

#[tokio::test]
async fn a_reward_is_made_in_the_program_chosen_when_there_are_several() {
    let app = TestApp::spawn().await;
    let cookie = sign_in(&app).await;
    // prog_default alone: no choice, no program column.
    let (_, html) = page(&app, &cookie, "/dashboard/loyalty/rewards").await;
    assert!(!html.contains(r#"name="program" id"#) && !html.contains("reward-program"));
    let club = app
        .ok_json(app.post_json("/v1/loyalty/programs", &json!({"name": "Tea club"})))
        .await;
    let club = club["id"].as_str().unwrap();
    let (_, html) = page(&app, &cookie, "/dashboard/loyalty/rewards").await;
    assert!(
        html.contains(r#"id="reward-program""#),
        "a choice of program"
    );
    assert!(html.contains(&format!(r#"<option value="{club}">Tea club</option>"#)));
    let back = act(
        &app,
        &cookie,
        "/dashboard/loyalty/rewards",
        "loyalty_reward",
        &[
            ("program", club),
            ("name", "A free pot"),
            ("cost_points", "900"),
            ("kind", "percent"),
            ("discount", "100"),
            ("currency", "EUR"),
        ],
    )
    .await;
    assert_eq!(back, "/dashboard/loyalty/rewards?notice=reward_created");
    let rewards = app.ok_json(app.get("/v1/loyalty/rewards")).await;
    assert_eq!(rewards["data"][0]["program"], club, "{rewards}");
    let (_, html) = page(&app, &cookie, "/dashboard/loyalty/rewards").await;
    assert!(
        html.contains("<th scope=\"col\">Program</th>"),
        "a program column"
    );
    assert!(
        html.contains("<td>Tea club</td>"),
        "the reward names its program"
    );
}
