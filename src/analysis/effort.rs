//! An estimate of the review effort a PR asks for, in minutes, from the kind and size of each
//! file's semantic change rather than raw line counts. The model, its calibration and its error
//! are documented in docs/effort.md; it is a planning aid, not a measurement.

use super::{ChangeKind, FileAnalysis, SkipReason};

/// The PR estimate's ceiling: a working day. Beyond it the number means "more than a day"
/// (split the PR), not a count of minutes.
pub const DAY_MINUTES: u32 = 480;

/// All skim-only files of a PR together (formatting, comments, imports): a reviewer checks a
/// sample and the file list, so 584 identical header edits cost what a few do.
const SKIM_PR_CAP: f64 = 5.0;
/// One file whose change is formatting, comments or imports only.
const SKIM_FILE: f64 = 0.2;
/// One file read as code or tests: orienting in it, then sub-linear in the tokens changed. The
/// per-file base carries most of the rank agreement with real review activity (docs/effort.md).
const CODE_BASE: f64 = 5.0;
const CODE_PER_SQRT_TOKEN: f64 = 0.5;
const CODE_PER_SYMBOL: f64 = 0.5;
/// Changed definitions counted at most: past this a change is a bulk edit (a sort, a rename).
const SYMBOLS_COUNTED: usize = 20;
/// A file not read (no grammar, too large, no contents) is estimated from its line count.
const UNREAD_BASE: f64 = 1.0;
const UNREAD_PER_SQRT_LINE: f64 = 0.6;
/// An unread file changing this few lines is taken in at a glance, and counted with the skims:
/// the same small edit in 73 XML and text files is one edit seen 73 times.
const GLANCE_LINES: u64 = 4;
const PER_FINDING: f64 = 2.0;
const RED_FACTOR: f64 = 1.5;
/// One file's ceiling: two hours of reading, however large the diff.
const FILE_CAP: f64 = 120.0;

/// One file's share of a PR's estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FileEffort {
    pub minutes: f64,
    /// Formatting, comments or imports only, or a few lines of an unread file: a skim, capped
    /// for the whole PR.
    pub skim: bool,
}

/// Minutes to review one file's change.
pub fn file_minutes(analysis: &FileAnalysis, changed_lines: u64, red: bool) -> FileEffort {
    let tokens = analysis.changed_tokens as f64;
    let symbols = analysis.symbols.len().min(SYMBOLS_COUNTED) as f64;
    let (base, skim) = match analysis.change {
        ChangeKind::Formatting | ChangeKind::Comments | ChangeKind::Imports => (SKIM_FILE, true),
        // Tests took reviewers as long as code in the calibration data.
        ChangeKind::Tests | ChangeKind::Code => {
            (CODE_BASE + CODE_PER_SQRT_TOKEN * tokens.sqrt() + CODE_PER_SYMBOL * symbols, false)
        }
        // Lock, generated, vendored and binary files are checked by their name, not read.
        ChangeKind::Skipped => match analysis.skipped {
            Some(SkipReason::Binary) | Some(SkipReason::Generated { .. }) => (0.0, false),
            // Unread files are estimated from their line counts, as a reviewer would read them.
            _ => (UNREAD_BASE + UNREAD_PER_SQRT_LINE * (changed_lines as f64).sqrt(), changed_lines <= GLANCE_LINES),
        },
    };
    let findings = PER_FINDING * analysis.findings.len() as f64;
    let minutes = ((base + findings) * if red { RED_FACTOR } else { 1.0 }).min(FILE_CAP);
    FileEffort { minutes, skim }
}

/// Minutes for the whole PR: the read files' sum plus the skims' (capped), rounded up, at least
/// one minute and at most [`DAY_MINUTES`].
pub fn pr_minutes(per_file: impl IntoIterator<Item = FileEffort>) -> u32 {
    let (mut read, mut skim) = (0.0, 0.0);
    for f in per_file {
        if f.skim {
            skim += f.minutes;
        } else {
            read += f.minutes;
        }
    }
    let total = read + skim.min(SKIM_PR_CAP);
    (total.ceil().max(1.0) as u32).min(DAY_MINUTES)
}

#[cfg(test)]
mod tests;
