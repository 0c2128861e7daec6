//! GitHub Issues as a tracker: an issue by `owner/repo#12`, its parent from the sub-issues API
//! (`GET /repos/{o}/{r}/issues/{n}/parent`, 404 at the root), its level from its issue type or labels.

use http::{HeaderValue, header};
use serde_json::Value;

use super::http::{HttpSettings, HttpUsage, TrackerHttp};
use super::{Item, ItemState, LookupFuture, StateCategory, Tracker, TrackerError};

const API_VERSION: &str = "2022-11-28";

pub struct GitHubIssues {
    http: TrackerHttp,
}

impl GitHubIssues {
    /// A client for the REST API at `api_url` (`https://api.github.com`, or `https://HOST/api/v3`).
    pub fn new(api_url: &str, token: Option<&str>, settings: HttpSettings) -> Result<GitHubIssues, String> {
        let mut headers = vec![
            (header::ACCEPT, HeaderValue::from_static("application/vnd.github+json")),
            (header::HeaderName::from_static("x-github-api-version"), HeaderValue::from_static(API_VERSION)),
        ];
        if let Some(token) = token {
            let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| "the GitHub token holds characters that cannot go in a header".to_string())?;
            value.set_sensitive(true);
            headers.push((header::AUTHORIZATION, value));
        }
        Ok(GitHubIssues { http: TrackerHttp::new(api_url, headers, settings)? })
    }

    async fn issue(&self, key: &str) -> Result<Item, TrackerError> {
        let (repo, number) = split_key(key)?;
        let issue = self.http.get(&format!("/repos/{repo}/issues/{number}")).await?.json("the issue")?;
        if issue["pull_request"].is_object() {
            // GitHub serves pull requests as issues too; a PR is not a work item.
            return Err(TrackerError::NotFound);
        }
        let parent = match self.http.get(&format!("/repos/{repo}/issues/{number}/parent")).await {
            Ok(body) => Some(issue_key(&body.json("the parent issue")?)?),
            Err(TrackerError::NotFound) => None,
            Err(e) => return Err(e),
        };
        let mut item = describe(&issue, key)?;
        item.parent = parent;
        Ok(item)
    }
}

impl Tracker for GitHubIssues {
    fn name(&self) -> &'static str {
        "GitHub Issues"
    }

    fn lookup<'a>(&'a self, key: &'a str) -> LookupFuture<'a> {
        Box::pin(self.issue(key))
    }

    fn usage(&self) -> HttpUsage {
        self.http.usage()
    }
}

/// `owner/repo#12` into its repository and number.
fn split_key(key: &str) -> Result<(&str, u64), TrackerError> {
    let bad = || TrackerError::BadAnswer {
        reason: format!("{key:?} is not an issue key of the form owner/repo#12 (a bare #12 needs the PR's repository)"),
    };
    let (repo, number) = key.split_once('#').ok_or_else(bad)?;
    let number: u64 = number.parse().map_err(|_| bad())?;
    if repo.split('/').filter(|p| !p.is_empty()).count() != 2 {
        return Err(bad());
    }
    Ok((repo, number))
}

/// `owner/repo#12` from an issue object, from its `repository_url` (or `html_url`) and number.
fn issue_key(issue: &Value) -> Result<String, TrackerError> {
    let number = issue["number"]
        .as_u64()
        .ok_or_else(|| TrackerError::BadAnswer { reason: "an issue without a number".into() })?;
    let repo = issue["repository_url"]
        .as_str()
        .and_then(|u| u.split_once("/repos/").map(|(_, r)| r.to_string()))
        .or_else(|| {
            let html = issue["html_url"].as_str()?;
            let path = html.split_once("://")?.1.split_once('/')?.1;
            let mut parts = path.split('/');
            Some(format!("{}/{}", parts.next()?, parts.next()?))
        })
        .ok_or_else(|| TrackerError::BadAnswer { reason: format!("issue {number} names no repository") })?;
    Ok(format!("{repo}#{number}"))
}

fn describe(issue: &Value, key: &str) -> Result<Item, TrackerError> {
    let title = issue["title"]
        .as_str()
        .ok_or_else(|| TrackerError::BadAnswer { reason: format!("{key}: the issue has no title") })?;
    let state_name = issue["state"].as_str().unwrap_or("open").to_string();
    let category = if state_name == "closed" { StateCategory::Done } else { StateCategory::Open };
    let mut kinds: Vec<String> = Vec::new();
    if let Some(t) = issue["type"]["name"].as_str() {
        kinds.push(t.to_string());
    }
    for label in issue["labels"].as_array().into_iter().flatten() {
        // Labels come as objects, or as bare names in some older payloads.
        if let Some(name) = label["name"].as_str().or(label.as_str()) {
            kinds.push(name.to_string());
        }
    }
    Ok(Item {
        key: key.to_string(),
        title: title.to_string(),
        kinds,
        state: ItemState { category, name: state_name },
        url: issue["html_url"].as_str().map(String::from),
        parent: None,
        links: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_need_a_repository() {
        assert_eq!(split_key("acme/shop#12").ok(), Some(("acme/shop", 12)));
        assert!(split_key("#12").is_err());
        assert!(split_key("acme/shop#x").is_err());
    }

    #[test]
    fn a_parent_key_comes_from_its_repository_url() {
        let parent = serde_json::json!({"number": 7, "repository_url": "https://api.github.com/repos/acme/plans"});
        assert_eq!(issue_key(&parent).ok().as_deref(), Some("acme/plans#7"));
        let html_only = serde_json::json!({"number": 3, "html_url": "https://github.com/acme/okrs/issues/3"});
        assert_eq!(issue_key(&html_only).ok().as_deref(), Some("acme/okrs#3"));
    }
}
