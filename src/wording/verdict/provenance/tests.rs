//! The words of line-level AI provenance, pinned.

use super::super::tests::{show, verdict};
use super::*;
use crate::model::ai_declaration::RepoAiDeclaration;
use crate::model::provenance::{LineRun, Origin, Provenance};
use crate::policy::Tier;
use crate::policy::ai::markers::{AiTool, Declared};
use crate::policy::ai::share::MaxAiShare;
use crate::policy::verdict::AiFilesBasis;
use crate::wording::verdict::ai_section;

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

fn login() -> FileProvenance {
    FileProvenance::from_runs(
        "src/auth/rate_limit.rs",
        vec![
            run(1, 30, Origin::Ai, Some("claude-sonnet-4-5")),
            run(31, 40, Origin::AiModified, Some("claude-sonnet-4-5")),
            run(41, 50, Origin::Human, None),
        ],
    )
}

fn provenance() -> Provenance {
    Provenance {
        sources: vec![
            SourceRead { kind: SourceKind::GitAi, state: SourceState::Read { records: 2 } },
            SourceRead { kind: SourceKind::Whogitit, state: SourceState::Missing },
        ],
        files: vec![login()],
    }
}

#[test]
fn the_annotation_gives_the_share_and_the_models() {
    insta::assert_snapshot!(ai_written_annotation(&login()), @"AI-written: 80% of added lines, claude-sonnet-4-5");
    let tools_only =
        FileProvenance::from_runs("a.rs", vec![run(1, 2, Origin::Ai, None), run(3, 3, Origin::Unknown, None)]);
    insta::assert_snapshot!(ai_written_annotation(&tools_only), @"AI-written: 67% of added lines, claude");
    insta::assert_snapshot!(AI_WRITTEN_ANNOTATION_TITLE, @"flowgate: AI-written");
}

#[test]
fn each_disagreement_with_its_figures() {
    let undeclared = Disagreement::RecordsUndeclared {
        declared: Some(Declared::None),
        ai_written: 212,
        added: 340,
        sources: vec![SourceKind::GitAi],
        tools: vec!["claude".into()],
    };
    insta::assert_snapshot!(disagreement(&undeclared, Flavor::Plain), @"declared none; 212 of 340 added lines carry git-ai records from claude");
    let silent = Disagreement::RecordsUndeclared {
        declared: None,
        ai_written: 5,
        added: 9,
        sources: vec![SourceKind::Whogitit, SourceKind::AgentTrace],
        tools: Vec::new(),
    };
    insta::assert_snapshot!(disagreement(&silent, Flavor::Plain), @"not declared; 5 of 9 added lines carry whogitit and Agent Trace records of AI");
    let models = Disagreement::Models {
        declared: vec!["claude-3-opus".into()],
        recorded: vec!["claude-sonnet-4-5".into(), "gpt-5".into()],
    };
    insta::assert_snapshot!(disagreement(&models, Flavor::Markdown), @"Assisted-by names `claude-3-opus`; the line records name `claude-sonnet-4-5` and `gpt-5`");
    let repo = Disagreement::RepoDeclaredNone {
        component: Some("src/auth".into()),
        files: vec![
            FileShare { path: "src/auth/login.rs".into(), ai_written: 80, added: 100 },
            FileShare { path: "src/auth/token.rs".into(), ai_written: 0, added: 12 },
        ],
    };
    insta::assert_snapshot!(disagreement(&repo, Flavor::Plain), @"AI-DECLARATION.md declares none for src/auth and the PR declares nothing, but AI was detected on src/auth/login.rs (80% AI-written: 80 of 100 added lines) and src/auth/token.rs (changed by a marked commit)");
    let whole = Disagreement::RepoDeclaredNone {
        component: None,
        files: vec![FileShare { path: "a.rs".into(), ai_written: 1, added: 3 }],
    };
    insta::assert_snapshot!(disagreement(&whole, Flavor::Plain), @"AI-DECLARATION.md declares none for the whole repository and the PR declares nothing, but AI was detected on a.rs (33% AI-written: 1 of 3 added lines)");
    let markers = Disagreement::MarkersWithoutRecords { tools: vec![AiTool::ClaudeCode, AiTool::Cursor] };
    insta::assert_snapshot!(disagreement(&markers, Flavor::Plain), @"markers of Claude Code and Cursor were found, but no line record covers an AI-written line");
}

#[test]
fn each_share_check_says_whether_the_tiers_ai_review_applies() {
    let check = |over: Vec<FileShare>, unmeasured: Vec<String>, unknown: Option<ShareUnknown>| {
        share_line(&ShareCheck { tier: Tier::Red, max: MaxAiShare(50), over, unmeasured, unknown }, Flavor::Markdown)
    };
    insta::assert_snapshot!(check(Vec::new(), Vec::new(), None), @"red files are at most 50% AI-written by their line records: no red AI review for AI share");
    let over = vec![FileShare { path: "src/auth/login.rs".into(), ai_written: 51, added: 100 }];
    insta::assert_snapshot!(check(over.clone(), Vec::new(), None), @"`src/auth/login.rs` (51% AI-written: 51 of 100 added lines) is over 50%: the red AI review applies (max_ai_share 50%)");
    let many: Vec<String> = (1..=5).map(|n| format!("src/auth/{n}.rs")).collect();
    insta::assert_snapshot!(check(over, many, None), @"`src/auth/login.rs` (51% AI-written: 51 of 100 added lines) is over 50%; `src/auth/1.rs`, `src/auth/2.rs`, `src/auth/3.rs` and 2 more are AI-touched with no line record to measure: the red AI review applies (max_ai_share 50%)");
    insta::assert_snapshot!(check(Vec::new(), Vec::new(), Some(ShareUnknown::NotLooked)), @"red files cannot be shown at most 50% AI-written: line records were not looked for here, so the red AI review applies");
    let corrupt = ShareUnknown::Source { kind: SourceKind::GitAi, reason: "note on abc1234 is not JSON".into() };
    insta::assert_snapshot!(check(Vec::new(), Vec::new(), Some(corrupt)), @"red files cannot be shown at most 50% AI-written: the git-ai records could not be read (note on abc1234 is not JSON), so the red AI review applies");
}

#[test]
fn the_ai_section_shows_records_shares_disagreements_and_a_bad_repository_declaration() {
    let mut v = verdict("auth-login");
    v.ai.files_basis = AiFilesBasis::LineRecords;
    v.ai.lines.provenance = Some(provenance());
    v.ai.lines.shares = vec![ShareCheck {
        tier: Tier::Red,
        max: MaxAiShare(50),
        over: vec![FileShare { path: "src/auth/rate_limit.rs".into(), ai_written: 40, added: 50 }],
        unmeasured: Vec::new(),
        unknown: None,
    }];
    v.ai.lines.disagreements = vec![Disagreement::Models {
        declared: vec!["claude-3-opus".into()],
        recorded: vec!["claude-sonnet-4-5".into()],
    }];
    v.ai.lines.repo_declaration = Some(RepoAiDeclaration::Bad {
        line: Some(5),
        reason: "its front matter is not valid: components.lib: unknown variant `mostly`".into(),
    });
    insta::assert_snapshot!(show(&ai_section(&v, Flavor::Markdown)), @r"
    ✅ AI disclosure: declared assisted; detected Claude Code
      declared by the PR description
      commit `ccccccc` carries `Co-Authored-By: Claude <noreply@anthropic.com>` (claude-code); changed `src/auth/rate_limit.rs`, `tests/login_test.rs`
      AI-touched files: 2 (from the line-level AI records and the marked commits)
      line records: git-ai read (2 records), whogitit none kept
      AI-written lines: 40 of 50 added (80%, 10 of them changed since by a person), by claude-sonnet-4-5, claude
      `src/auth/rate_limit.rs` (80% AI-written: 40 of 50 added lines) is over 50%: the red AI review applies (max_ai_share 50%)
      declared and detected disagree: Assisted-by names `claude-3-opus`; the line records name `claude-sonnet-4-5`
      AI-DECLARATION.md (line 5) could not be read: its front matter is not valid: components.lib: unknown variant `mostly`; its defaults are not used
    ");
    // A source that could not look for records adds nothing to the section by itself.
    v.ai.lines = Default::default();
    v.ai.files_basis = AiFilesBasis::MarkedCommits;
    assert_eq!(ai_section(&v, Flavor::Plain), ai_section(&verdict("auth-login"), Flavor::Plain));
}
