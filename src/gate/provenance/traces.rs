//! Agent Trace records kept in the repository at the PR's head: the trace files directly in
//! `.agent-trace/` (JSON Lines, or one JSON record a file), each read whole under a size cap.

use super::{MAX_TRACE_FILE_BYTES, MAX_TRACE_FILES, TRACE_DIR};
use crate::github::{GitHub, RepoName};
use crate::model::provenance::{SourceKind, SourceRead, SourceState};

/// What reading the trace directory gave: the files' text by path, and the source's state when
/// it is not simply read.
pub(super) struct Traces {
    pub files: Vec<(String, String)>,
    pub state: Option<SourceRead>,
}

pub(super) async fn read(gh: &GitHub, repo: &RepoName, head: &str) -> Traces {
    match files(gh, repo, head).await {
        Ok(files) => Traces { files, state: None },
        Err(state) => Traces { files: Vec::new(), state: Some(SourceRead { kind: SourceKind::AgentTrace, state }) },
    }
}

async fn files(gh: &GitHub, repo: &RepoName, head: &str) -> Result<Vec<(String, String)>, SourceState> {
    let unreadable = |what: String| SourceState::Unreadable { reason: format!("{TRACE_DIR}/ at the head: {what}") };
    let entries = match gh.directory_at(repo, head, TRACE_DIR).await {
        Ok(Some(entries)) => entries,
        Ok(None) => return Err(SourceState::Missing),
        Err(e) => return Err(unreadable(e.to_string())),
    };
    let records: Vec<_> = entries.into_iter().filter(|e| e.kind == "file" && is_trace_file(&e.name)).collect();
    if records.is_empty() {
        return Err(SourceState::Missing);
    }
    if records.len() > MAX_TRACE_FILES {
        return Err(unreadable(format!("{} trace files; at most {MAX_TRACE_FILES} are read", records.len())));
    }
    let mut files = Vec::new();
    for entry in records {
        let size = entry.size.unwrap_or(0);
        if size > MAX_TRACE_FILE_BYTES {
            return Err(unreadable(format!(
                "{} is {size} bytes, over the {MAX_TRACE_FILE_BYTES} a trace file may be",
                entry.path
            )));
        }
        match gh.file_at(repo, head, &entry.path).await {
            Ok(Some(text)) if text.len() as u64 <= MAX_TRACE_FILE_BYTES => files.push((entry.path, text)),
            Ok(Some(_)) => {
                return Err(unreadable(format!(
                    "{} is over the {MAX_TRACE_FILE_BYTES} bytes a trace file may be",
                    entry.path
                )));
            }
            Ok(None) => return Err(unreadable(format!("{} is listed but cannot be found", entry.path))),
            Err(e) => return Err(unreadable(e.to_string())),
        }
    }
    Ok(files)
}

/// Trace records, not a tool's settings beside them (`config.json`).
fn is_trace_file(name: &str) -> bool {
    name.ends_with(".jsonl") || (name.ends_with(".json") && name != "config.json")
}

#[cfg(test)]
mod tests {
    #[test]
    fn records_are_json_lines_or_json_and_settings_are_not_records() {
        assert!(super::is_trace_file("traces.jsonl"));
        assert!(super::is_trace_file("2026-01-23.json"));
        assert!(!super::is_trace_file("config.json"));
        assert!(!super::is_trace_file("README.md"));
    }
}
