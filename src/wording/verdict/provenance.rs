//! Line-level AI provenance in the AI section: which record sources were read, how many added
//! lines AI wrote, each tier's `max_ai_share` check, where what was declared disagrees with what
//! was detected (with figures), the repository's `AI-DECLARATION.md`, and the annotation on a
//! file with AI-written lines.

use crate::model::ai_declaration::RepoAiDeclaration;
use crate::model::provenance::{FileProvenance, SourceKind, SourceRead, SourceState};
use crate::policy::ai::lines::{Disagreement, FileShare, LinesVerdict, ShareCheck, ShareUnknown};
use crate::wording::{Flavor, count, plural};

use super::ai::declared_word;

/// Files named in one sentence; past this many, they are counted.
const FILES_SHOWN: usize = 3;

/// The title of the annotation on a file with AI-written lines.
pub const AI_WRITTEN_ANNOTATION_TITLE: &str = "flowgate: AI-written";

pub fn source_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::GitAi => "git-ai",
        SourceKind::Whogitit => "whogitit",
        SourceKind::AgentTrace => "Agent Trace",
    }
}

fn source_state(s: &SourceRead) -> String {
    let name = source_name(s.kind);
    match &s.state {
        SourceState::Read { records } => format!("{name} read ({})", count(*records, "record", "records")),
        SourceState::Missing => format!("{name} none kept"),
        SourceState::Corrupt { reason } => format!("{name} corrupt ({reason})"),
        SourceState::Unreadable { reason } => format!("{name} unreadable ({reason})"),
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A whole percentage, rounded to the nearest; 0 of nothing.
pub fn percent(part: u64, whole: u64) -> u64 {
    part.saturating_mul(100).saturating_add(whole / 2).checked_div(whole).unwrap_or(0)
}

fn file_share(s: &FileShare, f: Flavor) -> String {
    format!(
        "{} ({}% AI-written: {} of {} added lines)",
        f.code(&s.path),
        percent(s.ai_written, s.added),
        s.ai_written,
        s.added
    )
}

fn named_files(files: &[String], f: Flavor) -> String {
    let mut named: Vec<String> = files.iter().take(FILES_SHOWN).map(|p| f.code(p)).collect();
    if files.len() > FILES_SHOWN {
        named.push(format!("{} more", files.len() - FILES_SHOWN));
    }
    and_list(&named)
}

/// What the line records say of the whole PR: the sources read and the AI-written lines.
/// Nothing when this source could not look (the share checks say so where it matters).
fn records_lines(lines: &LinesVerdict) -> Vec<String> {
    let Some(p) = &lines.provenance else { return Vec::new() };
    if p.sources.is_empty() {
        return Vec::new();
    }
    let sources: Vec<String> = p.sources.iter().map(source_state).collect();
    let mut out = vec![format!("line records: {}", sources.join(", "))];
    let totals = p.totals();
    if p.has_records() && totals.added() > 0 {
        let mut names: Vec<String> = Vec::new();
        for file in &p.files {
            for name in file.models().into_iter().chain(file.tools()) {
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_string());
                }
            }
        }
        let by = if names.is_empty() { String::new() } else { format!(", by {}", names.join(", ")) };
        let changed = match totals.ai_modified {
            0 => String::new(),
            n => format!(", {n} of them changed since by a person"),
        };
        out.push(format!(
            "AI-written lines: {} of {} added ({}%{changed}){by}",
            totals.ai_written(),
            totals.added(),
            percent(totals.ai_written(), totals.added()),
        ));
    }
    out
}

/// One tier's `max_ai_share` check, and whether the tier's AI review applies because of it.
pub fn share_line(c: &ShareCheck, f: Flavor) -> String {
    let tier = c.tier.id();
    let max = format!("{}%", c.max.0);
    if let Some(why) = &c.unknown {
        let why = match why {
            ShareUnknown::NotLooked => "line records were not looked for here".to_string(),
            ShareUnknown::Source { kind, reason } => {
                format!("the {} records could not be read ({reason})", source_name(*kind))
            }
        };
        return format!(
            "{tier} files cannot be shown at most {max} AI-written: {why}, so the {tier} AI review applies"
        );
    }
    let mut reasons: Vec<String> = Vec::new();
    if !c.over.is_empty() {
        let mut shown: Vec<String> = c.over.iter().take(FILES_SHOWN).map(|s| file_share(s, f)).collect();
        if c.over.len() > FILES_SHOWN {
            shown.push(format!("{} more", c.over.len() - FILES_SHOWN));
        }
        let verb = plural(c.over.len() as u64, "is", "are");
        reasons.push(format!("{} {verb} over {max}", and_list(&shown)));
    }
    if !c.unmeasured.is_empty() {
        let verb = plural(c.unmeasured.len() as u64, "is", "are");
        reasons.push(format!("{} {verb} AI-touched with no line record to measure", named_files(&c.unmeasured, f)));
    }
    if reasons.is_empty() {
        return format!(
            "{tier} files are at most {max} AI-written by their line records: no {tier} AI review for AI share"
        );
    }
    format!("{}: the {tier} AI review applies (max_ai_share {max})", reasons.join("; "))
}

fn records_from(sources: &[SourceKind], tools: &[String]) -> String {
    let names: Vec<String> = sources.iter().map(|s| source_name(*s).to_string()).collect();
    let names = if names.is_empty() { "line".to_string() } else { and_list(&names) };
    if tools.is_empty() {
        format!("{names} records of AI")
    } else {
        format!("{names} records from {}", and_list(tools))
    }
}

/// One disagreement between what was declared and what was detected, with its figures.
pub fn disagreement(d: &Disagreement, f: Flavor) -> String {
    match d {
        Disagreement::RecordsUndeclared { declared, ai_written, added, sources, tools } => {
            let said = match declared {
                Some(d) => format!("declared {}", declared_word(*d)),
                None => "not declared".to_string(),
            };
            format!("{said}; {ai_written} of {added} added lines carry {}", records_from(sources, tools))
        }
        Disagreement::Models { declared, recorded } => format!(
            "Assisted-by names {}; the line records name {}",
            and_list(&declared.iter().map(|m| f.code(m)).collect::<Vec<_>>()),
            and_list(&recorded.iter().map(|m| f.code(m)).collect::<Vec<_>>())
        ),
        Disagreement::RepoDeclaredNone { component, files } => {
            let scope = match component {
                Some(c) => format!("for {}", f.code(c)),
                None => "for the whole repository".to_string(),
            };
            let mut shown: Vec<String> = files
                .iter()
                .take(FILES_SHOWN)
                .map(|s| {
                    if s.ai_written > 0 {
                        file_share(s, f)
                    } else {
                        format!("{} (changed by a marked commit)", f.code(&s.path))
                    }
                })
                .collect();
            if files.len() > FILES_SHOWN {
                shown.push(format!("{} more", files.len() - FILES_SHOWN));
            }
            format!(
                "AI-DECLARATION.md declares none {scope} and the PR declares nothing, but AI was detected on {}",
                and_list(&shown)
            )
        }
        Disagreement::MarkersWithoutRecords { tools } => {
            let names: Vec<String> = tools.iter().map(|t| t.name().to_string()).collect();
            format!("markers of {} were found, but no line record covers an AI-written line", and_list(&names))
        }
    }
}

/// A repository declaration that could not be read; nothing when it was read or is missing.
fn repo_declaration_line(d: Option<&RepoAiDeclaration>) -> Option<String> {
    match d? {
        RepoAiDeclaration::Bad { line, reason } => {
            let at = line.map(|l| format!(" (line {l})")).unwrap_or_default();
            Some(format!("AI-DECLARATION.md{at} could not be read: {reason}; its defaults are not used"))
        }
        RepoAiDeclaration::Read(_) | RepoAiDeclaration::Missing => None,
    }
}

/// The AI section's lines about line records, shares and disagreements, in that order.
pub fn lines_details(lines: &LinesVerdict, f: Flavor) -> Vec<String> {
    let mut out = records_lines(lines);
    out.extend(lines.shares.iter().map(|c| share_line(c, f)));
    out.extend(lines.disagreements.iter().map(|d| format!("declared and detected disagree: {}", disagreement(d, f))));
    out.extend(repo_declaration_line(lines.repo_declaration.as_ref()));
    out
}

/// The annotation on a file with AI-written lines: its share and the models (else tools) named.
pub fn ai_written_annotation(file: &FileProvenance) -> String {
    let share = percent(file.lines.ai_written(), file.lines.added());
    let models = file.models();
    let names = if models.is_empty() { file.tools() } else { models };
    if names.is_empty() {
        format!("AI-written: {share}% of added lines")
    } else {
        format!("AI-written: {share}% of added lines, {}", names.join(", "))
    }
}

#[cfg(test)]
mod tests;
