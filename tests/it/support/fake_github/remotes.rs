//! Other repositories than the one under test, for a policy's remote `extends:`: each serves
//! files at refs and commits (`GET contents/{path}?ref=`) and resolves a ref to its commit
//! (`GET commits/{ref}`), or answers 403 to every read when the token may not see it.

use std::collections::HashMap;

use serde_json::json;

use super::{Answer, answer, message, urlencoding_decode};

/// A repository of another team (an organisation's `acme/.github`).
#[derive(Default, Clone)]
pub struct RemoteRepo {
    /// `(ref or commit, path)` to file text.
    pub contents: HashMap<(String, String), String>,
    /// A branch or tag to the commit it names now.
    pub refs: HashMap<String, String>,
    /// Answer 403 to every request, as GitHub does for a token without access.
    pub forbidden: bool,
}

impl RemoteRepo {
    /// A repository whose branch `branch` is at `commit`, holding `files` there.
    pub fn at(branch: &str, commit: &str, files: &[(&str, &str)]) -> RemoteRepo {
        let mut repo = RemoteRepo::default();
        repo.refs.insert(branch.to_string(), commit.to_string());
        for (path, text) in files {
            for rev in [branch, commit] {
                repo.contents.insert((rev.to_string(), path.to_string()), text.to_string());
            }
        }
        repo
    }
}

/// `repos/{other}/...`, with `parts` the path below it split at `/`.
pub(super) fn route(repo: &RemoteRepo, method: &str, parts: &[&str], query: &HashMap<String, String>) -> Answer {
    if repo.forbidden {
        return message(403, "Resource not accessible by integration");
    }
    match (method, parts) {
        ("GET", ["contents", file]) => {
            let file = urlencoding_decode(file);
            let reference = query.get("ref").cloned().unwrap_or_else(|| "main".into());
            match repo.contents.get(&(reference, file)) {
                Some(text) => (Some(text.clone()), 200, Vec::new()),
                None => message(404, "Not Found"),
            }
        }
        ("GET", ["commits", reference]) => {
            let reference = urlencoding_decode(reference);
            let sha = repo.refs.get(&reference).cloned().or_else(|| {
                let known = repo.refs.values().any(|c| *c == reference);
                known.then(|| reference.clone())
            });
            match sha {
                Some(sha) => answer(200, json!({ "sha": sha, "commit": { "message": "policy" } })),
                None => message(422, &format!("No commit found for SHA: {reference}")),
            }
        }
        _ => message(404, "Not Found"),
    }
}
