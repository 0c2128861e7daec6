//! What changed since an approved commit, read from local git: each side's own change (the diff
//! from where it leaves the base, split per file as GitHub's `patch` fields are), its tree and
//! messages, how the head's history relates to the approved commit, which dropped files landed in
//! the base, and every merge after the approval recomputed. `since::classify` decides from them,
//! as it does from GitHub's compare API.

use std::collections::BTreeSet;

use super::Repo;
use crate::error::UserError;
use crate::model::since::{ChangeSince, Unseen};
use crate::since::{self, Ancestry, Before, Inputs, OwnFile, PrAt};

/// The diff both sides are read with. Fixed here so that the user's configuration (an external
/// diff or textconv, another algorithm, a relative diff, other prefixes, submodule logs) cannot
/// make two sides, or git and GitHub, disagree about the same change.
pub(super) const DIFF: [&str; 10] = [
    "diff",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-relative",
    "--diff-algorithm=myers",
    "--submodule=short",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "-M",
];

/// The patch's shape, as GitHub prints it: three lines of context, hunks merged only when their
/// context overlaps. Both imply a patch, so the raw listing goes without them.
pub(super) const HUNKS: [&str; 2] = ["-U3", "--inter-hunk-context=0"];

/// A blob id of all zeros: no file on that side.
pub(super) fn absent(blob: &str) -> bool {
    blob.bytes().all(|b| b == b'0')
}

impl Repo {
    /// What changed between the `approved` commit and `head`, both PR heads against the branch
    /// `base` (as it is now); `retargeted` says whether the PR's base branch changed after the
    /// approval. An approved commit this repository does not hold is `Unreachable`; any git
    /// failure is `Failed`, naming the command. Either way the approval does not carry.
    pub fn since_approved(
        &self,
        base: &str,
        approved: &str,
        head: &str,
        retargeted: bool,
    ) -> Result<ChangeSince, Unseen> {
        let failed = |e: UserError| Unseen::Failed { detail: e.to_string() };
        if [base, approved, head].iter().any(|rev| rev.starts_with('-') || rev.is_empty()) {
            return Err(Unseen::Failed { detail: format!("not a revision: {base:?}, {approved:?} or {head:?}") });
        }
        if !self.has_commit(approved).map_err(failed)? {
            return Err(Unseen::Unreachable);
        }
        let inputs = self.since_inputs(base, approved, head, retargeted).map_err(failed)?;
        Ok(since::classify(&inputs))
    }

    /// What `since_approved` hands to `since::classify`, read from git.
    pub fn since_inputs(&self, base: &str, approved: &str, head: &str, retargeted: bool) -> Result<Inputs, UserError> {
        let approved_at = self.pr_at(base, approved)?;
        let head_at = self.pr_at(base, head)?;
        let ancestry = if self.is_ancestor(approved, head)? {
            let after =
                self.git(&["rev-list", "--count", "--no-merges", &format!("{approved}..{head}"), &format!("^{base}")])?;
            let own_commits_after = after.trim().parse().map_err(|_| {
                UserError::Git(format!("`git rev-list --count` printed {:?}, not a count", after.trim()))
            })?;
            Ancestry::Descendant { own_commits_after }
        } else {
            Ancestry::Rewritten
        };
        let landed_in_base = self.landed_in_base(base, approved, &approved_at, &head_at)?;
        let merge_differs = self.merges_that_differ(base, approved, head)?;
        Ok(Inputs { approved: approved_at, head: head_at, ancestry, retargeted, landed_in_base, merge_differs })
    }

    /// The PR as it stood at `side`: its own change from where it leaves `base`, its tree, and
    /// the messages of its own commits.
    fn pr_at(&self, base: &str, side: &str) -> Result<PrAt, UserError> {
        let fork = self.git(&["merge-base", base, side])?.trim().to_string();
        let own = self.own_files(&fork, side)?;
        let tree = self.git(&["rev-parse", "--verify", &format!("{side}^{{tree}}")])?.trim().to_string();
        let log = self.git(&["log", "-z", "--reverse", "--format=%B", &format!("{base}..{side}")])?;
        // `-z` ends each commit's message with a NUL.
        let messages = log.split_terminator('\0').map(|m| m.trim().to_string()).collect();
        Ok(PrAt { tree: Some(tree), fork: Some(fork), own, messages })
    }

    /// The change from `from` to `to`, one `OwnFile` per changed file. The raw listing gives the
    /// paths and blobs, the patch listing the patches, in the same order.
    fn own_files(&self, from: &str, to: &str) -> Result<Vec<OwnFile>, UserError> {
        let raw = self.git(&[&DIFF[..], &["--raw", "-z", "--no-abbrev", from, to]].concat())?;
        let entries = raw_entries(&raw)?;
        let out = self.git_output(&[&DIFF[..], &HUNKS[..], &[from, to]].concat())?;
        if !out.status.success() {
            return Err(UserError::Git(format!(
                "`git diff {from} {to}` failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        let mut files = Vec::new();
        for (entry, patch) in entries_with_patches(entries, &out.stdout, &format!("{from} {to}"))? {
            files.push(OwnFile {
                path: entry.path,
                previous_path: entry.previous_path,
                patch,
                blob: Some(entry.blob).filter(|b| !absent(b)),
                before: if absent(&entry.before) { Before::Absent } else { Before::Blob(entry.before) },
            });
        }
        Ok(files)
    }

    /// Files of the approved change that the head no longer changes and whose approved change is
    /// what the base took on since the approved commit left it (a squash-merged stack parent).
    fn landed_in_base(
        &self,
        base: &str,
        approved: &str,
        approved_at: &PrAt,
        head_at: &PrAt,
    ) -> Result<BTreeSet<String>, UserError> {
        let kept: BTreeSet<&str> = head_at.own.iter().map(|f| f.path.as_str()).collect();
        let dropped: Vec<&OwnFile> = approved_at.own.iter().filter(|f| !kept.contains(f.path.as_str())).collect();
        if dropped.is_empty() {
            return Ok(BTreeSet::new());
        }
        let fork = self.git(&["merge-base", approved, base])?;
        let in_base = self.own_files(fork.trim(), base)?;
        // Both changes leave the base at `fork`.
        let landed = dropped.into_iter().filter(|f| in_base.iter().any(|b| f.same_change(b, true)));
        Ok(landed.map(|f| f.path.clone()).collect())
    }

    /// The files where a merge after the approved commit (other than the base's own merges)
    /// differs from a clean three-way merge of its parents: a hand-resolved conflict, an edit
    /// slipped into a merge. A merge git cannot recompute names every file it changes.
    fn merges_that_differ(&self, base: &str, approved: &str, head: &str) -> Result<BTreeSet<String>, UserError> {
        let merges = self.git(&["rev-list", "--merges", &format!("{approved}..{head}"), &format!("^{base}")])?;
        let mut differ = BTreeSet::new();
        for merge in merges.lines().filter(|l| !l.is_empty()) {
            let parents = self.git(&["rev-parse", &format!("{merge}^@")])?;
            let parents: Vec<&str> = parents.lines().filter(|l| !l.is_empty()).collect();
            let files = match parents.as_slice() {
                [first, second] => self.merge_differs(merge, first, second)?,
                // An octopus merge: merge-tree takes two parents.
                [first, ..] => self.tree_diff(first, merge)?,
                [] => Vec::new(),
            };
            differ.extend(files);
        }
        Ok(differ)
    }

    /// The files where `merge` differs from `git merge-tree` of its two parents; a conflict the
    /// recomputation cannot resolve counts as differing.
    fn merge_differs(&self, merge: &str, first: &str, second: &str) -> Result<Vec<String>, UserError> {
        let out = self.git_output(&["merge-tree", "--write-tree", "-z", "--name-only", first, second])?;
        let text = String::from_utf8_lossy(&out.stdout);
        let mut fields = text.split('\0');
        let tree = fields.next().unwrap_or_default().trim();
        let mut files = match out.status.code() {
            Some(0) => Vec::new(),
            Some(1) => fields.take_while(|f| !f.is_empty()).map(String::from).collect(),
            _ => {
                return Err(UserError::Git(format!(
                    "`git merge-tree --write-tree` (git 2.38 or newer) could not recompute the merge {merge}: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                )));
            }
        };
        files.extend(self.tree_diff(tree, merge)?);
        Ok(files)
    }

    /// The paths that differ between two trees (or commits' trees).
    fn tree_diff(&self, from: &str, to: &str) -> Result<Vec<String>, UserError> {
        let out = self.git(&["diff-tree", "-r", "-z", "--name-only", "--no-renames", from, to])?;
        Ok(out.split('\0').filter(|p| !p.is_empty()).map(String::from).collect())
    }

    /// Whether this repository holds `rev` as a commit.
    fn has_commit(&self, rev: &str) -> Result<bool, UserError> {
        let out = self.git_output(&["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])?;
        Ok(out.status.success())
    }

    fn is_ancestor(&self, older: &str, newer: &str) -> Result<bool, UserError> {
        let out = self.git_output(&["merge-base", "--is-ancestor", older, newer])?;
        match out.status.code() {
            Some(0) => Ok(true),
            Some(1) => Ok(false),
            _ => Err(UserError::Git(format!(
                "`git merge-base --is-ancestor {older} {newer}` failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))),
        }
    }
}

/// One file of `git diff --raw -z`.
pub(super) struct RawEntry {
    pub(super) status: char,
    pub(super) path: String,
    pub(super) previous_path: Option<String>,
    /// The blob where the change starts and where it ends (all zeros: no file there).
    pub(super) before: String,
    pub(super) blob: String,
}

impl RawEntry {
    /// The patch printed for this entry names its paths (unless git quoted them): a check that
    /// the two listings line up.
    pub(super) fn check_header(&self, chunk: &[u8]) -> Result<(), UserError> {
        let header = chunk.split(|b| *b == b'\n').next().unwrap_or_default();
        let header = String::from_utf8_lossy(header);
        let from = self.previous_path.as_deref().unwrap_or(&self.path);
        let expected = format!("diff --git a/{from} b/{}", self.path);
        if header == expected || header.starts_with("diff --git \"") {
            Ok(())
        } else {
            Err(UserError::Git(format!("git's patch {header:?} is not the listed file {:?}", self.path)))
        }
    }
}

/// `:old_mode new_mode old_blob new_blob status\0path\0` (and `new_path\0` for a rename or copy).
pub(super) fn raw_entries(raw: &str) -> Result<Vec<RawEntry>, UserError> {
    let mut entries = Vec::new();
    let mut fields = raw.split('\0').filter(|f| !f.is_empty());
    while let Some(meta) = fields.next() {
        let cols: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
        let (Some(before), Some(blob), Some(status)) =
            (cols.get(2), cols.get(3), cols.get(4).and_then(|s| s.chars().next()))
        else {
            return Err(UserError::Git(format!("`git diff --raw` printed {meta:?}")));
        };
        let first = fields.next().ok_or_else(|| UserError::Git(format!("`git diff --raw` ends after {meta:?}")))?;
        let (path, previous_path) = if matches!(status, 'R' | 'C') {
            let second =
                fields.next().ok_or_else(|| UserError::Git(format!("`git diff --raw` ends after {first:?}")))?;
            (second.to_string(), Some(first.to_string()))
        } else {
            (first.to_string(), None)
        };
        entries.push(RawEntry { status, path, previous_path, before: before.to_string(), blob: blob.to_string() });
    }
    Ok(entries)
}

/// The patch output cut at each file's `diff --git` line. No line inside a hunk starts so: each
/// carries a ` `, `+`, `-` or `\` first.
/// Each entry of a raw listing with its patch from the patch listing `out` of the same `git diff
/// {diffed}`, in order; a type change (a file that became a link) is two patches for one entry
/// and gets none.
pub(super) fn entries_with_patches(
    entries: Vec<RawEntry>,
    out: &[u8],
    diffed: &str,
) -> Result<Vec<(RawEntry, Option<String>)>, UserError> {
    let chunks = patch_chunks(out);
    let expected = entries.len() + entries.iter().filter(|e| e.status == 'T').count();
    if chunks.len() != expected {
        return Err(UserError::Git(format!(
            "`git diff {diffed}` listed {} files but printed {} patches",
            entries.len(),
            chunks.len()
        )));
    }
    let mut chunks = chunks.into_iter();
    let mut files = Vec::new();
    for entry in entries {
        let chunk = chunks.next().unwrap_or_default();
        let patch = if entry.status == 'T' {
            chunks.next();
            None
        } else {
            entry.check_header(chunk)?;
            patch_text(chunk)
        };
        files.push((entry, patch));
    }
    Ok(files)
}

pub(super) fn patch_chunks(out: &[u8]) -> Vec<&[u8]> {
    let mut starts = Vec::new();
    let mut at = 0;
    for line in out.split_inclusive(|b| *b == b'\n') {
        if line.starts_with(b"diff --git ") {
            starts.push(at);
        }
        at += line.len();
    }
    let ends = starts.iter().skip(1).copied().chain(std::iter::once(out.len()));
    starts.iter().zip(ends).map(|(&s, e)| &out[s..e]).collect()
}

/// A file's patch as GitHub's `patch` field gives it: from the first hunk header on. None for a
/// binary file, a change without hunks (a rename or a mode change alone) and a patch that is not
/// UTF-8: its blob then decides.
pub(super) fn patch_text(chunk: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(chunk).ok()?;
    let hunks = text.find("\n@@ ").map(|at| &text[at + 1..])?;
    Some(hunks.trim_end_matches('\n').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raw_listing_reads_renames_deletions_and_blobs() {
        let raw = ":100644 100644 aaaa bbbb M\0src/a.rs\0:100644 100644 cccc dddd R087\0old.rs\0new.rs\0\
                   :100644 000000 eeee 0000 D\0gone.rs\0";
        let entries = raw_entries(raw).expect("a listing");
        let got: Vec<(char, &str, Option<&str>, bool)> =
            entries.iter().map(|e| (e.status, e.path.as_str(), e.previous_path.as_deref(), absent(&e.blob))).collect();
        assert_eq!(
            got,
            vec![('M', "src/a.rs", None, false), ('R', "new.rs", Some("old.rs"), false), ('D', "gone.rs", None, true)]
        );
        assert_eq!((entries[0].before.as_str(), entries[1].before.as_str()), ("aaaa", "cccc"), "where each starts");
        assert!(raw_entries(":100644 100644 aaaa\0x\0").is_err(), "a short record is refused");
    }

    #[test]
    fn a_patch_is_cut_per_file_from_its_first_hunk_and_a_binary_has_none() {
        let out = b"diff --git a/a.rs b/a.rs\nindex 1..2 100644\n--- a/a.rs\n+++ b/a.rs\n@@ -1 +1 @@\n-x\n+y\n\
                    diff --git a/logo.png b/logo.png\nBinary files a/logo.png and b/logo.png differ\n\
                    diff --git a/old.rs b/new.rs\nsimilarity index 100%\nrename from old.rs\nrename to new.rs\n";
        let chunks = patch_chunks(out);
        assert_eq!(chunks.len(), 3);
        assert_eq!(patch_text(chunks[0]).as_deref(), Some("@@ -1 +1 @@\n-x\n+y"));
        assert_eq!(patch_text(chunks[1]), None);
        assert_eq!(patch_text(chunks[2]), None);
    }
}
