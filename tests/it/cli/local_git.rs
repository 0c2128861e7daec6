//! `flowgate check` in local git mode, on real temporary repositories: tiers with renames, story
//! keys, AI markers, the policy read from the base branch, bad bases, and --title/--body/--label.

use crate::support::common;

use std::fs;

use serde_json::Value;

use common::Run;

const CLAUDE_TRAILER: &str = "Co-Authored-By: Claude <noreply@anthropic.com>";

/// A policy with red auth code, Jira keys of `project` only, and AI disclosure required.
fn policy(project: &str, red_paths: &str) -> String {
    format!(
        "version: 1
tiers:
  red:
    paths: [{red_paths}]
    review: {{ approvals: 2 }}
  yellow:
    default: true
    review: {{ approvals: 1 }}
linkage:
  required: true
  trackers:
    jira: {{ projects: [{project}] }}
ai:
  disclosure: required
"
    )
}

/// Enough lines for git to see a moved file as a rename.
const OLD_SESSION: &str =
    "pub fn old_session() {\n    let token = issue();\n    store(token);\n    audit(\"issued\");\n}\n";

use common::git_repo::GitRepo;

/// The repository of these tests: a policy and a little auth code, committed on `main`.
struct Repo(GitRepo);

impl std::ops::Deref for Repo {
    type Target = GitRepo;

    fn deref(&self) -> &GitRepo {
        &self.0
    }
}

impl Repo {
    /// A repository whose `main` holds `.github/flowgate.yml` (`policy_text`), src/auth/login.rs
    /// and src/auth/old.rs.
    fn new(policy_text: &str) -> Repo {
        let repo = Repo(GitRepo::init());
        repo.write(".github/flowgate.yml", policy_text);
        repo.write("src/auth/login.rs", "fn login() {}\n");
        repo.write("src/auth/old.rs", OLD_SESSION);
        repo.commit(&["Initial import"]);
        repo
    }

    /// Commits everything; each of `message` is one paragraph.
    fn commit(&self, message: &[&str]) {
        self.git(&["add", "-A"]);
        let mut args = vec!["commit", "-q"];
        for paragraph in message {
            args.extend(["-m", paragraph]);
        }
        self.git(&args);
    }

    /// `flowgate check --format json ARGS`, which must reach a verdict.
    fn verdict(&self, args: &[&str]) -> (Run, Value) {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        let run = self.flowgate(&all);
        let v = run.json();
        let expected_code = if v["state"] == "fail" { 1 } else { 0 };
        assert_eq!(run.code, expected_code, "exit code does not match state {}; stderr:\n{}", v["state"], run.stderr);
        (run, v)
    }
}

/// `feature/ABC-123-login`: a Claude-co-authored change to src/auth/login.rs, then a commit
/// moving src/auth/old.rs to src/session/old.rs.
fn feature_branch(policy_text: &str) -> Repo {
    let repo = Repo::new(policy_text);
    repo.git(&["checkout", "-q", "-b", "feature/ABC-123-login"]);
    repo.write("src/auth/login.rs", "fn login() { rate_limit(); }\n");
    repo.commit(&["Rate-limit failed logins", CLAUDE_TRAILER]);
    fs::create_dir_all(repo.dir().join("src/session")).unwrap();
    repo.git(&["mv", "src/auth/old.rs", "src/session/old.rs"]);
    repo.commit(&["Move the old session code"]);
    repo
}

fn strs<'a>(v: &'a Value, what: &str) -> Vec<&'a str> {
    let items = v.as_array().unwrap_or_else(|| panic!("{what} should be an array, got {v}"));
    items.iter().map(|s| s.as_str().unwrap_or_else(|| panic!("{what} should hold strings, got {s}"))).collect()
}

fn file<'a>(v: &'a Value, path: &str) -> &'a Value {
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("{path} is not among the files: {}", v["files"]))
}

#[test]
fn ai_assisted_auth_branch_with_a_rename_is_red() {
    let repo = feature_branch(&policy("ABC", "\"src/auth/**\""));
    let (run, v) = repo.verdict(&["--author", "carol"]);
    assert_eq!(v["tier"], "red");
    assert_ne!(v["state"], "pass", "two red approvals are missing");
    assert_eq!(v["pr"]["author"], "carol");
    assert_eq!(v["pr"]["branch"], "feature/ABC-123-login");
    assert_eq!(v["pr"]["title"], "Rate-limit failed logins", "the default title is the first commit's subject");

    let moved = file(&v, "src/session/old.rs");
    assert_eq!(moved["tier"], "red", "moving a file out of src/auth is as red as changing it there");
    assert_eq!(moved["previous_path"], "src/auth/old.rs");
    let reasons = strs(&moved["reasons"], "reasons");
    assert!(reasons.iter().any(|r| r.contains("old path")), "the reason should say the old path matched: {reasons:?}");
    assert_eq!(file(&v, "src/auth/login.rs")["tier"], "red");

    assert_eq!(strs(&v["linkage"]["keys"], "keys"), ["ABC-123"]);
    assert_eq!(strs(&v["ai"]["detected"], "detected"), ["claude-code"]);
    let ai_files = strs(&v["ai"]["files"], "ai.files");
    assert!(ai_files.contains(&"src/auth/login.rs"), "{ai_files:?}");
    assert!(!ai_files.contains(&"src/session/old.rs"), "the move had no AI marker: {ai_files:?}");
    assert!(run.stderr.contains(".github/flowgate.yml on main"), "{}", run.stderr);
}

#[test]
fn a_key_from_a_project_the_policy_does_not_list_does_not_link() {
    let repo = feature_branch(&policy("XYZ", "\"src/auth/**\""));
    let (_, v) = repo.verdict(&["--author", "carol"]);
    assert!(strs(&v["linkage"]["keys"], "keys").is_empty(), "ABC is not a listed project: {}", v["linkage"]);
    assert_eq!(v["linkage"]["state"], "fail");
    assert_eq!(v["state"], "fail");
}

#[test]
fn a_branch_cannot_loosen_the_policy_it_is_judged_by() {
    let repo = feature_branch(&policy("ABC", "\"src/auth/**\""));
    repo.write(".github/flowgate.yml", &policy("ABC", "\"nothing/**\""));
    repo.commit(&["Relax the gate"]);

    let (run, v) = repo.verdict(&["--author", "carol"]);
    assert_eq!(v["tier"], "red", "main's policy makes src/auth red, whatever the branch says");
    assert!(
        run.stderr.contains("policy: .github/flowgate.yml on main"),
        "stderr should say the policy came from main:\n{}",
        run.stderr
    );

    // Naming the working-tree file explicitly is the documented way to try a policy change.
    let (_, tried) = repo.verdict(&["--author", "carol", "--policy", ".github/flowgate.yml"]);
    assert_eq!(tried["tier"], "yellow", "the branch's own policy has no red paths");
}

#[test]

fn a_branch_cannot_loosen_a_file_the_policy_extends() {
    let repo = Repo::new("extends: team.yml\n");
    repo.write(".github/team.yml", &policy("ABC", "\"src/auth/**\""));
    repo.commit(&["Split the policy"]);
    repo.git(&["checkout", "-q", "-b", "feature/ABC-123-login"]);
    repo.write("src/auth/login.rs", "fn login() { rate_limit(); }\n");
    repo.write(".github/team.yml", &policy("ABC", "\"nothing/**\""));
    repo.commit(&["Rate-limit failed logins, and relax the gate"]);

    let (_, v) = repo.verdict(&["--author", "carol"]);
    assert_eq!(v["tier"], "red", "main's .github/team.yml makes src/auth red");
}

#[test]
fn a_branch_that_breaks_a_file_the_policy_extends_fails_with_the_error_at_head() {
    let repo = Repo::new("extends: team.yml\n");
    repo.write(".github/team.yml", &policy("ABC", "\"src/auth/**\""));
    repo.commit(&["Split the policy"]);
    repo.git(&["checkout", "-q", "-b", "feature/ABC-123-docs"]);
    repo.write(".github/team.yml", &format!("{}reviewrs: {{}}\n", policy("ABC", "\"src/auth/**\"")));
    repo.commit(&["Misspell a key"]);

    let (_, v) = repo.verdict(&["--author", "carol"]);
    let rule = v["rules"].as_array().and_then(|r| r.iter().find(|r| r["rule"] == "Policy")).expect("a policy rule");
    assert_eq!(rule["result"], "fail", "{rule}");
    let lines = policy("ABC", "\"src/auth/**\"").lines().count() + 1;
    let place = format!("HEAD:.github/team.yml:{lines}:1: unknown field `reviewrs`");
    assert!(rule["details"][0].as_str().is_some_and(|d| d.starts_with(&place)), "{rule}");
}

#[test]
fn a_broken_policy_on_main_names_the_revision() {
    let repo = Repo::new("version: 1\ntiers: [red]\n");
    repo.git(&["checkout", "-q", "-b", "feature/ABC-1"]);
    repo.write("src/auth/login.rs", "fn login() { rate_limit(); }\n");
    repo.commit(&["Change login"]);
    let run = repo.flowgate(&["check"]);
    assert_eq!(run.code, 2, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("main:.github/flowgate.yml:2:"),
        "the error should name the file on main and its line:\n{}",
        run.stderr
    );
}

#[test]
fn an_unknown_base_is_named() {
    let repo = feature_branch(&policy("ABC", "\"src/auth/**\""));
    let run = repo.flowgate(&["check", "--base", "no-such-branch"]);
    assert_eq!(run.code, 2, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("no-such-branch"), "the error should name the base:\n{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn outside_a_repository_it_asks_for_a_snapshot() {
    let repo = Repo::new(&policy("ABC", "\"src/auth/**\""));
    let outside = repo.home().join("not-a-repo");
    fs::create_dir(&outside).unwrap();
    let run = repo.flowgate_in(&outside, &["check"]);
    assert_eq!(run.code, 2, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("not inside a git repository"), "{}", run.stderr);
    assert!(run.stderr.contains("--snapshot"), "the error should point to --snapshot:\n{}", run.stderr);
}

/// A branch without a key or an AI marker anywhere.
fn plain_branch() -> Repo {
    let repo = Repo::new(&policy("ABC", "\"src/auth/**\""));
    repo.git(&["checkout", "-q", "-b", "login-tweaks"]);
    repo.write("src/auth/login.rs", "fn login() { log(); }\n");
    repo.commit(&["Log logins"]);
    repo
}

#[test]
fn without_title_body_or_label_nothing_links_or_declares() {
    let (_, v) = plain_branch().verdict(&["--author", "carol"]);
    assert_eq!(v["linkage"]["state"], "fail");
    assert_eq!(v["ai"]["declared"], Value::Null);
    assert_eq!(v["ai"]["state"], "fail", "this policy requires disclosure");
    assert_eq!(v["state"], "fail");
}

#[test]
fn title_body_and_label_are_honoured() {
    let repo = plain_branch();
    let (_, v) = repo.verdict(&["--author", "carol", "--title", "ABC-7: log logins", "--label", "ai:assisted"]);
    assert_eq!(v["pr"]["title"], "ABC-7: log logins");
    assert_eq!(strs(&v["linkage"]["keys"], "keys"), ["ABC-7"]);
    assert_eq!(v["linkage"]["refs"][0]["source"], "title");
    assert_eq!(v["ai"]["declared"], "assisted");
    assert_eq!(v["ai"]["state"], "pass");
    assert_eq!(v["state"], "pending", "only the two red approvals are missing");

    let (_, v) = repo.verdict(&["--author", "carol", "--body", "Part of ABC-8.", "--label", "ai:none"]);
    assert_eq!(strs(&v["linkage"]["keys"], "keys"), ["ABC-8"]);
    assert_eq!(v["linkage"]["refs"][0]["source"], "body");
    assert_eq!(v["ai"]["declared"], "none");
}

#[test]
fn a_body_or_title_starting_with_a_dash_is_a_value_not_an_option() {
    let repo = plain_branch();
    let body = "- [x] No AI was used\n- [ ] AI-assisted\n\nPart of ABC-9.";
    let (_, v) = repo.verdict(&["--author", "carol", "--body", body, "--title", "-fix: log logins"]);
    assert_eq!(v["pr"]["title"], "-fix: log logins");
    assert_eq!(v["ai"]["declared"], "none", "the ticked box is read");
    assert_eq!(strs(&v["linkage"]["keys"], "keys"), ["ABC-9"]);
}

#[test]
fn the_author_defaults_to_the_login_in_a_github_noreply_email() {
    let repo = plain_branch();
    repo.git(&["config", "user.email", "1234+carol-gh@users.noreply.github.com"]);
    let (_, v) = repo.verdict(&[]);
    assert_eq!(v["pr"]["author"], "carol-gh");
}

/// A branch with no commit of its own yet: a comment edited in src/auth/login.rs (not staged),
/// src/cart.rs added and staged, and notes.txt that git does not track.
fn work_in_progress() -> Repo {
    let repo = Repo::new(&policy("ABC", "\"src/auth/**\""));
    repo.git(&["checkout", "-q", "-b", "wip"]);
    repo.write("src/auth/login.rs", "// Logs in.\nfn login() {}\n");
    repo.write("src/cart.rs", "fn total() -> u32 { 0 }\n");
    repo.git(&["add", "src/cart.rs"]);
    repo.write("notes.txt", "not tracked\n");
    repo
}

fn paths(v: &Value) -> Vec<&str> {
    v["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect()
}

#[test]
fn uncommitted_changes_are_named_and_left_out_unless_asked_for() {
    let repo = work_in_progress();
    let (run, v) = repo.verdict(&["--author", "carol"]);
    assert!(paths(&v).is_empty(), "only commits are gated by default: {:?}", paths(&v));
    assert!(
        run.stderr.contains(
            "flowgate: 2 files have uncommitted changes that this check does not include; commit them, or run with --include-uncommitted"
        ),
        "{}",
        run.stderr
    );

    let (run, v) = repo.verdict(&["--author", "carol", "--include-uncommitted"]);
    assert_eq!(paths(&v), ["src/auth/login.rs", "src/cart.rs"], "staged and unstaged, not untracked");
    // Both are read from the working tree: a comment added, a function written.
    assert_eq!(file(&v, "src/auth/login.rs")["change"], "comments");
    assert_eq!(file(&v, "src/auth/login.rs")["tier"], "red");
    assert_eq!(strs(&file(&v, "src/cart.rs")["symbols"], "symbols"), ["cart::total"]);
    assert_eq!(v["tier"], "red");
    assert!(!run.stderr.contains("does not include"), "{}", run.stderr);
    assert!(run.stderr.contains("2 files with uncommitted changes are included"), "{}", run.stderr);

    // Once committed, there is nothing to say.
    fs::remove_file(repo.dir().join("notes.txt")).unwrap();
    repo.commit(&["Work in progress"]);
    let (run, v) = repo.verdict(&["--author", "carol"]);
    assert_eq!(paths(&v), ["src/auth/login.rs", "src/cart.rs"]);
    assert!(!run.stderr.contains("uncommitted"), "{}", run.stderr);
}

#[test]
fn a_shallow_clone_without_the_merge_base_says_so_and_how_to_fetch_it() {
    let repo = feature_branch(&policy("ABC", "\"src/auth/**\""));
    repo.git(&["checkout", "-q", "main"]);
    repo.write("README.md", "# shop\n");
    repo.commit(&["Add a readme"]);
    let clone = repo.home().join("shallow");
    let url = format!("file://{}", repo.dir().display());
    repo.git(&["clone", "-q", "--depth", "1", "--no-single-branch", &url, clone.to_str().unwrap()]);
    repo.git(&["-C", clone.to_str().unwrap(), "checkout", "-q", "feature/ABC-123-login"]);

    let run = repo.flowgate_in(&clone, &["check"]);
    assert_eq!(run.code, 2, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("the merge base of HEAD and origin/main is not in this shallow clone"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("git fetch --unshallow") && run.stderr.contains("git fetch --deepen=N"),
        "{}",
        run.stderr
    );

    repo.git(&["-C", clone.to_str().unwrap(), "fetch", "-q", "--unshallow"]);
    let run = repo.flowgate_in(&clone, &["check", "--format", "json", "--author", "carol"]);
    assert!(run.code <= 1, "the check runs once the history is there: {}", run.stderr);
    assert_eq!(run.json()["pr"]["branch"], "feature/ABC-123-login");
}

#[test]
fn an_issue_is_one_key_when_origin_is_a_clone_of_the_github_repository() {
    let github = policy("ABC", "\"src/auth/**\"").replace("  trackers:\n", "  trackers:\n    github: {}\n");
    let upstream = Repo::new(&github);
    upstream.git(&["remote", "add", "origin", "https://github.com/acme/shop.git"]);
    upstream.git(&["checkout", "-q", "-b", "login-fix"]);
    upstream.write("src/auth/login.rs", "fn login() { check(); }\n");
    upstream.commit(&["Check the password (#2664)"]);
    // A clone of that clone: its origin is a path on this machine, not a GitHub URL.
    let clone = upstream.home().join("clone");
    upstream.git(&["clone", "-q", upstream.dir().to_str().unwrap(), clone.to_str().unwrap()]);
    let body = "Closes https://github.com/acme/shop/issues/2664";
    let run = upstream.flowgate_in(&clone, &["check", "--format", "json", "--author", "carol", "--body", body]);
    let v = run.json();
    assert_eq!(strs(&v["linkage"]["keys"], "keys"), ["acme/shop#2664"], "one issue, one key: {}", run.stderr);
}

/// With `codeowners: required`, CODEOWNERS is read from the base branch (a branch cannot name its
/// own owners), and a rename's old path needs its owners as well.
#[test]
fn code_owners_come_from_the_base_branch_and_own_a_renames_old_path() {
    let text = policy("ABC", "\"src/auth/**\"").replace("approvals: 2 }", "approvals: 2, codeowners: required }");
    let repo = Repo::new(&text);
    repo.write("CODEOWNERS", "/src/auth/ @alice\n");
    repo.commit(&["Name the owners"]);
    let repo = {
        repo.git(&["checkout", "-q", "-b", "feature/ABC-123-login"]);
        repo.write("src/auth/login.rs", "fn login() { rate_limit(); }\n");
        repo.write("CODEOWNERS", "/src/auth/ @carol\n");
        fs::create_dir_all(repo.dir().join("src/session")).unwrap();
        repo.git(&["mv", "src/auth/old.rs", "src/session/old.rs"]);
        repo.commit(&["Rate-limit failed logins and move the old session code"]);
        repo
    };
    let (_, v) = repo.verdict(&["--author", "carol"]);
    let owners = &v["review"]["codeowners"];
    assert_eq!(owners["path"], "CODEOWNERS");
    assert_eq!(owners["met"], false);
    assert_eq!(owners["groups"].as_array().map(Vec::len), Some(1), "{owners}");
    assert_eq!(owners["groups"][0]["owners"], serde_json::json!(["@alice"]), "main's owners, not the branch's");
    let files = strs(&owners["groups"][0]["files"], "files");
    assert!(files.contains(&"src/auth/login.rs") && files.contains(&"src/auth/old.rs"), "{files:?}");
    assert!(strs(&owners["unowned"], "unowned").contains(&"CODEOWNERS"), "{owners}");
}
