//! What flowgate reads about a repository's place in its organisation: its custom properties
//! (which pick its baseline) and files of another repository on its default branch (the
//! organisation's `.github` repository).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::client::{ACCEPT_JSON, ACCEPT_RAW, GitHub};
use super::error::Error;
use super::{RepoName, encode};

/// One custom property as GitHub lists it: a string, a list of strings (multi-select), or none.
#[derive(Deserialize)]
struct PropertyJson {
    property_name: String,
    value: Option<PropertyValue>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum PropertyValue {
    One(String),
    Many(Vec<String>),
}

impl GitHub {
    /// The repository's custom properties, each with its values; empty when it has none or the
    /// token may not read them (404). Needs the `custom_properties: read` permission.
    pub async fn custom_properties(&self, repo: &RepoName) -> Result<BTreeMap<String, Vec<String>>, Error> {
        let path = format!("/repos/{repo}/properties/values");
        let Some(answer) = self.get(&path, ACCEPT_JSON).await? else { return Ok(BTreeMap::new()) };
        let list: Vec<PropertyJson> = serde_json::from_str(&answer.body)
            .map_err(|e| Error::bad_answer(format!("GET {path}: not a list of custom properties: {e}")))?;
        Ok(list
            .into_iter()
            .map(|p| {
                let values = match p.value {
                    None => Vec::new(),
                    Some(PropertyValue::One(v)) => vec![v],
                    Some(PropertyValue::Many(vs)) => vs,
                };
                (p.property_name, values)
            })
            .collect())
    }

    /// A file's text on the repository's default branch, or `None` when the repository or the
    /// file does not exist (or the token cannot see it).
    pub async fn file_on_default_branch(&self, repo: &RepoName, path: &str) -> Result<Option<String>, Error> {
        let url = format!("/repos/{repo}/contents/{}", encode(path));
        Ok(self.get(&url, ACCEPT_RAW).await?.map(|answer| answer.body))
    }
}
