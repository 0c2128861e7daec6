//! git-ai's and whogitit's notes on the PR's commits, through GitHub's git data API: each notes
//! ref's commit, its tree (a note sits at `<commit id>` or, fanned out as git does for many notes,
//! `<2 hex>/<38 hex>` and deeper), each note's blob; and, only when some commit has a note, each
//! commit's own patches, which the mapper follows lines through.

use std::collections::HashMap;
use std::sync::Arc;

use super::{MAX_COMMITS, MAX_NOTE_BYTES, MAX_TOTAL_BYTES};
use crate::github::parse::provenance::TreeJson;
use crate::github::{GitHub, RepoName};
use crate::model::provenance::{RawCommit, RawFilePatch, RawProvenance, SourceKind, SourceRead, SourceState};
use crate::model::{Commit, CommitSha};

/// The notes refs read, by the source each holds.
const REFS: [(SourceKind, &str); 2] = [(SourceKind::GitAi, "notes/ai"), (SourceKind::Whogitit, "notes/whogitit")];
/// git fans a notes tree out two hex digits a level; no real notes tree is deeper than this.
const MAX_FANOUT_LEVELS: usize = 4;

/// One source's outcome: its notes by commit, or the state that says why there are none.
type Notes = Result<HashMap<CommitSha, String>, SourceState>;

/// The PR's commits with their notes and patches, and the state of each notes source that was not
/// simply read.
pub(super) async fn read(gh: &GitHub, repo: &RepoName, commits: &[Commit]) -> RawProvenance {
    let listed = gh.notes_refs(repo).await;
    let mut spent = 0u64;
    let mut outcomes: Vec<(SourceKind, Notes)> = Vec::new();
    for (kind, name) in REFS {
        let found = match &listed {
            Ok(refs) => {
                Ok(refs.iter().find(|(r, _)| r.strip_prefix("refs/") == Some(name)).map(|(_, sha)| sha.clone()))
            }
            Err(e) => Err(e),
        };
        let outcome = match found {
            Ok(None) => Err(SourceState::Missing),
            Err(e) => Err(SourceState::Unreadable { reason: format!("refs/{name} cannot be read: {e}") }),
            Ok(Some(_)) if commits.len() > MAX_COMMITS => Err(SourceState::Unreadable {
                reason: format!(
                    "refs/{name}: the pull request has {} commits; notes are read for at most {MAX_COMMITS}",
                    commits.len()
                ),
            }),
            Ok(Some(notes_commit)) => notes_on(gh, repo, name, &notes_commit, commits, &mut spent).await,
        };
        outcomes.push((kind, outcome));
    }

    let mut raw = RawProvenance {
        commits: commits.iter().map(|c| RawCommit { sha: c.sha.clone(), ..RawCommit::default() }).collect(),
        ..RawProvenance::default()
    };
    let any_note = outcomes.iter().any(|(_, o)| o.as_ref().is_ok_and(|n| !n.is_empty()));
    if any_note && let Err(state) = add_patches(gh, repo, &mut raw.commits, &mut spent).await {
        // Notes without the commits' own changes cannot be placed on lines: none is handed on.
        for (_, outcome) in outcomes.iter_mut().filter(|(_, o)| o.is_ok()) {
            *outcome = Err(state.clone());
        }
    }
    for (kind, outcome) in outcomes {
        match outcome {
            Ok(mut notes) => {
                for commit in &mut raw.commits {
                    if let Some(text) = notes.remove(&commit.sha) {
                        commit.notes.push((kind, text));
                    }
                }
            }
            Err(state) => raw.sources.push(SourceRead { kind, state }),
        }
    }
    raw
}

/// The notes `refs/{name}` (at `notes_commit`) holds for `commits`.
async fn notes_on(
    gh: &GitHub,
    repo: &RepoName,
    name: &str,
    notes_commit: &str,
    commits: &[Commit],
    spent: &mut u64,
) -> Notes {
    let unreadable = |what: String| SourceState::Unreadable { reason: format!("refs/{name}: {what}") };
    let mut trees = Trees { gh, repo, by_sha: HashMap::new() };
    let root = trees.get(notes_commit).await.map_err(|e| unreadable(e.to_string()))?;
    let mut notes = HashMap::new();
    for commit in commits {
        let sha = commit.sha.as_str().to_ascii_lowercase();
        let Some((blob, size)) = trees.find(root.clone(), &sha).await.map_err(&unreadable)? else { continue };
        let short = commit.sha.short();
        if size > MAX_NOTE_BYTES {
            return Err(unreadable(format!(
                "the note on commit {short} is {size} bytes, over the {MAX_NOTE_BYTES} a note may be"
            )));
        }
        *spent += size;
        if *spent > MAX_TOTAL_BYTES {
            return Err(unreadable(format!("the notes pass the {MAX_TOTAL_BYTES} bytes read for one pull request")));
        }
        let bytes = gh.blob(repo, &blob).await.map_err(|e| unreadable(e.to_string()))?;
        if bytes.len() as u64 > MAX_NOTE_BYTES {
            return Err(unreadable(format!(
                "the note on commit {short} is over the {MAX_NOTE_BYTES} bytes a note may be"
            )));
        }
        let text = String::from_utf8(bytes).map_err(|_| SourceState::Corrupt {
            reason: format!("refs/{name}: the note on commit {short} is not UTF-8 text"),
        })?;
        notes.insert(commit.sha.clone(), text);
    }
    Ok(notes)
}

/// A notes ref's trees, each fetched once.
struct Trees<'a> {
    gh: &'a GitHub,
    repo: &'a RepoName,
    by_sha: HashMap<String, Arc<TreeJson>>,
}

impl Trees<'_> {
    async fn get(&mut self, sha: &str) -> Result<Arc<TreeJson>, crate::github::Error> {
        if let Some(tree) = self.by_sha.get(sha) {
            return Ok(tree.clone());
        }
        let tree = Arc::new(self.gh.tree(self.repo, sha).await?);
        self.by_sha.insert(sha.to_string(), tree.clone());
        Ok(tree)
    }

    /// The blob and size of the note on `commit`, looked up as git does: the whole id at one
    /// level, or its first two hex digits as a subtree holding the rest.
    async fn find(&mut self, root: Arc<TreeJson>, commit: &str) -> Result<Option<(String, u64)>, String> {
        let mut tree = root;
        let mut rest = commit;
        for _ in 0..=MAX_FANOUT_LEVELS {
            if let Some(note) = tree.tree.iter().find(|e| e.kind == "blob" && e.path == rest) {
                return Ok(Some((note.sha.clone(), note.size.unwrap_or(0))));
            }
            let Some(fan) = rest.get(..2).filter(|_| rest.len() > 2) else { break };
            let Some(sub) = tree.tree.iter().find(|e| e.kind == "tree" && e.path == fan) else {
                if tree.truncated {
                    return Err("the notes tree lists more entries than GitHub answers at once".into());
                }
                return Ok(None);
            };
            let sub = sub.sha.clone();
            tree = self.get(&sub).await.map_err(|e| e.to_string())?;
            rest = &rest[2..];
        }
        Ok(None)
    }
}

/// Each commit's own change, file by file; the state of the notes sources when one cannot be read.
async fn add_patches(
    gh: &GitHub,
    repo: &RepoName,
    commits: &mut [RawCommit],
    spent: &mut u64,
) -> Result<(), SourceState> {
    for commit in commits.iter_mut() {
        let files = gh.commit_files(repo, commit.sha.as_str()).await.map_err(|e| SourceState::Unreadable {
            reason: format!("commit {}'s own change cannot be read: {e}", commit.sha.short()),
        })?;
        *spent += files.iter().map(|f| f.patch.as_ref().map_or(0, |p| p.len() as u64)).sum::<u64>();
        if *spent > MAX_TOTAL_BYTES {
            return Err(SourceState::Unreadable {
                reason: format!("the commits' patches pass the {MAX_TOTAL_BYTES} bytes read for one pull request"),
            });
        }
        commit.files = files
            .into_iter()
            .map(|f| RawFilePatch { path: f.filename, previous_path: f.previous_filename, patch: f.patch })
            .collect();
    }
    Ok(())
}
