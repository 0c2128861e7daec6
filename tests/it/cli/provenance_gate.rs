//! `flowgate check` in local git mode with the AI rule's line-level settings: `max_ai_share`
//! applying where a marked file has no line record to measure it, and the base branch's `AI-DECLARATION.md`
//! compared with what was detected, or reported when it cannot be read.

use crate::support::common;

use common::git_repo::GitRepo;
use serde_json::Value;

const POLICY: &str = "version: 1
tiers:
  red:
    paths: [\"src/auth/**\"]
    review: { approvals: 1 }
  yellow:
    default: true
    review: { approvals: 1 }
ai:
  disclosure: optional
  on_undeclared: warn
  tiers:
    red: { review: { approvals: 2 }, max_ai_share: 50% }
";

/// `main` with the policy, `AI-DECLARATION.md` (`declaration`) and src/auth/login.rs; then a
/// branch with a Claude-co-authored change to it.
fn repo(declaration: &str) -> GitRepo {
    let repo = GitRepo::init();
    repo.write(".github/flowgate.yml", POLICY);
    repo.write("AI-DECLARATION.md", declaration);
    repo.write("src/auth/login.rs", "fn login() {}\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "Initial import"]);
    repo.git(&["checkout", "-q", "-b", "feature/login"]);
    repo.write("src/auth/login.rs", "fn login() { rate_limit(); }\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "Rate-limit logins", "-m", "Co-Authored-By: Claude <noreply@anthropic.com>"]);
    repo
}

fn verdict(repo: &GitRepo) -> Value {
    let run = repo.flowgate(&["check", "--format", "json"]);
    assert!(run.code == 0 || run.code == 1, "no verdict; stderr:\n{}", run.stderr);
    run.json()
}

#[test]
fn max_ai_share_applies_to_a_marked_file_without_line_records_and_the_repository_declaration_is_compared() {
    let repo = repo(
        "---\nversion: \"0.1.2\"\nlevel: assist\ncomponents:\n  src/auth: none\n  docs: assist\n---\n\n## Notes\n\n- Auth is written by hand.\n",
    );
    let v = verdict(&repo);
    // Local git looks and finds no notes and no trace records: the marked file is AI-touched with
    // nothing to measure it, so the claim stands and red's AI review applies.
    let share = &v["ai"]["max_ai_share"][0];
    assert_eq!(share["tier"], "red");
    assert_eq!(share["applies"], true);
    assert_eq!(share["unmeasured"], serde_json::json!(["src/auth/login.rs"]));
    assert!(share["unknown"].is_null(), "every source was looked at: {share}");
    let states: Vec<&str> =
        v["provenance"]["sources"].as_array().unwrap().iter().filter_map(|s| s["state"].as_str()).collect();
    assert_eq!(states, ["missing", "missing", "missing"]);
    let missing: Vec<&str> = v["review"]["missing"].as_array().unwrap().iter().filter_map(|m| m.as_str()).collect();
    assert!(missing.iter().any(|m| m.contains("AI")), "the red AI review is missing: {missing:?}");
    // The base branch's declaration says none for src/auth, and a marked commit changed it.
    assert_eq!(v["ai"]["repo_declaration"]["state"], "read");
    assert_eq!(v["ai"]["repo_declaration"]["components"][0]["path"], "src/auth");
    let disagreements = v["ai"]["disagreements"].as_array().unwrap();
    assert_eq!(
        disagreements[0],
        "AI-DECLARATION.md declares none for src/auth and the PR declares nothing, but AI was detected on src/auth/login.rs (changed by a marked commit)"
    );
    // The same sentence is in the check-run text.
    let text = repo.flowgate(&["check"]).stdout;
    assert!(text.contains("declared and detected disagree: AI-DECLARATION.md declares none for src/auth"), "{text}");
}

#[test]
fn a_bad_repository_declaration_is_reported_not_a_crash() {
    let repo = repo("---\nversion: \"0.1.2\"\nlevel: pair\ncomponents:\n  src/auth: mostly\n---\n");
    let v = verdict(&repo);
    assert_eq!(v["ai"]["repo_declaration"]["state"], "bad");
    assert_eq!(v["ai"]["repo_declaration"]["line"], 5);
    let details: Vec<&str> = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"] == "AI disclosure")
        .flat_map(|r| r["details"].as_array().unwrap().iter().filter_map(|d| d.as_str()))
        .collect();
    assert!(
        details
            .iter()
            .any(|d| d.starts_with("AI-DECLARATION.md (line 5) could not be read: its front matter is not valid")),
        "{details:?}"
    );
}
