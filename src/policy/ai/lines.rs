//! What line-level AI provenance (git-ai, whogitit, Agent Trace records) adds to the AI rule: the
//! files the records show AI wrote lines of, each tier's `max_ai_share` check, and where what the
//! PR (or the repository's `AI-DECLARATION.md`) declares disagrees with what was detected.
//!
//! Records only ever add: a file a marked commit changed stays AI-touched whatever its records
//! say, and where the records cannot be read the share rule fails closed.

use std::collections::BTreeSet;

use super::markers::{AiTool, Declared, Marker};
use super::share::MaxAiShare;
use crate::model::PrFacts;
use crate::model::ai_declaration::{Level, RepoAiDeclaration};
use crate::model::provenance::{FileProvenance, Origin, Provenance, SourceKind, SourceState};
use crate::policy::Tier;
use crate::policy::verdict::FileVerdict;

/// The line-level part of the AI verdict.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinesVerdict {
    /// The provenance as gathered; `None`: the source could not look for it.
    pub provenance: Option<Provenance>,
    /// One check per tier whose AI rule sets `max_ai_share` and that has files in the PR.
    pub shares: Vec<ShareCheck>,
    /// Where the declarations and the detection disagree, with figures.
    pub disagreements: Vec<Disagreement>,
    /// The base branch's `AI-DECLARATION.md`, when gathered.
    pub repo_declaration: Option<RepoAiDeclaration>,
}

/// One file's AI-written lines (`ai` + `ai-modified`) of its added lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileShare {
    pub path: String,
    pub ai_written: u64,
    pub added: u64,
}

/// Why the records cannot show a file under the share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareUnknown {
    /// This source could not look for line records at all.
    NotLooked,
    /// A source is present but corrupt or could not be read, so its records may be missing.
    Source { kind: SourceKind, reason: String },
}

/// `ai.tiers.<tier>.max_ai_share` against the tier's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareCheck {
    pub tier: Tier,
    pub max: MaxAiShare,
    /// Files of the tier over the share.
    pub over: Vec<FileShare>,
    /// AI-touched files of the tier (by a marker or a declaration) that no record covers: the
    /// claim stands, since nothing measures it.
    pub unmeasured: Vec<String>,
    /// Set when the records cannot be trusted to be complete: the PR cannot be shown under.
    pub unknown: Option<ShareUnknown>,
}

impl ShareCheck {
    /// Whether the tier's AI review applies.
    pub fn applies(&self) -> bool {
        self.unknown.is_some() || !self.over.is_empty() || !self.unmeasured.is_empty()
    }
}

/// A place where what was declared and what was detected disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disagreement {
    /// The PR declares no AI use (`declared: Some(None)`) or nothing at all (`None`), but line
    /// records cover AI-written lines.
    RecordsUndeclared {
        declared: Option<Declared>,
        ai_written: u64,
        added: u64,
        sources: Vec<SourceKind>,
        tools: Vec<String>,
    },
    /// `Assisted-by:` names models the line records do not, or the records name others.
    Models { declared: Vec<String>, recorded: Vec<String> },
    /// The PR declares nothing; the repository's `AI-DECLARATION.md` gives `level` none to these
    /// files (under `component`, or the whole repository), and AI was detected on them.
    RepoDeclaredNone { component: Option<String>, files: Vec<FileShare> },
    /// Markers of these tools were found, but the line records cover no AI-written line.
    MarkersWithoutRecords { tools: Vec<AiTool> },
}

/// Why the line records of `p` cannot show every file's share, if they cannot.
fn unknown(p: Option<&Provenance>) -> Option<ShareUnknown> {
    let Some(p) = p else { return Some(ShareUnknown::NotLooked) };
    p.sources.iter().find_map(|s| match &s.state {
        SourceState::Corrupt { reason } | SourceState::Unreadable { reason } => {
            Some(ShareUnknown::Source { kind: s.kind, reason: reason.clone() })
        }
        SourceState::Read { .. } | SourceState::Missing => None,
    })
}

/// Whether some record covers some of the file's added lines, so its share is measured.
fn measured(f: &FileProvenance) -> bool {
    f.lines.unknown < f.lines.added()
}

fn share(f: &FileProvenance) -> FileShare {
    FileShare { path: f.path.clone(), ai_written: f.lines.ai_written(), added: f.lines.added() }
}

/// The changed files the line records show AI wrote lines of, when any source held records.
pub(super) fn record_files(facts: &PrFacts) -> Option<BTreeSet<&str>> {
    let p = facts.provenance.as_ref().filter(|p| p.has_records())?;
    let files = facts
        .files
        .iter()
        .filter(|f| p.file(&f.path).is_some_and(|r| r.lines.ai_written() > 0))
        .map(|f| f.path.as_str())
        .collect();
    Some(files)
}

/// Each `max_ai_share` tier with files in the PR, checked. A file is over when more than the
/// share of its added lines is AI-written by its records; an AI-touched file no record covers
/// counts as over (the marker's claim stands); unreadable records make the whole tier unknown.
pub fn share_checks(
    max_ai_share: &std::collections::BTreeMap<Tier, MaxAiShare>,
    facts: &PrFacts,
    files: &[FileVerdict],
) -> Vec<ShareCheck> {
    let p = facts.provenance.as_ref();
    max_ai_share
        .iter()
        .filter(|(tier, _)| files.iter().any(|f| f.tier == **tier))
        .map(|(tier, max)| {
            let mut check =
                ShareCheck { tier: *tier, max: *max, over: Vec::new(), unmeasured: Vec::new(), unknown: unknown(p) };
            for file in files.iter().filter(|f| f.tier == *tier) {
                match p.and_then(|p| p.file(&file.path)).filter(|r| measured(r)) {
                    Some(r) if max.exceeded_by(r.lines.ai_written(), r.lines.added()) => check.over.push(share(r)),
                    Some(_) => {}
                    None if file.ai_touched => check.unmeasured.push(file.path.clone()),
                    None => {}
                }
            }
            check
        })
        .collect()
}

/// The tools the records name on AI-written lines across the PR, sorted, once each.
fn recorded_tools(p: &Provenance) -> Vec<String> {
    let mut tools: Vec<String> = p.files.iter().flat_map(|f| f.tools()).map(str::to_string).collect();
    tools.sort();
    tools.dedup();
    tools
}

fn recorded_models(p: &Provenance) -> Vec<String> {
    let mut models: Vec<String> = p.files.iter().flat_map(|f| f.models()).map(str::to_string).collect();
    models.sort();
    models.dedup();
    models
}

/// The sources whose records cover AI-written lines.
fn ai_sources(p: &Provenance) -> Vec<SourceKind> {
    let ai = |o: Origin| matches!(o, Origin::Ai | Origin::AiModified);
    let set: BTreeSet<SourceKind> =
        p.files.iter().flat_map(|f| f.runs.iter()).filter(|r| ai(r.origin)).filter_map(|r| r.source).collect();
    set.into_iter().collect()
}

/// Where what was declared (the PR's declaration, `Assisted-by:` models, the repository's
/// `AI-DECLARATION.md` defaults) disagrees with what was detected (markers, line records).
/// `exactly_touched`: the AI-touched files when evidence names them (marked commits, records),
/// empty when AI use was spread over every file.
pub(super) fn disagreements(
    facts: &PrFacts,
    declared: Option<Declared>,
    markers: &[Marker],
    exactly_touched: &[String],
) -> Vec<Disagreement> {
    let mut out = Vec::new();
    let records = facts.provenance.as_ref().filter(|p| p.has_records());
    if let Some(p) = records {
        let totals = p.totals();
        let declares_use = declared.is_some_and(|d| d > Declared::None);
        if totals.ai_written() > 0 && !declares_use {
            out.push(Disagreement::RecordsUndeclared {
                declared,
                ai_written: totals.ai_written(),
                added: totals.added(),
                sources: ai_sources(p),
                tools: recorded_tools(p),
            });
        }
        let mut declared_models: Vec<String> = markers.iter().filter_map(|m| m.model.clone()).collect();
        declared_models.sort();
        declared_models.dedup();
        let recorded = recorded_models(p);
        let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        let unmatched = recorded.iter().any(|r| !declared_models.iter().any(|d| same(d, r)))
            || declared_models.iter().any(|d| !recorded.iter().any(|r| same(d, r)));
        if !declared_models.is_empty() && !recorded.is_empty() && unmatched {
            out.push(Disagreement::Models { declared: declared_models, recorded });
        }
        let mut tools: Vec<AiTool> = markers.iter().map(|m| m.tool).collect();
        tools.sort();
        tools.dedup();
        if totals.ai_written() == 0 && !tools.is_empty() {
            out.push(Disagreement::MarkersWithoutRecords { tools });
        }
    }
    if declared.is_none()
        && let Some(RepoAiDeclaration::Read(file)) = &facts.ai_declaration
    {
        // Files the repository declares no AI for, grouped by the component that says so.
        let mut groups: Vec<(Option<String>, Vec<FileShare>)> = Vec::new();
        for f in &facts.files {
            let Some((level, component)) = file.level_for(&f.path) else { continue };
            if level_declares(level) != Declared::None {
                continue;
            }
            let recorded = records.and_then(|p| p.file(&f.path)).map(share);
            let detected = match recorded {
                Some(s) if s.ai_written > 0 => s,
                _ if exactly_touched.contains(&f.path) => {
                    FileShare { path: f.path.clone(), ai_written: 0, added: f.additions }
                }
                _ => continue,
            };
            let component = component.map(str::to_string);
            match groups.iter_mut().find(|(c, _)| *c == component) {
                Some((_, files)) => files.push(detected),
                None => groups.push((component, vec![detected])),
            }
        }
        out.extend(groups.into_iter().map(|(component, files)| Disagreement::RepoDeclaredNone { component, files }));
    }
    out
}

/// Whether the repository's `AI-DECLARATION.md` can change this PR's report: it is a default for a
/// PR that declares nothing, compared only where AI was detected (so gathering can spare the read).
pub fn repo_declaration_matters(policy: &crate::policy::Ai, facts: &PrFacts) -> bool {
    let v = super::evaluate(policy, facts);
    v.declared.is_none() && (!v.markers.is_empty() || record_files(facts).is_some_and(|f| !f.is_empty()))
}

/// The level a repository declaration gives a file, as a PR declaration's strength.
pub fn level_declares(level: Level) -> Declared {
    match level {
        Level::None => Declared::None,
        Level::Hint | Level::Assist | Level::Pair => Declared::Assisted,
        Level::Copilot | Level::Auto => Declared::Generated,
    }
}

#[cfg(test)]
mod tests;
