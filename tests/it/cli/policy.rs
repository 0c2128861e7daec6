//! `flowgate policy validate|schema|test`: valid policies and packs, invalid policies reported at
//! FILE:LINE:COLUMN (exit 2), the JSON Schema and its committed copy, and policy test cases.

use crate::support::common;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

use common::{Run, path_str, root};

/// The start of a valid policy: eight lines, so a key added after it is on line 9.
const BASE: &str = "\
version: 1
tiers:
  red:
    paths: [\"src/auth/**\"]
    review: { approvals: 2 }
  yellow:
    default: true
    review: { approvals: 1 }
";

const SCHEMA_FILE: &str = "policies/flowgate.schema.json";

fn flowgate(cwd: &Path, args: &[&str]) -> Run {
    Run::of(Command::cargo_bin("flowgate").unwrap().current_dir(cwd).args(args))
}

fn validate(path: &Path) -> Run {
    flowgate(root(), &["policy", "validate", path_str(path)])
}

/// Writes `files` (name, text) into a new temporary directory.
fn dir_with(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    for (name, text) in files {
        fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// Validates `yaml` as `policy.yml` and expects exit 2 with an error naming the file and each of
/// `needles`. Returns the stderr and the policy's path.
fn rejected(yaml: &str, needles: &[&str]) -> (String, PathBuf, TempDir) {
    let dir = dir_with(&[("policy.yml", yaml)]);
    let path = dir.path().join("policy.yml");
    let run = validate(&path);
    assert_eq!(run.code, 2, "an invalid policy must exit 2; stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(run.stdout.is_empty(), "an invalid policy printed:\n{}", run.stdout);
    let prefix = format!("flowgate: error: {}:", path.display());
    assert!(run.stderr.starts_with(&prefix), "the error should start with {prefix:?}:\n{}", run.stderr);
    for needle in needles {
        assert!(run.stderr.contains(needle), "the error should mention {needle:?}:\n{}", run.stderr);
    }
    (run.stderr, path, dir)
}

/// Like `rejected`, and the error points at `line` and `column` (1-based) as FILE:LINE:COLUMN.
fn rejected_at(yaml: &str, line: usize, column: usize, needles: &[&str]) {
    let (stderr, path, _dir) = rejected(yaml, needles);
    let location = format!("{}:{line}:{column}: ", path.display());
    assert!(stderr.contains(&location), "the error should point at {location:?}:\n{stderr}");
}

#[test]
fn bundled_and_example_policies_are_valid() {
    for rel in ["examples/flowgate.yml", "policies/default.yml", "policies/strict.yml"] {
        let run = validate(&root().join(rel));
        assert_eq!(run.code, 0, "{rel} should be valid; stderr:\n{}", run.stderr);
        assert!(run.stdout.contains(": valid"), "{rel}: {}", run.stdout);
    }
}

#[test]
fn strict_pack_says_it_extends_default() {
    let run = validate(&root().join("policies/strict.yml"));
    assert!(run.stdout.contains("policies/default.yml (bundled)"), "{}", run.stdout);
}

#[test]
fn extending_default_and_changing_one_tier_is_valid_and_applies() {
    let dir = dir_with(&[("policy.yml", "extends: default\ntiers:\n  red:\n    review: { approvals: 3 }\n")]);
    let policy = dir.path().join("policy.yml");
    let run = validate(&policy);
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    assert!(run.stdout.contains("default tier yellow"), "the default tier is inherited: {}", run.stdout);
    // The red paths are inherited and only the approvals change.
    let snapshot = root().join("examples/auth-login");
    let check = flowgate(
        root(),
        &["check", "--snapshot", path_str(&snapshot), "--policy", path_str(&policy), "--format", "json"],
    );
    let v: Value =
        serde_json::from_str(&check.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", check.stdout, check.stderr));
    assert_eq!(v["tier"], "red");
    assert_eq!(v["review"]["required"], 3);
}

#[test]
fn unknown_top_level_key_names_the_allowed_keys() {
    let yaml = format!("{BASE}tierz:\n  red: {{}}\n");
    rejected_at(&yaml, 9, 1, &["tierz", "version", "extends", "tiers", "teams", "linkage", "ai", "limits", "override"]);
}

#[test]
fn unknown_tier_names_the_tiers() {
    rejected_at(
        "version: 1\ntiers:\n  yellow:\n    default: true\n  purple:\n    paths: [\"x/**\"]\n",
        5,
        3,
        &["purple", "red", "yellow", "green"],
    );
}

#[test]
fn bad_glob_is_reported_at_its_line() {
    rejected_at(
        "version: 1\ntiers:\n  yellow:\n    default: true\n  red:\n    paths:\n      - \"src/[auth\"\n",
        7,
        7,
        &["src/[auth", "glob"],
    );
}

#[test]
fn bad_exemption_regex_is_reported_at_its_line() {
    let yaml = format!("{BASE}linkage:\n  exempt:\n    titles:\n      - \"(unclosed\"\n");
    rejected_at(&yaml, 12, 7, &["(unclosed", "regex"]);
}

#[test]
fn wrong_type_is_reported_at_its_value() {
    rejected_at(
        "version: 1\ntiers:\n  yellow:\n    default: true\n    review:\n      approvals: two\n",
        6,
        18,
        &["approvals", "two"],
    );
}

#[test]
fn invalid_enum_value_names_the_choices() {
    let yaml = format!("{BASE}ai:\n  disclosure: sometimes\n");
    rejected_at(&yaml, 10, 15, &["sometimes", "required", "optional", "off"]);
}

#[test]
fn team_without_an_org_is_rejected() {
    let yaml = format!("{BASE}teams:\n  security: [alice]\n");
    rejected_at(&yaml, 10, 3, &["security", "@org/"]);
}

#[test]
fn two_default_tiers_are_named() {
    let (stderr, ..) =
        rejected("version: 1\ntiers:\n  red:\n    default: true\n  yellow:\n    default: true\n", &["default: true"]);
    assert!(stderr.contains("red") && stderr.contains("yellow"), "both default tiers should be named:\n{stderr}");
}

#[test]
fn no_default_tier_is_rejected() {
    rejected(
        "version: 1\ntiers:\n  red:\n    paths: [\"a/**\"]\n  yellow:\n    review: { approvals: 1 }\n",
        &["default"],
    );
}

#[test]
fn unknown_pack_names_the_bundled_packs() {
    rejected("extends: nonexistent\n", &["nonexistent", "default", "strict"]);
}

#[test]
fn extends_cycle_is_rejected() {
    let dir = dir_with(&[("a.yml", "extends: b.yml\n"), ("b.yml", "extends: a.yml\n")]);
    let run = validate(&dir.path().join("a.yml"));
    assert_eq!(run.code, 2, "stderr:\n{}", run.stderr);
    assert!(
        run.stderr.contains("a.yml") && run.stderr.contains("b.yml"),
        "the cycle's files should be named:\n{}",
        run.stderr
    );
    assert!(run.stderr.contains("circle"), "{}", run.stderr);
}

#[test]
fn empty_policy_is_rejected() {
    rejected("", &["empty"]);
}

#[test]
fn schema_is_json_with_the_policy_sections() {
    let run = flowgate(root(), &["policy", "schema"]);
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    let schema: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("the schema is not JSON: {e}"));
    assert!(schema["$schema"].is_string(), "no $schema: {schema}");
    for key in ["tiers", "linkage", "ai", "limits", "override"] {
        assert!(schema["properties"][key].is_object(), "the schema has no property {key:?}");
    }
}

#[test]
fn committed_schema_is_up_to_date() {
    let run = flowgate(root(), &["policy", "schema"]);
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    let committed = fs::read_to_string(root().join(SCHEMA_FILE)).unwrap_or_default();
    assert!(
        committed == run.stdout,
        "{SCHEMA_FILE} differs from `flowgate policy schema`; regenerate it with:\n    cargo run -- policy schema > {SCHEMA_FILE}"
    );
}

#[test]
fn bundled_examples_pass_their_policy_tests() {
    let run = flowgate(root(), &["policy", "test", "examples", "--policy", "examples/flowgate.yml"]);
    assert_eq!(run.code, 0, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("3 passed, 0 failed"), "{}", run.stdout);
    for case in ["agent-undeclared", "auth-login", "docs-only"] {
        assert!(run.stdout.contains(&format!("ok    {case}")), "{case} not reported ok:\n{}", run.stdout);
    }
}

/// A policy test directory holding one case: auth-login's snapshot with `expect`.
fn case_dir(expect: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    let case = dir.path().join("red-login");
    fs::create_dir(&case).unwrap();
    for file in ["pull.json", "files.json", "commits.json", "reviews.json"] {
        fs::copy(root().join("examples/auth-login").join(file), case.join(file)).unwrap();
    }
    fs::write(case.join("expect.yml"), expect).unwrap();
    dir
}

fn policy_test(dir: &Path) -> Run {
    flowgate(root(), &["policy", "test", path_str(dir), "--policy", "examples/flowgate.yml"])
}

#[test]
fn a_wrong_expectation_fails_and_shows_the_mismatch() {
    let dir = case_dir("description: \"written wrong on purpose\"\ntier: green\nkeys: [ABC-123]\n");
    let run = policy_test(dir.path());
    assert_eq!(run.code, 1, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("FAIL  red-login (written wrong on purpose)"), "{}", run.stdout);
    assert!(run.stdout.contains("tier: expected green, got red"), "{}", run.stdout);
    assert!(!run.stdout.contains("keys:"), "the keys were right and should not be reported:\n{}", run.stdout);
    assert!(run.stdout.contains("0 passed, 1 failed"), "{}", run.stdout);
}

#[test]
fn an_unknown_expectation_key_is_bad_input() {
    let dir = case_dir("tierr: red\n");
    let run = policy_test(dir.path());
    assert_eq!(run.code, 2, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("expect.yml"), "the error should name expect.yml:\n{}", run.stderr);
    assert!(run.stderr.contains("tierr"), "the error should name the key:\n{}", run.stderr);
}

#[test]
fn an_open_jira_tracker_is_valid_but_warned_about_at_its_line() {
    let open = format!("{BASE}linkage:\n  trackers:\n    jira: {{}}\n    github: {{}}\n");
    let dir = dir_with(&[("policy.yml", &open)]);
    let path = dir.path().join("policy.yml");
    let run = validate(&path);
    assert_eq!(run.code, 0, "a warning is not an error: {}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("policy.yml: valid"), "{}", run.stdout);
    let line = format!("flowgate: warning: {}:11: jira accepts any project:", path.display());
    assert!(run.stderr.contains(&line), "expected {line:?} in:\n{}", run.stderr);
    assert!(run.stderr.contains("GPT-5 or PKCS-11 count as keys; list your projects"), "{}", run.stderr);

    // The same in flow style, in a file extended by another: the warning names the file to edit.
    let dir = dir_with(&[
        ("base.yml", &format!("{BASE}linkage: {{ trackers: {{ jira: {{}} }} }}\n")),
        ("policy.yml", "extends: base.yml\n"),
    ]);
    let run = validate(&dir.path().join("policy.yml"));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let line = format!("{}:9: jira accepts any project", dir.path().join("base.yml").display());
    assert!(run.stderr.contains(&line), "expected {line:?} in:\n{}", run.stderr);

    // Listed projects, and the bundled packs, are not warned about.
    let listed = format!("{BASE}linkage:\n  trackers:\n    jira: {{ projects: [ABC] }}\n");
    let dir = dir_with(&[("policy.yml", &listed), ("packed.yml", "extends: default\n")]);
    for name in ["policy.yml", "packed.yml"] {
        let run = validate(&dir.path().join(name));
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        assert!(!run.stderr.contains("warning"), "{name}: {}", run.stderr);
    }
    for pack in ["policies/default.yml", "policies/strict.yml"] {
        let run = validate(&root().join(pack));
        assert!(!run.stderr.contains("warning"), "{pack}: {}", run.stderr);
    }
}

/// `policy validate --baseline`: the policy laid over a baseline it may only tighten.
fn validate_over(path: &Path, baseline: &str) -> Run {
    flowgate(root(), &["policy", "validate", path_str(path), "--baseline", baseline])
}

#[test]
fn a_policy_that_loosens_its_baseline_is_refused_at_the_key_that_does() {
    let dir = dir_with(&[
        ("base.yml", BASE),
        (
            "policy.yml",
            "version: 1\ntiers:\n  red:\n    paths: [\"src/auth/**\", \"src/pay/**\"]\n    review: { approvals: 1 }\n",
        ),
    ]);
    let (policy, base) = (dir.path().join("policy.yml"), dir.path().join("base.yml"));
    let run = validate_over(&policy, path_str(&base));
    assert_eq!(run.code, 2, "a loosening exits 2 like any invalid policy:\n{}", run.stderr);
    assert_eq!(
        run.stderr.trim(),
        format!(
            "flowgate: error: {}:5:15: tiers.red.review.approvals loosens the baseline ({}): the baseline requires at \
             least 2, this policy has 1; raise it or leave it out",
            policy.display(),
            base.display()
        )
    );
    // Over a baseline the file need not be a whole policy; raising approvals is accepted.
    fs::write(&policy, "tiers:\n  red:\n    review: { approvals: 3 }\n").unwrap();
    let run = validate_over(&policy, path_str(&base));
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_policy_that_only_tightens_a_bundled_baseline_is_valid() {
    let dir = dir_with(&[(
        "policy.yml",
        "extends: strict\ntiers:\n  red:\n    review: { approvals: 3, from: [\"@your-org/security\"], stale: head }\nlimits: { max_files: 100 }\n",
    )]);
    let policy = dir.path().join("policy.yml");
    let run = validate_over(&policy, "strict");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("valid"), "{}", run.stdout);
    let loose = dir_with(&[("policy.yml", "extends: default\n")]);
    let run = validate_over(&loose.path().join("policy.yml"), "strict");
    // The key is not in the file: the `extends:` that brings it is named.
    assert_eq!(run.code, 2, "the default pack under strict loosens it");
    assert!(run.stderr.contains(":1:1: tiers.red.review.stale loosens the baseline (strict)"), "{}", run.stderr);
}
