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
                    enforcement: None,
                    required_by: None,
                    merge_queue: None,
                    doctor: None,
                    last_evaluation: last,
                    error: None,
                };
                if is_installed && let Err(e) = examine(gh, app, repo, needs, &mut row).await {
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
    row: &mut RepoStatus,
) -> Result<(), UserError> {
    let name = RepoName::parse(&repo.full_name)?;
    let branch = match &repo.default_branch {
        Some(branch) => branch.clone(),
        None => gh.default_branch(&name).await?,
    };
    let (policy, enforcement) = match gh.file_at(&name, &branch, POLICY_PATH).await? {
        None => (PolicySource::Bundled, Enforcement::Enforce),
        Some(text) => read_policy(&text),
    };
    row.policy = Some(policy);
    row.enforcement = Some(enforcement);
    let request = super::doctor::Request { repo: &name, branches: &[], needs: needs.clone(), app: Some(app) };
    let facts = super::doctor::examine(gh, request).await?;
    let findings = doctor::judge(&facts);
    row.doctor = Some(doctor::outcome(&findings));
    row.required_by = doctor::org::required_by(&findings);
    row.merge_queue = Some(doctor::org::queue(&findings));
    Ok(())
}

/// The policy file's `extends:` and `enforcement:`, read as YAML within the policy's limits; the
/// file's full meaning is `flowgate policy validate`'s to judge.
fn read_policy(text: &str) -> (PolicySource, Enforcement) {
    let value: Result<serde_json::Value, String> = yaml_limits::check(text)
        .map_err(|e| format!("line {}: {}", e.line, e.message))
        .and_then(|_| yaml_serde::from_str(text).map_err(|e| e.to_string()));
    let value = match value {
        Ok(value) => value,
        Err(why) => return (PolicySource::Unreadable { why }, Enforcement::Enforce),
    };
    let extends = match &value["extends"] {
        serde_json::Value::String(one) => vec![one.clone()],
        serde_json::Value::Array(many) => many.iter().filter_map(|e| e.as_str().map(String::from)).collect(),
        _ => Vec::new(),
    };
    let enforcement = value["enforcement"].as_str().map_or(Enforcement::Enforce, Enforcement::from_id);
    (PolicySource::File { extends }, enforcement)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_file_says_what_it_extends_and_how_it_enforces() {
        let (source, mode) = read_policy("extends: [strict, ../base.yml]\nenforcement: evaluate\n");
        assert_eq!(source, PolicySource::File { extends: vec!["strict".into(), "../base.yml".into()] });
        assert_eq!(mode, Enforcement::Evaluate);
        let (source, mode) = read_policy("extends: acme/policies:base.yml@v1\n");
        assert_eq!(source, PolicySource::File { extends: vec!["acme/policies:base.yml@v1".into()] });
        assert_eq!(mode, Enforcement::Enforce);
        assert!(matches!(read_policy("extends: [").0, PolicySource::Unreadable { .. }));
    }
}
