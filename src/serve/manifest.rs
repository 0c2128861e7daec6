//! The GitHub App manifest (`flowgate app manifest`, `flowgate app setup`): what a platform team
//! posts to GitHub's manifest flow to create the App with exactly the permissions and events flowgate uses.

use serde_json::{Value, json};

/// The events the App subscribes to; each is handled in `events::intent`, except `merge_group`
/// (what a merge queue sends for each group it tests) until its routing lands: the test below
/// lists it until then. `installation` and `installation_repositories` reach every App without
/// subscribing. `push` tells when a policy file changes on a branch, whose open PRs are then gated
/// again (`onboarding`).
pub const EVENTS: [&str; 7] =
    ["pull_request", "pull_request_review", "check_run", "check_suite", "issue_comment", "merge_group", "push"];

/// The permissions the App asks for, and at which level. `merge_queues: read` is what makes GitHub
/// deliver `merge_group`; `flowgate doctor` checks an installation against this list.
pub const PERMISSIONS: [(&str, &str); 7] = [
    ("checks", "write"),
    ("pull_requests", "write"),
    ("contents", "read"),
    ("issues", "write"),
    ("members", "read"),
    ("metadata", "read"),
    ("merge_queues", "read"),
];

/// What the manifest asks for, as `flowgate doctor` and the installation check compare it.
pub fn needs() -> crate::doctor::Needs {
    crate::doctor::Needs {
        permissions: PERMISSIONS
            .iter()
            .filter_map(|(name, level)| Some((name.to_string(), crate::doctor::Access::parse(level)?)))
            .collect(),
        events: EVENTS.iter().map(|e| e.to_string()).collect(),
    }
}

/// The manifest for an App served at `url`, its webhooks going to `url/webhook`.
pub fn manifest(name: &str, url: &str) -> Value {
    let base = url.trim_end_matches('/');
    manifest_for(name, base, &format!("{base}/webhook"))
}

/// The manifest for an App whose homepage is `homepage` and whose webhooks go to `webhook_url`.
pub fn manifest_for(name: &str, homepage: &str, webhook_url: &str) -> Value {
    json!({
        "name": name,
        "url": homepage,
        "hook_attributes": { "url": webhook_url, "active": true },
        "public": false,
        "default_permissions": PERMISSIONS.iter().map(|(name, level)| (name.to_string(), json!(level))).collect::<serde_json::Map<_, _>>(),
        "default_events": EVENTS,
        "description": crate::wording::app::DESCRIPTION
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_asks_for_what_flowgate_uses_and_no_more() {
        let m = manifest("flowgate", "https://flowgate.example.com/");
        assert_eq!(m["hook_attributes"]["url"], "https://flowgate.example.com/webhook");
        assert_eq!(m["default_permissions"]["checks"], "write");
        assert_eq!(m["default_permissions"]["contents"], "read", "flowgate never writes code");
        assert_eq!(m["default_permissions"]["merge_queues"], "read", "without it GitHub never sends merge_group");
        assert_eq!(m["default_permissions"].as_object().map(|o| o.len()), Some(7));
        let events: Vec<&str> = m["default_events"].as_array().unwrap().iter().filter_map(|e| e.as_str()).collect();
        let unused = |event: &str| {
            matches!(
                super::super::events::intent(event, &Default::default()),
                super::super::events::Intent::Ignore(super::super::events::Ignored::Event)
            )
        };
        for event in &events {
            assert!(!unused(event), "{event} is subscribed but not handled");
        }
    }
}
