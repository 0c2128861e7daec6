//! Onboarding: installing the App gates every open PR of its repositories once, across a server
//! killed in the middle and started again, with progress in /metrics; a live PR event is handled
//! before the onboarding backlog; adding repositories gates only those; a push that changes the
//! policy gates again only the open PRs on its branch, and any other push gates nothing; a push
//! that changes the organisation's `.github` repository (its baselines) gates every repository's
//! open PRs again.

use crate::support::fake_github;
use crate::support::server;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::support::child::{ChildServer, deliver_to, free_port, healthy};
use fake_github::{AppAuth, FakeGitHub, Pr, hello_world, payload};
use flowgate::store::Store;
use serde_json::{Value, json};
use server::{Server, config, databases, request};

/// The repository Hello-World's fake serves itself; the fleet's are others of its installation.
const HELLO: &str = "Codertocat/Hello-World";

fn repo_name(r: usize) -> String {
    format!("acme/repo-{r:02}")
}

/// A head commit of its own for PR `n` of the fleet's repository `r`.
fn head(r: usize, n: u64) -> String {
    format!("{:040x}", (r as u64 + 1) * 1000 + n)
}

/// Hello-World#2 made PR `n` of `repo` on `base`, on a head of its own.
fn pr_like(template: &Pr, repo: &str, n: u64, sha: &str, base: &str) -> Pr {
    let mut pr = template.clone();
    pr.pull["number"] = json!(n);
    pr.pull["head"]["sha"] = json!(sha);
    pr.pull["base"]["ref"] = json!(base);
    for side in ["head", "base"] {
        pr.pull[side]["repo"]["full_name"] = json!(repo);
    }
    for c in &mut pr.commits {
        c["sha"] = json!(sha);
    }
    pr
}

/// Hello-World, installed (installation 1) with `repos` other repositories of `prs` open PRs
/// each, all on `master`, whose policy is Hello-World's.
async fn fleet(repos: usize, prs: u64) -> FakeGitHub {
    let fake = hello_world("ABC-123: update the greeting", &["ai:none"]).await;
    fake.with(|s| {
        s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() });
        let template = s.pr(2).clone();
        for r in 0..repos {
            let name = repo_name(r);
            let pulls = (1..=prs).map(|n| (n, pr_like(&template, &name, n, &head(r, n), "master"))).collect();
            s.add_repo(&name, pulls);
        }
    });
    fake
}

fn installation_created(repos: impl Iterator<Item = String>) -> Value {
    let repositories: Vec<Value> = repos.map(|name| json!({ "full_name": name, "private": true })).collect();
    json!({ "action": "created", "installation": { "id": 1, "account": { "login": "acme" } },
        "repositories": repositories, "sender": { "login": "octocat" } })
}

/// Flowgate's check runs created on each head, across every repository.
fn runs(fake: &FakeGitHub) -> HashMap<String, usize> {
    fake.with(|s| s.runs_created_by_head())
}

/// Waits up to `limit` for `condition`, saying what it waited for when it gives up.
async fn wait_for(what: &str, limit: Duration, condition: impl AsyncFn() -> bool) {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if condition().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("waited {limit:?} for: {what}");
}

/// Onboarding done and nothing else left in the queue.
async fn settled(store: &Store, done: i64) -> bool {
    let counts = store.onboarding_counts().await.expect("counts");
    let depth = store.depth().await.expect("depth");
    counts.done == done && counts.pending == 0 && depth.queued == 0 && depth.in_progress == 0
}

/// `flowgate serve` as a child process, onboarding as fast as it can.
fn spawn_server(fake: &FakeGitHub, database_url: &str, port: u16, log: &std::path::Path) -> ChildServer {
    let env = [
        ("FLOWGATE_LEASE_SECONDS", "2"),
        ("FLOWGATE_WORKERS", "4"),
        ("FLOWGATE_ONBOARDING_PER_MINUTE", "60000"),
        // The fake has no secondary rate limits: the client need not keep inside GitHub's.
        ("FLOWGATE_GITHUB_READS_PER_SECOND", "1000"),
        ("FLOWGATE_GITHUB_WRITES_PER_MINUTE", "100000"),
    ];
    ChildServer::spawn(fake, database_url, port, &env, Some(log))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn installing_the_app_gates_each_of_200_open_prs_once_across_a_killed_server() {
    for db in databases("onboarding_kill").await {
        let fake = fleet(20, 10).await;
        // Answers take a while, so the kill lands with onboarding under way.
        fake.with(|s| {
            for other in s.others.values_mut() {
                other.delay = Duration::from_millis(20);
            }
        });
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let dir = tempfile::tempdir().expect("a directory");
        let log = dir.path().join("serve.log");
        let mut child = spawn_server(&fake, &db.url, port, &log);
        wait_for("the server is up", Duration::from_secs(30), async || healthy(&url).await).await;
        let installed = installation_created((0..20).map(repo_name));
        assert_eq!(deliver_to(&url, "installation", "install-1", &installed).await, 202);

        let store = Store::connect(&db.url).await.expect("store");
        wait_for("some onboarding done", Duration::from_secs(60), async || {
            store.onboarding_counts().await.is_ok_and(|c| c.done >= 20)
        })
        .await;
        child.kill();
        let at_kill = store.onboarding_counts().await.expect("counts");
        let repos_listed =
            fake.with(|s| s.log.iter().filter(|l| l.method == "GET" && l.url.contains("/pulls?state=open")).count());
        assert!(
            at_kill.done < 200 && (at_kill.pending > 0 || repos_listed < 20),
            "{}: the kill landed in the middle: {at_kill:?}, {repos_listed} repositories listed",
            db.name
        );

        let mut restarted = spawn_server(&fake, &db.url, port, &log);
        wait_for("the restarted server is up", Duration::from_secs(30), async || healthy(&url).await).await;
        let deadline = Instant::now() + Duration::from_secs(120);
        while !settled(&store, 200).await {
            if Instant::now() > deadline {
                let counts = store.onboarding_counts().await.expect("counts");
                let depth = store.depth().await.expect("depth");
                let parked = store.parked().await.expect("parked");
                let log = std::fs::read_to_string(&log).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(40).collect();
                panic!("{}: not settled: {counts:?} {depth:?} {parked:#?}\n{tail:#?}", db.name);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        let runs = runs(&fake);
        for r in 0..20 {
            for n in 1..=10 {
                let posted = runs.get(&head(r, n)).copied().unwrap_or(0);
                assert_eq!(posted, 1, "{}: {}#{n} has exactly one check run", db.name, repo_name(r));
            }
        }
        assert_eq!(runs.values().sum::<usize>(), 200, "{}: no other check run", db.name);
        let (status, metrics) = request(&url, "GET", "/metrics", &[], b"").await;
        assert_eq!(status, 200);
        assert!(metrics.contains("flowgate_onboarding_done_total 200"), "{}: {metrics}", db.name);
        assert!(metrics.contains("flowgate_onboarding_pending 0"), "{}: {metrics}", db.name);
        restarted.kill();
        drop(store);
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_live_pr_event_is_handled_before_the_onboarding_backlog() {
    for db in databases("onboarding_live").await {
        let fake = fleet(5, 10).await;
        let mut settings = config(&fake, &db.url);
        // Ten onboarding evaluations a second: the backlog of 50 lasts about five seconds.
        settings.onboarding.per_minute = 600;
        let server = Server::start_with(settings).await;
        let (status, _) =
            server.deliver("installation", "install-1", &installation_created((0..5).map(repo_name))).await;
        assert_eq!(status, 202);
        let store = &server.app.store;
        wait_for("onboarding under way", Duration::from_secs(30), async || {
            store.onboarding_counts().await.is_ok_and(|c| c.done >= 1 && c.pending > 0)
        })
        .await;

        let live = payload("pull_request.opened.payload.json");
        assert_eq!(server.deliver("pull_request", "live-1", &live).await.0, 202);
        wait_for("the live PR's check run", Duration::from_secs(30), async || {
            runs(&fake).contains_key(fake_github::HEAD)
        })
        .await;
        let counts = store.onboarding_counts().await.expect("counts");
        assert!(counts.pending > 0, "{}: the live PR came before the onboarding backlog: {counts:?}", db.name);
        server.stop().await;
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn adding_repositories_gates_only_the_added_ones() {
    for db in databases("onboarding_added").await {
        let fake = fleet(4, 3).await;
        let mut settings = config(&fake, &db.url);
        settings.onboarding.per_minute = 60_000;
        let server = Server::start_with(settings).await;
        let added = json!({ "action": "added", "installation": { "id": 1 }, "repository_selection": "selected",
            "repositories_added": [{ "full_name": repo_name(1) }, { "full_name": repo_name(3) }],
            "repositories_removed": [] });
        assert_eq!(server.deliver("installation_repositories", "added-1", &added).await.0, 202);
        wait_for("the added repositories gated", Duration::from_secs(60), async || settled(&server.app.store, 6).await)
            .await;
        let runs = runs(&fake);
        for r in 0..4 {
            for n in 1..=3 {
                let expected = usize::from(r == 1 || r == 3);
                let posted = runs.get(&head(r, n)).copied().unwrap_or(0);
                assert_eq!(posted, expected, "{}: {}#{n}", db.name, repo_name(r));
            }
        }
        // The same delivery again (GitHub redelivers): nothing is gated twice.
        assert_eq!(server.deliver("installation_repositories", "added-1", &added).await.0, 200);
        server.stop().await;
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_push_that_changes_the_policy_gates_again_only_the_open_prs_on_its_branch() {
    for db in databases("onboarding_push").await {
        let fake = fleet(0, 0).await;
        // Hello-World's own PRs: #10 to #12 on master, #20 and #21 on develop, #13 closed.
        let on_master = [10, 11, 12];
        let on_develop = [20, 21];
        fake.with(|s| {
            let template = s.pr(2).clone();
            s.pulls.clear();
            for n in on_master.into_iter().chain([13]) {
                s.pulls.insert(n, pr_like(&template, HELLO, n, &head(90, n), "master"));
            }
            s.pr(13).pull["state"] = json!("closed");
            for n in on_develop {
                s.pulls.insert(n, pr_like(&template, HELLO, n, &head(90, n), "develop"));
            }
        });
        let mut settings = config(&fake, &db.url);
        settings.onboarding.per_minute = 60_000;
        let server = Server::start_with(settings).await;
        let push = |paths: &[&str]| {
            json!({ "ref": "refs/heads/master", "before": "a".repeat(40), "after": "b".repeat(40),
                "installation": { "id": 1 }, "repository": { "full_name": HELLO },
                "created": false, "deleted": false, "forced": false,
                "commits": [{ "id": "b".repeat(40), "added": [], "removed": [], "modified": paths }] })
        };

        let (status, answer) = server.deliver("push", "push-code", &push(&["src/lib.rs", "README.md"])).await;
        assert_eq!(status, 200, "{answer}");
        assert!(answer.contains("ignored"), "{answer}");

        let (status, _) = server.deliver("push", "push-policy", &push(&["src/lib.rs", ".github/flowgate.yml"])).await;
        assert_eq!(status, 202);
        wait_for("master's open PRs gated again", Duration::from_secs(60), async || {
            settled(&server.app.store, 3).await
        })
        .await;
        let runs = runs(&fake);
        for n in on_master {
            assert_eq!(runs.get(&head(90, n)).copied(), Some(1), "{}: #{n} on master", db.name);
        }
        for n in on_develop.into_iter().chain([13]) {
            assert_eq!(runs.get(&head(90, n)), None, "{}: #{n} is not on master, or closed", db.name);
        }
        let listed: Vec<String> = fake
            .with(|s| s.log.iter().filter(|l| l.url.contains("/pulls?state=open")).map(|l| l.url.clone()).collect());
        assert!(listed.iter().all(|u| u.contains("base=master")), "{listed:?}");
        server.stop().await;
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_push_that_changes_the_organisations_baselines_gates_every_repository_again() {
    for db in databases("onboarding_baselines").await {
        let fake = fleet(3, 2).await;
        fake.with(|s| {
            s.installation_repos = (0..3).map(|r| json!({ "full_name": repo_name(r) })).collect();
            s.add_repo("acme/.github", HashMap::new());
        });
        let mut settings = config(&fake, &db.url);
        settings.onboarding.per_minute = 60_000;
        let server = Server::start_with(settings).await;
        let push = |branch: &str, path: &str| {
            json!({ "ref": format!("refs/heads/{branch}"), "before": "a".repeat(40), "after": "b".repeat(40),
                "installation": { "id": 1 },
                "repository": { "full_name": "acme/.github", "default_branch": "main" },
                "created": false, "deleted": false, "forced": false,
                "commits": [{ "id": "b".repeat(40), "added": [], "removed": [], "modified": [path] }] })
        };

        let (status, answer) = server.deliver("push", "push-readme", &push("main", "profile/README.md")).await;
        assert!(status == 200 && answer.contains("ignored"), "{status} {answer}");

        // A branch other than the default one is not what the App reads baselines from: only its
        // own open PRs (none) are gated again.
        assert_eq!(server.deliver("push", "push-draft", &push("draft", "flowgate/strict.yml")).await.0, 202);
        assert_eq!(server.deliver("push", "push-baseline", &push("main", "flowgate/strict.yml")).await.0, 202);
        wait_for("every repository's open PRs gated again", Duration::from_secs(60), async || {
            settled(&server.app.store, 6).await
        })
        .await;
        let runs = runs(&fake);
        for r in 0..3 {
            for n in 1..=2 {
                assert_eq!(runs.get(&head(r, n)).copied(), Some(1), "{}: {}#{n} gated once", db.name, repo_name(r));
            }
        }
        let listed = fake.with(|s| s.log.iter().filter(|l| l.url.contains("/installation/repositories")).count());
        assert_eq!(
            listed, 1,
            "{}: the installation's repositories listed once, for the default branch's push",
            db.name
        );
        server.stop().await;
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn onboarding_waits_for_the_rate_limit_reset_when_the_installation_runs_low() {
    let db = server::databases("onboarding_rate").await.remove(0);
    let fake = fleet(1, 3).await;
    // Every answer says 10 requests are left until 3 s from now, under the reserve of 1000.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("a clock").as_secs();
    let reset = now + 3;
    fake.with(|s| s.rate_limit_headers = Some((10, reset)));
    let mut settings = config(&fake, &db.url);
    settings.onboarding.per_minute = 60_000;
    let server = Server::start_with(settings).await;
    let installed = installation_created(std::iter::once(repo_name(0)));
    assert_eq!(server.deliver("installation", "install-1", &installed).await.0, 202);
    let store = &server.app.store;
    wait_for("the repository listed", Duration::from_secs(30), async || {
        store.onboarding_counts().await.is_ok_and(|c| c.pending == 3)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(runs(&fake).is_empty(), "no onboarding evaluation while the installation is low");
    wait_for("every open PR gated after the reset", Duration::from_secs(30), async || settled(store, 3).await).await;
    let gated_at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("a clock").as_secs();
    assert!(gated_at >= reset, "gated at {gated_at}, before the reset at {reset}");
    let parked = store.parked().await.expect("parked");
    assert!(parked.is_empty(), "waiting is no failure: {parked:?}");
    server.stop().await;
}
