//! Where the layers meet: choose the policy, gather the facts, evaluate. Every surface (the CLI,
//! the Action, the App) calls these functions; `remote` does it for a live PR.

pub(crate) mod ai_declaration;
pub mod analyze;
pub(crate) mod apply;
pub(crate) mod assign;
pub(crate) mod base_policy;
pub mod baseline;
pub mod cases;
pub mod chains;
pub mod codeowners;
pub mod digest;
pub mod digest_settings;
pub mod doctor;
pub(crate) mod edited_policy;
pub(crate) mod error;
pub(crate) mod gather;
pub(crate) mod local_remotes;
pub(crate) mod merge_group;
pub mod org_status;
pub(crate) mod plan;
pub mod provenance;
pub mod remote;
pub(crate) mod review_history;
pub mod simulate_assign;
pub mod since;
pub mod slo;
pub(crate) mod story_trace;
pub(crate) mod turn;

use std::path::Path;

use crate::git::{LocalPr, Repo};
use crate::github::parse::ParsedPr;
use crate::model::PrFacts;
use crate::policy::load::{Disk, PolicyFiles, load_bundled, load_from, load_read};
use crate::policy::verdict::Verdict;
use crate::policy::{Policy, evaluate::evaluate};
use crate::wording::origin;
use local_remotes::WithGitHub;

pub use error::Error;

/// Where a repository keeps its policy.
pub const POLICY_PATH: &str = ".github/flowgate.yml";

/// A loaded policy and a sentence saying where it came from.
#[derive(Clone)]
pub struct ChosenPolicy {
    pub policy: Policy,
    pub origin: String,
    /// The baseline the policy was laid over (the App's), against which an edited policy is
    /// judged too.
    pub baseline: Option<std::sync::Arc<crate::policy::baseline::Baseline>>,
}

/// The policy given by `--policy`, else `.github/flowgate.yml` under `dir`, else the bundled default.
pub fn policy_from_disk(explicit: Option<&Path>, dir: &Path) -> Result<ChosenPolicy, Error> {
    // A remote `extends:` is read from GitHub (`local_remotes`).
    let files = WithGitHub(Disk);
    if let Some(path) = explicit {
        return Ok(ChosenPolicy {
            policy: load_from(&files, path)?,
            origin: path.display().to_string(),
            baseline: None,
        });
    }
    let path = dir.join(POLICY_PATH);
    if path.is_file() {
        return Ok(ChosenPolicy {
            policy: load_from(&files, &path)?,
            origin: path.display().to_string(),
            baseline: None,
        });
    }
    Ok(ChosenPolicy {
        policy: load_bundled("default")?,
        origin: origin::bundled_default(POLICY_PATH, None),
        baseline: None,
    })
}

/// `flowgate policy validate`: the policy file at `path` (its remote `extends:` read from GitHub),
/// and what in it is probably not meant.
pub fn policy_with_warnings(path: &Path) -> Result<(Policy, Vec<crate::policy::load::Warning>), Error> {
    Ok(crate::policy::load::load_with_warnings(&WithGitHub(Disk), path)?)
}

/// Gates a saved PR.
pub fn check_snapshot(dir: &Path, policy: &Policy) -> Result<(PrFacts, Verdict), Error> {
    let raw = crate::snapshot::RawSnapshot::read_dir(dir)?;
    let ParsedPr { mut facts, on_pr, base_sha } = crate::github::parse::pull::snapshot(&raw, dir)?;
    analyze::analyze(&mut facts, policy, &mut crate::snapshot::SnapshotContents::new(dir));
    chains::gather_blocking(&mut facts, policy)?;
    // CODEOWNERS if it was saved beside the snapshot: required by the policy, or for reviewers.
    let for_review = crate::policy::codeowners::required_by(policy) || crate::policy::stale::owners_anywhere(policy);
    let base_codeowners = (for_review || policy.reviewers.is_some()).then(|| self::codeowners::in_snapshot(dir));
    if for_review {
        facts.codeowners = base_codeowners.clone();
    }
    let compare = crate::policy::evaluate::needs(&facts, policy).compare;
    if !compare.is_empty() {
        let base_changes = match raw.events.as_deref() {
            Some(events) => Some(crate::github::parse::pull::base_changes(events, dir)?),
            None => None,
        };
        since::compare_saved(&mut facts, &compare, base_sha.as_deref(), base_changes.as_deref(), &raw.compares);
    }
    let mut verdict = evaluate(&facts, policy);
    if let Some(reviewers) = &policy.reviewers {
        // What the snapshot shows: the PR's own requests, and CODEOWNERS if it was saved beside
        // it. Load on other PRs is unknown here, so the choice may differ from the App's.
        let codeowners = base_codeowners.as_ref().and_then(|c| c.file());
        let people = crate::assign::PeopleFacts {
            teams: policy.teams.clone(),
            codeowners: self::assign::owners_of_paths(codeowners, &facts),
            ..Default::default()
        };
        let nobody = self::assign::Reassign::Nobody;
        self::assign::assign(&mut verdict, reviewers, &facts, &on_pr, &people, jiff::Timestamp::now(), &nobody);
    }
    Ok((facts, verdict))
}

/// Gates the current branch of the repository at `dir`. The policy comes from the **base**
/// branch unless `--policy` names a file, so a branch cannot loosen the gate it is judged by.
pub fn check_local(dir: &Path, pr: &LocalPr, explicit_policy: Option<&Path>) -> Result<(ChosenPolicy, Verdict), Error> {
    let repo = Repo::discover(dir)?;
    let mut pr = pr.clone();
    if pr.base.is_none() {
        pr.base = Some(repo.default_base()?);
    }
    let base = pr.base.clone().unwrap_or_default();
    let chosen = match explicit_policy {
        Some(path) => ChosenPolicy {
            policy: load_from(&WithGitHub(Disk), path)?,
            origin: path.display().to_string(),
            baseline: None,
        },
        None => {
            let at_base = WithGitHub(AtRevision { repo: &repo, rev: &base });
            // Read once: whether there is a policy, and its text.
            if let Ok(text) = at_base.read(Path::new(POLICY_PATH)) {
                let policy = load_read(&at_base, Path::new(POLICY_PATH), text)?;
                ChosenPolicy { policy, origin: origin::on_branch(POLICY_PATH, &base), baseline: None }
            } else {
                let policy = load_bundled("default")?;
                ChosenPolicy { policy, origin: origin::bundled_default(POLICY_PATH, Some(&base)), baseline: None }
            }
        }
    };
    let verdict = local_verdict(&repo, &pr, &chosen.policy, &base)?;
    Ok((chosen, verdict))
}

/// Gates the current branch of the repository at `dir` by a policy the caller chose (`flowgate
/// init` shows the policy it just wrote, which is not on the base branch yet).
pub fn check_local_with(dir: &Path, pr: &LocalPr, policy: &Policy) -> Result<Verdict, Error> {
    let repo = Repo::discover(dir)?;
    let mut pr = pr.clone();
    if pr.base.is_none() {
        pr.base = Some(repo.default_base()?);
    }
    let base = pr.base.clone().unwrap_or_default();
    local_verdict(&repo, &pr, policy, &base)
}

fn local_verdict(repo: &Repo, pr: &LocalPr, policy: &Policy, base: &str) -> Result<Verdict, Error> {
    let (mut facts, merge_base) = repo.facts(pr)?;
    if ai_declaration::wanted(policy, &facts) {
        facts.ai_declaration = Some(ai_declaration::at_revision(repo, base));
    }
    if edited_policy::touched(&facts, policy) {
        // The branch's own policy, as it would judge the PRs after this one once merged.
        facts.edited_policy = Some(edited_policy::at_revision(repo, "HEAD"));
    }
    let mut blobs =
        if pr.include_uncommitted { repo.blobs_with_worktree(&merge_base)? } else { repo.blobs(&merge_base, "HEAD")? };
    analyze::analyze(&mut facts, policy, &mut blobs);
    chains::gather_blocking(&mut facts, policy)?;
    let for_review = crate::policy::codeowners::required_by(policy) || crate::policy::stale::owners_anywhere(policy);
    let base_codeowners = (for_review || policy.reviewers.is_some()).then(|| self::codeowners::at_revision(repo, base));
    if for_review {
        facts.codeowners = base_codeowners.clone();
    }
    let mut verdict = evaluate(&facts, policy);
    if let Some(reviewers) = &policy.reviewers {
        // Who would be asked, from the base branch's CODEOWNERS; nothing is requested from here,
        // and load on other PRs is unknown without GitHub.
        let codeowners = base_codeowners.as_ref().and_then(|c| c.file());
        let people = crate::assign::PeopleFacts {
            teams: policy.teams.clone(),
            codeowners: self::assign::owners_of_paths(codeowners, &facts),
            ..Default::default()
        };
        let on = self::assign::OnPr::default();
        let nobody = self::assign::Reassign::Nobody;
        self::assign::assign(&mut verdict, reviewers, &facts, &on, &people, jiff::Timestamp::now(), &nobody);
    }
    Ok(verdict)
}

/// Policy files as they are at a git revision: the policy and every file it extends come from
/// the base branch, never from the working tree a branch can change.
struct AtRevision<'a> {
    repo: &'a Repo,
    rev: &'a str,
}

impl PolicyFiles for AtRevision<'_> {
    fn read(&self, path: &Path) -> Result<String, String> {
        let path = path.to_string_lossy().replace('\\', "/");
        self.repo.show(self.rev, &path).ok_or_else(|| format!("no such file on {}", self.rev))
    }
    fn describe(&self, path: &Path) -> String {
        format!("{}:{}", self.rev, path.display())
    }
}
