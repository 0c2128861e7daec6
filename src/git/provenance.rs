//! Line-level AI provenance read from local git, for `flowgate check` on a branch: the git-ai
//! note (`git notes --ref=ai`) and whogitit note (`--ref=whogitit`) on each of the branch's
//! commits, each commit's own patch against its first parent, and the Agent Trace records kept
//! at the head under `.agent-trace/` (where Agent Trace's reference implementation appends
//! `traces.jsonl`), into `RawProvenance` for `provenance::map`. Everything read is capped: too
//! many commits or bytes make the sources `unreadable`, never a partial answer that looks whole.

use std::collections::HashMap;
use std::io::Read;
use std::process::{Command, Stdio};

use super::Repo;
use super::since::{DIFF, HUNKS, absent, entries_with_patches, raw_entries};
use crate::model::provenance::{
    Provenance, RawCommit, RawFilePatch, RawProvenance, SourceKind, SourceRead, SourceState,
};
use crate::model::{Commit, FileChange};
use crate::provenance::{Limits, map};

/// The most commits whose patches and notes are read.
const MAX_COMMITS: usize = 250;
/// The most bytes of patches read over all the commits and the PR's own diff.
const MAX_PATCH_BYTES: usize = 32 << 20;
/// Where Agent Trace records are looked for at the head, and how many files and bytes of them.
const TRACE_DIR: &str = ".agent-trace";
const MAX_TRACE_FILES: usize = 64;
const MAX_TRACE_BYTES: u64 = 32 << 20;
/// The tree of an empty repository: what a root commit's patch is taken against.
const EMPTY_TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

impl Repo {
    /// The provenance of the branch's added lines: `files` as `facts` lists them, `commits` the
    /// branch's own, oldest first; `worktree` when uncommitted changes are gated too (they are a
    /// last step with no records).
    pub fn provenance(&self, merge_base: &str, commits: &[Commit], files: &[FileChange], worktree: bool) -> Provenance {
        let mut budget = MAX_PATCH_BYTES;
        let to = if worktree { None } else { Some("HEAD") };
        // The PR's own diff first: without it no line can be placed.
        let pr_files = match self.own_patches(merge_base, to, &mut budget) {
            Ok(patches) => with_patches(files, &patches),
            Err(why) => return unreadable(files, &why),
        };
        match self.raw_provenance(commits, worktree, &mut budget) {
            Ok(raw) => map(&raw, &pr_files),
            Err(why) => unreadable(files, &why),
        }
    }

    fn raw_provenance(&self, commits: &[Commit], worktree: bool, budget: &mut usize) -> Result<RawProvenance, String> {
        if commits.len() > MAX_COMMITS {
            return Err(format!(
                "the branch has {} commits, more than the {MAX_COMMITS} flowgate follows",
                commits.len()
            ));
        }
        let mut raw = RawProvenance::default();
        let mut notes: Vec<(SourceKind, HashMap<String, String>)> = Vec::new();
        for (kind, name) in [(SourceKind::GitAi, "ai"), (SourceKind::Whogitit, "whogitit")] {
            match self.notes_list(name) {
                Ok(Some(list)) => notes.push((kind, list)),
                Ok(None) => raw.sources.push(SourceRead { kind, state: SourceState::Missing }),
                Err(reason) => raw.sources.push(SourceRead { kind, state: SourceState::Unreadable { reason } }),
            }
        }
        for commit in commits {
            let sha = commit.sha.as_str();
            let parent = commit.parents.first().map(|p| p.as_str()).unwrap_or(EMPTY_TREE);
            let files = self.own_patches(parent, Some(sha), budget)?;
            let mut attached = Vec::new();
            for (kind, list) in &notes {
                let Some(blob) = list.get(sha) else { continue };
                match self.blob_capped(blob, Limits::NOTE.max_bytes as u64) {
                    Ok(text) => attached.push((*kind, text)),
                    Err(why) => set_state(
                        &mut raw,
                        *kind,
                        SourceState::Corrupt {
                            reason: format!("the note on commit {}: {why}", &sha[..sha.len().min(12)]),
                        },
                    ),
                }
            }
            raw.commits.push(RawCommit { sha: commit.sha.clone(), files, notes: attached });
        }
        if worktree {
            let files = self.own_patches("HEAD", None, budget)?;
            raw.commits.push(RawCommit { files, ..RawCommit::default() });
        }
        match self.trace_files() {
            Ok(Some(files)) => raw.trace_files = files,
            Ok(None) => raw.sources.push(SourceRead { kind: SourceKind::AgentTrace, state: SourceState::Missing }),
            Err(state) => set_state(&mut raw, SourceKind::AgentTrace, state),
        }
        Ok(raw)
    }

    /// Which commit carries which note blob in `refs/notes/<name>`; None when there is no such ref.
    fn notes_list(&self, name: &str) -> Result<Option<HashMap<String, String>>, String> {
        let reference = format!("refs/notes/{name}");
        if !self.git_output(&["rev-parse", "--verify", "--quiet", &reference]).is_ok_and(|o| o.status.success()) {
            return Ok(None);
        }
        let list = self.git(&["notes", &format!("--ref={name}"), "list"]).map_err(|e| e.to_string())?;
        let pairs =
            list.lines().filter_map(|l| l.split_once(' ')).map(|(note, commit)| (commit.to_string(), note.to_string()));
        Ok(Some(pairs.collect()))
    }

    /// A blob's text, refused when it is larger than `cap` bytes or not UTF-8.
    fn blob_capped(&self, blob: &str, cap: u64) -> Result<String, String> {
        let size = self.git(&["cat-file", "-s", blob]).map_err(|e| e.to_string())?;
        let size: u64 = size.trim().parse().map_err(|_| format!("git gave the size {:?}", size.trim()))?;
        if size > cap {
            return Err(format!("{size} bytes, over the {cap} bytes flowgate reads from one record"));
        }
        let bytes = self.git_capped(&["cat-file", "blob", blob], cap as usize)?;
        String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
    }

    /// The Agent Trace files (`.json`, `.jsonl`) under `.agent-trace/` at HEAD; None when there
    /// is no such directory; a state when there are too many or too large.
    fn trace_files(&self) -> Result<Option<Vec<(String, String)>>, SourceState> {
        let listing = self
            .git(&["ls-tree", "-r", "-l", "-z", "HEAD", "--", &format!("{TRACE_DIR}/")])
            .map_err(|e| SourceState::Unreadable { reason: e.to_string() })?;
        // `<mode> blob <oid> <size>\t<path>`
        let mut found = Vec::new();
        for entry in listing.split('\0').filter(|e| !e.is_empty()) {
            let Some((meta, path)) = entry.split_once('\t') else { continue };
            let cols: Vec<&str> = meta.split_whitespace().collect();
            if cols.get(1) != Some(&"blob") || !(path.ends_with(".json") || path.ends_with(".jsonl")) {
                continue;
            }
            let size: u64 = cols.get(3).and_then(|s| s.parse().ok()).unwrap_or(u64::MAX);
            found.push((path.to_string(), cols[2].to_string(), size));
        }
        if found.is_empty() {
            return Ok(None);
        }
        let total: u64 = found.iter().map(|(_, _, size)| *size).fold(0, u64::saturating_add);
        if found.len() > MAX_TRACE_FILES || total > MAX_TRACE_BYTES {
            return Err(SourceState::Unreadable {
                reason: format!(
                    "{TRACE_DIR}/ holds {} record files of {total} bytes, more than the {MAX_TRACE_FILES} files or \
                     {MAX_TRACE_BYTES} bytes flowgate reads",
                    found.len()
                ),
            });
        }
        let mut files = Vec::new();
        for (path, oid, _) in found {
            let text = self
                .blob_capped(&oid, Limits::TRACE_FILE.max_bytes as u64)
                .map_err(|why| SourceState::Corrupt { reason: format!("{path}: {why}") })?;
            files.push((path, text));
        }
        Ok(Some(files))
    }

    /// Each file's own patch from `from` to `to` (the working tree when None), in the shape of
    /// GitHub's `patch` fields; the bytes read are taken from `budget`.
    fn own_patches(&self, from: &str, to: Option<&str>, budget: &mut usize) -> Result<Vec<RawFilePatch>, String> {
        let revs: Vec<&str> = std::iter::once(from).chain(to).collect();
        let listing =
            self.git(&[&DIFF[..], &["--raw", "-z", "--no-abbrev"], &revs].concat()).map_err(|e| e.to_string())?;
        let entries = raw_entries(&listing).map_err(|e| e.to_string())?;
        let out = self.git_capped(&[&DIFF[..], &HUNKS[..], &revs].concat(), *budget)?;
        *budget -= out.len();
        let paired = entries_with_patches(entries, &out, &revs.join(" ")).map_err(|e| e.to_string())?;
        let mut files = Vec::new();
        for (entry, patch) in paired {
            // A rename that keeps every line has no hunks, and loses none of them.
            let unchanged = entry.status != 'T' && entry.before == entry.blob && !absent(&entry.blob);
            let patch = patch.or_else(|| unchanged.then(String::new));
            files.push(RawFilePatch { path: entry.path, previous_path: entry.previous_path, patch });
        }
        Ok(files)
    }

    /// What git prints, refused past `cap` bytes (git is stopped rather than read to the end).
    fn git_capped(&self, args: &[&str], cap: usize) -> Result<Vec<u8>, String> {
        let mut child = Command::new("git")
            .arg("-C")
            .arg(&self.dir)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run git: {e}"))?;
        let mut out = Vec::new();
        let read = child.stdout.take().map(|s| s.take(cap as u64 + 1).read_to_end(&mut out));
        if out.len() > cap {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("`git {}` printed more than the {cap} bytes left to read", args.join(" ")));
        }
        let status = child.wait().map_err(|e| format!("git did not finish: {e}"))?;
        match read {
            Some(Ok(_)) if status.success() => Ok(out),
            _ => Err(format!("`git {}` failed ({status})", args.join(" "))),
        }
    }
}

/// `files` with each one's patch from the PR's own diff; a file the diff does not show keeps none.
fn with_patches(files: &[FileChange], patches: &[RawFilePatch]) -> Vec<FileChange> {
    files
        .iter()
        .map(|f| {
            let patch = patches.iter().find(|p| p.path == f.path).and_then(|p| p.patch.clone());
            FileChange { patch, ..f.clone() }
        })
        .collect()
}

/// Every source unreadable for one reason, every added line unknown.
fn unreadable(files: &[FileChange], reason: &str) -> Provenance {
    let sources = [SourceKind::GitAi, SourceKind::Whogitit, SourceKind::AgentTrace]
        .into_iter()
        .map(|kind| SourceRead { kind, state: SourceState::Unreadable { reason: reason.to_string() } })
        .collect();
    let files: Vec<FileChange> = files.iter().map(|f| FileChange { patch: None, ..f.clone() }).collect();
    map(&RawProvenance { sources, ..RawProvenance::default() }, &files)
}

/// Sets a source's state, keeping the first problem found.
fn set_state(raw: &mut RawProvenance, kind: SourceKind, state: SourceState) {
    if !raw.sources.iter().any(|s| s.kind == kind) {
        raw.sources.push(SourceRead { kind, state });
    }
}
