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
