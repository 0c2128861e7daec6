//! Line-level AI provenance of a PR's added lines: what git-ai notes, whogitit notes and Agent
//! Trace records say wrote each run of added lines, as the gathering step read and mapped them.
//!
//! Gathering fills `PrFacts::provenance`; the engine only reads it. `None` there means the source
//! could not look (a saved PR, a source without git), which is not the same as "no records".

use serde::Serialize;

/// Who wrote a run of added lines, by the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// An AI record covers the line and the line is as the AI wrote it.
    Ai,
    /// An AI record covers the line, but a person changed it afterwards (git-ai's overridden
    /// lines, Agent Trace's `mixed`, or a content hash that no longer matches).
    AiModified,
    /// A record says a person wrote it.
    Human,
    /// No record covers the line.
    Unknown,
}

/// A line-level source flowgate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// git-ai's authorship logs in `refs/notes/ai` (schema `authorship/3.0.0`).
    GitAi,
    /// whogitit's attributions in `refs/notes/whogitit`.
    Whogitit,
    /// Agent Trace 0.1.0 trace records kept in the repository.
    AgentTrace,
}

/// What reading one source gave. A missing source is normal; a corrupt one is reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SourceState {
    /// Read; `records` of the PR's commits (or trace records) carried one.
    Read { records: u64 },
    /// The repository keeps none (no notes ref, no trace directory).
    Missing,
    /// Present but not readable as its schema says; `reason` names what is wrong and where.
    Corrupt { reason: String },
    /// Could not be read at all (git failed, the API refused, a budget ran out).
    Unreadable { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRead {
    pub kind: SourceKind,
    #[serde(flatten)]
    pub state: SourceState,
}

/// A run of consecutive added lines of one file, in the head version's line numbers (1-based),
/// that the records give one origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineRun {
    pub start_line: u32,
    pub end_line: u32,
    pub origin: Origin,
    /// The AI tool the record names (`claude`, `cursor`, ...), for `ai` and `ai-modified` runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// The model the record names (`claude-sonnet-4-5`), when it names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The source whose record gave the origin; none for an `unknown` run, which no record covers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceKind>,
}

impl LineRun {
    pub fn lines(&self) -> u64 {
        u64::from(self.end_line.saturating_sub(self.start_line)) + 1
    }
}

/// Added lines of one file by origin.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LineCounts {
    pub ai: u64,
    pub ai_modified: u64,
    pub human: u64,
    pub unknown: u64,
}

impl LineCounts {
    pub fn added(&self) -> u64 {
        self.ai + self.ai_modified + self.human + self.unknown
    }
    /// Lines an AI record covers, modified or not.
    pub fn ai_written(&self) -> u64 {
        self.ai + self.ai_modified
    }
    pub fn add(&mut self, origin: Origin, lines: u64) {
        match origin {
            Origin::Ai => self.ai += lines,
            Origin::AiModified => self.ai_modified += lines,
            Origin::Human => self.human += lines,
            Origin::Unknown => self.unknown += lines,
        }
    }
}

/// One changed file's added lines by origin. Every added line of the PR's diff is in exactly one
/// run (`unknown` where no record covers it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileProvenance {
    pub path: String,
    pub lines: LineCounts,
    pub runs: Vec<LineRun>,
}

impl FileProvenance {
    /// Builds the file's counts from its runs.
    pub fn from_runs(path: impl Into<String>, runs: Vec<LineRun>) -> Self {
        let mut lines = LineCounts::default();
        for run in &runs {
            lines.add(run.origin, run.lines());
        }
        FileProvenance { path: path.into(), lines, runs }
    }

    /// The AI tools its AI runs name, sorted and without repeats.
    pub fn tools(&self) -> Vec<&str> {
        self.named(|r| r.tool.as_deref())
    }

    /// The models its AI runs name, sorted and without repeats.
    pub fn models(&self) -> Vec<&str> {
        self.named(|r| r.model.as_deref())
    }

    fn named<'a>(&'a self, pick: impl Fn(&'a LineRun) -> Option<&'a str>) -> Vec<&'a str> {
        let mut names: Vec<&str> =
            self.runs.iter().filter(|r| matches!(r.origin, Origin::Ai | Origin::AiModified)).filter_map(pick).collect();
        names.sort_unstable();
        names.dedup();
        names
    }
}

/// The PR's line-level provenance: each source as it was read, and each changed file with added
/// lines mapped onto origins.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Provenance {
    pub sources: Vec<SourceRead>,
    pub files: Vec<FileProvenance>,
}

impl Provenance {
    /// Whether any source was read and held a record for this PR.
    pub fn has_records(&self) -> bool {
        self.sources.iter().any(|s| matches!(s.state, SourceState::Read { records } if records > 0))
    }

    pub fn file(&self, path: &str) -> Option<&FileProvenance> {
        self.files.iter().find(|f| f.path == path)
    }

    /// All files' added lines by origin.
    pub fn totals(&self) -> LineCounts {
        let mut total = LineCounts::default();
        for f in &self.files {
            total.ai += f.lines.ai;
            total.ai_modified += f.lines.ai_modified;
            total.human += f.lines.human;
            total.unknown += f.lines.unknown;
        }
        total
    }
}

/// What a gathering step fetched for the mapper, before any parsing: the same shape whether it
/// came from local git or from GitHub's API, so one pure mapper serves every surface.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawProvenance {
    /// The PR's commits, oldest first, each with its own diff and the notes attached to it.
    pub commits: Vec<RawCommit>,
    /// Agent Trace records found in the repository at the head (each file's text, by its path).
    pub trace_files: Vec<(String, String)>,
    /// How reading each source went, before parsing (missing, unreadable); the mapper adds what
    /// parsing finds (records read, corrupt).
    pub sources: Vec<SourceRead>,
}

/// One commit of the PR as the mapper needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawCommit {
    pub sha: super::CommitSha,
    /// The commit's own change per file against its first parent; `patch` is `None` when the
    /// source could not give it (binary, too large), which leaves that file's lines `unknown`.
    pub files: Vec<RawFilePatch>,
    /// The notes attached to this commit: the git-ai note (`refs/notes/ai`) and the whogitit
    /// note (`refs/notes/whogitit`), as text.
    pub notes: Vec<(SourceKind, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawFilePatch {
    pub path: String,
    pub previous_path: Option<String>,
    pub patch: Option<String>,
}
