//! The checkout part of `make bench`: page renders per second, and the page's weight as a
//! customer's browser receives it.

use super::{Args, merge, spawn_workers};
use crate::Tally;
use anyhow::{Context, Result, bail};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the checkout part measured.
pub(crate) struct CheckoutFigures {
    pub(crate) renders: u64,
    pub(crate) errors: u64,
    pub(crate) secs: f64,
    pub(crate) latencies: Vec<u64>,
    /// Each file a customer's browser fetches for the page, with its gzipped size.
    pub(crate) weight: Vec<(String, u64)>,
}

/// Renders of `/checkout/{id}` for payments awaiting their customer, and the page's weight:
/// its HTML and every `/pkg/` file it loads (CSS, JS, wasm), as sent with gzip.
pub(crate) async fn checkout_pages(
    args: &Args,
    client: &reqwest::Client,
    base: &str,
    key: &str,
) -> Result<CheckoutFigures> {
    let mut paths = Vec::new();
    for i in 0..200 {
        let resp = client
            .post(format!("{base}/v1/payments"))
            .header("X-Api-Key", key)
            .form(&[
                ("amount", "4999"),
                ("currency", "EUR"),
                ("description", &format!("Order {i}")),
                ("return_url", "https://shop.example/done"),
            ])
            .send()
            .await?;
        let body: serde_json::Value = resp.json().await?;
        let url = body["checkout_url"].as_str().context("a checkout_url")?;
        paths.push(url.trim_start_matches(base).to_string());
    }
    let weight = page_weight(client, base, &paths[0]).await?;
    let paths = Arc::new(paths);
    let started = Instant::now();
    let stop = started + Duration::from_secs(args.checkout_duration);
    let tallies = spawn_workers(args.connections, {
        let client = client.clone();
        let (base, paths) = (base.to_string(), paths.clone());
        move |worker| {
            let (client, base, paths) = (client.clone(), base.clone(), paths.clone());
            async move {
                let mut tally = Tally::default();
                let mut i = worker;
                while Instant::now() < stop {
                    let t = Instant::now();
                    let ok = match client
                        .get(format!("{base}{}", paths[i % paths.len()]))
                        .send()
                        .await
                    {
                        Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                        _ => false,
                    };
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
    let secs = started.elapsed().as_secs_f64();
    let (renders, errors, mut latencies, _) = merge(tallies);
    latencies.sort_unstable();
    Ok(CheckoutFigures {
        renders,
        errors,
        secs,
        latencies,
        weight,
    })
}

/// The page and its `/pkg/` files, each fetched as a browser would (gzip accepted), with the
/// bytes that crossed the wire. The JS loader's own imports (the wasm) are followed too.
pub(crate) async fn page_weight(
    client: &reqwest::Client,
    base: &str,
    path: &str,
) -> Result<Vec<(String, u64)>> {
    let fetch = |url: String| async move {
        let resp = client
            .get(&url)
            .header("Accept-Encoding", "gzip")
            .send()
            .await?;
        if !resp.status().is_success() {
            bail!("{url}: status {}", resp.status());
        }
        let gzipped = resp
            .headers()
            .get("content-encoding")
            .is_some_and(|v| v == "gzip");
        let bytes = resp.bytes().await?;
        anyhow::Ok((bytes, gzipped))
    };
    let (html, gzipped) = fetch(format!("{base}{path}")).await?;
    if !gzipped {
        bail!("{path} was not sent gzipped");
    }
    let mut weight = vec![("HTML".to_string(), html.len() as u64)];
    // The page's assets: read them from the uncompressed HTML.
    let plain = client
        .get(format!("{base}{path}"))
        .send()
        .await?
        .text()
        .await?;
    let mut assets: Vec<String> = plain
        .split("/pkg/")
        .skip(1)
        .filter_map(|rest| {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
                .collect();
            (!name.is_empty()).then_some(name)
        })
        .collect();
    assets.sort();
    assets.dedup();
    // The hydration script names the JS; the JS loads the wasm beside it.
    if assets.iter().any(|a| a.ends_with(".js")) && !assets.iter().any(|a| a.ends_with(".wasm")) {
        for js in assets.clone().iter().filter(|a| a.ends_with(".js")) {
            assets.push(js.trim_end_matches(".js").to_string() + ".wasm");
        }
    }
    for name in assets {
        let (body, _) = fetch(format!("{base}/pkg/{name}")).await?;
        weight.push((name, body.len() as u64));
    }
    Ok(weight)
}
