//! Branch protection and rulesets: classic protection per branch, the repository's rulesets, and
//! the rules that apply to a branch, computed from the active rulesets whose conditions take it,
//! as GitHub answers them. Reading classic protection takes Administration: read: a token the
//! test marks as lacking it, or an installation without it, is answered 403 as GitHub does.

use serde_json::{Value, json};

use super::{Answer, Call, State, answer, message, paged, urlencoding_decode};

/// A ruleset of the repository.
#[derive(Debug, Clone)]
pub struct Ruleset {
    pub id: u64,
    pub name: String,
    /// `active`, `evaluate` or `disabled`: only active rules apply.
    pub enforcement: String,
    /// The branches it takes: a name, `~DEFAULT_BRANCH` or `~ALL`.
    pub branches: Vec<String>,
    /// Its rules as GitHub writes them (`type`, `parameters`).
    pub rules: Vec<Value>,
}

impl Ruleset {
    /// An active ruleset on `branches` with `rules`.
    pub fn active(id: u64, name: &str, branches: &[&str], rules: Vec<Value>) -> Ruleset {
        Ruleset {
            id,
            name: name.into(),
            enforcement: "active".into(),
            branches: branches.iter().map(|b| b.to_string()).collect(),
            rules,
        }
    }
}

/// A `required_status_checks` rule requiring `contexts` from any source.
pub fn required_checks_rule(contexts: &[&str]) -> Value {
    let checks: Vec<Value> = contexts.iter().map(|c| json!({ "context": c })).collect();
    json!({ "type": "required_status_checks",
            "parameters": { "strict_required_status_checks_policy": false, "do_not_enforce_on_create": false,
                            "required_status_checks": checks } })
}

/// A `merge_queue` rule with GitHub's defaults.
pub fn merge_queue_rule() -> Value {
    json!({ "type": "merge_queue",
            "parameters": { "check_response_timeout_minutes": 60, "grouping_strategy": "ALLGREEN",
                            "max_entries_to_build": 5, "max_entries_to_merge": 5, "merge_method": "MERGE",
                            "min_entries_to_merge": 1, "min_entries_to_merge_wait_minutes": 5 } })
}

/// Classic protection requiring `contexts` from any source, as GET branches/{b}/protection answers.
pub fn classic_protection(contexts: &[&str]) -> Value {
    let checks: Vec<Value> = contexts.iter().map(|c| json!({ "context": c, "app_id": null })).collect();
    json!({ "url": "https://api.github.com/repos/o/r/branches/main/protection",
            "required_status_checks": { "strict": true, "contexts": contexts, "checks": checks },
            "enforce_admins": { "enabled": false } })
}

/// `repos/{repo}/branches/{b}/protection`, `repos/{repo}/rules/branches/{b}` and `repos/{repo}/rulesets`.
pub(super) fn route(state: &mut State, call: &Call) -> Answer {
    match (call.method, call.parts) {
        ("GET", ["branches", branch, "protection"]) => {
            let may_read = match &state.app {
                Some(app) => app.permissions.get("administration").is_some(),
                None => !state.protection_forbidden,
            };
            if !may_read {
                let whose = if state.app.is_some() { "integration" } else { "personal access token" };
                return message(403, &format!("Resource not accessible by {whose}"));
            }
            match state.protection.get(&urlencoding_decode(branch)) {
                Some(protection) => answer(200, protection.clone()),
                None => message(404, "Branch not protected"),
            }
        }
        ("GET", ["rules", "branches", branch]) => {
            let branch = urlencoding_decode(branch);
            let default = state.default_branch.clone().unwrap_or_else(|| "main".into());
            let takes = |r: &Ruleset| {
                r.branches.iter().any(|b| b == "~ALL" || *b == branch || b == "~DEFAULT_BRANCH" && branch == default)
            };
            let rules: Vec<Value> = state
                .rulesets
                .iter()
                .filter(|r| r.enforcement == "active" && takes(r))
                .flat_map(|r| {
                    r.rules.iter().map(|rule| {
                        let mut rule = rule.clone();
                        rule["ruleset_source_type"] = json!("Repository");
                        rule["ruleset_source"] = json!(state.repo);
                        rule["ruleset_id"] = json!(r.id);
                        rule
                    })
                })
                .collect();
            paged(&rules, call.query, call.base, call.path)
        }
        ("GET", ["rulesets"]) => {
            let listed: Vec<Value> = state
                .rulesets
                .iter()
                .map(|r| {
                    json!({ "id": r.id, "name": r.name, "target": "branch", "source_type": "Repository",
                                 "source": state.repo, "enforcement": r.enforcement })
                })
                .collect();
            paged(&listed, call.query, call.base, call.path)
        }
        _ => message(404, "Not Found"),
    }
}
