//! Merge queues, pure: which pull requests a merge group holds (GitHub's `merge_group`, or a queue
//! tool's draft pull request) and whether the group holds only their reviewed changes. The gate
//! gathers the group's diff and each member's verdict; this module decides, without I/O.

pub mod members;
pub mod verify;

use crate::model::check_run::CheckRunReport;
use crate::model::{Login, Tier};

/// A group, verified, with the check run to post on its head commit. No verdict when the group
/// could not be judged at all (its base branch's policy does not load).
#[derive(Debug, Clone)]
pub struct Verified {
    pub head_sha: String,
    pub verdict: Option<verify::GroupVerdict>,
    /// The report as enforced; whether the policy enforces it (else it is posted neutral).
    pub report: CheckRunReport,
    pub enforcement: crate::model::Enforcement,
}

/// One commit of a group's range, or of a member PR.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueueCommit {
    pub sha: String,
    /// Parents in order; a merge commit has two or more.
    pub parents: Vec<String>,
    pub message: String,
    /// The author's name and email: a rebase keeps them, and the message, but not the sha.
    pub author: (String, String),
}

impl QueueCommit {
    pub fn title(&self) -> &str {
        self.message.lines().next().unwrap_or_default()
    }
}

/// One changed file of the group's range, or of a member PR.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueueFile {
    pub path: String,
    pub previous_path: Option<String>,
    /// Lines added plus lines removed.
    pub changes: u64,
    /// GitHub's unified patch; absent for binaries and very large diffs.
    pub patch: Option<String>,
}

/// What the range `base..head` of a group holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupDiff {
    pub commits: Vec<QueueCommit>,
    pub files: Vec<QueueFile>,
    /// Why GitHub's answer does not hold the whole range (more commits or files than it lists at
    /// once), when it does not: a group that cannot be seen whole is never verified.
    pub incomplete: Option<String>,
}

/// How a member PR's own evaluation came out, under the base branch's policy as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judged {
    Pass,
    /// Pending or failing: the verdict's one-line summary says why.
    NotPass(String),
    /// It could not be evaluated (GitHub or a tracker did not answer): why.
    CannotJudge(String),
}

/// A member PR as it is now, and its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub number: u64,
    pub title: String,
    pub open: bool,
    pub base_branch: String,
    pub head_sha: String,
    pub commits: Vec<QueueCommit>,
    pub files: Vec<QueueFile>,
    pub judged: Judged,
    pub tier: Option<Tier>,
    pub approved_by: Vec<Login>,
}
