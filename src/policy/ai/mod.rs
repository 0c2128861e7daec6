//! AI use: what the PR declares, which known tools' markers it carries, which files AI touched,
//! and whether the declaration is honest enough to pass. Markers only ever raise requirements.

mod declared;
pub mod lines;
pub mod markers;
pub mod share;
mod tools;

use std::collections::BTreeSet;

use self::markers::{AiTool, CommitView, Declared, Marker, MarkerSite};
use super::verdict::{AiFilesBasis, AiProblem, AiState, AiVerdict, Declaration, Exemption};
use super::{Ai, Disclosure, OnUndeclared};
use crate::model::{Commit, PrFacts};

/// The labels authors use to declare AI use, and what each declares.
pub(crate) const DECLARATION_LABELS: [(&str, Declared); 3] =
    [("ai:none", Declared::None), ("ai:assisted", Declared::Assisted), ("ai:generated", Declared::Generated)];

pub fn evaluate(policy: &Ai, facts: &PrFacts) -> AiVerdict {
    let mut declarations = Vec::new();
    let mut declared: Option<Declared> = None;
    let mut declare = |d: Declared, how: Declaration, declarations: &mut Vec<Declaration>| {
        declared = Some(declared.map_or(d, |old| old.max(d)));
        declarations.push(how);
    };
    for label in &facts.labels {
        if let Some((_, d)) = DECLARATION_LABELS.iter().find(|(name, _)| label.name.eq_ignore_ascii_case(name)) {
            declare(*d, Declaration::Label(label.name.clone()), &mut declarations);
        }
    }
    if let Some(d) = markers::body_declaration(&facts.body) {
        declare(d, Declaration::Body, &mut declarations);
    }
    let mut declaring_commits = Vec::new();
    for commit in &facts.commits {
        if let Some(d) = markers::trailer_declaration(&commit.message) {
            declare(d, Declaration::Trailer { sha: commit.sha.clone() }, &mut declarations);
            if d > Declared::None {
                declaring_commits.push(commit);
            }
        }
    }

    let mut found: BTreeSet<Marker> = BTreeSet::new();
    for commit in &facts.commits {
        found.extend(markers::commit_markers(&view(commit)));
    }
    let labels: Vec<&str> = facts.labels.iter().map(|l| l.name.as_str()).collect();
    found.extend(markers::pr_markers(facts.author.as_str(), &facts.branch, &facts.body, &labels));
    let markers: Vec<Marker> = found.into_iter().collect();

    let (files, files_basis) = ai_touched_files(facts, declared, &markers, &declaring_commits);
    let touched_by = touching_commits(facts, &files, &markers, &declaring_commits);

    let exemption = if let Some(a) = policy.exempt_authors.iter().find(|a| **a == facts.author) {
        Some(Exemption::Author(a.clone()))
    } else {
        facts
            .labels
            .iter()
            .find(|l| policy.exempt_labels.iter().any(|e| e.eq_ignore_ascii_case(&l.name)))
            .map(|l| Exemption::Label(l.name.clone()))
    };

    let tools: Vec<AiTool> = markers.iter().map(|m| m.tool).collect::<BTreeSet<_>>().into_iter().collect();
    let finding = if exemption.is_some() || policy.disclosure == Disclosure::Off {
        None
    } else if !tools.is_empty() && declared == Some(Declared::None) {
        Some(AiProblem::DeclaredNoneButDetected { tools: tools.clone() })
    } else if !tools.is_empty() && declared.is_none() {
        Some(AiProblem::Undeclared { tools: tools.clone() })
    } else if declared.is_none() && policy.disclosure == Disclosure::Required {
        Some(AiProblem::NotDeclared)
    } else {
        None
    };
    // A missing declaration with nothing detected is only a problem when disclosure is required;
    // contradictions follow `on_undeclared`.
    let (problem, warning) = match finding {
        Some(AiProblem::NotDeclared) => (Some(AiProblem::NotDeclared), None),
        Some(p) if policy.on_undeclared == OnUndeclared::Fail => (Some(p), None),
        Some(p) => (None, Some(p)),
        None => (None, None),
    };
    let exactly_touched: &[String] = if files_basis == AiFilesBasis::AllFiles { &[] } else { &files };
    let lines = lines::LinesVerdict {
        provenance: facts.provenance.clone(),
        shares: Vec::new(), // needs the files' tiers: filled in by the engine
        disagreements: lines::disagreements(facts, declared, &markers, exactly_touched),
        repo_declaration: facts.ai_declaration.clone(),
    };
    AiVerdict {
        state: if problem.is_some() { AiState::Fail } else { AiState::Pass },
        declared,
        declarations,
        markers,
        files,
        files_basis,
        touched_by,
        problem,
        warning,
        exemption,
        lines,
    }
}

fn view(commit: &Commit) -> CommitView<'_> {
    CommitView {
        sha: commit.sha.as_str(),
        message: &commit.message,
        author_name: &commit.author.name,
        author_email: &commit.author.email,
        author_login: commit.author.login.as_ref().map(|l| l.as_str()),
        committer_name: &commit.committer.name,
        committer_email: &commit.committer.email,
        committer_login: commit.committer.login.as_ref().map(|l| l.as_str()),
    }
}

/// For each AI-touched file, the commits with a marker or an AI trailer that changed it (by its
/// path or, for a rename, its old path), oldest first; files made AI-touched by PR-level evidence
/// alone have none.
fn touching_commits(
    facts: &PrFacts,
    files: &[String],
    markers: &[Marker],
    declaring: &[&Commit],
) -> Vec<(String, Vec<crate::model::CommitSha>)> {
    let marked = |c: &Commit| {
        declaring.iter().any(|d| d.sha == c.sha)
            || markers.iter().any(|m| matches!(&m.site, MarkerSite::Commit { sha } if sha == c.sha.as_str()))
    };
    let marked: Vec<&Commit> = facts.commits.iter().filter(|c| marked(c)).collect();
    files
        .iter()
        .map(|path| {
            let old = facts.files.iter().find(|f| &f.path == path).and_then(|f| f.previous_path.as_deref());
            let changed = |c: &&&Commit| {
                c.files.as_ref().is_some_and(|fs| fs.iter().any(|f| f == path || Some(f.as_str()) == old))
            };
            (path.clone(), marked.iter().filter(changed).map(|c| c.sha.clone()).collect())
        })
        .collect()
}

/// Commit-level evidence names the files exactly; PR-level evidence (a label, the body, the
/// author, the branch) or a marked commit whose files are unknown makes every file AI-touched.
fn ai_touched_files(
    facts: &PrFacts,
    declared: Option<Declared>,
    markers: &[Marker],
    declaring: &[&Commit],
) -> (Vec<String>, AiFilesBasis) {
    let all = || facts.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
    let marked_shas: BTreeSet<&str> = markers
        .iter()
        .filter_map(|m| match &m.site {
            MarkerSite::Commit { sha } => Some(sha.as_str()),
            _ => None,
        })
        .chain(declaring.iter().map(|c| c.sha.as_str()))
        .collect();
    let pr_level = markers.iter().any(|m| !matches!(m.site, MarkerSite::Commit { .. }));
    if declared == Some(Declared::Generated) {
        return (all(), AiFilesBasis::AllFiles);
    }
    // Line records name the files exactly: a declaration of some AI use no longer spreads over
    // every file, and a marked commit's files are added to them, never taken away.
    let records = lines::record_files(facts);
    if marked_shas.is_empty() {
        let declared_use = declared.is_some_and(|d| d > Declared::None);
        return match records {
            _ if pr_level => (all(), AiFilesBasis::AllFiles),
            Some(records) if !records.is_empty() => {
                (with_records(facts, &BTreeSet::new(), &records), AiFilesBasis::LineRecords)
            }
            _ if declared_use => (all(), AiFilesBasis::AllFiles),
            _ => (Vec::new(), AiFilesBasis::None),
        };
    }
    let mut touched: BTreeSet<&str> = BTreeSet::new();
    for commit in facts.commits.iter().filter(|c| marked_shas.contains(c.sha.as_str())) {
        match &commit.files {
            Some(files) => touched.extend(files.iter().map(String::as_str)),
            None => return (all(), AiFilesBasis::AllFiles),
        }
    }
    match records {
        Some(records) => (with_records(facts, &touched, &records), AiFilesBasis::LineRecords),
        None => (with_records(facts, &touched, &BTreeSet::new()), AiFilesBasis::MarkedCommits),
    }
}

/// The changed files, in the PR's order, that marked commits `touched` (by path or old path) or
/// whose added lines the records show AI wrote.
fn with_records(facts: &PrFacts, touched: &BTreeSet<&str>, records: &BTreeSet<&str>) -> Vec<String> {
    facts
        .files
        .iter()
        .filter(|f| {
            touched.contains(f.path.as_str())
                || f.previous_path.as_deref().is_some_and(|p| touched.contains(p))
                || records.contains(f.path.as_str())
        })
        .map(|f| f.path.clone())
        .collect()
}
