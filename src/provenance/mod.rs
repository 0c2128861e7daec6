//! Line-level AI provenance, pure: the records git-ai, whogitit and Agent Trace keep (as a
//! gathering step read them into `RawProvenance`) parsed under caps, and mapped onto the PR's
//! added lines. Each commit's own patch is replayed in order, so a line a record names at one
//! commit is followed through later commits to the head; every added line of the PR's diff then
//! lands in exactly one run: `ai`, `ai-modified`, `human` or `unknown`.

mod agent_trace;
mod diff;
mod gitai;
mod replay;
mod whogitit;

#[cfg(test)]
mod tests;

use crate::model::FileChange;
use crate::model::provenance::{
    FileProvenance, LineCounts, LineRun, Origin, Provenance, RawProvenance, SourceKind, SourceRead, SourceState,
};

/// Caps on one record: its size and how many line ranges it may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_ranges: usize,
}

impl Limits {
    /// One note (git-ai or whogitit) on one commit.
    pub const NOTE: Limits = Limits { max_bytes: 1 << 20, max_ranges: 20_000 };
    /// One file of Agent Trace records.
    pub const TRACE_FILE: Limits = Limits { max_bytes: 8 << 20, max_ranges: 50_000 };

    fn check_size(&self, bytes: usize) -> Result<(), String> {
        if bytes > self.max_bytes {
            return Err(format!("{bytes} bytes, over the {} bytes flowgate reads from one record", self.max_bytes));
        }
        Ok(())
    }

    fn check_ranges(&self, ranges: usize) -> Result<(), String> {
        if ranges > self.max_ranges {
            return Err(format!("more than {} line ranges, the most flowgate reads from one record", self.max_ranges));
        }
        Ok(())
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::NOTE
    }
}

/// What one record says about some lines of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Claim {
    path: String,
    /// Inclusive, 1-based, in the file as it is at the commit the record speaks for.
    ranges: Vec<(u32, u32)>,
    origin: Origin,
    tool: Option<String>,
    model: Option<String>,
    source: SourceKind,
    /// Agent Trace's hash of the range's text, to find the range again where it moved.
    content_hash: Option<String>,
}

/// One parsed record: a commit's note, or one Agent Trace record.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Note {
    claims: Vec<Claim>,
    /// The record speaks for all of its commit's added lines: those it does not name as an AI's
    /// were not an AI's (git-ai's authorship logs).
    rest_human: bool,
    /// The git commit an Agent Trace record was taken at, when it names one.
    revision: Option<String>,
}

/// The sources in the order they are reported.
const KINDS: [SourceKind; 3] = [SourceKind::GitAi, SourceKind::Whogitit, SourceKind::AgentTrace];

/// Maps what the gathering step read onto the added lines of `pr_files` (their `patch` is the
/// PR's whole diff of that file). A file without a patch has all its added lines `unknown` and no
/// runs, since its line numbers are not known.
pub fn map(raw: &RawProvenance, pr_files: &[FileChange]) -> Provenance {
    let mut problems: Vec<(SourceKind, String)> = Vec::new();
    let mut records = [0u64; 3];
    let mut per_commit: Vec<Vec<Note>> = Vec::with_capacity(raw.commits.len());
    for commit in &raw.commits {
        let mut notes = Vec::new();
        for (kind, text) in &commit.notes {
            let parsed = match kind {
                SourceKind::GitAi => gitai::parse(text, &Limits::NOTE),
                SourceKind::Whogitit => whogitit::parse(text, &Limits::NOTE),
                // Agent Trace records live in files, not notes; one given as a note is read alike.
                SourceKind::AgentTrace => agent_trace::parse("note", text, &Limits::TRACE_FILE).map(|n| {
                    n.into_iter().next().unwrap_or(Note { claims: vec![], rest_human: false, revision: None })
                }),
            };
            match parsed {
                Ok(note) => {
                    records[index(*kind)] += 1;
                    notes.push(note);
                }
                Err(why) => problems.push((*kind, format!("the note on commit {}: {why}", short(commit.sha.as_str())))),
            }
        }
        per_commit.push(notes);
    }
    let mut at_head = Vec::new();
    for (name, text) in &raw.trace_files {
        match agent_trace::parse(name, text, &Limits::TRACE_FILE) {
            Ok(notes) => {
                records[index(SourceKind::AgentTrace)] += notes.len() as u64;
                for note in notes {
                    // A record taken at one of the PR's commits is replayed with that commit.
                    let at = note.revision.as_deref().and_then(|rev| {
                        raw.commits.iter().position(|c| rev.len() >= 7 && c.sha.as_str().starts_with(rev))
                    });
                    match at {
                        Some(i) => per_commit[i].push(note),
                        None => at_head.push(note),
                    }
                }
            }
            Err(why) => problems.push((SourceKind::AgentTrace, why)),
        }
    }

    let mut replay = replay::Replay::default();
    for (commit, notes) in raw.commits.iter().zip(&per_commit) {
        replay.commit(commit, notes);
    }
    replay.at_head(&at_head);

    let files = pr_files.iter().map(|f| file_provenance(&replay, f)).collect();
    let sources = KINDS
        .iter()
        .map(|kind| SourceRead { kind: *kind, state: state_of(*kind, raw, &problems, records[index(*kind)], &replay) })
        .collect();
    Provenance { sources, files }
}

fn index(kind: SourceKind) -> usize {
    match kind {
        SourceKind::GitAi => 0,
        SourceKind::Whogitit => 1,
        SourceKind::AgentTrace => 2,
    }
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// How one source went: what the gathering step could not read stays so; then what parsing
/// found wrong; then what it read.
fn state_of(
    kind: SourceKind,
    raw: &RawProvenance,
    problems: &[(SourceKind, String)],
    records: u64,
    replay: &replay::Replay,
) -> SourceState {
    let gathered = raw.sources.iter().find(|s| s.kind == kind).map(|s| &s.state);
    if let Some(state @ (SourceState::Missing | SourceState::Unreadable { .. } | SourceState::Corrupt { .. })) =
        gathered
    {
        return state.clone();
    }
    let mine: Vec<&str> = problems.iter().filter(|(k, _)| *k == kind).map(|(_, why)| why.as_str()).collect();
    if let Some(first) = mine.first() {
        let reason = match mine.len() {
            1 => first.to_string(),
            n => format!("{first} (and {} more records like it)", n - 1),
        };
        return SourceState::Corrupt { reason };
    }
    if let Some(reason) = replay.over_budget() {
        return SourceState::Unreadable { reason: reason.to_string() };
    }
    SourceState::Read { records }
}

/// One PR file's added lines by origin, from the replay's head state.
fn file_provenance(replay: &replay::Replay, file: &FileChange) -> FileProvenance {
    let added = match file.patch.as_deref().map(diff::added_lines) {
        Some(Ok(added)) => added,
        _ => {
            let lines = LineCounts { unknown: file.additions, ..LineCounts::default() };
            return FileProvenance { path: file.path.clone(), lines, runs: Vec::new() };
        }
    };
    let mut runs: Vec<LineRun> = Vec::new();
    for (n, text) in added {
        let attr = replay.origin_at(&file.path, n, &text);
        let (origin, tool, model, source) = match attr {
            Some(a) => (a.origin, a.tool.clone(), a.model.clone(), Some(a.source)),
            None => (Origin::Unknown, None, None, None),
        };
        match runs.last_mut() {
            Some(run)
                if run.end_line + 1 == n
                    && run.origin == origin
                    && run.tool == tool
                    && run.model == model
                    && run.source == source =>
            {
                run.end_line = n
            }
            _ => runs.push(LineRun { start_line: n, end_line: n, origin, tool, model, source }),
        }
    }
    FileProvenance::from_runs(file.path.clone(), runs)
}
