//! Issues the App writes itself (the weekly digest): find one by label and title, create one,
//! replace one's body.

use http::Method;
use serde_json::json;

use super::client::{ACCEPT_JSON, GitHub, failure};
use super::error::Error;
use super::{RepoName, encode};

impl GitHub {
    /// The number of the issue (open or closed) carrying `label` whose title is `title`, among
    /// the 100 most recently created with that label.
    pub async fn find_issue(&self, repo: &RepoName, label: &str, title: &str) -> Result<Option<u64>, Error> {
        let path =
            format!("/repos/{repo}/issues?labels={}&state=all&sort=created&direction=desc&per_page=100", encode(label));
        let answer = self.send(Method::GET, &path, ACCEPT_JSON, None).await?;
        if !answer.status.is_success() {
            return Err(failure("GET", &path, &answer));
        }
        let issues = answer.json(&path)?;
        Ok(issues
            .as_array()
            .into_iter()
            .flatten()
            .find(|i| i["title"].as_str() == Some(title))
            .and_then(|i| i["number"].as_u64()))
    }

    /// Creates an issue with one label and returns its number.
    pub async fn create_issue(&self, repo: &RepoName, title: &str, body: &str, label: &str) -> Result<u64, Error> {
        let path = format!("/repos/{repo}/issues");
        let request = json!({ "title": title, "body": body, "labels": [label] });
        let answer = self.send(Method::POST, &path, ACCEPT_JSON, Some(&request)).await?;
        if !answer.status.is_success() {
            return Err(failure("POST", &path, &answer));
        }
        answer.json(&path)?["number"]
            .as_u64()
            .ok_or_else(|| Error::bad_answer(format!("POST {path}: the answer names no issue number")))
    }

    /// Replaces an issue's title and body.
    pub async fn update_issue(&self, repo: &RepoName, number: u64, title: &str, body: &str) -> Result<(), Error> {
        let path = format!("/repos/{repo}/issues/{number}");
        let answer =
            self.send(Method::PATCH, &path, ACCEPT_JSON, Some(&json!({ "title": title, "body": body }))).await?;
        if !answer.status.is_success() {
            return Err(failure("PATCH", &path, &answer));
        }
        Ok(())
    }
}
