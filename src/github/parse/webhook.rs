//! A webhook delivery, read once into one typed [`Event`]: the App's recording, its comment
//! commands, its installation map and the Action's trigger all read this, never the raw payload.
//! The route reads only the envelope it needs for the queue key (`serve::events`); the rest is
//! read here when a worker takes the delivery.

use serde::Deserialize;

use super::shapes::{PullJson, RepoJson, TeamJson, UserJson};

/// What a delivery reports, in flowgate's terms.
#[derive(Debug, Clone)]
pub enum Event {
    /// A `pull_request` action (`opened`, `synchronize`, `closed`, `review_requested`, ...).
    PullRequest(PullRequestEvent),
    /// A `pull_request_review` action (`submitted`, `edited`, `dismissed`).
    Review(ReviewEvent),
    /// An `issue_comment` on an issue or a pull request.
    Comment(CommentEvent),
    /// An `installation` or `installation_repositories` change.
    Installation(InstallationEvent),
    /// A `merge_group` action: `checks_requested` asks for the check on the group's head commit.
    MergeGroup(MergeGroupEvent),
    /// A `check_run` or `check_suite` action (`rerequested`: a person re-ran the check).
    Check(CheckEvent),
    /// A delivery of another kind (`check_run`, `check_suite`, `ping`, ...): nothing to read.
    Other,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PullRequestEvent {
    pub action: String,
    pub pull_request: PullJson,
    pub repository: RepoJson,
    pub sender: Option<UserJson>,
    /// `review_requested` / `review_request_removed`: a person, or else a team.
    pub requested_reviewer: Option<UserJson>,
    pub requested_team: Option<TeamJson>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReviewEvent {
    pub action: String,
    pub review: ReviewHookJson,
    pub pull_request: PullJson,
    pub repository: RepoJson,
    pub sender: Option<UserJson>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReviewHookJson {
    pub user: Option<UserJson>,
    /// `approved`, `changes_requested`, `commented`, `dismissed` or `pending`.
    pub state: Option<String>,
    pub submitted_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CommentEvent {
    pub comment: CommentJson,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CommentJson {
    #[serde(default)]
    pub body: String,
    pub user: UserJson,
    /// The commenter's relation to the repository: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, ...
    #[serde(default)]
    pub author_association: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct InstallationEvent {
    pub action: String,
    pub installation: InstallationJson,
    /// `installation`: every repository it covers (when GitHub lists them).
    #[serde(default)]
    pub repositories: Vec<RepoRefJson>,
    /// `installation_repositories`: the change.
    #[serde(default)]
    pub repositories_added: Vec<RepoRefJson>,
    #[serde(default)]
    pub repositories_removed: Vec<RepoRefJson>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CheckEvent {
    pub action: String,
    pub repository: RepoJson,
    /// `check_run` deliveries.
    pub check_run: Option<CheckRunJson>,
    /// `check_suite` deliveries.
    pub check_suite: Option<CheckSuiteJson>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CheckRunJson {
    pub head_sha: String,
    pub check_suite: Option<CheckSuiteJson>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CheckSuiteJson {
    pub head_sha: Option<String>,
    pub head_branch: Option<String>,
}

impl CheckEvent {
    /// The commit and the branch the re-run check is on.
    pub fn commit_and_branch(&self) -> Option<(&str, &str)> {
        match (&self.check_run, &self.check_suite) {
            (Some(run), _) => Some((&run.head_sha, run.check_suite.as_ref()?.head_branch.as_deref()?)),
            (None, Some(suite)) => Some((suite.head_sha.as_deref()?, suite.head_branch.as_deref()?)),
            (None, None) => None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct MergeGroupEvent {
    pub action: String,
    pub merge_group: MergeGroupJson,
    pub repository: RepoJson,
}

/// A merge group: the commit the queue built (`head_sha`, on `head_ref`) on top of the base.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MergeGroupJson {
    pub head_sha: String,
    /// `refs/heads/gh-readonly-queue/<base>/pr-<N>-<sha>`.
    pub head_ref: String,
    pub base_sha: String,
    /// `refs/heads/<base>`.
    pub base_ref: String,
}

impl MergeGroupJson {
    /// The base branch's name.
    pub fn base_branch(&self) -> &str {
        self.base_ref.strip_prefix("refs/heads/").unwrap_or(&self.base_ref)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct InstallationJson {
    pub id: i64,
    /// What the installation granted (`checks: write`, ...), when the payload says.
    pub permissions: Option<std::collections::BTreeMap<String, String>>,
    /// The events it delivers, when the payload says.
    pub events: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RepoRefJson {
    pub full_name: String,
}

/// What a workflow's event payload says about its PR (`pull_request`, `pull_request_target`,
/// `pull_request_review`): the Action reads only this, and says which part is missing.
#[derive(Debug, Clone, Deserialize)]
pub struct WorkflowEvent {
    pub action: Option<String>,
    pub pull_request: Option<WorkflowPull>,
    /// Under `merge_group`: the group, in place of a pull request.
    pub merge_group: Option<MergeGroupJson>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WorkflowPull {
    pub number: Option<u64>,
    pub head: Option<WorkflowRef>,
    pub base: Option<WorkflowRef>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WorkflowRef {
    /// Null when the fork the PR came from was deleted.
    pub repo: Option<RepoJson>,
}

impl WorkflowPull {
    /// The repository the head branch lives in, and the base repository.
    pub fn repos(&self) -> (Option<&str>, Option<&str>) {
        fn name(r: &Option<WorkflowRef>) -> Option<&str> {
            r.as_ref().and_then(|r| r.repo.as_ref()).map(|r| r.full_name.as_str())
        }
        (name(&self.head), name(&self.base))
    }
}

impl Event {
    /// Reads a delivery's body by its event name (the `X-GitHub-Event` header). A payload that
    /// lacks what its event must carry (a pull request without a head, a comment without its
    /// author) is an error naming the problem, never an event with empty fields.
    pub fn parse(event: &str, body: &[u8]) -> Result<Event, String> {
        let read = |what: &str| format!("a {event} payload that is not {what}");
        let parsed = match event {
            "pull_request" => serde_json::from_slice(body).map(Event::PullRequest),
            "pull_request_review" => serde_json::from_slice(body).map(Event::Review),
            "issue_comment" => serde_json::from_slice(body).map(Event::Comment),
            "installation" | "installation_repositories" => serde_json::from_slice(body).map(Event::Installation),
            "merge_group" => serde_json::from_slice(body).map(Event::MergeGroup),
            "check_run" | "check_suite" => serde_json::from_slice(body).map(Event::Check),
            _ => return Ok(Event::Other),
        };
        parsed.map_err(|e| format!("{}: {}", read("what GitHub sends"), super::problem(&e)))
    }
}

impl InstallationEvent {
    fn names(repos: &[RepoRefJson]) -> impl Iterator<Item = &str> {
        repos.iter().map(|r| r.full_name.as_str())
    }

    /// Repositories the installation covers now or newly covers.
    pub fn added(&self) -> Vec<String> {
        Self::names(&self.repositories).chain(Self::names(&self.repositories_added)).map(String::from).collect()
    }

    /// Repositories it no longer covers.
    pub fn removed(&self) -> Vec<String> {
        Self::names(&self.repositories_removed).map(String::from).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/webhooks/").to_string() + name;
        std::fs::read(path).expect("a fixture")
    }

    #[test]
    fn real_deliveries_read_as_their_events() {
        let Event::PullRequest(opened) =
            Event::parse("pull_request", &fixture("pull_request.opened.payload.json")).expect("a real payload reads")
        else {
            panic!("a pull_request delivery is a PullRequest event")
        };
        assert_eq!(opened.action, "opened");
        assert_eq!(opened.repository.full_name, "Codertocat/Hello-World");
        assert_eq!(opened.pull_request.number, Some(2));
        assert_eq!(opened.sender.map(|s| s.login).as_deref(), Some("Codertocat"));

        let Event::Review(review) =
            Event::parse("pull_request_review", &fixture("pull_request_review.submitted.payload.json"))
                .expect("a real payload reads")
        else {
            panic!("a review delivery is a Review event")
        };
        assert_eq!(review.review.state.as_deref(), Some("commented"));
        assert!(review.review.submitted_at.is_some());
    }

    #[test]
    fn a_payload_missing_what_its_event_needs_is_refused_with_the_reason() {
        let err = Event::parse("pull_request", br#"{"action":"opened","repository":{"full_name":"a/b"}}"#)
            .expect_err("a pull_request payload without the pull request");
        assert!(err.contains("pull_request") && err.contains("missing field"), "{err}");
        let err = Event::parse("issue_comment", br#"{"action":"created","comment":{"body":"/flowgate recheck"}}"#)
            .expect_err("a comment without its author");
        assert!(err.contains("user"), "{err}");
        assert!(Event::parse("pull_request", b"{\"action\": \"op").unwrap_err().contains("truncated"));
        assert!(matches!(Event::parse("ping", b"not even JSON"), Ok(Event::Other)), "not read at all");
    }

    #[test]
    fn a_real_merge_group_delivery_names_its_group() {
        let body = fixture("merge_group.checks_requested.payload.json");
        let Ok(Event::MergeGroup(group)) = Event::parse("merge_group", &body) else {
            panic!("a merge_group delivery reads")
        };
        assert_eq!(group.action, "checks_requested");
        assert_eq!(group.repository.full_name, "octo-org/octo-repo");
        assert_eq!(group.merge_group.head_sha, "2ffea6db159f6b6c47a24e778fb9ef40cf6b1c7d");
        assert_eq!(group.merge_group.base_branch(), "main");
        let err = Event::parse(
            "merge_group",
            br#"{"action":"checks_requested","merge_group":{"head_sha":"a"},"repository":{"full_name":"a/b"}}"#,
        )
        .expect_err("a group without its base");
        assert!(err.contains("missing field"), "{err}");
    }

    #[test]
    fn installation_changes_name_the_repositories() {
        let body = br#"{"action":"added","installation":{"id":7},
            "repositories_added":[{"full_name":"a/new"}],"repositories_removed":[{"full_name":"a/old"}]}"#;
        let Ok(Event::Installation(change)) = Event::parse("installation_repositories", body) else {
            panic!("an installation_repositories delivery reads")
        };
        assert_eq!(
            (change.installation.id, change.added(), change.removed()),
            (7, vec!["a/new".into()], vec!["a/old".into()])
        );
    }
}
