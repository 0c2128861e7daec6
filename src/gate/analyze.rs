//! Running code analysis over a PR's files within its budgets: the one place that reads the
//! clock for analysis, and that fetches each file's two versions from wherever the facts came from.

use std::time::{Duration, Instant};

use crate::analysis::budget::Deadline;
use crate::analysis::lang::Lang;
use crate::analysis::skip;
use crate::analysis::{Contents, CustomQuery, FileAnalysis, SkipReason, analyze_file};
use crate::model::{FileChange, FileStatus, PrFacts};
use crate::policy::Policy;

pub use crate::model::content::{ContentSource, Side};

/// A source with no contents: analysis works from patches alone.
pub struct NoContents;

impl ContentSource for NoContents {
    fn read(&mut self, _: Side, _: &str) -> Option<Vec<u8>> {
        None
    }
}

/// A deadline read from the clock.
pub struct At(pub Instant);

impl Deadline for At {
    fn expired(&self) -> bool {
        Instant::now() >= self.0
    }
    fn as_instant(&self) -> Option<Instant> {
        Some(self.0)
    }
}

/// Analyses every file the policy's languages cover and stores the result in the facts.
pub fn analyze(facts: &mut PrFacts, policy: &Policy, source: &mut dyn ContentSource) {
    let limits = policy.analysis;
    let pr_deadline = Instant::now() + limits.per_pr;
    let custom: Vec<CustomQuery> =
        policy.tiers.queries.iter().map(|q| CustomQuery { lang: q.lang, query: &q.query, name: &q.name }).collect();
    for file in &mut facts.files {
        if Lang::for_path(&file.path).is_none() {
            file.analysis = Some(FileAnalysis::skipped(SkipReason::Unsupported, None));
            continue;
        }
        let now = Instant::now();
        if now >= pr_deadline {
            file.analysis = Some(FileAnalysis::skipped(SkipReason::PrBudgetSpent, Lang::for_path(&file.path)));
            continue;
        }
        let (base, head) = versions(file, source);
        let contents = match (&base, &head, &file.patch) {
            (Ok(b), Ok(h), _) => Contents::Versions { base: b.as_deref(), head: h.as_deref() },
            (_, _, Some(patch)) => Contents::Patch(patch),
            _ => Contents::None,
        };
        prepare_detectors(&file.path, &contents, limits.max_file_bytes);
        let deadline = At(pr_deadline.min(Instant::now() + limits.per_file.max(Duration::from_millis(1))));
        file.analysis = Some(analyze_file(&file.path, contents, &custom, &limits, &deadline));
    }
}

/// Compiles the built-in detector sections that the file's new text could trigger. A section is
/// compiled once per process, the first time a file needs it: a one-off cost of the process, not
/// of any one file, so it is paid before the file's budget starts.
fn prepare_detectors(path: &str, contents: &Contents, max_bytes: usize) {
    let Some(lang) = Lang::for_path(path) else { return };
    if skip::generated_by_path(path).is_some() || skip::binary_by_path(path) {
        return;
    }
    let text = match contents {
        Contents::Versions { head: Some(head), .. } => head,
        Contents::Patch(patch) => patch.as_bytes(),
        _ => return,
    };
    if text.len() > max_bytes {
        return; // analysis skips it as too large
    }
    // A file that is not UTF-8 is skipped by analysis, so only text needs its sections.
    if let Ok(text) = std::str::from_utf8(text) {
        crate::analysis::detectors::prepare(lang, text);
    }
}

/// Both versions, where the source has them: `Ok(None)` for a side that does not exist (an added
/// or removed file), `Err(())` for a side the source cannot give.
type Side2 = Result<Option<Vec<u8>>, ()>;

fn versions(file: &FileChange, source: &mut dyn ContentSource) -> (Side2, Side2) {
    let base_path = file.previous_path.as_deref().unwrap_or(&file.path);
    let base = match file.status {
        FileStatus::Added => Ok(None),
        _ => source.read(Side::Base, base_path).map(Some).ok_or(()),
    };
    let head = match file.status {
        FileStatus::Removed => Ok(None),
        _ => source.read(Side::Head, &file.path).map(Some).ok_or(()),
    };
    (base, head)
}
