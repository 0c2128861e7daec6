//! From what was read to the PR's `Provenance`. Until the line mapper is in, every added line is
//! `unknown`: the sources' states are reported as read, and no line is attributed to any source.

use crate::model::FileChange;
use crate::model::provenance::{
    FileProvenance, LineCounts, Provenance, RawProvenance, SourceKind, SourceRead, SourceState,
};

/// The sources' states (those not `Missing`, `Unreadable` or `Corrupt` are `Read`, counting the
/// commits with a note or the trace files), and each changed file's added lines, all `unknown`.
pub(crate) fn to_provenance(raw: &RawProvenance, files: &[FileChange]) -> Provenance {
    let sources = [SourceKind::GitAi, SourceKind::Whogitit, SourceKind::AgentTrace]
        .into_iter()
        .map(|kind| match raw.sources.iter().find(|s| s.kind == kind) {
            Some(known) => known.clone(),
            None => SourceRead { kind, state: SourceState::Read { records: records(raw, kind) } },
        })
        .collect();
    let files = files
        .iter()
        .filter(|f| f.additions > 0)
        .map(|f| FileProvenance {
            path: f.path.clone(),
            lines: LineCounts { unknown: f.additions, ..LineCounts::default() },
            runs: Vec::new(),
        })
        .collect();
    Provenance { sources, files }
}

fn records(raw: &RawProvenance, kind: SourceKind) -> u64 {
    match kind {
        SourceKind::AgentTrace => raw.trace_files.len() as u64,
        _ => raw.commits.iter().filter(|c| c.notes.iter().any(|(k, _)| *k == kind)).count() as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::provenance::RawCommit;
    use crate::model::{CommitSha, FileStatus};

    #[test]
    fn every_added_line_is_unknown_and_each_source_says_how_it_was_read() {
        let raw = RawProvenance {
            commits: vec![RawCommit {
                sha: CommitSha::new("a".repeat(40)),
                files: Vec::new(),
                notes: vec![(SourceKind::GitAi, "src/lib.rs\n  abcd 1-2\n---\n{}".into())],
            }],
            trace_files: Vec::new(),
            sources: vec![
                SourceRead { kind: SourceKind::Whogitit, state: SourceState::Missing },
                SourceRead { kind: SourceKind::AgentTrace, state: SourceState::Unreadable { reason: "500".into() } },
            ],
        };
        let files = [
            FileChange::new("src/lib.rs", FileStatus::Modified, 3, 1),
            FileChange::new("gone.rs", FileStatus::Removed, 0, 9),
        ];
        let provenance = to_provenance(&raw, &files);
        let states: Vec<_> = provenance.sources.iter().map(|s| (s.kind, s.state.clone())).collect();
        assert_eq!(
            states,
            [
                (SourceKind::GitAi, SourceState::Read { records: 1 }),
                (SourceKind::Whogitit, SourceState::Missing),
                (SourceKind::AgentTrace, SourceState::Unreadable { reason: "500".into() }),
            ]
        );
        assert_eq!(provenance.totals(), LineCounts { unknown: 3, ..LineCounts::default() });
        assert_eq!(provenance.files.len(), 1, "a file with no added line has none to attribute");
    }
}
