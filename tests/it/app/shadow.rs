//! Shadow mode (`enforcement: evaluate`) in the App: a PR that fails the policy gets a neutral
//! check run saying it would fail and why, and flowgate writes nothing else (no tier or AI
//! label, no review request); the evaluation is recorded for the digest. A policy that does not
//! load but says `enforcement: evaluate` is neutral too. On SQLite and PostgreSQL.

use crate::support::fake_github;
use crate::support::server;

use fake_github::{AppAuth, FakeGitHub, HEAD, hello_world, payload};
use flowgate::model::{Enforcement, FailReason};
use serde_json::json;
use server::{Server, databases, wait_until};

const POLICY: (&str, &str) = ("master", ".github/flowgate.yml");

/// Hello-World#2 without a story key, under the example policy in shadow mode with a reviewer
/// pool: enforced, flowgate would fail it, label it and request a reviewer.
async fn storyless_pr_in_shadow_mode() -> FakeGitHub {
    let fake = hello_world("Update the greeting", &["ai:none"]).await;
    fake.with(|s| {
        s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() });
        let key = (POLICY.0.to_string(), POLICY.1.to_string());
        let policy = format!(
            "{}\nenforcement: evaluate\nreviewers:\n  pools:\n    everyone: {{ members: [alice, bob], capacity: 2 }}\n  \
             tiers:\n    green: {{ request: 1, from: [everyone] }}\n    yellow: {{ request: 1, from: [everyone] }}\n    \
             red: {{ request: 1, from: [everyone] }}\n",
            s.contents[&key]
        );
        s.contents.insert(key, policy);
        s.pr(2).pull["requested_reviewers"] = json!([]);
    });
    fake
}

/// Every write the App made to the repository other than the check run (an installation token
/// and a GraphQL read of who is busy are no writes to it).
fn other_writes(fake: &FakeGitHub) -> Vec<String> {
    fake.with(|s| {
        s.writes()
            .iter()
            .filter(|w| w.url.starts_with("/repos/") && !w.url.contains("/check-runs"))
            .map(|w| format!("{} {}", w.method, w.url))
            .collect()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_pr_in_shadow_mode_gets_a_neutral_check_run_that_says_why_and_nothing_else() {
    for db in databases("serve_shadow").await {
        let fake = storyless_pr_in_shadow_mode().await;
        let server = Server::start(&fake, &db.url).await;
        let (status, _) =
            server.deliver("pull_request", "d-opened", &payload("pull_request.opened.payload.json")).await;
        assert_eq!(status, 202);
        wait_until("the delivery is done", async || server.depth().await.done == 1).await;
        let run = fake.with(|s| s.runs_on(HEAD)[0].clone());
        assert_eq!((run.status.as_str(), run.conclusion.as_deref()), ("completed", Some("neutral")), "{}", db.name);
        assert_eq!(run.title, "Shadow mode: would fail — no story linked");
        let first = run.summary.lines().next().unwrap_or_default().to_string();
        assert!(first.contains("`enforcement: evaluate`") && first.contains("never blocks a merge"), "{first}");
        assert!(first.ends_with("Enforced, it would have failed: no story linked."), "{first}");
        assert!(run.summary.contains("Story"), "then the usual report: {}", run.summary);
        assert_eq!(other_writes(&fake), Vec::<String>::new(), "{}: no label, no review request", db.name);
        assert_eq!(fake.with(|s| s.pulls[&2].pull["requested_reviewers"].clone()), json!([]));

        let latest = server.app.store.latest_evaluations(0, i64::MAX, None).await.expect("reads");
        assert_eq!(latest.len(), 1, "{}: the evaluation is recorded", db.name);
        assert_eq!((latest[0].enforcement, latest[0].failed), (Enforcement::Evaluate, true));
        assert_eq!(latest[0].reasons, [FailReason::NoStory]);
        server.stop().await;
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_broken_policy_in_shadow_mode_is_neutral_with_its_error() {
    for db in databases("serve_shadow_broken").await {
        let fake = storyless_pr_in_shadow_mode().await;
        fake.with(|s| {
            let broken = "version: 1\nenforcement: evaluate\nlinkage: { requird: true }\n".to_string();
            s.contents.insert((POLICY.0.into(), POLICY.1.into()), broken);
        });
        let server = Server::start(&fake, &db.url).await;
        server.deliver("pull_request", "d-opened", &payload("pull_request.opened.payload.json")).await;
        wait_until("the delivery is done", async || server.depth().await.done == 1).await;
        let run = fake.with(|s| s.runs_on(HEAD)[0].clone());
        assert_eq!(run.conclusion.as_deref(), Some("neutral"), "{}: {}", db.name, run.title);
        assert_eq!(run.title, "Shadow mode: would fail — the policy on the base branch does not load");
        assert!(run.summary.contains("requird"), "the error: {}", run.summary);
        assert_eq!(other_writes(&fake), Vec::<String>::new());
        let latest = server.app.store.latest_evaluations(0, i64::MAX, None).await.expect("reads");
        assert_eq!(latest[0].reasons, [FailReason::CannotEvaluate], "{}", db.name);
        server.stop().await;
        db.drop_database().await;
    }
}

/// Where the policy could not be read at all (GitHub refused the permission), the check run follows
/// the repository's latest recorded evaluation: in shadow mode, neutral with the reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refused_permission_in_a_repository_in_shadow_mode_is_neutral() {
    for db in databases("serve_shadow_forbidden").await {
        let fake = storyless_pr_in_shadow_mode().await;
        let server = Server::start(&fake, &db.url).await;
        server.deliver("pull_request", "d-opened", &payload("pull_request.opened.payload.json")).await;
        wait_until("the first evaluation is done", async || server.depth().await.done == 1).await;
        fake.with(|s| s.contents_forbidden = true);
        server.expect_handler_errors("403 Forbidden: Resource not accessible by integration");
        server.deliver("pull_request", "d-403", &payload("pull_request.opened.payload.json")).await;
        wait_until("the delivery is parked", async || server.depth().await.parked == 1).await;
        wait_until("the check run says GitHub refused", async || {
            fake.with(|s| s.runs_on(HEAD).first().is_some_and(|r| r.title.contains("refused")))
        })
        .await;
        let run = fake.with(|s| s.runs_on(HEAD)[0].clone());
        assert_eq!(run.conclusion.as_deref(), Some("neutral"), "{}: {}", db.name, run.title);
        assert_eq!(run.title, "Shadow mode: would fail — GitHub refused it a permission");
        server.stop().await;
        db.drop_database().await;
    }
}
