//! The line records in the engine: exact AI-touched files, `max_ai_share`, failing closed, and
//! the disagreements between what was declared and what was detected. Facts are built by hand.

use std::path::Path;

use super::*;
use crate::model::ai_declaration::AiDeclaration;
use crate::model::provenance::{LineRun, SourceRead};
use crate::model::{Commit, CommitSha, FileChange, FileStatus, GitPerson, Label, Login};
use crate::policy::evaluate::evaluate;
use crate::policy::load::load_text;
use crate::policy::verdict::{AiFilesBasis, RequirementSource, Verdict};
use crate::policy::{Policy, Tier};

const EXAMPLE: &str = include_str!("../../../../examples/flowgate.yml");
const RED_RULE: &str = r#"red: { review: { approvals: 1, from: ["@acme/security"] } }"#;
const HEAD: &str = "1111111111111111111111111111111111111111";

fn policy_with(red: &str) -> Policy {
    let text = EXAMPLE.replace(RED_RULE, red);
    assert_ne!(text, EXAMPLE, "the example's red AI rule moved");
    load_text(&text, Path::new("test.yml")).unwrap_or_else(|e| panic!("policy should load: {e}"))
}

fn half() -> Policy {
    policy_with(r#"red: { review: { approvals: 1, from: ["@acme/security"] }, max_ai_share: 50% }"#)
}

fn example() -> Policy {
    load_text(EXAMPLE, Path::new("test.yml")).expect("example loads")
}

/// `src/auth/login.rs` (red) and `src/cart.rs` (yellow), one plain commit, declared `ai:assisted`.
fn facts() -> PrFacts {
    let carol =
        GitPerson { name: "carol".into(), email: "carol@acme.example".into(), login: Some(Login::new("carol")) };
    PrFacts {
        title: "ABC-1: login".into(),
        author: Login::new("carol"),
        head_sha: Some(CommitSha::new(HEAD)),
        labels: vec![Label { name: "ai:assisted".into(), applied_by: None }],
        files: vec![
            FileChange::new("src/auth/login.rs", FileStatus::Modified, 100, 0),
            FileChange::new("src/cart.rs", FileStatus::Modified, 40, 0),
        ],
        commits: vec![Commit {
            sha: CommitSha::new(HEAD),
            message: "Login".into(),
            author: carol.clone(),
            committer: carol,
            files: Some(vec!["src/auth/login.rs".into(), "src/cart.rs".into()]),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn run(start: u32, end: u32, origin: Origin, model: Option<&str>) -> LineRun {
    let ai = matches!(origin, Origin::Ai | Origin::AiModified);
    LineRun {
        start_line: start,
        end_line: end,
        origin,
        tool: ai.then(|| "claude".to_string()),
        model: model.map(str::to_string),
        source: Some(SourceKind::GitAi),
    }
}

/// git-ai read, with these files' runs.
fn records(files: Vec<FileProvenance>) -> Provenance {
    Provenance { sources: vec![SourceRead { kind: SourceKind::GitAi, state: SourceState::Read { records: 1 } }], files }
}

/// `ai` AI-written lines of `added`, the rest unknown.
fn written(path: &str, ai: u32, added: u32) -> FileProvenance {
    let mut runs = Vec::new();
    if ai > 0 {
        runs.push(run(1, ai, Origin::Ai, Some("claude-sonnet-4-5")));
    }
    if added > ai {
        runs.push(run(ai + 1, added, Origin::Unknown, None));
    }
    FileProvenance::from_runs(path, runs)
}

fn red_ai_review(v: &Verdict) -> bool {
    v.review.requirements.iter().any(|r| r.source == RequirementSource::AiTier(Tier::Red))
}

#[test]
fn line_records_name_the_ai_touched_files_where_a_declaration_spread_over_all() {
    let mut f = facts();
    assert_eq!(evaluate(&f, &example()).ai.files_basis, AiFilesBasis::AllFiles);
    f.provenance = Some(records(vec![written("src/auth/login.rs", 0, 100), written("src/cart.rs", 30, 40)]));
    let v = evaluate(&f, &example());
    assert_eq!(v.ai.files_basis, AiFilesBasis::LineRecords);
    assert_eq!(v.ai.files, vec!["src/cart.rs".to_string()]);
    // The AI-written file is yellow: the red AI review no longer applies to the whole PR.
    assert!(!red_ai_review(&v));
}

#[test]
fn a_marked_commits_files_stay_ai_touched_beside_the_records() {
    let mut f = facts();
    f.commits[0].message = "Login\n\nCo-Authored-By: Claude <noreply@anthropic.com>".into();
    f.commits[0].files = Some(vec!["src/auth/login.rs".into()]);
    f.provenance = Some(records(vec![written("src/auth/login.rs", 0, 100), written("src/cart.rs", 30, 40)]));
    let v = evaluate(&f, &example());
    assert_eq!(v.ai.files_basis, AiFilesBasis::LineRecords);
    assert_eq!(v.ai.files, vec!["src/auth/login.rs".to_string(), "src/cart.rs".to_string()]);
    assert!(red_ai_review(&v), "the marker still raises the red AI review");
    // Without commit-level evidence, a branch marker still covers every file, records or not.
    f.commits[0].message = "Login".into();
    f.branch = "copilot/fix-login".into();
    assert_eq!(evaluate(&f, &example()).ai.files_basis, AiFilesBasis::AllFiles);
}

#[test]
fn max_ai_share_applies_the_tier_ai_review_only_over_the_share() {
    let mut f = facts();
    f.provenance = Some(records(vec![written("src/auth/login.rs", 50, 100)]));
    let v = evaluate(&f, &half());
    assert!(v.ai.files.contains(&"src/auth/login.rs".to_string()));
    assert!(!red_ai_review(&v), "50 of 100 is not over 50%");
    assert_eq!(v.ai.lines.shares.len(), 1);
    assert!(!v.ai.lines.shares[0].applies());

    f.provenance = Some(records(vec![written("src/auth/login.rs", 51, 100)]));
    let v = evaluate(&f, &half());
    assert!(red_ai_review(&v));
    let over = &v.ai.lines.shares[0].over;
    assert_eq!(over, &vec![FileShare { path: "src/auth/login.rs".into(), ai_written: 51, added: 100 }]);

    // Without `max_ai_share`, any AI-written line of a red file brings the red AI review.
    f.provenance = Some(records(vec![written("src/auth/login.rs", 1, 100)]));
    assert!(red_ai_review(&evaluate(&f, &example())));
    assert!(!red_ai_review(&evaluate(&f, &half())));
}

#[test]
fn records_that_cannot_be_read_fail_closed_only_where_max_ai_share_is_set() {
    let mut f = facts();
    f.labels = vec![Label { name: "ai:none".into(), applied_by: None }];
    // No records looked for: red cannot be shown under the share.
    let v = evaluate(&f, &half());
    assert!(red_ai_review(&v));
    assert_eq!(v.ai.lines.shares[0].unknown, Some(ShareUnknown::NotLooked));
    // The same PR under a policy without the share needs no AI review: nothing is AI-touched.
    assert!(!red_ai_review(&evaluate(&f, &example())));

    let mut corrupt = records(vec![written("src/auth/login.rs", 0, 100)]);
    let reason = "refs/notes/ai: note on 1111111 is not authorship/3.0.0".to_string();
    corrupt
        .sources
        .push(SourceRead { kind: SourceKind::Whogitit, state: SourceState::Corrupt { reason: reason.clone() } });
    f.provenance = Some(corrupt);
    let v = evaluate(&f, &half());
    assert!(red_ai_review(&v));
    assert_eq!(v.ai.lines.shares[0].unknown, Some(ShareUnknown::Source { kind: SourceKind::Whogitit, reason }));

    // A source the repository does not keep is normal: records read, none AI-written.
    let mut missing = records(vec![written("src/auth/login.rs", 0, 100)]);
    missing.sources.push(SourceRead { kind: SourceKind::AgentTrace, state: SourceState::Missing });
    f.provenance = Some(missing);
    assert!(!red_ai_review(&evaluate(&f, &half())));
}

#[test]
fn an_ai_touched_file_no_record_measures_keeps_its_markers_review() {
    let mut f = facts();
    f.commits[0].message = "Login\n\nCo-Authored-By: Claude <noreply@anthropic.com>".into();
    f.commits[0].files = Some(vec!["src/auth/login.rs".into()]);
    // Records exist, for the other file only.
    f.provenance = Some(records(vec![written("src/cart.rs", 10, 40)]));
    let v = evaluate(&f, &half());
    assert!(red_ai_review(&v));
    assert_eq!(v.ai.lines.shares[0].unmeasured, vec!["src/auth/login.rs".to_string()]);
    // Records that measure it under the share: the marker's file stays AI-touched, the review
    // follows the share.
    f.provenance = Some(records(vec![written("src/auth/login.rs", 10, 100)]));
    let v = evaluate(&f, &half());
    assert!(v.ai.files.contains(&"src/auth/login.rs".to_string()));
    assert!(!red_ai_review(&v));
}

#[test]
fn max_ai_share_is_checked_when_the_policy_loads() {
    let err = |red: &str| {
        let text = EXAMPLE.replace(RED_RULE, red);
        load_text(&text, Path::new("test.yml")).expect_err("should not load").to_string()
    };
    insta::assert_snapshot!(err(r#"red: { review: { approvals: 1 }, max_ai_shares: 50% }"#), @"test.yml:32:38: ai.tiers.red: unknown field `max_ai_shares`, expected `review` or `max_ai_share`");
    insta::assert_snapshot!(err(r#"red: { review: { approvals: 1 }, max_ai_share: 150% }"#), @r#"test.yml:32:10: ai.tiers.red: max_ai_share "150%" is not a share of a file's added lines: write a percentage from 0% to 100%, e.g. 50%"#);
    insta::assert_snapshot!(err(r#"red: { max_ai_share: 50% }"#), @"test.yml: `ai.tiers.red.max_ai_share` needs `ai.tiers.red.review`: the share decides when that review applies, and there is none");
}

#[test]
fn declared_none_with_ai_written_lines_is_a_disagreement_with_figures() {
    let mut f = facts();
    f.labels = vec![Label { name: "ai:none".into(), applied_by: None }];
    f.files = vec![FileChange::new("src/cart.rs", FileStatus::Modified, 340, 0)];
    f.provenance = Some(records(vec![written("src/cart.rs", 212, 340)]));
    let v = evaluate(&f, &example());
    assert_eq!(
        v.ai.lines.disagreements,
        vec![Disagreement::RecordsUndeclared {
            declared: Some(Declared::None),
            ai_written: 212,
            added: 340,
            sources: vec![SourceKind::GitAi],
            tools: vec!["claude".into()],
        }]
    );
    // Declaring the AI use settles it.
    f.labels = vec![Label { name: "ai:assisted".into(), applied_by: None }];
    assert!(evaluate(&f, &example()).ai.lines.disagreements.is_empty());
}

#[test]
fn declared_models_and_markers_are_compared_with_the_records() {
    let mut f = facts();
    f.labels.clear();
    f.commits[0].message = "Login\n\nAssisted-by: Claude:claude-3-opus".into();
    f.provenance = Some(records(vec![written("src/cart.rs", 10, 40)]));
    let v = evaluate(&f, &example());
    assert_eq!(
        v.ai.lines.disagreements,
        vec![Disagreement::Models {
            declared: vec!["claude-3-opus".into()],
            recorded: vec!["claude-sonnet-4-5".into()]
        }]
    );
    // Markers with records that show no AI-written line.
    f.provenance = Some(records(vec![written("src/cart.rs", 0, 40)]));
    let v = evaluate(&f, &example());
    assert_eq!(v.ai.lines.disagreements, vec![Disagreement::MarkersWithoutRecords { tools: vec![AiTool::ClaudeCode] }]);
}

#[test]
fn the_repository_declaration_is_a_default_the_prs_own_declaration_overrides() {
    let mut f = facts();
    f.labels.clear();
    f.ai_declaration = Some(RepoAiDeclaration::Read(AiDeclaration {
        level: Level::Pair,
        components: vec![("src/auth".into(), Level::None), ("src".into(), Level::Pair)],
    }));
    f.provenance = Some(records(vec![written("src/auth/login.rs", 80, 100), written("src/cart.rs", 30, 40)]));
    let v = evaluate(&f, &example());
    let repo: Vec<&Disagreement> =
        v.ai.lines.disagreements.iter().filter(|d| matches!(d, Disagreement::RepoDeclaredNone { .. })).collect();
    assert_eq!(
        repo,
        vec![&Disagreement::RepoDeclaredNone {
            component: Some("src/auth".into()),
            files: vec![FileShare { path: "src/auth/login.rs".into(), ai_written: 80, added: 100 }],
        }]
    );
    // The PR's own declaration takes precedence over the repository's default.
    f.labels = vec![Label { name: "ai:assisted".into(), applied_by: None }];
    assert!(evaluate(&f, &example()).ai.lines.disagreements.is_empty());
}
