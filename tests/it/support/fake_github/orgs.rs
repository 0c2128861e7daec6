//! Organisations and people: an organisation's repositories and those the App's installation may
//! read, a team's members, and GitHub's user status over GraphQL.

use std::collections::HashMap;

use serde_json::{Value, json};
use wiremock::Request;

use super::{Answer, State, answer, conditional, message, paged};

/// `orgs/{org}/repos`, paged.
pub(super) fn repos(state: &State, query: &HashMap<String, String>, base: &str, path: &str) -> Answer {
    paged(&state.org_repos, query, base, path)
}

/// `installation/repositories`, paged, in the object GitHub wraps this list in.
pub(super) fn installation_repos(state: &State, query: &HashMap<String, String>, base: &str, path: &str) -> Answer {
    let mut page = paged(&state.installation_repos, query, base, path);
    let list: Value = page.0.as_deref().and_then(|b| serde_json::from_str(b).ok()).unwrap_or_default();
    page.0 = Some(json!({ "total_count": state.installation_repos.len(), "repositories": list }).to_string());
    page
}

/// `orgs/{org}/teams/{slug}/members`; `segments` is the path split at `/`.
pub(super) fn team_members(state: &State, request: &Request, segments: &[&str]) -> Answer {
    if segments.len() == 5 && segments[0] == "orgs" && segments[2] == "teams" && segments[4] == "members" {
        return match state.teams.get(&(segments[1].to_string(), segments[3].to_string())) {
            Some(members) => {
                let list: Vec<Value> = members.iter().map(|m| json!({ "login": m, "type": "User" })).collect();
                conditional(request, answer(200, Value::from(list)))
            }
            None => message(404, "Not Found"),
        };
    }
    message(404, "Not Found")
}

/// `POST /graphql`: only the user-status query flowgate sends, `uN: user(login: $lN) { status {
/// ... } }` with the logins as variables. Logins compare without case; `ghost` is a login that
/// does not exist: `null` with a NOT_FOUND error, as GitHub answers.
pub(super) fn graphql(state: &mut State, request: &Request) -> Answer {
    if state.graphql_down {
        return message(502, "Server Error");
    }
    let body: Value = match serde_json::from_slice(&request.body) {
        Ok(body) => body,
        Err(_) => return message(400, "Problems parsing JSON"),
    };
    let query = body["query"].as_str().unwrap_or_default();
    if !query.contains("status { indicatesLimitedAvailability expiresAt message }") {
        return answer(200, json!({ "errors": [{ "message": "the fake answers only the user-status query" }] }));
    }
    let mut data = serde_json::Map::new();
    let mut errors = Vec::new();
    for (name, login) in body["variables"].as_object().into_iter().flatten() {
        let (Some(i), Some(login)) = (name.strip_prefix('l'), login.as_str()) else { continue };
        let alias = format!("u{i}");
        if !query.contains(&format!("{alias}: user(login: ${name})")) {
            continue;
        }
        if login.eq_ignore_ascii_case("ghost") {
            errors.push(json!({ "type": "NOT_FOUND", "path": [alias], "message": format!("Could not resolve to a User with the login of '{login}'.") }));
            data.insert(alias, Value::Null);
            continue;
        }
        let status = state.user_status.iter().find(|(l, _)| l.eq_ignore_ascii_case(login)).map(|(_, s)| s.clone());
        data.insert(alias, json!({ "status": status.unwrap_or(Value::Null) }));
    }
    let mut out = json!({ "data": data });
    if !errors.is_empty() {
        out["errors"] = Value::from(errors);
    }
    answer(200, out)
}
