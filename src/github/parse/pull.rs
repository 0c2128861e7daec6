//! A pull request from GitHub's answers: the pull object (or a webhook payload around it) and its
//! lists of files, commits, reviews and issue events, as PR facts and as who is on the PR for
//! reviewer assignment. A live PR and a saved snapshot hold the same answers and are read here.

use std::path::Path;

use serde::de::DeserializeOwned;

use super::shapes::{CommitJson, EventJson, FileJson, GitActorJson, PullJson, ReviewJson, UserJson, WebhookJson};
use crate::error::UserError;
use crate::model::{Commit, CommitSha, FileChange, GitPerson, Label, Login, PrFacts, Review, Visibility};

/// GitHub's answers about one PR, as sent: list texts may hold several pages one after another.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawSnapshot {
    pub pull: String,
    pub files: String,
    pub commits: Option<String>,
    pub reviews: Option<String>,
    pub events: Option<String>,
    /// GitHub's `compare` answers, by range (`base...head`): for each commit an approval was
    /// given on, the base with it and it with the base, so approvals can be judged offline.
    pub compares: std::collections::BTreeMap<String, String>,
}

/// The pull object, read once: from GET pulls/{n}, or from a `pull_request` webhook payload,
/// which also names the repository and, for a `labeled` action, who applied which label.
#[derive(Debug, Clone)]
pub struct Pull {
    pub json: PullJson,
    pub repo: Option<String>,
    /// `(label, login)` of a `labeled` webhook payload.
    labeler: Option<(String, String)>,
}

impl Pull {
    /// The base branch's name.
    pub fn base(&self) -> &str {
        &self.json.base.ref_
    }

    /// The names of the labels on the PR.
    pub fn labels(&self) -> Vec<String> {
        self.json.labels.iter().map(|l| l.name.clone()).collect()
    }

    /// The head commit, when GitHub named it.
    pub fn head_sha(&self) -> Option<&str> {
        self.json.head.sha.as_deref()
    }
}

/// Reads the pull object; `path` names it in messages (`<origin>/pull.json`).
pub fn pull(text: &str, path: &Path) -> Result<Pull, UserError> {
    let hook: WebhookJson = parse_one(path, text)?;
    let (json, repo, labeler) = match hook.pull_request {
        Some(pr) => {
            let labeler = match (hook.action.as_deref(), hook.label, hook.sender) {
                (Some("labeled"), Some(label), Some(sender)) => Some((label.name, sender.login)),
                _ => None,
            };
            (pr, hook.repository.map(|r| r.full_name), labeler)
        }
        None => (parse_one::<PullJson>(path, text)?, None, None),
    };
    let repo = repo.or_else(|| json.base.repo.as_ref().map(|r| r.full_name.clone()));
    Ok(Pull { json, repo, labeler })
}

/// A PR as GitHub shows it, parsed once: its facts for the engine, and who is on it for
/// reviewer assignment.
#[derive(Debug, Clone)]
pub struct ParsedPr {
    pub facts: PrFacts,
    pub on_pr: OnPr,
    /// The base branch's commit the PR was read against.
    pub base_sha: Option<String>,
}

/// Who is on the PR already, from GitHub's view of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnPr {
    pub requested_users: Vec<Login>,
    /// `@org/slug`.
    pub requested_teams: Vec<String>,
    /// People who took their own review request off the PR: never asked again.
    pub removed_themselves: Vec<Login>,
}

impl OnPr {
    /// From the pull request's `requested_reviewers` and `requested_teams` (a team is named after
    /// the base repository's owner) and its issue events (`review_request_removed` by the reviewer).
    pub fn read(pull: &PullJson, events: &[EventJson]) -> OnPr {
        let owner =
            pull.base.repo.as_ref().and_then(|r| r.owner.as_ref()).map(|o| o.login.as_str()).unwrap_or_default();
        let removed_themselves = events
            .iter()
            .filter(|e| e.event == "review_request_removed")
            .filter_map(|e| {
                let (actor, reviewer) = (e.actor.as_ref()?, e.requested_reviewer.as_ref()?);
                actor.login.eq_ignore_ascii_case(&reviewer.login).then(|| Login::new(reviewer.login.as_str()))
            })
            .collect();
        OnPr {
            requested_users: pull.requested_reviewers.iter().map(|u| Login::new(u.login.as_str())).collect(),
            requested_teams: pull.requested_teams.iter().map(|t| format!("@{owner}/{}", t.slug)).collect(),
            removed_themselves,
        }
    }
}

/// Reads a whole saved PR; `origin` names it in messages (a directory, or the PR it came from).
pub fn snapshot(raw: &RawSnapshot, origin: &Path) -> Result<ParsedPr, UserError> {
    let pull = pull(&raw.pull, &origin.join("pull.json"))?;
    with_lists(pull, raw, origin)
}

/// The PR from its already-read pull object and the list answers in `raw` (its `pull` is not read
/// again).
pub fn with_lists(pull: Pull, raw: &RawSnapshot, origin: &Path) -> Result<ParsedPr, UserError> {
    let Pull { json: pull, repo, labeler } = pull;
    let base_sha = pull.base.sha.clone();
    let files: Vec<FileJson> = parse_list(&origin.join("files.json"), &raw.files)?;
    let commits: Option<Vec<CommitJson>> =
        raw.commits.as_deref().map(|t| parse_list(&origin.join("commits.json"), t)).transpose()?;
    let reviews: Option<Vec<ReviewJson>> =
        raw.reviews.as_deref().map(|t| parse_list(&origin.join("reviews.json"), t)).transpose()?;
    let events: Option<Vec<EventJson>> =
        raw.events.as_deref().map(|t| parse_list(&origin.join("events.json"), t)).transpose()?;

    let on_pr = OnPr::read(&pull, events.as_deref().unwrap_or_default());
    let labels = pull
        .labels
        .iter()
        .map(|l| Label { name: l.name.clone(), applied_by: who_applied(&l.name, events.as_deref(), labeler.as_ref()) })
        .collect();

    let facts = PrFacts {
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
                blob: f.sha,
                analysis: None,
            })
            .collect(),
        chains: Default::default(),
        since_approved: Default::default(),
        codeowners: None,
        edited_policy: None,
        provenance: None,
        ai_declaration: None,
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
    };
    Ok(ParsedPr { facts, on_pr, base_sha })
}

fn commit(c: CommitJson) -> Commit {
    let person = |p: Option<GitActorJson>, account: Option<UserJson>| {
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
        parents: c.parents.into_iter().map(|p| CommitSha::new(p.sha)).collect(),
        tree: c.commit.tree.map(|t| t.sha),
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

fn parse_one<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, UserError> {
    super::one(text).map_err(|message| UserError::input(path, message))
}

/// The ranges `flowgate snapshot` saves so that approvals on older commits can be judged offline:
/// for each reviewer's approval on a commit other than the head, the base with that commit and
/// that commit with the base. Unreadable answers save nothing (the check then says so).
pub fn comparisons_to_save(pull: &str, reviews: Option<&str>) -> Vec<(String, String)> {
    let Ok(pull) = super::one::<PullJson>(pull) else { return Vec::new() };
    let (Some(base), Some(head)) = (pull.base.sha, pull.head.sha) else { return Vec::new() };
    let reviews: Vec<ReviewJson> = reviews.and_then(|r| super::list(r).ok()).unwrap_or_default();
    let mut approved: Vec<String> = reviews
        .into_iter()
        .filter(|r| r.state == crate::model::ReviewState::Approved)
        .filter_map(|r| r.commit_id)
        .filter(|c| *c != head)
        .collect();
    approved.sort();
    approved.dedup();
    approved.into_iter().flat_map(|c| [(base.clone(), c.clone()), (c, base.clone())]).collect()
}

/// When the PR's base branch was changed (its `base_ref_changed` issue events), in the order
/// GitHub lists them; a time GitHub leaves out is `None`.
pub fn base_changes(events: &str, origin: &Path) -> Result<Vec<Option<String>>, UserError> {
    let events: Vec<EventJson> = parse_list(&origin.join("events.json"), events)?;
    Ok(events.into_iter().filter(|e| e.event == "base_ref_changed").map(|e| e.created_at).collect())
}

fn parse_list<T: DeserializeOwned>(path: &Path, text: &str) -> Result<Vec<T>, UserError> {
    super::list(text).map_err(|message| UserError::input(path, message))
}
