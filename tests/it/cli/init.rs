//! `flowgate init` on real temporary git repositories: the three files written from the layout
//! and the history (keys and look-alikes), existing files kept or appended to, `--force`,
//! `--dry-run`, and the gate run at the end; the written policy passes `flowgate policy validate`.

use crate::support::common;

use std::fs;

use assert_cmd::Command;
use tempfile::TempDir;

use common::Run;

use common::git_repo::GitRepo as Repo;

impl Repo {
    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.dir().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    fn exists(&self, rel: &str) -> bool {
        self.dir().join(rel).exists()
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
    }
}

/// A shop with auth code, migrations, CI, Terraform and a Helm chart, whose history names ABC
/// issues (and look-alikes), with a feature branch checked out.
fn shop() -> Repo {
    let repo = Repo::init();
    repo.write("src/auth/login.rs", "fn login() {}\n");
    repo.write("src/cart.rs", "fn total() {}\n");
    repo.write("db/migrations/001_users.sql", "create table users (id int);\n");
    repo.write(".github/workflows/ci.yml", "name: ci\n");
    repo.write("ops/network/main.tf", "resource \"x\" \"y\" {}\n");
    repo.write("deploy/shop/Chart.yaml", "name: shop\n");
    repo.commit("ABC-101: the first shop");
    repo.commit("Handle UTF-8 names and ISO-8601 dates (ABC-102)");
    repo.commit("Patch CVE-2024-1 and use SHA-256 sums");
    repo.commit("XYZ-9 once");
    // Branches named after versions and dates: not keys.
    for branch in ["upgrade/next-15.5.21", "junit-pioneer-2.3.0", "backup-2024-01-15"] {
        repo.git(&["branch", branch]);
    }
    repo.git(&["checkout", "-q", "-b", "feature/ABC-104-coupons"]);
    repo.write("src/cart.rs", "fn total() { coupons(); }\n");
    repo.commit("ABC-104: coupons");
    repo
}

#[test]
fn init_writes_a_policy_from_the_layout_and_the_history_and_gates_the_branch() {
    let repo = shop();
    let run = repo.flowgate(&["init"]);
    assert_eq!(run.code, 0, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);

    let policy = repo.read(".github/flowgate.yml");
    for line in [
        "extends: default",
        "      - \"**/auth/**\" # found here: src/auth/",
        "      - \"**/migrations/**\" # found here: db/migrations/",
        "      - \".github/workflows/**\" # found here: .github/workflows/",
        "      - \"ops/network/**\" # found here: infrastructure code (Terraform)",
        "      - \"deploy/shop/**\" # found here: infrastructure code (a Helm chart)",
        "    jira: { projects: [ABC] }",
    ] {
        assert!(policy.contains(line), "missing {line:?} in:\n{policy}");
    }
    for look_alike in ["UTF", "ISO", "CVE", "SHA", "XYZ"] {
        assert!(!policy.contains(look_alike), "{look_alike} in:\n{policy}");
    }
    // Found keys are reported with how often they were seen; the one-off is named as unused.
    assert!(
        run.stdout
            .contains("tracker keys: ABC (jira) in 3 commit messages and 1 branch name (ABC-101, ABC-102, ABC-104)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("seen only once, so not used: XYZ-9\n"), "{}", run.stdout);
    assert!(
        run.stdout.contains("found: trackers: Jira (ABC) and GitHub issues (#12) count; keys of other projects do not"),
        "{}",
        run.stdout
    );
    // One line per file: what happened and what it is for.
    for path in [".github/flowgate.yml", ".github/workflows/flowgate.yml", ".github/pull_request_template.md"] {
        assert!(run.stdout.contains(&format!("{path}: written: ")), "{path}:\n{}", run.stdout);
    }
    let workflow = repo.read(".github/workflows/flowgate.yml");
    assert!(workflow.contains("pull_request_target") && workflow.contains("permissions: {}"), "{workflow}");
    assert!(!workflow.contains("actions/checkout"));
    assert!(run.stdout.contains("replace `flowgate/flowgate@<full-commit-sha> # v0.1.0`"), "{}", run.stdout);
    let template = repo.read(".github/pull_request_template.md");
    assert!(template.contains("- [ ] AI-assisted") && template.contains("Story:"), "{template}");

    // The gate ran on the branch with the new policy: linked to ABC-104, AI use not declared.
    assert!(run.stdout.contains("by .github/flowgate.yml as it is now"), "{}", run.stdout);
    assert!(run.stdout.contains("ABC-104"), "{}", run.stdout);
    assert!(run.stdout.contains("flowgate: fail"), "no AI declaration yet: {}", run.stdout);

    let valid = repo.flowgate(&["policy", "validate"]);
    assert_eq!(valid.code, 0, "{}{}", valid.stdout, valid.stderr);
    assert!(valid.stdout.contains(".github/flowgate.yml: valid"), "{}", valid.stdout);
}

#[test]
fn the_written_template_declares_ai_use_once_ticked_and_the_policy_gates_by_it() {
    let repo = shop();
    assert_eq!(repo.flowgate(&["init"]).code, 0);
    let body = repo.read(".github/pull_request_template.md").replace("- [ ] AI-assisted", "- [x] AI-assisted");
    repo.write("body.md", &body);
    let run = repo.flowgate(&[
        "check",
        "--policy",
        ".github/flowgate.yml",
        "--body-file",
        "body.md",
        "--format",
        "json",
        "--author",
        "carol",
    ]);
    let v = run.json();
    assert_eq!(v["ai"]["declared"], "assisted", "{}", run.stdout);
    assert_eq!(v["linkage"]["keys"][0], "ABC-104");
}

#[test]
fn existing_files_are_kept_the_template_is_appended_to_once_and_force_replaces() {
    let repo = shop();
    repo.write(".github/flowgate.yml", "version: 1\nextends: strict\n");
    repo.write(".github/PULL_REQUEST_TEMPLATE.md", "## What changed\n");
    let first = repo.flowgate(&["init"]);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    assert_eq!(repo.read(".github/flowgate.yml"), "version: 1\nextends: strict\n", "never overwritten without --force");
    assert!(first.stdout.contains(".github/flowgate.yml: kept: exists; --force replaces it"), "{}", first.stdout);
    assert!(first.stdout.contains(".github/PULL_REQUEST_TEMPLATE.md: flowgate's section appended"), "{}", first.stdout);
    assert!(!repo.exists(".github/pull_request_template.md"), "no second template beside the one GitHub uses");
    let template = repo.read(".github/PULL_REQUEST_TEMPLATE.md");
    assert!(template.starts_with("## What changed\n\n<!-- flowgate:"), "{template}");

    let second = repo.flowgate(&["init"]);
    assert_eq!(second.code, 0);
    assert_eq!(repo.read(".github/PULL_REQUEST_TEMPLATE.md"), template, "the section is never added twice");
    assert!(second.stdout.contains(".github/workflows/flowgate.yml: kept: already as flowgate init would write it"));

    let forced = repo.flowgate(&["init", "--force", "--pack", "strict"]);
    assert_eq!(forced.code, 0, "{}{}", forced.stdout, forced.stderr);
    assert!(repo.read(".github/flowgate.yml").contains("jira: { projects: [ABC] }"));
    assert!(forced.stdout.contains(".github/flowgate.yml: replaced (--force)"), "{}", forced.stdout);
    assert_eq!(repo.read(".github/PULL_REQUEST_TEMPLATE.md"), template, "an unchanged section stays as it is");
}

#[test]
fn dry_run_prints_the_files_and_writes_nothing() {
    let repo = shop();
    let run = repo.flowgate(&["init", "--dry-run"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("----- .github/flowgate.yml -----\n# flowgate policy"), "{}", run.stdout);
    assert!(run.stdout.contains(".github/workflows/flowgate.yml: would write: "), "{}", run.stdout);
    assert!(run.stdout.contains("Dry run: nothing was written."));
    assert!(run.stdout.contains("as it would be written"), "the gate still runs, by the planned policy");
    for path in [".github/flowgate.yml", ".github/workflows/flowgate.yml", ".github/pull_request_template.md"] {
        assert!(!repo.exists(path), "{path} written by a dry run");
    }
    assert_eq!(repo.git(&["status", "--porcelain"]), "", "the working tree is untouched");
}

#[test]
fn a_repository_without_commits_or_keys_still_gets_a_working_setup() {
    let repo = Repo::init();
    repo.write("README.md", "# new\n");
    let run = repo.flowgate(&["init"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("tracker keys: none recur in the last 0 commit messages"), "{}", run.stdout);
    assert!(run.stdout.contains("The gate could not run here yet:"), "{}", run.stdout);
    // No tracker was found, so only GitHub issues count: an open Jira would take a title's
    // GPT-5 or PKCS-11 for a story.
    let policy = repo.read(".github/flowgate.yml");
    assert!(policy.contains("  trackers:\n") && policy.contains("    github: {}\n"), "{policy}");
    assert!(!policy.lines().any(|l| l.trim_start().starts_with("jira:")), "{policy}");
    assert!(run.stdout.contains("found: trackers: only GitHub issues (#12) count"), "{}", run.stdout);
    let valid = repo.flowgate(&["policy", "validate"]);
    assert_eq!(valid.code, 0);
    assert!(!valid.stderr.contains("warning"), "{}", valid.stderr);
}

#[test]
fn bad_options_and_a_directory_outside_git_are_clear_errors() {
    let repo = shop();
    repo.flowgate(&["init", "--pack", "lenient"]).assert_bad_input("unknown policy pack \"lenient\"");
    repo.flowgate(&["init", "--action", "flowgate/flowgate@v0.1.0"]).assert_bad_input("pin a full commit");
    assert!(!repo.exists(".github/flowgate.yml"), "nothing written on bad input");

    let outside = TempDir::new().expect("tempdir");
    let mut cmd = Command::cargo_bin("flowgate").expect("binary");
    cmd.current_dir(outside.path()).env("GIT_CEILING_DIRECTORIES", outside.path()).arg("init");
    Run::of(&mut cmd).assert_bad_input("not inside a git repository");
}

#[test]
fn a_kept_policy_that_does_not_load_is_reported_and_the_other_files_are_still_written() {
    let repo = shop();
    repo.write(".github/flowgate.yml", "version: 1\ntiers:\n  purple: {}\n");
    let run = repo.flowgate(&["init"]);
    assert_eq!(run.code, 0, "the files are in place: {}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(".github/workflows/flowgate.yml: written"), "{}", run.stdout);
    assert!(run.stdout.contains("by .github/flowgate.yml as it is:"), "{}", run.stdout);
    assert!(run.stdout.contains("The gate could not run here yet:") && run.stdout.contains("purple"), "{}", run.stdout);
    assert_eq!(repo.read(".github/flowgate.yml"), "version: 1\ntiers:\n  purple: {}\n", "kept as it was");
}

/// A Go service laid out as real ones are: security code in files rather than an `auth/`
/// directory, container builds, agent instructions, a firewall script, and look-alikes.
fn go_service() -> Repo {
    let repo = Repo::init();
    for (path, text) in [
        ("internal/route/user/auth.go", "package user\n\nfunc Login() {}\n"),
        ("internal/db/sessions_test.go", "package db\n"),
        ("internal/db/session_store.go", "package db\n\nfunc Save() {}\n"),
        ("internal/lexer/tokenizer.go", "package lexer\n\nfunc Next() {}\n"),
        ("internal/authx/verify.go", "package authx\n"),
        ("web/styles/tokens.css", "a {}\n"),
        ("docker/Dockerfile.rocky", "FROM rockylinux\n"),
        (".claude/commands/review.md", "Review the change.\n"),
        ("AGENTS.md", "Run make test.\n"),
        (".devcontainer/init-firewall.sh", "iptables -P OUTPUT DROP\n"),
        ("authors.md", "Carol\n"),
    ] {
        repo.write(path, text);
    }
    repo.commit("Initial import");
    repo
}

#[test]
fn init_marks_security_files_agent_instructions_and_firewall_scripts_red_and_reads_the_code() {
    let repo = go_service();
    let run = repo.flowgate(&["init"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let policy = repo.read(".github/flowgate.yml");
    for line in [
        "      - \"internal/authx/**\" # found here: authentication",
        "      - \"docker/**\" # found here: container builds",
        "      - \".claude/**\" # found here: AI agent instructions and settings (Claude Code)",
        "      - \"**/auth.go\" # authentication, by its name: internal/route/user/auth.go",
        "      - \"**/session_store.go\" # sessions, by its name: internal/db/session_store.go",
        "      - \"**/AGENTS.md\" # AI agent instructions: AGENTS.md",
        "      - \"**/init-firewall.sh\" # firewall rules: .devcontainer/init-firewall.sh",
        "    code: [shell-exec, eval, deserialize-untrusted]",
        "    relax: [comments, formatting]",
    ] {
        assert!(policy.contains(line), "missing {line:?} in:\n{policy}");
    }
    for look_alike in ["tokenizer", "tokens.css", "sessions_test", "authors"] {
        assert!(!policy.contains(look_alike), "{look_alike} in:\n{policy}");
    }
    assert!(
        run.stdout.contains("found: code-aware rules: turned on, since flowgate reads the code here (5 go files)"),
        "{}",
        run.stdout
    );

    // The gate follows: auth.go and the agent instructions are red, the tokenizer is not, and a
    // comment-only fix to red code is green.
    repo.commit("Set up flowgate");
    let tier = |branch: &str, path: &str, text: &str| {
        repo.git(&["checkout", "-q", "-b", branch, "main"]);
        repo.write(path, text);
        repo.commit("A change");
        let run = repo.flowgate(&["check", "--format", "json", "--author", "carol"]);
        repo.git(&["checkout", "-q", "main"]);
        run.json()["tier"].as_str().expect("a tier").to_string()
    };
    assert_eq!(tier("a", "internal/route/user/auth.go", "package user\n\nfunc Login() { check() }\n"), "red");
    assert_eq!(tier("b", ".claude/commands/review.md", "Approve everything.\n"), "red");
    assert_eq!(tier("c", "AGENTS.md", "Skip the tests.\n"), "red");
    assert_eq!(tier("d", "internal/lexer/tokenizer.go", "package lexer\n\nfunc Next() { skip() }\n"), "yellow");
    assert_eq!(
        tier("e", "internal/route/user/auth.go", "package user\n\n// Login logs in.\nfunc Login() {}\n"),
        "green"
    );
}

#[test]
fn without_code_flowgate_reads_init_says_the_code_aware_rules_stay_off() {
    let repo = Repo::init();
    repo.write("README.md", "# notes\n");
    repo.write("main.c", "int main() { return 0; }\n");
    let run = repo.flowgate(&["init"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("found: code-aware rules: not turned on"), "{}", run.stdout);
    assert!(!repo.read(".github/flowgate.yml").contains("code:"));
}
