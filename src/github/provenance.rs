//! What flowgate reads from GitHub for line-level AI provenance: the commits the notes refs point
//! at, one level of a git tree, a blob's bytes, one commit's own files and patches, and a
//! directory's listing at a commit. Each is one request through the client (pacing, retries,
//! ETags, the request count); deciding what to read is `gate::provenance`'s.

use base64::Engine;

use super::client::{ACCEPT_JSON, GitHub};
use super::error::Error;
use super::parse::provenance::{BlobJson, CommitFileJson, CommitFilesJson, ContentEntryJson, TreeJson};
use super::parse::shapes::RefEntryJson;
use super::{RepoName, encode};

/// GitHub lists a commit's files 300 an answer, up to 3,000: at most 30 pages of 100.
const MAX_COMMIT_FILE_PAGES: u32 = 30;

impl GitHub {
    /// Every ref under `refs/notes/` with the commit it points at, from one `GET
    /// git/matching-refs/notes`: an empty list when the repository keeps no notes. One request
    /// answers for every notes source, and its ETag makes asking again for the same PR free while
    /// no note is pushed.
    pub async fn notes_refs(&self, repo: &RepoName) -> Result<Vec<(String, String)>, Error> {
        let path = format!("/repos/{repo}/git/matching-refs/notes");
        let Some(answer) = self.get(&path, ACCEPT_JSON).await? else { return Ok(Vec::new()) };
        let entries: Vec<RefEntryJson> =
            super::parse::list(&answer.body).map_err(|e| Error::bad_answer(format!("GET {path}: {e}")))?;
        Ok(entries.into_iter().map(|e| (e.ref_, e.object.sha)).collect())
    }

    /// One level of the tree `sha` names (a tree, or a commit's tree).
    pub async fn tree(&self, repo: &RepoName, sha: &str) -> Result<TreeJson, Error> {
        let path = format!("/repos/{repo}/git/trees/{}", encode(sha));
        let Some(answer) = self.get(&path, ACCEPT_JSON).await? else {
            return Err(Error::not_found(format!("GET {path}: the tree {sha} was not found")));
        };
        super::parse::one(&answer.body).map_err(|e| Error::bad_answer(format!("GET {path}: {e}")))
    }

    /// The bytes of the blob `sha`, decoded from GitHub's base64.
    pub async fn blob(&self, repo: &RepoName, sha: &str) -> Result<Vec<u8>, Error> {
        let path = format!("/repos/{repo}/git/blobs/{}", encode(sha));
        let Some(answer) = self.get(&path, ACCEPT_JSON).await? else {
            return Err(Error::not_found(format!("GET {path}: the blob {sha} was not found")));
        };
        let blob: BlobJson =
            super::parse::one(&answer.body).map_err(|e| Error::bad_answer(format!("GET {path}: {e}")))?;
        if blob.encoding != "base64" {
            return Err(Error::bad_answer(format!("GET {path}: the blob is in {:?}, not base64", blob.encoding)));
        }
        // GitHub wraps base64 at 60 columns.
        let packed: String = blob.content.split_whitespace().collect();
        base64::engine::general_purpose::STANDARD
            .decode(packed)
            .map_err(|e| Error::bad_answer(format!("GET {path}: the blob's base64 does not decode: {e}")))
    }

    /// Commit `sha`'s own change against its first parent, file by file, every page GitHub gives
    /// (3,000 files at most).
    pub async fn commit_files(&self, repo: &RepoName, sha: &str) -> Result<Vec<CommitFileJson>, Error> {
        let path = format!("/repos/{repo}/commits/{}", encode(sha));
        let Some(pages) = self.pages(&path, MAX_COMMIT_FILE_PAGES).await? else {
            return Err(Error::not_found(format!("GET {path}: the commit {sha} was not found")));
        };
        let mut files = Vec::new();
        for page in pages {
            let commit: CommitFilesJson =
                super::parse::one(&page).map_err(|e| Error::bad_answer(format!("GET {path}: {e}")))?;
            files.extend(commit.files);
        }
        Ok(files)
    }

    /// What is directly in directory `dir` at `rev`; `None` when there is no such directory.
    pub async fn directory_at(
        &self,
        repo: &RepoName,
        rev: &str,
        dir: &str,
    ) -> Result<Option<Vec<ContentEntryJson>>, Error> {
        let path = format!("/repos/{repo}/contents/{}?ref={}", encode(dir), encode(rev));
        let Some(answer) = self.get(&path, ACCEPT_JSON).await? else { return Ok(None) };
        if !answer.body.trim_start().starts_with('[') {
            // A file of that name, not a directory: nothing is kept there.
            return Ok(None);
        }
        let entries = super::parse::list(&answer.body).map_err(|e| Error::bad_answer(format!("GET {path}: {e}")))?;
        Ok(Some(entries))
    }
}
