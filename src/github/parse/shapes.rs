//! GitHub's JSON as flowgate reads it: the REST answers and webhook payloads it uses, as serde
//! structs. Fields GitHub may send as null or leave out are optional; fields without which the
//! answer means nothing (a pull request's head and base, a file's name) are required, so an answer
//! without them is refused rather than read as empty. Everything else is ignored.

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

#[derive(Debug, Clone, Deserialize)]
#[serde(expecting = "a pull request object (GET pulls/{n})")]
pub struct PullJson {
    pub number: Option<u64>,
    pub title: Option<String>,
    pub body: Option<String>,
    /// `open` or `closed`.
    pub state: Option<String>,
    pub user: Option<UserJson>,
    pub head: RefJson,
    pub base: RefJson,
    #[serde(default)]
    pub labels: Vec<LabelJson>,
    pub draft: Option<bool>,
    pub changed_files: Option<u64>,
    pub commits: Option<u64>,
    pub additions: Option<u64>,
    pub deletions: Option<u64>,
    pub html_url: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub closed_at: Option<String>,
    pub merged_at: Option<String>,
    pub merged: Option<bool>,
    /// Who merged it (GET pulls/{n} says; the listing does not).
    pub merged_by: Option<UserJson>,
    /// People asked to review who have not reviewed since (GitHub drops a login when its review comes).
    #[serde(default)]
    pub requested_reviewers: Vec<UserJson>,
    #[serde(default)]
    pub requested_teams: Vec<TeamJson>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RefJson {
    #[serde(rename = "ref")]
    pub ref_: String,
    pub sha: Option<String>,
    pub repo: Option<RepoJson>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RepoJson {
    pub full_name: String,
    pub owner: Option<UserJson>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UserJson {
    pub login: String,
    /// "User", "Bot" or "Organization".
    #[serde(rename = "type")]
    pub account_type: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TeamJson {
    pub slug: String,
}

#[derive(Debug, Clone, Deserialize)]
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
    /// The file's blob at the head of the range: equal blobs are equal contents.
    pub sha: Option<String>,
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
    /// The parents in order; a merge commit has two or more.
    #[serde(default)]
    pub parents: Vec<ShaJson>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ShaJson {
    pub sha: String,
}

/// An entry of `GET git/matching-refs/{ref}`: a branch and the commit it points at.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a git reference (an entry of GET git/matching-refs/...)")]
pub struct RefEntryJson {
    #[serde(rename = "ref")]
    pub ref_: String,
    pub object: ShaJson,
}

/// `GET compare/{base}...{head}`: the commits of the range (at most 250 in one answer, oldest
/// first) and its changed files (at most 300).
#[derive(Debug, Deserialize)]
#[serde(expecting = "a comparison of two commits (GET compare/{base}...{head})")]
pub struct CompareJson {
    /// `ahead`, `behind`, `identical` or `diverged`.
    pub status: Option<String>,
    pub total_commits: Option<u64>,
    pub commits: Vec<CommitJson>,
    /// Absent when GitHub could not compute the diff in time.
    pub files: Option<Vec<FileJson>>,
}

#[derive(Debug, Deserialize)]
pub struct CommitDetailJson {
    pub message: String,
    pub tree: Option<ShaJson>,
    pub author: Option<GitActorJson>,
    pub committer: Option<GitActorJson>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct GitActorJson {
    pub name: Option<String>,
    pub email: Option<String>,
    /// When the commit was authored or committed (RFC 3339), not when it was pushed.
    pub date: Option<String>,
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

#[derive(Debug, Clone, Deserialize)]
#[serde(expecting = "an issue event (an entry of GET issues/{n}/events)")]
pub struct EventJson {
    pub event: String,
    pub created_at: Option<String>,
    pub actor: Option<UserJson>,
    pub label: Option<LabelJson>,
    pub requested_reviewer: Option<UserJson>,
}

/// An entry of a PR's issue timeline (GET issues/{n}/timeline), of its issue events, or of its
/// reviews: the three share these fields, and a review has no `event`. Every field is optional
/// because each kind carries only some of them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(expecting = "a timeline item (an entry of GET issues/{n}/timeline, issues/{n}/events or pulls/{n}/reviews)")]
pub struct TimelineJson {
    pub event: Option<String>,
    pub id: Option<u64>,
    pub node_id: Option<String>,
    pub actor: Option<UserJson>,
    pub user: Option<UserJson>,
    pub created_at: Option<String>,
    pub submitted_at: Option<String>,
    pub state: Option<String>,
    pub requested_reviewer: Option<UserJson>,
    pub requested_team: Option<TeamJson>,
    pub dismissed_review: Option<DismissedReviewJson>,
    pub sha: Option<String>,
    pub committer: Option<GitActorJson>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DismissedReviewJson {
    pub review_id: Option<u64>,
    pub state: Option<String>,
}

/// An entry of the repository's open pull requests (GET pulls?state=open), for review load.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a pull request in a listing (an entry of GET pulls?state=open)")]
pub struct OpenPullJson {
    pub number: Option<u64>,
    pub draft: Option<bool>,
    #[serde(default)]
    pub requested_reviewers: Vec<UserJson>,
}

/// An entry of the App's webhook deliveries (GET /app/hook/deliveries).
#[derive(Debug, Deserialize)]
#[serde(expecting = "a webhook delivery (an entry of GET /app/hook/deliveries)")]
pub struct HookDeliveryJson {
    pub id: u64,
    pub guid: String,
    pub delivered_at: Option<String>,
    /// The status the App answered with; 0 or absent when it did not answer.
    pub status_code: Option<u64>,
}

/// Classic branch protection (GET branches/{b}/protection): only its required status checks.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a branch protection (GET branches/{b}/protection)")]
pub struct ProtectionJson {
    /// Absent when the protection requires no status check.
    pub required_status_checks: Option<StatusChecksJson>,
}

#[derive(Debug, Deserialize)]
pub struct StatusChecksJson {
    /// The contexts alone; `checks` says the same with the App each must come from.
    #[serde(default)]
    pub contexts: Vec<String>,
    pub checks: Option<Vec<StatusCheckJson>>,
}

#[derive(Debug, Deserialize)]
pub struct StatusCheckJson {
    pub context: String,
    /// The App the check must come from; null for any.
    pub app_id: Option<u64>,
}

/// An entry of the rules that apply to a branch (GET rules/branches/{b}).
#[derive(Debug, Deserialize)]
#[serde(expecting = "a rule (an entry of GET rules/branches/{b})")]
pub struct BranchRuleJson {
    #[serde(rename = "type")]
    pub kind: String,
    pub ruleset_id: Option<u64>,
    /// Each kind has its own; only `required_status_checks`' are read.
    pub parameters: Option<RuleParametersJson>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RuleParametersJson {
    #[serde(default)]
    pub required_status_checks: Vec<RuleStatusCheckJson>,
}

#[derive(Debug, Deserialize)]
pub struct RuleStatusCheckJson {
    pub context: String,
    /// The App the check must come from, when the ruleset says one.
    pub integration_id: Option<u64>,
}

/// An entry of a repository's rulesets (GET rulesets).
#[derive(Debug, Deserialize)]
#[serde(expecting = "a ruleset (an entry of GET rulesets)")]
pub struct RulesetJson {
    pub id: u64,
    pub name: String,
}

/// An App's installation on a repository (GET repos/{r}/installation, with the App's JWT).
/// Its permissions and events are what doctor reads, so an answer without them is refused.
#[derive(Debug, Deserialize)]
#[serde(expecting = "an installation (GET repos/{r}/installation)")]
pub struct InstallationJson {
    pub app_id: Option<u64>,
    pub permissions: std::collections::BTreeMap<String, String>,
    pub events: Vec<String>,
}

/// An entry of a directory's listing (GET contents/{dir}).
#[derive(Debug, Deserialize)]
#[serde(expecting = "a directory entry (an entry of GET contents/{dir})")]
pub struct ContentEntryJson {
    pub path: String,
    /// `file`, `dir`, `symlink` or `submodule`.
    #[serde(rename = "type")]
    pub kind: String,
}
