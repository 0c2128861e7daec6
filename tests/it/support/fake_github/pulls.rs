//! Pull requests: one pull, its files, commits and reviews a page at a time, the listings of open
//! and of all pulls, and requesting or withdrawing reviewers.

use serde_json::{Value, json};

use super::{Answer, Call, Pr, State, answer, conditional, message, paged, write_denied};

/// `repos/{repo}/pulls...`.
pub(super) fn route(state: &mut State, call: &Call) -> Answer {
    let (request, query, base, path) = (call.request, call.query, call.base, call.path);
    match (call.method, call.parts) {
        ("GET", ["pulls", n]) => match n.parse().ok().and_then(|n: u64| state.pulls.get(&n)) {
            Some(pr) => conditional(request, answer(200, pr.pull.clone())),
            None => message(404, "Not Found"),
        },
        ("GET", ["pulls", n, list @ ("files" | "commits" | "reviews")]) => listing(state, call, n, list),
        ("GET", ["pulls"]) if matches!(query.get("state").map(String::as_str), Some("all" | "closed")) => {
            // Every pull (or the closed ones), most recently updated first, a page at a time
            // (`sort=updated&direction=desc`).
            let closed_only = query.get("state").map(String::as_str) == Some("closed");
            let mut all: Vec<&Value> =
                state.pulls.values().map(|p| &p.pull).filter(|p| !closed_only || p["state"] == "closed").collect();
            all.sort_by(|a, b| b["updated_at"].as_str().cmp(&a["updated_at"].as_str()));
            // As on GitHub, a listed pull lacks the size fields only the single pull carries.
            let all: Vec<Value> = all
                .into_iter()
                .map(|p| {
                    let mut p = p.clone();
                    if let Some(fields) = p.as_object_mut() {
                        for size in ["additions", "deletions", "changed_files"] {
                            fields.remove(size);
                        }
                    }
                    p
                })
                .collect();
            paged(&all, query, base, path)
        }
        ("GET", ["pulls"]) => {
            // Open pulls, oldest first, a page at a time, each with the reviewers whose review is
            // still requested; only those on `base` when it is given.
            let on_base = |p: &Pr| query.get("base").is_none_or(|b| p.pull["base"]["ref"].as_str() == Some(b.as_str()));
            let mut open: Vec<(&u64, &Pr)> =
                state.pulls.iter().filter(|(_, p)| p.pull["state"] != "closed" && on_base(p)).collect();
            open.sort_by_key(|(n, _)| **n);
            let open: Vec<Value> = open.into_iter().map(|(_, p)| p.pull.clone()).collect();
            paged(&open, query, base, path)
        }
        ("POST", ["pulls", n, "requested_reviewers"]) => {
            if state.read_only {
                return write_denied();
            }
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            let Some(pr) = n.parse().ok().and_then(|n: u64| state.pulls.get_mut(&n)) else {
                return message(404, "Not Found");
            };
            let asked = body["reviewers"].as_array().cloned().unwrap_or_default();
            if asked.len() > 15 {
                return message(422, "No more than 15 reviewers may be requested at a time");
            }
            if !pr.pull["requested_reviewers"].is_array() {
                pr.pull["requested_reviewers"] = json!([]);
            }
            let requested = pr.pull["requested_reviewers"].as_array_mut().expect("array");
            for login in asked {
                if !requested.iter().any(|r| r["login"] == login) {
                    requested.push(json!({ "login": login, "type": "User" }));
                }
            }
            answer(201, pr.pull.clone())
        }
        ("DELETE", ["pulls", n, "requested_reviewers"]) => {
            if state.read_only {
                return write_denied();
            }
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            let Some(pr) = n.parse().ok().and_then(|n: u64| state.pulls.get_mut(&n)) else {
                return message(404, "Not Found");
            };
            let gone = body["reviewers"].as_array().cloned().unwrap_or_default();
            if let Some(requested) = pr.pull["requested_reviewers"].as_array_mut() {
                requested.retain(|r| !gone.contains(&r["login"]));
            }
            answer(200, pr.pull.clone())
        }
        _ => message(404, "Not Found"),
    }
}

/// One page of a PR's `files`, `commits`, `reviews` or label `events`, each capped where GitHub
/// caps it, with a `next` link while more follow.
pub(super) fn listing(state: &State, call: &Call, n: &str, list: &str) -> Answer {
    let (request, query, base, path) = (call.request, call.query, call.base, call.path);
    let Some(pr) = n.parse().ok().and_then(|n: u64| state.pulls.get(&n)) else {
        return message(404, "Not Found");
    };
    if list == "files" && state.files_unavailable {
        return message(422, "Server Error: Sorry, this diff is taking too long to generate.");
    }
    let (items, cap) = match list {
        "files" => (&pr.files, 3000),
        "commits" => (&pr.commits, 250),
        "reviews" => (&pr.reviews, usize::MAX),
        _ => (&pr.events, usize::MAX),
    };
    let per_page: usize = query.get("per_page").and_then(|p| p.parse().ok()).unwrap_or(30);
    let page: usize = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let listed = items.len().min(cap);
    let start = (page - 1) * per_page;
    let chunk: Vec<Value> = items.iter().take(listed).skip(start).take(per_page).cloned().collect();
    let mut a = answer(200, Value::from(chunk));
    if start + per_page < listed {
        a.2.push(("link", format!("<{base}{path}?per_page={per_page}&page={}>; rel=\"next\"", page + 1)));
    }
    conditional(request, a)
}
