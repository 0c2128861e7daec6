//! The policy as a PR edits it: read at the PR's head, through the loader and limits the base
//! branch's policy goes through, and only when the PR touches the policy file or a file it
//! extends (no request otherwise). `policy::edited` judges what was read.

use std::path::Path;
use std::sync::Arc;

use crate::git::Repo;
use crate::github::{GitHub, RepoName};
use crate::model::PrFacts;
use crate::model::edited_policy::EditedPolicy;
use crate::policy::baseline::Baseline;
use crate::policy::load::load_read;
use crate::policy::{Policy, edited};

use super::{AtRevision, Error, POLICY_PATH, base_policy};

/// Whether the PR changes `.github/flowgate.yml` or a file of the chain of `policy` (the base
/// branch's, whose files are named by their paths in the repository).
pub(crate) fn touched(facts: &PrFacts, policy: &Policy) -> bool {
    edited::touches(facts, POLICY_PATH, &policy.paths)
}

/// The policy at the PR's head commit `head` on GitHub, judged. A policy that does not load is
/// the judgement; GitHub failing to answer is an error, as it is for the base's policy.
/// With a `baseline` (the App's), the edited policy is laid over it and must not loosen it.
pub(crate) async fn on_github(
    gh: &GitHub,
    repo: &RepoName,
    head: &str,
    baseline: Option<Arc<Baseline>>,
) -> Result<EditedPolicy, Error> {
    let Some(text) = gh.file_at(repo, head, POLICY_PATH).await? else {
        return Ok(edited::judge(POLICY_PATH, None));
    };
    let files = base_policy::OnGitHub { gh, repo, rev: head };
    let names = base_policy::InRepository;
    let loaded = match baseline {
        Some(baseline) => base_policy::load_over(&files, names, head, text, baseline).await,
        None => base_policy::load(&files, names, head, text).await,
    };
    match loaded {
        Ok(_) => Ok(edited::judge(POLICY_PATH, Some(Ok(())))),
        Err(Error::Policy { error, .. }) => Ok(edited::judge(POLICY_PATH, Some(Err(error)))),
        Err(e) => Err(e),
    }
}

/// The policy at the revision `rev` of a local repository, judged.
pub(crate) fn at_revision(repo: &Repo, rev: &str) -> EditedPolicy {
    let files = super::local_remotes::WithGitHub(AtRevision { repo, rev });
    let Some(text) = repo.show(rev, POLICY_PATH) else { return edited::judge(POLICY_PATH, None) };
    let loaded = load_read(&files, Path::new(POLICY_PATH), text).map(|_| ());
    edited::judge(POLICY_PATH, Some(loaded))
}
