//! What the App's worker does with each kind of GitHub failure: a pull request GitHub answers
//! 404 for is tried once and its work is done; a 502 is retried; a permission GitHub refuses parks
//! the delivery at once and says so on the PR; a rate limit is retried no sooner than it lifts.

use crate::support::fake_github;
use crate::support::server;

use std::time::Duration;

use fake_github::{AppAuth, HEAD, hello_world, payload};
use flowgate::store::QueueDepth;
use serde_json::{Value, json};
use server::{Server, databases, wait_until};

async fn opened_pr() -> fake_github::FakeGitHub {
    let fake = hello_world("ABC-123: update the greeting", &["ai:none"]).await;
    // The octokit payloads name installation 1.
    fake.with(|s| s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() }));
    fake
}

/// The opened payload, for PR `n`.
fn opened(n: u64) -> Value {
    let mut p = payload("pull_request.opened.payload.json");
    p["pull_request"]["number"] = json!(n);
    p["number"] = json!(n);
    p
}

/// A server whose start-up redelivery pass (`GET /app/hook/deliveries`, its first request to
/// GitHub) is over, so that what the fake is told next meets the worker's requests.
async fn started(fake: &fake_github::FakeGitHub, database_url: &str) -> Server {
    let server = Server::start(fake, database_url).await;
    wait_until("the redelivery pass", async || requests_to(fake, "GET", "/app/hook/deliveries?per_page=100") > 0).await;
    server
}

fn requests_to(fake: &fake_github::FakeGitHub, method: &str, url: &str) -> usize {
    fake.with(|s| s.log.iter().filter(|l| l.method == method && l.url == url).count())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_pull_request_github_answers_404_for_is_tried_once_and_its_work_is_done() {
    for db in databases("serve_not_found").await {
        let fake = opened_pr().await;
        let server = started(&fake, &db.url).await;
        server.expect_handler_errors("Codertocat/Hello-World#99 was not found");
        // PR #99 was deleted (or never seen by this installation) after its event was sent.
        let (status, _) = server.deliver("pull_request", "d-gone", &opened(99)).await;
        assert_eq!(status, 202, "{}", db.name);
        wait_until("the delivery is done", async || server.depth().await.done == 1).await;
        // Ten times the retry backoff (100 ms): a retry would have come by now.
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(server.depth().await, QueueDepth { done: 1, ..Default::default() }, "{}", db.name);
        assert!(server.app.store.parked().await.expect("lists").is_empty(), "{}: nothing parked", db.name);
        let asked = requests_to(&fake, "GET", "/repos/Codertocat/Hello-World/pulls/99");
        assert_eq!(asked, 1, "{}: the PR was asked for once, and never again", db.name);
        assert!(fake.with(|s| s.check_runs.is_empty()), "{}: nothing was posted", db.name);
        server.stop().await;
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bad_gateway_is_still_retried_until_github_answers() {
    for db in databases("serve_bad_gateway").await {
        let fake = opened_pr().await;
        // The installation token is asked for first, and is not retried by the client (a POST):
        // each of these two 502s fails an attempt, which the worker retries.
        let server = started(&fake, &db.url).await;
        server.expect_handler_errors("access_tokens: 502 Bad Gateway");
        fake.with(|s| s.bad_gateway_next = 2);
        server.deliver("pull_request", "d-502", &opened(2)).await;
        wait_until("the delivery is done", async || server.depth().await.done == 1).await;
        assert_eq!(fake.with(|s| s.runs_on(HEAD).len()), 1, "{}: the check run after the retries", db.name);
        let tokens = "/app/installations/1/access_tokens";
        let failed = fake.with(|s| s.log.iter().filter(|l| l.url == tokens && l.status == 502).count());
        assert_eq!(failed, 2, "{}", db.name);
        assert_eq!(server.depth().await.parked, 0, "{}", db.name);
        server.stop().await;
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_permission_github_refuses_parks_the_delivery_at_once_and_the_check_says_so() {
    for db in databases("serve_forbidden").await {
        let fake = opened_pr().await;
        // An installation without the contents permission: the policy on the base branch is refused.
        fake.with(|s| s.contents_forbidden = true);
        let server = started(&fake, &db.url).await;
        server.expect_handler_errors("403 Forbidden: Resource not accessible by integration");
        server.deliver("pull_request", "d-403", &opened(2)).await;
        wait_until("the delivery is parked", async || server.depth().await.parked == 1).await;
        let parked = server.app.store.parked().await.expect("lists");
        assert_eq!((parked[0].id.as_str(), parked[0].attempts), ("d-403", 1), "{}: one attempt, not six", db.name);
        let error = parked[0].last_error.clone().unwrap_or_default();
        assert!(error.contains("Resource not accessible by integration"), "{}: {error}", db.name);
        wait_until("a failed check run on the head", async || {
            fake.with(|s| s.runs_on(HEAD).first().is_some_and(|r| r.conclusion.as_deref() == Some("failure")))
        })
        .await;
        fake.with(|s| {
            let run = s.runs_on(HEAD)[0].clone();
            assert!(run.title.contains("GitHub refused it a permission"), "{}: {}", db.name, run.title);
            assert!(run.summary.contains("Resource not accessible by integration"), "{}", run.summary);
        });
        let policy_reads = fake
            .with(|s| s.log.iter().filter(|l| l.url.starts_with("/repos/Codertocat/Hello-World/contents/")).count());
        assert_eq!(policy_reads, 1, "{}: the refused read was not repeated", db.name);
        server.stop().await;
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rate_limit_is_retried_no_sooner_than_it_lifts() {
    for db in databases("serve_rate_limited").await {
        let fake = opened_pr().await;
        // The installation token request meets a secondary rate limit that lifts in 2 s; the
        // worker's backoff (100 ms) would try again long before.
        let server = started(&fake, &db.url).await;
        server.expect_handler_errors("You have exceeded a secondary rate limit");
        fake.with(|s| {
            s.rate_limit_next = 1;
            s.rate_limit_seconds = 2;
        });
        server.deliver("pull_request", "d-429", &opened(2)).await;
        wait_until("the delivery is done", async || server.depth().await.done == 1).await;
        let (limited, next) = fake.with(|s| {
            let limited = s.log.iter().position(|l| l.status == 403).expect("the rate-limited answer");
            (s.log[limited].at, s.log[limited + 1].at)
        });
        let waited = next - limited;
        // Milliseconds are rounded down on the way through the queue.
        assert!(waited >= Duration::from_millis(1990), "{}: tried again after {waited:?}", db.name);
        assert_eq!(fake.with(|s| s.runs_on(HEAD).len()), 1, "{}", db.name);
        server.stop().await;
        db.drop_database().await;
    }
}
