//! The parts of GitHub's REST and webhook JSON that a snapshot reads. Fields GitHub may send as
//! null are optional; everything else is ignored.

use serde::Deserialize;

use crate::model::{FileStatus, ReviewState};

#[derive(Debug, Deserialize)]
#[serde(expecting = "a pull request object (GET pulls/{n}) or a pull_request webhook payload")]
pub struct WebhookJson {
    pub action: Option<String>,
    pub pull_request: Option<PullJson>,
    pub repository: Option<RepoJson>,
    pub label: Option<LabelJson>,
    pub sender: Option<UserJson>,
}

#[derive(Debug, Deserialize)]
#[serde(expecting = "a pull request object (GET pulls/{n})")]
pub struct PullJson {
    pub number: Option<u64>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub user: Option<UserJson>,
    pub head: RefJson,
    pub base: RefJson,
    #[serde(default)]
    pub labels: Vec<LabelJson>,
    pub draft: Option<bool>,
    pub changed_files: Option<u64>,
    pub commits: Option<u64>,
}

#[derive(Debug, Deserialize)]
pub struct RefJson {
    #[serde(rename = "ref")]
    pub ref_: String,
    pub sha: Option<String>,
    pub repo: Option<RepoJson>,
}

#[derive(Debug, Deserialize)]
pub struct RepoJson {
    pub full_name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UserJson {
    pub login: String,
}

#[derive(Debug, Deserialize)]
pub struct LabelJson {
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(expecting = "a changed file (an entry of GET pulls/{n}/files)")]
pub struct FileJson {
    pub filename: String,
    pub previous_filename: Option<String>,
    pub status: FileStatus,
    #[serde(default)]
    pub additions: u64,
    #[serde(default)]
    pub deletions: u64,
    pub patch: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(expecting = "a commit (an entry of GET pulls/{n}/commits)")]
pub struct CommitJson {
    pub sha: String,
    pub commit: CommitDetailJson,
    pub author: Option<UserJson>,
    pub committer: Option<UserJson>,
    /// Present when the snapshot saved single-commit responses (GET commits/{sha}).
    pub files: Option<Vec<CommitFileJson>>,
}

#[derive(Debug, Deserialize)]
pub struct CommitDetailJson {
    pub message: String,
    pub author: Option<GitActorJson>,
    pub committer: Option<GitActorJson>,
}

#[derive(Debug, Default, Deserialize)]
pub struct GitActorJson {
    pub name: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CommitFileJson {
    pub filename: String,
}

#[derive(Debug, Deserialize)]
#[serde(expecting = "a review (an entry of GET pulls/{n}/reviews)")]
pub struct ReviewJson {
    pub user: Option<UserJson>,
    pub state: ReviewState,
    pub commit_id: Option<String>,
    pub submitted_at: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(expecting = "an issue event (an entry of GET issues/{n}/events)")]
pub struct EventJson {
    pub event: String,
    pub actor: Option<UserJson>,
    pub label: Option<LabelJson>,
}
