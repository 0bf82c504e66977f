//! The card element's part of `make bench`: what a shop's customer downloads for it — the
//! loader on the shop's page, and the frame with its assets — as gzipped bytes on the wire.

use anyhow::{Result, bail};

pub(crate) struct ElementsWeight {
    /// `GET /v1/elements.js`, gzipped.
    loader: u64,
    /// The frame's page and its `/pkg/` files, gzipped.
    frame: Vec<(String, u64)>,
}

pub(crate) async fn elements_weight(
    client: &reqwest::Client,
    base: &str,
    publishable_key: &str,
    shop_origin: &str,
) -> Result<ElementsWeight> {
    let resp = client
        .get(format!("{base}/v1/elements.js"))
        .header("Accept-Encoding", "gzip")
        .send()
        .await?;
    if !resp.status().is_success() {
        bail!("/v1/elements.js: status {}", resp.status());
    }
    let loader = resp.bytes().await?.len() as u64;
    let origin: String = form_urlencoded::byte_serialize(shop_origin.as_bytes()).collect();
    let path = format!("/elements/card?v=1&pk={publishable_key}&origin={origin}");
    let frame = crate::checkout::page_weight(client, base, &path).await?;
    Ok(ElementsWeight { loader, frame })
}

pub(crate) fn print(w: &ElementsWeight) {
    let kb = |b: u64| b as f64 / 1024.0;
    println!(
        "elements weight: loader {:.1} KB gzipped; card frame {:.1} KB gzipped in all ({})",
        kb(w.loader),
        kb(w.frame.iter().map(|(_, b)| *b).sum()),
        w.frame
            .iter()
            .map(|(name, b)| format!("{name} {:.1} KB", kb(*b)))
            .collect::<Vec<_>>()
            .join(", ")
    );
}
