//! Helpers the per-language tests share.

use crate::analysis::budget::{Limits, Unlimited};
use crate::analysis::detectors::{run, sections};
use crate::analysis::lang::Lang;
use crate::analysis::parse::parse;
use crate::analysis::{ChangeKind, Contents, FileAnalysis, analyze_file};

/// Analyses a change between two whole versions; the file must be read, not skipped.
pub fn analyze(path: &str, base: &str, head: &str) -> FileAnalysis {
    versions(path, Some(base), Some(head))
}

/// Either version may be absent: an added or a removed file.
pub fn versions(path: &str, base: Option<&str>, head: Option<&str>) -> FileAnalysis {
    let a = analyze_file(
        path,
        Contents::Versions { base: base.map(str::as_bytes), head: head.map(str::as_bytes) },
        &[],
        &Limits::default(),
        &Unlimited,
    );
    assert_eq!(a.skipped, None, "{path} was skipped");
    for text in [base, head].into_iter().flatten() {
        assert_untriggered_sections_find_nothing(path, text);
    }
    a
}

/// The built-in sections `text` does not trigger (holds none of their words) find nothing in it
/// when run anyway: skipping them changes no finding. Every test case of every language checks it.
#[track_caller]
pub fn assert_untriggered_sections_find_nothing(path: &str, text: &str) {
    let Some(lang) = Lang::for_path(path) else { return };
    let Ok(tree) = parse(lang, text, &Unlimited) else { return };
    for section in sections(lang).iter().filter(|s| !s.triggered_by(text)) {
        let (found, _) = run(section.query(), &tree, text, None, &Unlimited);
        assert!(
            found.is_empty(),
            "{path}: the {} section found {found:?} in a text with none of its words {:?}",
            section.detector.id(),
            section.words
        );
    }
}

/// Analyses GitHub's unified patch of a file.
pub fn patched(path: &str, patch: &str) -> FileAnalysis {
    let a = analyze_file(path, Contents::Patch(patch), &[], &Limits::default(), &Unlimited);
    assert!(a.from_patch, "{path}: {a:?}");
    let fragments = crate::analysis::patch::fragments(patch);
    assert_untriggered_sections_find_nothing(path, &fragments.head);
    assert_untriggered_sections_find_nothing(path, &fragments.base);
    a
}

pub fn kind(path: &str, base: &str, head: &str) -> ChangeKind {
    analyze(path, base, head).change
}

/// `base` with `from` replaced by `to` (which must occur exactly once).
pub fn edit(base: &str, from: &str, to: &str) -> String {
    assert_eq!(base.matches(from).count(), 1, "{from:?} must occur once");
    base.replacen(from, to, 1)
}

/// The change when `from` becomes `to` in `base`.
pub fn change(path: &str, base: &str, from: &str, to: &str) -> FileAnalysis {
    analyze(path, base, &edit(base, from, to))
}

/// `base` with `added` inserted as new lines after line `after` (1-based; 0 inserts at the top).
pub fn insert_lines(base: &str, after: usize, added: &str) -> String {
    let mut lines: Vec<&str> = base.lines().collect();
    assert!(after <= lines.len(), "line {after} is past the end");
    lines.splice(after..after, added.lines());
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// The findings when `added` is inserted after line `after` of `base`.
pub fn adding(path: &str, base: &str, after: usize, added: &str) -> FileAnalysis {
    analyze(path, base, &insert_lines(base, after, added))
}

/// The findings of one detector, as (line, symbol).
pub fn found(a: &FileAnalysis, detector: &str) -> Vec<(u32, String)> {
    a.findings.iter().filter(|f| f.detector == detector).map(|f| (f.line, f.symbol.clone())).collect()
}

/// Every finding as (detector, line, symbol).
pub fn all(a: &FileAnalysis) -> Vec<(String, u32, String)> {
    a.findings.iter().map(|f| (f.detector.clone(), f.line, f.symbol.clone())).collect()
}

/// Asserts that adding `added` after line `after` finds exactly `expected` (line, symbol) for
/// `detector`, and nothing for any other detector.
#[track_caller]
pub fn finds(path: &str, base: &str, after: usize, added: &str, detector: &str, expected: &[(u32, &str)]) {
    let a = adding(path, base, after, added);
    let expected: Vec<(String, u32, String)> =
        expected.iter().map(|(l, s)| (detector.to_string(), *l, s.to_string())).collect();
    assert_eq!(all(&a), expected, "adding {added:?}");
}

/// Asserts that adding `added` after line `after` finds nothing at all.
#[track_caller]
pub fn finds_nothing(path: &str, base: &str, after: usize, added: &str) {
    let a = adding(path, base, after, added);
    assert_eq!(all(&a), Vec::new(), "adding {added:?}");
}

pub fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Asserts that each `(from, to)` edit of `base` is a change of `expected` kind.
#[track_caller]
pub fn each_is(path: &str, base: &str, expected: ChangeKind, edits: &[(&str, &str)]) {
    for (from, to) in edits {
        assert_eq!(change(path, base, from, to).change, expected, "{to}");
    }
}

/// Asserts that each `(from, to, symbol)` edit of `base` is a code change in exactly `symbol`.
#[track_caller]
pub fn each_names(path: &str, base: &str, cases: &[(&str, &str, &str)]) {
    for (from, to, symbol) in cases {
        let a = change(path, base, from, to);
        assert_eq!(a.change, ChangeKind::Code, "{to}");
        assert_eq!(a.symbols, strings(&[symbol]), "{to}");
    }
}
