//! `flowgate serve`'s edge under hostile clients, over real TCP to a server started in the test:
//! slowloris and idle connections are closed, the connection cap queues new connections without
//! losing a signed delivery, forged bodies stay within the body budget, unsigned event names make
//! no metric series, and `/flowgate explain` from a fork's author is answered once per head.

use crate::support::db::Db;
use crate::support::fake_github;
use crate::support::server;

use std::time::Duration;

use fake_github::{AppAuth, HEAD, hello_world, payload};
use serde_json::json;
use server::{SECRET, Server, config, post, sign, wait_until};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn opened_pr() -> fake_github::FakeGitHub {
    let fake = hello_world("ABC-123: update the greeting", &["ai:none"]).await;
    fake.with(|s| s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() }));
    fake
}

/// A server with short connection timeouts, so the tests wait seconds, not minutes.
async fn edge_server(
    fake: &fake_github::FakeGitHub,
    db: &str,
    edit: impl FnOnce(&mut flowgate::serve::edge::EdgeLimits),
) -> Server {
    let mut config = config(fake, db);
    config.edge.header_timeout = Duration::from_secs(1);
    config.edge.idle_timeout = Duration::from_secs(1);
    edit(&mut config.edge);
    Server::start_with(config).await
}

fn host(server: &Server) -> String {
    server.url.trim_start_matches("http://").to_string()
}

/// Reads until the server closes the connection; a generous bound so a server that never closes
/// fails the test instead of hanging it.
async fn read_until_closed(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut seen = Vec::new();
    match tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut seen)).await {
        Ok(_) => Some(seen),
        Err(_) => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slowloris_client_is_closed_before_its_headers_end() {
    let db = &Db::sqlite();
    let fake = opened_pr().await;
    let server = edge_server(&fake, &db.url, |_| {}).await;
    let mut stream = TcpStream::connect(host(&server)).await.expect("connects");
    let head = format!("POST /webhook HTTP/1.1\r\nHost: x\r\nX-Padding: {}\r\n", "a".repeat(400));
    let (mut reader, mut writer) = stream.split();
    let mut sent = 0;
    let mut closed = Box::pin(async move {
        let mut seen = Vec::new();
        let _ = reader.read_to_end(&mut seen).await;
    });
    for byte in head.as_bytes() {
        tokio::select! {
            _ = &mut closed => break,
            _ = tokio::time::sleep(Duration::from_millis(50)) => {}
        }
        if writer.write_all(std::slice::from_ref(byte)).await.is_err() {
            break;
        }
        sent += 1;
    }
    assert!(sent < head.len(), "the server read {sent} header bytes, one every 50 ms, without closing");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn idle_connections_are_closed_new_and_kept_alive() {
    let db = &Db::sqlite();
    let fake = opened_pr().await;
    let server = edge_server(&fake, &db.url, |_| {}).await;

    let mut silent = TcpStream::connect(host(&server)).await.expect("connects");
    assert!(read_until_closed(&mut silent).await.is_some(), "a connection that never sends a byte is closed");

    let mut kept = TcpStream::connect(host(&server)).await.expect("connects");
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.expect("writes");
    let answer = read_until_closed(&mut kept).await.expect("a kept-alive connection left idle is closed");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok\n"), "{answer}");
    wait_until("no connection left open", async || server.app.metrics.connections_open() == 0).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn at_the_connection_cap_a_signed_delivery_waits_for_a_free_slot_and_is_stored() {
    let db = &Db::sqlite();
    let fake = opened_pr().await;
    let server = edge_server(&fake, &db.url, |edge| {
        edge.max_connections = 3;
        edge.header_timeout = Duration::from_secs(60);
        edge.idle_timeout = Duration::from_secs(60);
    })
    .await;
    let mut holders = Vec::new();
    for _ in 0..3 {
        holders.push(TcpStream::connect(host(&server)).await.expect("connects"));
    }
    wait_until("three connections open", async || server.app.metrics.connections_open() == 3).await;
    wait_until("the cap is reached", async || server.app.metrics.connection_cap_reached_total() > 0).await;

    let opened = payload("pull_request.opened.payload.json");
    let url = server.url.clone();
    let delivery = tokio::spawn(async move {
        let body = opened.to_string();
        let headers = vec![
            ("X-GitHub-Event".to_string(), "pull_request".to_string()),
            ("X-GitHub-Delivery".to_string(), "d-capped".to_string()),
            ("X-Hub-Signature-256".to_string(), sign(SECRET, body.as_bytes())),
        ];
        post(&url, "/webhook", &headers, body.as_bytes()).await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!delivery.is_finished(), "no slot is free: the delivery waits in the backlog");
    assert_eq!(server.app.metrics.connections_open(), 3, "the cap holds");

    drop(holders.pop());
    let (status, body) = delivery.await.expect("the delivery task");
    assert_eq!(status, 202, "answered once a connection closed: {body}");
    drop(holders.pop());
    assert_eq!(server.get("/healthz").await.0, 200, "/healthz keeps answering");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forged_large_bodies_stay_within_the_body_budget_and_a_signed_delivery_still_lands() {
    let db = &Db::sqlite();
    let fake = opened_pr().await;
    const BUDGET: u32 = 8 << 20;
    const BODY: usize = 2 << 20;
    let server = edge_server(&fake, &db.url, |edge| {
        edge.body_budget_bytes = BUDGET;
        edge.max_connections = 100;
        edge.header_timeout = Duration::from_secs(30);
        edge.idle_timeout = Duration::from_secs(30);
    })
    .await;
    let forged = vec![b'x'; BODY];
    let mut attacks = Vec::new();
    for n in 0..40 {
        let (url, forged) = (server.url.clone(), forged.clone());
        attacks.push(tokio::spawn(async move {
            let headers = vec![
                ("X-GitHub-Event".to_string(), "pull_request".to_string()),
                ("X-GitHub-Delivery".to_string(), format!("forged-{n}")),
                ("X-Hub-Signature-256".to_string(), sign("not the secret", &forged)),
            ];
            post(&url, "/webhook", &headers, &forged).await.0
        }));
    }
    let mut statuses = Vec::new();
    for attack in attacks {
        statuses.push(attack.await.expect("attack task"));
    }
    assert!(statuses.iter().all(|s| *s == 401 || *s == 503), "{statuses:?}");
    assert!(statuses.contains(&401), "forged bodies are read and refused: {statuses:?}");
    let budget = &server.app.body_budget;
    assert!(budget.peak() <= u64::from(BUDGET), "peak {} over the budget {BUDGET}", budget.peak());
    assert!(budget.peak() >= BODY as u64, "the bodies were reserved: peak {}", budget.peak());
    wait_until("every reservation released", async || server.app.body_budget.in_flight() == 0).await;

    let (status, body) = server.deliver("pull_request", "d-signed", &payload("pull_request.opened.payload.json")).await;
    assert_eq!(status, 202, "{body}");
    let metrics = server.get("/metrics").await.1;
    assert!(metrics.contains(&format!("flowgate_webhook_body_bytes_limit {BUDGET}")), "{metrics}");
    // One reading: the worker may take the delivery between two, and count it twice.
    let depth = server.depth().await;
    assert_eq!(depth.queued + depth.in_progress + depth.done, 1, "only the signed delivery was stored: {depth:?}");
    server.stop().await;
}

/// Each metric series on the page, without its value.
fn series(page: &str) -> Vec<String> {
    page.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.rsplit_once(' ').map_or(l, |(name, _)| name).to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unsigned_event_names_make_no_metric_series() {
    let db = &Db::sqlite();
    let fake = opened_pr().await;
    let server = edge_server(&fake, &db.url, |_| {}).await;
    let unsigned = |event: String| {
        let url = server.url.clone();
        async move {
            let headers =
                vec![("X-GitHub-Event".to_string(), event), ("X-Hub-Signature-256".to_string(), sign("guess", b"{}"))];
            post(&url, "/webhook", &headers, b"{}").await.0
        }
    };
    assert_eq!(unsigned("warmup".into()).await, 401);
    let before = server.get("/metrics").await.1;
    for n in 0..1000 {
        assert_eq!(unsigned(format!("event_{n}")).await, 401);
    }
    let after = server.get("/metrics").await.1;
    assert_eq!(series(&after), series(&before), "before:\n{before}\nafter:\n{after}");
    assert!(after.len() <= before.len() + 8, "only counts grew: {} -> {} bytes", before.len(), after.len());
    assert!(
        after.contains("flowgate_deliveries_total{event=\"unverified\",outcome=\"bad_signature\"} 1001"),
        "{after}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_fork_authors_explain_is_answered_once_per_head_commit() {
    let db = &Db::sqlite();
    let fake = opened_pr().await;
    let server = Server::start(&fake, &db.url).await;
    let explain = json!({
        "action": "created",
        "installation": { "id": 1 },
        "repository": { "full_name": "Codertocat/Hello-World" },
        "issue": { "number": 2, "pull_request": { "url": "https://api.github.com/repos/Codertocat/Hello-World/pulls/2" },
                   "user": { "login": "forker" } },
        "comment": { "body": "/flowgate explain", "user": { "login": "forker" }, "author_association": "NONE" }
    });
    for n in 0..5 {
        assert_eq!(server.deliver("issue_comment", &format!("e-{n}"), &explain).await.0, 202, "acknowledged");
    }
    wait_until("all five handled", async || server.depth().await.done == 5).await;
    let comments = fake.with(|s| s.comments(2));
    assert_eq!(comments.len(), 1, "one report for one head: {comments:#?}");
    assert!(comments[0].contains(HEAD), "{}", comments[0]);

    let pushed = "2222222222222222222222222222222222222222";
    fake.with(|s| s.pr(2).pull["head"]["sha"] = pushed.into());
    for n in 5..10 {
        assert_eq!(server.deliver("issue_comment", &format!("e-{n}"), &explain).await.0, 202);
    }
    wait_until("all ten handled", async || server.depth().await.done == 10).await;
    let comments = fake.with(|s| s.comments(2));
    assert_eq!(comments.len(), 2, "one more after the push: {comments:#?}");
    assert!(comments[1].contains(pushed), "{}", comments[1]);
    server.stop().await;
}

/// `flowgate serve` as a process under an open-file limit of 300 (`prlimit`), the way a systemd
/// unit without `LimitNOFILE` runs it, only lower: 450 slowloris and idle connections (more than
/// the process has descriptors) do not keep a signed delivery or `/healthz` from being answered,
/// and the server never runs out of descriptors.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn under_a_low_open_file_limit_a_flood_of_idle_connections_delays_a_delivery_but_never_loses_it() {
    let fake = opened_pr().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let url = format!("http://127.0.0.1:{port}");
    let key = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/app/test-app-key.pem");
    let stderr_path = dir.path().join("stderr.log");
    let mut server = std::process::Command::new("prlimit")
        .arg("--nofile=300:300")
        .arg(assert_cmd::cargo::cargo_bin("flowgate"))
        .arg("serve")
        .env_clear()
        .env("FLOWGATE_APP_ID", server::APP_ID.to_string())
        .env("FLOWGATE_APP_PRIVATE_KEY_PATH", key)
        .env("FLOWGATE_WEBHOOK_SECRET", SECRET)
        .env("FLOWGATE_DATABASE_URL", format!("sqlite://{}", dir.path().join("flowgate.db").display()))
        .env("FLOWGATE_GITHUB_API_URL", fake.uri())
        .env("FLOWGATE_LISTEN", format!("127.0.0.1:{port}"))
        .env("FLOWGATE_MAX_CONNECTIONS", "40")
        .env("FLOWGATE_HEADER_TIMEOUT_SECS", "1")
        .env("FLOWGATE_IDLE_TIMEOUT_SECS", "1")
        .stderr(std::fs::File::create(&stderr_path).expect("a log file"))
        .spawn()
        .expect("prlimit starts flowgate serve (util-linux)");
    wait_until("the server answers", async || server::request(&url, "GET", "/healthz", &[], b"").await.0 == 200).await;

    // Half send the start of a request and stop (slowloris), half say nothing at all.
    let mut flood = Vec::new();
    for i in 0..450 {
        let mut stream = TcpStream::connect(format!("127.0.0.1:{port}")).await.expect("the backlog takes it");
        if i % 2 == 0 {
            let _ = stream.write_all(b"POST /webhook HTTP/1.1\r\nHost: x\r\nX-GitHub-Event: push\r\n").await;
        }
        flood.push(stream);
    }

    let body = payload("pull_request.opened.payload.json").to_string();
    let headers = vec![
        ("X-GitHub-Event".to_string(), "pull_request".to_string()),
        ("X-GitHub-Delivery".to_string(), "d-under-flood".to_string()),
        ("X-Hub-Signature-256".to_string(), sign(SECRET, body.as_bytes())),
    ];
    let started = std::time::Instant::now();
    let answer = tokio::time::timeout(Duration::from_secs(60), post(&url, "/webhook", &headers, body.as_bytes())).await;
    let health =
        tokio::time::timeout(Duration::from_secs(60), server::request(&url, "GET", "/healthz", &[], b"")).await;
    let waited = started.elapsed();
    let alive = server.try_wait().expect("the process can be asked").is_none();
    let _ = server.kill();
    let _ = server.wait();
    drop(flood);
    let log = std::fs::read_to_string(&stderr_path).unwrap_or_default();

    assert!(alive, "the server died under the flood: {log}");
    let (status, answer) = answer.expect("the signed delivery was answered within 60 s");
    assert_eq!(status, 202, "the signed delivery was stored: {answer}");
    assert_eq!(health.expect("/healthz answered within 60 s").0, 200);
    assert!(
        log.contains("connections are open, the most FLOWGATE_MAX_CONNECTIONS allows"),
        "the cap said it was reached: {log}"
    );
    assert!(!log.contains("cannot accept a connection"), "the server ran out of descriptors: {log}");
    eprintln!("a signed delivery behind 450 flooding connections (cap 40, 1 s timeouts) answered in {waited:?}");
}
