//! The base branch's CODEOWNERS for a PR's facts, from each source: GitHub (the first of GitHub's
//! locations on the base), a snapshot (a `CODEOWNERS` file saved beside it) and local git (the
//! base revision). Read only when the policy requires the code owners' approval or chooses
//! reviewers, so a policy that uses neither costs no request.

use std::path::Path;

use crate::git::Repo;
use crate::github::{self, GitHub, RepoName};
use crate::model::codeowners::{BaseCodeowners, LOCATIONS, Unread};

/// From GitHub, on `base`. A GitHub failure is the gate's error, as for the policy read from the
/// same branch: retried or reported, never taken for a missing file.
pub async fn on_github(gh: &GitHub, repo: &RepoName, base: &str) -> Result<BaseCodeowners, github::Error> {
    Ok(match gh.codeowners_file(repo, base).await? {
        Some((path, text)) => BaseCodeowners::from_text(path, &text),
        None => BaseCodeowners::Missing,
    })
}

/// `CODEOWNERS` saved beside a snapshot's JSON files.
pub fn in_snapshot(dir: &Path) -> BaseCodeowners {
    let path = dir.join("CODEOWNERS");
    let shown = path.display().to_string();
    match crate::snapshot::read_beside_checked(dir, "CODEOWNERS") {
        Ok(Some(text)) => BaseCodeowners::from_text(&shown, &text),
        Ok(None) => BaseCodeowners::Missing,
        Err(e) => BaseCodeowners::Unreadable { path: shown, why: Unread::Error(e.to_string()) },
    }
}

/// At the base revision of a local repository, never the working tree a branch can change.
pub fn at_revision(repo: &Repo, base: &str) -> BaseCodeowners {
    LOCATIONS
        .iter()
        .find_map(|path| repo.show(base, path).map(|text| BaseCodeowners::from_text(path, &text)))
        .unwrap_or(BaseCodeowners::Missing)
}
