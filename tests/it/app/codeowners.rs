//! `review.codeowners: required` in the App: the base branch's CODEOWNERS is read, the check run
//! lists the owning line, its owners and files, and the PR waits until an owner approves; a
//! reviewer who is not an owner meets the tier's count and not the owners'.

use crate::support::db::Db;
use crate::support::fake_github;
use crate::support::server::{Server, wait_until};

use fake_github::{AppAuth, HEAD, hello_world, payload, reviewed_by_hubot};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_check_run_lists_the_code_owners_and_waits_until_one_approves() {
    let db = &Db::sqlite();
    let fake = hello_world("ABC-123: update the greeting", &["ai:none"]).await;
    fake.with(|s| {
        s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() });
        // The example policy's yellow tier (src/lib.rs is yellow) now needs its code owners too.
        let key = ("master".to_string(), ".github/flowgate.yml".to_string());
        let policy =
            s.contents[&key].replacen("review: { approvals: 1 }", "review: { approvals: 1, codeowners: required }", 1);
        assert!(policy.contains("codeowners: required"), "the example policy changed: {policy}");
        s.contents.insert(key, policy);
        s.contents.insert(("master".into(), ".github/CODEOWNERS".into()), "*.md @docs\n/src/ @octo-org/core\n".into());
        s.contents.insert(("changes".into(), ".github/CODEOWNERS".into()), "/src/ @Codertocat\n".into());
        s.teams.insert(("octo-org".into(), "core".into()), vec!["monalisa".into()]);
    });
    let server = Server::start(&fake, &db.url).await;
    let opened = payload("pull_request.opened.payload.json");
    assert_eq!(server.deliver("pull_request", "co-opened", &opened).await.0, 202);
    wait_until("a check run on the head", async || fake.with(|s| s.runs_on(HEAD).len() == 1)).await;
    fake.with(|s| {
        let run = s.runs_on(HEAD)[0];
        assert_eq!(run.status, "in_progress", "{}", run.summary);
        assert!(run.summary.contains("| ⏳ | Code owners |"), "{}", run.summary);
        assert!(
            run.summary.contains("read from `.github/CODEOWNERS` on the base branch"),
            "the base branch's file, not the PR branch's: {}",
            run.summary
        );
        assert!(
            run.summary
                .contains("- needs: `/src/` (line 2), owned by `@octo-org/core`: no owner has approved; `src/lib.rs`"),
            "{}",
            run.summary
        );
    });

    // hubot approves: enough for the tier's one approval, but hubot owns nothing.
    let review = reviewed_by_hubot(&fake);
    assert_eq!(server.deliver("pull_request_review", "co-hubot", &review).await.0, 202);
    wait_until("both deliveries are done", async || server.depth().await.done == 2).await;
    fake.with(|s| {
        let run = s.runs_on(HEAD)[0];
        assert_eq!((run.status.as_str(), run.conclusion.as_deref()), ("in_progress", None), "{}", run.summary);
        assert_eq!(
            run.title, "Waiting for review: an approval from a code owner of /src/ (line 2): @octo-org/core",
            "the tier's approval is there; the owners' is not"
        );
    });

    // monalisa, a member of the owning team, approves on the head.
    fake.with(|s| {
        s.pr(2).reviews.push(json!({ "id": 3, "user": { "login": "monalisa", "type": "User" }, "state": "APPROVED",
            "commit_id": HEAD, "submitted_at": "2019-05-15T17:00:00Z", "body": "" }));
    });
    assert_eq!(server.deliver("pull_request_review", "co-owner", &review).await.0, 202);
    wait_until("the run completes with success", async || {
        fake.with(|s| s.runs_on(HEAD).first().is_some_and(|r| r.conclusion.as_deref() == Some("success")))
    })
    .await;
    fake.with(|s| {
        let run = s.runs_on(HEAD)[0];
        assert!(run.summary.contains("| ✅ | Code owners |"), "{}", run.summary);
        assert!(
            run.summary.contains("- met: `/src/` (line 2), owned by `@octo-org/core`: approved by `monalisa`"),
            "{}",
            run.summary
        );
        let reads = s.log.iter().filter(|l| l.method == "GET" && l.url.contains("CODEOWNERS")).count();
        assert_eq!(reads, 3, "CODEOWNERS is read once an evaluation");
    });
    server.stop().await;
}
