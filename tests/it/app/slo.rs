//! Review SLOs acting while a PR waits, end to end: a red PR whose reviewer has not answered is
//! reminded once (redeliveries and replicas included), reassigned past `reassign_at` without
//! touching who already reviewed, not reminded after a review, and a late look takes only the
//! highest step due. Review times come from the payloads, so a request hours old needs no fake
//! clock; the policy's work week is every day, all day, so working time is wall time.

use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::support::fake_github::{AppAuth, FakeGitHub, hello_world, payload};
use crate::support::server::{self, Server, databases, wait_until};

const REPO: &str = "Codertocat/Hello-World";

/// `minutes` ago, as GitHub writes times.
fn ago(minutes: i64) -> String {
    (Utc::now() - chrono::Duration::minutes(minutes)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `seconds` from now (negative: ago).
fn in_seconds(seconds: i64) -> String {
    (Utc::now() + chrono::Duration::seconds(seconds)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Hello-World#2 changing `src/auth/login.rs` (red), bob asked to review, under the example policy
/// with a calendar of every hour of every day, the red SLO `slo`, and `extra` policy text.
async fn red_pr(slo: &str, extra: &str) -> FakeGitHub {
    let fake = hello_world("ABC-123: harden the login", &["ai:none"]).await;
    fake.with(|s| {
        s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() });
        let key = ("master".to_string(), ".github/flowgate.yml".to_string());
        let policy = format!(
            "{}\nlatency:\n  timezone: UTC\n  work_week: [mon, tue, wed, thu, fri, sat, sun]\n  work_hours: \"00-24\"\n  \
             slo:\n    red: {slo}\n{extra}",
            s.contents[&key]
        );
        s.contents.insert(key, policy);
        let pr = s.pr(2);
        pr.files[0]["filename"] = json!("src/auth/login.rs");
        pr.pull["requested_reviewers"] = json!([{ "login": "bob", "type": "User" }]);
    });
    fake
}

/// The PR opened `minutes` ago.
fn opened(minutes: i64) -> Value {
    let mut p = payload("pull_request.opened.payload.json");
    p["pull_request"]["created_at"] = json!(ago(minutes));
    p["pull_request"]["updated_at"] = json!(ago(minutes));
    p["pull_request"]["requested_reviewers"] = json!([]);
    p
}

/// `login` asked to review at `at`.
fn requested(login: &str, at: &str) -> Value {
    let mut p = payload("pull_request.opened.payload.json");
    p["action"] = json!("review_requested");
    p["requested_reviewer"] = json!({ "login": login, "id": 7, "type": "User" });
    p["pull_request"]["updated_at"] = json!(at);
    p
}

/// `login`'s approval submitted `minutes` ago, on GitHub and as its webhook.
fn reviewed(fake: &FakeGitHub, login: &str, minutes: i64) -> Value {
    let mut p = payload("pull_request_review.submitted.payload.json");
    p["review"]["user"] = json!({ "login": login, "id": 8, "type": "User" });
    p["review"]["state"] = json!("approved");
    p["review"]["submitted_at"] = json!(ago(minutes));
    p["sender"] = json!({ "login": login, "id": 8, "type": "User" });
    let review = p["review"].clone();
    fake.with(|s| s.pr(2).reviews.push(review));
    p
}

fn comments(fake: &FakeGitHub) -> Vec<String> {
    fake.with(|s| s.comments(2))
}

fn reminders(fake: &FakeGitHub) -> usize {
    comments(fake).iter().filter(|c| c.contains("a reminder")).count()
}

/// The steps recorded for the PR: (login, step, outcome, via).
async fn steps(server: &Server) -> Vec<(String, String, String, Option<String>)> {
    let rows = server.app.store.slo_steps(REPO, 2).await.expect("reads the steps");
    rows.into_iter().map(|r| (r.login, r.step, r.outcome, r.via)).collect()
}

async fn deliver_all(server: &Server, deliveries: &[(&str, &str, &Value)]) {
    let before = server.depth().await.done;
    for (event, id, body) in deliveries {
        assert_eq!(server.deliver(event, id, body).await.0, 202, "{id}");
        // One at a time, so that each is its own evaluation, in order.
        let n = before + 1 + deliveries.iter().position(|(_, i, _)| i == id).unwrap_or(0) as i64;
        wait_until(&format!("{id} is done"), async || server.depth().await.done >= n).await;
    }
}

/// A red PR asked of bob 2h10m ago, with a reminder at half of 4h: one comment mentioning @bob,
/// recorded as sent; delivering again and gating again posts no second one.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reviewer_past_the_reminder_is_reminded_once() {
    for db in databases("slo_remind").await {
        let fake = red_pr("{first_response: 4h, remind_at: 50%}", "").await;
        let server = Server::start(&fake, &db.url).await;
        let request = requested("bob", &ago(130));
        deliver_all(&server, &[("pull_request", "o-1", &opened(180)), ("pull_request", "rq-1", &request)]).await;
        wait_until("the reminder", async || reminders(&fake) == 1).await;
        let said = comments(&fake).into_iter().find(|c| c.contains("a reminder")).unwrap_or_default();
        assert_eq!(said.matches("@bob").count(), 1, "{}: bob is mentioned once: {said}", db.name);
        assert!(said.contains("red PR") && said.contains("4h"), "{said}");
        assert_eq!(
            steps(&server).await,
            [("bob".into(), "remind".into(), "sent".into(), Some("comment".into()))],
            "{}",
            db.name
        );
        // GitHub redelivers it, and another event gates the PR again.
        deliver_all(&server, &[("pull_request", "rq-1-again", &request), ("pull_request", "o-1-again", &opened(180))])
            .await;
        assert_eq!(reminders(&fake), 1, "{}: no second reminder", db.name);
        assert!(server.app.store.slo_watch(REPO, 2).await.expect("reads").is_none(), "nothing left on the ladder");
        let metrics = server.get("/metrics").await.1;
        assert!(metrics.contains("flowgate_slo_steps_total{step=\"remind\",outcome=\"sent\"} 1"), "{metrics}");
        server.stop().await;
        db.drop_database().await;
    }
}

/// Two App instances on one database, one of them replaced by a third midway, each sweeping
/// every second: the reminder that falls due while they run is posted exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_and_a_restart_post_a_reminder_that_falls_due_exactly_once() {
    for db in databases("slo_replicas").await {
        let fake = red_pr("{first_response: 4h, remind_at: 50%}", "").await;
        let config = || {
            let mut c = server::config(&fake, &db.url);
            c.slo.sweep_seconds = 1;
            c
        };
        let first = Server::start_with(config()).await;
        let second = Server::start_with(config()).await;
        // Due 6 s from now: two hours of waiting less 6 s.
        let request = requested("bob", &in_seconds(6 - 2 * 3600));
        deliver_all(&first, &[("pull_request", "o-2", &opened(180)), ("pull_request", "rq-2", &request)]).await;
        let watched = first.app.store.slo_watch(REPO, 2).await.expect("reads");
        assert!(watched.is_some(), "{}: watched until the reminder is due", db.name);
        assert_eq!(reminders(&fake), 0, "not due yet");
        first.stop().await;
        let third = Server::start_with(config()).await;
        wait_until("the reminder", async || reminders(&fake) >= 1).await;
        wait_until("the ladder is done", async || second.app.store.slo_watch(REPO, 2).await.is_ok_and(|w| w.is_none()))
            .await;
        // Both keep sweeping a while longer (two sweeps each): nothing more.
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(reminders(&fake), 1, "{}: exactly once", db.name);
        assert_eq!(steps(&second).await.len(), 1, "{}", db.name);
        second.stop().await;
        third.stop().await;
        db.drop_database().await;
    }
}

const POOL: &str = "reviewers:\n  pools:\n    core: { members: [alice, bob, carol], capacity: 4 }\n  \
                    tiers:\n    red: { request: 2, from: [core] }\n    yellow: { request: 1, from: [core] }\n    \
                    green: { request: 1, from: [core] }\n";

fn requested_now(fake: &FakeGitHub) -> Vec<String> {
    fake.with(|s| {
        s.pulls[&2].pull["requested_reviewers"]
            .as_array()
            .map(|r| r.iter().filter_map(|u| u["login"].as_str().map(String::from)).collect())
            .unwrap_or_default()
    })
}

/// Past `reassign_at`, alice reviewed and bob did not: bob's request is withdrawn, the next
/// reviewer is asked, alice keeps her review, and the PR says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reviewer_past_reassign_at_is_replaced_and_who_reviewed_stays() {
    for db in databases("slo_reassign").await {
        let slo = "{first_response: 4h, remind_at: 50%, reassign_at: 150%}";
        let fake = red_pr(slo, POOL).await;
        let server = Server::start(&fake, &db.url).await;
        let review = reviewed(&fake, "alice", 300);
        deliver_all(
            &server,
            &[
                ("pull_request", "o-3", &opened(480)),
                ("pull_request", "rq-alice", &requested("alice", &ago(420))),
                ("pull_request_review", "rv-alice", &review),
                ("pull_request", "rq-bob", &requested("bob", &ago(410))),
            ],
        )
        .await;
        wait_until("bob's request moves on", async || requested_now(&fake) == ["carol"]).await;
        wait_until("the reassignment is recorded", async || {
            steps(&server).await.iter().any(|s| s.1 == "reassign" && s.2 != "claimed")
        })
        .await;
        let said = comments(&fake);
        assert!(
            said.iter().any(|c| c.contains(
                "bob did not respond within 6 working hours, 150% of the red SLO of 4h: the review request goes to the next reviewer"
            )),
            "{}: the reason is shown: {said:#?}",
            db.name
        );
        fake.with(|s| {
            assert!(s.pulls[&2].reviews.iter().any(|r| r["user"]["login"] == "alice"), "alice's review stays")
        });
        let steps = steps(&server).await;
        assert!(steps.iter().all(|(login, ..)| login == "bob"), "{}: only bob's wait escalates: {steps:?}", db.name);
        assert!(
            steps.contains(&("bob".into(), "reassign".into(), "sent".into(), Some("reassign".into()))),
            "{steps:?}"
        );
        assert!(steps.contains(&("bob".into(), "remind".into(), "skipped: overtaken by reassign".into(), None)));
        assert_eq!(reminders(&fake), 0, "{}: no reminder once reassignment is due", db.name);
        server.stop().await;
        db.drop_database().await;
    }
}

/// Bob reviewed before his reminder: on GitHub before its webhook came (the gate reads GitHub),
/// and then as recorded: no reminder, and the PR is no longer watched.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_review_before_the_reminder_means_no_reminder() {
    for db in databases("slo_reviewed").await {
        let fake = red_pr("{first_response: 4h, remind_at: 50%}", "").await;
        let server = Server::start(&fake, &db.url).await;
        // The reminder would be due (2h10m), but GitHub already has bob's review from 5 minutes ago.
        let review = reviewed(&fake, "bob", 5);
        deliver_all(
            &server,
            &[("pull_request", "o-4", &opened(180)), ("pull_request", "rq-4", &requested("bob", &ago(130)))],
        )
        .await;
        assert_eq!(reminders(&fake), 0, "{}: GitHub's state decides", db.name);
        deliver_all(&server, &[("pull_request_review", "rv-4", &review)]).await;
        assert_eq!(reminders(&fake), 0, "{}", db.name);
        assert!(steps(&server).await.is_empty(), "nothing taken or skipped");
        assert!(server.app.store.slo_watch(REPO, 2).await.expect("reads").is_none(), "the turn is the author's");
        server.stop().await;
        db.drop_database().await;
    }
}

/// The PR is first looked at by a sweep long after its reviewer was asked (the SLO was added
/// meanwhile, and the watch fell due hours ago): only the reassignment is taken, the reminder is
/// recorded as overtaken.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_late_sweep_takes_only_the_highest_step_due() {
    for db in databases("slo_late").await {
        let fake = red_pr("{first_response: 4h, remind_at: 50%, reassign_at: 150%}", POOL).await;
        // Recorded before the policy had the SLO: no ladder then.
        let key = ("master".to_string(), ".github/flowgate.yml".to_string());
        let with_slo = fake.with(|s| s.contents[&key].clone());
        let without: String =
            with_slo.replace("  slo:\n    red: {first_response: 4h, remind_at: 50%, reassign_at: 150%}\n", "");
        fake.with(|s| s.contents.insert(key.clone(), without));
        let mut config = server::config(&fake, &db.url);
        config.slo.sweep_seconds = 1;
        let server = Server::start_with(config).await;
        deliver_all(
            &server,
            &[("pull_request", "o-5", &opened(600)), ("pull_request", "rq-5", &requested("bob", &ago(500)))],
        )
        .await;
        assert!(server.app.store.slo_watch(REPO, 2).await.expect("reads").is_none(), "{}: no SLO, no watch", db.name);
        fake.with(|s| s.contents.insert(key.clone(), with_slo));
        let overdue = Utc::now().timestamp_millis() - 3 * 3600 * 1000;
        server.app.store.watch_slo(REPO, 2, Some(1), overdue).await.expect("watches");
        wait_until("bob's request moves on", async || requested_now(&fake).iter().all(|l| l != "bob")).await;
        let expected: [(String, String, String, Option<String>); 2] = [
            ("bob".into(), "reassign".into(), "sent".into(), Some("reassign".into())),
            ("bob".into(), "remind".into(), "skipped: overtaken by reassign".into(), None),
        ];
        wait_until("the reassignment is recorded as sent", async || {
            steps(&server).await.iter().any(|s| s.1 == "reassign" && s.2 != "claimed")
        })
        .await;
        assert_eq!(steps(&server).await, expected, "{}", db.name);
        assert_eq!(reminders(&fake), 0, "{}", db.name);
        server.stop().await;
        db.drop_database().await;
    }
}
