//! Baselines where the layers meet: the baseline a repository gets (the App's `[[baseline]]`
//! entries, then its organisation's `.github/flowgate-baselines.yml`, by name and custom
//! properties), read from where its entry says (a bundled pack, a file on the App's disk, a file
//! in a repository on GitHub), and a repository's policy laid over it and judged, with each
//! loosening worded and placed in the repository's file.

use std::path::Path;
use std::sync::Arc;

use super::local_remotes::WithGitHub;
use crate::github::{GitHub, RepoName};
use crate::model::Enforcement;
use crate::policy::Policy;
use crate::policy::baseline::select::{self, BaselineRule, BaselineSource, Properties};
use crate::policy::baseline::{Baseline, lay_over};
use crate::policy::load::{Disk, LoadError, Loading, loading_file};

use super::{ChosenPolicy, Error, POLICY_PATH, base_policy};

/// Where an organisation lists its baselines, in its `.github` repository.
pub const ORG_BASELINES_PATH: &str = ".github/flowgate-baselines.yml";

/// The repository's chain, read whole, laid over `baseline` and judged: a policy that loosens it
/// does not load, and its error names the first loosening at its place.
pub(crate) fn judge(repo: Loading, baseline: &Baseline) -> Result<Policy, LoadError> {
    lay_over(repo, baseline)?.judged(baseline, crate::wording::baseline::loosening)
}

/// A baseline named on the command line: a bundled pack or a policy file on disk.
pub fn baseline_on_disk(spec: &str) -> Result<Baseline, LoadError> {
    let refused = |why: String| LoadError::Baseline { baseline: spec.to_string(), why };
    match BaselineSource::parse(spec).map_err(refused)? {
        BaselineSource::Pack(name) => Baseline::bundled(&name, None),
        BaselineSource::File(path) => Baseline::file(&WithGitHub(Disk), &path, None),
        BaselineSource::Remote { .. } => Err(refused(crate::wording::baseline::remote_needs_the_app())),
    }
}

/// The policy file at `path` on disk laid over `baseline`: `flowgate policy validate --baseline`.
pub fn validate_over(path: &Path, baseline: &Baseline) -> Result<Policy, LoadError> {
    judge(loading_file(&WithGitHub(Disk), path)?, baseline)
}

/// The baseline entry that applies to `repo`: the first of `configured` (the App's), else of its
/// organisation's `.github` repository file, that matches its name and custom properties. The
/// properties are asked for only when an entry needs them, the organisation's file only when no
/// configured entry matches. A file that does not parse fails closed, naming it.
pub async fn rule_for(
    gh: &GitHub,
    repo: &RepoName,
    configured: &[BaselineRule],
) -> Result<Option<BaselineRule>, Error> {
    let name = repo.to_string();
    let mut properties: Option<Properties> = None;
    if select::needs_properties(configured, &name) {
        properties = Some(gh.custom_properties(repo).await?);
    }
    if let Some(rule) = select::baseline_for(configured, &name, properties.as_ref().unwrap_or(&Properties::new())) {
        return Ok(Some(rule.clone()));
    }
    let org = RepoName { owner: repo.owner.clone(), name: ".github".into() };
    let Some(text) = gh.file_on_default_branch(&org, ORG_BASELINES_PATH).await? else { return Ok(None) };
    let rules = select::parse_org_file(&text)
        .map_err(|why| LoadError::Baseline { baseline: format!("{org}:{ORG_BASELINES_PATH}"), why })?;
    if properties.is_none() && select::needs_properties(&rules, &name) {
        properties = Some(gh.custom_properties(repo).await?);
    }
    Ok(select::baseline_for(&rules, &name, properties.as_ref().unwrap_or(&Properties::new())).cloned())
}

/// Reads the baseline `rule` names. One that cannot be read or does not load is an error naming
/// the baseline, in the entry's enforcement (neutral for a shadow target); GitHub failing to
/// answer is GitHub's error, retried as any other.
pub async fn read(gh: &GitHub, rule: &BaselineRule) -> Result<Baseline, Error> {
    let name = rule.source.to_string();
    let enforcement = rule.enforcement;
    let read = match &rule.source {
        BaselineSource::Pack(pack) => Baseline::bundled(pack, enforcement).map_err(Error::from),
        BaselineSource::File(path) => Baseline::file(&WithGitHub(Disk), path, enforcement).map_err(Error::from),
        BaselineSource::Remote { repo, path, rev } => remote(gh, repo, path, rev, name.clone(), enforcement).await,
    };
    read.map_err(|e| match e {
        Error::Policy { error, head, .. } => Error::Policy {
            error: LoadError::Baseline { baseline: name.clone(), why: error.to_string() },
            head,
            enforcement: enforcement.unwrap_or_default(),
        },
        other => other,
    })
}

/// A baseline in a repository on GitHub, and the files it extends there, at `rev`.
// Remote `extends:` (another repository's file) is not followed here: a baseline's chain stays in
// its own repository, read with the same chain loader as a branch's policy.
async fn remote(
    gh: &GitHub,
    repo: &str,
    path: &str,
    rev: &str,
    name: String,
    enforcement: Option<Enforcement>,
) -> Result<Baseline, Error> {
    let parsed =
        RepoName::parse(repo).map_err(|e| LoadError::Baseline { baseline: name.clone(), why: e.to_string() })?;
    let Some(text) = gh.file_at(&parsed, rev, path).await? else {
        return Err(LoadError::Baseline {
            baseline: name,
            why: crate::wording::baseline::no_such_file(repo, path, rev),
        }
        .into());
    };
    let files = base_policy::OnGitHub { gh, repo: &parsed, rev };
    let names = base_policy::OnBranch { repo: repo.to_string(), rev: rev.to_string() };
    base_policy::load_baseline(&files, names, path, rev, text, name, enforcement).await
}

/// The App's choice of a PR's policy on `base`: the repository's policy file over its baseline,
/// the baseline alone when there is no file, the file alone when no baseline applies, and
/// `None`, no policy at all, when there is neither (the App then gates nothing).
pub async fn policy_for_app(
    gh: &GitHub,
    repo: &RepoName,
    base: &str,
    configured: &[BaselineRule],
) -> Result<Option<ChosenPolicy>, Error> {
    let rule = rule_for(gh, repo, configured).await?;
    let text = gh.file_at(repo, base, POLICY_PATH).await?;
    let at = format!("{repo}@{base}");
    let Some(rule) = rule else {
        return match text {
            None => Ok(None),
            Some(text) => super::gather::policy_from_text(gh, repo, base, text).await.map(Some),
        };
    };
    let baseline = Arc::new(read(gh, &rule).await?);
    let name = baseline.name.clone();
    let Some(text) = text else {
        let origin = crate::wording::baseline::origin(POLICY_PATH, &at, &name, false);
        return Ok(Some(ChosenPolicy { policy: baseline.policy.clone(), origin, baseline: Some(baseline) }));
    };
    let files = base_policy::OnGitHub { gh, repo, rev: base };
    let names = base_policy::OnBranch { repo: repo.to_string(), rev: base.to_string() };
    // A policy that does not load is judged in the baseline's mode: its own `enforcement:` may
    // not switch an enforced baseline off.
    let policy = base_policy::load_over(&files, names, base, text, baseline.clone()).await.map_err(|e| match e {
        Error::Policy { error, head, .. } => Error::Policy { error, head, enforcement: baseline.policy.enforcement },
        other => other,
    })?;
    let origin = crate::wording::baseline::origin(POLICY_PATH, &at, &name, true);
    Ok(Some(ChosenPolicy { policy, origin, baseline: Some(baseline) }))
}
