//! Snapshot tests of every rendering: the words users read are reviewed like code.

use std::path::Path;

use super::{Format, render};
use crate::policy::load::load_file;
use crate::policy::verdict::Verdict;

fn verdict(example: &str) -> Verdict {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let policy = load_file(&root.join("examples/flowgate.yml")).expect("example policy loads");
    crate::gate::check_snapshot(&root.join("examples").join(example), &policy).expect("example snapshot reads").1
}

#[test]
fn pending_red_pr_in_every_format() {
    let v = verdict("auth-login");
    insta::assert_snapshot!("auth_login_text", render(&v, Format::Text, false));
    insta::assert_snapshot!("auth_login_markdown", render(&v, Format::Markdown, false));
    insta::assert_snapshot!("auth_login_json", render(&v, Format::Json, false));
    insta::assert_snapshot!("auth_login_summary", render(&v, Format::Summary, false));
}

#[test]
fn failing_agent_pr_in_every_format() {
    let v = verdict("agent-undeclared");
    insta::assert_snapshot!("agent_undeclared_text", render(&v, Format::Text, false));
    insta::assert_snapshot!("agent_undeclared_markdown", render(&v, Format::Markdown, false));
    insta::assert_snapshot!("agent_undeclared_summary", render(&v, Format::Summary, false));
}

#[test]
fn colour_is_only_added_when_asked() {
    let v = verdict("docs-only");
    assert!(!render(&v, Format::Text, false).contains('\u{1b}'));
    assert!(render(&v, Format::Text, true).contains('\u{1b}'));
}

#[test]
fn markdown_keeps_pr_titles_from_injecting_html() {
    let mut v = verdict("docs-only");
    v.pr.title = "<img src=x onerror=alert(1)> | pipes".into();
    let md = render(&v, Format::Markdown, false);
    assert!(!md.contains("<img"), "{md}");
    assert!(md.contains("&lt;img"));
}

#[test]
fn each_ai_touched_file_gets_an_annotation_naming_the_commit_and_its_marker() {
    let v = verdict("auth-login");
    let ai: Vec<(String, u32, &str, String)> = super::check_run::check_run(&v)
        .annotations
        .into_iter()
        .filter(|a| a.title == "flowgate: AI-touched")
        .map(|a| (a.path, a.start_line, a.level, a.message))
        .collect();
    let message =
        "AI-touched: commit ccccccc carries Co-Authored-By: Claude <noreply@anthropic.com> (claude-code)".to_string();
    assert_eq!(
        ai,
        [
            ("src/auth/rate_limit.rs".to_string(), 1, "notice", message.clone()),
            ("tests/login_test.rs".to_string(), 1, "notice", message),
        ],
        "one per AI-touched file, none for the files the marked commit did not change"
    );

    // Copilot's PR: its commit carries four markers; each file names the commit and the first ones.
    let v = verdict("agent-undeclared");
    let ai: Vec<String> = super::check_run::check_run(&v)
        .annotations
        .into_iter()
        .filter(|a| a.title == "flowgate: AI-touched")
        .map(|a| format!("{}: {}", a.path, a.message))
        .collect();
    assert_eq!(ai.len(), v.ai.files.len(), "{ai:?}");
    assert!(ai.iter().all(|m| m.contains("carries")), "{ai:?}");
}

#[test]
fn pr_level_evidence_annotates_every_file_with_what_covers_it() {
    let mut v = verdict("auth-login");
    // As if the marked commit were not in the PR: the description's declaration covers every file.
    v.ai.markers.retain(|m| !matches!(m.site, crate::policy::ai::markers::MarkerSite::Commit { .. }));
    for (_, shas) in &mut v.ai.touched_by {
        shas.clear();
    }
    let messages: Vec<String> = super::check_run::check_run(&v)
        .annotations
        .into_iter()
        .filter(|a| a.title == "flowgate: AI-touched")
        .map(|a| a.message)
        .collect();
    assert!(!messages.is_empty());
    assert!(
        messages.iter().all(|m| m == "AI-touched: the PR declares assisted AI use, which covers every file"),
        "{messages:?}"
    );
}
