//! The plain facts about a pull request that every gate surface gathers and the engine reads.
//!
//! Nothing here knows where the facts came from (a snapshot, local git, GitHub): gathering code
//! fills these structs, and the pure engine in `policy/` only reads them.

pub mod ai_declaration;
pub(crate) mod chain;
pub(crate) mod check_run;
pub(crate) mod checked;
pub(crate) mod codeowners;
pub(crate) mod content;
pub(crate) mod edited_policy;
mod enforcement;
pub mod markdown;
pub(crate) mod principal;
pub mod provenance;
pub mod since;
pub(crate) mod story;
mod tier;
mod trace;
mod tracker;
pub mod trailers;

pub use content::{ContentSource, Side};
pub use enforcement::{Enforcement, FailReason};
pub use principal::Principal;
pub use tier::Tier;
pub use trace::Trace;
pub use tracker::Tracker;

use serde::{Deserialize, Serialize};

use crate::analysis::FileAnalysis;
use chain::Chain;
use std::collections::BTreeMap;
use std::fmt;

/// A GitHub login, compared case-insensitively as GitHub does.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Eq)]
#[serde(transparent)]
pub struct Login(String);

impl Login {
    pub fn new(login: impl Into<String>) -> Self {
        Login(login.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// GitHub Apps act as `name[bot]`; such accounts never count as human approvers.
    pub fn is_bot(&self) -> bool {
        self.0.to_ascii_lowercase().ends_with("[bot]")
    }
}

impl PartialEq for Login {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl std::hash::Hash for Login {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.to_ascii_lowercase().hash(state)
    }
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A commit id as GitHub or git prints it (full 40 hex digits where known).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(transparent)]
pub struct CommitSha(String);

impl CommitSha {
    pub fn new(sha: impl Into<String>) -> Self {
        CommitSha(sha.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The seven-character form people recognise in messages.
    pub fn short(&self) -> &str {
        self.0.get(..7).unwrap_or(&self.0)
    }
}

impl fmt::Display for CommitSha {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Everything the engine may look at for one pull request.
#[derive(Debug, Clone, Default)]
pub struct PrFacts {
    /// `owner/name`, when known; used to normalise bare `#12` references.
    pub repo: Option<String>,
    pub number: Option<u64>,
    pub title: String,
    pub body: String,
    /// The head branch name (`feature/ABC-123-login`).
    pub branch: String,
    pub base_branch: String,
    pub author: Login,
    pub head_sha: Option<CommitSha>,
    pub draft: bool,
    pub labels: Vec<Label>,
    pub files: Vec<FileChange>,
    pub commits: Vec<Commit>,
    pub reviews: Vec<Review>,
    pub visibility: Visibility,
    /// What the trackers said about each referenced key (`ABC-123`), from that item up its
    /// chain. A key missing here was not looked up, which the engine treats as not seen.
    pub chains: BTreeMap<String, Chain>,
    /// For each commit an approval was given on other than the head, what changed since it. A
    /// commit missing here was not compared, which the engine treats as not seen.
    pub since_approved: since::SinceApproved,
    /// The base branch's CODEOWNERS, when the policy needs it; `None`: not gathered.
    pub codeowners: Option<codeowners::BaseCodeowners>,
    /// The policy as the PR edits it, when the PR changes the policy file or a file it extends;
    /// `None`: the PR does not touch the policy (or the source cannot show its head's files).
    pub edited_policy: Option<edited_policy::EditedPolicy>,
    /// Line-level AI provenance (git-ai notes, whogitit notes, Agent Trace records) mapped onto
    /// the diff; `None`: this source could not look for it.
    pub provenance: Option<provenance::Provenance>,
    /// The base branch's `AI-DECLARATION.md`; `None`: not gathered (a saved PR).
    pub ai_declaration: Option<ai_declaration::RepoAiDeclaration>,
}

/// A label on the PR and, where the source could tell, who applied it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub name: String,
    pub applied_by: Option<Login>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    Added,
    Removed,
    Modified,
    Renamed,
    Copied,
    Changed,
    Unchanged,
}

/// One changed file, as GitHub's "list pull request files" reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    /// The old path of a renamed file: a rename is judged by both paths.
    pub previous_path: Option<String>,
    pub status: FileStatus,
    pub additions: u64,
    pub deletions: u64,
    /// GitHub's unified patch of the file, when the source has it (absent for binaries and very
    /// large diffs).
    pub patch: Option<String>,
    /// The file's blob at the head, when the source gives it: equal blobs are equal contents.
    pub blob: Option<String>,
    /// What tree-sitter found in the change, once analysis has run.
    pub analysis: Option<FileAnalysis>,
}

impl FileChange {
    pub fn new(path: impl Into<String>, status: FileStatus, additions: u64, deletions: u64) -> Self {
        FileChange {
            path: path.into(),
            previous_path: None,
            status,
            additions,
            deletions,
            patch: None,
            blob: None,
            analysis: None,
        }
    }
}

/// One commit of the PR.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Commit {
    pub sha: CommitSha,
    pub message: String,
    pub author: GitPerson,
    pub committer: GitPerson,
    /// The files this commit touched, when the source knows them (local git, or a snapshot that
    /// saved single-commit responses). `None` means unknown, not "none".
    pub files: Option<Vec<String>>,
    /// The parents in order, when the source lists them; a merge commit has two or more.
    pub parents: Vec<CommitSha>,
    /// The tree the commit records, when the source gives it: equal trees are equal contents.
    pub tree: Option<String>,
}

/// The git identity on a commit and the GitHub account it maps to, when GitHub knows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GitPerson {
    pub name: String,
    pub email: String,
    pub login: Option<Login>,
}

/// A review's state. The REST API writes it in capitals, webhook payloads in lower case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReviewState {
    #[serde(alias = "approved")]
    Approved,
    #[serde(alias = "changes_requested")]
    ChangesRequested,
    #[serde(alias = "commented")]
    Commented,
    #[serde(alias = "dismissed")]
    Dismissed,
    #[serde(alias = "pending")]
    Pending,
}

/// One submitted review, in the order GitHub lists them (oldest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub reviewer: Login,
    pub state: ReviewState,
    /// The head commit the review was given on.
    pub commit_id: Option<CommitSha>,
    /// RFC 3339 time as GitHub gives it; ordering falls back to list order without it.
    pub submitted_at: Option<String>,
}

/// What the gathering step could not see. The engine never passes a PR with gaps it cannot
/// bridge (fail closed), and says what was missing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Visibility {
    /// The PR's own count of changed files, when the source reports one.
    pub files_total: Option<u64>,
    /// The PR's own count of commits, when the source reports one.
    pub commits_total: Option<u64>,
    /// The commit list was not provided at all (a snapshot without `commits.json`).
    pub commits_missing: bool,
    /// The review list was not provided at all.
    pub reviews_missing: bool,
}

/// GitHub stops listing a PR's files at 3,000 and its commits at 250.
pub(crate) const GITHUB_FILES_CAP: u64 = 3000;
pub(crate) const GITHUB_COMMITS_CAP: u64 = 250;
