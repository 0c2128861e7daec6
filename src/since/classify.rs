//! The change kind between an approved commit and the head, from what both sources can give: each
//! side's own files and patches, trees, messages, and how the head's history relates to the
//! approved commit.

use std::collections::{BTreeMap, BTreeSet};

use super::patch_id::PatchId;
use crate::model::since::{BaseSince, ChangeKind, ChangeSince};

/// One file of the PR's own change at a commit (the diff from where it leaves the base).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnFile {
    pub path: String,
    pub previous_path: Option<String>,
    /// The unified patch; absent for binaries and very large files.
    pub patch: Option<String>,
    /// The file's blob at the commit, when known: equal blobs are equal contents.
    pub blob: Option<String>,
    /// What the file was where the change leaves the base: without a patch, equal blobs at the
    /// end are the same change only from the same file.
    pub before: Before,
}

/// A file where a side's own change leaves the base.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Before {
    /// The source does not say (GitHub lists only the blob a change ends with).
    #[default]
    Unknown,
    /// The change adds the file.
    Absent,
    /// The file's blob there.
    Blob(String),
}

/// The PR as it stood at one commit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrAt {
    pub tree: Option<String>,
    /// The base's commit where the PR's own change leaves it (the merge base), when known.
    pub fork: Option<String>,
    pub own: Vec<OwnFile>,
    /// The messages of the PR's own commits up to this one, oldest first.
    pub messages: Vec<String>,
}

/// How the head's history relates to the approved commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ancestry {
    /// The head descends from the approved commit. `own_commits_after`: how many commits after it
    /// are not merges that bring in the base (a fix-up pushed on top, a bot's commit).
    Descendant { own_commits_after: usize },
    /// The approved commit is not in the head's history: a rebase, an amend, a force-push.
    Rewritten,
}

/// Everything `classify` reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    pub approved: PrAt,
    pub head: PrAt,
    pub ancestry: Ancestry,
    /// The base branch changed after the approval (a retarget).
    pub retargeted: bool,
    /// Files of the approved change that the head no longer changes and whose approved change
    /// the source checked is now in the base, unchanged.
    pub landed_in_base: BTreeSet<String>,
    /// Files where a merge after the approval differs from what a clean three-way merge of its
    /// parents gives (a hand-resolved conflict), when the source recomputed the merge.
    pub merge_differs: BTreeSet<String>,
}

/// Decides the change kind. Anything the inputs cannot vouch for (a file without a patch, a
/// file on one side only, a merge that is not clean) makes the kind `Rework` and names the file.
pub fn classify(inputs: &Inputs) -> ChangeSince {
    let Inputs { approved, head, ancestry, retargeted, landed_in_base, merge_differs } = inputs;
    let same_tree = matches!((&approved.tree, &head.tree), (Some(a), Some(h)) if a == h);
    // The patches are compared even when the trees are equal: on a base that moved, the same tree
    // can undo the base's new change, which the reviewer never saw in the PR's diff.
    let same_fork = matches!((&approved.fork, &head.fork), (Some(a), Some(h)) if a == h);
    let (mut changed, landed) = differing_files(approved, head, landed_in_base, same_fork);
    changed.extend(merge_differs.iter().cloned());
    changed.sort();
    changed.dedup();
    let kind = match ancestry {
        _ if !changed.is_empty() => ChangeKind::Rework,
        _ if same_tree && approved.messages == head.messages => ChangeKind::NoChange,
        _ if same_tree => ChangeKind::MessageOnly,
        Ancestry::Rewritten => ChangeKind::TrivialRebase,
        Ancestry::Descendant { own_commits_after: 0 } => ChangeKind::CleanUpdateMerge,
        // Commits of the author's own came after it and their changes cancel out: say rework,
        // though no file's own change differs.
        Ancestry::Descendant { .. } => ChangeKind::Rework,
    };
    let base = if *retargeted {
        BaseSince::Retargeted { parent_landed: !landed.is_empty() && changed.is_empty() && kind != ChangeKind::Rework }
    } else {
        BaseSince::Same
    };
    ChangeSince { kind, changed, landed_in_base: landed, base }
}

/// The files whose own change differs between the two sides, and the approved-only files that
/// are excused because their change landed in the base.
fn differing_files(
    approved: &PrAt,
    head: &PrAt,
    landed_in_base: &BTreeSet<String>,
    same_fork: bool,
) -> (Vec<String>, Vec<String>) {
    let by_path =
        |side: &PrAt| -> BTreeMap<String, OwnFile> { side.own.iter().map(|f| (f.path.clone(), f.clone())).collect() };
    let (before, after) = (by_path(approved), by_path(head));
    let mut changed = Vec::new();
    let mut landed = Vec::new();
    for path in before.keys().chain(after.keys()).collect::<BTreeSet<_>>() {
        match (before.get(path), after.get(path)) {
            (Some(a), Some(h)) if a.same_change(h, same_fork) => {}
            (Some(_), None) if landed_in_base.contains(path) => landed.push(path.clone()),
            _ => changed.push(path.clone()),
        }
    }
    (changed, landed)
}

impl OwnFile {
    /// Whether `other` is the same change to the same file: the same previous path and the same
    /// patch by patch-id, or, without patches, the same blob from the same file where the change
    /// leaves the base (`same_fork`: both changes leave it at the same commit, so the file there
    /// is the same). A source also asks it of a file the head no longer changes and the base's
    /// change to it, to tell whether it landed there.
    pub fn same_change(&self, other: &OwnFile, same_fork: bool) -> bool {
        if self.path != other.path || self.previous_path != other.previous_path {
            return false;
        }
        match (&self.patch, &other.patch) {
            (Some(pa), Some(ph)) => PatchId::of(pa) == PatchId::of(ph),
            // Without a patch only identical contents at both ends vouch for the file: the same
            // blob kept over a base that changed the file undoes the base's change.
            _ => {
                let same_end = matches!((&self.blob, &other.blob), (Some(x), Some(y)) if x == y);
                let same_start = same_fork || (self.before != Before::Unknown && self.before == other.before);
                same_end && same_start
            }
        }
    }
}

#[cfg(test)]
mod tests;
