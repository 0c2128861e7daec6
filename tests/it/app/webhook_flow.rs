//! `flowgate serve` end to end, in process: signed real payloads (octokit/webhooks, MIT) over
//! HTTP to the App, which stores them, acknowledges, and gates the PR against the stateful fake
//! GitHub. Bad input of every kind is refused with the right status; a slow GitHub does not slow
//! the acknowledgement; a failing GitHub is retried; every store runs on SQLite and PostgreSQL.

use crate::support::db::Db;
use crate::support::fake_github;
use crate::support::server;

use std::time::{Duration, Instant};

use fake_github::{AppAuth, HEAD, hello_world, payload};
use serde_json::json;
use server::{Server, databases, post, sign, wait_until};

async fn opened_pr() -> fake_github::FakeGitHub {
    let fake = hello_world("ABC-123: update the greeting", &["ai:none"]).await;
    // The octokit payloads name installation 1.
    fake.with(|s| s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() }));
    fake
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_delivery_becomes_a_check_run_and_a_review_completes_it() {
    for db in databases("serve_review").await {
        let fake = opened_pr().await;
        let server = Server::start(&fake, &db.url).await;
        let opened = payload("pull_request.opened.payload.json");
        let (status, _) = server.deliver("pull_request", "d-opened", &opened).await;
        assert_eq!(status, 202, "{}", db.name);
        wait_until("a pending check run on the head", async || fake.with(|s| s.runs_on(HEAD).len() == 1)).await;
        fake.with(|s| assert_eq!(s.runs_on(HEAD)[0].status, "in_progress"));

        let review = fake_github::reviewed_by_hubot(&fake);
        let (status, _) = server.deliver("pull_request_review", "d-review", &review).await;
        assert_eq!(status, 202);
        wait_until("the run completes with success", async || {
            fake.with(|s| s.runs_on(HEAD).first().is_some_and(|r| r.conclusion.as_deref() == Some("success")))
        })
        .await;
        fake.with(|s| {
            assert_eq!(s.runs_on(HEAD).len(), 1, "{}: one run, updated", db.name);
            assert_eq!(s.app.as_ref().map(|a| a.tokens_issued), Some(1), "one installation token for both");
        });
        let metrics = server.get("/metrics").await;
        assert!(
            metrics.1.contains("flowgate_deliveries_total{event=\"pull_request\",outcome=\"stored\"} 1"),
            "{}",
            metrics.1
        );
        assert!(metrics.1.contains("flowgate_evaluations_total{outcome=\"done\"}"), "{}", metrics.1);
        server.stop().await;
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_deliveries_are_refused_with_the_right_status_and_nothing_is_stored() {
    for db in databases("serve_bad").await {
        let fake = opened_pr().await;
        let server = Server::start(&fake, &db.url).await;
        let body = payload("pull_request.opened.payload.json").to_string();
        let headers = |event: &str, id: &str, signature: &str| {
            vec![
                ("X-GitHub-Event".to_string(), event.to_string()),
                ("X-GitHub-Delivery".to_string(), id.to_string()),
                ("X-Hub-Signature-256".to_string(), signature.to_string()),
            ]
        };

        let forged = post(
            &server.url,
            "/webhook",
            &headers("pull_request", "d1", &sign("wrong secret", body.as_bytes())),
            body.as_bytes(),
        )
        .await;
        assert_eq!(forged.0, 401, "{}: a forged signature", db.name);

        let truncated = &body.as_bytes()[..body.len() / 2];
        let cut =
            post(&server.url, "/webhook", &headers("pull_request", "d2", &sign(server::SECRET, truncated)), truncated)
                .await;
        assert_eq!(cut.0, 400, "a truncated body, correctly signed");
        assert!(cut.1.contains("not JSON"), "{}", cut.1);

        let huge = vec![b' '; 26 * 1024 * 1024];
        let too_big =
            post(&server.url, "/webhook", &headers("pull_request", "d3", &sign(server::SECRET, &huge)), &huge).await;
        assert_eq!(too_big.0, 413, "26 MB is over GitHub's 25 MB");

        let ping = post(&server.url, "/webhook", &headers("ping", "d4", &sign(server::SECRET, b"{}")), b"{}").await;
        assert_eq!(ping.0, 200);
        let unknown = post(&server.url, "/webhook", &headers("star", "d5", &sign(server::SECRET, b"{}")), b"{}").await;
        assert_eq!(unknown.0, 200);
        assert!(unknown.1.contains("ignored"), "{}", unknown.1);

        let first = server.deliver("pull_request", "d6", &payload("pull_request.opened.payload.json")).await;
        let replay = server.deliver("pull_request", "d6", &payload("pull_request.opened.payload.json")).await;
        assert_eq!((first.0, replay.0), (202, 200), "a replayed delivery id is acknowledged and not stored again");

        wait_until("the one stored delivery is done", async || server.depth().await.done == 1).await;
        let depth = server.depth().await;
        assert_eq!((depth.queued, depth.in_progress, depth.parked, depth.done), (0, 0, 0, 1), "{}", db.name);
        server.stop().await;
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slow_github_does_not_slow_the_acknowledgement() {
    let db = &Db::sqlite();
    let fake = opened_pr().await;
    fake.with(|s| s.delay = Duration::from_secs(3));
    let server = Server::start(&fake, &db.url).await;
    let started = Instant::now();
    let (status, _) = server.deliver("pull_request", "slow-1", &payload("pull_request.opened.payload.json")).await;
    let acknowledged = started.elapsed();
    assert_eq!(status, 202);
    assert!(acknowledged < Duration::from_secs(2), "acknowledged after {acknowledged:?}, GitHub takes 3 s an answer");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn github_failing_then_succeeding_is_retried_and_a_repository_github_does_not_know_is_not() {
    for db in databases("serve_retry").await {
        let fake = opened_pr().await;
        // Enough 502s to exhaust the client's own retries once; the worker tries again later.
        fake.with(|s| s.bad_gateway_next = 5);
        let server = Server::start(&fake, &db.url).await;
        server.expect_handler_errors("access_tokens: 502 Bad Gateway");
        server.expect_handler_errors("nobody/nothing");
        server.deliver("pull_request", "r-1", &payload("pull_request.opened.payload.json")).await;
        wait_until("the check run after a retry", async || fake.with(|s| s.runs_on(HEAD).len() == 1)).await;
        wait_until("the delivery is done", async || server.depth().await.done == 1).await;

        // A repository the installation cannot see: GitHub answers 404, which asking again does
        // not change, so the delivery is tried once and its work is done, not parked.
        let mut stranger = payload("pull_request.opened.payload.json");
        stranger["repository"]["full_name"] = json!("nobody/nothing");
        server.deliver("pull_request", "r-2", &stranger).await;
        wait_until("the stranger's delivery is done", async || server.depth().await.done == 2).await;
        assert_eq!(server.depth().await.parked, 0, "{}", db.name);
        let asked = fake.with(|s| s.log.iter().filter(|l| l.url == "/repos/nobody/nothing/pulls/2").count());
        assert_eq!(asked, 1, "{}: asked once", db.name);
        server.stop().await;
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failed_deliveries_that_were_never_stored_are_asked_for_again() {
    let db = &Db::sqlite();
    let fake = opened_pr().await;
    let server = Server::start(&fake, &db.url).await;
    // The server's own pass at start-up comes first (the next is minutes away).
    wait_until("the start-up pass", async || {
        fake.with(|s| s.log.iter().any(|l| l.url.starts_with("/app/hook/deliveries")))
    })
    .await;
    server.deliver("pull_request", "g-stored", &payload("pull_request.opened.payload.json")).await;
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let listed = |id: u64, guid: &str, status: u64| {
        json!({ "id": id, "guid": guid, "delivered_at": now, "redelivery": false, "status_code": status,
                "status": if status == 200 { "OK" } else { "Bad Gateway" }, "event": "pull_request", "action": "opened" })
    };
    fake.with(|s| {
        if let Some(app) = s.app.as_mut() {
            app.hook_deliveries = vec![
                listed(5, "g-later-ok", 200),
                listed(4, "g-missed", 502),
                listed(3, "g-later-ok", 502),
                listed(2, "g-stored", 502),
                listed(1, "g-fine", 200),
            ];
        }
    });
    let asked = flowgate::serve::redeliver::redeliver_missed(&server.app).await.expect("redelivers");
    assert_eq!(asked, 1);
    let redelivered = fake.with(|s| s.app.as_ref().map(|a| a.redelivered.clone()));
    assert_eq!(
        redelivered,
        Some(vec![4]),
        "only the failed delivery flowgate never stored and GitHub never delivered since"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn installation_events_keep_the_installed_repositories_current() {
    let db = &Db::sqlite();
    let fake = opened_pr().await;
    let server = Server::start(&fake, &db.url).await;
    // The payloads' installation is not the fake's: onboarding their repositories finds it gone.
    server.expect_handler_errors("/app/installations/957387/access_tokens: 404 Not Found");
    let done = async |ids: &[&str]| {
        for id in ids {
            if server.app.store.times_completed(id).await.expect("counted") != 1 {
                return false;
            }
        }
        true
    };
    for (event, id, file) in [
        ("installation", "i-1", "installation.created.payload.json"),
        ("installation_repositories", "i-2", "installation_repositories.added.payload.json"),
    ] {
        assert_eq!(server.deliver(event, id, &payload(file)).await.0, 202, "{file}");
    }
    wait_until("both installation deliveries are done", async || done(&["i-1", "i-2"]).await).await;
    assert_eq!(server.app.installation_of("Codertocat/Hello-World").await, Some(957387));
    assert_eq!(server.app.installation_of("Codertocat/Space").await, Some(957387));

    let mut removed = payload("installation_repositories.removed.payload.json");
    removed["installation"]["id"] = json!(957387);
    removed["repositories_removed"][0]["full_name"] = json!("Codertocat/Space");
    server.deliver("installation_repositories", "i-3", &removed).await;
    let mut deleted = payload("installation.deleted.payload.json");
    deleted["installation"]["id"] = json!(957387);
    server.deliver("installation", "i-4", &deleted).await;
    wait_until("the removals are done", async || done(&["i-3", "i-4"]).await).await;
    assert_eq!(server.app.installation_of("Codertocat/Space").await, None);
    assert_eq!(server.app.installation_of("Codertocat/Hello-World").await, None, "uninstalled");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn public_routes_are_rate_limited_by_address_and_the_webhook_is_not() {
    let db = &Db::sqlite();
    let fake = opened_pr().await;
    let mut config = server::config(&fake, &db.url);
    config.public_rate_limit = 2;
    let server = Server::start_with(config).await;
    let mut statuses = Vec::new();
    for _ in 0..20 {
        statuses.push(server.get("/healthz").await.0);
    }
    assert!(statuses.contains(&429), "20 quick requests from one address: {statuses:?}");
    assert_eq!(statuses[0], 200);
    for i in 0..20 {
        let (status, _) =
            server.deliver("pull_request", &format!("burst-{i}"), &payload("pull_request.opened.payload.json")).await;
        assert_eq!(status, 202, "delivery {i}: a burst of real deliveries is never turned away");
    }
    let ready = server.get("/readyz").await;
    assert!(ready.0 == 200 || ready.0 == 429, "{ready:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn flowgate_explain_answers_with_the_report_once() {
    let db = &Db::sqlite();
    let fake = opened_pr().await;
    let server = Server::start(&fake, &db.url).await;
    let comment = json!({
        "action": "created",
        "installation": { "id": 1 },
        "repository": { "full_name": "Codertocat/Hello-World" },
        "issue": { "number": 2, "pull_request": { "url": "https://api.github.com/repos/Codertocat/Hello-World/pulls/2" } },
        "comment": { "body": "/flowgate explain", "user": { "login": "hubot" }, "author_association": "MEMBER" }
    });
    assert_eq!(server.deliver("issue_comment", "c-1", &comment).await.0, 202);
    wait_until("the explanation is posted", async || fake.with(|s| s.comments(2).len() == 1)).await;
    let body = fake.with(|s| s.comments(2)[0].clone());
    assert!(body.contains("ABC-123") && body.contains("<!-- flowgate:explain:c-1 -->"), "{body}");
    assert_eq!(fake.with(|s| s.runs_on(HEAD).len()), 1, "the command also gates the PR again");
    wait_until("done", async || server.depth().await.done == 1).await;
    assert_eq!(fake.with(|s| s.comments(2).len()), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_broken_policy_fails_the_check_with_its_error_at_once_and_a_fix_brings_the_gate_back() {
    for db in databases("serve_broken_policy").await {
        let fake = opened_pr().await;
        let good = fake.with(|s| s.contents[&("master".to_string(), ".github/flowgate.yml".to_string())].clone());
        fake.with(|s| {
            s.contents.insert(("master".into(), ".github/flowgate.yml".into()), "version: 1\ntiers: [\n".into())
        });
        let server = Server::start(&fake, &db.url).await;
        let (status, _) =
            server.deliver("pull_request", "d-opened", &payload("pull_request.opened.payload.json")).await;
        assert_eq!(status, 202);
        wait_until("a failed check run on the head", async || {
            fake.with(|s| s.runs_on(HEAD).first().is_some_and(|r| r.conclusion.as_deref() == Some("failure")))
        })
        .await;
        fake.with(|s| {
            let run = s.runs_on(HEAD)[0].clone();
            assert!(run.title.contains("the policy on the base branch does not load"), "{}: {}", db.name, run.title);
            assert!(run.summary.contains(".github/flowgate.yml"), "the error names the file: {}", run.summary);
            assert!(run.summary.contains("/flowgate recheck"), "and says what to do: {}", run.summary);
        });
        wait_until("the delivery is done, not retried", async || server.depth().await.done == 1).await;
        assert_eq!(server.depth().await.parked, 0);
        let pull_reads =
            fake.with(|s| s.log.iter().filter(|l| l.url == "/repos/Codertocat/Hello-World/pulls/2").count());
        assert_eq!(pull_reads, 1, "{}: the check run went on the head read with the PR, not asked for again", db.name);

        fake.with(|s| s.contents.insert(("master".into(), ".github/flowgate.yml".into()), good));
        let (status, _) = server.deliver("pull_request", "d-again", &payload("pull_request.opened.payload.json")).await;
        assert_eq!(status, 202);
        wait_until("the same run now waits for review", async || {
            fake.with(|s| s.runs_on(HEAD).first().is_some_and(|r| r.status == "in_progress"))
        })
        .await;
        fake.with(|s| assert_eq!(s.runs_on(HEAD).len(), 1, "{}: one run, updated", db.name));
        server.stop().await;
        db.drop_database().await;
    }
}

/// A policy built to exhaust the App (aliases of one large string, 10 MB once expanded, which
/// the parser would hold in full) is refused by its limit before it is parsed: one failed check
/// run names the limit, and a PR whose base branch holds a sound policy is still gated.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_alias_bomb_on_the_base_branch_fails_its_check_once_and_other_work_goes_on() {
    const OTHER_HEAD: &str = "2222222222222222222222222222222222222222";
    for db in databases("serve_alias_bomb").await {
        let fake = opened_pr().await;
        let good = fake.with(|s| s.contents[&("master".to_string(), ".github/flowgate.yml".to_string())].clone());
        let bomb = format!("version: 1\nx: &big \"{}\"\nl: [{}]\n", "a".repeat(100_000), vec!["*big"; 100].join(", "));
        fake.with(|s| {
            s.contents.insert(("master".into(), ".github/flowgate.yml".into()), bomb);
            s.contents.insert(("release".into(), ".github/flowgate.yml".into()), good);
            let mut other = s.pr(2).clone();
            other.pull["number"] = json!(3);
            other.pull["base"]["ref"] = json!("release");
            other.pull["head"]["sha"] = json!(OTHER_HEAD);
            s.pulls.insert(3, other);
        });
        let server = Server::start(&fake, &db.url).await;
        let opened = payload("pull_request.opened.payload.json");
        let (status, _) = server.deliver("pull_request", "d-bomb", &opened).await;
        assert_eq!(status, 202);
        let mut other = opened.clone();
        other["number"] = json!(3);
        other["pull_request"] = fake.with(|s| s.pr(3).pull.clone());
        let (status, _) = server.deliver("pull_request", "d-other", &other).await;
        assert_eq!(status, 202);
        wait_until("both deliveries are done", async || server.depth().await.done == 2).await;
        fake.with(|s| {
            let runs = s.runs_on(HEAD);
            assert_eq!(runs.len(), 1, "{}: one run for the poisoned base", db.name);
            assert_eq!(runs[0].conclusion.as_deref(), Some("failure"));
            assert!(runs[0].summary.contains("max expanded size"), "the limit is named: {}", runs[0].summary);
            assert!(runs[0].summary.contains(".github/flowgate.yml"), "and the file: {}", runs[0].summary);
            let other = s.runs_on(OTHER_HEAD);
            assert_eq!(other.len(), 1, "{}: the other PR is gated", db.name);
            assert_eq!(other[0].status, "in_progress", "and waits for review as usual");
        });
        assert_eq!(server.depth().await.parked, 0);
        server.stop().await;
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_pr_that_keeps_failing_is_parked_and_its_check_says_flowgate_gave_up() {
    for db in databases("serve_gave_up").await {
        let fake = opened_pr().await;
        fake.with(|s| s.files_unavailable = true);
        let server = Server::start(&fake, &db.url).await;
        server.expect_handler_errors(
            "422 Unprocessable Entity: Server Error: Sorry, this diff is taking too long to generate",
        );
        let (status, _) =
            server.deliver("pull_request", "d-opened", &payload("pull_request.opened.payload.json")).await;
        assert_eq!(status, 202);
        wait_until("the delivery is parked", async || server.depth().await.parked == 1).await;
        wait_until("a failed check run on the head", async || {
            fake.with(|s| s.runs_on(HEAD).first().is_some_and(|r| r.conclusion.as_deref() == Some("failure")))
        })
        .await;
        fake.with(|s| {
            let run = s.runs_on(HEAD)[0].clone();
            assert!(run.title.contains("6 attempts failed"), "{}: {}", db.name, run.title);
            assert!(run.summary.contains("taking too long to generate"), "the last error: {}", run.summary);
        });
        server.stop().await;
        db.drop_database().await;
    }
}

/// A delivery whose evaluation kills its worker every time (the process crashes, or the lease
/// lapses) is parked at the claim after the last attempt, and the PR's check says flowgate gave
/// up: a required check that never comes would block the PR without a word.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_pr_whose_worker_keeps_dying_is_parked_at_the_next_claim_and_its_check_says_so() {
    for db in databases("serve_parked_at_claim").await {
        let fake = opened_pr().await;
        // Six attempts, each claimed and never finished, as by a process that died mid-evaluation
        // (long ago, so every lease has lapsed).
        let store = flowgate::store::Store::connect(&db.url).await.expect("connects");
        let body = payload("pull_request.opened.payload.json").to_string().into_bytes();
        let delivery = flowgate::store::NewDelivery {
            id: "d-poison".into(),
            event: "pull_request".into(),
            action: Some("opened".into()),
            installation_id: Some(1),
            repo: Some("Codertocat/Hello-World".into()),
            pr: Some(2),
            received_at_ms: 1_000,
            body,
        };
        store.insert(delivery).await.expect("stores the delivery");
        for attempt in 0..flowgate::store::MAX_ATTEMPTS {
            let at = 10_000 + i64::from(attempt) * 10_000;
            let work = store.claim(&format!("dead-{attempt}"), at, 5_000).await.expect("claims").expect("the PR");
            assert_eq!(work.deliveries.len(), 1, "attempt {attempt}");
        }
        drop(store);

        let server = Server::start(&fake, &db.url).await;
        server.expect_handler_errors("parked after 6 attempts: each attempt stopped before finishing");
        wait_until("the delivery is parked", async || server.depth().await.parked == 1).await;
        wait_until("a failed check run on the head", async || {
            fake.with(|s| s.runs_on(HEAD).first().is_some_and(|r| r.conclusion.as_deref() == Some("failure")))
        })
        .await;
        fake.with(|s| {
            let runs = s.runs_on(HEAD);
            assert_eq!(runs.len(), 1, "{}: one run, and no evaluation was tried again", db.name);
            assert!(runs[0].title.contains("6 attempts failed"), "{}: {}", db.name, runs[0].title);
            assert!(runs[0].summary.contains("stopped before finishing"), "the reason: {}", runs[0].summary);
        });
        assert_eq!(server.depth().await, flowgate::store::QueueDepth { parked: 1, ..Default::default() });
        server.stop().await;
        db.drop_database().await;
    }
}

/// With a `reviewers:` policy the App requests the least loaded eligible reviewer, says why in the
/// check run, and never requests again once the PR has the reviewers it needs.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_app_requests_the_least_loaded_reviewer_once_and_says_why() {
    let db = &Db::sqlite();
    let fake = opened_pr().await;
    fake.with(|s| {
        let key = ("master".to_string(), ".github/flowgate.yml".to_string());
        let policy = format!(
            "{}\nreviewers:\n  pools:\n    everyone: {{ members: [alice, bob, carol, Codertocat], capacity: 2 }}\n  \
             tiers:\n    green: {{ request: 1, from: [everyone] }}\n    yellow: {{ request: 1, from: [everyone] }}\n    \
             red: {{ request: 1, from: [everyone] }}\n",
            s.contents[&key]
        );
        s.contents.insert(key, policy);
        s.pr(2).pull["requested_reviewers"] = json!([]);
        // Two other open PRs already wait on alice and bob: both are at the pool's capacity.
        for n in [3, 4] {
            let mut other = s.pulls[&2].clone();
            other.pull["number"] = n.into();
            other.pull["requested_reviewers"] = json!([{ "login": "alice" }, { "login": "bob" }]);
            s.pulls.insert(n, other);
        }
    });
    let server = Server::start(&fake, &db.url).await;
    let (status, _) = server.deliver("pull_request", "d-opened", &payload("pull_request.opened.payload.json")).await;
    assert_eq!(status, 202);
    wait_until("carol is requested", async || {
        fake.with(|s| s.pulls[&2].pull["requested_reviewers"].as_array().is_some_and(|r| !r.is_empty()))
    })
    .await;
    fake.with(|s| {
        assert_eq!(s.pulls[&2].pull["requested_reviewers"], json!([{ "login": "carol", "type": "User" }]));
        let summary = s.runs_on(HEAD)[0].summary.clone();
        assert!(summary.contains("Reviewers"), "{summary}");
        assert!(summary.contains("carol: ") && summary.contains("0 of 2 open reviews"), "the reason: {summary}");
        assert!(summary.contains("alice: at capacity"), "who was passed over and why: {summary}");
        assert!(!summary.contains("Codertocat: 0"), "the author is never chosen: {summary}");
    });

    let (status, _) = server.deliver("pull_request", "d-again", &payload("pull_request.opened.payload.json")).await;
    assert_eq!(status, 202);
    wait_until("both deliveries are done", async || server.depth().await.done == 2).await;
    let requests = fake.with(|s| s.writes().iter().filter(|w| w.url.ends_with("/requested_reviewers")).count());
    assert_eq!(requests, 1, "the second evaluation finds carol already requested and asks no one");
    server.stop().await;
    db.drop_database().await;
}

/// `/flowgate reassign` from a collaborator withdraws the request nobody answered and asks
/// someone else, never the person replaced.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reassign_replaces_the_waiting_reviewer_with_another() {
    let db = &Db::sqlite();
    let fake = opened_pr().await;
    fake.with(|s| {
        let key = ("master".to_string(), ".github/flowgate.yml".to_string());
        let policy = format!(
            "{}\nreviewers:\n  pools:\n    everyone: {{ members: [carol, dave, Codertocat], capacity: 2 }}\n  \
             tiers:\n    green: {{ request: 1, from: [everyone] }}\n    yellow: {{ request: 1, from: [everyone] }}\n    \
             red: {{ request: 1, from: [everyone] }}\n",
            s.contents[&key]
        );
        s.contents.insert(key, policy);
        s.pr(2).pull["requested_reviewers"] = json!([]);
    });
    let server = Server::start(&fake, &db.url).await;
    server.deliver("pull_request", "d-opened", &payload("pull_request.opened.payload.json")).await;
    let requested = || fake.with(|s| s.pulls[&2].pull["requested_reviewers"].clone());
    wait_until("someone is requested", async || requested().as_array().is_some_and(|r| r.len() == 1)).await;
    let first = requested()[0]["login"].as_str().unwrap_or_default().to_string();
    assert!(first == "carol" || first == "dave", "{first}");

    let comment = json!({
        "action": "created",
        "installation": { "id": 1 },
        "repository": { "full_name": "Codertocat/Hello-World" },
        "issue": { "number": 2, "pull_request": { "url": "x" }, "user": { "login": "Codertocat" } },
        "comment": { "body": "/flowgate reassign", "user": { "login": "hubot" }, "author_association": "MEMBER" }
    });
    assert_eq!(server.deliver("issue_comment", "c-reassign", &comment).await.0, 202);
    wait_until("the request moves to the other reviewer", async || {
        requested().as_array().is_some_and(|r| r.len() == 1 && r[0]["login"] != first.as_str())
    })
    .await;
    let second = requested()[0]["login"].as_str().unwrap_or_default().to_string();
    assert!(second == "carol" || second == "dave", "{second}");
    let summary = fake.with(|s| s.runs_on(HEAD)[0].summary.clone());
    assert!(summary.contains(&format!("{first}: being replaced")), "the replaced reviewer and why: {summary}");
    server.stop().await;
    db.drop_database().await;
}

/// `/flowgate unavailable until DATE` from a reviewer who was asked hands their request on and
/// keeps them from being chosen until then; `/flowgate available` brings them back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reviewer_who_says_they_are_away_is_replaced_and_passed_over_until_they_are_back() {
    for db in databases("serve_away").await {
        let fake = opened_pr().await;
        fake.with(|s| {
            let key = ("master".to_string(), ".github/flowgate.yml".to_string());
            let policy = format!(
                "{}\nreviewers:\n  pools:\n    everyone: {{ members: [carol, dave, Codertocat], capacity: 2 }}\n  \
                 tiers:\n    green: {{ request: 1, from: [everyone] }}\n    yellow: {{ request: 1, from: [everyone] }}\n    \
                 red: {{ request: 1, from: [everyone] }}\n",
                s.contents[&key]
            );
            s.contents.insert(key, policy);
            s.pr(2).pull["requested_reviewers"] = json!([]);
        });
        let server = Server::start(&fake, &db.url).await;
        server.deliver("pull_request", "d-opened", &payload("pull_request.opened.payload.json")).await;
        let requested = || fake.with(|s| s.pulls[&2].pull["requested_reviewers"].clone());
        wait_until("someone is requested", async || requested().as_array().is_some_and(|r| r.len() == 1)).await;
        let first = requested()[0]["login"].as_str().unwrap_or_default().to_string();

        let comment = |id: &str, body: &str| {
            json!({
                "action": "created", "installation": { "id": 1 },
                "repository": { "full_name": "Codertocat/Hello-World" },
                "issue": { "number": 2, "pull_request": { "url": "x" }, "user": { "login": "Codertocat" } },
                "comment": { "id": id, "body": body, "user": { "login": first.clone() }, "author_association": "MEMBER" }
            })
        };
        let away = comment("c1", "Off next week.\n/flowgate unavailable until 2999-12-31");
        assert_eq!(server.deliver("issue_comment", "c-away", &away).await.0, 202);
        wait_until("the request moves on", async || {
            requested().as_array().is_some_and(|r| r.len() == 1 && r[0]["login"] != first.as_str())
        })
        .await;
        let store = &server.app.store;
        let until = chrono::NaiveDate::from_ymd_opt(3000, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().timestamp_millis());
        assert_eq!(store.away(0).await.expect("reads"), vec![(first.clone(), until)], "{}", db.name);
        let summary = fake.with(|s| s.runs_on(HEAD)[0].summary.clone());
        assert!(
            summary.contains(&format!("{first}: being replaced")) || summary.contains(&format!("{first}: away until")),
            "{summary}"
        );

        // Another PR while they are away: they are passed over.
        fake.with(|s| {
            let mut other = s.pulls[&2].clone();
            other.pull["number"] = 5.into();
            other.pull["requested_reviewers"] = json!([]);
            s.pulls.insert(5, other);
        });
        let mut opened = payload("pull_request.opened.payload.json");
        opened["pull_request"]["number"] = 5.into();
        opened["number"] = 5.into();
        assert_eq!(server.deliver("pull_request", "d-five", &opened).await.0, 202);
        let on_five = || fake.with(|s| s.pulls[&5].pull["requested_reviewers"].clone());
        wait_until("PR 5 gets a reviewer", async || on_five().as_array().is_some_and(|r| r.len() == 1)).await;
        assert_ne!(on_five()[0]["login"], first.as_str(), "{}: the away reviewer is not chosen", db.name);

        let back = comment("c2", "/flowgate available");
        assert_eq!(server.deliver("issue_comment", "c-back", &back).await.0, 202);
        wait_until("the absence is over", async || store.away(0).await.is_ok_and(|a| a.is_empty())).await;
        server.stop().await;
        db.drop_database().await;
    }
}

/// A `reviewers:` policy naming only `members`, on PR 2 with no one requested yet.
fn with_pool(fake: &fake_github::FakeGitHub, members: &str) {
    fake.with(|s| {
        let key = ("master".to_string(), ".github/flowgate.yml".to_string());
        let policy = format!(
            "{}\nreviewers:\n  pools:\n    everyone: {{ members: [{members}], capacity: 4 }}\n  \
             tiers:\n    green: {{ request: 1, from: [everyone] }}\n    yellow: {{ request: 1, from: [everyone] }}\n    \
             red: {{ request: 1, from: [everyone] }}\n",
            s.contents[&key]
        );
        s.contents.insert(key, policy);
        s.pr(2).pull["requested_reviewers"] = json!([]);
    });
}

/// Reviews `reviewer` submitted `days_ago` on other PRs of the repository, as the App records them.
fn reviews_by(reviewer: &str, prs: &[u64], days_ago: i64) -> Vec<flowgate::latency::Event> {
    use flowgate::latency::{Actor, Event, EventKind, PrContext, ReviewOutcome};
    prs.iter()
        .map(|pr| Event {
            id: format!("review-{reviewer}-{pr}"),
            repo: "Codertocat/Hello-World".into(),
            pr: *pr,
            at: chrono::Utc::now() - chrono::Duration::days(days_ago),
            actor: Actor::new(reviewer, "User"),
            context: PrContext { author: flowgate::model::Login::new("zoe"), ..PrContext::default() },
            kind: EventKind::ReviewSubmitted { outcome: ReviewOutcome::Approved },
        })
        .collect()
}

/// With the review history in the App's store, the App asks the person who reviewed less in the
/// last two weeks (the default window), whichever of the two that is, and the check run says how many each gave;
/// reviews older than the window and reviews by bots do not count.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_app_requests_whoever_reviewed_less_in_the_last_weeks_and_says_so() {
    for (busy, idle) in [("carol", "dave"), ("dave", "carol")] {
        let db = &Db::sqlite();
        let fake = opened_pr().await;
        with_pool(&fake, "carol, dave, Codertocat");
        let server = Server::start(&fake, &db.url).await;
        let mut history = reviews_by(busy, &[10, 11, 12], 3);
        history.extend(reviews_by(idle, &[13], 2));
        // Long ago, and by a bot: neither counts.
        history.extend(reviews_by(idle, &[20, 21, 22, 23, 24], 40));
        history.extend(reviews_by("ci-helper[bot]", &[14, 15], 1));
        server.app.store.record_events(&history).await.expect("records the history");

        server.deliver("pull_request", "d-opened", &payload("pull_request.opened.payload.json")).await;
        let requested = || fake.with(|s| s.pulls[&2].pull["requested_reviewers"].clone());
        wait_until("someone is requested", async || requested().as_array().is_some_and(|r| r.len() == 1)).await;
        assert_eq!(requested()[0]["login"], idle, "{busy} gave 3 reviews in the window, {idle} 1");
        let summary = fake.with(|s| s.runs_on(HEAD)[0].summary.clone());
        assert!(summary.contains(&format!("{idle}: ")), "{summary}");
        assert!(summary.contains("1 review in the last 2 weeks"), "the reason says why: {summary}");
        server.stop().await;
        db.drop_database().await;
    }
}

/// When the review history cannot be read, reviewers are still chosen and the check run is still
/// posted, saying that the choice was made without the history.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_the_review_history_the_check_is_posted_and_says_so() {
    use sqlx::Connection;
    let db = &Db::sqlite();
    let fake = opened_pr().await;
    with_pool(&fake, "carol, dave, Codertocat");
    let server = Server::start(&fake, &db.url).await;
    let mut conn = sqlx::SqliteConnection::connect(&db.url).await.expect("opens the App's database");
    sqlx::query("DROP TABLE pr_paths").execute(&mut conn).await.expect("breaks the store");
    conn.close().await.expect("closes");

    server.deliver("pull_request", "d-opened", &payload("pull_request.opened.payload.json")).await;
    wait_until("the check run is posted", async || fake.with(|s| !s.runs_on(HEAD).is_empty())).await;
    // Reviewers are requested after the check run is posted: wait for the request, not just the run.
    let requested = || fake.with(|s| s.pulls[&2].pull["requested_reviewers"].clone());
    wait_until("a reviewer is still requested", async || requested().as_array().is_some_and(|r| r.len() == 1)).await;
    let summary = fake.with(|s| s.runs_on(HEAD)[0].summary.clone());
    assert!(summary.contains("the review history could not be read"), "{summary}");
    assert!(
        !summary.contains("reviews in the last") && !summary.contains("review in the last"),
        "no count of reviews is claimed: {summary}"
    );
    server.stop().await;
    db.drop_database().await;
}

/// Someone busy on GitHub is passed over with the reason and the end of their status; when
/// GitHub's GraphQL API fails, the check is posted all the same and says the status was not read.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reviewer_busy_on_github_is_passed_over_and_a_failing_status_read_does_not_block() {
    let db = &Db::sqlite();
    let fake = opened_pr().await;
    with_pool(&fake, "carol, dave, Codertocat");
    fake.with(|s| {
        s.user_status.insert(
            "Carol".into(),
            json!({ "indicatesLimitedAvailability": true, "expiresAt": "2999-01-01T09:00:00Z", "message": "On leave" }),
        );
        s.user_status.insert("dave".into(), json!({ "indicatesLimitedAvailability": false, "message": "Focusing" }));
    });
    let server = Server::start(&fake, &db.url).await;
    server.deliver("pull_request", "d-opened", &payload("pull_request.opened.payload.json")).await;
    let requested = || fake.with(|s| s.pulls[&2].pull["requested_reviewers"].clone());
    wait_until("someone is requested", async || requested().as_array().is_some_and(|r| r.len() == 1)).await;
    assert_eq!(requested()[0]["login"], "dave", "carol is busy");
    let summary = fake.with(|s| s.runs_on(HEAD)[0].summary.clone());
    assert!(summary.contains("carol: busy on GitHub (until 2999-01-01 09:00 UTC)"), "{summary}");
    let queries = fake.with(|s| s.log.iter().filter(|l| l.url.contains("/graphql")).count());
    assert_eq!(queries, 1, "every candidate in one query");

    // GraphQL down: the status is not read, nobody is passed over for it, and the check says so.
    fake.with(|s| {
        s.graphql_down = true;
        s.pr(2).pull["requested_reviewers"] = json!([]);
    });
    server.deliver("pull_request", "d-again", &payload("pull_request.opened.payload.json")).await;
    wait_until("both deliveries are done", async || server.depth().await.done == 2).await;
    let summary = fake.with(|s| s.runs_on(HEAD).last().map(|r| r.summary.clone()).unwrap_or_default());
    assert!(summary.contains("GitHub's busy status could not be read"), "{summary}");
    assert!(!summary.contains("busy on GitHub (until"), "{summary}");
    server.stop().await;
    db.drop_database().await;
}
