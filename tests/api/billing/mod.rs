//! Billing on a test clock, with exact figures: renewals and dunning (`renewals`), the
//! hosted invoice page (`hosted`), plan changes and trials (`changes`), metered usage
//! (`usage`). Helpers shared by them are here.

mod changes;
mod hosted;
mod race;
mod renewals;
mod usage;

use crate::helpers::{TestApp, send, send_raw};
use serde_json::{Value, json};
use vinr::domain::calendar::unix_from_civil;

pub fn at(y: i32, m: u32, d: u32, hour: i64) -> i64 {
    unix_from_civil(y, m, d).unwrap() + hour * 3_600
}

impl TestApp {
    pub async fn ok(&self, req: reqwest::RequestBuilder) -> Value {
        let (status, body) = send(req).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// A clock at `time`, a customer on it with a saved card (`number`) as its default.
    pub async fn clock_customer(&self, time: i64, number: &str) -> (String, String, String) {
        let clock = self
            .ok(self.post_json("/v1/test_clocks", &json!({"frozen_time": time})))
            .await;
        let clock = clock["id"].as_str().unwrap().to_string();
        let cust = self
            .ok(self.post_form(
                "/v1/customers",
                &[("email", "sub@example.com"), ("test_clock", &clock)],
            ))
            .await;
        assert_eq!(
            cust["created"], time,
            "a customer on a clock lives at its time"
        );
        let cust = cust["id"].as_str().unwrap().to_string();
        let pm = self.attach_card(&cust, number).await;
        self.ok(self.post_form(
            &format!("/v1/customers/{cust}"),
            &[("default_payment_method", &pm)],
        ))
        .await;
        (clock, cust, pm)
    }

    pub async fn attach_card(&self, cust: &str, number: &str) -> String {
        let req = self
            .client
            .post(self.url("/v1/payment_methods"))
            .header("X-Api-Key", &self.pk_test)
            .form(&[
                ("type", "card"),
                ("card[number]", number),
                ("card[exp_month]", "12"),
                ("card[exp_year]", "2034"),
                ("card[cvc]", "123"),
            ]);
        let pm = self.ok(req).await["id"].as_str().unwrap().to_string();
        self.ok(self.post_form(
            &format!("/v1/payment_methods/{pm}/attach"),
            &[("customer", cust)],
        ))
        .await;
        pm
    }

    pub async fn monthly_price(&self, amount: i64) -> String {
        let (status, _) = send(self.post_form(
            "/v1/products",
            &[("id", "prod_starter"), ("name", "Starter")],
        ))
        .await;
        assert!(
            status == 200 || status == 409,
            "made, or made by an earlier test"
        );
        let price = self
            .ok(self.post_json(
                "/v1/prices",
                &json!({"productId": "prod_starter", "amount": amount, "currency": "EUR", "recurring": {"interval": "month"}}),
            ))
            .await;
        price["id"].as_str().unwrap().to_string()
    }

    pub async fn advance(&self, clock: &str, to: i64) -> Value {
        let body = self
            .ok(self.post_json(
                &format!("/v1/test_clocks/{clock}/advance"),
                &json!({"frozen_time": to}),
            ))
            .await;
        assert_eq!(
            (body["status"].as_str(), body["frozen_time"].as_i64()),
            (Some("ready"), Some(to))
        );
        body
    }

    pub async fn invoices_of(&self, sub: &str) -> Vec<Value> {
        let list = self
            .ok(self.get(&format!("/v1/invoices?subscription={sub}&limit=100")))
            .await;
        list["data"].as_array().unwrap().clone()
    }

    pub async fn event_count(&self, kind: &str) -> usize {
        let list = self.ok(self.get("/v1/events?limit=100")).await;
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == kind)
            .count()
    }

    pub async fn get_ok(&self, path: &str) -> Value {
        self.ok(self.get(path)).await
    }

    /// A public page (no key, no session): its status and HTML.
    pub async fn public_page(&self, path: &str) -> (u16, String) {
        let resp = send_raw(self.client.get(self.url(path))).await;
        let status = resp.status().as_u16();
        (status, resp.text().await.unwrap())
    }

    /// A form post from one of our own pages, as a browser without JavaScript sends it; the
    /// redirect it answers (empty when none).
    pub async fn browser_post(&self, path: &str, form: &[(&str, &str)]) -> String {
        let resp = send_raw(
            self.client
                .post(self.url(path))
                .header("Origin", &self.base)
                .header("Accept", "text/html,application/xhtml+xml")
                .form(form),
        )
        .await;
        resp.headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }

    /// A subscription of the clock's customer to `price` (created by the seed's body).
    pub async fn subscribe(&self, cust: &str, price: &str) -> Value {
        let (status, body) = send(self.post_json(
            "/v1/subscriptions",
            &json!({"customerId": cust, "priceId": price}),
        ))
        .await;
        assert_eq!(status, 200, "{body}");
        body
    }
}
