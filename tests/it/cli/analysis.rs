//! Code-aware gating through the CLI: relaxed and raised tiers on the bundled examples, the
//! per-file JSON (change, symbols, findings, effort), policy queries checked at load, fail-closed
//! analysis gaps, and local git mode reading both versions from git.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn code_aware(name: &str) -> PathBuf {
    root().join("examples/code-aware").join(name)
}

fn run(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let out =
        Command::cargo_bin("flowgate").expect("binary builds").args(args).current_dir(cwd).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "flowgate panicked:\n{stderr}");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

fn check_json(snapshot: &Path, policy: &Path) -> Value {
    let (code, stdout, stderr) = run(
        &[
            "check",
            "--snapshot",
            &snapshot.to_string_lossy(),
            "--policy",
            &policy.to_string_lossy(),
            "--format",
            "json",
        ],
        root(),
    );
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

fn file<'a>(v: &'a Value, path: &str) -> &'a Value {
    v["files"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["path"] == path))
        .unwrap_or_else(|| panic!("{path} missing: {v}"))
}

#[test]
fn the_code_aware_examples_pass_their_policy_tests() {
    let policy = code_aware("flowgate.yml");
    let (code, stdout, stderr) =
        run(&["policy", "test", &code_aware("").to_string_lossy(), "--policy", &policy.to_string_lossy()], root());
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("3 passed, 0 failed"), "{stdout}");
}

#[test]
fn a_comment_only_change_in_a_red_path_is_relaxed_with_contents_and_with_the_patch_alone() {
    let policy = code_aware("flowgate.yml");
    for example in ["comment-in-auth", "comment-in-auth-patch-only"] {
        let v = check_json(&code_aware(example), &policy);
        let f = file(&v, "src/auth/session.rs");
        assert_eq!(f["tier"], "green", "{example}: {f}");
        assert_eq!(f["change"], "comments", "{example}");
        assert!(f["reasons"].to_string().contains("relaxed from red to green"), "{example}: {f}");
        assert_eq!(v["state"], "pass", "{example}");
    }
    // The strict documentation policy does not relax: the same change stays red.
    let v = check_json(&code_aware("comment-in-auth"), &root().join("examples/flowgate.yml"));
    assert_eq!(file(&v, "src/auth/session.rs")["tier"], "red");
}

#[test]
fn a_subprocess_call_outside_red_paths_raises_the_file_with_a_finding() {
    let v = check_json(&code_aware("shell-in-scripts"), &code_aware("flowgate.yml"));
    let f = file(&v, "scripts/deploy.py");
    assert_eq!(f["tier"], "red");
    assert_eq!(f["change"], "code");
    assert_eq!(f["symbols"], serde_json::json!(["restart"]));
    let finding = &f["findings"][0];
    assert_eq!(finding["detector"], "shell-exec");
    assert_eq!(finding["line"], 12);
    assert!(finding["symbol"].as_str().is_some_and(|s| s.contains("subprocess")), "{finding}");
    assert_eq!(v["state"], "pending", "red needs two approvals");
    assert!(v["effort_minutes"].as_u64().is_some_and(|m| m >= 1));
}

#[test]
fn symbols_are_qualified_by_module_and_type() {
    let v = check_json(&root().join("examples/auth-login"), &root().join("examples/flowgate.yml"));
    let symbols = file(&v, "src/auth/login.rs")["symbols"].to_string();
    assert!(symbols.contains("auth::login::Login::attempt"), "{symbols}");
    // Markdown has no grammar: path rules only, and the JSON says it was not read.
    assert_eq!(file(&v, "docs/auth.md")["change"], "skipped");
    assert!(file(&v, "docs/auth.md")["skipped_because"].as_str().is_some_and(|s| s.contains("no grammar")));
}

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).expect("mkdir");
    }
    fs::write(path, text).expect("write");
}

const RAISING_POLICY: &str = "version: 1\nextends: default\ntiers:\n  red:\n    code: [shell-exec]\n";

#[test]
fn a_file_that_could_not_be_read_keeps_the_gate_from_passing_when_the_policy_reads_code() {
    let dir = TempDir::new().expect("tempdir");
    let snap = dir.path().join("snap");
    fs::create_dir_all(&snap).expect("mkdir");
    fs::copy(root().join("examples/docs-only/pull.json"), snap.join("pull.json")).expect("copy");
    write(
        &snap.join("reviews.json"),
        &fs::read_to_string(root().join("examples/docs-only/reviews.json")).expect("read"),
    );
    write(
        &snap.join("commits.json"),
        &fs::read_to_string(root().join("examples/docs-only/commits.json")).expect("read"),
    );
    // A Python file with neither contents nor a patch (GitHub omits patches of huge diffs).
    write(
        &snap.join("files.json"),
        r#"[{"filename":"scripts/run.py","status":"modified","additions":900,"deletions":0}]"#,
    );
    let policy = dir.path().join("policy.yml");
    write(&policy, RAISING_POLICY);
    let v = check_json(&snap, &policy);
    assert_eq!(file(&v, "scripts/run.py")["change"], "skipped");
    assert_ne!(v["state"], "pass", "{v}");
    assert!(v["gaps"].to_string().contains("scripts/run.py"), "{}", v["gaps"]);

    // The same PR under a policy that does not read code is not held back by it.
    let v = check_json(&snap, &root().join("policies/default.yml"));
    assert!(!v["gaps"].to_string().contains("scripts/run.py"), "{}", v["gaps"]);
}

#[test]
fn snapshot_contents_never_escape_the_snapshot_directory() {
    let dir = TempDir::new().expect("tempdir");
    let snap = dir.path().join("snap");
    write(&dir.path().join("secret.py"), "import subprocess\nsubprocess.run('x')\n");
    fs::copy(root().join("examples/docs-only/pull.json"), {
        fs::create_dir_all(&snap).expect("mkdir");
        snap.join("pull.json")
    })
    .expect("copy");
    write(&snap.join("files.json"), r#"[{"filename":"../../secret.py","status":"added","additions":2,"deletions":0}]"#);
    write(&snap.join("contents/head/placeholder"), "");
    let policy = dir.path().join("policy.yml");
    write(&policy, RAISING_POLICY);
    let v = check_json(&snap, &policy);
    let f = file(&v, "../../secret.py");
    assert_eq!(f["change"], "skipped", "{f}");
    assert_eq!(f["findings"], serde_json::json!([]));
}

#[cfg(unix)]
#[test]
fn snapshot_contents_never_follow_a_symbolic_link_out_of_the_snapshot() {
    let dir = TempDir::new().expect("tempdir");
    let snap = dir.path().join("snap");
    write(&dir.path().join("secret.py"), "import subprocess\nsubprocess.run('x')\n");
    fs::copy(root().join("examples/docs-only/pull.json"), {
        fs::create_dir_all(snap.join("contents/head/scripts")).expect("mkdir");
        snap.join("pull.json")
    })
    .expect("copy");
    write(&snap.join("files.json"), r#"[{"filename":"scripts/run.py","status":"added","additions":2,"deletions":0}]"#);
    std::os::unix::fs::symlink(dir.path().join("secret.py"), snap.join("contents/head/scripts/run.py")).expect("link");
    let policy = dir.path().join("policy.yml");
    write(&policy, RAISING_POLICY);
    let v = check_json(&snap, &policy);
    let f = file(&v, "scripts/run.py");
    assert_eq!(f["change"], "skipped", "the linked file is not read: {f}");
    assert_eq!(f["findings"], serde_json::json!([]));
}

#[test]
fn policy_queries_and_detectors_are_checked_when_the_policy_is_read() {
    let dir = TempDir::new().expect("tempdir");
    let cases = [
        (
            "version: 1\nextends: default\ntiers:\n  red:\n    code: [shell, eval]\n",
            ":5:",
            "unknown detector \"shell\"",
        ),
        (
            "version: 1\nextends: default\ntiers:\n  red:\n    queries:\n      python: '(call function: (nosuchnode)) @m'\n",
            ":6:",
            "does not fit the python grammar",
        ),
        (
            "version: 1\nextends: default\ntiers:\n  red:\n    queries:\n      cobol: '(x) @m'\n",
            ":6:",
            "unknown language \"cobol\"",
        ),
        (
            "version: 1\nextends: default\ntiers:\n  red:\n    queries:\n      rust: '(unsafe_block)'\n",
            ":6:",
            "captures nothing",
        ),
        (
            "version: 1\nextends: default\ntiers:\n  red:\n    relax: [everything]\n",
            ":5:",
            "`comments`, `formatting`, `imports`, `tests`",
        ),
    ];
    for (i, (text, line, needle)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("p{i}.yml"));
        write(&path, text);
        let (code, _, stderr) = run(&["policy", "validate", &path.to_string_lossy()], root());
        assert_eq!(code, 2, "{text}");
        assert!(stderr.contains(line) && stderr.contains(needle), "{text:?}\nstderr: {stderr}");
    }
    let good = dir.path().join("good.yml");
    write(
        &good,
        "version: 1\nextends: default\ntiers:\n  red:\n    code: [unsafe, shell-exec]\n    queries:\n      python: '(call function: (identifier) @f (#eq? @f \"exec_sql\")) @match'\n",
    );
    let (code, stdout, stderr) = run(&["policy", "validate", &good.to_string_lossy()], root());
    assert_eq!(code, 0, "{stdout}{stderr}");
}

fn git(repo: &Path, args: &[&str]) {
    let status = Process::new("git")
        .args(["-c", "user.name=Carol", "-c", "user.email=carol@acme.example", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", repo)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn local_mode_reads_both_versions_from_git() {
    let dir = TempDir::new().expect("tempdir");
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    write(
        &repo.join(".github/flowgate.yml"),
        "version: 1\nextends: default\ntiers:\n  red:\n    code: [shell-exec]\n    relax: [comments]\nlinkage: { required: false }\nai: { disclosure: off }\n",
    );
    write(
        &repo.join("src/auth/session.rs"),
        "pub fn valid(now: u64, exp: u64) -> bool {\n    // compare\n    now < exp\n}\n",
    );
    write(&repo.join("tools/run.rs"), "pub fn run() {}\n");
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-qm", "init"]);
    git(repo, &["checkout", "-qb", "feature/comments"]);
    write(
        &repo.join("src/auth/session.rs"),
        "pub fn valid(now: u64, exp: u64) -> bool {\n    // a session is valid until its expiry\n    now < exp\n}\n",
    );
    write(&repo.join("tools/run.rs"), "pub fn run() {\n    std::process::Command::new(\"make\").status().ok();\n}\n");
    git(repo, &["commit", "-qam", "Explain expiry; run make"]);
    let (code, stdout, stderr) = run(&["check", "--format", "json", "--author", "carol"], repo);
    assert!(code == 0 || code == 1, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(file(&v, "src/auth/session.rs")["tier"], "green", "{v}");
    let run_rs = file(&v, "tools/run.rs");
    assert_eq!(run_rs["tier"], "red", "{run_rs}");
    assert_eq!(run_rs["findings"][0]["detector"], "shell-exec");
    assert_eq!(run_rs["findings"][0]["line"], 2);
}
