//! GitHub's answers that line-level AI provenance is read from: a git tree (a notes ref's tree,
//! where each note sits under its commit's id), a blob, one commit with its own files and
//! patches, and a directory's listing from the contents API.

use serde::Deserialize;

/// `GET git/trees/{sha}` without `recursive`: one level of a tree.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a git tree (GET git/trees/{sha})")]
pub struct TreeJson {
    pub tree: Vec<TreeEntryJson>,
    /// GitHub lists at most 100,000 entries (7 MB) and says so here.
    #[serde(default)]
    pub truncated: bool,
}

#[derive(Debug, Deserialize)]
#[serde(expecting = "a tree entry: path, type, sha")]
pub struct TreeEntryJson {
    pub path: String,
    /// `blob`, `tree` or `commit` (a submodule).
    #[serde(rename = "type")]
    pub kind: String,
    pub sha: String,
    /// A blob's size in bytes; absent for a tree.
    pub size: Option<u64>,
}

/// `GET git/blobs/{sha}`: the content, base64 as GitHub sends it by default.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a git blob (GET git/blobs/{sha}): content, encoding")]
pub struct BlobJson {
    pub content: String,
    pub encoding: String,
}

/// `GET commits/{sha}`: the commit's own change against its first parent, file by file.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a commit (GET commits/{sha}) with its files")]
pub struct CommitFilesJson {
    #[serde(default)]
    pub files: Vec<CommitFileJson>,
}

#[derive(Debug, Deserialize)]
#[serde(expecting = "a commit's file: filename, patch, previous_filename")]
pub struct CommitFileJson {
    pub filename: String,
    pub previous_filename: Option<String>,
    /// Absent for a binary file or a diff too large to show.
    pub patch: Option<String>,
}

/// An entry of a directory's listing (`GET contents/{dir}?ref=...`).
#[derive(Debug, Deserialize)]
#[serde(expecting = "a directory entry: name, path, type")]
pub struct ContentEntryJson {
    pub name: String,
    pub path: String,
    /// `file`, `dir`, `symlink` or `submodule`.
    #[serde(rename = "type")]
    pub kind: String,
    pub size: Option<u64>,
}
