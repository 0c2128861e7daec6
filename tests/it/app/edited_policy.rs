//! A PR that edits the policy, in the App: the base branch's policy judges it, and the policy at
//! its head is loaded too. One that does not load fails the check with an annotation on its line;
//! a valid one adds a line that says so; a PR that leaves the policy alone costs no request more.

use crate::support::fake_github;
use crate::support::server;

use fake_github::{AppAuth, FakeGitHub, HEAD, hello_world, payload, reviewed_by_hubot};
use serde_json::{Value, json};
use server::{Server, databases, wait_until};

const POLICY: &str = ".github/flowgate.yml";

fn example_policy() -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/flowgate.yml"))
        .expect("policy")
}

/// The example policy with a misspelt key, `reviewrs:`, on line 7.
fn misspelt_policy() -> String {
    let example = example_policy();
    let rest: Vec<&str> = example.lines().skip(1).collect();
    format!("# edited\n#\n#\n#\n#\n#\nreviewrs: {{}}\n{}\n", rest.join("\n"))
}

/// Hello-World#2, approved by hubot, also changing the policy to `at_head` when given.
async fn pr(at_head: Option<String>) -> FakeGitHub {
    let fake = hello_world("ABC-123: update the greeting", &["ai:none"]).await;
    fake.with(|s| {
        s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() });
        if let Some(text) = at_head {
            s.pr(2).files.push(json!({ "filename": POLICY, "status": "modified", "additions": 1, "deletions": 0,
                "changes": 1, "patch": "@@ -1,1 +1,2 @@\n+# edited\n" }));
            s.contents.insert((HEAD.into(), POLICY.into()), text);
        }
    });
    reviewed_by_hubot(&fake);
    fake
}

/// Delivers the PR, waits for its completed check run, and returns it.
async fn gate(fake: &FakeGitHub, url: &str, delivery: &str) -> (Option<String>, String, Vec<Value>) {
    let server = Server::start(fake, url).await;
    let opened: Value = payload("pull_request.opened.payload.json");
    let (status, _) = server.deliver("pull_request", delivery, &opened).await;
    assert_eq!(status, 202);
    wait_until("a completed check run", async || {
        fake.with(|s| s.runs_on(HEAD).first().is_some_and(|r| r.conclusion.is_some()))
    })
    .await;
    server.stop().await;
    fake.with(|s| {
        let run = &s.runs_on(HEAD)[0];
        (run.conclusion.clone(), run.summary.clone(), run.annotations.clone())
    })
}

/// The requests for a file at the PR's head.
fn reads_at_head(fake: &FakeGitHub) -> usize {
    // The Agent Trace directory is read at the head too, for AI provenance: not a policy read.
    fake.with(|s| {
        s.log
            .iter()
            .filter(|l| l.url.contains("/contents/") && l.url.contains(HEAD) && !l.url.contains(".agent-trace"))
            .count()
    })
}

/// The rows of the summary's rule table other than the policy's: what the base policy judged.
fn other_rules(summary: &str) -> Vec<String> {
    summary.lines().filter(|l| l.starts_with("| ") && !l.contains("| Policy |")).map(String::from).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_edited_policy_with_an_unknown_key_fails_the_check_with_an_annotation_on_its_line() {
    for db in databases("edited_policy_broken").await {
        let valid = pr(Some(example_policy())).await;
        let (valid_conclusion, valid_summary, _) = gate(&valid, &db.url, "d-valid").await;
        assert_eq!(valid_conclusion.as_deref(), Some("success"), "{}: {valid_summary}", db.name);

        let fake = pr(Some(misspelt_policy())).await;
        let (conclusion, summary, annotations) = gate(&fake, &db.url, "d-broken").await;
        assert_eq!(conclusion.as_deref(), Some("failure"), "{}: {summary}", db.name);
        assert!(summary.contains("the edited policy does not load"), "{summary}");
        assert!(summary.contains("`.github/flowgate.yml:7:1`: unknown field `reviewrs`"), "{summary}");
        let on_policy: Vec<&Value> = annotations.iter().filter(|a| a["path"] == POLICY).collect();
        assert_eq!(on_policy.len(), 1, "{annotations:?}");
        assert_eq!(on_policy[0]["start_line"], 7);
        assert_eq!(on_policy[0]["annotation_level"], "failure");
        // The base branch's policy still judges the rest, as it did the valid edit.
        assert_eq!(other_rules(&summary), other_rules(&valid_summary));
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_valid_edit_says_so_and_changes_nothing_else() {
    for db in databases("edited_policy_valid").await {
        let fake = pr(Some(example_policy())).await;
        let (conclusion, summary, annotations) = gate(&fake, &db.url, "d-valid").await;
        assert_eq!(conclusion.as_deref(), Some("success"), "{}: {summary}", db.name);
        assert!(summary.contains("| ✅ | Policy | the edited policy is valid |"), "{summary}");
        assert!(annotations.iter().all(|a| a["path"] != POLICY), "{annotations:?}");
        assert_eq!(reads_at_head(&fake), 1, "the policy at the head, read once");
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_pr_that_leaves_the_policy_alone_reads_nothing_at_its_head() {
    for db in databases("edited_policy_untouched").await {
        let fake = pr(None).await;
        let (conclusion, summary, _) = gate(&fake, &db.url, "d-untouched").await;
        assert_eq!(conclusion.as_deref(), Some("success"), "{}: {summary}", db.name);
        assert!(!summary.contains("| Policy |"), "{summary}");
        assert_eq!(reads_at_head(&fake), 0, "no request for the head's policy");
        db.drop_database().await;
    }
}
