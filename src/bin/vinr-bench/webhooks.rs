//! Webhook figures: event-to-first-attempt latency at a steady, moderate rate (the queue not
//! backed up), then deliveries per second while payments are created flat out, to a receiver
//! on loopback in this process.

use crate::{Args, pct};
use anyhow::{Result, bail};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct WebhookFigures {
    /// Milliseconds from the create response (the event is committed by then) to the
    /// receiver getting its `payment.completed`, sorted.
    pub latencies: Vec<u64>,
    pub latency_missing: usize,
    pub deliveries: u64,
    pub delivery_secs: f64,
    /// Seconds between the last payment created and the last delivery received.
    pub drain_secs: f64,
    pub payments: u64,
}

/// What the receiver saw: per payment, when its `payment.completed` arrived; and the arrival
/// time of every delivery.
#[derive(Default)]
struct Seen {
    completed: HashMap<String, Instant>,
    arrivals: Vec<Instant>,
}

async fn start_receiver() -> Result<(String, Arc<Mutex<Seen>>)> {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move |body: axum::body::Bytes| {
            let log = log.clone();
            async move {
                let at = Instant::now();
                let event: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                let mut seen = log.lock().unwrap();
                seen.arrivals.push(at);
                if event["type"] == "payment.completed" {
                    let id = event["data"]["object"]["id"].as_str().unwrap_or_default();
                    seen.completed.entry(id.to_string()).or_insert(at);
                }
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((format!("http://{addr}/hooks"), seen))
}

async fn create_endpoint(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    url: &str,
    events: &str,
) -> Result<String> {
    let resp = client
        .post(format!("{base}/v1/webhook_endpoints"))
        .header("X-Api-Key", key)
        .form(&[("url", url), ("enabled_events[]", events)])
        .send()
        .await?;
    if !resp.status().is_success() {
        bail!("creating a webhook endpoint: status {}", resp.status());
    }
    let body: serde_json::Value = resp.json().await?;
    Ok(body["id"].as_str().unwrap_or_default().to_string())
}

async fn delete_endpoint(client: &reqwest::Client, base: &str, key: &str, id: &str) -> Result<()> {
    client
        .delete(format!("{base}/v1/webhook_endpoints/{id}"))
        .header("X-Api-Key", key)
        .send()
        .await?;
    Ok(())
}

pub async fn webhooks(
    args: &Args,
    client: &reqwest::Client,
    base: &str,
    key: &str,
) -> Result<WebhookFigures> {
    let (url, seen) = start_receiver().await?;

    // Latency: 4 workers, one payment every 25 ms each (~160/s), one delivery per payment.
    let endpoint = create_endpoint(client, base, key, &url, "payment.completed").await?;
    let stop = Instant::now() + Duration::from_secs(args.webhook_duration);
    let mut handles = Vec::new();
    for worker in 0..4 {
        let (client, base, key) = (client.clone(), base.to_string(), key.to_string());
        handles.push(tokio::spawn(async move {
            let mut created: Vec<(String, Instant)> = Vec::new();
            let mut n = 0;
            while Instant::now() < stop {
                if let Ok(id) =
                    crate::create(&client, &base, &key, &format!("hook-{worker}-{n}")).await
                {
                    created.push((id, Instant::now()));
                }
                n += 1;
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            created
        }));
    }
    let mut created = Vec::new();
    for h in handles {
        created.extend(h.await.unwrap_or_default());
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    delete_endpoint(client, base, key, &endpoint).await?;
    let (mut latencies, mut latency_missing) = (Vec::new(), 0);
    {
        let seen = seen.lock().unwrap();
        for (id, at) in &created {
            match seen.completed.get(id) {
                Some(arrived) => latencies.push(arrived.duration_since(*at).as_micros() as u64),
                None => latency_missing += 1,
            }
        }
    }
    latencies.sort_unstable();

    // Throughput: every event type, payments created flat out over all connections.
    *seen.lock().unwrap() = Seen::default();
    let endpoint = create_endpoint(client, base, key, &url, "*").await?;
    let started = Instant::now();
    let stop = started + Duration::from_secs(args.webhook_duration);
    let mut handles = Vec::new();
    for worker in 0..args.connections {
        let (client, base, key) = (client.clone(), base.to_string(), key.to_string());
        handles.push(tokio::spawn(async move {
            let mut n = 0u64;
            let mut made = 0u64;
            while Instant::now() < stop {
                if crate::create(&client, &base, &key, &format!("flood-{worker}-{n}"))
                    .await
                    .is_ok()
                {
                    made += 1;
                }
                n += 1;
            }
            made
        }));
    }
    let mut payments = 0;
    for h in handles {
        payments += h.await.unwrap_or_default();
    }
    let load_ended = Instant::now();
    // Each create+confirm emits payment.created, .succeeded and .completed.
    let expected = payments * 3;
    let deadline = load_ended + Duration::from_secs(120);
    while (seen.lock().unwrap().arrivals.len() as u64) < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    delete_endpoint(client, base, key, &endpoint).await?;
    let seen = seen.lock().unwrap();
    let last = seen.arrivals.iter().max().copied().unwrap_or(started);
    let deliveries = seen.arrivals.len() as u64;
    Ok(WebhookFigures {
        latencies,
        latency_missing,
        deliveries,
        delivery_secs: last.duration_since(started).as_secs_f64(),
        drain_secs: last.saturating_duration_since(load_ended).as_secs_f64(),
        payments,
    })
}

/// The lines `make bench` prints.
pub fn print(w: &WebhookFigures) {
    println!(
        "webhooks:       {} deliveries in {:.1} s = {:.0} deliveries/s while {} payments were created \
         (queue drained {:.1} s after the load stopped)",
        w.deliveries,
        w.delivery_secs,
        w.deliveries as f64 / w.delivery_secs.max(0.001),
        w.payments,
        w.drain_secs
    );
    println!(
        "webhook latency: event → first attempt p50 {:.1} ms, p99 {:.1} ms over {} events at ~160/s ({} not received)",
        pct(&w.latencies, 0.50),
        pct(&w.latencies, 0.99),
        w.latencies.len(),
        w.latency_missing
    );
}
