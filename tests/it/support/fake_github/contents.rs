//! The repository and its files: the default branch, a file (the policy, CODEOWNERS, a
//! workflow) at a ref or a directory's listing, or 403 for an installation without the contents
//! permission.

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
            if let Some(text) = state.contents.get(&(reference.clone(), file.clone())) {
                return conditional(request, (Some(text.clone()), 200, Vec::new()));
            }
            // A directory: GitHub lists what is directly in it, in name order.
            let prefix = format!("{}/", file.trim_end_matches('/'));
            let mut entries = std::collections::BTreeMap::new();
            for (r, path) in state.contents.keys() {
                let Some(rest) = path.strip_prefix(&prefix).filter(|_| *r == reference) else { continue };
                let (name, kind) = match rest.split_once('/') {
                    Some((dir, _)) => (dir, "dir"),
                    None => (rest, "file"),
                };
                entries
                    .insert(name.to_string(), json!({ "name": name, "path": format!("{prefix}{name}"), "type": kind }));
            }
            match entries.is_empty() {
                true => message(404, "Not Found"),
                false => conditional(request, answer(200, entries.into_values().collect::<Vec<_>>().into())),
            }
        }
        _ => message(404, "Not Found"),
    }
}
