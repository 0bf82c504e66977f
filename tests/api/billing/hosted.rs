//! The hosted invoice page: a 3D Secure first invoice completed there, and a declined renewal
//! recovered by a new card typed there without JavaScript.

use super::at;
use crate::helpers::{TestApp, assert_ledger_sound, send_raw};

/// The `href` of the element with `data-testid="{testid}"` in `html`.
fn href_of(html: &str, testid: &str) -> Option<String> {
    let tag_start = html.find(&format!("data-testid=\"{testid}\""))?;
    let tag = &html[html[..tag_start].rfind('<')?..];
    let href = &tag[tag.find("href=\"")? + 6..];
    Some(href[..href.find('"')?].replace("&amp;", "&"))
}

#[tokio::test]
async fn a_3ds_first_invoice_is_completed_on_the_hosted_invoice_page() {
    let app = TestApp::spawn().await;
    let start = at(2027, 2, 10, 8);
    let (_clock, cust, _) = app.clock_customer(start, "4000000000003220").await;
    let price = app.monthly_price(1500).await;
    let sub = app.subscribe(&cust, &price).await;
    assert_eq!(sub["status"], "incomplete", "{sub}");
    let sub_id = sub["id"].as_str().unwrap();
    let inv_id = sub["latest_invoice"].as_str().unwrap();
    let invoice = app.get_ok(&format!("/v1/invoices/{inv_id}")).await;
    assert_eq!(
        (
            invoice["status"].as_str(),
            invoice["attempt_count"].as_i64()
        ),
        (Some("open"), Some(1))
    );
    assert_eq!(
        invoice["hosted_invoice_url"],
        format!("http://127.0.0.1/invoices/{inv_id}")
    );
    let pay_id = invoice["payment"].as_str().unwrap().to_string();
    let payment = app.get_ok(&format!("/v1/payments/{pay_id}")).await;
    assert_eq!(payment["status"], "requires_action");
    assert_eq!(app.event_count("invoice.payment_action_required").await, 1);

    let (status, html) = app.public_page(&format!("/invoices/{inv_id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("€15.00"), "the amount due is shown");
    assert!(html.contains("Starter"), "the line names the product");
    // The merchant's card: its colour through this response's nonce, its initial, the badge.
    let resp = send_raw(app.client.get(app.url(&format!("/invoices/{inv_id}")))).await;
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let card = resp.text().await.unwrap();
    assert!(card.contains(&crate::helpers::brand_style(&csp)), "{card}");
    assert!(card.contains(r#"class="merchant-mark">T</span>"#));
    assert!(card.contains("Test mode"));
    let challenge = href_of(&html, "challenge-link").expect("a way to the bank's challenge");
    assert_eq!(challenge, format!("http://127.0.0.1/sandbox/3ds/{pay_id}"));
    assert!(
        !html.contains("data-testid=\"card-form\""),
        "no second charge while a challenge is pending"
    );

    let back = app
        .browser_post(&format!("/sandbox/3ds/{pay_id}"), &[("result", "complete")])
        .await;
    assert_eq!(
        back,
        format!("http://127.0.0.1/invoices/{inv_id}?payment_id={pay_id}&status=succeeded")
    );
    let invoice = app.get_ok(&format!("/v1/invoices/{inv_id}")).await;
    assert_eq!(
        (invoice["status"].as_str(), invoice["amount_paid"].as_i64()),
        (Some("paid"), Some(1500))
    );
    let sub = app.get_ok(&format!("/v1/subscriptions/{sub_id}")).await;
    assert_eq!(sub["status"], "active");
    let (_, html) = app.public_page(&format!("/invoices/{inv_id}")).await;
    assert!(
        html.contains("data-status=\"paid\""),
        "the page shows it paid"
    );
    assert_eq!(app.event_count("invoice.paid").await, 1);
    assert_ledger_sound(&app).await;
}

#[tokio::test]
async fn a_declined_renewal_is_paid_with_a_new_card_on_the_hosted_page_without_javascript() {
    let app = TestApp::spawn().await;
    let start = at(2027, 3, 5, 12);
    let (clock, cust, _) = app.clock_customer(start, "4242424242424242").await;
    let price = app.monthly_price(1000).await;
    let sub = app.subscribe(&cust, &price).await;
    let sub_id = sub["id"].as_str().unwrap().to_string();
    let declining = app.attach_card(&cust, "4000000000000002").await;
    app.ok(app.post_form(
        &format!("/v1/subscriptions/{sub_id}"),
        &[("default_payment_method", &declining)],
    ))
    .await;

    // The renewal's draft is not public: its amount may still change.
    app.advance(&clock, at(2027, 4, 5, 12) + 600).await;
    let draft = app.invoices_of(&sub_id).await[0].clone();
    assert_eq!(draft["status"], "draft");
    let draft_id = draft["id"].as_str().unwrap().to_string();
    assert_eq!(
        app.public_page(&format!("/invoices/{draft_id}")).await.0,
        404
    );
    assert_eq!(app.public_page("/invoices/inv_nope").await.0, 404);

    app.advance(&clock, at(2027, 4, 5, 14)).await;
    let inv = app.get_ok(&format!("/v1/invoices/{draft_id}")).await;
    assert_eq!(
        (inv["status"].as_str(), inv["attempt_count"].as_i64()),
        (Some("open"), Some(1))
    );
    let page = format!("/invoices/{draft_id}");
    let (_, html) = app.public_page(&page).await;
    assert!(
        html.contains("data-testid=\"decline-message\""),
        "the decline is explained"
    );
    assert!(
        html.contains("data-testid=\"card-form\""),
        "a card can be typed"
    );
    assert!(html.contains("Pay €10.00"), "{html}");

    let card = |number: &'static str| {
        vec![
            ("reference", draft_id.clone()),
            ("name", "Grace Hopper".to_string()),
            ("number", number.to_string()),
            ("expiry", "12 / 34".to_string()),
            ("cvc", "123".to_string()),
        ]
    };
    let post = |form: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.browser_post("/api/checkout/pay", &form).await
        }
    };
    // A wrong number is caught before anything is charged or saved.
    assert_eq!(
        post(card("4242 4242 4242 4241")).await,
        format!("{page}?invalid=number")
    );
    // Another decline: back to the page, which says why.
    assert_eq!(post(card("4000 0000 0000 9995")).await, page);
    let inv = app.get_ok(&format!("/v1/invoices/{draft_id}")).await;
    assert_eq!(
        (inv["status"].as_str(), inv["attempt_count"].as_i64()),
        (Some("open"), Some(2))
    );
    let (_, html) = app.public_page(&page).await;
    assert!(html.contains("insufficient funds"), "{html}");

    assert_eq!(post(card("4242 4242 4242 4242")).await, page);
    let inv = app.get_ok(&format!("/v1/invoices/{draft_id}")).await;
    assert_eq!(
        (
            inv["status"].as_str(),
            inv["attempt_count"].as_i64(),
            inv["amount_paid"].as_i64(),
            inv["next_payment_attempt"].as_i64()
        ),
        (Some("paid"), Some(3), Some(1000), None)
    );
    let sub = app.get_ok(&format!("/v1/subscriptions/{sub_id}")).await;
    assert_eq!(sub["status"], "active");
    let new_card = sub["default_payment_method"].as_str().unwrap().to_string();
    assert_ne!(
        new_card, declining,
        "the typed card became the subscription's"
    );
    let pm = app.get_ok(&format!("/v1/payment_methods/{new_card}")).await;
    assert_eq!(
        (pm["customer"].as_str(), pm["card"]["last4"].as_str()),
        (Some(cust.as_str()), Some("4242"))
    );

    // Posting again (a second tab) charges nothing more.
    assert_eq!(post(card("4242 4242 4242 4242")).await, page);
    let payments = app
        .get_ok(&format!("/v1/payments?customer={cust}&limit=100"))
        .await;
    let of_invoice = payments["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["invoice"] == draft_id.as_str())
        .count();
    assert_eq!(of_invoice, 3, "three attempts, one of them paid");

    // The next renewal charges the new card, first time.
    app.advance(&clock, at(2027, 5, 5, 14)).await;
    let next = app.invoices_of(&sub_id).await[0].clone();
    assert_eq!(
        (next["status"].as_str(), next["attempt_count"].as_i64()),
        (Some("paid"), Some(1)),
        "{next}"
    );
    assert_ledger_sound(&app).await;
}
