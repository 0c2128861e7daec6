//! Whose turn a PR is, shown by the App: the check run's summary says "Waiting on: …" and, with
//! `[slo] label = true`, the waiting label follows it: reviewers once asked, the author after a
//! review requests changes, reviewers again after a push. `/flowgate snooze 1d` from a reviewer
//! asked takes them out of the turn until then; from anyone else it changes nothing. On SQLite
//! and PostgreSQL.

use crate::support::fake_github;
use crate::support::server;

use fake_github::{AppAuth, HEAD, hello_world, payload};
use serde_json::{Value, json};
use server::{Server, databases, wait_until};

const REVIEWERS: &str = "flowgate: waiting on reviewers";
const AUTHOR: &str = "flowgate: waiting on author";

fn requested(login: &str, at: &str) -> Value {
    let mut asked = payload("pull_request.opened.payload.json");
    asked["action"] = json!("review_requested");
    asked["requested_reviewer"] = json!({ "login": login, "type": "User" });
    asked["pull_request"]["updated_at"] = json!(at);
    asked
}

fn comment(login: &str, body: &str) -> Value {
    json!({
        "action": "created", "installation": { "id": 1 },
        "repository": { "full_name": "Codertocat/Hello-World" },
        "issue": { "number": 2, "pull_request": { "url": "x" }, "user": { "login": "Codertocat" } },
        "comment": { "body": body, "user": { "login": login }, "author_association": "MEMBER" }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_check_run_and_the_label_say_whose_turn_it_is_after_a_review_and_after_a_push() {
    for db in databases("serve_waiting_on").await {
        let fake = hello_world("ABC-123: update the greeting", &["ai:none"]).await;
        fake.with(|s| s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() }));
        let mut config = server::config(&fake, &db.url);
        config.slo.label = true;
        let server = Server::start_with(config).await;
        let summary = || fake.with(|s| s.runs_on(HEAD).last().map(|r| r.summary.clone()).unwrap_or_default());
        let labels = || fake.with(|s| s.pr_labels(2));
        let mut done = 0;
        let mut deliver = async |event: &str, id: &str, body: &Value| {
            assert_eq!(server.deliver(event, id, body).await.0, 202, "{id}");
            done += 1;
            let want = done;
            wait_until(id, async || server.depth().await.done == want).await;
        };

        deliver("pull_request", "d-opened", &payload("pull_request.opened.payload.json")).await;
        deliver("pull_request", "d-alice", &requested("alice", "2019-05-15T15:30:00Z")).await;
        deliver("pull_request", "d-bob", &requested("bob", "2019-05-15T15:31:00Z")).await;
        assert!(summary().starts_with("Waiting on: reviewers (alice, bob)\n\n"), "{}: {}", db.name, summary());
        assert!(labels().contains(&REVIEWERS.to_string()), "{}: {:?}", db.name, labels());
        let label = fake.with(|s| s.label(REVIEWERS).cloned()).expect("the label is created");
        assert_eq!(label["color"], "ededed", "{label}");

        // Only someone asked may snooze: mallory's changes nothing, bob's takes him out until then.
        deliver("issue_comment", "c-mallory", &comment("mallory", "/flowgate snooze 1d")).await;
        assert!(server.app.store.snoozes("Codertocat/Hello-World", 2, 0).await.expect("reads").is_empty());
        deliver("issue_comment", "c-bob", &comment("bob", "Travelling.\n/flowgate snooze 1d")).await;
        let line = summary().lines().next().unwrap_or_default().to_string();
        assert!(
            line.starts_with("Waiting on: reviewers (alice) — bob snoozed until ") && line.ends_with(" UTC"),
            "{line}"
        );

        // alice requests changes: the author's turn.
        let mut review = payload("pull_request_review.submitted.payload.json");
        review["review"]["user"] = json!({ "login": "alice", "type": "User" });
        review["review"]["state"] = json!("changes_requested");
        review["review"]["submitted_at"] = json!("2019-05-15T16:00:00Z");
        let mut listed = review["review"].clone();
        listed["state"] = json!("CHANGES_REQUESTED");
        listed["commit_id"] = json!(HEAD);
        fake.with(|s| s.pr(2).reviews.push(listed));
        deliver("pull_request_review", "d-review", &review).await;
        assert!(summary().starts_with("Waiting on: the author (changes requested)\n\n"), "{}", summary());
        assert!(labels().contains(&AUTHOR.to_string()) && !labels().contains(&REVIEWERS.to_string()), "{:?}", labels());

        // A push hands the turn back to the reviewers.
        let mut pushed = payload("pull_request.opened.payload.json");
        pushed["action"] = json!("synchronize");
        pushed["pull_request"]["updated_at"] = json!("2019-05-15T17:00:00Z");
        deliver("pull_request", "d-push", &pushed).await;
        assert!(summary().starts_with("Waiting on: reviewers — bob snoozed until "), "{}", summary());
        assert!(labels().contains(&REVIEWERS.to_string()) && !labels().contains(&AUTHOR.to_string()), "{:?}", labels());

        // `snooze off` ends bob's snooze.
        deliver("issue_comment", "c-bob-back", &comment("bob", "/flowgate snooze off")).await;
        assert!(server.app.store.snoozes("Codertocat/Hello-World", 2, 0).await.expect("reads").is_empty());
        assert!(!summary().lines().next().unwrap_or_default().contains("snoozed"), "{}", summary());
        server.stop().await;
        db.drop_database().await;
    }
}
