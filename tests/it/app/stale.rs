//! Approvals across a rebase in the App, against the fake GitHub's compare API: an approval on
//! an older commit still counts when the change it reviewed is the same at the head, no longer
//! counts when a file changed or the PR was retargeted, and the check run says which, at the cost
//! of one comparison per approved commit.

use crate::support::fake_github;
use crate::support::server;

use fake_github::{AppAuth, FakeGitHub, HEAD, hello_world, payload};
use serde_json::{Value, json};
use server::{Server, databases, wait_until};

/// The commit hubot approved, before the author rebased onto a newer `master`.
const APPROVED: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
/// `master` as the PR payload names it.
const BASE_SHA: &str = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";
/// The same change the head makes to `src/lib.rs`, at other line numbers (before the rebase).
const REVIEWED_PATCH: &str = "@@ -7,2 +7,3 @@\n pub fn greet() -> &'static str {\n-    \"hi\"\n+    \"hello\"\n+}\n";
const OTHER_PATCH: &str = "@@ -7,2 +7,3 @@\n pub fn greet() -> &'static str {\n-    \"hi\"\n+    \"hey\"\n+}\n";

/// Hello-World#2 rebased: hubot approved `APPROVED`, the head is a rebased copy, and the compare
/// of the base with the approved commit holds `reviewed_patch`.
async fn rebased_pr(reviewed_patch: &str) -> FakeGitHub {
    let fake = hello_world("ABC-123: update the greeting", &["ai:none"]).await;
    fake.with(|s| {
        s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() });
        let pr = s.pr(2);
        pr.commits[0]["parents"] = json!([{ "sha": "b".repeat(40) }]);
        pr.commits[0]["commit"]["tree"] = json!({ "sha": "1".repeat(40) });
        pr.reviews.push(json!({ "id": 7, "user": { "login": "hubot", "type": "User" }, "state": "APPROVED",
            "commit_id": APPROVED, "submitted_at": "2019-05-15T16:00:00Z", "body": "" }));
        let approved_commit = json!({ "sha": APPROVED, "parents": [{ "sha": BASE_SHA }],
            "commit": { "message": "Update the greeting", "tree": { "sha": "2".repeat(40) },
                "author": { "name": "Codertocat", "email": "21031067+Codertocat@users.noreply.github.com" },
                "committer": { "name": "Codertocat", "email": "21031067+Codertocat@users.noreply.github.com" } } });
        let file = json!({ "filename": "src/lib.rs", "status": "modified", "additions": 2, "deletions": 1,
            "changes": 3, "patch": reviewed_patch });
        s.compares.insert(
            (BASE_SHA.to_string(), APPROVED.to_string()),
            json!({ "status": "ahead", "total_commits": 1, "commits": [approved_commit], "files": [file] }),
        );
    });
    fake
}

fn summary(fake: &FakeGitHub) -> (Option<String>, String) {
    fake.with(|s| {
        let run = &s.runs_on(HEAD)[0];
        (run.conclusion.clone(), run.summary.clone())
    })
}

/// Delivers the PR and waits for its check run to say something about hubot's approval (a run
/// waiting for review stays in progress, so the conclusion alone cannot be awaited).
async fn gate(fake: &FakeGitHub, url: &str, delivery: &str) -> (Option<String>, String) {
    let server = Server::start(fake, url).await;
    let opened: Value = payload("pull_request.opened.payload.json");
    let (status, _) = server.deliver("pull_request", delivery, &opened).await;
    assert_eq!(status, 202);
    wait_until("a check run that judged the approval", async || {
        fake.with(|s| s.runs_on(HEAD).first().is_some_and(|r| r.conclusion.is_some() || r.summary.contains("hubot")))
    })
    .await;
    server.stop().await;
    summary(fake)
}

fn compares(fake: &FakeGitHub) -> usize {
    fake.with(|s| s.log.iter().filter(|l| l.url.contains("/compare/")).count())
}

/// The requests a stale approval adds: its comparison, and the issue events that say whether the
/// base was retargeted (read anyway when the policy chooses reviewers).
fn extra_requests(fake: &FakeGitHub) -> usize {
    fake.with(|s| s.log.iter().filter(|l| l.url.contains("/compare/") || l.url.contains("/events")).count())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_approval_survives_a_rebase_that_changed_nothing_and_says_so_for_one_comparison() {
    for db in databases("stale_rebase").await {
        let fake = rebased_pr(REVIEWED_PATCH).await;
        let (conclusion, summary) = gate(&fake, &db.url, "d-rebased").await;
        assert_eq!(conclusion.as_deref(), Some("success"), "{}: {summary}", db.name);
        assert!(
            summary
                .contains("`hubot`'s approval on `aaaaaaa` still counts: rebased onto `master`, every patch unchanged"),
            "{summary}"
        );
        assert_eq!(compares(&fake), 1, "one comparison for the one approved commit");
        assert_eq!(extra_requests(&fake), 2, "the comparison and the issue events, nothing more");
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_approval_does_not_survive_a_changed_line_and_the_check_names_the_file() {
    for db in databases("stale_rework").await {
        let fake = rebased_pr(OTHER_PATCH).await;
        let (conclusion, summary) = gate(&fake, &db.url, "d-rework").await;
        assert_ne!(conclusion.as_deref(), Some("success"), "{}: {summary}", db.name);
        assert!(
            summary.contains("`hubot`'s approval on `aaaaaaa` no longer counts: `src/lib.rs` changed"),
            "{summary}"
        );
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_retarget_after_the_approval_drops_it_even_when_the_patch_is_the_same() {
    for db in databases("stale_retarget").await {
        let fake = rebased_pr(REVIEWED_PATCH).await;
        fake.with(|s| {
            s.pr(2).events.push(json!({ "id": 9, "event": "base_ref_changed", "actor": { "login": "Codertocat" },
                "created_at": "2019-05-15T17:00:00Z" }));
        });
        let (conclusion, summary) = gate(&fake, &db.url, "d-retarget").await;
        assert_ne!(conclusion.as_deref(), Some("success"), "{}: {summary}", db.name);
        assert!(summary.contains("no longer counts: the PR was retargeted to `master` after it"), "{summary}");
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_approved_commit_github_no_longer_knows_does_not_carry() {
    for db in databases("stale_unreachable").await {
        let fake = rebased_pr(REVIEWED_PATCH).await;
        fake.with(|s| s.compares.clear());
        let (conclusion, summary) = gate(&fake, &db.url, "d-gone").await;
        assert_ne!(conclusion.as_deref(), Some("success"), "{}: {summary}", db.name);
        assert!(summary.contains("the commit is no longer reachable (force-pushed away)"), "{summary}");
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_approval_on_the_head_costs_no_comparison() {
    for db in databases("stale_none").await {
        let fake = rebased_pr(REVIEWED_PATCH).await;
        fake.with(|s| s.pr(2).reviews[0]["commit_id"] = json!(HEAD));
        let (conclusion, summary) = gate(&fake, &db.url, "d-head").await;
        assert_eq!(conclusion.as_deref(), Some("success"), "{}: {summary}", db.name);
        assert_eq!(extra_requests(&fake), 0, "no comparison and no events without a stale approval");
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_comparison_at_githubs_300_file_limit_does_not_carry() {
    for db in databases("stale_too_big").await {
        let fake = rebased_pr(REVIEWED_PATCH).await;
        fake.with(|s| {
            let compare = s.compares.values_mut().next().expect("the approved commit's comparison");
            let files: Vec<Value> = (0..300)
                .map(|i| {
                    json!({ "filename": format!("src/f{i}.rs"), "status": "added", "additions": 1, "deletions": 0,
                    "patch": "@@ -0,0 +1 @@\n+x\n" })
                })
                .collect();
            compare["files"] = Value::from(files);
        });
        let (conclusion, summary) = gate(&fake, &db.url, "d-big").await;
        assert_ne!(conclusion.as_deref(), Some("success"), "{}: {summary}", db.name);
        assert!(summary.contains("the comparison changes 300 files and GitHub lists at most 300"), "{summary}");
        db.drop_database().await;
    }
}

/// `stale: owners`: the change to `src/lib.rs` drops the approval of its code owner, while the
/// approval of the owner of the PR's unchanged guide still counts, and the check says both. (An
/// approver who owns none of the PR's files has no scope in it: only an unchanged change keeps
/// theirs.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn under_owners_a_change_drops_only_the_approval_of_the_files_owner() {
    for db in databases("stale_owners").await {
        let fake = rebased_pr(OTHER_PATCH).await;
        fake.with(|s| {
            let policy = s.contents.get(&("master".to_string(), ".github/flowgate.yml".to_string())).cloned().unwrap();
            let yellow = "    review: { approvals: 1 }";
            assert!(policy.contains(yellow), "the example policy's yellow rule");
            s.contents.insert(
                ("master".into(), ".github/flowgate.yml".into()),
                policy.replacen(yellow, "    review: { approvals: 1, stale: owners }", 1),
            );
            s.contents.insert(("master".into(), ".github/CODEOWNERS".into()), "/src/ @hubot\n/docs/ @octocat\n".into());
            s.pr(2).reviews.push(json!({ "id": 8, "user": { "login": "octocat", "type": "User" }, "state": "APPROVED",
                "commit_id": APPROVED, "submitted_at": "2019-05-15T16:05:00Z", "body": "" }));
            // The PR also changes a guide, the same way before and after the push.
            let guide = json!({ "filename": "docs/guide.md", "status": "modified", "additions": 1, "deletions": 0,
                "changes": 1, "patch": "@@ -1 +1,2 @@\n # Greeting\n+Say hello.\n" });
            s.pr(2).files.push(guide.clone());
            let compare = s.compares.values_mut().next().expect("the approved commit's comparison");
            compare["files"].as_array_mut().unwrap().push(guide);
        });
        let (conclusion, summary) = gate(&fake, &db.url, "d-owners").await;
        assert_eq!(conclusion.as_deref(), Some("success"), "{}: {summary}", db.name);
        assert!(
            summary.contains("`hubot`'s approval on `aaaaaaa` no longer counts: `src/lib.rs` in hubot's scope changed"),
            "{summary}"
        );
        assert!(
            summary.contains(
                "`octocat`'s approval on `aaaaaaa` still counts: `src/lib.rs` changed, none of them in octocat's scope"
            ),
            "{summary}"
        );
        db.drop_database().await;
    }
}
