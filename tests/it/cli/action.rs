//! `flowgate action` end to end: the binary in a GitHub Actions environment, with real
//! `pull_request` and `pull_request_review` payloads (octokit/webhooks, MIT), against the stateful
//! fake GitHub. Asserts the job summary, the step outputs, the workflow commands, the exit code and
//! the requests made.

use crate::support::common;
use crate::support::fake_github;

use std::path::PathBuf;

use common::Run;
use fake_github::{FakeGitHub, HEAD, TOKEN, hello_world, payload, reviewed_by_hubot};
use serde_json::{Value, json};
use tempfile::TempDir;

/// One `flowgate action` run: what it printed and the files the runner would read after.
struct ActionRun {
    run: Run,
    summary: String,
    outputs: String,
}

impl ActionRun {
    /// The value of a step output written in `name<<DELIMITER` form.
    fn output(&self, name: &str) -> Option<String> {
        let mut lines = self.outputs.lines();
        while let Some(line) = lines.next() {
            if let Some(delimiter) = line.strip_prefix(&format!("{name}<<")) {
                let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
                return Some(value.join("\n"));
            }
        }
        None
    }
}

async fn action(fake: &FakeGitHub, event: &str, payload: &Value, extra: &[&str]) -> ActionRun {
    let dir = TempDir::new().expect("tempdir");
    let event_path = dir.path().join("event.json");
    std::fs::write(&event_path, payload.to_string()).expect("event");
    let summary = dir.path().join("summary.md");
    let outputs = dir.path().join("outputs");
    let (uri, event, extra) = (fake.uri(), event.to_string(), extra.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    let (s, o) = (summary.clone(), outputs.clone());
    let run = tokio::task::spawn_blocking(move || {
        Run::of(
            assert_cmd::Command::cargo_bin("flowgate")
                .expect("binary")
                .arg("action")
                .args(&extra)
                .env_clear()
                .env("GITHUB_EVENT_NAME", event)
                .env("GITHUB_EVENT_PATH", &event_path)
                .env("GITHUB_REPOSITORY", "Codertocat/Hello-World")
                .env("GITHUB_API_URL", uri)
                .env("GITHUB_TOKEN", TOKEN)
                .env("GITHUB_STEP_SUMMARY", &s)
                .env("GITHUB_OUTPUT", &o),
        )
    })
    .await
    .expect("joins");
    let read = |p: &PathBuf| std::fs::read_to_string(p).unwrap_or_default();
    ActionRun { run, summary: read(&summary), outputs: read(&outputs) }
}

fn paths(fake: &FakeGitHub) -> Vec<String> {
    let mut seen: Vec<String> = fake.with(|s| {
        s.log.iter().map(|l| format!("{} {}", l.method, l.url.split('?').next().unwrap_or_default())).collect()
    });
    // Files, commits and reviews are fetched at once, in no fixed order.
    seen[2..5].sort();
    seen
}

#[tokio::test]
async fn an_opened_pr_without_a_story_fails_the_job_with_errors_outputs_and_a_failed_run() {
    let fake = hello_world("Update the README with new information.", &["ai:none"]).await;
    let out = action(&fake, "pull_request", &payload("pull_request.opened.payload.json"), &[]).await;
    assert_eq!(out.run.code, 1, "a failing verdict fails the job\n{}", out.run.stderr);
    assert_eq!(out.output("state").as_deref(), Some("fail"));
    assert_eq!(out.output("tier").as_deref(), Some("yellow"));
    assert_eq!(out.output("story-keys").as_deref(), Some(""));
    assert_eq!(out.output("ai-detected").as_deref(), Some("false"));
    assert!(out.run.stdout.contains("::error title=flowgate%3A story::"), "{}", out.run.stdout);
    assert!(out.summary.contains("flowgate: fail") || out.summary.contains("FAIL"), "{}", out.summary);
    assert!(
        out.summary.contains("The `flowgate` check run was created, label flowgate:yellow added."),
        "{}",
        out.summary
    );
    fake.with(|s| {
        let runs = s.runs_on(HEAD);
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].conclusion.as_deref(), Some("failure"));
    });
    // The AI provenance sources are asked at once: their order is the arrival's.
    let mut seen = paths(&fake);
    seen[5..7].sort();
    assert_eq!(
        seen,
        [
            "GET /repos/Codertocat/Hello-World/pulls/2",
            "GET /repos/Codertocat/Hello-World/contents/.github%2Fflowgate.yml",
            "GET /repos/Codertocat/Hello-World/pulls/2/commits",
            "GET /repos/Codertocat/Hello-World/pulls/2/files",
            "GET /repos/Codertocat/Hello-World/pulls/2/reviews",
            "GET /repos/Codertocat/Hello-World/contents/.agent-trace",
            "GET /repos/Codertocat/Hello-World/git/matching-refs/notes",
            "GET /repos/Codertocat/Hello-World/commits/ec26c3e57ca3a959ca5aad62de7213c562f8c821/check-runs",
            "POST /repos/Codertocat/Hello-World/check-runs",
            "POST /repos/Codertocat/Hello-World/issues/2/labels",
        ]
    );
    assert!(out.run.stderr.contains("10 GitHub API requests"), "{}", out.run.stderr);

    // --fail-on never keeps the job green; the check run still gates the merge.
    let lenient =
        action(&fake, "pull_request", &payload("pull_request.opened.payload.json"), &["--fail-on", "never"]).await;
    assert_eq!(lenient.run.code, 0);
    assert_eq!(lenient.output("state").as_deref(), Some("fail"));
}

/// Shadow mode (`enforcement: evaluate`): the same failing PR passes the job, gets a neutral check
/// run that says it would fail, and no label; the job summary says shadow mode first.
#[tokio::test]
async fn in_shadow_mode_a_failing_pr_exits_0_with_a_neutral_run_and_no_label() {
    let fake = hello_world("Update the README with new information.", &["ai:none"]).await;
    fake.with(|s| {
        let key = ("master".to_string(), ".github/flowgate.yml".to_string());
        let policy = format!("{}\nenforcement: evaluate\n", s.contents[&key]);
        s.contents.insert(key, policy);
    });
    let out =
        action(&fake, "pull_request", &payload("pull_request.opened.payload.json"), &["--fail-on", "pending"]).await;
    assert_eq!(out.run.code, 0, "shadow mode never fails the job\n{}", out.run.stderr);
    assert_eq!(out.output("state").as_deref(), Some("fail"), "the verdict's state, as it would be");
    assert_eq!(out.output("enforcement").as_deref(), Some("evaluate"));
    assert!(out.summary.starts_with("**Shadow mode** (`enforcement: evaluate`): this check never blocks a merge. Enforced, it would have failed: no story linked."), "{}", out.summary);
    assert!(!out.run.stdout.contains("::error"), "failed rules are warnings: {}", out.run.stdout);
    assert!(out.run.stdout.contains("::warning title=flowgate%3A story::"), "{}", out.run.stdout);
    fake.with(|s| {
        let runs = s.runs_on(HEAD);
        assert_eq!((runs[0].status.as_str(), runs[0].conclusion.as_deref()), ("completed", Some("neutral")));
        assert_eq!(runs[0].title, "Shadow mode: would fail — no story linked");
        let writes: Vec<&str> = s.writes().iter().map(|w| w.url.as_str()).collect();
        assert_eq!(writes, ["/repos/Codertocat/Hello-World/check-runs"], "no tier label");
    });
}

/// A policy that does not load but says `enforcement: evaluate`: a neutral check run naming the
/// error and exit 0, where an enforced broken policy stops the step with exit 2.
#[tokio::test]
async fn in_shadow_mode_a_broken_policy_is_a_neutral_run_and_exit_0() {
    let fake = hello_world("ABC-123: update the greeting", &["ai:none"]).await;
    let broken = "version: 1\nenforcement: evaluate\nlinkage: { requird: true }\n";
    fake.with(|s| s.contents.insert(("master".into(), ".github/flowgate.yml".into()), broken.into()));
    let out = action(&fake, "pull_request", &payload("pull_request.opened.payload.json"), &[]).await;
    assert_eq!(out.run.code, 0, "{}", out.run.stderr);
    assert_eq!(out.output("enforcement").as_deref(), Some("evaluate"));
    assert!(out.summary.contains("requird"), "the error: {}", out.summary);
    fake.with(|s| {
        let run = s.runs_on(HEAD)[0].clone();
        assert_eq!(run.conclusion.as_deref(), Some("neutral"));
        assert_eq!(run.title, "Shadow mode: would fail — the policy on the base branch does not load");
    });
    let enforced = broken.replace("enforcement: evaluate\n", "");
    fake.with(|s| s.contents.insert(("master".into(), ".github/flowgate.yml".into()), enforced));
    let out = action(&fake, "pull_request", &payload("pull_request.opened.payload.json"), &[]).await;
    assert_eq!(out.run.code, 2, "{}", out.run.stderr);
}

#[tokio::test]
async fn a_review_event_turns_the_pending_run_into_a_pass() {
    let fake = hello_world("ABC-123: update the greeting", &["ai:none"]).await;
    let opened = action(&fake, "pull_request", &payload("pull_request.opened.payload.json"), &[]).await;
    assert_eq!(opened.run.code, 0, "pending does not fail the job by default\n{}", opened.run.stderr);
    assert_eq!(opened.output("state").as_deref(), Some("pending"));
    assert_eq!(opened.output("story-keys").as_deref(), Some("ABC-123"));
    fake.with(|s| assert_eq!(s.runs_on(HEAD)[0].status, "in_progress"));

    let review = reviewed_by_hubot(&fake);
    fake.clear_log();
    let reviewed = action(&fake, "pull_request_review", &review, &["--fail-on", "pending"]).await;
    assert_eq!(reviewed.run.code, 0, "{}\n{}", reviewed.run.stdout, reviewed.run.stderr);
    assert_eq!(reviewed.output("state").as_deref(), Some("pass"));
    assert!(reviewed.summary.contains("The `flowgate` check run was updated."), "{}", reviewed.summary);
    fake.with(|s| {
        let runs = s.runs_on(HEAD);
        assert_eq!(runs.len(), 1, "the same run, updated");
        assert_eq!(runs[0].conclusion.as_deref(), Some("success"));
    });
    // A new process has no ETags: the reads are repeated; only the label is not sent again.
    let writes: Vec<String> = paths(&fake).into_iter().filter(|p| !p.starts_with("GET")).collect();
    assert_eq!(writes, ["PATCH /repos/Codertocat/Hello-World/check-runs/1000"]);
    assert!(reviewed.run.stderr.contains("9 GitHub API requests"), "{}", reviewed.run.stderr);
}

#[tokio::test]
async fn a_fork_pr_gets_its_verdict_in_the_summary_and_posts_nothing() {
    let fake = hello_world("ABC-123: update the greeting", &["ai:none"]).await;
    fake.with(|s| s.read_only = true);
    let mut event = payload("pull_request.opened.payload.json");
    event["pull_request"]["head"]["repo"]["full_name"] = json!("someone/Hello-World");
    let out = action(&fake, "pull_request", &event, &["--fail-on", "pending"]).await;
    assert_eq!(out.run.code, 1, "pending fails the job with --fail-on pending, posted or not");
    assert_eq!(out.output("state").as_deref(), Some("pending"));
    assert!(out.summary.contains("comes from a fork (someone/Hello-World)"), "{}", out.summary);
    assert!(out.summary.contains("read-only token"), "{}", out.summary);
    assert!(out.run.stdout.contains("::warning title=flowgate%3A nothing posted::"), "{}", out.run.stdout);
    fake.with(|s| {
        assert!(s.writes().is_empty(), "nothing is even tried with a token that cannot write");
        assert!(s.check_runs.is_empty());
    });
}

#[tokio::test]
async fn a_token_without_write_permission_is_reported_not_fatal() {
    let fake = hello_world("ABC-123: update the greeting", &["ai:none"]).await;
    fake.with(|s| s.read_only = true);
    let out = action(&fake, "pull_request_target", &payload("pull_request.opened.payload.json"), &[]).await;
    assert_eq!(out.run.code, 0, "{}", out.run.stderr);
    assert!(
        out.summary.contains("Nothing was posted") && out.summary.contains("Resource not accessible by integration")
    );
}

#[tokio::test]
async fn other_events_get_a_notice_and_exit_zero() {
    let fake = hello_world("x", &[]).await;
    let out = action(&fake, "push", &json!({ "ref": "refs/heads/main" }), &[]).await;
    assert_eq!(out.run.code, 0);
    assert!(out.run.stdout.starts_with("::notice title=flowgate::flowgate gates pull requests"), "{}", out.run.stdout);
    assert!(fake.with(|s| s.log.is_empty()), "nothing was fetched");
}

#[tokio::test]
async fn a_broken_environment_or_payload_is_a_clear_error() {
    let fake = hello_world("x", &[]).await;
    let out = action(&fake, "pull_request", &json!({ "action": "opened" }), &[]).await;
    assert_eq!(out.run.code, 2);
    assert!(out.run.stderr.contains("has no pull_request.number"), "{}", out.run.stderr);
    assert!(out.summary.contains("flowgate could not gate this pull request"), "{}", out.summary);
    assert!(out.run.stdout.starts_with("::error title=flowgate::"), "{}", out.run.stdout);

    let bare = Run::of(assert_cmd::Command::cargo_bin("flowgate").expect("binary").arg("action").env_clear());
    assert_eq!(bare.code, 2);
    assert!(bare.stderr.contains("GITHUB_EVENT_NAME is not set"), "{}", bare.stderr);

    // A device as the payload is refused before a byte is read, so it cannot fill memory.
    let endless = Run::of(
        assert_cmd::Command::cargo_bin("flowgate")
            .expect("binary")
            .arg("action")
            .env_clear()
            .env("GITHUB_EVENT_NAME", "pull_request")
            .env("GITHUB_EVENT_PATH", "/dev/zero")
            .env("GITHUB_REPOSITORY", "Codertocat/Hello-World")
            .env("GITHUB_API_URL", fake.uri())
            .env("GITHUB_TOKEN", TOKEN),
    );
    assert_eq!(endless.code, 2);
    assert!(endless.stderr.contains("not a regular file"), "{}", endless.stderr);
}

/// Codertocat/Hello-World with the example policy on `main` and PRs 1 and 2 ready to queue.
async fn queue_repo() -> FakeGitHub {
    let fake = FakeGitHub::start("Codertocat/Hello-World").await;
    let policy = std::fs::read_to_string(common::root().join("examples/flowgate.yml")).expect("policy");
    fake.with(|s| {
        s.contents.insert((fake_github::queue::BASE.into(), ".github/flowgate.yml".into()), policy);
        s.ready_pr(1, "carol");
        s.ready_pr(2, "carol");
    });
    fake
}

#[tokio::test]
async fn a_merge_group_is_verified_and_its_check_posted_on_the_groups_head() {
    use fake_github::queue::{self, Method};
    let fake = queue_repo().await;
    let group = fake.with(|s| s.queue(&[1, 2], Method::Squash));
    // The octokit example `merge_group` payload, pointed at the group: it has no pull_request.
    let event = queue::checks_requested("Codertocat/Hello-World", &group);
    assert!(event.get("pull_request").is_none());
    let out = action(&fake, "merge_group", &event, &[]).await;
    assert_eq!(out.run.code, 0, "{}\n{}", out.run.stdout, out.run.stderr);
    assert_eq!(out.output("state").as_deref(), Some("pass"));
    assert!(out.summary.contains("## Merge group verified: 2 pull requests"), "{}", out.summary);
    assert!(out.summary.contains("| #1 `ABC-1: step 1` | yellow | pass | @carol |"), "{}", out.summary);
    fake.with(|s| {
        let runs = s.runs_on(&group.head_sha);
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].conclusion.as_deref(), Some("success"));
    });

    // A commit no member made: the job fails and the run says which.
    let group = fake.with(|s| s.queue(&[1, 2], Method::Merge));
    let evil = queue::inject(&fake, &group, "src/queue/pr_1.rs", "    return 0;");
    let out = action(&fake, "merge_group", &queue::checks_requested("Codertocat/Hello-World", &group), &[]).await;
    assert_eq!(out.run.code, 1, "a rejected group fails the job\n{}", out.run.stdout);
    assert!(out.run.stdout.contains("::error title=flowgate::Merge group rejected"), "{}", out.run.stdout);
    assert!(out.summary.contains(&format!("Commit {}", &evil[..7])), "{}", out.summary);
    fake.with(|s| assert_eq!(s.runs_on(&group.head_sha)[0].conclusion.as_deref(), Some("failure")));

    // A group that ended needs no check.
    let mut destroyed = queue::checks_requested("Codertocat/Hello-World", &group);
    destroyed["action"] = json!("destroyed");
    fake.clear_log();
    let out = action(&fake, "merge_group", &destroyed, &[]).await;
    assert_eq!(out.run.code, 0);
    assert!(out.run.stdout.contains("the merge group ended: nothing to check"), "{}", out.run.stdout);
    assert!(fake.with(|s| s.log.is_empty()), "nothing asked of GitHub");
}
