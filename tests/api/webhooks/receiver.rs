//! A merchant's webhook receiver on loopback, scripted per test.

use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Received {
    pub fn event(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A scripted answer: status, extra headers, body.
type Answer = (u16, Vec<(&'static str, String)>, String);

/// A merchant's webhook receiver on loopback: records every request and answers from a script
/// (status, extra headers, body), then 200 once the script is used up.
#[derive(Clone, Default)]
pub struct Receiver {
    pub url: String,
    pub got: Arc<Mutex<Vec<Received>>>,
    pub script: Arc<Mutex<VecDeque<Answer>>>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let receiver = Receiver::default();
        let (got, script) = (receiver.got.clone(), receiver.script.clone());
        let app = axum::Router::new().route(
            "/hooks",
            axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let (got, script) = (got.clone(), script.clone());
                async move {
                    got.lock().unwrap().push(Received {
                        headers,
                        body: body.to_vec(),
                    });
                    let (status, extra, text) = script.lock().unwrap().pop_front().unwrap_or((
                        200,
                        Vec::new(),
                        "ok".into(),
                    ));
                    let mut response = axum::response::Response::new(axum::body::Body::from(text));
                    *response.status_mut() = StatusCode::from_u16(status).unwrap();
                    for (name, value) in extra {
                        response.headers_mut().insert(name, value.parse().unwrap());
                    }
                    response
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver {
            url: format!("http://{addr}/hooks"),
            ..receiver
        }
    }

    /// The next `n` requests get `status`.
    pub fn answer(&self, n: usize, status: u16, headers: &[(&'static str, &str)], body: &str) {
        let mut script = self.script.lock().unwrap();
        for _ in 0..n {
            script.push_back((
                status,
                headers.iter().map(|(k, v)| (*k, v.to_string())).collect(),
                body.to_string(),
            ));
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}
