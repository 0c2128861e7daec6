//! Following added lines from commit to commit: each commit's own patch moves, removes and adds
//! lines of its files; the records of that commit then say who wrote the lines it added. A line
//! the PR did not add is not followed. The head state answers, for each line of the PR's diff,
//! which origin the records give it.

use std::collections::HashMap;

use super::agent_trace::hash_matches;
use super::diff::{self, MAX_LINE};
use super::{Claim, Note};
use crate::model::provenance::{Origin, RawCommit, SourceKind};

/// Lines visited while applying records (and hashes tried while looking for a moved range), past
/// which the rest of the records are not applied and the sources are reported unreadable.
const WORK_BUDGET: u64 = 20_000_000;

/// An origin as one record gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    pub origin: Origin,
    pub tool: Option<String>,
    pub model: Option<String>,
    pub source: SourceKind,
}

impl Attr {
    fn of(claim: &Claim) -> Attr {
        Attr { origin: claim.origin, tool: claim.tool.clone(), model: claim.model.clone(), source: claim.source }
    }
}

/// How much a record's word weighs when two disagree about a line: a person's change to an AI's
/// line is the most cautious reading, then the AI's, then a person's.
fn rank(origin: Option<&Attr>) -> u8 {
    match origin.map(|a| a.origin) {
        Some(Origin::AiModified) => 3,
        Some(Origin::Ai) => 2,
        Some(Origin::Human) => 1,
        Some(Origin::Unknown) | None => 0,
    }
}

/// A line the PR added, as it stands after the commits replayed so far.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    origin: Option<Attr>,
    /// The commit (its index) that added the line.
    added_in: usize,
    /// Whether a record of that commit named the line (a record overrides what the patch alone
    /// suggested: the rewrite of an AI's line).
    claimed: bool,
}

/// A file's lines, index 0 for line 1; `None` for a line the PR did not add.
type FileLines = Vec<Option<Line>>;

#[derive(Debug, Default)]
pub struct Replay {
    files: HashMap<String, FileLines>,
    commit: usize,
    work: u64,
}

impl Replay {
    /// Replays one commit: its patches, then its records.
    pub fn commit(&mut self, commit: &RawCommit, notes: &[Note]) {
        self.commit += 1;
        let now = self.commit;
        let mut touched = Vec::new();
        for file in &commit.files {
            let from = file.previous_path.as_deref().unwrap_or(&file.path);
            let before = self.files.remove(from).unwrap_or_default();
            // A patch that is missing or unreadable loses the file's history: its lines from
            // here on are only what later records say.
            let after = file.patch.as_deref().and_then(|p| apply(&before, p, now).ok()).unwrap_or_default();
            self.files.insert(file.path.clone(), after);
            touched.push(file.path.as_str());
        }
        for note in notes {
            for claim in &note.claims {
                self.claim(claim, now);
            }
        }
        if notes.iter().any(|n| n.rest_human) {
            let source = SourceKind::GitAi;
            for path in touched {
                for line in self.files.get_mut(path).into_iter().flatten().flatten() {
                    if line.added_in == now && line.origin.is_none() {
                        line.origin = Some(Attr { origin: Origin::Human, tool: None, model: None, source });
                    }
                }
            }
        }
    }

    /// Applies Agent Trace records that name no commit of the PR: their ranges are the head's.
    pub fn at_head(&mut self, notes: &[Note]) {
        self.commit += 1;
        let now = self.commit;
        for claim in notes.iter().flat_map(|n| &n.claims) {
            self.claim(claim, now);
        }
    }

    /// Why the records were not all applied, if the work budget ran out.
    pub fn over_budget(&self) -> Option<&'static str> {
        (self.work > WORK_BUDGET).then_some("the records name more lines than flowgate follows (20,000,000)")
    }

    /// The origin the records give line `n` (1-based) of `path` at the head, when the line there
    /// is the one the PR's diff shows (`text`).
    pub fn origin_at(&self, path: &str, n: u32, text: &str) -> Option<&Attr> {
        let line = self.files.get(path)?.get(n.checked_sub(1)? as usize)?.as_ref()?;
        (line.text == text).then_some(line.origin.as_ref()).flatten()
    }

    fn claim(&mut self, claim: &Claim, now: usize) {
        if self.work > WORK_BUDGET {
            return;
        }
        let attr = Attr::of(claim);
        for &(start, end) in &claim.ranges {
            let (path, start, end, attr) = self.place(claim, start, end, &attr);
            let Some(lines) = self.files.get_mut(&path) else { continue };
            let last = (end as usize).min(lines.len());
            self.work += last.saturating_sub(start as usize - 1) as u64;
            for line in lines[(start as usize - 1).min(last)..last].iter_mut().flatten() {
                let fresh = line.added_in == now;
                let wins = if fresh && !line.claimed { true } else { rank(Some(&attr)) > rank(line.origin.as_ref()) };
                if wins {
                    line.origin = Some(attr.clone());
                }
                if fresh {
                    line.claimed = true;
                }
            }
        }
    }

    /// Where a range applies: where it says, unless it carries a content hash that its place no
    /// longer matches; then where the hash is found again (this file first, then the others); and
    /// if nowhere, where it says, as an AI's line a person changed.
    fn place(&mut self, claim: &Claim, start: u32, end: u32, attr: &Attr) -> (String, u32, u32, Attr) {
        let here = (claim.path.clone(), start, end, attr.clone());
        let Some(hash) = claim.content_hash.as_deref() else { return here };
        let len = (end - start + 1) as usize;
        let texts: Option<Vec<&str>> = self
            .files
            .get(&claim.path)
            .and_then(|lines| lines.get(start as usize - 1..end as usize))
            .and_then(|s| s.iter().map(|l| l.as_ref().map(|l| l.text.as_str())).collect());
        let checked = texts.and_then(|t| hash_matches(hash, &t));
        // Matching where it says, or an algorithm flowgate does not check: taken where it says.
        if checked == Some(true) || hash_matches(hash, &[]).is_none() {
            return here;
        }
        // The record's own file first, then the others in order.
        let mut paths: Vec<&String> = self.files.keys().collect();
        paths.sort_by_key(|p| (**p != claim.path, p.as_str()));
        let mut tried = 0u64;
        let mut found = None;
        'search: for path in paths {
            let lines = &self.files[path];
            for at in 0..lines.len().saturating_sub(len - 1) {
                let window: Option<Vec<&str>> =
                    lines[at..at + len].iter().map(|l| l.as_ref().map(|l| l.text.as_str())).collect();
                let Some(window) = window else { continue };
                tried += len as u64;
                if hash_matches(hash, &window) == Some(true) {
                    found = Some((path.clone(), at as u32 + 1, (at + len) as u32));
                    break 'search;
                }
                if self.work + tried > WORK_BUDGET {
                    break 'search;
                }
            }
        }
        self.work += tried;
        match found {
            Some((path, start, end)) => (path, start, end, attr.clone()),
            // Lines the PR did not add (whose text the patches do not show) cannot be checked.
            None if checked.is_none() => here,
            None => {
                let origin = if attr.origin == Origin::Ai { Origin::AiModified } else { attr.origin };
                (claim.path.clone(), start, end, Attr { origin, ..attr.clone() })
            }
        }
    }
}

/// The file's lines after `patch`, with the lines it adds marked as added by commit `now`; an
/// added line that takes the place of an AI's line (the n-th added line of a change block, for
/// the n-th removed one) starts as that AI's line changed by a person.
fn apply(before: &FileLines, patch: &str, now: usize) -> Result<FileLines, String> {
    let old = |i: usize| before.get(i).cloned().flatten();
    let mut after: FileLines = Vec::new();
    let mut at = 0usize;
    for hunk in diff::hunks(patch)? {
        for block in hunk.blocks {
            match (block.removed.first(), block.added.first()) {
                (Some(&r), added) => {
                    let r = r as usize;
                    if r == 0 || r - 1 < at {
                        return Err(format!("the patch removes line {r}, which it has passed"));
                    }
                    while at < r - 1 {
                        after.push(old(at));
                        at += 1;
                    }
                    if let Some((a, _)) = added
                        && after.len() + 1 != *a as usize
                    {
                        return Err(format!("the patch adds line {a} where the file has {} lines", after.len()));
                    }
                }
                (None, Some((a, _))) => {
                    let a = *a as usize;
                    if a == 0 || a - 1 < after.len() {
                        return Err(format!("the patch adds line {a}, which it has passed"));
                    }
                    while after.len() < a - 1 {
                        after.push(old(at));
                        at += 1;
                    }
                }
                (None, None) => continue,
            }
            if after.len() > MAX_LINE as usize {
                return Err(format!("the file grows past line {MAX_LINE}"));
            }
            let replaced: Vec<Option<Attr>> = block
                .removed
                .iter()
                .map(|_| {
                    let line = old(at);
                    at += 1;
                    line.and_then(|l| l.origin).filter(|o| matches!(o.origin, Origin::Ai | Origin::AiModified))
                })
                .collect();
            for (i, (_, text)) in block.added.into_iter().enumerate() {
                let origin = replaced.get(i).cloned().flatten().map(|a| Attr { origin: Origin::AiModified, ..a });
                after.push(Some(Line { text, origin, added_in: now, claimed: false }));
            }
        }
    }
    after.extend((at..before.len()).map(old));
    while after.last().is_some_and(Option::is_none) {
        after.pop();
    }
    Ok(after)
}
