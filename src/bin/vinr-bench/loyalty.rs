//! What an earn rule costs payments: create+confirm with a customer (so the rules are read on
//! every success), in rounds without a rule and with one (one point per euro), alternating so
//! the database's growth weighs on both alike. Medians of the rounds, their ratio, and a check
//! that every payment of the rule's rounds earned exactly its points. Then what an earn writes,
//! counted rather than timed: the table and index entries a payment adds to the database
//! without a rule and with one.

use crate::{Args, Tally, merge, pct, spawn_workers};
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct LoyaltyFigures {
    /// Payments/s of each round without a rule, then with one.
    pub without: Vec<f64>,
    pub with: Vec<f64>,
    /// p99 latency (ms) of the rounds with a rule, all together.
    pub with_p99: f64,
    pub errors: u64,
    /// Points the accounts hold in all, and what the rule's successful payments should have
    /// given.
    pub earned: i64,
    pub expected: i64,
    /// Table and index entries one payment adds, by table: without a rule, then with one.
    pub entries: [BTreeMap<String, f64>; 2],
}

/// Customers the payments go round (an earn locks one customer's points account).
const CUSTOMERS: usize = 256;
/// Each payment is €50.00: 50 points by the rule.
const AMOUNT: i64 = 5000;

async fn send(req: reqwest::RequestBuilder) -> Result<Value> {
    let resp = req.send().await?;
    let status = resp.status();
    let body: Value = resp.json().await?;
    if !status.is_success() {
        bail!("{status} {body}");
    }
    Ok(body)
}

async fn set_rules(client: &reqwest::Client, base: &str, key: &str, rules: Value) -> Result<()> {
    let req = client
        .post(format!("{base}/v1/loyalty/programs/prog_default"))
        .header("X-Api-Key", key)
        .json(&json!({"earn_rules": rules}));
    send(req).await.map(|_| ())
}

/// A create+confirm of `AMOUNT` by `customer` with a test card.
fn paying(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    customer: &str,
    idempotency_key: &str,
) -> reqwest::RequestBuilder {
    client
        .post(format!("{base}/v1/payments"))
        .header("X-Api-Key", key)
        .header("Idempotency-Key", idempotency_key)
        .form(&[
            ("amount", AMOUNT.to_string().as_str()),
            ("currency", "EUR"),
            ("payment_method", "pm_card_visa"),
            ("customer", customer),
        ])
}

/// One round of create+confirm load for `secs`: payments/s and the tally.
async fn round(
    args: &Args,
    client: &reqwest::Client,
    base: &str,
    key: &str,
    customers: Arc<Vec<String>>,
    label: &str,
    secs: u64,
) -> (f64, Tally) {
    let started = Instant::now();
    let stop = started + Duration::from_secs(secs);
    let label = label.to_string();
    let tallies = spawn_workers(args.connections, {
        let client = client.clone();
        let (base, key) = (base.to_string(), key.to_string());
        move |worker| {
            let (client, base, key, customers) =
                (client.clone(), base.clone(), key.clone(), customers.clone());
            let label = label.clone();
            async move {
                let mut tally = Tally::default();
                let mut n = 0usize;
                while Instant::now() < stop {
                    let customer = &customers[(worker * 31 + n * 7) % customers.len()];
                    let t = Instant::now();
                    let ok = paying(
                        &client,
                        &base,
                        &key,
                        customer,
                        &format!("{label}-{worker}-{n}"),
                    )
                    .send()
                    .await
                    .map(|r| r.status().is_success())
                    .unwrap_or(false);
                    if ok {
                        tally.latencies.push(t.elapsed().as_micros() as u64);
                    } else {
                        tally.errors += 1;
                    }
                    n += 1;
                }
                tally
            }
        }
    })
    .await;
    let secs = started.elapsed().as_secs_f64();
    let tally = merge_into_one(tallies);
    (tally.latencies.len() as f64 / secs, tally)
}

fn merge_into_one(tallies: Vec<Tally>) -> Tally {
    let (_, errors, latencies, ids) = merge(tallies);
    Tally {
        latencies,
        errors,
        ids,
    }
}

/// Points held by every account of the program, read back through the API.
async fn points_held(client: &reqwest::Client, base: &str, key: &str) -> Result<i64> {
    let mut total = 0;
    let mut after: Option<String> = None;
    loop {
        let mut url = format!("{base}/v1/loyalty/accounts?limit=100");
        if let Some(id) = &after {
            url.push_str(&format!("&starting_after={id}"));
        }
        let page = send(client.get(url).header("X-Api-Key", key)).await?;
        let data = page["data"].as_array().context("accounts")?;
        total += data
            .iter()
            .map(|a| a["lifetime_earned"].as_i64().unwrap_or(0))
            .sum::<i64>();
        match (page["has_more"].as_bool(), data.last()) {
            (Some(true), Some(last)) => after = last["id"].as_str().map(str::to_string),
            _ => return Ok(total),
        }
    }
}

pub async fn loyalty(
    args: &Args,
    client: &reqwest::Client,
    base: &str,
    key: &str,
    data: &Path,
) -> Result<LoyaltyFigures> {
    let mut customers = Vec::with_capacity(CUSTOMERS);
    for i in 0..CUSTOMERS {
        let req = client
            .post(format!("{base}/v1/customers"))
            .header("X-Api-Key", key)
            .form(&[("email", format!("points-{i}@example.com"))]);
        let body = send(req).await?;
        customers.push(body["id"].as_str().context("customer id")?.to_string());
    }
    let customers = Arc::new(customers);
    let rule =
        json!([{"event": "payment.completed", "points": 1, "per_amount": 100, "currency": "EUR"}]);
    let mut figures = LoyaltyFigures {
        without: Vec::new(),
        with: Vec::new(),
        with_p99: 0.0,
        errors: 0,
        earned: 0,
        expected: 0,
        entries: [BTreeMap::new(), BTreeMap::new()],
    };
    let mut with_latencies = Vec::new();
    let secs = args.loyalty_duration;
    for r in 0..args.loyalty_rounds {
        set_rules(client, base, key, json!([])).await?;
        let (rate, tally) = round(
            args,
            client,
            base,
            key,
            customers.clone(),
            &format!("plain{r}"),
            secs,
        )
        .await;
        figures.without.push(rate);
        figures.errors += tally.errors;
        set_rules(client, base, key, rule.clone()).await?;
        let (rate, tally) = round(
            args,
            client,
            base,
            key,
            customers.clone(),
            &format!("earn{r}"),
            secs,
        )
        .await;
        figures.with.push(rate);
        figures.errors += tally.errors;
        figures.expected += tally.latencies.len() as i64 * AMOUNT / 100;
        with_latencies.extend(tally.latencies);
    }
    with_latencies.sort_unstable();
    figures.with_p99 = pct(&with_latencies, 0.99);
    figures.earned = points_held(client, base, key).await?;
    let db = data.join("vinr.db");
    for (i, rules) in [json!([]), rule].into_iter().enumerate() {
        set_rules(client, base, key, rules).await?;
        figures.entries[i] = entries_per_payment(client, base, key, &customers, &db, i).await?;
    }
    set_rules(client, base, key, json!([])).await?;
    Ok(figures)
}

/// Payments of the probe: one at a time, so nothing else writes meanwhile.
const PROBE_PAYMENTS: usize = 50;

/// The table and index entries (B-tree cells) one create+confirm adds to the database at `db`,
/// by table, over `PROBE_PAYMENTS` payments made one after another (with idempotency keys,
/// like the rounds' payments).
async fn entries_per_payment(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    customers: &[String],
    db: &Path,
    probe: usize,
) -> Result<BTreeMap<String, f64>> {
    let before = entries_by_table(db).await?;
    for (n, customer) in customers.iter().cycle().take(PROBE_PAYMENTS).enumerate() {
        let req = paying(client, base, key, customer, &format!("probe{probe}-{n}"));
        send(req)
            .await
            .with_context(|| format!("probe payment {n}"))?;
    }
    let after = entries_by_table(db).await?;
    Ok(after
        .into_iter()
        .map(|(table, n)| {
            let added = n - before.get(&table).copied().unwrap_or(0);
            (table, added as f64 / PROBE_PAYMENTS as f64)
        })
        .filter(|(_, added)| *added > 0.0)
        .collect())
}

/// Entries in every table's B-trees (its rows, and each index's keys, interior ones too), by
/// table, read from SQLite's `dbstat`.
async fn entries_by_table(db: &Path) -> Result<BTreeMap<String, i64>> {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", db.display());
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await?;
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT m.tbl_name, CAST(SUM(s.ncell) AS BIGINT) FROM dbstat s
         JOIN sqlite_master m ON m.name = s.name
         WHERE s.pagetype = 'leaf' OR (s.pagetype = 'internal' AND m.type = 'index')
         GROUP BY m.tbl_name",
    )
    .fetch_all(&pool)
    .await?;
    pool.close().await;
    Ok(rows.into_iter().collect())
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

pub fn print(f: &LoyaltyFigures) {
    let (without, with) = (median(&f.without), median(&f.with));
    let rounds = |v: &[f64]| {
        v.iter()
            .map(|r| format!("{r:.0}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "loyalty:        create+confirm with a customer, median of {} rounds: {without:.0} payments/s without an earn rule ({}), {with:.0}/s with one ({}), p99 {:.2} ms, errors {}",
        f.without.len(),
        rounds(&f.without),
        rounds(&f.with),
        f.with_p99,
        f.errors
    );
    // Each round with a rule follows one without: their ratio cancels the slowdown both see
    // as the database grows, which the ratio of the two medians does not.
    let paired: Vec<f64> = f.with.iter().zip(&f.without).map(|(w, o)| w / o).collect();
    println!(
        "loyalty ratio:  {:.3} (with a rule ÷ without; target ≥ 0.90), median of each round's ratio {:.3} ({}); points earned {} of {} expected{}",
        with / without,
        median(&paired),
        paired
            .iter()
            .map(|r| format!("{r:.2}"))
            .collect::<Vec<_>>()
            .join(", "),
        f.earned,
        f.expected,
        if f.earned == f.expected {
            ""
        } else {
            "  ← MISMATCH"
        }
    );
    // Writes are what the SQLite writer spends its time on, so what an earn adds to them
    // bounds the ratio whatever the code around them does.
    let total = |m: &BTreeMap<String, f64>| m.values().sum::<f64>();
    let [plain, earning] = &f.entries;
    let extra: Vec<String> = earning
        .iter()
        .filter_map(|(table, n)| {
            let more = n - plain.get(table).copied().unwrap_or(0.0);
            (more > 0.0).then(|| format!("{table} {more:.1}"))
        })
        .collect();
    println!(
        "loyalty writes: {:.1} table and index entries per payment without a rule, {:.1} with one (ratio {:.3}); the earn adds {}",
        total(plain),
        total(earning),
        total(plain) / total(earning),
        extra.join(", ")
    );
}
