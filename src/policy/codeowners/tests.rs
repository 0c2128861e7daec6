//! `review.codeowners: required` judged on hand-built PRs: whose approval meets which line, per
//! section and count, and that a CODEOWNERS flowgate cannot fully read meets nothing.

use std::path::Path;

use super::*;
use crate::model::codeowners::{LineProblem, Unread};
use crate::model::{CommitSha, FileChange, FileStatus, Review, ReviewState};
use crate::policy::evaluate::{evaluate as judge, needs};
use crate::policy::load::load_text;
use crate::policy::verdict::Verdict;

const HEAD: &str = "1111111111111111111111111111111111111111";

/// One default tier needing one approval, and the code owners' when `codeowners` says so.
fn policy(codeowners: &str) -> Policy {
    let text = format!(
        "version: 1\ntiers:\n  yellow:\n    default: true\n    review: {{ approvals: 1{codeowners} }}\n\
         teams:\n  \"@acme/security\": [alice, bob]\n"
    );
    load_text(&text, Path::new("test.yml")).unwrap_or_else(|e| panic!("policy should load: {e}"))
}

fn required() -> Policy {
    policy(", codeowners: required")
}

/// carol's PR changing `paths`, approved on its head by `approvers`, with `codeowners` on the base.
fn pr(paths: &[&str], approvers: &[&str], codeowners: &str) -> PrFacts {
    PrFacts {
        author: Login::new("carol"),
        head_sha: Some(CommitSha::new(HEAD)),
        files: paths.iter().map(|p| FileChange::new(*p, FileStatus::Modified, 3, 1)).collect(),
        reviews: approvers
            .iter()
            .map(|who| Review {
                reviewer: Login::new(*who),
                state: ReviewState::Approved,
                commit_id: Some(CommitSha::new(HEAD)),
                submitted_at: None,
            })
            .collect(),
        codeowners: Some(BaseCodeowners::from_text(".github/CODEOWNERS", codeowners)),
        ..PrFacts::default()
    }
}

fn owners_verdict(v: &Verdict) -> &CodeownersVerdict {
    v.review.codeowners.as_ref().expect("code owners are judged")
}

fn logins(l: &[Login]) -> Vec<&str> {
    l.iter().map(Login::as_str).collect()
}

#[test]
fn an_owners_approval_meets_the_requirement() {
    let v = judge(&pr(&["src/auth/login.rs"], &["alice"], "/src/auth/ @alice\n"), &required());
    let c = owners_verdict(&v);
    assert!(c.met && v.review.state == ReviewStatus::Pass, "{c:?}");
    assert_eq!(c.path.as_deref(), Some(".github/CODEOWNERS"));
    let g = &c.groups[0];
    assert_eq!(
        (g.line, g.pattern.as_str(), g.files.as_slice()),
        (1, "/src/auth/", &["src/auth/login.rs".to_string()][..])
    );
    assert_eq!(logins(&g.approved_by), ["alice"]);
}

#[test]
fn a_non_owners_approval_does_not() {
    let v = judge(&pr(&["src/auth/login.rs"], &["bob"], "/src/auth/ @alice\n"), &required());
    let c = owners_verdict(&v);
    assert!(!c.met && !c.groups[0].met && c.groups[0].approved_by.is_empty());
    assert_eq!(v.review.state, ReviewStatus::Pending, "bob's approval meets the tier's count, not the owners'");
    assert!(v.review.requirements[0].met);
}

#[test]
fn the_author_owning_the_file_does_not_approve_it() {
    let v = judge(&pr(&["src/auth/login.rs"], &["carol"], "/src/auth/ @carol\n"), &required());
    assert!(!owners_verdict(&v).met, "the author's approval never counts");
}

#[test]
fn a_team_member_approves_a_team_owned_file() {
    let v = judge(&pr(&["src/auth/login.rs"], &["bob"], "/src/ @acme/security\n"), &required());
    assert!(owners_verdict(&v).met, "bob is in @acme/security");

    let unknown = pr(&["src/auth/login.rs"], &["bob"], "/src/ @acme/unlisted\n");
    assert_eq!(needs(&unknown, &required()).teams, ["@acme/unlisted"], "the gate reads its members first");
    let v = judge(&unknown, &required());
    let c = owners_verdict(&v);
    assert!(!c.met);
    assert_eq!(c.groups[0].unknown_teams, ["@acme/unlisted"]);
    let mut known = required();
    known.teams.insert("@acme/unlisted".into(), vec![Login::new("bob")]);
    assert!(owners_verdict(&judge(&unknown, &known)).met, "once its members are read");
}

#[test]
fn each_section_needs_its_own_owner() {
    let text = "[Backend]\n/src/ @alice\n[Docs]\n*.md @dave\n";
    let one = judge(&pr(&["src/README.md"], &["alice"], text), &required());
    let c = owners_verdict(&one);
    assert!(!c.met);
    let state: Vec<(Option<&str>, bool)> = c.groups.iter().map(|g| (g.section.as_deref(), g.met)).collect();
    assert_eq!(state, [(Some("Backend"), true), (Some("Docs"), false)]);
    assert!(owners_verdict(&judge(&pr(&["src/README.md"], &["alice", "dave"], text), &required())).met);
}

#[test]
fn a_section_with_a_count_needs_that_many_owners() {
    let text = "[Security][2] @alice @bob @erin\n/src/auth/\n";
    let v = judge(&pr(&["src/auth/login.rs"], &["alice", "dave"], text), &required());
    let g = &owners_verdict(&v).groups[0];
    assert!(!g.met && g.approvals == 2 && logins(&g.approved_by) == ["alice"], "{g:?}");
    assert!(owners_verdict(&judge(&pr(&["src/auth/login.rs"], &["alice", "bob"], text), &required())).met);
}

#[test]
fn an_optional_section_is_shown_and_never_gates() {
    let v = judge(&pr(&["web/site.css"], &["bob"], "^[Style] @design\n*.css\n"), &required());
    let c = owners_verdict(&v);
    assert!(c.met && v.review.state == ReviewStatus::Pass);
    assert!(c.groups[0].optional && !c.groups[0].met);
}

#[test]
fn files_without_owners_need_nothing_more() {
    let v = judge(&pr(&["src/lib.rs", "docs/a.md"], &["writer"], "/docs/ @writer\n/src/generated/\n"), &required());
    let c = owners_verdict(&v);
    assert!(c.met);
    assert_eq!(c.unowned, ["src/lib.rs"]);
}

#[test]
fn a_renamed_files_old_owners_must_approve_too() {
    let mut facts = pr(&["lib/login.rs"], &["bob"], "/src/auth/ @alice\n");
    facts.files[0].previous_path = Some("src/auth/login.rs".into());
    facts.files[0].status = FileStatus::Renamed;
    let v = judge(&facts, &required());
    let c = owners_verdict(&v);
    assert!(!c.met);
    assert_eq!(c.groups[0].files, ["src/auth/login.rs"]);
}

#[test]
fn a_codeowners_with_errors_meets_nothing_and_says_where() {
    let v = judge(&pr(&["src/lib.rs"], &["alice"], "* @alice\nsrc/ bob\n"), &required());
    let c = owners_verdict(&v);
    assert!(!c.met && v.review.state == ReviewStatus::Pending);
    match &c.problem {
        Some(CodeownersProblem::Errors(errors)) => {
            assert_eq!((errors[0].line, &errors[0].why), (2, &LineProblem::Owner("bob".into())));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_unreadable_or_ungathered_codeowners_meets_nothing() {
    let mut facts = pr(&["src/lib.rs"], &["alice"], "");
    facts.codeowners = Some(BaseCodeowners::Missing);
    assert_eq!(owners_verdict(&judge(&facts, &required())).problem, Some(CodeownersProblem::Missing));
    facts.codeowners = Some(BaseCodeowners::Unreadable {
        path: "CODEOWNERS".into(),
        why: Unread::Error("403 Resource not accessible by integration".into()),
    });
    let v = judge(&facts, &required());
    assert!(matches!(owners_verdict(&v).problem, Some(CodeownersProblem::Unreadable(_))));
    assert_eq!(v.review.state, ReviewStatus::Pending);
    facts.codeowners = None;
    assert_eq!(owners_verdict(&judge(&facts, &required())).problem, Some(CodeownersProblem::NotGathered));
}

#[test]
fn without_required_codeowners_the_review_is_as_before() {
    for p in [policy(""), policy(", codeowners: optional")] {
        let v = judge(&pr(&["src/auth/login.rs"], &["bob"], "/src/auth/ @alice\n"), &p);
        assert_eq!((v.review.state, v.review.codeowners.is_none()), (ReviewStatus::Pass, true));
        assert!(!required_by(&p));
    }
    assert!(required_by(&required()));
}

#[test]
fn owners_scope_names_who_owns_a_path() {
    let facts = pr(&["x"], &[], "/src/ @acme/security\n/docs/ alice@users.noreply.github.com\n");
    let file = facts.codeowners.as_ref().and_then(BaseCodeowners::file).expect("read");
    let p = required();
    assert!(owns_path(&p, file, "src/a.rs", &Login::new("bob")), "a team member");
    assert!(owns_path(&p, file, "docs/a.md", &Login::new("alice")), "GitHub's noreply address");
    assert!(!owns_path(&p, file, "docs/a.md", &Login::new("bob")));
}

#[test]
fn an_unknown_codeowners_value_is_refused_at_its_line() {
    let text = "version: 1\ntiers:\n  yellow:\n    default: true\n    review: { codeowners: always }\n";
    let error = load_text(text, Path::new("t.yml")).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(error.contains("t.yml:5:") && error.contains("`required`"), "{error}");
}
