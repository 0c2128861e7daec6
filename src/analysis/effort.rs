//! An estimate of the review effort a PR asks for, in minutes, from the kind and size of each
//! file's semantic change rather than raw line counts. The formula is documented in
//! docs/effort.md; it is a planning aid, not a measurement.

use super::{ChangeKind, FileAnalysis};

/// Minutes to review one file's change.
pub fn file_minutes(analysis: &FileAnalysis, changed_lines: u64, red: bool) -> f64 {
    let tokens = analysis.changed_tokens as f64;
    let symbols = analysis.symbols.len() as f64;
    let base = match analysis.change {
        ChangeKind::Formatting => 0.2,
        ChangeKind::Comments => 0.5 + tokens / 400.0,
        ChangeKind::Imports => 0.5,
        ChangeKind::Tests => 1.0 + tokens / 150.0 + 0.5 * symbols,
        ChangeKind::Code => 2.0 + tokens / 50.0 + symbols,
        // Unread files are estimated from their line counts, as a reviewer would read them.
        ChangeKind::Skipped => match analysis.skipped {
            Some(super::SkipReason::Binary) | Some(super::SkipReason::Generated { .. }) => 0.5,
            _ => 1.0 + changed_lines as f64 / 25.0,
        },
    };
    let findings = 3.0 * analysis.findings.len() as f64;
    (base + findings) * if red { 1.5 } else { 1.0 }
}

/// Minutes for the whole PR: the files' sum, rounded up, at least one minute.
pub fn pr_minutes(per_file: impl IntoIterator<Item = f64>) -> u32 {
    let total: f64 = per_file.into_iter().sum();
    total.ceil().max(1.0) as u32
}
