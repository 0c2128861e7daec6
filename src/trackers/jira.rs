//! Jira Cloud (REST v3) as a tracker: `GET /rest/api/3/issue/{key}` for the summary, status,
//! `fields.issuetype` (the level) and `fields.parent`; `fields.issuelinks` and, for an issue
//! with no parent, its remote links (`/remotelink`) for a PRD or an OKR. Basic auth with an
//! Atlassian account's email and API token.

use base64::Engine;
use http::{HeaderValue, header};
use serde_json::Value;

use super::http::{HttpSettings, HttpUsage, TrackerHttp};
use super::{Item, ItemState, LookupFuture, Related, StateCategory, Tracker, TrackerError};

const FIELDS: &str = "summary,status,issuetype,parent,issuelinks";

pub struct Jira {
    http: TrackerHttp,
}

impl Jira {
    /// A client for the site at `base_url` (`https://acme.atlassian.net`, or a self-hosted URL).
    pub fn new(base_url: &str, email: &str, api_token: &str, settings: HttpSettings) -> Result<Jira, String> {
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{email}:{api_token}"));
        let mut auth = HeaderValue::from_str(&format!("Basic {basic}"))
            .map_err(|_| "the Jira credentials hold characters that cannot go in a header".to_string())?;
        auth.set_sensitive(true);
        let headers =
            vec![(header::ACCEPT, HeaderValue::from_static("application/json")), (header::AUTHORIZATION, auth)];
        Ok(Jira { http: TrackerHttp::new(base_url, headers, settings)? })
    }

    async fn issue(&self, key: &str) -> Result<Item, TrackerError> {
        if !is_issue_key(key) {
            return Err(TrackerError::BadAnswer { reason: format!("{key:?} is not a Jira issue key such as ABC-123") });
        }
        let issue = self.http.get(&format!("/rest/api/3/issue/{key}?fields={FIELDS}")).await?.json("the issue")?;
        let mut item = self.describe(&issue, key)?;
        if item.parent.is_none() {
            let remote =
                self.http.get(&format!("/rest/api/3/issue/{key}/remotelink")).await?.json("the remote links")?;
            item.links.extend(remote_links(&remote));
        }
        Ok(item)
    }

    fn describe(&self, issue: &Value, key: &str) -> Result<Item, TrackerError> {
        let fields = &issue["fields"];
        let bad = |what: &str| TrackerError::BadAnswer { reason: format!("{key}: the issue has no {what}") };
        let title = fields["summary"].as_str().ok_or_else(|| bad("summary"))?;
        let kind = fields["issuetype"]["name"].as_str().ok_or_else(|| bad("issue type"))?;
        let key = issue["key"].as_str().unwrap_or(key).to_string();
        let links = fields["issuelinks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|link| {
                let other = if link["outwardIssue"].is_object() { &link["outwardIssue"] } else { &link["inwardIssue"] };
                let other_key = other["key"].as_str()?;
                Some(Related {
                    key: other_key.to_string(),
                    title: other["fields"]["summary"].as_str().unwrap_or_default().to_string(),
                    url: Some(self.browse(other_key)),
                    kinds: other["fields"]["issuetype"]["name"].as_str().map(String::from).into_iter().collect(),
                    lookup: true,
                })
            })
            .collect();
        Ok(Item {
            url: Some(self.browse(&key)),
            key,
            title: title.to_string(),
            kinds: vec![kind.to_string()],
            state: state(&fields["status"]),
            parent: fields["parent"]["key"].as_str().map(String::from),
            links,
        })
    }

    fn browse(&self, key: &str) -> String {
        format!("{}/browse/{key}", self.http.base())
    }
}

impl Tracker for Jira {
    fn name(&self) -> &'static str {
        "Jira"
    }

    fn lookup<'a>(&'a self, key: &'a str) -> LookupFuture<'a> {
        Box::pin(self.issue(key))
    }

    fn usage(&self) -> HttpUsage {
        self.http.usage()
    }
}

fn is_issue_key(key: &str) -> bool {
    key.split_once('-').is_some_and(|(project, number)| {
        !project.is_empty()
            && project.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !number.is_empty()
            && number.chars().all(|c| c.is_ascii_digit())
    })
}

/// Jira's status category (`new`, `indeterminate`, `done`) decides; the status name is kept.
fn state(status: &Value) -> ItemState {
    let name = status["name"].as_str().unwrap_or("unknown").to_string();
    let category = match status["statusCategory"]["key"].as_str() {
        Some("done") => StateCategory::Done,
        Some("indeterminate") => StateCategory::InProgress,
        _ => StateCategory::Open,
    };
    ItemState { category, name }
}

/// Remote links (a Confluence PRD, an OKR tool's page). A link's level comes from its
/// relationship or the first word of its title (`PRD-3 Checkout`, `OKR 2026-Q4-2: Cut churn`),
/// which also becomes its key.
fn remote_links(remote: &Value) -> Vec<Related> {
    remote
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|link| {
            let object = &link["object"];
            let title = object["title"].as_str()?.trim();
            let (first, rest) = title.split_once(char::is_whitespace).unwrap_or((title, ""));
            let first = first.trim_end_matches(':');
            let prefix: String = first.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
            let mut kinds: Vec<String> = link["relationship"].as_str().map(String::from).into_iter().collect();
            kinds.push(prefix);
            Some(Related {
                key: first.to_string(),
                title: if rest.trim().is_empty() { title.to_string() } else { rest.trim().to_string() },
                url: object["url"].as_str().map(String::from),
                kinds,
                lookup: false,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_link_titles_give_key_and_level() {
        let remote = serde_json::json!([
            {"object": {"url": "https://wiki/prd-3", "title": "PRD-3 Checkout redesign"}},
            {"relationship": "okr", "object": {"url": "https://okrs/2026-q4-2", "title": "2026-Q4-2: Cut churn 10%"}},
        ]);
        let links = remote_links(&remote);
        assert_eq!((links[0].key.as_str(), links[0].title.as_str()), ("PRD-3", "Checkout redesign"));
        assert_eq!(links[0].kinds.last().map(String::as_str), Some("PRD"));
        assert_eq!(links[1].kinds.first().map(String::as_str), Some("okr"));
    }

    #[test]
    fn status_categories_map_to_states() {
        let done = serde_json::json!({"name": "Closed", "statusCategory": {"key": "done"}});
        let doing = serde_json::json!({"name": "In Review", "statusCategory": {"key": "indeterminate"}});
        assert_eq!(state(&done).category, StateCategory::Done);
        assert_eq!(state(&doing), ItemState { category: StateCategory::InProgress, name: "In Review".into() });
    }

    #[test]
    fn only_issue_keys_are_sent() {
        assert!(is_issue_key("ABC-123"));
        assert!(!is_issue_key("ABC-12/../../admin"));
        assert!(!is_issue_key("ABC"));
    }
}
