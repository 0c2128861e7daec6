//! `flowgate serve` as a child process, for the tests that kill it (SIGKILL, SIGTERM) or run two
//! replicas: one way to start it against the fake GitHub, to wait for it, and to deliver to it.
//! The child is killed when dropped, so a failing test leaves none behind.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use super::fake_github::FakeGitHub;
use super::server::{self, APP_ID, SECRET, request};

pub struct ChildServer {
    process: std::process::Child,
    pub url: String,
}

impl ChildServer {
    /// Starts `flowgate serve` on `port` with the App's test credentials, the fake GitHub, the
    /// database and a short retry backoff; `env` adds or overrides settings (`FLOWGATE_WORKERS`,
    /// `FLOWGATE_LEASE_SECONDS`, ...). Its log goes to `log` when given, else nowhere.
    pub fn spawn(fake: &FakeGitHub, database_url: &str, port: u16, env: &[(&str, &str)], log: Option<&Path>) -> Self {
        let key = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/app/test-app-key.pem");
        let stderr = match log {
            Some(path) => std::fs::OpenOptions::new().create(true).append(true).open(path).expect("a log file").into(),
            None => std::process::Stdio::null(),
        };
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("flowgate"));
        command
            .env_clear()
            .arg("serve")
            .env("FLOWGATE_APP_ID", APP_ID.to_string())
            .env("FLOWGATE_APP_PRIVATE_KEY_PATH", key)
            .env("FLOWGATE_WEBHOOK_SECRET", SECRET)
            .env("FLOWGATE_DATABASE_URL", database_url)
            .env("FLOWGATE_GITHUB_API_URL", fake.uri())
            .env("FLOWGATE_LISTEN", format!("127.0.0.1:{port}"))
            .env("FLOWGATE_RETRY_BACKOFF_MS", "100");
        for (name, value) in env {
            command.env(name, value);
        }
        let process = command.stderr(stderr).spawn().expect("flowgate serve starts");
        ChildServer { process, url: format!("http://127.0.0.1:{port}") }
    }

    /// The process id, for sending it a signal.
    pub fn id(&self) -> u32 {
        self.process.id()
    }

    pub fn kill(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }

    /// The exit status once the process has ended by itself.
    pub fn try_wait(&mut self) -> Option<std::process::ExitStatus> {
        self.process.try_wait().expect("the child can be waited for")
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// Whether the server at `url` answers `/healthz` with 200 (false while it starts or once killed).
pub async fn healthy(url: &str) -> bool {
    let host = url.trim_start_matches("http://").to_string();
    if tokio::net::TcpStream::connect(&host).await.is_err() {
        return false;
    }
    request(url, "GET", "/healthz", &[], b"").await.0 == 200
}

/// Delivers a signed webhook; the status, or 0 when a killed server answers nothing within 10 s.
pub async fn deliver_to(url: &str, event: &str, id: &str, payload: &Value) -> u16 {
    let body = payload.to_string();
    let headers = vec![
        ("X-GitHub-Event".to_string(), event.to_string()),
        ("X-GitHub-Delivery".to_string(), id.to_string()),
        ("X-Hub-Signature-256".to_string(), server::sign(SECRET, body.as_bytes())),
    ];
    match tokio::time::timeout(Duration::from_secs(10), server::post(url, "/webhook", &headers, body.as_bytes())).await
    {
        Ok((status, _)) => status,
        Err(_) => 0,
    }
}
