//! The App under stress: killed with SIGKILL in the middle of a burst, every acknowledged
//! delivery is still processed exactly once after a restart; and two replicas on one PostgreSQL
//! database share a burst so that each delivery is processed once and each head gets one run.

use crate::support::fake_github;
use crate::support::server;

use std::collections::HashMap;
use std::time::Duration;

use crate::support::child::{ChildServer, deliver_to, free_port, healthy};
use fake_github::{AppAuth, FakeGitHub, hello_world, payload};
use flowgate::store::Store;
use serde_json::{Value, json};
use server::{Server, config, databases, wait_until};

/// Hello-World with `prs` pull requests (#1..), each on a head of its own.
async fn many_prs(prs: u64) -> FakeGitHub {
    let fake = hello_world("ABC-123: update the greeting", &["ai:none"]).await;
    fake.with(|s| {
        s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() });
        let template = s.pr(2).clone();
        for n in 1..=prs {
            let mut pr = template.clone();
            pr.pull["number"] = json!(n);
            pr.pull["head"]["sha"] = json!(head(n));
            for c in &mut pr.commits {
                c["sha"] = json!(head(n));
            }
            s.pulls.insert(n, pr);
        }
    });
    fake
}

fn head(n: u64) -> String {
    format!("{n:040x}")
}

/// The opened payload, for PR `n`.
fn opened(n: u64) -> Value {
    let mut p = payload("pull_request.opened.payload.json");
    p["pull_request"]["number"] = json!(n);
    p["number"] = json!(n);
    p
}

/// `flowgate serve` as a child process; `lease_seconds`: `None` for the default.
fn spawn_server(fake: &FakeGitHub, database_url: &str, port: u16, lease_seconds: Option<u64>) -> ChildServer {
    let lease = lease_seconds.map(|l| l.to_string());
    let mut env = vec![("FLOWGATE_WORKERS", "2")];
    if let Some(lease) = &lease {
        env.push(("FLOWGATE_LEASE_SECONDS", lease));
    }
    ChildServer::spawn(fake, database_url, port, &env, None)
}

/// The deliveries in progress with the worker holding each, read straight from the queue's table:
/// what a killed server was working on.
async fn in_progress(database_url: &str) -> Vec<(String, Option<String>)> {
    let sql = "SELECT id, claimed_by FROM deliveries WHERE state = 'in_progress' ORDER BY id";
    if database_url.starts_with("sqlite") {
        let pool = sqlx::SqlitePool::connect(database_url).await.expect("opens the database");
        let rows = sqlx::query_as(sql).fetch_all(&pool).await.expect("reads the queue");
        pool.close().await;
        rows
    } else {
        let pool = sqlx::PgPool::connect(database_url).await.expect("opens the database");
        let rows = sqlx::query_as(sql).fetch_all(&pool).await.expect("reads the queue");
        pool.close().await;
        rows
    }
}

/// How long until none of `held` is still in progress under the worker that held it: each is done,
/// queued again, or claimed by a live worker. At most `limit`, then it says what is left.
async fn time_to_resume(database_url: &str, held: &[(String, Option<String>)], limit: Duration) -> Duration {
    let started = std::time::Instant::now();
    loop {
        let now = in_progress(database_url).await;
        let stuck: Vec<_> = held.iter().filter(|h| now.contains(h)).collect();
        if stuck.is_empty() {
            return started.elapsed();
        }
        assert!(started.elapsed() < limit, "still held by a dead worker after {limit:?}: {stuck:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn deliver(url: &str, id: &str, payload: &Value) -> u16 {
    deliver_to(url, "pull_request", id, payload).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_mid_burst_loses_no_acknowledged_delivery_and_repeats_none() {
    for db in databases("serve_kill").await {
        let fake = many_prs(6).await;
        // Evaluations take a while, so the kill lands while work is in hand.
        fake.with(|s| s.delay = Duration::from_millis(150));
        let port = free_port();
        let mut child = spawn_server(&fake, &db.url, port, Some(2));
        wait_until("the server is up", async || healthy(&child.url).await).await;

        let mut acknowledged = Vec::new();
        for i in 0..60u64 {
            let id = format!("kill-{i}");
            if i == 30 {
                child.kill();
                let store = Store::connect(&db.url).await.expect("store");
                let depth = store.depth().await.expect("depth");
                assert!(depth.queued + depth.in_progress > 0, "{}: the kill landed with work left: {depth:?}", db.name);
            }
            if deliver(&child.url, &id, &opened(i % 6 + 1)).await == 202 {
                acknowledged.push(id);
            }
        }
        assert_eq!(acknowledged.len(), 30, "{}: every delivery before the kill was acknowledged", db.name);

        let mut restarted = spawn_server(&fake, &db.url, port, Some(2));
        wait_until("the restarted server is up", async || healthy(&restarted.url).await).await;
        for i in 30..60u64 {
            let id = format!("kill-{i}");
            if deliver(&restarted.url, &id, &opened(i % 6 + 1)).await == 202 {
                acknowledged.push(id);
            }
        }
        let store = Store::connect(&db.url).await.expect("store");
        wait_until("the queue drains", async || {
            store.depth().await.is_ok_and(|d| d.queued == 0 && d.in_progress == 0 && d.done > 0)
        })
        .await;
        for id in &acknowledged {
            assert_eq!(store.times_completed(id).await.expect("counted"), 1, "{}: {id}", db.name);
        }
        assert_eq!(acknowledged.len(), 60);
        fake.with(|s| {
            for n in 1..=6 {
                assert_eq!(s.runs_on(&head(n)).len(), 1, "{}: PR #{n} has one run on its head", db.name);
            }
        });
        restarted.kill();
        drop(store);
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_on_one_postgresql_share_a_burst() {
    let dbs = databases("serve_replicas").await;
    let Some(db) = dbs.iter().find(|d| d.name == "postgres") else {
        eprintln!(
            "*** two_replicas_on_one_postgresql_share_a_burst DID NOT RUN: it needs FLOWGATE_TEST_DATABASE_URL ***"
        );
        return;
    };
    let fake = many_prs(10).await;
    fake.with(|s| s.delay = Duration::from_millis(20));
    let (a, b) = (Server::start(&fake, &db.url).await, Server::start(&fake, &db.url).await);
    let mut sent = Vec::new();
    let mut tasks = Vec::new();
    for i in 0..100u64 {
        let url = if i % 2 == 0 { a.url.clone() } else { b.url.clone() };
        let id = format!("burst-{i}");
        sent.push(id.clone());
        tasks.push(tokio::spawn(async move { deliver(&url, &id, &opened(i % 10 + 1)).await }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("joins"), 202);
    }
    wait_until("both replicas drain the shared queue", async || a.depth().await.done == 100).await;
    for id in &sent {
        assert_eq!(a.app.store.times_completed(id).await.expect("counted"), 1, "{id}");
    }
    let runs: HashMap<String, usize> = fake.with(|s| {
        let mut m = HashMap::new();
        for r in &s.check_runs {
            *m.entry(r.head_sha.clone()).or_default() += 1;
        }
        m
    });
    assert_eq!(runs.len(), 10);
    assert!(runs.values().all(|n| *n == 1), "one check run per head: {runs:?}");
    a.stop().await;
    b.stop().await;
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_stops_taking_deliveries_and_leaves_nothing_held() {
    let db = &crate::support::db::Db::sqlite();
    let fake = many_prs(3).await;
    fake.with(|s| s.delay = Duration::from_millis(300));
    let port = free_port();
    let mut child = spawn_server(&fake, &db.url, port, Some(2));
    wait_until("the server is up", async || healthy(&child.url).await).await;
    for i in 0..6u64 {
        assert_eq!(deliver(&child.url, &format!("term-{i}"), &opened(i % 3 + 1)).await, 202);
    }
    let pid = child.id().to_string();
    let sent = std::process::Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
    assert!(sent.success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(40), "still running 40 s after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "a clean exit: {status:?}");
    let store = Store::connect(&db.url).await.expect("store");
    let depth = store.depth().await.expect("depth");
    assert_eq!(depth.in_progress, 0, "finished or given back, never left held: {depth:?}");
    assert_eq!(depth.queued + depth.done, 6, "{depth:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_evaluation_that_hangs_is_counted_and_parked_while_other_prs_go_on() {
    for db in databases("serve_hang").await {
        let fake = many_prs(2).await;
        // Every request about PR #1 hangs; PR #2 is answered as usual.
        fake.with(|s| s.hang_pulls.insert(1));
        let mut settings = config(&fake, &db.url);
        settings.evaluation_timeout = Duration::from_secs(1);
        let server = Server::start_with(settings).await;
        // Each attempt at the hung PR fails, and so does saying so on it.
        server.expect_handler_errors("took longer than its limit of 1 s");
        server.expect_handler_errors("cannot say so on the PR: no answer within 1 s");
        assert_eq!(server.deliver("pull_request", "hangs", &opened(1)).await.0, 202);
        assert_eq!(server.deliver("pull_request", "fine", &opened(2)).await.0, 202);

        wait_until("the other PR is evaluated", async || fake.with(|s| s.runs_on(&head(2)).len() == 1)).await;
        let parked = async || server.app.store.parked().await.expect("lists");
        // Six attempts of a second each, with backoff between: about 25 s alone, but several
        // times that when builds and other tests share the machine's two cores. A bound on
        // liveness, not a measure of speed.
        let started = std::time::Instant::now();
        while parked().await.is_empty() {
            assert!(started.elapsed() < Duration::from_secs(240), "{}: the hanging delivery is parked", db.name);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let parked = parked().await;
        assert_eq!(parked.len(), 1, "{}: {parked:?}", db.name);
        let p = &parked[0];
        assert_eq!((p.id.as_str(), p.attempts), ("hangs", flowgate::store::MAX_ATTEMPTS), "{}", db.name);
        let why = p.last_error.as_deref().unwrap_or_default();
        assert!(why.contains("took longer than its limit of 1 s"), "{}: {why}", db.name);
        assert_eq!(server.app.store.times_completed("fine").await.expect("counted"), 1, "{}", db.name);
        assert!(fake.with(|s| s.runs_on(&head(1)).is_empty()), "{}: nothing posted for the hung PR", db.name);
        server.stop().await;
        db.drop_database().await;
    }
}

/// Sends `count` opened deliveries for PRs 1..=`prs` round robin over `urls`; each must be
/// acknowledged.
async fn burst(urls: &[&str], prefix: &str, count: u64, prs: u64) -> Vec<String> {
    let mut sent = Vec::new();
    for i in 0..count {
        let id = format!("{prefix}-{i}");
        assert_eq!(deliver(urls[i as usize % urls.len()], &id, &opened(i % prs + 1)).await, 202, "{id}");
        sent.push(id);
    }
    sent
}

/// Every delivery completed once, and each PR's head has exactly one check run.
async fn exactly_once(name: &str, database_url: &str, sent: &[String], fake: &FakeGitHub, prs: u64) {
    let store = Store::connect(database_url).await.expect("store");
    wait_until("the queue drains", async || {
        store.depth().await.is_ok_and(|d| d.queued == 0 && d.in_progress == 0 && d.done as usize == sent.len())
    })
    .await;
    for id in sent {
        assert_eq!(store.times_completed(id).await.expect("counted"), 1, "{name}: {id}");
    }
    fake.with(|s| {
        for n in 1..=prs {
            assert_eq!(s.runs_on(&head(n)).len(), 1, "{name}: PR #{n} has one run on its head");
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn prs_in_progress_when_killed_resume_within_10_s_of_a_restart() {
    for db in databases("serve_resume").await {
        let fake = many_prs(6).await;
        // Slow answers, so that the kill lands while PRs are being evaluated.
        fake.with(|s| s.delay = Duration::from_millis(100));
        let port = free_port();
        // The default lease: what an operator gets without tuning.
        let mut child = spawn_server(&fake, &db.url, port, None);
        wait_until("the server is up", async || healthy(&child.url).await).await;
        let sent = burst(&[&child.url], "resume", 24, 6).await;
        wait_until("work is in progress", async || !in_progress(&db.url).await.is_empty()).await;
        child.kill();
        let held = in_progress(&db.url).await;
        assert!(!held.is_empty(), "{}: the kill landed while PRs were in progress", db.name);

        let restarted_at = std::time::Instant::now();
        let mut restarted = spawn_server(&fake, &db.url, port, None);
        let resumed = time_to_resume(&db.url, &held, Duration::from_secs(60)).await;
        let resumed_after_restart = resumed.min(restarted_at.elapsed());
        eprintln!(
            "{}: {} deliveries in progress at the kill resumed {resumed:?} after the restart",
            db.name,
            held.len()
        );
        assert!(resumed_after_restart < Duration::from_secs(10), "{}: resumed after {resumed:?}", db.name);
        exactly_once(db.name, &db.url, &sent, &fake, 6).await;
        restarted.kill();
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn when_one_of_two_replicas_dies_its_prs_continue_on_the_other_within_30_s() {
    let dbs = databases("serve_survivor").await;
    let Some(db) = dbs.iter().find(|d| d.name == "postgres") else {
        eprintln!("*** when_one_of_two_replicas_dies... DID NOT RUN: it needs FLOWGATE_TEST_DATABASE_URL ***");
        return;
    };
    let fake = many_prs(8).await;
    fake.with(|s| s.delay = Duration::from_millis(100));
    let mut doomed = spawn_server(&fake, &db.url, free_port(), None);
    let mut survivor = spawn_server(&fake, &db.url, free_port(), None);
    wait_until("both replicas are up", async || healthy(&doomed.url).await && healthy(&survivor.url).await).await;
    let sent = burst(&[&doomed.url, &survivor.url], "survivor", 32, 8).await;
    let mark = format!("-{}-", doomed.id());
    let doomed_holds =
        async || in_progress(&db.url).await.into_iter().any(|(_, w)| w.is_some_and(|w| w.contains(&mark)));
    wait_until("the doomed replica holds work", doomed_holds).await;
    doomed.kill();
    let held: Vec<_> = in_progress(&db.url)
        .await
        .into_iter()
        .filter(|(_, w)| w.as_deref().is_some_and(|w| w.contains(&mark)))
        .collect();
    assert!(!held.is_empty(), "the kill landed while the doomed replica held PRs");

    let resumed = time_to_resume(&db.url, &held, Duration::from_secs(90)).await;
    eprintln!("postgres: {} deliveries of the killed replica resumed on the survivor after {resumed:?}", held.len());
    assert!(resumed < Duration::from_secs(30), "resumed after {resumed:?}");
    exactly_once(db.name, &db.url, &sent, &fake, 8).await;
    survivor.kill();
    db.drop_database().await;
}
