//! Deliveries outlive the process that queued them: the real binary, killed and restarted.

use super::receiver::{Received, Receiver};
use super::verify;
use crate::helpers::send;
use std::time::Duration;

/// Starts the real `vinr serve` on a fresh port over `data`; returns it and its secret key.
async fn serve(data: &std::path::Path) -> (tokio::process::Child, String, String) {
    use tokio::io::AsyncBufReadExt;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_vinr"))
        .arg("serve")
        .env("VINR_ADDR", format!("127.0.0.1:{port}"))
        .env("VINR_PUBLIC_URL", &base)
        .env("VINR_DATA_DIR", data)
        .env("VINR_DATABASE_URL", "")
        .env("VINR_SANDBOX_LATENCY_MS", "0")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("vinr serve starts");
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let key = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(key) = line.trim().strip_prefix("Secret key:") {
                return key.trim().to_string();
            }
        }
        panic!("vinr serve printed no key")
    })
    .await
    .expect("vinr serve printed its keys");
    // Keep reading so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, base, key)
}

/// Waits until `done` holds, up to `secs`.
async fn eventually(secs: u64, mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..secs * 10 {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    done()
}

/// Kill the server (SIGKILL) while its deliveries are still failing, start it again on the
/// same data: every event still arrives, each once. (The real binary, so on SQLite only:
/// the Postgres run covers the same queue through the in-process tests.)
#[tokio::test]
async fn deliveries_survive_a_killed_server() {
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let receiver = Receiver::start().await;
    receiver.answer(1_000, 503, &[], "down");
    let (mut server, base, key) = serve(data.path()).await;
    let client = reqwest::Client::new();
    let (status, created) = send(
        client
            .post(format!("{base}/v1/webhook_endpoints"))
            .header("X-Api-Key", &key)
            .form(&[("url", receiver.url.as_str())]),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let secret = created["secret"].as_str().unwrap().to_string();
    let (status, payment) = send(
        client
            .post(format!("{base}/v1/payments"))
            .header("X-Api-Key", &key)
            .form(&[("amount", "4999"), ("payment_method", "pm_card_visa")]),
    )
    .await;
    assert_eq!(status, 200, "{payment}");
    let (_, events) = send(
        client
            .get(format!("{base}/v1/events?limit=100"))
            .header("X-Api-Key", &key),
    )
    .await;
    let n = events["data"].as_array().unwrap().len();
    let event = events["data"][0]["id"].as_str().unwrap();
    let deliveries = format!("{base}/v1/events/{event}/deliveries");
    let mut recorded = false;
    for _ in 0..100 {
        let (_, list) = send(client.get(&deliveries).header("X-Api-Key", &key)).await;
        if list["data"][0]["attempts"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
        {
            recorded = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recorded, "first attempts not made");
    assert!(receiver.received().len() >= n);
    server.kill().await.unwrap();
    // The receiver is back; so is the server, on the same database.
    receiver.script.lock().unwrap().clear();
    let seen_before = receiver.received().len();
    let (_server, base, key) = serve(data.path()).await;
    assert!(
        eventually(20, || receiver.received().len() >= seen_before + n).await,
        "deliveries lost across the restart"
    );
    let after: Vec<Received> = receiver.received()[seen_before..].to_vec();
    let mut ids: Vec<String> = after
        .iter()
        .map(|r| verify(r, &secret).expect("signature verifies").id)
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "each event once after the restart");
    // The receiver answers before the server records the attempt: give the record a moment.
    let mut list = serde_json::Value::Null;
    for _ in 0..50 {
        (_, list) = send(
            client
                .get(format!("{base}/v1/events/{event}/deliveries"))
                .header("X-Api-Key", &key),
        )
        .await;
        if list["data"][0]["status"] == "delivered" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(list["data"][0]["status"], "delivered", "{list}");
}
