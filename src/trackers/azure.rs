//! Azure Boards as a tracker: a work item (`AB#123`) by
//! `GET {org}/_apis/wit/workitems/{id}?$expand=relations`, its parent from the relation
//! `System.LinkTypes.Hierarchy-Reverse`, its level from `System.WorkItemType` or its tags. Basic
//! auth with a personal access token and an empty user name.

use base64::Engine;
use http::{HeaderValue, header};
use serde_json::Value;

use super::http::{HttpSettings, HttpUsage, TrackerHttp};
use super::{Item, ItemState, LookupFuture, StateCategory, Tracker, TrackerError};

const API_VERSION: &str = "7.1";

pub struct AzureBoards {
    http: TrackerHttp,
}

impl AzureBoards {
    /// A client for the organisation at `org_url` (`https://dev.azure.com/acme`, or a server's collection URL).
    pub fn new(org_url: &str, pat: &str, settings: HttpSettings) -> Result<AzureBoards, String> {
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(":{pat}"));
        let mut auth = HeaderValue::from_str(&format!("Basic {basic}"))
            .map_err(|_| "the Azure DevOps token holds characters that cannot go in a header".to_string())?;
        auth.set_sensitive(true);
        let headers =
            vec![(header::ACCEPT, HeaderValue::from_static("application/json")), (header::AUTHORIZATION, auth)];
        Ok(AzureBoards { http: TrackerHttp::new(org_url, headers, settings)? })
    }

    async fn work_item(&self, key: &str) -> Result<Item, TrackerError> {
        let id: u64 = key.strip_prefix("AB#").and_then(|n| n.parse().ok()).ok_or_else(|| TrackerError::BadAnswer {
            reason: format!("{key:?} is not an Azure Boards key such as AB#123"),
        })?;
        let path = format!("/_apis/wit/workitems/{id}?$expand=relations&api-version={API_VERSION}");
        let item = self.http.get(&path).await?.json("the work item")?;
        describe(&item, key)
    }
}

impl Tracker for AzureBoards {
    fn name(&self) -> &'static str {
        "Azure Boards"
    }

    fn lookup<'a>(&'a self, key: &'a str) -> LookupFuture<'a> {
        Box::pin(self.work_item(key))
    }

    fn usage(&self) -> HttpUsage {
        self.http.usage()
    }
}

fn describe(item: &Value, key: &str) -> Result<Item, TrackerError> {
    let fields = &item["fields"];
    let bad = |what: &str| TrackerError::BadAnswer { reason: format!("{key}: the work item has no {what}") };
    let title = fields["System.Title"].as_str().ok_or_else(|| bad("System.Title"))?;
    let kind = fields["System.WorkItemType"].as_str().ok_or_else(|| bad("System.WorkItemType"))?;
    let mut kinds = vec![kind.to_string()];
    // Tags come as one string: "prd; q4".
    kinds.extend(
        fields["System.Tags"]
            .as_str()
            .unwrap_or_default()
            .split(';')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from),
    );
    let parent = item["relations"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["rel"].as_str() == Some("System.LinkTypes.Hierarchy-Reverse"))
        .and_then(|r| r["url"].as_str())
        .and_then(|url| url.rsplit('/').next())
        .and_then(|id| id.parse::<u64>().ok())
        .map(|id| format!("AB#{id}"));
    Ok(Item {
        key: key.to_string(),
        title: title.to_string(),
        kinds,
        state: state(fields["System.State"].as_str().unwrap_or("unknown")),
        url: item["_links"]["html"]["href"].as_str().map(String::from),
        parent,
        links: Vec::new(),
    })
}

/// The default processes' state names (Agile, Scrum, Basic, CMMI); a custom state counts as open.
fn state(name: &str) -> ItemState {
    let category = match name.to_ascii_lowercase().as_str() {
        "closed" | "done" | "resolved" | "removed" | "completed" => StateCategory::Done,
        "active" | "in progress" | "doing" | "committed" => StateCategory::InProgress,
        _ => StateCategory::Open,
    };
    ItemState { category, name: name.to_string() }
}
