//! Issues and what hangs on them: work items and their sub-issue parents, issues flowgate opens,
//! a PR's labels, label events, timeline and comments, and the repository's labels.

use serde_json::{Value, json};

use super::{Answer, Call, State, answer, conditional, message, paged, pulls, urlencoding_decode, write_denied};

/// `repos/{repo}/issues...` and `repos/{repo}/labels`.
pub(super) fn route(state: &mut State, call: &Call) -> Answer {
    let (request, query, base, path) = (call.request, call.query, call.base, call.path);
    match (call.method, call.parts) {
        ("GET", ["issues", n]) if n.parse().ok().is_some_and(|n: u64| state.issues.contains_key(&n)) => {
            let issue = n.parse().ok().and_then(|n: u64| state.issues.get(&n)).map(|(i, _)| i.clone());
            conditional(request, answer(200, issue.unwrap_or_default()))
        }
        ("GET", ["issues", n, "parent"]) => {
            let parent = n.parse().ok().and_then(|n: u64| state.issues.get(&n)).and_then(|(_, p)| *p);
            match parent.and_then(|p| state.issues.get(&p)) {
                Some((issue, _)) => conditional(request, answer(200, issue.clone())),
                None => message(404, "Not Found"),
            }
        }
        ("GET", ["issues"]) => {
            // Newest first, filtered by every label named, open ones unless `state=all`.
            let labels: Vec<&str> = query.get("labels").map(|l| l.split(',').collect()).unwrap_or_default();
            let all = query.get("state").map(String::as_str) == Some("all");
            let found: Vec<Value> = state
                .opened_issues
                .values()
                .rev()
                .filter(|i| all || i["state"] == "open")
                .filter(|i| {
                    labels.iter().all(|l| {
                        i["labels"].as_array().is_some_and(|ls| ls.iter().any(|x| x["name"].as_str() == Some(l)))
                    })
                })
                .cloned()
                .collect();
            paged(&found, query, base, path)
        }
        ("POST", ["issues"]) => {
            if state.read_only {
                return write_denied();
            }
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            let Some(title) = body["title"].as_str().filter(|t| !t.is_empty()) else {
                return message(422, "title is required");
            };
            let number = 1000 + state.opened_issues.len() as u64;
            let labels: Vec<Value> = body["labels"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|l| l.as_str())
                .map(|l| json!({ "name": l }))
                .collect();
            let issue =
                json!({ "number": number, "title": title, "body": body["body"], "state": "open", "labels": labels });
            state.opened_issues.insert(number, issue.clone());
            answer(201, issue)
        }
        ("PATCH", ["issues", n]) => {
            if state.read_only {
                return write_denied();
            }
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            match n.parse().ok().and_then(|n: u64| state.opened_issues.get_mut(&n)) {
                Some(issue) => {
                    for key in ["title", "body", "state"] {
                        if !body[key].is_null() {
                            issue[key] = body[key].clone();
                        }
                    }
                    answer(200, issue.clone())
                }
                None => message(404, "Not Found"),
            }
        }
        ("GET", ["issues", n, "events"]) => pulls::listing(state, call, n, "events"),
        ("GET", ["issues", n, "comments"]) => match n.parse().ok().and_then(|n: u64| state.pulls.get(&n)) {
            Some(pr) => answer(200, Value::from(pr.comments.iter().map(|b| json!({ "body": b })).collect::<Vec<_>>())),
            None => message(404, "Not Found"),
        },
        ("POST", ["issues", n, "comments"]) => {
            if state.read_only {
                return write_denied();
            }
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            match (n.parse().ok().and_then(|n: u64| state.pulls.get_mut(&n)), body["body"].as_str()) {
                (Some(pr), Some(text)) => {
                    pr.comments.push(text.to_string());
                    answer(201, json!({ "id": pr.comments.len() }))
                }
                (None, _) => message(404, "Not Found"),
                (_, None) => message(422, "body is required"),
            }
        }
        ("GET", ["issues", n, "timeline"]) => {
            let Some(n) = n.parse().ok().filter(|n: &u64| state.pulls.contains_key(n)) else {
                return message(404, "Not Found");
            };
            let items = state.timelines.get(&n).cloned().unwrap_or_default();
            paged(&items, query, base, path)
        }
        ("POST", ["issues", n, "labels"]) => {
            if state.read_only {
                return write_denied();
            }
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            let Some(pr) = n.parse().ok().and_then(|n: u64| state.pulls.get_mut(&n)) else {
                return message(404, "Not Found");
            };
            let labels = pr.pull["labels"].as_array_mut().expect("labels");
            let mut new = Vec::new();
            for name in body["labels"].as_array().cloned().unwrap_or_default() {
                if !labels.iter().any(|l| l["name"] == name) {
                    labels.push(json!({ "name": name }));
                }
                new.push(name);
            }
            let labels = labels.clone();
            for name in new {
                if state.label(name.as_str().unwrap_or_default()).is_none() {
                    state.labels.push(json!({ "name": name, "color": "ededed", "description": null }));
                }
            }
            answer(200, Value::from(labels))
        }
        ("POST", ["labels"]) => {
            if state.read_only || state.labels_read_only {
                return write_denied();
            }
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            let (Some(name), color) = (body["name"].as_str(), body["color"].as_str().unwrap_or("ededed")) else {
                return message(422, "name is required");
            };
            if color.len() != 6 || !color.bytes().all(|b| b.is_ascii_hexdigit()) || name.chars().count() > 50 {
                return message(422, "Validation Failed");
            }
            if state.label(name).is_some() {
                return answer(
                    422,
                    json!({ "message": "Validation Failed",
                        "errors": [{ "resource": "Label", "code": "already_exists", "field": "name" }] }),
                );
            }
            let label = json!({ "name": name, "color": color, "description": body["description"] });
            state.labels.push(label.clone());
            answer(201, label)
        }
        ("DELETE", ["issues", n, "labels", name]) => {
            if state.read_only {
                return write_denied();
            }
            let name = urlencoding_decode(name);
            let Some(pr) = n.parse().ok().and_then(|n: u64| state.pulls.get_mut(&n)) else {
                return message(404, "Not Found");
            };
            let labels = pr.pull["labels"].as_array_mut().expect("labels");
            let before = labels.len();
            labels.retain(|l| l["name"] != name.as_str());
            if labels.len() == before {
                message(404, "Label does not exist")
            } else {
                answer(200, Value::from(labels.clone()))
            }
        }
        _ => message(404, "Not Found"),
    }
}
