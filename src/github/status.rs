//! GitHub's user status ("busy": limited availability), which only the GraphQL API exposes. The
//! candidates of a choice are asked in one query, each under an alias.

use std::collections::HashMap;

use http::Method;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::client::{ACCEPT_JSON, GitHub, failure};
use super::error::Error;
use crate::model::Login;

/// Logins asked about in one query; GitHub limits a query's size, and 50 stays well within it.
const LOGINS_PER_QUERY: usize = 50;

/// The query for `logins`, each `uN: user(login: $lN)`; the logins travel as variables, so no
/// login is ever written into the query text.
pub fn status_query(logins: &[&str]) -> Value {
    let params: Vec<String> = (0..logins.len()).map(|i| format!("$l{i}: String!")).collect();
    let fields: Vec<String> = (0..logins.len())
        .map(|i| format!("u{i}: user(login: $l{i}) {{ status {{ indicatesLimitedAvailability expiresAt message }} }}"))
        .collect();
    let variables: serde_json::Map<String, Value> =
        logins.iter().enumerate().map(|(i, l)| (format!("l{i}"), Value::from(*l))).collect();
    json!({
        "query": format!("query({}) {{ {} }}", params.join(", "), fields.join(" ")),
        "variables": variables,
    })
}

/// The busy people among `logins` from the answer to `status_query(logins)`, with when their
/// status expires if it does. A login GitHub does not know (`null`, with a NOT_FOUND error) has
/// no status; any other error, or an answer without `data`, is an error naming it.
pub fn busy_from_answer(logins: &[&str], body: &str) -> Result<HashMap<Login, Option<Timestamp>>, String> {
    let answer: Value = serde_json::from_str(body).map_err(|e| format!("the answer is not JSON: {e}"))?;
    let errors: Vec<&Value> =
        answer["errors"].as_array().into_iter().flatten().filter(|e| e["type"] != "NOT_FOUND").collect();
    if let Some(first) = errors.first() {
        return Err(first["message"].as_str().unwrap_or("an error without a message").to_string());
    }
    let data = answer.get("data").filter(|d| d.is_object()).ok_or("the answer has no data")?;
    let mut busy = HashMap::new();
    for (i, login) in logins.iter().enumerate() {
        let status = &data[format!("u{i}")]["status"];
        if status["indicatesLimitedAvailability"] != true {
            continue;
        }
        let until = match status["expiresAt"].as_str() {
            None => None,
            Some(text) => Some(text.parse::<Timestamp>().map_err(|e| format!("{login}'s expiresAt {text:?}: {e}"))?),
        };
        busy.insert(Login::new(*login), until);
    }
    Ok(busy)
}

impl GitHub {
    /// Who among `logins` is busy on GitHub (POST /graphql, one query per 50 logins).
    pub async fn busy_statuses(&self, logins: &[&str]) -> Result<HashMap<Login, Option<Timestamp>>, Error> {
        let mut busy = HashMap::new();
        for chunk in logins.chunks(LOGINS_PER_QUERY) {
            let answer = self.send(Method::POST, "/graphql", ACCEPT_JSON, Some(&status_query(chunk))).await?;
            if !answer.status.is_success() {
                return Err(failure("POST", "/graphql", &answer));
            }
            busy.extend(
                busy_from_answer(chunk, &answer.body)
                    .map_err(|e| Error::bad_answer(format!("POST /graphql (user status): {e}")))?,
            );
        }
        Ok(busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_asks_each_login_under_an_alias_with_variables() {
        let q = status_query(&["alice", "bob"]);
        let text = q["query"].as_str().unwrap();
        assert!(text.starts_with("query($l0: String!, $l1: String!)"), "{text}");
        assert!(text.contains("u1: user(login: $l1) { status { indicatesLimitedAvailability expiresAt message } }"));
        assert_eq!(q["variables"], json!({ "l0": "alice", "l1": "bob" }));
    }

    #[test]
    fn busy_people_come_with_their_expiry_and_unknown_logins_are_not_busy() {
        let body = r#"{"data": {
            "u0": {"status": {"indicatesLimitedAvailability": true, "expiresAt": "2026-11-25T17:00:00Z", "message": "On leave"}},
            "u1": {"status": {"indicatesLimitedAvailability": false, "expiresAt": null, "message": "Coding"}},
            "u2": {"status": null},
            "u3": null,
            "u4": {"status": {"indicatesLimitedAvailability": true, "expiresAt": null, "message": null}}
        }, "errors": [{"type": "NOT_FOUND", "path": ["u3"], "message": "Could not resolve to a User with the login of 'ghost'."}]}"#;
        let busy = busy_from_answer(&["alice", "bob", "carol", "ghost", "Dave"], body).unwrap();
        assert_eq!(busy.len(), 2);
        assert_eq!(busy[&Login::new("alice")], Some("2026-11-25T17:00:00Z".parse().unwrap()));
        assert_eq!(busy[&Login::new("dave")], None, "busy with no end");
    }

    #[test]
    fn an_error_or_an_answer_without_data_is_an_error() {
        let limited = r#"{"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded"}]}"#;
        assert_eq!(busy_from_answer(&["alice"], limited).unwrap_err(), "API rate limit exceeded");
        assert!(busy_from_answer(&["alice"], "{}").unwrap_err().contains("no data"));
        assert!(busy_from_answer(&["alice"], "<html>").unwrap_err().contains("not JSON"));
        let bad = r#"{"data": {"u0": {"status": {"indicatesLimitedAvailability": true, "expiresAt": "soon"}}}}"#;
        assert!(busy_from_answer(&["alice"], bad).unwrap_err().contains("alice's expiresAt"));
    }
}
