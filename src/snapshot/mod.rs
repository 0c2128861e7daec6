//! Reading a snapshot directory of saved GitHub REST responses into PR facts, so a real PR can be
//! saved once and gated offline, in tests and in policy test cases.
//!
//! `pull.json` (GET pulls/{n}, or a `pull_request` webhook payload) and `files.json` (GET
//! pulls/{n}/files) are required; `commits.json`, `reviews.json`, `events.json` (GET
//! issues/{n}/events, to know who applied a label and when the base changed) and
//! `compare/<base>...<head>.json` (GET compare, for approvals on older commits) are optional. A list file may hold one array
//! or several arrays one after another, as paginated output saves them.

use std::path::Path;

use crate::error::UserError;
use crate::files;
pub use crate::github::parse::RawSnapshot;
use crate::model::PrFacts;

/// A snapshot directory is GitHub's answers saved as files: read and written here, parsed by the
/// same code as a live PR's answers (`github::parse`).
impl RawSnapshot {
    pub fn read_dir(dir: &Path) -> Result<RawSnapshot, UserError> {
        if !dir.is_dir() {
            return Err(UserError::input(
                dir,
                "not a directory; a snapshot is a directory holding pull.json and files.json",
            ));
        }
        Ok(RawSnapshot {
            pull: read_required(&dir.join("pull.json"))?,
            files: read_required(&dir.join("files.json"))?,
            commits: read_optional(&dir.join("commits.json"))?,
            reviews: read_optional(&dir.join("reviews.json"))?,
            events: read_optional(&dir.join("events.json"))?,
            compares: read_compares(&dir.join("compare"))?,
        })
    }

    /// Saves the snapshot so that `flowgate check --snapshot DIR` reads it back.
    pub fn write_dir(&self, dir: &Path) -> Result<(), UserError> {
        std::fs::create_dir_all(dir).map_err(|e| UserError::input(dir, format!("cannot create: {e}")))?;
        let parts = [
            ("pull.json", Some(&self.pull)),
            ("files.json", Some(&self.files)),
            ("commits.json", self.commits.as_ref()),
            ("reviews.json", self.reviews.as_ref()),
            ("events.json", self.events.as_ref()),
        ];
        for (name, text) in parts {
            if let Some(text) = text {
                let path = dir.join(name);
                std::fs::write(&path, text).map_err(|e| UserError::input(&path, format!("cannot write: {e}")))?;
            }
        }
        if !self.compares.is_empty() {
            let compare = dir.join("compare");
            std::fs::create_dir_all(&compare).map_err(|e| UserError::input(&compare, format!("cannot create: {e}")))?;
            for (range, text) in &self.compares {
                let path = compare.join(format!("{range}.json"));
                std::fs::write(&path, text).map_err(|e| UserError::input(&path, format!("cannot write: {e}")))?;
            }
        }
        Ok(())
    }
}

/// The most comparisons a snapshot may hold: two per approved commit of a PR with 100 approvers.
const MAX_SAVED_COMPARES: usize = 200;

/// `compare/<base>...<head>.json`: GitHub's comparisons saved for approvals on older commits.
/// Each is read under the snapshot's file cap, and a directory holding more than
/// `MAX_SAVED_COMPARES` of them is refused: `flowgate snapshot` saves two per approved commit.
fn read_compares(dir: &Path) -> Result<std::collections::BTreeMap<String, String>, UserError> {
    let mut compares = std::collections::BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(compares) };
    for entry in entries.flatten() {
        if compares.len() >= MAX_SAVED_COMPARES {
            return Err(UserError::input(
                dir,
                format!("holds more than {MAX_SAVED_COMPARES} comparisons; a saved PR needs two per approved commit"),
            ));
        }
        let path = entry.path();
        let Some(range) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".json")) else {
            continue;
        };
        if !range.contains("...") {
            continue;
        }
        let range = range.to_string();
        if let Some(text) = read_optional(&path)? {
            compares.insert(range, text);
        }
    }
    Ok(compares)
}

/// Reads a snapshot directory into PR facts.
pub fn read(dir: &Path) -> Result<PrFacts, UserError> {
    parse(&RawSnapshot::read_dir(dir)?, dir)
}

/// Parses a snapshot's JSON; `origin` names it in messages (a directory, or the PR it came from).
pub fn parse(raw: &RawSnapshot, origin: &Path) -> Result<PrFacts, UserError> {
    Ok(crate::github::parse::pull::snapshot(raw, origin)?.facts)
}

/// File contents saved beside a snapshot: `contents/base/<path>` and `contents/head/<path>`.
pub(crate) struct SnapshotContents {
    dir: std::path::PathBuf,
}

impl SnapshotContents {
    pub fn new(snapshot: &Path) -> Self {
        SnapshotContents { dir: snapshot.join("contents") }
    }
}

impl crate::model::ContentSource for SnapshotContents {
    fn read(&mut self, side: crate::model::Side, path: &str) -> Option<Vec<u8>> {
        // Paths come from the saved response: never let one climb out of the snapshot, by `..`
        // or through a symbolic link; a file that cannot be read is analysed as unavailable.
        let side = match side {
            crate::model::Side::Base => "base",
            crate::model::Side::Head => "head",
        };
        let relative = Path::new(side).join(path);
        files::read_within(&self.dir, &relative, files::MAX_CONTENT_FILE_BYTES).ok()
    }
}

fn read_required(path: &Path) -> Result<String, UserError> {
    match read_snapshot_file(path)? {
        Some(text) => Ok(text),
        None => Err(UserError::input(path, "missing; a snapshot needs pull.json and files.json")),
    }
}

fn read_optional(path: &Path) -> Result<Option<String>, UserError> {
    read_snapshot_file(path)
}

/// Another file saved in the snapshot directory (`CODEOWNERS`), under the same rules: `None` when
/// it is missing; a file that exists and cannot be read (too large, a link out of the directory)
/// is an error rather than absent, so what must not pass unread says why.
pub(crate) fn read_beside_checked(dir: &Path, name: &str) -> Result<Option<String>, UserError> {
    read_snapshot_file(&dir.join(name))
}

/// A snapshot's JSON file, capped in size and refused when it is a link that could lead out of
/// the snapshot; None when it does not exist.
fn read_snapshot_file(path: &Path) -> Result<Option<String>, UserError> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(UserError::input(path, "not a file in a snapshot directory"));
    };
    if files::leaves_dir(dir, Path::new(name)) {
        return Err(UserError::input(path, "a symbolic link: a snapshot's files must be in its directory"));
    }
    match files::read_text_capped(path, files::MAX_SNAPSHOT_FILE_BYTES) {
        Ok(text) => Ok(Some(text)),
        Err(files::ReadError::NotFound(_)) => Ok(None),
        Err(e) => Err(UserError::input(path, format!("cannot read: {e}"))),
    }
}

#[cfg(test)]
mod compare_limit_tests {
    use super::*;

    #[test]
    fn a_snapshot_with_more_saved_comparisons_than_the_limit_is_refused_by_name() {
        let dir = tempfile::TempDir::new().unwrap();
        for i in 0..=MAX_SAVED_COMPARES {
            std::fs::write(dir.path().join(format!("base...{i:040}.json")), "{}").unwrap();
        }
        let error = read_compares(dir.path()).expect_err("over the limit").to_string();
        assert!(error.contains("more than 200 comparisons"), "{error}");
        std::fs::remove_file(dir.path().join(format!("base...{:040}.json", 0))).unwrap();
        assert_eq!(read_compares(dir.path()).expect("at the limit").len(), MAX_SAVED_COMPARES);
    }
}
