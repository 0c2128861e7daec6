//! `flowgate org status`'s table as data (pure): a row per repository of an organisation, and how
//! a row's "required by" and "merge queue" cells come from `flowgate doctor`'s findings. The reads
//! are `gate::org_status`'s.

use serde::Serialize;

use super::{Finding, Outcome, Read, Source};
use crate::model::Enforcement;

/// The organisation's table.
#[derive(Debug, Clone, Serialize)]
pub struct OrgStatus {
    pub org: String,
    /// Whether the App is installed on the organisation at all.
    pub installed: bool,
    /// The listing stopped at its bound (`github::org::MAX_REPO_PAGES` pages): rows are missing.
    pub truncated: bool,
    pub repos: Vec<RepoStatus>,
}

/// One repository's row. `None` is "not known": not installed, or its read failed (see `error`).
#[derive(Debug, Clone, Serialize)]
pub struct RepoStatus {
    pub repo: String,
    pub archived: bool,
    /// The App's installation on the organisation may read it.
    pub installed: bool,
    pub policy: Option<PolicySource>,
    /// The baseline that applies (`[[baseline]]` in the App's settings, else the organisation's
    /// `.github/flowgate-baselines.yml`), as its entry names it; `None` when none does or it could
    /// not be read.
    pub baseline: Option<String>,
    /// Whether the App gates the repository's PRs: it has a policy file or a baseline. A
    /// repository with neither gets no check run.
    pub gated: Option<bool>,
    pub enforcement: Option<Enforcement>,
    /// What requires the `flowgate` check on the default branch; empty when nothing does.
    pub required_by: Option<Vec<Source>>,
    pub merge_queue: Option<Queue>,
    /// `flowgate doctor`'s answer for the default branch and the installation.
    pub doctor: Option<Outcome>,
    pub last_evaluation: Option<LastEvaluation>,
    /// What could not be read, in GitHub's words.
    pub error: Option<String>,
}

/// Where the repository's policy comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PolicySource {
    /// No `.github/flowgate.yml` on the default branch: the App gates it only through a baseline.
    Missing,
    /// The file, and what it extends as written (packs, paths, remotes).
    File { extends: Vec<String> },
    /// A file that is not a policy flowgate can read, and why.
    Unreadable { why: String },
}

/// The merge queue on the default branch, as `flowgate doctor` judges it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Queue {
    None,
    Ready,
    /// A required check, or the flowgate Action, does not run on `merge_group`.
    Stalls,
    CannotTell,
}

/// The App's latest recorded evaluation in the repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastEvaluation {
    pub pr: u64,
    /// RFC 3339, UTC.
    pub at: String,
    pub state: String,
    pub enforcement: Enforcement,
}

/// What requires `flowgate` on the default branch: `None` when that could not be read.
pub fn required_by(findings: &[Finding]) -> Option<Vec<Source>> {
    let unread = findings.iter().any(|f| matches!(f, Finding::Unreadable { read: Read::Protection | Read::Rules, .. }));
    if let Some(Finding::Required { sources, .. }) = findings.iter().find(|f| matches!(f, Finding::Required { .. })) {
        return Some(sources.clone());
    }
    (!unread).then(Vec::new)
}

pub fn queue(findings: &[Finding]) -> Queue {
    let has = |p: fn(&Finding) -> bool| findings.iter().any(p);
    if has(|f| matches!(f, Finding::Unreadable { read: Read::Rules | Read::Workflows, .. })) {
        Queue::CannotTell
    } else if has(|f| matches!(f, Finding::NoMergeQueue { .. })) {
        Queue::None
    } else if has(|f| matches!(f, Finding::QueueStalls { .. } | Finding::ActionStalls { .. })) {
        Queue::Stalls
    } else {
        Queue::Ready
    }
}
