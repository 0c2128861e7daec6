//! `flowgate serve`'s log, from the process itself: one JSON object a line on stderr, and the
//! line that says a delivery was evaluated names the repository, the PR and the delivery.

use crate::support::fake_github;
use crate::support::server;

use std::time::{Duration, Instant};

use fake_github::{AppAuth, hello_world, payload};
use serde_json::Value;
use server::{APP_ID, SECRET, post, sign, wait_until};

/// `flowgate serve` as a process with the default logging, against `fake`: the child, its URL, its
/// stderr file and the directory that holds it.
async fn serve(fake: &fake_github::FakeGitHub) -> (std::process::Child, String, std::path::PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let url = format!("http://127.0.0.1:{port}");
    let key = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/app/test-app-key.pem");
    let stderr_path = dir.path().join("stderr.log");
    // No RUST_LOG and no FLOWGATE_LOG_FORMAT: the defaults.
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("flowgate"))
        .arg("serve")
        .env_clear()
        .env("FLOWGATE_APP_ID", APP_ID.to_string())
        .env("FLOWGATE_APP_PRIVATE_KEY_PATH", key)
        .env("FLOWGATE_WEBHOOK_SECRET", SECRET)
        .env("FLOWGATE_DATABASE_URL", format!("sqlite://{}", dir.path().join("flowgate.db").display()))
        .env("FLOWGATE_GITHUB_API_URL", fake.uri())
        .env("FLOWGATE_LISTEN", format!("127.0.0.1:{port}"))
        .stderr(std::fs::File::create(&stderr_path).expect("a log file"))
        .spawn()
        .expect("flowgate serve starts");
    wait_until("the server answers", async || server::request(&url, "GET", "/healthz", &[], b"").await.0 == 200).await;
    (child, url, stderr_path, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_installation_without_merge_queue_access_is_named_in_the_log_when_it_is_made() {
    let fake = hello_world("ABC-123: update the greeting", &["ai:none"]).await;
    fake.with(|s| s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() }));
    let (mut child, url, stderr_path, _dir) = serve(&fake).await;
    // The octokit `installation.created` payload: many permissions, no merge queues, no events.
    let body = payload("installation.created.payload.json").to_string();
    let headers = vec![
        ("X-GitHub-Event".to_string(), "installation".to_string()),
        ("X-GitHub-Delivery".to_string(), "d-installed".to_string()),
        ("X-Hub-Signature-256".to_string(), sign(SECRET, body.as_bytes())),
    ];
    assert_eq!(post(&url, "/webhook", &headers, body.as_bytes()).await.0, 202);
    let warned = |log: &str, what: &str| {
        log.lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .any(|l| l["level"] == "WARN" && l["message"].as_str().is_some_and(|m| m.contains(what)))
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut log = String::new();
    while Instant::now() < deadline && !warned(&log, "merge_group") {
        tokio::time::sleep(Duration::from_millis(100)).await;
        log = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(warned(&log, "without it GitHub never sends the App merge_group events"), "{log}");
    assert!(warned(&log, "merge_group"), "the missing event is named too:\n{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_app_logs_json_lines_and_an_evaluated_delivery_names_its_repo_pr_and_delivery() {
    let fake = hello_world("ABC-123: update the greeting", &["ai:none"]).await;
    fake.with(|s| s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() }));
    let (mut child, url, stderr_path, _dir) = serve(&fake).await;

    let body = payload("pull_request.opened.payload.json").to_string();
    let headers = vec![
        ("X-GitHub-Event".to_string(), "pull_request".to_string()),
        ("X-GitHub-Delivery".to_string(), "d-logged".to_string()),
        ("X-Hub-Signature-256".to_string(), sign(SECRET, body.as_bytes())),
    ];
    assert_eq!(post(&url, "/webhook", &headers, body.as_bytes()).await.0, 202);

    let evaluated = |log: &str| -> Option<Value> {
        log.lines().filter_map(|l| serde_json::from_str::<Value>(l).ok()).find(|l| l["message"] == "evaluated")
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut log = String::new();
    while Instant::now() < deadline {
        log = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        if evaluated(&log).is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();

    let line = evaluated(&log).unwrap_or_else(|| panic!("no `evaluated` line within 30 s:\n{log}"));
    assert_eq!(line["repo"], "Codertocat/Hello-World", "{line}");
    assert_eq!(line["pr"], 2, "{line}");
    assert_eq!(line["delivery"], "d-logged", "{line}");
    assert_eq!(line["installation"], 1, "{line}");
    assert_eq!((&line["level"], &line["outcome"]), (&"INFO".into(), &"done".into()), "{line}");
    assert!(line["worker"].as_str().is_some_and(|w| !w.is_empty()), "{line}");
    for other in log.lines().filter(|l| !l.trim().is_empty()) {
        let parsed: Result<Value, _> = serde_json::from_str(other);
        assert!(parsed.is_ok_and(|v| v.is_object()), "every line is a JSON object: {other}");
    }
    assert!(log.contains(r#""message":"serving on 127.0.0.1:"#), "{log}");
}
