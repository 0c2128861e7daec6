//! The repository and its files: the default branch, and a file (the policy, CODEOWNERS) at a
//! ref, or 403 for an installation without the contents permission.

use serde_json::json;

use super::{Answer, Call, State, answer, conditional, message, urlencoding_decode};

/// `repos/{repo}` and `repos/{repo}/contents/{path}`.
pub(super) fn route(state: &mut State, call: &Call) -> Answer {
    let (request, query) = (call.request, call.query);
    match (call.method, call.parts) {
        ("GET", [""]) => {
            let branch = state.default_branch.clone().unwrap_or_else(|| "main".into());
            conditional(request, answer(200, json!({ "full_name": state.repo, "default_branch": branch })))
        }
        ("GET", ["contents", _]) if state.contents_forbidden => message(403, "Resource not accessible by integration"),
        ("GET", ["contents", file]) => {
            let file = urlencoding_decode(file);
            let reference = query.get("ref").cloned().unwrap_or_else(|| "main".into());
            match state.contents.get(&(reference, file)) {
                Some(text) => conditional(request, (Some(text.clone()), 200, Vec::new())),
                None => message(404, "Not Found"),
            }
        }
        _ => message(404, "Not Found"),
    }
}
