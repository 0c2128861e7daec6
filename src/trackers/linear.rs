//! Linear (GraphQL) as a tracker: an issue (`ENG-42`) with its parent issue or its project
//! (`Issue.parent`, `Issue.project`), a project's initiatives (`Project.initiatives`), an
//! initiative's parent (`Initiative.parentInitiative`). Types are `Issue`, `Project` and
//! `Initiative`; the policy maps them to levels. The API key goes in `Authorization` as it is.

use http::{HeaderValue, header};
use serde_json::{Value, json};

use super::http::{HttpSettings, HttpUsage, TrackerHttp};
use super::{Item, ItemState, LookupFuture, Related, StateCategory, Tracker, TrackerError};

const ISSUE: &str = "query Issue($id: String!) { issue(id: $id) { identifier title url \
    state { name type } labels { nodes { name } } parent { identifier } project { id } } }";
const PROJECT: &str = "query Project($id: String!) { project(id: $id) { id name url \
    status { name type } labels { nodes { name } } initiatives { nodes { id } } } }";
const INITIATIVE: &str = "query Initiative($id: String!) { initiative(id: $id) { id name url status \
    parentInitiative { id } } }";

pub struct Linear {
    http: TrackerHttp,
}

impl Linear {
    /// A client for the API at `base_url` (`https://api.linear.app`); queries go to `/graphql`.
    pub fn new(base_url: &str, api_key: &str, settings: HttpSettings) -> Result<Linear, String> {
        let mut key = HeaderValue::from_str(api_key)
            .map_err(|_| "the Linear API key holds characters that cannot go in a header".to_string())?;
        key.set_sensitive(true);
        let headers =
            vec![(header::ACCEPT, HeaderValue::from_static("application/json")), (header::AUTHORIZATION, key)];
        Ok(Linear { http: TrackerHttp::new(base_url, headers, settings)? })
    }

    /// The `data.FIELD` of a query; a null entity is "not found", other GraphQL errors are typed.
    async fn ask(&self, query: &str, id: &str, field: &str) -> Result<Value, TrackerError> {
        let body = json!({ "query": query, "variables": { "id": id } });
        let answer = match self.http.query("/graphql", &body).await {
            Ok(answer) => answer.json("the answer")?,
            // A missing item is a null in a 200; a 404 means the endpoint itself is not there.
            Err(TrackerError::NotFound) => {
                return Err(TrackerError::BadAnswer {
                    reason: format!("{}/graphql answered 404: check FLOWGATE_LINEAR_URL", self.http.base()),
                });
            }
            Err(e) => return Err(e),
        };
        let entity = &answer["data"][field];
        if entity.is_object() {
            return Ok(entity.clone());
        }
        let errors = answer["errors"].as_array().cloned().unwrap_or_default();
        let code = |e: &Value| e["extensions"]["code"].as_str().unwrap_or_default().to_string();
        let message = errors.first().and_then(|e| e["message"].as_str()).unwrap_or_default().to_string();
        match errors.first().map(code).as_deref() {
            None | Some("") if message.is_empty() || message.to_lowercase().contains("not found") => {
                Err(TrackerError::NotFound)
            }
            Some("RATELIMITED") => Err(TrackerError::RateLimited { retry_after: None }),
            Some("AUTHENTICATION_ERROR" | "FORBIDDEN") => Err(TrackerError::Permission { status: 200, message }),
            _ if message.to_lowercase().contains("not found") => Err(TrackerError::NotFound),
            _ => Err(TrackerError::BadAnswer { reason: format!("{field} {id}: {message}") }),
        }
    }

    async fn item(&self, key: &str) -> Result<Item, TrackerError> {
        if let Some(id) = key.strip_prefix("project:") {
            let project = self.ask(PROJECT, id, "project").await?;
            let mut initiatives =
                project["initiatives"]["nodes"].as_array().into_iter().flatten().filter_map(|n| n["id"].as_str());
            let parent = initiatives.next().map(|i| format!("initiative:{i}"));
            // A project in several initiatives: the first is its parent, the others links.
            let links = initiatives
                .map(|i| Related {
                    key: format!("initiative:{i}"),
                    title: String::new(),
                    url: None,
                    kinds: vec!["Initiative".into()],
                    lookup: true,
                })
                .collect();
            let state = category(project["status"]["type"].as_str(), project["status"]["name"].as_str());
            return described(&project, key, "Project", "name", state, parent, links);
        }
        if let Some(id) = key.strip_prefix("initiative:") {
            let initiative = self.ask(INITIATIVE, id, "initiative").await?;
            let parent = initiative["parentInitiative"]["id"].as_str().map(|p| format!("initiative:{p}"));
            let status = initiative["status"].as_str();
            let state = category(
                status.map(str::to_lowercase).as_deref().map(|s| if s == "active" { "started" } else { s }),
                status,
            );
            return described(&initiative, key, "Initiative", "name", state, parent, Vec::new());
        }
        let issue = self.ask(ISSUE, key, "issue").await?;
        let parent = issue["parent"]["identifier"]
            .as_str()
            .map(String::from)
            .or_else(|| issue["project"]["id"].as_str().map(|p| format!("project:{p}")));
        let state = category(issue["state"]["type"].as_str(), issue["state"]["name"].as_str());
        let mut item = described(&issue, key, "Issue", "title", state, parent, Vec::new())?;
        if let Some(identifier) = issue["identifier"].as_str() {
            item.key = identifier.to_string();
        }
        Ok(item)
    }
}

impl Tracker for Linear {
    fn name(&self) -> &'static str {
        "Linear"
    }

    fn lookup<'a>(&'a self, key: &'a str) -> LookupFuture<'a> {
        Box::pin(self.item(key))
    }

    fn usage(&self) -> HttpUsage {
        self.http.usage()
    }
}

/// Linear's workflow state types (`triage`, `backlog`, `unstarted`, `started`, `completed`,
/// `canceled`), also used by project statuses.
fn category(kind: Option<&str>, name: Option<&str>) -> ItemState {
    let category = match kind.unwrap_or_default().to_ascii_lowercase().as_str() {
        "started" | "paused" => StateCategory::InProgress,
        "completed" | "canceled" => StateCategory::Done,
        _ => StateCategory::Open,
    };
    ItemState { category, name: name.or(kind).unwrap_or("unknown").to_string() }
}

fn described(
    entity: &Value,
    key: &str,
    kind: &str,
    title_field: &str,
    state: ItemState,
    parent: Option<String>,
    links: Vec<Related>,
) -> Result<Item, TrackerError> {
    let title = entity[title_field]
        .as_str()
        .ok_or_else(|| TrackerError::BadAnswer { reason: format!("{key}: the {kind} has no {title_field}") })?;
    let mut kinds = vec![kind.to_string()];
    kinds.extend(
        entity["labels"]["nodes"].as_array().into_iter().flatten().filter_map(|l| l["name"].as_str().map(String::from)),
    );
    Ok(Item {
        key: key.to_string(),
        title: title.to_string(),
        kinds,
        state,
        url: entity["url"].as_str().map(String::from),
        parent,
        links,
    })
}
