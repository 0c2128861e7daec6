//! What changed between a commit a reviewer approved and the PR's head: the change kind, the
//! files whose own change differs, and whether the base was retargeted. Gathering fills it (from
//! GitHub's compare API or local git); the engine decides from it whether an approval carries.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::CommitSha;

/// How the PR's change at the head relates to the change a reviewer approved, from the most
/// harmless to a real change. Each tier says which kinds keep approvals (`review.stale_keeps`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The same tree and the same commit messages, and the same own change from the base (a
    /// re-push, a re-signed commit).
    NoChange,
    /// The same tree and own change; only commit messages differ (an amended message, an empty
    /// commit).
    MessageOnly,
    /// Moved onto a newer base: every file's own patch is identical by patch-id.
    TrivialRebase,
    /// A merge of the base into the head that a clean three-way merge reproduces: the PR's own
    /// patches are unchanged and only merges of the base came after the approved commit.
    CleanUpdateMerge,
    /// Anything else: a file's own change differs, or was added or dropped.
    Rework,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 5] = [
        ChangeKind::NoChange,
        ChangeKind::MessageOnly,
        ChangeKind::TrivialRebase,
        ChangeKind::CleanUpdateMerge,
        ChangeKind::Rework,
    ];

    /// The name the policy file and the verdict JSON use.
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::NoChange => "no_change",
            ChangeKind::MessageOnly => "message_only",
            ChangeKind::TrivialRebase => "trivial_rebase",
            ChangeKind::CleanUpdateMerge => "clean_update_merge",
            ChangeKind::Rework => "rework",
        }
    }
}

/// The base an approval was given against, compared with the base now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "base")]
pub enum BaseSince {
    /// The base branch did not change after the approval.
    Same,
    /// The PR was retargeted after the approval. `parent_landed`: the files the approved change
    /// held beyond the head's own change are now in the new base exactly as approved (a stacked
    /// PR whose parent was merged), so nothing unreviewed comes with the retarget.
    Retargeted { parent_landed: bool },
}

/// What changed since one approved commit, as far as the source could see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeSince {
    pub kind: ChangeKind,
    /// The files whose own change differs (present on one side only, or with another patch),
    /// sorted; empty unless `kind` is `Rework`.
    pub changed: Vec<String>,
    /// Files of the approved change that the head no longer changes because that same change is
    /// now in the base (a squash-merged stack parent); they were reviewed where they landed.
    pub landed_in_base: Vec<String>,
    pub base: BaseSince,
}

/// Why the change since an approved commit could not be seen. Every one of these means the
/// approval does not carry (fail closed), and the check says which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "unseen")]
pub enum Unseen {
    /// The source holds no comparison for the commit (a saved PR without it, local git without
    /// the commit).
    NotGathered,
    /// The commit is no longer reachable (a force-push dropped it and GitHub forgot it).
    Unreachable,
    /// The comparison holds more than GitHub lists (300 files or 250 commits).
    TooBig { files: Option<u64>, commits: Option<u64> },
    /// The source answered with an error; `detail` names it.
    Failed { detail: String },
}

/// Per approved commit (other than the head), what changed since it.
pub type SinceApproved = BTreeMap<CommitSha, Result<ChangeSince, Unseen>>;
