//! The writes flowgate makes to GitHub, each idempotent: one `flowgate` check run per head commit
//! (found before it is created, never duplicated by a retry), labels added, removed and created,
//! review requests made and withdrawn, and a comment posted once. Which writes a PR needs is
//! decided by `gate::plan`, not here.

use http::{Method, StatusCode};
use serde_json::json;

use super::client::{ACCEPT_JSON, Answer, GitHub, failure};
use super::error::Error;
use super::{RepoName, encode};
use crate::model::check_run::{ANNOTATIONS_PER_REQUEST, CHECK_NAME, CheckRunReport};

/// The outcome of a write the token may not be allowed to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write<T> {
    Done(T),
    /// GitHub refused for lack of permission (a fork's read-only token): GitHub's words.
    Denied(String),
}

/// What happened to the check run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRunPosted {
    pub id: u64,
    pub created: bool,
    /// Annotations sent now; zero when the run already carries the same ones.
    pub annotations_sent: usize,
}

/// GitHub takes at most this many reviewers in one request.
pub(crate) const REVIEWERS_PER_REQUEST: usize = 15;

/// GitHub's words when it refused a write for lack of permission ("Resource not accessible by
/// integration", as a fork's read-only token hears).
fn denied(answer: &Answer) -> Option<String> {
    (answer.status == StatusCode::FORBIDDEN).then(|| answer.message().unwrap_or_else(|| answer.status.to_string()))
}

impl GitHub {
    /// The newest `flowgate` check run on `head_sha`, with its `external_id`.
    async fn find_check_run(&self, repo: &RepoName, head_sha: &str) -> Result<Option<(u64, String)>, Error> {
        let path =
            format!("/repos/{repo}/commits/{}/check-runs?check_name={CHECK_NAME}&filter=latest", encode(head_sha));
        let answer = self.send(Method::GET, &path, ACCEPT_JSON, None).await?;
        if !answer.status.is_success() {
            return Err(failure("GET", &path, &answer));
        }
        let value = answer.json(&path)?;
        let runs = value["check_runs"].as_array().cloned().unwrap_or_default();
        Ok(runs
            .iter()
            .filter(|r| r["name"] == CHECK_NAME)
            .find_map(|r| Some((r["id"].as_u64()?, r["external_id"].as_str().unwrap_or_default().to_string()))))
    }

    /// Creates or updates the `flowgate` check run on `head_sha`. An existing run is updated;
    /// a create that failed without an answer is looked for again before it is repeated, so a
    /// retry never leaves two runs.
    pub async fn post_check_run(
        &self,
        repo: &RepoName,
        head_sha: &str,
        report: &CheckRunReport,
    ) -> Result<Write<CheckRunPosted>, Error> {
        let fingerprint = report.annotations_fingerprint();
        let existing = self.find_check_run(repo, head_sha).await?;
        let first_chunk = |send: bool| if send { chunk(report, 0) } else { Vec::new() };
        let body = |annotations: Vec<serde_json::Value>| {
            let mut body = json!({
                "name": CHECK_NAME,
                "head_sha": head_sha,
                "status": report.status(),
                "external_id": fingerprint,
                "output": { "title": report.title, "summary": report.summary, "annotations": annotations },
            });
            if let Some(conclusion) = report.conclusion {
                body["conclusion"] = json!(conclusion);
            }
            body
        };

        let mut posted = None;
        // GitHub appends annotations on every update: send them to a new run, or when they changed.
        let mut send_annotations = true;
        if let Some((id, external_id)) = existing {
            send_annotations = external_id != fingerprint;
            let path = format!("/repos/{repo}/check-runs/{id}");
            let answer =
                self.send(Method::PATCH, &path, ACCEPT_JSON, Some(&body(first_chunk(send_annotations)))).await?;
            if let Some(why) = denied(&answer) {
                return Ok(Write::Denied(why));
            }
            if answer.status.is_success() {
                posted = Some((id, false));
            } else if answer.status != StatusCode::UNPROCESSABLE_ENTITY {
                return Err(failure("PATCH", &path, &answer));
            }
            // 422: GitHub would not move this run back (a completed run to in progress); start a new one.
        }
        let (id, created) = match posted {
            Some(p) => p,
            None => {
                send_annotations = true;
                match self.create_check_run(repo, head_sha, &body(first_chunk(true))).await? {
                    Write::Done(id) => (id, true),
                    Write::Denied(why) => return Ok(Write::Denied(why)),
                }
            }
        };
        let mut sent = 0;
        if send_annotations {
            sent = report.annotations.len().min(ANNOTATIONS_PER_REQUEST);
            // GitHub takes 50 annotations a request and appends each batch to the run.
            let path = format!("/repos/{repo}/check-runs/{id}");
            while sent < report.annotations.len() {
                let batch = chunk(report, sent);
                sent += batch.len();
                let body =
                    json!({ "output": { "title": report.title, "summary": report.summary, "annotations": batch } });
                let answer = self.send(Method::PATCH, &path, ACCEPT_JSON, Some(&body)).await?;
                if !answer.status.is_success() {
                    return Err(failure("PATCH", &path, &answer));
                }
            }
        }
        Ok(Write::Done(CheckRunPosted { id, created, annotations_sent: sent }))
    }

    async fn create_check_run(
        &self,
        repo: &RepoName,
        head_sha: &str,
        body: &serde_json::Value,
    ) -> Result<Write<u64>, Error> {
        let path = format!("/repos/{repo}/check-runs");
        let mut unanswered = None;
        for _ in 0..2 {
            let result = self.send(Method::POST, &path, ACCEPT_JSON, Some(body)).await;
            match result {
                Ok(answer) if answer.status.is_success() => {
                    let id = answer.json(&path)?["id"].as_u64();
                    return id
                        .map(Write::Done)
                        .ok_or_else(|| Error::bad_answer(format!("POST {path}: the answer has no check run id")));
                }
                Ok(answer) if !answer.status.is_server_error() => {
                    return match denied(&answer) {
                        Some(why) => Ok(Write::Denied(why)),
                        None => Err(failure("POST", &path, &answer)),
                    };
                }
                Ok(answer) => unanswered = Some(failure("POST", &path, &answer)),
                Err(e) => unanswered = Some(e),
            }
            // A server error or a lost connection: the run may exist now. Look before creating again.
            if let Some((id, _)) = self.find_check_run(repo, head_sha).await? {
                return Ok(Write::Done(id));
            }
        }
        Err(unanswered.unwrap_or_else(|| Error::transport(format!("POST {path}: no answer"))))
    }

    /// Adds labels to an issue or pull request, in one request. GitHub keeps labels already on it.
    pub async fn add_labels(&self, repo: &RepoName, number: u64, names: &[&str]) -> Result<Write<()>, Error> {
        let path = format!("/repos/{repo}/issues/{number}/labels");
        let answer = self.send(Method::POST, &path, ACCEPT_JSON, Some(&json!({ "labels": names }))).await?;
        if let Some(why) = denied(&answer) {
            return Ok(Write::Denied(why));
        }
        if !answer.status.is_success() {
            return Err(failure("POST", &path, &answer));
        }
        Ok(Write::Done(()))
    }

    /// Takes a label off an issue or pull request: `Done(true)` when it came off now, `Done(false)`
    /// when it was not on it (someone took it off already).
    pub async fn remove_label(&self, repo: &RepoName, number: u64, name: &str) -> Result<Write<bool>, Error> {
        let path = format!("/repos/{repo}/issues/{number}/labels/{}", encode(name));
        let answer = self.send(Method::DELETE, &path, ACCEPT_JSON, None).await?;
        match answer.status {
            s if s.is_success() => Ok(Write::Done(true)),
            StatusCode::NOT_FOUND => Ok(Write::Done(false)),
            _ => match denied(&answer) {
                Some(why) => Ok(Write::Denied(why)),
                None => Err(failure("DELETE", &path, &answer)),
            },
        }
    }

    /// Creates a label in the repository: `Done(true)` when created now, `Done(false)` when it
    /// exists already. Creating and taking "already exists" as done costs one request either way,
    /// where asking first would cost one more whenever the label does not exist.
    pub async fn create_label(
        &self,
        repo: &RepoName,
        name: &str,
        color: &str,
        description: &str,
    ) -> Result<Write<bool>, Error> {
        let path = format!("/repos/{repo}/labels");
        let body = json!({ "name": name, "color": color, "description": description });
        let answer = self.send(Method::POST, &path, ACCEPT_JSON, Some(&body)).await?;
        if let Some(why) = denied(&answer) {
            return Ok(Write::Denied(why));
        }
        if answer.status.is_success() {
            Ok(Write::Done(true))
        } else if answer.status == StatusCode::UNPROCESSABLE_ENTITY && already_exists(&answer) {
            Ok(Write::Done(false))
        } else {
            Err(failure("POST", &path, &answer))
        }
    }
}

/// GitHub's 422 for a label that exists: `errors: [{ "code": "already_exists", ... }]`.
fn already_exists(answer: &Answer) -> bool {
    serde_json::from_str::<serde_json::Value>(&answer.body)
        .ok()
        .is_some_and(|v| v["errors"].as_array().is_some_and(|es| es.iter().any(|e| e["code"] == "already_exists")))
}

impl GitHub {
    /// Asks these people to review, at most 15 a request as GitHub allows. Returns who was asked;
    /// GitHub's refusal (a login that is not a collaborator, a token that may not write) is
    /// `Denied` with its reason.
    pub async fn request_reviewers(
        &self,
        repo: &RepoName,
        number: u64,
        logins: &[&str],
    ) -> Result<Write<Vec<String>>, Error> {
        let path = format!("/repos/{repo}/pulls/{number}/requested_reviewers");
        let mut asked = Vec::new();
        for chunk in logins.chunks(REVIEWERS_PER_REQUEST) {
            let answer = self.send(Method::POST, &path, ACCEPT_JSON, Some(&json!({ "reviewers": chunk }))).await?;
            if let Some(why) = denied(&answer) {
                return Ok(Write::Denied(why));
            }
            if answer.status == StatusCode::UNPROCESSABLE_ENTITY {
                let message = serde_json::from_str::<serde_json::Value>(&answer.body)
                    .ok()
                    .and_then(|v| v["message"].as_str().map(String::from))
                    .unwrap_or_else(|| answer.body.chars().take(200).collect());
                return Ok(Write::Denied(format!("GitHub refused to request {}: {message}", chunk.join(", "))));
            }
            if !answer.status.is_success() {
                return Err(failure("POST", &path, &answer));
            }
            asked.extend(chunk.iter().map(|l| l.to_string()));
        }
        Ok(Write::Done(asked))
    }

    /// Withdraws review requests (for `/flowgate reassign`). Someone no longer requested is not
    /// an error: GitHub ignores them.
    pub async fn withdraw_reviewers(&self, repo: &RepoName, number: u64, logins: &[&str]) -> Result<Write<()>, Error> {
        let path = format!("/repos/{repo}/pulls/{number}/requested_reviewers");
        for chunk in logins.chunks(REVIEWERS_PER_REQUEST) {
            let answer = self.send(Method::DELETE, &path, ACCEPT_JSON, Some(&json!({ "reviewers": chunk }))).await?;
            if let Some(why) = denied(&answer) {
                return Ok(Write::Denied(why));
            }
            if !answer.status.is_success() {
                return Err(failure("DELETE", &path, &answer));
            }
        }
        Ok(Write::Done(()))
    }

    /// Comments on a PR once: a comment carrying `marker` made since `since_iso` counts as done,
    /// so a delivery processed twice does not comment twice.
    pub async fn comment_once(
        &self,
        repo: &RepoName,
        number: u64,
        marker: &str,
        since_iso: &str,
        body: &str,
    ) -> Result<Write<()>, Error> {
        let path = format!("/repos/{repo}/issues/{number}/comments");
        let recent = format!("{path}?since={}&per_page=100", encode(since_iso));
        let answer = self.send(Method::GET, &recent, ACCEPT_JSON, None).await?;
        if !answer.status.is_success() {
            return Err(failure("GET", &recent, &answer));
        }
        let comments = answer.json(&recent)?;
        let posted = comments
            .as_array()
            .is_some_and(|cs| cs.iter().any(|c| c["body"].as_str().is_some_and(|b| b.contains(marker))));
        if posted {
            return Ok(Write::Done(()));
        }
        let answer = self
            .send(Method::POST, &path, ACCEPT_JSON, Some(&json!({ "body": format!("{body}\n\n{marker}") })))
            .await?;
        match denied(&answer) {
            Some(why) => Ok(Write::Denied(why)),
            None if answer.status.is_success() => Ok(Write::Done(())),
            None => Err(failure("POST", &path, &answer)),
        }
    }
}

fn chunk(report: &CheckRunReport, from: usize) -> Vec<serde_json::Value> {
    report.annotations.iter().skip(from).take(ANNOTATIONS_PER_REQUEST).map(|a| a.to_json()).collect()
}
