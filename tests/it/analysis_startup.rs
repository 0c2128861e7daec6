//! What a PR pays for tree-sitter before the first parse: only the languages it touches, once per
//! process. These tests read process-wide state (which queries are compiled), so they live in a
//! test binary of their own where no other test compiles a query behind their back.

use flowgate::analysis::detectors::{Detector, sections};
use flowgate::analysis::lang::Lang;
use flowgate::analysis::query_cache::compiled_count;
use flowgate::analysis::{ChangeKind, SkipReason};
use flowgate::gate::analyze::{NoContents, analyze};
use flowgate::model::{FileChange, FileStatus, PrFacts};
use flowgate::policy::load::{load_bundled, load_from, load_text};

use crate::support::isolated::isolated;

fn changed(path: &str, patch: &str) -> FileChange {
    let mut file = FileChange::new(path, FileStatus::Modified, 1, 1);
    file.patch = Some(patch.to_string());
    file
}

/// The built-in detector sections compiled so far in this process.
fn compiled() -> Vec<(Lang, Detector)> {
    Lang::ALL.into_iter().flat_map(sections).filter(|s| s.compiled()).map(|s| (s.lang, s.detector)).collect()
}

const GO_PATCH: &str = "@@ -1,5 +1,6 @@\n package main\n \n import \"os/exec\"\n \n-func run() {}\n+func run() {\n+\texec.Command(\"sh\", \"-c\", \"make\").Run()\n+}\n";

#[test]
fn a_pr_compiles_only_the_detector_sections_its_files_could_trigger() {
    isolated(
        "analysis_startup::a_pr_compiles_only_the_detector_sections_its_files_could_trigger",
        a_pr_compiles_only_the_detector_sections_its_files_could_trigger_alone,
    );
}

fn a_pr_compiles_only_the_detector_sections_its_files_could_trigger_alone() {
    let policy = load_bundled("default").expect("the default pack loads");

    // A docs-only PR reads no code: no grammar's queries are built.
    let mut docs = PrFacts {
        files: vec![
            changed("docs/setup.md", "@@ -1 +1 @@\n-Old\n+New\n"),
            changed("README.md", "@@ -1 +1 @@\n-a\n+b\n"),
        ],
        ..Default::default()
    };
    analyze(&mut docs, &policy, &mut NoContents);
    assert_eq!(compiled(), vec![], "a docs-only PR compiled detector queries");
    let docs_skip = docs.files[0].analysis.as_ref().and_then(|a| a.skipped.clone());
    assert_eq!(docs_skip, Some(SkipReason::Unsupported));

    // A Rust change that calls no query, spawns nothing and touches no crypto (`String` holds
    // `ring` but not as a word) compiles nothing either: no detector could match it.
    let mut plain = PrFacts {
        files: vec![changed(
            "src/auth/login.rs",
            "@@ -1,3 +1,3 @@\n pub fn name(s: &str) -> String {\n-    s.to_string()\n+    s.trim().to_string()\n }\n",
        )],
        ..Default::default()
    };
    analyze(&mut plain, &policy, &mut NoContents);
    assert_eq!(compiled(), vec![], "a plain Rust change compiled detector queries");
    assert_eq!(plain.files[0].analysis.as_ref().map(|a| a.change), Some(ChangeKind::Code));

    // A Go PR that spawns a process builds Go's shell-exec section, and no other language's or
    // detector's.
    let mut go = PrFacts {
        files: vec![changed("cmd/build/main.go", GO_PATCH), changed("docs/build.md", "@@ -1 +1 @@\n-a\n+b\n")],
        ..Default::default()
    };
    analyze(&mut go, &policy, &mut NoContents);
    assert_eq!(compiled(), vec![(Lang::Go, Detector::ShellExec)]);
    // The Go file was really read, and its detector really ran: laziness changed no finding.
    let analysis = go.files[0].analysis.as_ref().expect("the Go file was analysed");
    assert_eq!(analysis.skipped, None);
    assert_eq!(analysis.change, ChangeKind::Code);
    assert!(
        analysis.findings.iter().any(|f| f.detector == "shell-exec"),
        "exec.Command is found as before: {:?}",
        analysis.findings
    );
}

/// A policy whose `extends:` chain holds a query: each file is read on its own (so an error names
/// its line) and then merged, and the App loads the policy again for every event.
struct Files;

impl flowgate::policy::load::PolicyFiles for Files {
    fn read(&self, path: &std::path::Path) -> Result<String, String> {
        match path.to_str() {
            Some(".github/flowgate.yml") => Ok("extends: org.yml\ntiers:\n  yellow:\n    default: true\n".into()),
            Some(".github/org.yml") => Ok(format!(
                "version: 1\ntiers:\n  red:\n    queries:\n      rust: '{RUST_QUERY}'\n  yellow:\n    default: true\n"
            )),
            _ => Err("no such file".into()),
        }
    }
    fn describe(&self, path: &std::path::Path) -> String {
        path.display().to_string()
    }
}

/// A query text no other test in this binary compiles.
const RUST_QUERY: &str = "(macro_invocation macro: (identifier) @startup_cache_match)";

#[test]
fn a_policy_query_is_checked_when_the_policy_loads_and_compiled_once_per_process() {
    isolated(
        "analysis_startup::a_policy_query_is_checked_when_the_policy_loads_and_compiled_once_per_process",
        a_policy_query_is_checked_when_the_policy_loads_and_compiled_once_per_process_alone,
    );
}

fn a_policy_query_is_checked_when_the_policy_loads_and_compiled_once_per_process_alone() {
    let before = compiled_count();
    let path = std::path::Path::new(".github/flowgate.yml");
    let first = load_from(&Files, path).expect("the policy loads");
    assert_eq!(first.tiers.queries.len(), 1);
    let again = load_from(&Files, path).expect("the policy loads again");
    assert_eq!(again.tiers.queries.len(), 1);
    assert_eq!(compiled_count() - before, 1, "the same query text was compiled more than once");

    // A query that does not fit its grammar is still refused as the policy loads, at its line.
    let bad = "version: 1\ntiers:\n  red:\n    queries:\n      rust: '(no_such_rust_node) @m'\n  yellow:\n    default: true\n";
    let err = load_text(bad, std::path::Path::new("bad.yml")).expect_err("a bad query is refused");
    let message = err.to_string();
    assert!(message.contains("rust query does not fit"), "{message}");
    assert!(message.contains(":5:"), "the error names the query's line: {message}");
}
