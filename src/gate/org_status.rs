//! `flowgate org status`'s reads: one row per repository of an organisation, from the App's
//! installation there. Each installed repository's policy file (its `extends:` and `enforcement:`),
//! and `flowgate doctor`'s facts and judgement (whether `flowgate` is required, and by what; the
//! merge queue). A repository whose reads fail gets its error in its row; only an organisation that
//! cannot be read stops the command.

use futures::StreamExt;

use crate::doctor::org::{LastEvaluation, OrgStatus, PolicySource, RepoStatus};
use crate::doctor::{self, Needs};
use crate::error::UserError;
use crate::github::{self, GitHub, RepoName};
use crate::model::Enforcement;
use crate::policy::baseline::BaselineRule;
use crate::policy::yaml_limits;

/// Repositories examined at once.
const AT_ONCE: usize = 4;
const POLICY_PATH: &str = ".github/flowgate.yml";

/// Reads the table. `app` holds the App's credentials; `install` makes the installation's client
/// from its id. `evaluations` (repository in lower case to its latest evaluation) comes from the
/// App's database when it could be read.
pub async fn status(
    app: &GitHub,
    install: impl Fn(u64) -> Result<GitHub, UserError>,
    org: &str,
    needs: &Needs,
    evaluations: Option<&std::collections::BTreeMap<String, LastEvaluation>>,
    baselines: &[BaselineRule],
) -> Result<OrgStatus, UserError> {
    let Some(installation_id) = app.org_installation(org).await? else {
        return Ok(OrgStatus { org: org.to_string(), installed: false, truncated: false, repos: Vec::new() });
    };
    let gh = install(installation_id)?;
    let listing = gh
        .org_repos(org)
        .await?
        .ok_or_else(|| UserError::github(format!("the organization {org} was not found (or the App cannot see it)")))?;
    let installed = gh.installation_repos().await?;
    let names: std::collections::HashSet<String> =
        installed.repos.iter().map(|r| r.full_name.to_ascii_lowercase()).collect();
    let gh = &gh;
    let rows = futures::stream::iter(listing.repos.iter())
        .map(|repo| {
            let is_installed = names.contains(&repo.full_name.to_ascii_lowercase());
            let last = evaluations.and_then(|e| e.get(&repo.full_name.to_ascii_lowercase()).cloned());
            async move {
                let mut row = RepoStatus {
                    repo: repo.full_name.clone(),
                    archived: repo.archived,
                    installed: is_installed,
                    policy: None,
                    baseline: None,
                    gated: None,
                    enforcement: None,
                    required_by: None,
                    merge_queue: None,
                    doctor: None,
                    last_evaluation: last,
                    error: None,
                };
                if is_installed && let Err(e) = examine(gh, app, repo, needs, baselines, &mut row).await {
                    row.error = Some(e.to_string());
                }
                row
            }
        })
        .buffered(AT_ONCE)
        .collect::<Vec<_>>()
        .await;
    Ok(OrgStatus {
        org: org.to_string(),
        installed: true,
        truncated: listing.truncated || installed.truncated,
        repos: rows,
    })
}

/// Fills an installed repository's row: its policy file, then doctor's facts.
async fn examine(
    gh: &GitHub,
    app: &GitHub,
    repo: &github::org::OrgRepo,
    needs: &Needs,
    baselines: &[BaselineRule],
    row: &mut RepoStatus,
) -> Result<(), UserError> {
    let name = RepoName::parse(&repo.full_name)?;
    let branch = match &repo.default_branch {
        Some(branch) => branch.clone(),
        None => gh.default_branch(&name).await?,
    };
    let (policy, declared) = match gh.file_at(&name, &branch, POLICY_PATH).await? {
        None => (PolicySource::Missing, None),
        Some(text) => read_policy(&text),
    };
    // The baseline, as the App chooses it; its own `enforcement:` when the entry does not say.
    let rule = super::baseline::rule_for(gh, &name, baselines).await.map_err(|e| UserError::github(e.to_string()))?;
    let baseline_mode = match &rule {
        None => None,
        Some(rule) => match rule.enforcement {
            Some(mode) => Some(mode),
            None => Some(
                super::baseline::read(gh, rule).await.map_err(|e| UserError::github(e.to_string()))?.policy.enforcement,
            ),
        },
    };
    row.gated = Some(policy != PolicySource::Missing || rule.is_some());
    row.baseline = rule.map(|r| r.source.to_string());
    row.enforcement = match (declared, baseline_mode) {
        (Some(mode), _) | (None, Some(mode)) => Some(mode),
        (None, None) if policy != PolicySource::Missing => Some(Enforcement::Enforce),
        (None, None) => None,
    };
    row.policy = Some(policy);
    let request = super::doctor::Request { repo: &name, branches: &[], needs: needs.clone(), app: Some(app) };
    let facts = super::doctor::examine(gh, request).await?;
    let findings = doctor::judge(&facts);
    row.doctor = Some(doctor::outcome(&findings));
    row.required_by = doctor::org::required_by(&findings);
    row.merge_queue = Some(doctor::org::queue(&findings));
    Ok(())
}

/// The policy file's `extends:` (a pinned remote as `FROM (pinned COMMIT)`) and the `enforcement:`
/// it writes, read as YAML within the policy's limits; the file's full meaning is
/// `flowgate policy validate`'s to judge.
fn read_policy(text: &str) -> (PolicySource, Option<Enforcement>) {
    let value: Result<serde_json::Value, String> = yaml_limits::check(text)
        .map_err(|e| format!("line {}: {}", e.line, e.message))
        .and_then(|_| yaml_serde::from_str(text).map_err(|e| e.to_string()));
    let value = match value {
        Ok(value) => value,
        Err(why) => return (PolicySource::Unreadable { why }, Some(Enforcement::Enforce)),
    };
    let extends = match &value["extends"] {
        serde_json::Value::String(one) => vec![one.clone()],
        serde_json::Value::Array(many) => many.iter().filter_map(|e| e.as_str().map(String::from)).collect(),
        serde_json::Value::Object(pinned) => {
            match (pinned.get("from").and_then(|f| f.as_str()), pinned.get("commit")) {
                (Some(from), Some(serde_json::Value::String(commit))) => {
                    vec![format!("{from} (pinned {})", commit.get(..12).unwrap_or(commit))]
                }
                (Some(from), _) => vec![from.to_string()],
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    };
    let enforcement = value["enforcement"].as_str().map(Enforcement::from_id);
    (PolicySource::File { extends }, enforcement)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_file_says_what_it_extends_and_how_it_enforces() {
        let (source, mode) = read_policy("extends: [strict, ../base.yml]\nenforcement: evaluate\n");
        assert_eq!(source, PolicySource::File { extends: vec!["strict".into(), "../base.yml".into()] });
        assert_eq!(mode, Some(Enforcement::Evaluate));
        let (source, mode) = read_policy("extends: acme/policies:base.yml@v1\n");
        assert_eq!(source, PolicySource::File { extends: vec!["acme/policies:base.yml@v1".into()] });
        assert_eq!(mode, None, "the file does not say: its baseline's, else enforce");
        let pinned =
            "extends:\n  from: acme/policies:base.yml@v1\n  commit: 0123456789abcdef0123456789abcdef01234567\n";
        let (source, _) = read_policy(pinned);
        assert_eq!(
            source,
            PolicySource::File { extends: vec!["acme/policies:base.yml@v1 (pinned 0123456789ab)".into()] }
        );
        assert!(matches!(read_policy("extends: [").0, PolicySource::Unreadable { .. }));
    }
}
