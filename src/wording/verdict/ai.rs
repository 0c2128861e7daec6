//! The AI disclosure rule: what the PR declares, the markers found and where, the commits that
//! make files AI-touched, and the label and annotation that say so on GitHub.

use super::linkage::exemption;
use super::section::{Mark, Section};
use crate::policy::ai::markers::{AiTool, Declared, Marker, MarkerSite};
use crate::policy::verdict::{AiFilesBasis, AiProblem, AiVerdict, Declaration, Verdict};
use crate::wording::Flavor;

/// One tool often leaves several markers on one commit; past this many, they are counted.
const MARKERS_SHOWN: usize = 5;
/// Marked commits listed in the AI section; past this many, they are counted.
const COMMITS_SHOWN: usize = 10;
/// AI-touched files named on one commit's line; past this many, they are counted.
const FILES_PER_COMMIT: usize = 3;
/// Markers named for one commit; past this many, they are counted.
const MARKERS_PER_COMMIT: usize = 2;

/// The title of the annotation on an AI-touched file.
pub const AI_ANNOTATION_TITLE: &str = "flowgate: AI-touched";

pub fn ai_touched_note() -> &'static str {
    "AI-touched"
}

pub fn declared_word(d: Declared) -> &'static str {
    match d {
        Declared::None => "none",
        Declared::Assisted => "assisted",
        Declared::Generated => "generated",
    }
}

fn tools(tools: &[AiTool]) -> String {
    tools.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ")
}

fn site(site: &MarkerSite) -> String {
    match site {
        MarkerSite::Commit { sha } => format!("commit {}", short_sha(sha)),
        MarkerSite::PrAuthor => "PR author".to_string(),
        MarkerSite::Branch => "branch".to_string(),
        MarkerSite::PrBody => "PR description".to_string(),
        MarkerSite::Label => "label".to_string(),
    }
}

fn declaration(d: &Declaration, f: Flavor) -> String {
    match d {
        Declaration::Label(l) => format!("label {}", f.code(l)),
        Declaration::Body => "the PR description".to_string(),
        Declaration::Trailer { sha } => format!("a trailer in commit {}", f.code(sha.short())),
    }
}

fn ai_problem(p: &AiProblem) -> String {
    match p {
        AiProblem::NotDeclared => "AI use is not declared: add the label ai:none, ai:assisted or ai:generated, or tick the AI box in the description".to_string(),
        AiProblem::Undeclared { tools: t } => format!("markers of {} were found but the PR declares no AI use: add ai:assisted or ai:generated", tools(t)),
        AiProblem::DeclaredNoneButDetected { tools: t } => format!("the PR declares no AI use, but markers of {} were found; a declaration cannot hide a marker", tools(t)),
    }
}

pub fn ai_section(v: &Verdict, f: Flavor) -> Section {
    let a = &v.ai;
    let declared = match a.declared {
        Some(d) => format!("declared {}", declared_word(d)),
        None => "not declared".to_string(),
    };
    let detected = a.detected();
    let detected_words = if detected.is_empty() { "nothing".to_string() } else { tools(&detected) };
    let headline = if detected.is_empty() {
        format!("{declared}; no known AI tool detected")
    } else {
        format!("{declared}; detected {}", tools(&detected))
    };
    let mut details = Vec::new();
    if !a.declarations.is_empty() {
        details.push(format!(
            "declared by {}",
            a.declarations.iter().map(|d| declaration(d, f)).collect::<Vec<_>>().join(", ")
        ));
    }
    // Show one marker from each place first: a tool's four markers on one commit say less than
    // its markers on the commit, the branch and the description together.
    let (mut shown, mut rest): (Vec<&Marker>, Vec<&Marker>) = (Vec::new(), Vec::new());
    for m in &a.markers {
        if shown.iter().any(|s| s.site == m.site) { rest.push(m) } else { shown.push(m) }
    }
    shown.extend(rest);
    // Commit markers are listed by commit below, with the files each commit touched.
    let pr_level: Vec<&Marker> = shown.into_iter().filter(|m| !matches!(m.site, MarkerSite::Commit { .. })).collect();
    for m in pr_level.iter().take(MARKERS_SHOWN) {
        details.push(format!("{}: {} ({})", m.tool.id(), f.code(&m.evidence), site(&m.site)));
    }
    if pr_level.len() > MARKERS_SHOWN {
        details.push(format!("… and {} more markers (all are in --format json)", pr_level.len() - MARKERS_SHOWN));
    }
    details.extend(marked_commit_lines(a, f));
    match a.files_basis {
        AiFilesBasis::None => {}
        AiFilesBasis::MarkedCommits => {
            details.push(format!("AI-touched files: {} (from the marked commits)", a.files.len()))
        }
        AiFilesBasis::AllFiles => {
            details.push(format!("AI-touched files: all {} (AI use applies to the whole PR)", a.files.len()))
        }
        AiFilesBasis::LineRecords => details.push(format!(
            "AI-touched files: {} (from the line-level AI records and the marked commits)",
            a.files.len()
        )),
    }
    details.extend(super::provenance::lines_details(&a.lines, f));
    if let Some(e) = &a.exemption {
        details.push(format!("disclosure not required: {}", exemption(e, f)));
    }
    if let Some(w) = &a.warning {
        details.push(format!("warning: {}", ai_problem(w)));
    }
    let Some(problem) = &a.problem else {
        return Section { title: "AI disclosure", mark: Mark::Pass, headline, details };
    };
    details.insert(
        0,
        match a.declared {
            Some(d) => format!("declared {}; detected {detected_words}", declared_word(d)),
            None => format!("detected {detected_words}"),
        },
    );
    Section { title: "AI disclosure", mark: Mark::Fail, headline: ai_problem(problem), details }
}

/// The commits that carried markers, in the order they appear: which markers each carried and
/// which AI-touched files it changed.
fn commit_order(a: &AiVerdict) -> Vec<&str> {
    let mut order: Vec<&str> = Vec::new();
    let from_files = a.touched_by.iter().flat_map(|(_, shas)| shas.iter().map(|s| s.as_str()));
    let from_markers = a.markers.iter().filter_map(|m| match &m.site {
        MarkerSite::Commit { sha } => Some(sha.as_str()),
        _ => None,
    });
    for sha in from_files.chain(from_markers) {
        if !order.contains(&sha) {
            order.push(sha);
        }
    }
    order
}

/// What one commit carried: its markers' evidence with the tool, or its AI trailer.
fn commit_evidence(a: &AiVerdict, sha: &str, f: Flavor) -> String {
    let marks: Vec<String> = a
        .markers
        .iter()
        .filter(|m| matches!(&m.site, MarkerSite::Commit { sha: s } if s == sha))
        .map(|m| format!("{} ({})", f.code(&m.evidence), m.tool.id()))
        .collect();
    let mut text = marks.iter().take(MARKERS_PER_COMMIT).cloned().collect::<Vec<_>>().join(", ");
    match marks.len() {
        0 => text = "an AI-use trailer".to_string(),
        n if n > MARKERS_PER_COMMIT => text.push_str(&format!(" and {} more markers", n - MARKERS_PER_COMMIT)),
        _ => {}
    }
    text
}

fn marked_commit_lines(a: &AiVerdict, f: Flavor) -> Vec<String> {
    let order = commit_order(a);
    let mut lines: Vec<String> = order
        .iter()
        .take(COMMITS_SHOWN)
        .map(|sha| {
            let files: Vec<&str> = a
                .touched_by
                .iter()
                .filter(|(_, shas)| shas.iter().any(|s| s.as_str() == *sha))
                .map(|(p, _)| p.as_str())
                .collect();
            let mut line = format!("commit {} carries {}", f.code(short_sha(sha)), commit_evidence(a, sha, f));
            if !files.is_empty() {
                let named: Vec<String> = files.iter().take(FILES_PER_COMMIT).map(|p| f.code(p)).collect();
                line.push_str(&format!("; changed {}", named.join(", ")));
                if files.len() > FILES_PER_COMMIT {
                    line.push_str(&format!(" and {} more", files.len() - FILES_PER_COMMIT));
                }
            }
            line
        })
        .collect();
    if order.len() > COMMITS_SHOWN {
        lines.push(format!("… and {} more marked commits (all are in --format json)", order.len() - COMMITS_SHOWN));
    }
    lines
}

fn short_sha(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

/// The annotation on one AI-touched file: the commits that make it so and what each carried,
/// or, without commit-level evidence, what made the whole PR AI-touched.
pub fn ai_touched_annotation(a: &AiVerdict, shas: &[crate::model::CommitSha]) -> String {
    let plain = Flavor::Plain;
    if !shas.is_empty() {
        let parts: Vec<String> = shas
            .iter()
            .map(|s| format!("commit {} carries {}", short_sha(s.as_str()), commit_evidence(a, s.as_str(), plain)))
            .collect();
        return format!("AI-touched: {}", parts.join("; "));
    }
    let pr_marker = a.markers.iter().find(|m| !matches!(m.site, MarkerSite::Commit { .. }));
    match (pr_marker, a.declared) {
        (Some(m), _) => format!(
            "AI-touched: the {} carries {} ({}), which covers every file",
            site(&m.site),
            m.evidence,
            m.tool.id()
        ),
        (None, Some(d)) => format!("AI-touched: the PR declares {} AI use, which covers every file", declared_word(d)),
        (None, None) => "AI-touched: a marked commit's files are unknown, so every file counts".to_string(),
    }
}

/// The description of the repository label flowgate creates for a tool (GitHub allows 100 characters).
pub fn tool_label_description(tool: AiTool) -> String {
    format!("flowgate found markers of {} on this pull request", tool.name())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{show, verdict};
    use super::*;
    use crate::model::CommitSha;
    use crate::policy::verdict::{AiState, Exemption};

    fn marker(tool: AiTool, site: MarkerSite, evidence: &str) -> Marker {
        Marker { tool, site, evidence: evidence.into(), model: None }
    }

    #[test]
    fn the_words_of_a_declaration_and_the_ai_touched_note() {
        let words = [Declared::None, Declared::Assisted, Declared::Generated].map(declared_word);
        insta::assert_snapshot!(words.join(", "), @"none, assisted, generated");
        insta::assert_snapshot!(ai_touched_note(), @"AI-touched");
        insta::assert_snapshot!(AI_ANNOTATION_TITLE, @"flowgate: AI-touched");
        insta::assert_snapshot!(tool_label_description(AiTool::ClaudeCode), @"flowgate found markers of Claude Code on this pull request");
    }

    #[test]
    fn the_ai_section_of_a_declared_and_of_an_undeclared_pr() {
        insta::assert_snapshot!(show(&ai_section(&verdict("auth-login"), Flavor::Markdown)), @r"
        ✅ AI disclosure: declared assisted; detected Claude Code
          declared by the PR description
          commit `ccccccc` carries `Co-Authored-By: Claude <noreply@anthropic.com>` (claude-code); changed `src/auth/rate_limit.rs`, `tests/login_test.rs`
          AI-touched files: 2 (from the marked commits)
        ");
        insta::assert_snapshot!(show(&ai_section(&verdict("agent-undeclared"), Flavor::Plain)), @r"
        ❌ AI disclosure: markers of GitHub Copilot were found but the PR declares no AI use: add ai:assisted or ai:generated
          detected GitHub Copilot
          copilot: author Copilot (PR author)
          copilot: branch copilot/speed-up-cart-total (branch)
          copilot: <!-- START COPILOT CODING AGENT TIPS --> (PR description)
          commit 2222222 carries author copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com> (copilot), author login Copilot (copilot) and 2 more markers
          AI-touched files: all 2 (AI use applies to the whole PR)
        ");
    }

    #[test]
    fn each_ai_problem_warning_and_declaration_in_the_section() {
        let mut v = verdict("auth-login");
        v.ai.declarations = vec![
            Declaration::Label("ai:none".into()),
            Declaration::Body,
            Declaration::Trailer { sha: CommitSha::new("abcdef1234567") },
        ];
        v.ai.declared = Some(Declared::None);
        v.ai.state = AiState::Fail;
        v.ai.problem = Some(AiProblem::DeclaredNoneButDetected { tools: vec![AiTool::ClaudeCode] });
        v.ai.warning = Some(AiProblem::NotDeclared);
        v.ai.files_basis = AiFilesBasis::None;
        v.ai.touched_by.clear();
        v.ai.markers = vec![
            marker(AiTool::Cursor, MarkerSite::Label, "cursor"),
            marker(AiTool::Cursor, MarkerSite::PrBody, "Made with Cursor"),
        ];
        v.ai.exemption = Some(Exemption::Label("bot".into()));
        insta::assert_snapshot!(show(&ai_section(&v, Flavor::Plain)), @r"
        ❌ AI disclosure: the PR declares no AI use, but markers of Claude Code were found; a declaration cannot hide a marker
          declared none; detected Cursor
          declared by label ai:none, the PR description, a trailer in commit abcdef1
          cursor: cursor (label)
          cursor: Made with Cursor (PR description)
          disclosure not required: label bot exempts it
          warning: AI use is not declared: add the label ai:none, ai:assisted or ai:generated, or tick the AI box in the description
        ");
        v.ai.problem = Some(AiProblem::NotDeclared);
        v.ai.declared = None;
        v.ai.markers.clear();
        insta::assert_snapshot!(ai_section(&v, Flavor::Plain).details[0], @"detected nothing");
        v.ai.problem = None;
        insta::assert_snapshot!(ai_section(&v, Flavor::Plain).headline, @"not declared; no known AI tool detected");
    }

    #[test]
    fn many_markers_and_many_commits_are_counted() {
        let mut v = verdict("auth-login");
        v.ai.touched_by.clear();
        v.ai.markers = (0..7).map(|n| marker(AiTool::Aider, MarkerSite::Label, &format!("aider-{n}"))).collect();
        v.ai.markers.extend(
            (0..12).map(|n| marker(AiTool::Aider, MarkerSite::Commit { sha: format!("{n:07}abc") }, "(aider)")),
        );
        let details = ai_section(&v, Flavor::Plain).details;
        let counted: Vec<&String> = details.iter().filter(|d| d.starts_with('…')).collect();
        insta::assert_snapshot!(format!("{counted:?}"), @r#"["… and 2 more markers (all are in --format json)", "… and 2 more marked commits (all are in --format json)"]"#);
    }

    #[test]
    fn the_annotation_names_the_commits_or_what_covers_every_file() {
        let v = verdict("auth-login");
        let (_, shas) = &v.ai.touched_by[0];
        insta::assert_snapshot!(ai_touched_annotation(&v.ai, shas), @"AI-touched: commit ccccccc carries Co-Authored-By: Claude <noreply@anthropic.com> (claude-code)");
        let mut a = v.ai.clone();
        a.markers.clear();
        insta::assert_snapshot!(ai_touched_annotation(&a, &[CommitSha::new("1234567890")]), @"AI-touched: commit 1234567 carries an AI-use trailer");
        insta::assert_snapshot!(ai_touched_annotation(&a, &[]), @"AI-touched: the PR declares assisted AI use, which covers every file");
        a.declared = None;
        insta::assert_snapshot!(ai_touched_annotation(&a, &[]), @"AI-touched: a marked commit's files are unknown, so every file counts");
        a.markers.push(marker(AiTool::Copilot, MarkerSite::Branch, "copilot/fix"));
        insta::assert_snapshot!(ai_touched_annotation(&a, &[]), @"AI-touched: the branch carries copilot/fix (copilot), which covers every file");
    }
}
