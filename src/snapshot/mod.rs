//! Reading a snapshot directory of saved GitHub REST responses into PR facts, so a real PR can be
//! saved once and gated offline, in tests and in policy test cases.
//!
//! `pull.json` (GET pulls/{n}, or a `pull_request` webhook payload) and `files.json` (GET
//! pulls/{n}/files) are required; `commits.json`, `reviews.json` and `events.json` (GET
//! issues/{n}/events, to know who applied a label) are optional. A list file may hold one array
//! or several arrays one after another, as paginated output saves them.

mod github_json;

use std::path::Path;

use serde::de::DeserializeOwned;

use self::github_json::{CommitJson, EventJson, FileJson, PullJson, ReviewJson, WebhookJson};
use crate::error::UserError;
use crate::files;
use crate::model::{Commit, CommitSha, FileChange, GitPerson, Label, Login, PrFacts, Review, Visibility};

/// The JSON a snapshot holds, as GitHub sent it: list files may hold several pages one after another.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawSnapshot {
    pub pull: String,
    pub files: String,
    pub commits: Option<String>,
    pub reviews: Option<String>,
    pub events: Option<String>,
}

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
        Ok(())
    }
}

/// Reads a snapshot directory into PR facts.
pub fn read(dir: &Path) -> Result<PrFacts, UserError> {
    parse(&RawSnapshot::read_dir(dir)?, dir)
}

/// Parses a snapshot's JSON; `origin` names it in messages (a directory, or the PR it came from).
pub fn parse(raw: &RawSnapshot, origin: &Path) -> Result<PrFacts, UserError> {
    let pull_path = origin.join("pull.json");
    let pull_text = &raw.pull;
    // A webhook payload wraps the pull request and names the repository beside it.
    let hook: WebhookJson = parse_one(&pull_path, pull_text)?;
    let (pull, repo, labeler) = match hook.pull_request {
        Some(pr) => {
            let labeler = match (hook.action.as_deref(), hook.label, hook.sender) {
                (Some("labeled"), Some(label), Some(sender)) => Some((label.name, sender.login)),
                _ => None,
            };
            (pr, hook.repository.map(|r| r.full_name), labeler)
        }
        None => (parse_one::<PullJson>(&pull_path, pull_text)?, None, None),
    };
    let repo = repo.or_else(|| pull.base.repo.as_ref().map(|r| r.full_name.clone()));

    let files: Vec<FileJson> = parse_list(&origin.join("files.json"), &raw.files)?;
    let commits: Option<Vec<CommitJson>> =
        raw.commits.as_deref().map(|t| parse_list(&origin.join("commits.json"), t)).transpose()?;
    let reviews: Option<Vec<ReviewJson>> =
        raw.reviews.as_deref().map(|t| parse_list(&origin.join("reviews.json"), t)).transpose()?;
    let events: Option<Vec<EventJson>> =
        raw.events.as_deref().map(|t| parse_list(&origin.join("events.json"), t)).transpose()?;

    let labels = pull
        .labels
        .iter()
        .map(|l| Label { name: l.name.clone(), applied_by: who_applied(&l.name, events.as_deref(), labeler.as_ref()) })
        .collect();

    Ok(PrFacts {
        repo,
        number: pull.number,
        title: pull.title.unwrap_or_default(),
        body: pull.body.unwrap_or_default(),
        branch: pull.head.ref_,
        base_branch: pull.base.ref_,
        author: Login::new(pull.user.map(|u| u.login).unwrap_or_default()),
        head_sha: pull.head.sha.map(CommitSha::new),
        draft: pull.draft.unwrap_or(false),
        labels,
        files: files
            .into_iter()
            .map(|f| FileChange {
                path: f.filename,
                previous_path: f.previous_filename,
                status: f.status,
                additions: f.additions,
                deletions: f.deletions,
                patch: f.patch,
                analysis: None,
            })
            .collect(),
        chains: Default::default(),
        visibility: Visibility {
            files_total: pull.changed_files,
            commits_total: pull.commits,
            commits_missing: commits.is_none(),
            reviews_missing: reviews.is_none(),
        },
        commits: commits.unwrap_or_default().into_iter().map(commit).collect(),
        reviews: reviews
            .unwrap_or_default()
            .into_iter()
            // A deleted account shows as a null user; its review cannot be attributed to anyone.
            .filter_map(|r| {
                Some(Review {
                    reviewer: Login::new(r.user?.login),
                    state: r.state,
                    commit_id: r.commit_id.map(CommitSha::new),
                    submitted_at: r.submitted_at,
                })
            })
            .collect(),
    })
}

/// File contents saved beside a snapshot: `contents/base/<path>` and `contents/head/<path>`.
pub struct SnapshotContents {
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

fn commit(c: CommitJson) -> Commit {
    let person = |p: Option<github_json::GitActorJson>, account: Option<github_json::UserJson>| {
        let p = p.unwrap_or_default();
        GitPerson {
            name: p.name.unwrap_or_default(),
            email: p.email.unwrap_or_default(),
            login: account.map(|a| Login::new(a.login)),
        }
    };
    Commit {
        sha: CommitSha::new(c.sha),
        message: c.commit.message,
        author: person(c.commit.author, c.author),
        committer: person(c.commit.committer, c.committer),
        files: c.files.map(|files| files.into_iter().map(|f| f.filename).collect()),
    }
}

/// Who applied `label`: the latest `labeled` event for it, else the sender of a `labeled` webhook.
fn who_applied(label: &str, events: Option<&[EventJson]>, labeler: Option<&(String, String)>) -> Option<Login> {
    let from_events = events.and_then(|events| {
        events
            .iter()
            .rev()
            .find(|e| e.event == "labeled" && e.label.as_ref().is_some_and(|l| l.name == label))
            .and_then(|e| e.actor.as_ref().map(|a| Login::new(a.login.clone())))
    });
    from_events.or_else(|| labeler.filter(|(name, _)| name == label).map(|(_, who)| Login::new(who.clone())))
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

/// Another file saved in the snapshot directory (`CODEOWNERS`), under the same rules; None when
/// it is missing or refused.
pub fn read_beside(dir: &Path, name: &str) -> Option<String> {
    read_snapshot_file(&dir.join(name)).ok().flatten()
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

fn parse_one<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, UserError> {
    serde_json::from_str(text).map_err(|e| UserError::input(path, json_problem(&e)))
}

/// One array, or several concatenated (`[...][...]`), flattened in order.
fn parse_list<T: DeserializeOwned>(path: &Path, text: &str) -> Result<Vec<T>, UserError> {
    // An empty file is a save that went wrong, not a PR with nothing in it: `[]` says "none".
    if text.trim().is_empty() {
        return Err(UserError::input(path, "the file is empty; a list with no entries is written []"));
    }
    if !text.trim_start().starts_with('[') {
        return Err(UserError::input(path, "expected a JSON array, the list GitHub returns for this request"));
    }
    let mut items = Vec::new();
    for page in serde_json::Deserializer::from_str(text).into_iter::<Vec<T>>() {
        items.extend(page.map_err(|e| UserError::input(path, json_problem(&e)))?);
    }
    Ok(items)
}

fn json_problem(e: &serde_json::Error) -> String {
    if e.is_syntax() {
        format!("not valid JSON: {e}")
    } else if e.is_eof() {
        format!("the JSON ends early (truncated?): {e}")
    } else {
        format!("not the GitHub response expected here: {e}")
    }
}
