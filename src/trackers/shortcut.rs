//! Shortcut (REST v3) as a tracker: a story (`sc-123`) by `GET /api/v3/stories/{id}`, its parent
//! story or its epic (`epic_id`), the epic's objectives (`Epic.objective_ids`). The API token goes
//! in the `Shortcut-Token` header.

use http::{HeaderValue, header};
use serde_json::Value;

use super::http::{HttpSettings, HttpUsage, TrackerHttp};
use super::{Item, ItemState, LookupFuture, Related, StateCategory, Tracker, TrackerError};

pub struct Shortcut {
    http: TrackerHttp,
}

impl Shortcut {
    /// A client for the API at `base_url` (`https://api.app.shortcut.com`).
    pub fn new(base_url: &str, api_token: &str, settings: HttpSettings) -> Result<Shortcut, String> {
        let mut token = HeaderValue::from_str(api_token)
            .map_err(|_| "the Shortcut token holds characters that cannot go in a header".to_string())?;
        token.set_sensitive(true);
        let headers = vec![
            (header::ACCEPT, HeaderValue::from_static("application/json")),
            (header::HeaderName::from_static("shortcut-token"), token),
        ];
        Ok(Shortcut { http: TrackerHttp::new(base_url, headers, settings)? })
    }

    async fn item(&self, key: &str) -> Result<Item, TrackerError> {
        match parse_key(key)? {
            Entity::Story(id) => {
                let story = self.http.get(&format!("/api/v3/stories/{id}")).await?.json("the story")?;
                let parent = story["parent_story_id"]
                    .as_u64()
                    .map(|p| format!("sc-{p}"))
                    .or_else(|| story["epic_id"].as_u64().map(|e| format!("epic:{e}")));
                let state = if story["completed"].as_bool() == Some(true) {
                    ItemState { category: StateCategory::Done, name: "completed".into() }
                } else if story["started"].as_bool() == Some(true) {
                    ItemState { category: StateCategory::InProgress, name: "started".into() }
                } else {
                    ItemState { category: StateCategory::Open, name: "unstarted".into() }
                };
                described(&story, key, "Story", state, parent, Vec::new())
            }
            Entity::Epic(id) => {
                let epic = self.http.get(&format!("/api/v3/epics/{id}")).await?.json("the epic")?;
                let mut objectives = epic["objective_ids"].as_array().into_iter().flatten().filter_map(Value::as_u64);
                let parent = objectives.next().map(|o| format!("objective:{o}"));
                // An epic under several objectives: the first is its parent, the others links.
                let links = objectives
                    .map(|o| Related {
                        key: format!("objective:{o}"),
                        title: String::new(),
                        url: None,
                        kinds: vec!["Objective".into()],
                        lookup: true,
                    })
                    .collect();
                let state = named_state(&epic["state"]);
                described(&epic, key, "Epic", state, parent, links)
            }
            Entity::Objective(id) => {
                let objective = self.http.get(&format!("/api/v3/objectives/{id}")).await?.json("the objective")?;
                let state = named_state(&objective["state"]);
                described(&objective, key, "Objective", state, None, Vec::new())
            }
        }
    }
}

impl Tracker for Shortcut {
    fn name(&self) -> &'static str {
        "Shortcut"
    }

    fn lookup<'a>(&'a self, key: &'a str) -> LookupFuture<'a> {
        Box::pin(self.item(key))
    }

    fn usage(&self) -> HttpUsage {
        self.http.usage()
    }
}

enum Entity {
    Story(u64),
    Epic(u64),
    Objective(u64),
}

/// `sc-123` is a story; `epic:7` and `objective:3` are the keys the walk gives epics and objectives.
fn parse_key(key: &str) -> Result<Entity, TrackerError> {
    let number = |text: &str| text.parse::<u64>().ok();
    let entity = if let Some(id) = key.strip_prefix("sc-").and_then(number) {
        Some(Entity::Story(id))
    } else if let Some(id) = key.strip_prefix("epic:").and_then(number) {
        Some(Entity::Epic(id))
    } else {
        key.strip_prefix("objective:").and_then(number).map(Entity::Objective)
    };
    entity.ok_or_else(|| TrackerError::BadAnswer {
        reason: format!("{key:?} is not a Shortcut story key such as sc-123"),
    })
}

/// Epics and objectives say `to do`, `in progress` or `done`.
fn named_state(state: &Value) -> ItemState {
    let name = state.as_str().unwrap_or("unknown").to_string();
    let category = match name.to_ascii_lowercase().as_str() {
        "done" => StateCategory::Done,
        "in progress" => StateCategory::InProgress,
        _ => StateCategory::Open,
    };
    ItemState { category, name }
}

fn described(
    entity: &Value,
    key: &str,
    kind: &str,
    state: ItemState,
    parent: Option<String>,
    links: Vec<Related>,
) -> Result<Item, TrackerError> {
    let title = entity["name"]
        .as_str()
        .ok_or_else(|| TrackerError::BadAnswer { reason: format!("{key}: the {kind} has no name") })?;
    let mut kinds = vec![kind.to_string()];
    kinds
        .extend(entity["labels"].as_array().into_iter().flatten().filter_map(|l| l["name"].as_str().map(String::from)));
    Ok(Item {
        key: key.to_string(),
        title: title.to_string(),
        kinds,
        state,
        url: entity["app_url"].as_str().map(String::from),
        parent,
        links,
    })
}
