//! Check runs: listing a commit's, creating and updating them, refusing what GitHub refuses (50
//! annotations a request, the summary's length) and, on demand, losing the answer to a create.

use serde_json::{Value, json};

use super::{Answer, Call, CheckRun, State, answer, message, write_denied};

/// `repos/{repo}/commits/{sha}/check-runs` and `repos/{repo}/check-runs...`.
pub(super) fn route(state: &mut State, call: &Call) -> Answer {
    let (request, query) = (call.request, call.query);
    match (call.method, call.parts) {
        ("GET", ["commits", sha, "check-runs"]) => {
            let name = query.get("check_name").cloned();
            let runs: Vec<Value> = state
                .check_runs
                .iter()
                .rev()
                .filter(|r| r.head_sha == *sha && name.as_deref().is_none_or(|n| n == "flowgate"))
                .map(|r| json!({ "id": r.id, "name": "flowgate", "head_sha": r.head_sha, "status": r.status, "external_id": r.external_id }))
                .collect();
            answer(200, json!({ "total_count": runs.len(), "check_runs": runs }))
        }
        ("POST", ["check-runs"]) => {
            if state.read_only {
                return write_denied();
            }
            let body: Value = match serde_json::from_slice(&request.body) {
                Ok(b) => b,
                Err(_) => return message(400, "Problems parsing JSON"),
            };
            if let Some(problem) = check_run_problem(&body, true) {
                return message(422, &problem);
            }
            let id = 1000 + state.check_runs.len() as u64;
            let mut run = CheckRun {
                id,
                head_sha: body["head_sha"].as_str().unwrap_or_default().into(),
                status: String::new(),
                conclusion: None,
                external_id: String::new(),
                title: String::new(),
                summary: String::new(),
                annotations: Vec::new(),
            };
            apply(&mut run, &body);
            state.check_runs.push(run);
            if state.fail_after_create > 0 {
                state.fail_after_create -= 1;
                return message(500, "Server Error");
            }
            answer(201, json!({ "id": id, "name": "flowgate" }))
        }
        ("PATCH", ["check-runs", id]) => {
            if state.read_only {
                return write_denied();
            }
            let body: Value = match serde_json::from_slice(&request.body) {
                Ok(b) => b,
                Err(_) => return message(400, "Problems parsing JSON"),
            };
            if let Some(problem) = check_run_problem(&body, false) {
                return message(422, &problem);
            }
            match state.check_runs.iter_mut().find(|r| r.id.to_string() == *id) {
                Some(run) => {
                    apply(run, &body);
                    answer(200, json!({ "id": run.id }))
                }
                None => message(404, "Not Found"),
            }
        }
        _ => message(404, "Not Found"),
    }
}

/// What GitHub would refuse in a check run request.
fn check_run_problem(body: &Value, create: bool) -> Option<String> {
    if create && (body["name"].as_str().is_none() || body["head_sha"].as_str().is_none()) {
        return Some("name and head_sha are required".into());
    }
    if let Some(conclusion) = body["conclusion"].as_str() {
        let known = ["success", "failure", "neutral", "cancelled", "skipped", "timed_out", "action_required"];
        if !known.contains(&conclusion) {
            return Some(format!("conclusion {conclusion} is not one of {known:?}"));
        }
        if body["status"].as_str().is_some_and(|s| s != "completed") {
            return Some("a conclusion needs status completed".into());
        }
    }
    let output = &body["output"];
    if output.is_object() {
        if output["title"].as_str().is_none() || output["summary"].as_str().is_none() {
            return Some("output needs title and summary".into());
        }
        if output["summary"].as_str().is_some_and(|s| s.chars().count() > 65_535) {
            return Some("output.summary is too long (maximum is 65535 characters)".into());
        }
        if output["annotations"].as_array().is_some_and(|a| a.len() > 50) {
            return Some("at most 50 annotations per request".into());
        }
    }
    None
}

fn apply(run: &mut CheckRun, body: &Value) {
    if let Some(status) = body["status"].as_str() {
        run.status = status.into();
    }
    if let Some(conclusion) = body["conclusion"].as_str() {
        run.conclusion = Some(conclusion.into());
        run.status = "completed".into();
    } else if body["status"].is_string() {
        run.conclusion = None;
    }
    if let Some(id) = body["external_id"].as_str() {
        run.external_id = id.into();
    }
    if let Some(title) = body["output"]["title"].as_str() {
        run.title = title.into();
    }
    if let Some(summary) = body["output"]["summary"].as_str() {
        run.summary = summary.into();
    }
    if let Some(annotations) = body["output"]["annotations"].as_array() {
        // GitHub appends annotations on every update.
        run.annotations.extend(annotations.iter().cloned());
    }
}
