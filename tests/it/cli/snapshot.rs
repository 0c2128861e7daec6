//! `flowgate check --snapshot`: the bundled examples and the JSON contract, every output format,
//! real GitHub webhook payloads, the audited override, fail-closed gating, and bad input (exit 2).

use crate::support::common;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{Value, json};
use tempfile::TempDir;

use common::{Run, path_str, root};

/// A `files.json` in GitHub's REST shape with one documentation change.
const README_CHANGE: &str = r#"[{"filename":"README.md","status":"modified","additions":1,"deletions":1,"changes":2}]"#;

const WEBHOOKS: [&str; 4] = [
    "pull_request.opened.payload.json",
    "pull_request.labeled.payload.json",
    "pull_request.opened.with-null-body.json",
    "pull_request_review.submitted.payload.json",
];

fn example(name: &str) -> PathBuf {
    root().join("examples").join(name)
}

fn example_policy() -> PathBuf {
    root().join("examples/flowgate.yml")
}

fn webhook(name: &str) -> PathBuf {
    root().join("tests/fixtures/webhooks").join(name)
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) {
    fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// Runs `flowgate ARGS` in `cwd`.
fn flowgate(cwd: &Path, args: &[&str]) -> Run {
    Run::of(Command::cargo_bin("flowgate").unwrap().current_dir(cwd).env("NO_COLOR", "1").args(args))
}

/// `flowgate check --snapshot DIR --policy POLICY --format FORMAT`.
fn check(snapshot: &Path, policy: &Path, format: &str) -> Run {
    flowgate(root(), &["check", "--snapshot", path_str(snapshot), "--policy", path_str(policy), "--format", format])
}

/// A snapshot directory holding `pull.json` and `files.json` with the given texts.
fn snapshot(pull: &str, files: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    write(&dir.path().join("pull.json"), pull);
    write(&dir.path().join("files.json"), files);
    dir
}

/// A copy of a bundled example, without its `expect.yml`.
fn copy_example(name: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    for file in ["pull.json", "files.json", "commits.json", "reviews.json"] {
        fs::copy(example(name).join(file), dir.path().join(file)).unwrap();
    }
    dir
}

/// The strings of a JSON array, failing when it is not an array of strings.
fn strs<'a>(v: &'a Value, what: &str) -> Vec<&'a str> {
    let items = v.as_array().unwrap_or_else(|| panic!("{what} should be an array, got {v}"));
    items.iter().map(|s| s.as_str().unwrap_or_else(|| panic!("{what} should hold strings, got {s}"))).collect()
}

/// The verdict's file paths, in order.
fn paths(v: &Value) -> Vec<&str> {
    v["files"]
        .as_array()
        .expect("files is an array")
        .iter()
        .map(|f| f["path"].as_str().expect("files[].path is a string"))
        .collect()
}

fn one_of<'a>(v: &'a Value, what: &str, allowed: &[&str]) -> &'a str {
    let s = v.as_str().unwrap_or_else(|| panic!("{what} should be a string, got {v}"));
    assert!(allowed.contains(&s), "{what} is {s:?}, not one of {allowed:?}");
    s
}

/// The fields scripts rely on exist with the right types.
fn assert_contract(v: &Value) {
    const STATES: &[&str] = &["pass", "pending", "fail"];
    const TIERS: &[&str] = &["red", "yellow", "green"];
    one_of(&v["state"], "state", STATES);
    one_of(&v["tier"], "tier", TIERS);
    let files = v["files"].as_array().expect("files is an array");
    assert!(!files.is_empty(), "the examples all change files");
    for f in files {
        assert!(f["path"].is_string(), "files[].path should be a string: {f}");
        one_of(&f["tier"], "files[].tier", TIERS);
        assert!(!strs(&f["reasons"], "files[].reasons").is_empty(), "every file says why it has its tier: {f}");
    }
    one_of(&v["linkage"]["state"], "linkage.state", &["pass", "fail", "exempt"]);
    strs(&v["linkage"]["keys"], "linkage.keys");
    let declared = &v["ai"]["declared"];
    assert!(declared.is_null() || declared.is_string(), "ai.declared should be a string or null, got {declared}");
    strs(&v["ai"]["detected"], "ai.detected");
    strs(&v["ai"]["files"], "ai.files");
    one_of(&v["ai"]["state"], "ai.state", &["pass", "fail"]);
    one_of(&v["review"]["state"], "review.state", &["pass", "pending"]);
    assert!(v["review"]["required"].is_u64(), "review.required should be a count, got {}", v["review"]["required"]);
    strs(&v["review"]["approved_by"], "review.approved_by");
    strs(&v["review"]["missing"], "review.missing");
}

fn gate_example(name: &str) -> (Run, Value) {
    let run = check(&example(name), &example_policy(), "json");
    let v = run.json();
    assert_contract(&v);
    (run, v)
}

#[test]
fn auth_login_example_is_pending_red_with_its_facts() {
    let (run, v) = gate_example("auth-login");
    assert_eq!(run.code, 0, "pending exits 0; stderr:\n{}", run.stderr);
    assert_eq!(v["state"], "pending");
    assert_eq!(v["tier"], "red");
    assert_eq!(strs(&v["linkage"]["keys"], "keys"), ["ABC-123"]);
    assert_eq!(strs(&v["ai"]["detected"], "detected"), ["claude-code"]);
    assert_eq!(strs(&v["review"]["approved_by"], "approved_by"), ["bob"]);
    assert_eq!(v["review"]["required"], 2);
    assert!(!strs(&v["review"]["missing"], "missing").is_empty(), "a pending review says what is missing");
    assert!(
        run.stderr.contains("policy: ") && run.stderr.contains("examples/flowgate.yml"),
        "stderr says which policy was used:\n{}",
        run.stderr
    );
}

#[test]
fn agent_undeclared_example_fails() {
    let (run, v) = gate_example("agent-undeclared");
    assert_eq!(run.code, 1, "fail exits 1; stderr:\n{}", run.stderr);
    assert_eq!(v["state"], "fail");
    assert_eq!(v["ai"]["state"], "fail");
    assert_eq!(strs(&v["ai"]["detected"], "detected"), ["copilot"]);
}

/// Shadow mode (`enforcement: evaluate`): `flowgate check` says so above the report, in every
/// format, and keeps the verdict's exit code (the Action is what never fails in shadow mode).
#[test]
fn in_shadow_mode_check_says_so_and_keeps_the_verdicts_exit_code() {
    let dir = TempDir::new().unwrap();
    let policy = dir.path().join("flowgate.yml");
    write(&policy, &format!("{}\nenforcement: evaluate\n", read(&example_policy())));
    let text = check(&example("agent-undeclared"), &policy, "text");
    assert_eq!(text.code, 1, "the verdict's exit code; stderr:\n{}", text.stderr);
    assert!(
        text.stdout.starts_with("Shadow mode (enforcement: evaluate): this check never blocks a merge. Enforced, it would have failed: no story linked; AI markers found, AI use not declared.\n\n"),
        "{}",
        text.stdout
    );
    let json = check(&example("agent-undeclared"), &policy, "json");
    let v: Value = serde_json::from_str(&json.stdout).expect("still JSON");
    assert_eq!((v["enforcement"].as_str(), v["state"].as_str()), (Some("evaluate"), Some("fail")));
    let summary = check(&example("agent-undeclared"), &policy, "summary");
    assert!(summary.stdout.starts_with("[shadow mode: never blocks] flowgate FAIL"), "{}", summary.stdout);
    let enforced = check(&example("agent-undeclared"), &example_policy(), "json");
    let v: Value = serde_json::from_str(&enforced.stdout).expect("JSON");
    assert_eq!(v.get("enforcement"), None, "absent when the policy enforces");
}

#[test]
fn docs_only_example_passes() {
    let (run, v) = gate_example("docs-only");
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    assert_eq!(v["state"], "pass");
    assert_eq!(v["tier"], "green");
    assert_eq!(v["linkage"]["state"], "exempt");
}

#[test]
fn markdown_shows_the_tier_emoji_and_files_by_tier() {
    let run = check(&example("auth-login"), &example_policy(), "markdown");
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    assert!(run.stdout.contains('🔴'), "the red tier's emoji is missing:\n{}", run.stdout);
    assert!(run.stdout.contains("Files by tier"), "no files-by-tier section:\n{}", run.stdout);
    assert!(run.stdout.contains("`src/auth/login.rs`"), "the red file is not listed:\n{}", run.stdout);
}

#[test]
fn summary_is_one_line() {
    let run = check(&example("auth-login"), &example_policy(), "summary");
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 1, "the summary should be one line:\n{}", run.stdout);
    assert!(run.stdout.starts_with("flowgate PENDING"), "{}", run.stdout);
    assert!(run.stdout.contains("ABC-123"), "{}", run.stdout);
}

#[test]
fn text_has_colour_only_when_asked() {
    let text = |color: &str| {
        let s = example("auth-login");
        flowgate(
            root(),
            &[
                "check",
                "--snapshot",
                path_str(&s),
                "--policy",
                path_str(&example_policy()),
                "--format",
                "text",
                "--color",
                color,
            ],
        )
    };
    let plain = text("never");
    assert_eq!(plain.code, 0, "stderr:\n{}", plain.stderr);
    assert!(!plain.stdout.contains('\x1b'), "--color never printed an ANSI escape:\n{:?}", plain.stdout);
    assert!(plain.stdout.contains("src/auth/login.rs"), "{}", plain.stdout);
    assert!(text("always").stdout.contains("\x1b["), "--color always should colour the output");
}

#[test]
fn real_webhook_payloads_gate() {
    for name in WEBHOOKS {
        let dir = snapshot(&read(&webhook(name)), README_CHANGE);
        let run = check(dir.path(), &root().join("policies/default.yml"), "json");
        run.assert_gated();
        let v = run.json();
        assert_eq!(v["pr"]["repo"], "Codertocat/Hello-World", "{name}");
        assert_eq!(v["pr"]["number"], 2, "{name}");
        assert_eq!(v["pr"]["author"], "Codertocat", "{name}");
        assert_eq!(v["pr"]["branch"], "changes", "{name}");
        assert_eq!(paths(&v), ["README.md"], "{name}");
        assert_eq!(v["tier"], "green", "{name}: README.md is green under the default policy");
    }
}

#[test]
fn null_body_payload_is_an_empty_description() {
    let opened = snapshot(&read(&webhook("pull_request.opened.payload.json")), README_CHANGE);
    let null_body = snapshot(&read(&webhook("pull_request.opened.with-null-body.json")), README_CHANGE);
    let policy = root().join("policies/default.yml");
    let (a, b) = (check(opened.path(), &policy, "json"), check(null_body.path(), &policy, "json"));
    b.assert_gated();
    let (a, b) = (a.json(), b.json());
    assert_eq!(b["pr"]["title"], "Update the README with new information.");
    assert_eq!(a["state"], b["state"], "neither body says anything flowgate reads");
    assert_eq!(a["ai"], b["ai"]);
}

/// The `labeled` payload names who applied the label in `sender`.
fn gate_labeled_with_override_allowed(allowed: &str) -> (Run, Value) {
    let dir = snapshot(&read(&webhook("pull_request.labeled.payload.json")), README_CHANGE);
    let policy = dir.path().join("policy.yml");
    write(&policy, &format!("extends: default\noverride: {{ label: \"bug\", allowed: [\"{allowed}\"] }}\n"));
    let run = check(dir.path(), &policy, "json");
    run.assert_gated();
    let v = run.json();
    (run, v)
}

#[test]
fn override_label_from_a_labeled_webhook_counts_its_sender() {
    let (run, v) = gate_labeled_with_override_allowed("Codertocat");
    assert_eq!(v["override"]["label"], "bug");
    assert_eq!(v["override"]["applied_by"], "Codertocat");
    assert_eq!(v["override"]["accepted"], true);
    assert_eq!(v["overridden"], true);
    assert_eq!(v["state"], "pass");
    assert_eq!(run.code, 0);
}

#[test]
fn override_label_from_someone_not_allowed_is_ignored() {
    let (run, v) = gate_labeled_with_override_allowed("someone-else");
    assert_eq!(v["override"]["applied_by"], "Codertocat");
    assert_eq!(v["override"]["accepted"], false);
    assert_eq!(v["overridden"], false);
    assert_eq!(v["state"], "fail", "without the override the default policy fails this PR (no AI declaration)");
    assert_eq!(run.code, 1);
}

#[test]
fn override_label_without_a_known_applier_is_ignored() {
    // An `opened` payload carries the label but not who applied it, and there is no events.json.
    let dir = snapshot(&read(&webhook("pull_request.opened.payload.json")), README_CHANGE);
    let policy = dir.path().join("policy.yml");
    write(&policy, "extends: default\noverride: { label: \"bug\", allowed: [\"Codertocat\"] }\n");
    let v = check(dir.path(), &policy, "json").json();
    assert_eq!(v["override"]["applied_by"], Value::Null);
    assert_eq!(v["override"]["accepted"], false);
    assert_ne!(v["state"], "pass");
}

#[test]
fn a_snapshot_without_commits_is_never_a_pass() {
    // docs-only passes with its commits; without them flowgate cannot rule out committer approvals.
    let dir = copy_example("docs-only");
    fs::remove_file(dir.path().join("commits.json")).unwrap();
    let run = check(dir.path(), &example_policy(), "json");
    assert_eq!(run.code, 0, "pending exits 0; stderr:\n{}", run.stderr);
    let v = run.json();
    assert_eq!(v["state"], "pending");
    let gaps = strs(&v["gaps"], "gaps");
    assert!(gaps.iter().any(|g| g.contains("commit")), "the gaps should mention the missing commits: {gaps:?}");
}

/// docs-only's pull request grown to 3,500 changed files of which GitHub listed 3,000, carrying
/// `labels`, with `events` as its issue events when given.
fn too_big_pr(labels: &[&str], events: Option<Value>) -> TempDir {
    let mut pull: Value = serde_json::from_str(&read(&example("docs-only").join("pull.json"))).unwrap();
    pull["pull_request"]["changed_files"] = json!(3500);
    pull["pull_request"]["labels"] = labels.iter().map(|l| json!({ "name": l })).collect();
    let files: Vec<Value> =
        (0..3000).map(|i| json!({ "filename": format!("docs/page-{i}.md"), "status": "modified", "additions": 1, "deletions": 0, "changes": 1 })).collect();
    let dir = snapshot(&pull.to_string(), &Value::from(files).to_string());
    for file in ["commits.json", "reviews.json"] {
        fs::copy(example("docs-only").join(file), dir.path().join(file)).unwrap();
    }
    if let Some(events) = events {
        write(&dir.path().join("events.json"), &events.to_string());
    }
    dir
}

#[test]
fn more_files_than_github_lists_fails_red() {
    let dir = too_big_pr(&[], None);
    let run = check(dir.path(), &example_policy(), "json");
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    let v = run.json();
    assert_eq!(v["state"], "fail");
    assert_eq!(v["tier"], "red", "green files, but a PR too big to see whole is red");
    let limits = strs(&v["limits"], "limits");
    assert!(limits.iter().any(|l| l.contains("3500")), "the limits should name the 3500 files: {limits:?}");
}

/// The example policy (copied beside the snapshot, extended by a relative path) with the
/// override team's members listed.
fn policy_with_leads(dir: &Path) -> PathBuf {
    fs::copy(example_policy(), dir.join("base.yml")).unwrap();
    let policy = dir.join("policy.yml");
    write(&policy, "extends: base.yml\nteams:\n  \"@acme/leads\": [lead1]\n");
    policy
}

fn labeled_by(login: &str) -> Value {
    json!([{ "event": "labeled", "actor": { "login": login }, "label": { "name": "flowgate:override" } }])
}

#[test]
fn override_by_an_allowed_lead_passes_a_too_big_pr() {
    let dir = too_big_pr(&["flowgate:override"], Some(labeled_by("lead1")));
    let run = check(dir.path(), &policy_with_leads(dir.path()), "json");
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    let v = run.json();
    assert_eq!(v["state"], "pass");
    assert_eq!(v["overridden"], true);
    assert_eq!(v["override"]["applied_by"], "lead1");
    assert_eq!(v["tier"], "red", "the override changes the state, not the tier");
}

#[test]
fn override_by_someone_else_leaves_a_too_big_pr_failing() {
    let dir = too_big_pr(&["flowgate:override"], Some(labeled_by("mallory")));
    let run = check(dir.path(), &policy_with_leads(dir.path()), "json");
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    let v = run.json();
    assert_eq!(v["state"], "fail");
    assert_eq!(v["overridden"], false);
    assert_eq!(v["override"]["accepted"], false);
}

#[test]
fn paginated_files_list_is_read_whole() {
    // Saved paginated output: two arrays one after the other.
    let files = r#"[{"filename":"src/auth/a.rs","status":"added","additions":3,"deletions":0}]
[{"filename":"docs/b.md","status":"modified","additions":1,"deletions":1}]"#;
    let dir = snapshot(&read(&example("docs-only").join("pull.json")), files);
    let v = check(dir.path(), &example_policy(), "json").json();
    assert_eq!(paths(&v), ["src/auth/a.rs", "docs/b.md"]);
    assert_eq!(v["tier"], "red");
}

#[test]
fn a_missing_snapshot_directory_is_bad_input() {
    let dir = TempDir::new().unwrap();
    let missing = dir.path().join("no-such-snapshot");
    check(&missing, &example_policy(), "json").assert_bad_input("no-such-snapshot");
}

#[test]
fn a_missing_files_list_is_bad_input() {
    let dir = copy_example("auth-login");
    fs::remove_file(dir.path().join("files.json")).unwrap();
    let run = check(dir.path(), &example_policy(), "json");
    run.assert_bad_input("files.json");
    assert!(run.stderr.contains("missing"), "{}", run.stderr);
}

#[test]
fn a_truncated_files_list_is_bad_input() {
    let dir = copy_example("auth-login");
    let full = read(&example("auth-login").join("files.json"));
    write(&dir.path().join("files.json"), &full[..full.len() / 2]);
    let run = check(dir.path(), &example_policy(), "json");
    run.assert_bad_input("files.json");
    assert!(run.stderr.contains("truncated"), "a cut-off file should be called truncated:\n{}", run.stderr);
}

#[test]

fn an_empty_files_list_is_bad_input() {
    // A download cut off before its first byte is no GitHub response; `[]` would be.
    let dir = copy_example("auth-login");
    write(&dir.path().join("files.json"), "");
    check(dir.path(), &example_policy(), "json").assert_bad_input("files.json");
}

#[test]
fn invalid_json_is_bad_input() {
    for (file, text) in [("files.json", "{not json"), ("pull.json", "garbage"), ("commits.json", "[{\"sha\": 12")] {
        let dir = copy_example("auth-login");
        write(&dir.path().join(file), text);
        check(dir.path(), &example_policy(), "json").assert_bad_input(file);
    }
}

#[test]
fn json_that_is_not_a_pull_request_is_bad_input() {
    let dir = copy_example("auth-login");
    write(&dir.path().join("pull.json"), r#"{"hello":1}"#);
    check(dir.path(), &example_policy(), "json").assert_bad_input("pull.json");
}

#[test]
fn a_26_mb_files_list_is_judged_against_the_limits() {
    let dir = copy_example("docs-only");
    let mut files = String::from("[");
    let mut i = 0;
    while files.len() < 26 * 1024 * 1024 {
        if i > 0 {
            files.push(',');
        }
        files.push_str(&format!(
            r#"{{"sha":"{sha}","filename":"src/generated/module_{i:06}/mod.rs","status":"modified","additions":1,"deletions":1,"changes":2,"blob_url":"https://github.com/acme/shop/blob/{sha}/src/generated/module_{i:06}/mod.rs","patch":"@@ -1 +1 @@\n-old\n+new"}}"#,
            sha = "f".repeat(40)
        ));
        i += 1;
    }
    files.push(']');
    write(&dir.path().join("files.json"), &files);
    // Run where there is no .github/flowgate.yml: the bundled default policy (max_files 3000) applies.
    let run = flowgate(dir.path(), &["check", "--snapshot", path_str(dir.path()), "--format", "json"]);
    run.assert_gated();
    assert!(run.stderr.contains("bundled default"), "{}", run.stderr);
    assert_eq!(run.code, 1);
    let v = run.json();
    assert_eq!(paths(&v).len(), i, "every listed file is judged");
    assert_eq!(v["state"], "fail");
    assert_eq!(v["tier"], "red");
    let limits = strs(&v["limits"], "limits");
    assert!(limits.iter().any(|l| l.contains(&format!("{i} changed files is over the limit of 3000"))), "{limits:?}");
}

/// With a `reviewers:` section, `check` shows whom flowgate would request and why, requesting
/// nobody: the CODEOWNERS owner of the changed auth code, never the author (carol, in this example).
#[test]
fn check_shows_who_would_be_requested_and_why() {
    let dir = TempDir::new().unwrap();
    for name in ["pull.json", "files.json", "commits.json", "reviews.json"] {
        fs::copy(example("auth-login").join(name), dir.path().join(name)).unwrap();
    }
    write(&dir.path().join("CODEOWNERS"), "* @lead\n/src/auth/ @dave\n");
    let policy = dir.path().join("flowgate.yml");
    write(
        &policy,
        &format!(
            "{}\nreviewers:\n  pools:\n    seniors: {{ members: [erin, carol, dave], capacity: 3 }}\n  tiers:\n    \
             red: {{ request: 1, from: [seniors] }}\n",
            read(&example_policy())
        ),
    );
    let run = check(dir.path(), &policy, "json");
    let v: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr));
    let requested = &v["reviewers"]["requested"];
    assert_eq!(requested.as_array().map(Vec::len), Some(1), "{v:#}");
    assert_eq!(requested[0]["login"], "dave", "the owner of the changed auth code");
    let reason = requested[0]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("CODEOWNERS"), "{reason}");
    let skipped = v["reviewers"]["skipped"].to_string();
    assert!(skipped.contains("carol: the PR author"), "the author is passed over, with the reason: {skipped}");

    let text = check(dir.path(), &policy, "text");
    assert!(text.stdout.contains("Reviewers") && text.stdout.contains("requesting dave"), "{}", text.stdout);
}

#[cfg(unix)]
#[test]
fn a_snapshot_file_that_is_a_device_or_a_link_out_is_refused_unread() {
    let dir = snapshot("{}", README_CHANGE);
    fs::remove_file(dir.path().join("pull.json")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("pull.json")).unwrap();
    let run = check(dir.path(), &example_policy(), "json");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("pull.json") && run.stderr.contains("symbolic link"), "{}", run.stderr);

    let outside = TempDir::new().unwrap();
    write(&outside.path().join("files.json"), "ghp_s3cretTokenValue");
    let dir = snapshot(&read(&example("docs-only").join("pull.json")), README_CHANGE);
    fs::remove_file(dir.path().join("files.json")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("files.json"), dir.path().join("files.json")).unwrap();
    let run = check(dir.path(), &example_policy(), "json");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!run.stderr.contains("s3cret") && !run.stdout.contains("s3cret"), "{}", run.stderr);
}

/// A saved PR judges alice's approval on the older commit `ccccccc` from the comparison saved
/// beside it, as the live PR would: without one it does not carry and says so; with one whose
/// patch of `src/auth/login.rs` differs it does not carry and names the file; with the same patch
/// and tree it carries, saying only messages changed.
#[test]
fn a_saved_pr_judges_an_approval_on_an_older_commit_from_its_saved_comparison() {
    let dir = copy_example("auth-login");
    let policy = dir.path().join("policy.yml");
    write(&policy, &read(&example_policy()).replace("dismiss_stale: true", "stale: diff"));
    write(&dir.path().join("events.json"), "[]");
    let approved = "c".repeat(40);
    let text = |run: &Run| run.stdout.clone();

    let unsaved = check(dir.path(), &policy, "text");
    assert!(
        text(&unsaved).contains("alice's approval on ccccccc no longer counts: flowgate could not compare it with the head: the source holds no comparison for it"),
        "{}",
        unsaved.stdout
    );

    let tree = "7".repeat(40);
    let mut commits: Value = serde_json::from_str(&read(&dir.path().join("commits.json"))).unwrap();
    for c in commits.as_array_mut().unwrap() {
        c["commit"]["tree"] = serde_json::json!({ "sha": tree });
    }
    write(&dir.path().join("commits.json"), &commits.to_string());
    let files: Value = serde_json::from_str(&read(&dir.path().join("files.json"))).unwrap();
    let compare = |files: &Value| {
        serde_json::json!({ "status": "ahead", "total_commits": 1, "commits": [commits[0].clone()], "files": files })
            .to_string()
    };
    fs::create_dir_all(dir.path().join("compare")).unwrap();
    let saved = dir.path().join(format!("compare/f95f852bd8fca8fcc58a9a2d6c842781e32a215e...{approved}.json"));

    let mut changed = files.clone();
    changed[0]["patch"] = Value::from(format!("{}\n+    audit();", changed[0]["patch"].as_str().unwrap()));
    write(&saved, &compare(&changed));
    let reworked = check(dir.path(), &policy, "text");
    assert!(
        text(&reworked).contains("alice's approval on ccccccc no longer counts: src/auth/login.rs changed"),
        "{}",
        reworked.stdout
    );

    write(&saved, &compare(&files));
    let same = check(dir.path(), &policy, "text");
    assert!(
        text(&same).contains("alice's approval on ccccccc still counts: only commit messages changed"),
        "{}",
        same.stdout
    );
}

/// With `codeowners: required`, a CODEOWNERS saved beside the snapshot decides whose approval each
/// file needs; without one the review cannot pass and says why.
#[test]
fn check_judges_code_owners_from_a_codeowners_beside_the_snapshot() {
    let dir = TempDir::new().unwrap();
    for name in ["pull.json", "files.json", "commits.json", "reviews.json"] {
        fs::copy(example("auth-login").join(name), dir.path().join(name)).unwrap();
    }
    write(&dir.path().join("CODEOWNERS"), "/src/auth/ @acme/security\n/docs/ @writer\n");
    let policy = dir.path().join("flowgate.yml");
    let text =
        read(&example_policy()).replacen("dismiss_stale: true }", "dismiss_stale: true, codeowners: required }", 1);
    assert!(text.contains("codeowners: required"), "the example policy changed");
    write(&policy, &text);
    let v = check(dir.path(), &policy, "json").json();
    let owners = &v["review"]["codeowners"];
    let met: Vec<(&str, bool)> = owners["groups"]
        .as_array()
        .map(|g| g.iter().map(|g| (g["pattern"].as_str().unwrap_or_default(), g["met"] == true)).collect())
        .unwrap_or_default();
    assert_eq!(met, [("/src/auth/", true), ("/docs/", false)], "bob is in @acme/security; nobody is writer: {owners}");
    let missing = v["review"]["missing"].to_string();
    assert!(missing.contains("an approval from a code owner of /docs/ (line 2): @writer"), "{missing}");

    fs::remove_file(dir.path().join("CODEOWNERS")).unwrap();
    let v = check(dir.path(), &policy, "json").json();
    assert_eq!(v["review"]["state"], "pending");
    let problem = v["review"]["codeowners"]["problem"].as_str().unwrap_or_default();
    assert!(problem.contains("the base branch has no CODEOWNERS"), "{problem}");
}
