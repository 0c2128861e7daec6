//! GitHub's JSON, parsed once at the edge into flowgate's own types: a pull request and its lists
//! (live, or saved in a snapshot: the same code reads both), webhook deliveries as one typed
//! [`webhook::Event`], and a PR's timeline as review events. Nothing outside this module indexes
//! GitHub's JSON by hand; a field that matters and is missing is an error that names it, never a
//! silent default.

pub(crate) mod protection;
pub(crate) mod provenance;
pub(crate) mod pull;
pub mod shapes;
pub(crate) mod timeline;
pub(crate) mod webhook;

use serde::de::DeserializeOwned;

pub use pull::{OnPr, ParsedPr, RawSnapshot};

/// One JSON value of type `T`; the error says what is wrong with the text.
pub fn one<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| problem(&e))
}

/// One array, or several concatenated (`[...][...]`, as pages are saved), flattened in order.
pub fn list<T: DeserializeOwned>(text: &str) -> Result<Vec<T>, String> {
    // An empty text is a save that went wrong, not a PR with nothing in it: `[]` says "none".
    if text.trim().is_empty() {
        return Err("the file is empty; a list with no entries is written []".to_string());
    }
    if !text.trim_start().starts_with('[') {
        return Err("expected a JSON array, the list GitHub returns for this request".to_string());
    }
    let mut items = Vec::new();
    for page in serde_json::Deserializer::from_str(text).into_iter::<Vec<T>>() {
        items.extend(page.map_err(|e| problem(&e))?);
    }
    Ok(items)
}

/// Why a text is not the JSON expected, in a person's words.
pub fn problem(e: &serde_json::Error) -> String {
    if e.is_syntax() {
        format!("not valid JSON: {e}")
    } else if e.is_eof() {
        format!("the JSON ends early (truncated?): {e}")
    } else {
        format!("not the GitHub response expected here: {e}")
    }
}

/// A timestamp as GitHub writes it (RFC 3339).
pub fn time(text: Option<&str>) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text?).ok().map(|t| t.with_timezone(&chrono::Utc))
}
