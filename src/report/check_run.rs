//! The verdict as a GitHub check run: status and conclusion, a title that says what is missing,
//! the Markdown report as the summary (cut to GitHub's limit), and findings as annotations.
//!
//! A pending verdict keeps the run `in_progress`: the PR waits for people, not for changes, and a
//! required check that is still in progress blocks the merge exactly like a failure would, while
//! showing the yellow dot that says "waiting". (`action_required` would demand a details page and
//! show the PR as needing the author's action.)

use crate::model::edited_policy::EditedPolicy;
use crate::policy::verdict::State;
use crate::policy::verdict::Verdict;

use super::markdown;
use crate::wording::Flavor;
use crate::wording::shadow as shadow_words;
use crate::wording::verdict as wording;

/// GitHub refuses a check run summary longer than this.
pub(crate) const SUMMARY_LIMIT: usize = 65_535;
pub use crate::model::check_run::{Annotation, CannotEvaluate, CheckRunReport, NEUTRAL};

pub fn check_run(v: &Verdict) -> CheckRunReport {
    let conclusion = match v.state {
        State::Pass => Some("success"),
        State::Fail => Some("failure"),
        State::Pending => None,
    };
    CheckRunReport {
        conclusion,
        title: title(v),
        summary: cut(&markdown::render(v), SUMMARY_LIMIT),
        annotations: annotations(v),
    }
}

/// The run in shadow mode (`enforcement: evaluate`): always completed and `neutral`, so a required
/// check never blocks, with a title and a first line that say what flowgate would have concluded
/// and why, then the usual report and annotations.
pub fn shadow(v: &Verdict) -> CheckRunReport {
    let summary = format!("{}\n\n{}", shadow_words::verdict_note(v, Flavor::Markdown), markdown::render(v));
    CheckRunReport {
        conclusion: Some(NEUTRAL),
        title: cut_plain(&shadow_words::verdict_title(v), 250),
        summary: cut(&summary, SUMMARY_LIMIT),
        annotations: annotations(v),
    }
}

/// Any enforced run (a merge group's) made a shadow-mode one: `neutral`, saying what it would have
/// concluded, its own title as the reason.
pub fn shadow_of(report: &CheckRunReport) -> CheckRunReport {
    let would = match report.conclusion {
        Some("success") => State::Pass,
        None => State::Pending,
        Some(_) => State::Fail,
    };
    let summary = format!("{}\n\n{}", shadow_words::note(would, &report.title, Flavor::Markdown), report.summary);
    CheckRunReport {
        conclusion: Some(NEUTRAL),
        title: cut_plain(&shadow_words::title(would, &report.title), 250),
        summary: cut(&summary, SUMMARY_LIMIT),
        annotations: report.annotations.clone(),
    }
}

/// A neutral run in shadow mode that says why flowgate could not judge the PR, and that enforced it
/// would fail.
pub fn cannot_evaluate_shadow(why: CannotEvaluate, error: &str) -> CheckRunReport {
    let (title, summary) = crate::wording::app::cannot_evaluate_shadow(why, error);
    CheckRunReport {
        conclusion: Some(NEUTRAL),
        title: cut_plain(&title, 250),
        summary: cut(&summary, SUMMARY_LIMIT),
        annotations: Vec::new(),
    }
}

/// A failed run that says why flowgate could not judge the PR. Failure, never success: a PR
/// flowgate cannot see is not a PR that passed (fail closed), and a required check that failed
/// tells the author at once, where a missing one would only wait.
pub(crate) fn cannot_evaluate(why: CannotEvaluate, error: &str) -> CheckRunReport {
    let (title, summary) = crate::wording::app::cannot_evaluate(why, error);
    CheckRunReport {
        conclusion: Some("failure"),
        title: cut_plain(&title, 250),
        summary: cut(&summary, SUMMARY_LIMIT),
        annotations: Vec::new(),
    }
}

/// The run with whose turn it is (`Waiting on: …`, from `wording::slo`) as the summary's first
/// line, or in shadow mode right after the note that says so (which stays first); the same run
/// when there is no line (a closed PR).
pub fn with_waiting_line(report: CheckRunReport, line: Option<&str>, shadow: bool) -> CheckRunReport {
    let Some(line) = line else { return report };
    let summary = match report.summary.split_once("\n\n") {
        Some((note, rest)) if shadow => format!("{note}\n\n{line}\n\n{rest}"),
        _ => format!("{line}\n\n{}", report.summary),
    };
    CheckRunReport { summary: cut(&summary, SUMMARY_LIMIT), ..report }
}

/// The line GitHub shows next to the check's name: for a pending PR, whose review is missing.
pub fn title(v: &Verdict) -> String {
    // GitHub shows titles on one line; keep them readable there.
    cut_plain(&wording::check_run_title(v), 250)
}

/// At most this many AI-touched files are annotated: a PR whose every file is AI-touched by a
/// label or its description would otherwise send one request per 50 files for the same sentence.
pub(crate) const AI_ANNOTATIONS_LIMIT: usize = 100;

/// One notice per AI-touched file, on its first line, saying which commit (and marker) made it so;
/// a file whose line records show AI-written lines gets its share instead, on its first AI-written
/// run (and both when a marked commit changed it too).
fn ai_annotations(v: &Verdict) -> Vec<Annotation> {
    let written = super::provenance::ai_written_files(v);
    let has_share = |path: &str| written.iter().any(|w| w.path == path);
    let touched: Vec<Annotation> =
        v.ai.touched_by
            .iter()
            .filter(|(path, shas)| !shas.is_empty() || !has_share(path))
            .map(|(path, shas)| Annotation {
                path: path.clone(),
                start_line: 1,
                end_line: 1,
                level: "notice",
                title: wording::AI_ANNOTATION_TITLE.to_string(),
                message: wording::ai_touched_annotation(&v.ai, shas),
            })
            .collect();
    let written = written.iter().map(|file| {
        let (start_line, end_line) = super::provenance::first_ai_run(file);
        Annotation {
            path: file.path.clone(),
            start_line,
            end_line,
            level: "notice",
            title: wording::AI_WRITTEN_ANNOTATION_TITLE.to_string(),
            message: wording::ai_written_annotation(file),
        }
    });
    written.chain(touched).take(AI_ANNOTATIONS_LIMIT).collect()
}

/// Every tree-sitter finding, at its line, as a warning where it raised the file's tier; then
/// every AI-touched file.
pub fn annotations(v: &Verdict) -> Vec<Annotation> {
    let mut out = Vec::new();
    for file in &v.files {
        let Some(analysis) = &file.analysis else { continue };
        for finding in &analysis.findings {
            let raised = file.reasons.iter().any(|r| {
                matches!(r, crate::policy::verdict::TierReason::Code { line, detector, .. }
                    if *line == finding.line && *detector == finding.detector)
            });
            out.push(Annotation {
                path: file.path.clone(),
                start_line: finding.line.max(1),
                end_line: finding.line.max(1),
                level: if raised { "warning" } else { "notice" },
                title: wording::finding_annotation_title(&finding.detector),
                message: wording::finding_annotation(&finding.symbol, file.tier, raised),
            });
        }
    }
    out.extend(ai_annotations(v));
    out.extend(edited_policy_annotations(v));
    out
}

/// One failure per error of an edited policy that does not load, on its file at its line (the
/// first line when the loader gives none).
fn edited_policy_annotations(v: &Verdict) -> Vec<Annotation> {
    let Some(EditedPolicy::Broken(problems)) = &v.edited_policy else { return Vec::new() };
    problems
        .iter()
        .filter(|p| !p.file.is_empty())
        .map(|p| {
            let line = p.line.and_then(|l| u32::try_from(l).ok()).unwrap_or(1).max(1);
            Annotation {
                path: p.file.clone(),
                start_line: line,
                end_line: line,
                level: "failure",
                title: wording::EDITED_POLICY_ANNOTATION_TITLE.to_string(),
                message: wording::policy_problem_annotation(p),
            }
        })
        .collect()
}

/// Cuts Markdown to at most `limit` bytes (so also characters) at a line break, saying so.
pub fn cut(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let note = format!("\n\n{}\n", wording::REPORT_CUT);
    let mut end = limit - note.len();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let end = text[..end].rfind('\n').unwrap_or(end);
    format!("{}{note}", &text[..end])
}

fn cut_plain(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut out: String = text.chars().take(limit - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_report_is_cut_under_the_limit_with_a_note() {
        let text = "🔴 a line of the report that repeats\n".repeat(5_000);
        let out = cut(&text, SUMMARY_LIMIT);
        assert!(out.len() <= SUMMARY_LIMIT, "{} bytes", out.len());
        assert!(out.chars().count() <= SUMMARY_LIMIT);
        assert!(out.contains("The report was cut here"));
        assert!(out.contains("repeats\n\n…"), "cut at a line break");
        assert_eq!(cut("short", SUMMARY_LIMIT), "short");
    }
}
