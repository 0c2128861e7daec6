//! What `flowgate doctor` reads from GitHub, parsed into `doctor`'s facts: classic branch
//! protection's required checks, the rules that apply to a branch, the rulesets' names, the App's
//! installation and a directory's workflow files.

use std::collections::BTreeMap;

use super::shapes::{BranchRuleJson, ContentEntryJson, InstallationJson, ProtectionJson, RulesetJson};
use super::{list, one};
use crate::doctor::{BranchRules, Installation, RequiredCheck, Source};

/// The required status checks of a classic branch protection; none when it requires none.
pub fn required_checks(text: &str) -> Result<Vec<RequiredCheck>, String> {
    let protection: ProtectionJson = one(text)?;
    let Some(checks) = protection.required_status_checks else { return Ok(Vec::new()) };
    let source = || Source::BranchProtection;
    Ok(match checks.checks {
        // `checks` carries the App each context must come from; older answers have only `contexts`.
        Some(pinned) => pinned
            .into_iter()
            .map(|c| RequiredCheck { context: c.context, app_id: c.app_id, source: source() })
            .collect(),
        None => checks
            .contexts
            .into_iter()
            .map(|context| RequiredCheck { context, app_id: None, source: source() })
            .collect(),
    })
}

/// The required checks and the merge queue among the rules that apply to a branch (pages of
/// them, concatenated). Ruleset names are filled in later, from [`ruleset_names`].
pub fn branch_rules(text: &str) -> Result<BranchRules, String> {
    let rules: Vec<BranchRuleJson> = list(text)?;
    let mut found = BranchRules::default();
    for rule in rules {
        let source = || Source::Ruleset { id: rule.ruleset_id.unwrap_or_default(), name: None };
        match rule.kind.as_str() {
            "required_status_checks" => {
                let checks = rule.parameters.as_ref().map(|p| p.required_status_checks.as_slice()).unwrap_or_default();
                found.checks.extend(checks.iter().map(|c| RequiredCheck {
                    context: c.context.clone(),
                    app_id: c.integration_id,
                    source: source(),
                }));
            }
            "merge_queue" if found.merge_queue.is_none() => found.merge_queue = Some(source()),
            _ => {}
        }
    }
    Ok(found)
}

/// Ruleset id to name, from the repository's rulesets (pages of them, concatenated).
pub fn ruleset_names(text: &str) -> Result<BTreeMap<u64, String>, String> {
    let rulesets: Vec<RulesetJson> = list(text)?;
    Ok(rulesets.into_iter().map(|r| (r.id, r.name)).collect())
}

pub fn installation(text: &str) -> Result<Installation, String> {
    let found: InstallationJson = one(text)?;
    Ok(Installation { app_id: found.app_id, permissions: found.permissions, events: found.events })
}

/// The paths of the workflow files (`.yml`, `.yaml`) in a directory's listing.
pub fn workflow_paths(text: &str) -> Result<Vec<String>, String> {
    let entries: Vec<ContentEntryJson> = list(text)?;
    Ok(entries
        .into_iter()
        .filter(|e| e.kind == "file" && (e.path.ends_with(".yml") || e.path.ends_with(".yaml")))
        .map(|e| e.path)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protection_reads_pinned_checks_or_bare_contexts() {
        let pinned = r#"{"required_status_checks": {"strict": true, "contexts": ["flowgate", "test"],
            "checks": [{"context": "flowgate", "app_id": 42}, {"context": "test", "app_id": null}]}}"#;
        let checks = required_checks(pinned).unwrap();
        assert_eq!(
            checks[0],
            RequiredCheck { context: "flowgate".into(), app_id: Some(42), source: Source::BranchProtection }
        );
        assert_eq!(checks[1].app_id, None);
        // GitHub's own example (OpenAPI description) has contexts and no checks.
        let bare = r#"{"required_status_checks": {"contexts": ["continuous-integration/travis-ci"], "enforcement_level": "non_admins"}}"#;
        assert_eq!(required_checks(bare).unwrap()[0].context, "continuous-integration/travis-ci");
        assert!(required_checks(r#"{"url": "x", "enforce_admins": {"enabled": true}}"#).unwrap().is_empty());
        assert!(required_checks("<html>").is_err());
    }

    #[test]
    fn rules_give_required_checks_and_the_merge_queue_across_pages() {
        let page1 = r#"[{"type": "required_status_checks", "ruleset_id": 7, "ruleset_source_type": "Repository",
            "parameters": {"strict_required_status_checks_policy": false,
              "required_status_checks": [{"context": "flowgate", "integration_id": 42}, {"context": "test"}]}},
            {"type": "deletion", "ruleset_id": 7}]"#;
        let page2 = r#"[{"type": "merge_queue", "ruleset_id": 9, "parameters": {"merge_method": "SQUASH",
            "grouping_strategy": "ALLGREEN", "check_response_timeout_minutes": 60}},
            {"type": "commit_message_pattern", "ruleset_id": 9, "parameters": {"operator": "starts_with", "pattern": "x"}}]"#;
        let rules = branch_rules(&format!("{page1}\n{page2}")).unwrap();
        assert_eq!(rules.checks.len(), 2);
        assert_eq!(rules.checks[0].app_id, Some(42));
        assert_eq!(rules.checks[1].source, Source::Ruleset { id: 7, name: None });
        assert_eq!(rules.merge_queue, Some(Source::Ruleset { id: 9, name: None }));
        assert!(branch_rules("[]").unwrap() == BranchRules::default());
        assert!(branch_rules(r#"{"message": "Not Found"}"#).is_err());
    }

    #[test]
    fn an_installation_without_permissions_is_refused() {
        let found =
            installation(r#"{"id": 1, "app_id": 5, "permissions": {"checks": "write"}, "events": ["merge_group"]}"#)
                .unwrap();
        assert_eq!(found.permissions["checks"], "write");
        assert_eq!(found.events, ["merge_group"]);
        assert!(installation(r#"{"id": 1}"#).unwrap_err().contains("permissions"));
    }

    #[test]
    fn only_yaml_files_of_a_listing_are_workflows() {
        let listing = r#"[{"name": "ci.yml", "path": ".github/workflows/ci.yml", "type": "file"},
            {"name": "README.md", "path": ".github/workflows/README.md", "type": "file"},
            {"name": "old", "path": ".github/workflows/old", "type": "dir"},
            {"name": "lint.yaml", "path": ".github/workflows/lint.yaml", "type": "file"}]"#;
        assert_eq!(workflow_paths(listing).unwrap(), [".github/workflows/ci.yml", ".github/workflows/lint.yaml"]);
    }
}
