//! Billing in the dashboard, as a browser without JavaScript uses it: recurring revenue on
//! Home, the subscription and invoice lists and pages, their actions, the catalog, and the
//! account's billing settings taking effect.

use super::{act, error_shown, page, sign_in, text_of};
use crate::billing::at;
use crate::helpers::{TestApp, assert_ledger_sound};
use serde_json::json;

#[tokio::test]
async fn a_merchant_runs_billing_from_the_dashboard() {
    let app = TestApp::spawn().await;
    let cookie = sign_in(&app).await;
    let start = at(2027, 1, 10, 0);
    let (clock_a, cust_a, _) = app.clock_customer(start, "4242424242424242").await;
    let (_clock_b, cust_b, _) = app.clock_customer(start, "4242424242424242").await;
    let monthly = app.monthly_price(2900).await;
    let yearly = app
        .ok(app.post_json(
            "/v1/prices",
            &json!({"product": "prod_starter", "unit_amount": 12000, "currency": "EUR", "recurring": {"interval": "year"}}),
        ))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let sub_a = app.subscribe(&cust_a, &monthly).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let sub_b = app.subscribe(&cust_b, &yearly).await["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Home: 29.00 a month and 120.00 a year are 39.00 a month, from two subscriptions.
    let (status, html) = page(&app, &cookie, "/dashboard").await;
    assert_eq!(status, 200);
    assert_eq!(text_of(&html, "mrr"), "€39.00");
    assert_eq!(text_of(&html, "active-subscriptions"), "2");

    // The catalog reads as prices.
    let (_, html) = page(&app, &cookie, "/dashboard/products").await;
    assert!(html.contains("€29.00 every month"), "{html}");
    assert!(html.contains("€120.00 every year"));

    // Billing settings: retry after 2 then 4 days, leave subscriptions unpaid, 30-minute drafts.
    let back = act(
        &app,
        &cookie,
        "/dashboard/settings",
        "billing_settings",
        &[
            ("retry_days", "2, 4"),
            ("dunning_end", "unpaid"),
            ("draft_minutes", "30"),
        ],
    )
    .await;
    assert_eq!(back, "/dashboard/settings?notice=billing_saved");
    let bad = act(
        &app,
        &cookie,
        "/dashboard/settings",
        "billing_settings",
        &[
            ("retry_days", "0,99"),
            ("dunning_end", "unpaid"),
            ("draft_minutes", "30"),
        ],
    )
    .await;
    assert!(error_shown(&app, &cookie, &bad).await.contains("Retries"));
    let (_, html) = page(&app, &cookie, "/dashboard/settings").await;
    assert!(
        html.contains("value=\"2,4\""),
        "the saved schedule is shown"
    );

    // A renewal declined: the invoice page shows it, a retry from the dashboard is declined
    // again, then paid once the customer's card is replaced.
    let declining = app.attach_card(&cust_a, "4000000000000002").await;
    app.ok(app.post_form(
        &format!("/v1/subscriptions/{sub_a}"),
        &[("default_payment_method", &declining)],
    ))
    .await;
    let renewal_at = at(2027, 2, 10, 0);
    app.advance(&clock_a, renewal_at + 40 * 60).await;
    let renewal = app.invoices_of(&sub_a).await[0].clone();
    assert_eq!(
        (
            renewal["status"].as_str(),
            renewal["next_payment_attempt"].as_i64()
        ),
        (Some("open"), Some(renewal_at + 30 * 60 + 2 * 86_400)),
        "finalized after the 30-minute draft, retried 2 days later"
    );
    let inv = renewal["id"].as_str().unwrap().to_string();
    let inv_page = format!("/dashboard/invoices/{inv}");
    let (status, html) = page(&app, &cookie, &inv_page).await;
    assert_eq!(status, 200);
    assert_eq!(text_of(&html, "attempt-count"), "1");
    assert!(html.contains("data-testid=\"lines-table\""));
    assert!(
        html.contains(&format!("http://127.0.0.1/invoices/{inv}")),
        "the customer's page is linked"
    );
    let (_, html) = page(&app, &cookie, "/dashboard").await;
    assert_eq!(text_of(&html, "past-due-subscriptions"), "1");
    let (_, html) = page(&app, &cookie, "/dashboard/subscriptions?status=past_due").await;
    assert!(
        html.contains(&sub_a) && !html.contains(&sub_b),
        "the filter keeps past due only"
    );
    let (_, html) = page(&app, &cookie, "/dashboard/invoices?status=open").await;
    assert!(html.contains(&inv));

    let declined = act(
        &app,
        &cookie,
        &inv_page,
        "invoice_retry",
        &[("invoice", &inv)],
    )
    .await;
    assert!(
        error_shown(&app, &cookie, &declined)
            .await
            .contains("did not go through")
    );
    let good = app.attach_card(&cust_a, "4242424242424242").await;
    app.ok(app.post_form(
        &format!("/v1/subscriptions/{sub_a}"),
        &[("default_payment_method", &good)],
    ))
    .await;
    let paid = act(
        &app,
        &cookie,
        &inv_page,
        "invoice_retry",
        &[("invoice", &inv)],
    )
    .await;
    assert_eq!(paid, format!("{inv_page}?notice=invoice_paid"));
    let invoice = app.get_ok(&format!("/v1/invoices/{inv}")).await;
    assert_eq!(
        (
            invoice["status"].as_str(),
            invoice["attempt_count"].as_i64()
        ),
        (Some("paid"), Some(3))
    );
    let (_, html) = page(&app, &cookie, &inv_page).await;
    assert!(
        !html.contains("data-testid=\"invoice-actions\""),
        "a paid invoice has no actions"
    );

    // The next renewal's draft is voided before it is charged.
    app.advance(&clock_a, at(2027, 3, 10, 0) + 10 * 60).await;
    let draft = app.invoices_of(&sub_a).await[0].clone();
    assert_eq!(draft["status"], "draft");
    let draft_id = draft["id"].as_str().unwrap();
    let back = act(
        &app,
        &cookie,
        &format!("/dashboard/invoices/{draft_id}"),
        "invoice_close",
        &[("invoice", draft_id), ("to", "void")],
    )
    .await;
    assert!(back.ends_with("notice=invoice_voided"), "{back}");
    assert_eq!(
        app.get_ok(&format!("/v1/invoices/{draft_id}")).await["status"],
        "void"
    );

    // Ending the yearly subscription: at period end, taken back, then now.
    let sub_page = format!("/dashboard/subscriptions/{sub_b}");
    let (status, html) = page(&app, &cookie, &sub_page).await;
    assert_eq!(status, 200);
    assert!(html.contains("data-testid=\"items-table\""));
    for (when, notice, at_end) in [
        ("period_end", "subscription_ends", true),
        ("resume", "subscription_resumed", false),
    ] {
        let back = act(
            &app,
            &cookie,
            &sub_page,
            "subscription_cancel",
            &[("subscription", &sub_b), ("when", when)],
        )
        .await;
        assert_eq!(back, format!("{sub_page}?notice={notice}"));
        let sub = app.get_ok(&format!("/v1/subscriptions/{sub_b}")).await;
        assert_eq!(sub["cancel_at_period_end"], at_end);
    }
    let back = act(
        &app,
        &cookie,
        &sub_page,
        "subscription_cancel",
        &[("subscription", &sub_b), ("when", "now")],
    )
    .await;
    assert_eq!(back, format!("{sub_page}?notice=subscription_canceled"));
    assert_eq!(
        app.get_ok(&format!("/v1/subscriptions/{sub_b}")).await["status"],
        "canceled"
    );
    let (_, html) = page(&app, &cookie, &sub_page).await;
    assert!(
        !html.contains("data-testid=\"subscription-actions\""),
        "an ended subscription has no actions"
    );
    let again = act(
        &app,
        &cookie,
        &sub_page,
        "subscription_cancel",
        &[("subscription", &sub_b), ("when", "now")],
    )
    .await;
    assert!(!error_shown(&app, &cookie, &again).await.is_empty());

    let (_, html) = page(&app, &cookie, "/dashboard").await;
    assert_eq!(
        text_of(&html, "mrr"),
        "€29.00",
        "only the monthly one is left"
    );
    assert_eq!(text_of(&html, "active-subscriptions"), "1");
    let (status, _) = page(&app, &cookie, "/dashboard/invoices/inv_nope").await;
    assert_eq!(status, 404);
    let (_, html) = page(&app, &cookie, "/dashboard/subscriptions?status=bogus").await;
    assert!(html.contains("Unknown status"));
    assert_ledger_sound(&app).await;
}

/// The `href` of the pager link with `rel`, if the page has one.
fn pager_link(html: &str, rel: &str) -> Option<String> {
    let end = html.find(&format!("rel=\"{rel}\""))?;
    let start = html[..end].rfind("href=\"")? + "href=\"".len();
    let href = &html[start..];
    Some(href[..href.find('"')?].replace("&amp;", "&"))
}

#[tokio::test]
async fn the_billing_lists_say_when_they_are_empty_and_page_both_ways() {
    let app = TestApp::spawn().await;
    let cookie = sign_in(&app).await;
    let (_, html) = page(&app, &cookie, "/dashboard/subscriptions").await;
    assert!(
        html.contains("No subscriptions yet in this mode."),
        "{html}"
    );
    let (_, html) = page(&app, &cookie, "/dashboard/invoices").await;
    assert!(html.contains("No invoices yet in this mode"), "{html}");

    let start = at(2027, 1, 10, 0);
    let (_, cust, _) = app.clock_customer(start, "4242424242424242").await;
    let price = app.monthly_price(900).await;
    for _ in 0..26 {
        app.subscribe(&cust, &price).await;
    }
    // 25 a page: the first has only an older page, the second only a newer one.
    let (_, first) = page(&app, &cookie, "/dashboard/subscriptions?status=active").await;
    assert_eq!(pager_link(&first, "prev"), None);
    let older = pager_link(&first, "next").expect("an older page");
    assert!(
        older.starts_with("/dashboard/subscriptions?after=sub_"),
        "{older}"
    );
    assert!(
        older.ends_with("&status=active"),
        "the filter stays: {older}"
    );
    let (_, second) = page(&app, &cookie, &older).await;
    assert_eq!(pager_link(&second, "next"), None);
    let newer = pager_link(&second, "prev").expect("a newer page");
    assert!(
        newer.starts_with("/dashboard/subscriptions?before=sub_"),
        "{newer}"
    );
    let (_, back) = page(&app, &cookie, &newer).await;
    assert_eq!(pager_link(&back, "prev"), None, "back at the newest");
    let (_, invoices) = page(&app, &cookie, "/dashboard/invoices").await;
    assert!(
        pager_link(&invoices, "next").is_some(),
        "26 invoices: two pages"
    );

    let (_, html) = page(&app, &cookie, "/dashboard/subscriptions?status=canceled").await;
    assert!(html.contains("No subscription has this status."), "{html}");
    let (_, html) = page(&app, &cookie, "/dashboard/invoices?status=void").await;
    assert!(html.contains("No invoice has this status."), "{html}");
    let (_, html) = page(&app, &cookie, "/dashboard/invoices?status=bogus").await;
    assert!(html.contains("Unknown status"), "{html}");
}
