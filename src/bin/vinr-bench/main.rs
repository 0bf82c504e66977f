//! `make bench`: load against a release server on SQLite, and the disk's raw commit rate.
//!
//! Starts `vinr serve` as its own process (fresh data folder, sandbox latency 0), creates and
//! confirms payments (`pm_card_visa`, an `Idempotency-Key` on each) over N keep-alive
//! connections for D seconds, then retrieves them; prints throughput and latency percentiles.
//! In the same run it measures raw SQLite single-row commits on the same disk with the same
//! pragmas, and prints the ratio of the two. Then the checkout page, the card element's
//! weight, webhook delivery, renewals, and what an earn rule costs payments.

mod checkout;
mod elements;
mod loyalty;
mod renewals;
mod webhooks;

use anyhow::{Context, Result, bail};
use clap::Parser;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

#[derive(Debug, Parser)]
struct Args {
    /// The release `vinr` binary.
    #[arg(long)]
    server: String,
    /// Where the server finds its built assets.
    #[arg(long, default_value = "target/site")]
    site_root: String,
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Seconds of create-and-confirm load.
    #[arg(long, default_value_t = 20)]
    duration: u64,
    /// Seconds of retrieve load.
    #[arg(long, default_value_t = 10)]
    retrieve_duration: u64,
    /// Seconds of checkout page load.
    #[arg(long, default_value_t = 10)]
    checkout_duration: u64,
    /// Seconds of each webhook phase (latency, then throughput).
    #[arg(long, default_value_t = 10)]
    webhook_duration: u64,
    /// Subscriptions renewed by one test clock advance.
    #[arg(long, default_value_t = 10_000)]
    renewal_subscriptions: usize,
    /// Run the renewal phase only (with the raw SQLite baseline).
    #[arg(long)]
    only_renewals: bool,
    /// Seconds of each loyalty round (without an earn rule, then with one).
    #[arg(long, default_value_t = 5)]
    loyalty_duration: u64,
    /// Rounds of each.
    #[arg(long, default_value_t = 3)]
    loyalty_rounds: usize,
    /// Run the loyalty phase only (with the raw SQLite baseline).
    #[arg(long)]
    only_loyalty: bool,
    #[arg(long, default_value = "127.0.0.1:3900")]
    addr: String,
    /// Where the server's demo shop listens (the origin allowed to frame the card element).
    #[arg(long, default_value = "127.0.0.1:3901")]
    shop_addr: String,
}

/// The demo merchant's test keys, as the server printed them.
struct Keys {
    secret: String,
    publishable: String,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let data = tempfile_dir()?;
    let (mut server, keys) = start_server(&args, &data).await?;
    let base = format!("http://{}", args.addr);
    let result = run(&args, &base, &keys, &data).await;
    let _ = server.kill().await;
    let _ = std::fs::remove_dir_all(&data);
    result
}

fn tempfile_dir() -> Result<std::path::PathBuf> {
    // On the project's disk (not tmpfs), so both measurements see the same storage.
    let dir = std::env::current_dir()?
        .join("target")
        .join(format!("bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

async fn start_server(args: &Args, data: &std::path::Path) -> Result<(Child, Keys)> {
    let mut child = Command::new(&args.server)
        .arg("serve")
        .env("VINR_ADDR", &args.addr)
        .env("VINR_PUBLIC_URL", format!("http://{}", args.addr))
        .env("VINR_DATA_DIR", data)
        .env("VINR_DATABASE_URL", "")
        .env("VINR_SECRET", "")
        .env("VINR_SANDBOX_LATENCY_MS", "0")
        .env("LEPTOS_SITE_ROOT", &args.site_root)
        .env("RUST_LOG", "warn")
        .env("VINR_DEMO_SHOP_ADDR", &args.shop_addr)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", args.server))?;
    let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut secret = None;
    while Instant::now() < deadline {
        let Some(line) = tokio::time::timeout(Duration::from_secs(60), lines.next_line()).await??
        else {
            break;
        };
        if let Some(key) = line.trim().strip_prefix("Secret key:") {
            secret = Some(key.trim().to_string());
        }
        if let (Some(key), Some(secret)) =
            (line.trim().strip_prefix("Publishable key:"), secret.clone())
        {
            let publishable = key.trim().to_string();
            // Keep reading: a server whose stdout is closed fails at its next line.
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return Ok((
                child,
                Keys {
                    secret,
                    publishable,
                },
            ));
        }
    }
    bail!("the server did not print its keys")
}

/// Latencies in microseconds, and how many requests failed.
#[derive(Default)]
struct Tally {
    latencies: Vec<u64>,
    errors: u64,
    ids: Vec<String>,
}

async fn run(args: &Args, base: &str, keys: &Keys, data: &std::path::Path) -> Result<()> {
    let key = keys.secret.as_str();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections)
        .build()?;
    if args.only_renewals {
        let renewals =
            renewals::renewals(args, &client, base, key, &keys.publishable, data).await?;
        let raw = raw_sqlite_commits(data, Duration::from_secs(5)).await?;
        renewals::print(&renewals);
        println!("raw SQLite:     {raw:.0} single-row commits/s (same disk, same pragmas)");
        println!(
            "ratio:          {:.3} (invoices/s ÷ raw commits/s)",
            renewals.paid as f64 / renewals.advance_secs / raw
        );
        println!("target:         ≥ 500 invoices/s");
        return Ok(());
    }
    if args.only_loyalty {
        let figures = loyalty::loyalty(args, &client, base, key, data).await?;
        let raw = raw_sqlite_commits(data, Duration::from_secs(5)).await?;
        loyalty::print(&figures);
        println!("raw SQLite:     {raw:.0} single-row commits/s (same disk, same pragmas)");
        return Ok(());
    }
    // Warm-up: connections open, caches filled.
    for _ in 0..50 {
        create(&client, base, key, &format!("warmup-{}", rand_suffix())).await?;
    }

    let started = Instant::now();
    let stop = started + Duration::from_secs(args.duration);
    let tallies = spawn_workers(args.connections, {
        let client = client.clone();
        let (base, key) = (base.to_string(), key.to_string());
        move |worker| {
            let (client, base, key) = (client.clone(), base.clone(), key.clone());
            async move {
                let mut tally = Tally::default();
                let mut n = 0u64;
                while Instant::now() < stop {
                    let t = Instant::now();
                    match create(&client, &base, &key, &format!("bench-{worker}-{n}")).await {
                        Ok(id) => {
                            tally.latencies.push(t.elapsed().as_micros() as u64);
                            if tally.ids.len() < 2000 {
                                tally.ids.push(id);
                            }
                        }
                        Err(_) => tally.errors += 1,
                    }
                    n += 1;
                }
                tally
            }
        }
    })
    .await;
    let create_secs = started.elapsed().as_secs_f64();
    let (created, create_errors, mut create_lat, ids) = merge(tallies);
    let ids = Arc::new(ids);

    let started = Instant::now();
    let stop = started + Duration::from_secs(args.retrieve_duration);
    let tallies = spawn_workers(args.connections, {
        let client = client.clone();
        let (base, key, ids) = (base.to_string(), key.to_string(), ids.clone());
        move |worker| {
            let (client, base, key, ids) = (client.clone(), base.clone(), key.clone(), ids.clone());
            async move {
                let mut tally = Tally::default();
                let mut i = worker;
                while Instant::now() < stop {
                    let id = &ids[i % ids.len()];
                    let t = Instant::now();
                    let ok = client
                        .get(format!("{base}/v1/payments/{id}"))
                        .header("X-Api-Key", &key)
                        .send()
                        .await
                        .map(|r| r.status().is_success())
                        .unwrap_or(false);
                    if ok {
                        tally.latencies.push(t.elapsed().as_micros() as u64)
                    } else {
                        tally.errors += 1
                    }
                    i += 7;
                }
                tally
            }
        }
    })
    .await;
    let retrieve_secs = started.elapsed().as_secs_f64();
    let (retrieved, retrieve_errors, mut retrieve_lat, _) = merge(tallies);

    let checkout = checkout::checkout_pages(args, &client, base, key).await?;
    let shop_origin = format!("http://{}", args.shop_addr);
    let element = elements::elements_weight(&client, base, &keys.publishable, &shop_origin).await?;
    let hooks = webhooks::webhooks(args, &client, base, key).await?;
    let renewals = renewals::renewals(args, &client, base, key, &keys.publishable, data).await?;
    let points = loyalty::loyalty(args, &client, base, key, data).await?;

    let raw = raw_sqlite_commits(data, Duration::from_secs(5)).await?;
    let payments_per_sec = created as f64 / create_secs;
    create_lat.sort_unstable();
    retrieve_lat.sort_unstable();
    println!(
        "VINR bench: SQLite (WAL, synchronous=FULL), {} connections, sandbox latency 0",
        args.connections
    );
    println!(
        "create+confirm: {created} payments in {create_secs:.1} s = {payments_per_sec:.0} payments/s \
         (p50 {:.2} ms, p99 {:.2} ms, errors {create_errors})",
        pct(&create_lat, 0.50),
        pct(&create_lat, 0.99)
    );
    println!(
        "retrieve:       {retrieved} in {retrieve_secs:.1} s = {:.0} retrieves/s (p50 {:.2} ms, p99 {:.2} ms, errors {retrieve_errors})",
        retrieved as f64 / retrieve_secs,
        pct(&retrieve_lat, 0.50),
        pct(&retrieve_lat, 0.99)
    );
    println!("raw SQLite:     {raw:.0} single-row commits/s (same disk, same pragmas)");
    println!(
        "ratio:          {:.2} (payments/s ÷ raw commits/s)",
        payments_per_sec / raw
    );
    println!(
        "checkout page:  {} renders in {:.1} s = {:.0} renders/s (p50 {:.2} ms, p99 {:.2} ms, errors {})",
        checkout.renders,
        checkout.secs,
        checkout.renders as f64 / checkout.secs,
        pct(&checkout.latencies, 0.50),
        pct(&checkout.latencies, 0.99),
        checkout.errors
    );
    println!(
        "checkout weight: {:.1} KB gzipped in all ({})",
        checkout.weight.iter().map(|(_, b)| *b).sum::<u64>() as f64 / 1024.0,
        checkout
            .weight
            .iter()
            .map(|(name, b)| format!("{name} {:.1} KB", *b as f64 / 1024.0))
            .collect::<Vec<_>>()
            .join(", ")
    );
    elements::print(&element);
    webhooks::print(&hooks);
    renewals::print(&renewals);
    println!(
        "renewal ratio:  {:.3} (invoices/s ÷ raw commits/s)",
        renewals.paid as f64 / renewals.advance_secs / raw
    );
    loyalty::print(&points);
    println!("targets:        ≥ 2000 payments/s, ratio ≥ 0.3, p99 ≤ 25 ms, retrieve ≥ 15000/s");
    println!(
        "                checkout ≥ 5000 renders/s, ≤ 150 KB gzipped; elements.js ≤ 5 KB gzipped"
    );
    println!("                webhooks ≥ 1000 deliveries/s, event → first attempt p99 ≤ 100 ms");
    println!("                renewals ≥ 500 invoices/s; an earn rule costs ≤ 10 % of payments/s");
    Ok(())
}

async fn spawn_workers<F, Fut>(n: usize, make: F) -> Vec<Tally>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Tally> + Send + 'static,
{
    let handles: Vec<_> = (0..n).map(|w| tokio::spawn(make(w))).collect();
    let mut out = Vec::with_capacity(n);
    for h in handles {
        out.push(h.await.unwrap_or_default());
    }
    out
}

fn merge(tallies: Vec<Tally>) -> (u64, u64, Vec<u64>, Vec<String>) {
    let mut lat = Vec::new();
    let mut ids = Vec::new();
    let mut errors = 0;
    for t in tallies {
        lat.extend(t.latencies);
        ids.extend(t.ids);
        errors += t.errors;
    }
    (lat.len() as u64, errors, lat, ids)
}

fn pct(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

fn rand_suffix() -> String {
    vinr::server::crypto::random_base62(12)
}

async fn create(client: &reqwest::Client, base: &str, key: &str, idem: &str) -> Result<String> {
    let resp = client
        .post(format!("{base}/v1/payments"))
        .header("X-Api-Key", key)
        .header("Idempotency-Key", idem)
        .form(&[
            ("amount", "5000"),
            ("currency", "EUR"),
            ("payment_method", "pm_card_visa"),
        ])
        .send()
        .await?;
    if !resp.status().is_success() {
        bail!("status {}", resp.status());
    }
    let body: serde_json::Value = resp.json().await?;
    Ok(body["id"].as_str().unwrap_or_default().to_string())
}

/// Single-row insert transactions on a fresh SQLite file beside the server's, with the same
/// pragmas, for `dur`: the ceiling of any durable write path on this disk.
async fn raw_sqlite_commits(dir: &std::path::Path, dur: Duration) -> Result<f64> {
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=rwc", dir.join("raw.db").display());
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await?;
    for pragma in vinr::server::store::SQLITE_PRAGMAS {
        pool.execute(pragma).await?;
    }
    pool.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        .await?;
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < dur {
        let mut tx = pool.begin().await?;
        sqlx::query("INSERT INTO t (v) VALUES ($1)")
            .bind("x")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        n += 1;
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}
