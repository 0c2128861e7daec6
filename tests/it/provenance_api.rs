//! Line-level AI provenance read through GitHub's API for a live PR (the path the App and the
//! Action take), against the stateful fake: a repository without notes pays the notes refs' listing
//! and the trace directory's 404 and nothing more; notes at `<sha>` and fanned out are found;
//! a note that is too large or not text, a failing notes ref and a PR over the commit cap leave
//! their source `Unreadable` or `Corrupt` with the reason, and the gate still evaluates.

use crate::support::fake_github;

use std::time::Duration;

use fake_github::{FakeGitHub, TOKEN, example_repo};
use flowgate::gate::remote;
use flowgate::github::retry::RetryPolicy;
use flowgate::github::{Credentials, GitHub, RepoName, Token};
use flowgate::model::provenance::{Provenance, SourceKind, SourceState};
use serde_json::json;

/// The example PR's commits, oldest first; the second is the head.
const FIRST: &str = "cccccccccccccccccccccccccccccccccccccccc";
const HEAD: &str = "1111111111111111111111111111111111111111";

fn client(fake: &FakeGitHub) -> GitHub {
    let quick = RetryPolicy { server_error_backoff: Duration::from_millis(10), ..RetryPolicy::default() };
    GitHub::new(&fake.uri(), Credentials::Token(Token::new(TOKEN).expect("token")))
        .expect("client")
        .with_retry_policy(quick)
}

async fn provenance(fake: &FakeGitHub) -> Provenance {
    let gh = client(fake);
    let repo = RepoName::parse("acme/shop").expect("repo");
    let gated = remote::gate(&gh, &repo, 42, None).await.expect("the gate evaluates whatever the sources say");
    gated.facts.provenance.expect("a live PR under a policy with AI rules has its provenance read")
}

fn state(p: &Provenance, kind: SourceKind) -> SourceState {
    p.sources.iter().find(|s| s.kind == kind).map(|s| s.state.clone()).expect("every source is reported")
}

/// The requests the fake saw for provenance, as `METHOD path` without the query.
fn provenance_requests(fake: &FakeGitHub) -> Vec<String> {
    fake.with(|s| {
        s.log
            .iter()
            .map(|l| format!("{} {}", l.method, l.url.split('?').next().unwrap_or_default()))
            .filter(|r| r.contains("/git/") || r.contains(".agent-trace") || r.contains("/commits/"))
            .collect()
    })
}

fn reason(state: SourceState) -> String {
    match state {
        SourceState::Unreadable { reason } | SourceState::Corrupt { reason } => reason,
        other => panic!("expected a reason, got {other:?}"),
    }
}

/// Each example commit's own change, as `GET commits/{sha}` lists it.
fn commit_files(fake: &FakeGitHub) {
    fake.with(|s| {
        s.commit_files.insert(
            FIRST.into(),
            vec![json!({ "filename": "src/auth/login.rs", "status": "added", "patch": "@@ -0,0 +1,2 @@\n+fn a() {}\n+fn b() {}" })],
        );
        s.commit_files.insert(
            HEAD.into(),
            vec![json!({ "filename": "src/auth/rate_limit.rs", "previous_filename": "src/auth/limit.rs",
                "status": "renamed", "patch": "@@ -1 +1 @@\n-x\n+y" })],
        );
    });
}

#[tokio::test]
async fn a_repository_without_notes_costs_one_refs_listing_and_one_directory_lookup() {
    let fake = example_repo().await;
    let p = provenance(&fake).await;
    assert_eq!(state(&p, SourceKind::GitAi), SourceState::Missing);
    assert_eq!(state(&p, SourceKind::Whogitit), SourceState::Missing);
    assert_eq!(state(&p, SourceKind::AgentTrace), SourceState::Missing);
    let mut asked = provenance_requests(&fake);
    asked.sort();
    assert_eq!(
        asked,
        ["GET /repos/acme/shop/contents/.agent-trace", "GET /repos/acme/shop/git/matching-refs/notes",],
        "no tree, blob or commit is read without a notes ref"
    );
    assert_eq!(p.totals().unknown, 48, "every added line is unknown until a record covers it");
}

/// git-ai authorship logs (Git AI Standard v3.0.0): the attested lines of a file by prompt, then
/// each prompt's agent.
const LOGIN_NOTE: &str = "src/auth/login.rs\n  c0ffeec0ffeec0ff 1-2\n---\n{\"schema_version\": \"authorship/3.0.0\", \"prompts\": {\"c0ffeec0ffeec0ff\": {\"agent_id\": {\"tool\": \"claude\", \"id\": \"s1\", \"model\": \"claude-sonnet-4-5\"}, \"messages\": []}}}";
const RATE_LIMIT_NOTE: &str = "src/auth/rate_limit.rs\n  beefbeefbeefbeef 1\n---\n{\"schema_version\": \"authorship/3.0.0\", \"prompts\": {\"beefbeefbeefbeef\": {\"agent_id\": {\"tool\": \"cursor\", \"id\": \"s2\", \"model\": \"gpt-5\"}, \"messages\": []}}}";

#[tokio::test]
async fn a_note_at_the_commit_id_and_a_fanned_out_note_are_both_found_with_each_commits_patch() {
    let fake = example_repo().await;
    fake.with(|s| {
        s.put_note("notes/ai", FIRST, LOGIN_NOTE, false);
        s.put_note("notes/ai", HEAD, RATE_LIMIT_NOTE, true);
    });
    commit_files(&fake);
    let gh = client(&fake);
    let repo = RepoName::parse("acme/shop").expect("repo");
    let pull = remote::gate(&gh, &repo, 42, None).await.expect("gates");
    let p = pull.facts.provenance.clone().expect("read");
    assert_eq!(state(&p, SourceKind::GitAi), SourceState::Read { records: 2 });
    assert_eq!(state(&p, SourceKind::Whogitit), SourceState::Missing);

    // What the mapper is handed: both notes on their commits, oldest first, each with its patch.
    let raw = flowgate::gate::provenance::read(&gh, &repo, HEAD, &pull.facts).await;
    let shas: Vec<&str> = raw.commits.iter().map(|c| c.sha.as_str()).collect();
    assert_eq!(shas, [FIRST, HEAD]);
    assert_eq!(raw.commits[0].notes, [(SourceKind::GitAi, LOGIN_NOTE.to_string())]);
    assert_eq!(raw.commits[1].notes, [(SourceKind::GitAi, RATE_LIMIT_NOTE.to_string())]);
    assert_eq!(raw.commits[1].files[0].previous_path.as_deref(), Some("src/auth/limit.rs"));
    assert_eq!(raw.commits[0].files[0].patch.as_deref(), Some("@@ -0,0 +1,2 @@\n+fn a() {}\n+fn b() {}"));

    fake.clear_log();
    let _ = provenance(&fake).await;
    let trees = provenance_requests(&fake).iter().filter(|r| r.contains("/git/trees/")).count();
    assert_eq!(trees, 2, "the notes tree and the one fanned-out subtree, each once per evaluation");
}

#[tokio::test]
async fn a_git_ai_note_read_through_the_api_attributes_the_head_lines_it_attests() {
    let fake = example_repo().await;
    // The head commit's own change is the PR's change of src/auth/login.rs; the first commit
    // changed nothing that is left.
    let login = fake.with(|s| {
        let file = s.pr(42).files.iter().find(|f| f["filename"] == "src/auth/login.rs").cloned().expect("login.rs");
        s.commit_files.insert(FIRST.to_string(), Vec::new());
        s.commit_files.insert(HEAD.to_string(), vec![file.clone()]);
        file
    });
    let patch = login["patch"].as_str().expect("a patch");
    // The note attests the first run of added lines at the head as claude's.
    let added: Vec<u32> = added_lines(patch);
    let first = added[0];
    let note = LOGIN_NOTE.replace("1-2", &format!("{first}-{first}"));
    fake.with(|s| s.put_note("notes/ai", HEAD, note, false));
    let p = provenance(&fake).await;
    let file = p.file("src/auth/login.rs").expect("login.rs is mapped");
    assert_eq!(file.lines.ai, 1, "{file:?}");
    assert_eq!(file.lines.human, added.len() as u64 - 1, "the note speaks for its commit's other lines: {file:?}");
    assert_eq!(file.tools(), ["claude"]);
    assert_eq!(file.models(), ["claude-sonnet-4-5"]);
    let other = p.files.iter().find(|f| f.path != "src/auth/login.rs" && f.lines.added() > 0).expect("another file");
    assert_eq!(other.lines.unknown, other.lines.added(), "no commit's record covers it: {other:?}");
}

/// The head-side line numbers a unified patch adds.
fn added_lines(patch: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut line = 0u32;
    for text in patch.lines() {
        if let Some(rest) = text.strip_prefix("@@ ") {
            let plus = rest.split_whitespace().find(|w| w.starts_with('+')).expect("a new-side range");
            line = plus[1..].split(',').next().and_then(|n| n.parse().ok()).expect("a start line");
        } else if text.starts_with('+') {
            out.push(line);
            line += 1;
        } else if !text.starts_with('-') {
            line += 1;
        }
    }
    out
}

#[tokio::test]
async fn an_oversized_note_leaves_its_source_unreadable_and_reads_no_blob() {
    let fake = example_repo().await;
    fake.with(|s| s.put_note("notes/ai", HEAD, vec![b'x'; 1024 * 1024 + 1], false));
    commit_files(&fake);
    let p = provenance(&fake).await;
    assert_eq!(
        reason(state(&p, SourceKind::GitAi)),
        "refs/notes/ai: the note on commit 1111111 is 1048577 bytes, over the 1048576 a note may be"
    );
    assert!(!provenance_requests(&fake).iter().any(|r| r.contains("/git/blobs/")));
    assert!(!provenance_requests(&fake).iter().any(|r| r.contains("/commits/")), "no patch without a note to place");
}

#[tokio::test]
async fn a_note_that_is_not_text_is_corrupt_and_names_its_commit() {
    let fake = example_repo().await;
    fake.with(|s| s.put_note("notes/whogitit", FIRST, vec![0xff, 0xfe, 0x00, 0x7b], true));
    commit_files(&fake);
    let p = provenance(&fake).await;
    assert_eq!(
        reason(state(&p, SourceKind::Whogitit)),
        "refs/notes/whogitit: the note on commit ccccccc is not UTF-8 text"
    );
    assert_eq!(state(&p, SourceKind::GitAi), SourceState::Missing);
}

#[tokio::test]
async fn a_failing_notes_ref_is_unreadable_with_githubs_answer_and_the_gate_still_evaluates() {
    let fake = example_repo().await;
    fake.with(|s| s.notes.entry("notes/ai".into()).or_default().fails_with = Some(500));
    let p = provenance(&fake).await;
    let why = reason(state(&p, SourceKind::GitAi));
    assert!(
        why.starts_with("refs/notes/ai cannot be read: GET /repos/acme/shop/git/matching-refs/notes: 500"),
        "{why}"
    );
    let other = reason(state(&p, SourceKind::Whogitit));
    assert!(other.starts_with("refs/notes/whogitit cannot be read:"), "one listing answers for both refs: {other}");
}

#[tokio::test]
async fn a_pull_request_over_the_commit_cap_reads_no_note_and_says_why() {
    let fake = example_repo().await;
    fake.with(|s| {
        let template = s.pr(42).commits[0].clone();
        s.pr(42).commits = (0..101)
            .map(|i| {
                let mut c = template.clone();
                c["sha"] = json!(format!("{i:040x}"));
                c
            })
            .collect();
        s.put_note("notes/ai", &format!("{:040x}", 100), "a note", false);
    });
    let p = provenance(&fake).await;
    assert_eq!(
        reason(state(&p, SourceKind::GitAi)),
        "refs/notes/ai: the pull request has 101 commits; notes are read for at most 100"
    );
    assert!(!provenance_requests(&fake).iter().any(|r| r.contains("/git/trees/") || r.contains("/commits/")));
}

#[tokio::test]
async fn agent_trace_records_at_the_head_are_read_and_a_tools_settings_are_not() {
    let fake = example_repo().await;
    fake.with(|s| {
        let record = r#"{"version":"0.1.0","id":"1","timestamp":"2026-01-23T14:30:00Z","files":[]}"#;
        s.contents.insert((HEAD.into(), ".agent-trace/traces.jsonl".into()), format!("{record}\n"));
        s.contents.insert((HEAD.into(), ".agent-trace/config.json".into()), "{}".into());
    });
    let gh = client(&fake);
    let repo = RepoName::parse("acme/shop").expect("repo");
    let pull = remote::gate(&gh, &repo, 42, None).await.expect("gates");
    assert_eq!(
        state(pull.facts.provenance.as_ref().expect("read"), SourceKind::AgentTrace),
        SourceState::Read { records: 1 }
    );
    let raw = flowgate::gate::provenance::read(&gh, &repo, HEAD, &pull.facts).await;
    let paths: Vec<&str> = raw.trace_files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, [".agent-trace/traces.jsonl"]);
}

#[tokio::test]
async fn a_policy_without_ai_rules_reads_no_provenance() {
    let fake = example_repo().await;
    fake.with(|s| {
        let key = ("main".to_string(), ".github/flowgate.yml".to_string());
        let policy = s.contents[&key].clone();
        let start = policy.find("\nai:\n").expect("the example policy has an ai section");
        let end = policy[start + 1..].find("\nlimits:").map(|i| start + 1 + i).expect("then limits");
        let without =
            format!("{}\nai:\n  disclosure: off\n  labels: {{ enabled: false }}{}", &policy[..start], &policy[end..]);
        s.contents.insert(key, without);
    });
    let gh = client(&fake);
    let repo = RepoName::parse("acme/shop").expect("repo");
    let gated = remote::gate(&gh, &repo, 42, None).await.expect("gates");
    assert!(gated.facts.provenance.is_none());
    assert!(provenance_requests(&fake).is_empty(), "{:?}", provenance_requests(&fake));
}
