//! Code-aware risk: tree-sitter reads both versions of each changed file and says what kind of
//! change it is, which definitions changed, and what risky constructs the change adds.
//!
//! Pure: contents in, facts out. Time budgets arrive as a `Deadline` the caller controls.

pub mod budget;
pub(crate) mod classify;
pub mod detectors;
pub(crate) mod effort;
pub mod lang;
pub mod parse;
pub mod patch;
pub mod query_cache;
pub(crate) mod skip;
pub(crate) mod tokens;

use tree_sitter::Query;

use self::budget::Deadline;
use self::classify::{Classification, Version, classify};
use self::detectors::Finding;
use self::lang::Lang;
use self::parse::{ParseFailure, parse};

/// What a file's change is, from the narrowest to the widest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeKind {
    /// Layout only: the code and comment tokens are the same.
    Formatting,
    /// Only comments or documentation changed.
    Comments,
    /// Only import / use declarations changed.
    Imports,
    /// Only test code changed (test functions, modules, classes, describe/it blocks).
    Tests,
    Code,
    /// Not analysed; the reason says why.
    Skipped,
}

impl ChangeKind {
    pub fn id(self) -> &'static str {
        match self {
            ChangeKind::Formatting => "formatting",
            ChangeKind::Comments => "comments",
            ChangeKind::Imports => "imports",
            ChangeKind::Tests => "tests",
            ChangeKind::Code => "code",
            ChangeKind::Skipped => "skipped",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// No grammar for this file type: path rules only.
    Unsupported,
    Binary,
    Generated {
        why: String,
    },
    TooLarge {
        bytes: usize,
        max: usize,
    },
    /// Neither the two versions nor a patch were available.
    NoContents,
    TimedOut,
    /// The PR's analysis budget ran out before this file.
    PrBudgetSpent,
    ParseFailed,
}

impl SkipReason {
    /// Whether the skip hides something analysis should have seen (and so must keep the gate
    /// from passing where it could matter), as opposed to a file there is nothing to read in.
    pub fn hides_code(&self) -> bool {
        matches!(
            self,
            SkipReason::TooLarge { .. }
                | SkipReason::NoContents
                | SkipReason::TimedOut
                | SkipReason::PrBudgetSpent
                | SkipReason::ParseFailed
        )
    }
}

/// The contents analysis can work from.
#[derive(Debug, Clone, Copy)]
pub enum Contents<'a> {
    /// Both versions (either absent for an added or removed file).
    Versions {
        base: Option<&'a [u8]>,
        head: Option<&'a [u8]>,
    },
    /// Only GitHub's unified patch of the file.
    Patch(&'a str),
    None,
}

/// A policy's own query for a language, compiled when the policy was loaded.
pub struct CustomQuery<'a> {
    pub lang: Lang,
    pub query: &'a Query,
    /// How its findings are named (`query:red`).
    pub name: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileAnalysis {
    pub change: ChangeKind,
    pub skipped: Option<SkipReason>,
    pub lang: Option<Lang>,
    /// Classified from the patch's fragments rather than whole files.
    pub from_patch: bool,
    pub symbols: Vec<String>,
    pub findings: Vec<Finding>,
    pub changed_tokens: usize,
    /// Either version had syntax errors that tree-sitter recovered from.
    pub syntax_errors: bool,
}

impl FileAnalysis {
    pub fn skipped(reason: SkipReason, lang: Option<Lang>) -> Self {
        FileAnalysis {
            change: ChangeKind::Skipped,
            skipped: Some(reason),
            lang,
            from_patch: false,
            symbols: Vec::new(),
            findings: Vec::new(),
            changed_tokens: 0,
            syntax_errors: false,
        }
    }
}

/// Analyses one changed file.
pub fn analyze_file(
    path: &str,
    contents: Contents,
    custom: &[CustomQuery],
    limits: &budget::Limits,
    deadline: &dyn Deadline,
) -> FileAnalysis {
    // What a file is (a lock file, a binary) is said before whether a grammar reads it.
    let lang = Lang::for_path(path);
    if let Some(why) = skip::generated_by_path(path) {
        return FileAnalysis::skipped(SkipReason::Generated { why }, lang);
    }
    let binary_contents = match contents {
        Contents::Versions { base, head } => [base, head].into_iter().flatten().any(skip::is_binary),
        _ => false,
    };
    if binary_contents || skip::binary_by_path(path) {
        return FileAnalysis::skipped(SkipReason::Binary, lang);
    }
    let Some(lang) = lang else { return FileAnalysis::skipped(SkipReason::Unsupported, None) };
    let mut patch_lines: Option<(Vec<usize>, Vec<usize>)> = None;
    let (base, head, from_patch) = match contents {
        Contents::None => return FileAnalysis::skipped(SkipReason::NoContents, Some(lang)),
        Contents::Versions { base, head } => {
            for side in [base, head].into_iter().flatten() {
                if side.len() > limits.max_file_bytes {
                    return FileAnalysis::skipped(
                        SkipReason::TooLarge { bytes: side.len(), max: limits.max_file_bytes },
                        Some(lang),
                    );
                }
            }
            let text = |b: Option<&[u8]>| -> Result<Option<String>, SkipReason> {
                match b {
                    None => Ok(None),
                    Some(b) if skip::is_binary(b) => Err(SkipReason::Binary),
                    Some(b) => String::from_utf8(b.to_vec()).map(Some).map_err(|_| SkipReason::Binary),
                }
            };
            match (text(base), text(head)) {
                (Ok(b), Ok(h)) => (b, h, false),
                (Err(r), _) | (_, Err(r)) => return FileAnalysis::skipped(r, Some(lang)),
            }
        }
        Contents::Patch(p) => {
            if p.len() > limits.max_file_bytes {
                return FileAnalysis::skipped(
                    SkipReason::TooLarge { bytes: p.len(), max: limits.max_file_bytes },
                    Some(lang),
                );
            }
            let f = patch::fragments(p);
            patch_lines = Some((f.base_changed, f.head_changed));
            (Some(f.base), Some(f.head), true)
        }
    };
    if let Some(why) = head.as_deref().and_then(skip::generated_by_content) {
        return FileAnalysis::skipped(SkipReason::Generated { why }, Some(lang));
    }
    let parsed = |text: &Option<String>| -> Result<Option<tree_sitter::Tree>, ParseFailure> {
        text.as_deref().map(|t| parse(lang, t, deadline)).transpose()
    };
    let (base_tree, head_tree) = match (parsed(&base), parsed(&head)) {
        (Ok(b), Ok(h)) => (b, h),
        (Err(ParseFailure::TimedOut), _) | (_, Err(ParseFailure::TimedOut)) => {
            return FileAnalysis::skipped(SkipReason::TimedOut, Some(lang));
        }
        _ => return FileAnalysis::skipped(SkipReason::ParseFailed, Some(lang)),
    };
    let base_v = base_tree.as_ref().zip(base.as_deref()).map(|(tree, src)| Version { tree, src });
    let head_v = head_tree.as_ref().zip(head.as_deref()).map(|(tree, src)| Version { tree, src });
    let Classification { kind, symbols, head_changes, changed_tokens, mut syntax_errors } =
        classify(lang, path, base_v.as_ref(), head_v.as_ref(), deadline);
    // A patch's fragments start and stop mid-block, so they rarely parse cleanly; what matters is
    // whether the parser was confused where the patch changes lines.
    if let Some((base_lines, head_lines)) = &patch_lines {
        syntax_errors = base_tree.as_ref().is_some_and(|t| errors_touch(t, base_lines))
            || head_tree.as_ref().is_some_and(|t| errors_touch(t, head_lines));
    }

    let mut findings = Vec::new();
    if let Some(head) = &head_v
        && !head_changes.is_empty()
    {
        let mut timed_out = false;
        // Findings only count where the change is; search that span alone.
        let span = head_changes.iter().map(|r| r.start).min().unwrap_or(0)
            ..head_changes.iter().map(|r| r.end).max().unwrap_or(head.src.len());
        let (found, t) = detectors::run_builtin(lang, head.tree, head.src, deadline, span.clone());
        findings.extend(found);
        timed_out |= t;
        for q in custom.iter().filter(|q| q.lang == lang) {
            let (found, t) = detectors::run_within(q.query, head.tree, head.src, Some(q.name), deadline, span.clone());
            findings.extend(found);
            timed_out |= t;
        }
        if timed_out {
            return FileAnalysis::skipped(SkipReason::TimedOut, Some(lang));
        }
        // Only what the change adds or touches counts: an old `unsafe` block elsewhere in the
        // file is not this PR's risk.
        findings.retain(|f| head_changes.iter().any(|r| f.start < r.end && r.start < f.end));
    }
    if deadline.expired() {
        return FileAnalysis::skipped(SkipReason::TimedOut, Some(lang));
    }
    FileAnalysis {
        change: kind,
        skipped: None,
        lang: Some(lang),
        from_patch,
        symbols,
        findings,
        changed_tokens,
        syntax_errors,
    }
}

/// Whether an ERROR or MISSING node of the tree spans any of `lines` (0-based).
fn errors_touch(tree: &tree_sitter::Tree, lines: &[usize]) -> bool {
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if !node.has_error() {
            continue;
        }
        if node.is_error() || node.is_missing() {
            let (first, last) = (node.start_position().row, node.end_position().row);
            if lines.iter().any(|l| (first..=last).contains(l)) {
                return true;
            }
            continue;
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    false
}

#[cfg(test)]
mod tests;
