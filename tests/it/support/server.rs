//! What the App's tests share: a `flowgate serve` started in process on a free port, signed
//! deliveries over real HTTP, and the databases each test runs on (SQLite always; PostgreSQL when
//! `FLOWGATE_TEST_DATABASE_URL` is set, each test in a fresh database of its own). The server
//! keeps its workers' handler errors (`OnHandlerError::Record`), and a test fails on one it did
//! not say it expects (`Server::expect_handler_errors`), once the server stops or is dropped.

use std::sync::Arc;
use std::time::{Duration, Instant};

use flowgate::github::AppKey;
use flowgate::serve::config::{OnHandlerError, ServeConfig};
use flowgate::serve::signature::WebhookSecret;
use flowgate::serve::{App, serve_on};
use flowgate::store::{QueueDepth, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;

use crate::support::fake_github::FakeGitHub;

pub const SECRET: &str = "a webhook secret for tests";
pub const APP_ID: u64 = 12345;

pub fn app_key() -> AppKey {
    let pem =
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/app/test-app-key.pem"))
            .expect("key");
    AppKey::from_pem(APP_ID, &pem).expect("key parses")
}

pub fn sign(secret: &str, body: &[u8]) -> String {
    WebhookSecret::new(secret).expect("secret").sign(body)
}

pub use super::db::databases;

pub fn config(fake: &FakeGitHub, database_url: &str) -> ServeConfig {
    ServeConfig {
        trackers: Default::default(),
        app_id: APP_ID,
        app_key: app_key(),
        webhook_secrets: vec![WebhookSecret::new(SECRET).expect("secret")],
        database_url: database_url.to_string(),
        github_api_url: fake.uri(),
        listen: "127.0.0.1:0".parse().expect("address"),
        workers: 2,
        public_rate_limit: 1000,
        lease: Duration::from_secs(2),
        evaluation_timeout: Duration::from_secs(60),
        retry_backoff: Duration::from_millis(100),
        retain: Duration::from_secs(7 * 24 * 3600),
        digest: None,
        edge: Default::default(),
        sources: Vec::new(),
        baselines: Vec::new(),
        on_handler_error: OnHandlerError::Record,
        onboarding: Default::default(),
        github_pace: (10, 60),
        slo: Default::default(),
    }
}

pub struct Server {
    pub url: String,
    pub app: Arc<App>,
    stop: watch::Sender<bool>,
    /// Taken when the server stops.
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    /// What the handler errors this test expects contain.
    expected: std::sync::Mutex<Vec<String>>,
}

impl Server {
    pub async fn start(fake: &FakeGitHub, database_url: &str) -> Server {
        Server::start_with(config(fake, database_url)).await
    }

    pub async fn start_with(config: ServeConfig) -> Server {
        let store = Store::connect(&config.database_url).await.expect("store");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let app = Arc::new(App::new(config, store));
        let (stop, stopped) = watch::channel(false);
        let task = Some(tokio::spawn(serve_on(app.clone(), listener, stopped)));
        Server { url, app, stop, task, expected: Default::default() }
    }

    /// Says that this test makes deliveries fail on purpose (GitHub answering 5xx or 403, a PR
    /// that is gone, an evaluation that hangs): handler errors containing `containing` are
    /// expected, and at least one must come.
    pub fn expect_handler_errors(&self, containing: &str) {
        self.expected.lock().expect("not poisoned").push(containing.to_string());
    }

    /// Fails the test on a handler error it did not expect, or an expected one that never came.
    fn check_handler_errors(&self) {
        let errors = self.app.handler_errors();
        let expected = self.expected.lock().map(|e| e.clone()).unwrap_or_default();
        let unexpected: Vec<&String> =
            errors.iter().filter(|e| !expected.iter().any(|x| e.contains(x.as_str()))).collect();
        assert!(unexpected.is_empty(), "a delivery handler failed, which this test did not expect: {unexpected:#?}");
        for x in &expected {
            assert!(errors.iter().any(|e| e.contains(x.as_str())), "no handler error contains {x:?}: {errors:#?}");
        }
    }

    /// Posts `payload` as GitHub would: signed, with its event and delivery id.
    pub async fn deliver(&self, event: &str, id: &str, payload: &serde_json::Value) -> (u16, String) {
        let body = payload.to_string();
        let headers = vec![
            ("X-GitHub-Event".to_string(), event.to_string()),
            ("X-GitHub-Delivery".to_string(), id.to_string()),
            ("X-Hub-Signature-256".to_string(), sign(SECRET, body.as_bytes())),
            ("Content-Type".to_string(), "application/json".to_string()),
        ];
        post(&self.url, "/webhook", &headers, body.as_bytes()).await
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        request(&self.url, "GET", path, &[], b"").await
    }

    pub async fn depth(&self) -> QueueDepth {
        self.app.store.depth().await.expect("depth")
    }

    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(30), task).await;
        }
        self.check_handler_errors();
    }
}

impl Drop for Server {
    /// A test that ends without `stop` is still held to its handler errors; one that is already
    /// failing is not failed twice.
    fn drop(&mut self) {
        if self.task.is_some() && !std::thread::panicking() {
            let _ = self.stop.send(true);
            self.check_handler_errors();
        }
    }
}

pub async fn post(url: &str, path: &str, headers: &[(String, String)], body: &[u8]) -> (u16, String) {
    request(url, "POST", path, headers, body).await
}

/// One HTTP/1.1 request on a fresh connection; the status and the body. Plain enough that a
/// server that closes early (413) still gives its answer.
pub async fn request(url: &str, method: &str, path: &str, headers: &[(String, String)], body: &[u8]) -> (u16, String) {
    let host = url.trim_start_matches("http://");
    // Nothing listening (a killed server): status 0.
    let Ok(mut stream) = tokio::net::TcpStream::connect(host).await else {
        return (0, String::new());
    };
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    if stream.write_all(head.as_bytes()).await.is_err() {
        return (0, String::new());
    }
    // The server may answer and close before the whole body is sent (413): that is fine.
    let _ = stream.write_all(body).await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

/// Waits up to 20 s for `condition`.
pub async fn wait_until(what: &str, condition: impl AsyncFn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if condition().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("waited 20 s for: {what}");
}
