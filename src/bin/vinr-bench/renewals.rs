//! Renewal figures: N subscriptions on one test clock, then one advance past their period end
//! and draft window, which renews, finalizes and charges every one of them; invoices/s is N
//! over the advance's time (from the request to the clock's `ready`).

use crate::Args;
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub struct RenewalFigures {
    pub subscriptions: usize,
    pub setup_secs: f64,
    pub advance_secs: f64,
    /// Seconds of each part: notices, period ends (drafts), charges.
    pub phases: Vec<f64>,
    /// Renewal invoices paid, counted in the database after the advance.
    pub paid: i64,
    pub other: i64,
    /// `invoice.upcoming` events: one per subscription, three days before its period end.
    pub notices: i64,
}

/// 2027-01-01T00:00:00Z.
const START: i64 = 1_798_761_600;

async fn post(client: &reqwest::Client, url: &str, key: &str, body: &Value) -> Result<Value> {
    let resp = client
        .post(url)
        .header("X-Api-Key", key)
        .json(body)
        .send()
        .await?;
    let status = resp.status();
    let body: Value = resp.json().await?;
    if !status.is_success() {
        bail!("{url}: {status} {body}");
    }
    Ok(body)
}

pub async fn renewals(
    args: &Args,
    client: &reqwest::Client,
    base: &str,
    secret: &str,
    publishable: &str,
    data: &std::path::Path,
) -> Result<RenewalFigures> {
    let setup = Instant::now();
    let clock = post(
        client,
        &format!("{base}/v1/test_clocks"),
        secret,
        &json!({"frozen_time": START}),
    )
    .await?;
    let clock = clock["id"].as_str().context("clock id")?.to_string();
    let customer = post(
        client,
        &format!("{base}/v1/customers"),
        secret,
        &json!({"email": "renewals@example.com", "test_clock": clock}),
    )
    .await?;
    let customer = customer["id"].as_str().context("customer id")?.to_string();
    let pm = post(
        client,
        &format!("{base}/v1/payment_methods"),
        publishable,
        &json!({"type": "card", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123"}}),
    )
    .await?;
    let pm = pm["id"].as_str().context("pm id")?.to_string();
    post(
        client,
        &format!("{base}/v1/payment_methods/{pm}/attach"),
        secret,
        &json!({"customer": customer}),
    )
    .await?;
    post(
        client,
        &format!("{base}/v1/customers/{customer}"),
        secret,
        &json!({"default_payment_method": pm}),
    )
    .await?;
    post(
        client,
        &format!("{base}/v1/products"),
        secret,
        &json!({"id": "prod_bench", "name": "Bench plan"}),
    )
    .await?;
    let price = post(
        client,
        &format!("{base}/v1/prices"),
        secret,
        &json!({"productId": "prod_bench", "amount": 1000, "currency": "EUR", "recurring": {"interval": "month"}}),
    )
    .await?;
    let price = price["id"].as_str().context("price id")?.to_string();

    // The subscriptions, over the bench's connections (each first invoice is charged).
    let n = args.renewal_subscriptions;
    let workers = args.connections.min(n.max(1));
    let mut handles = Vec::new();
    for w in 0..workers {
        let (client, base, secret) = (client.clone(), base.to_string(), secret.to_string());
        let (customer, price) = (customer.clone(), price.clone());
        handles.push(tokio::spawn(async move {
            let mut made = 0usize;
            for _ in (w..n).step_by(workers) {
                post(
                    &client,
                    &format!("{base}/v1/subscriptions"),
                    &secret,
                    &json!({"customerId": customer, "priceId": price}),
                )
                .await?;
                made += 1;
            }
            anyhow::Ok(made)
        }));
    }
    let mut made = 0;
    for h in handles {
        made += h.await??;
    }
    let setup_secs = setup.elapsed().as_secs_f64();

    // One month and two hours on: every period ends, its draft waits its hour, is charged.
    // The advance goes in three steps, timed apart: the notices three days before (the
    // upcoming invoice previewed), the period ends (drafts made), the charges.
    let end = START + 31 * 86_400;
    let mut phases = Vec::new();
    let started = Instant::now();
    for to in [end - 86_400, end + 600, end + 2 * 3_600] {
        let t = Instant::now();
        advance(client, base, secret, &clock, to).await?;
        phases.push(t.elapsed().as_secs_f64());
    }
    let advance_secs = started.elapsed().as_secs_f64();
    let (paid, other, notices) = count_renewals(data).await?;
    Ok(RenewalFigures {
        subscriptions: made,
        setup_secs,
        advance_secs,
        phases,
        paid,
        other,
        notices,
    })
}

/// Advances the clock to `to` and waits until it is there, ready.
async fn advance(
    client: &reqwest::Client,
    base: &str,
    secret: &str,
    clock: &str,
    to: i64,
) -> Result<()> {
    let started = Instant::now();
    post(
        client,
        &format!("{base}/v1/test_clocks/{clock}/advance"),
        secret,
        &json!({"frozen_time": to}),
    )
    .await?;
    loop {
        let now: Value = client
            .get(format!("{base}/v1/test_clocks/{clock}"))
            .header("X-Api-Key", secret)
            .send()
            .await?
            .json()
            .await?;
        if now["status"] == "ready" && now["frozen_time"] == to {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(1_800) {
            bail!("the advance did not finish in 30 minutes: {now}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Renewal invoices in the server's database: paid, and in any other status; and the
/// `invoice.upcoming` notices sent.
async fn count_renewals(data: &std::path::Path) -> Result<(i64, i64, i64)> {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", data.join("vinr.db").display());
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await?;
    let (paid, all): (i64, i64) = sqlx::query_as(
        "SELECT CAST(SUM(CASE WHEN status = 'paid' THEN 1 ELSE 0 END) AS BIGINT), COUNT(*)
         FROM invoices WHERE billing_reason = 'subscription_cycle'",
    )
    .fetch_one(&pool)
    .await?;
    let (notices,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM events WHERE type = 'invoice.upcoming'")
            .fetch_one(&pool)
            .await?;
    pool.close().await;
    Ok((paid, all - paid, notices))
}

pub fn print(f: &RenewalFigures) {
    println!(
        "renewals:       {} subscriptions on one test clock (set up in {:.1} s); one advance renewed, \
         finalized and charged them in {:.1} s = {:.0} invoices/s ({} paid, {} not)",
        f.subscriptions,
        f.setup_secs,
        f.advance_secs,
        f.paid as f64 / f.advance_secs,
        f.paid,
        f.other
    );
    if let [notices, drafts, charges] = f.phases[..] {
        println!(
            "                of which notices {notices:.1} s ({} sent), period ends (drafts) {drafts:.1} s, \
             finalize + charge {charges:.1} s",
            f.notices
        );
    }
}
