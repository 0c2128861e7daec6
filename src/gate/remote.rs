//! Gating a live pull request: fetch what the policy needs (and no more), evaluate, and publish
//! its plan (the check run, labels and review requests). The CLI, the Action and the App all come
//! through here.

use std::path::Path;

use crate::github::{self, GitHub, RepoName};
use crate::model::Enforcement;
use crate::report::check_run::CannotEvaluate;

use super::Error;
pub use super::apply::Published;
use super::apply::apply;
pub use super::base_policy::load_remote;
pub(crate) use super::gather::{AppFacts, choose_policy, gate_pull, read_pull};
pub use super::gather::{Gated, Reviewers, policy_on_base};
use super::plan::{Current, Plan, plan};

/// Reads a live PR and its policy from the base branch, and evaluates it. Posts nothing.
pub async fn gate(gh: &GitHub, repo: &RepoName, number: u64, explicit_policy: Option<&Path>) -> Result<Gated, Error> {
    let gated = gate_with(gh, repo, number, explicit_policy, None).await?;
    // Without the App's facts the policy is always chosen (the bundled default at worst).
    gated.ok_or_else(|| Error::from(github::Error::bad_answer(format!("{repo}#{number}: no policy applies"))))
}

/// Gathers everything a live PR's evaluation needs (GitHub's facts, its teams and story chains,
/// and the App's facts when given), evaluates once and chooses reviewers once. Posts nothing.
///
/// Requests: the PR, the policy (and each file it extends), the files (a page per 100), the
/// commits and reviews (a page each per 100); the label events only when the override label is
/// on the PR, team members only for teams the policy names without listing their members, and
/// the policy at the PR's head (and each file it extends) only when the PR changes the policy.
///
/// Under the App (`app` given) the policy is the repository's over its baseline
/// (`gate::baseline`); `None` when the repository has neither a policy nor a baseline, and is
/// not gated. Without the App it is always some policy, the bundled default at worst.
#[tracing::instrument(name = "evaluation", skip_all, fields(repo = %repo, pr = number))]
pub(crate) async fn gate_with(
    gh: &GitHub,
    repo: &RepoName,
    number: u64,
    explicit_policy: Option<&Path>,
    app: Option<AppFacts<'_>>,
) -> Result<Option<Gated>, Error> {
    // Read once: the base branch and labels decide what else to fetch; the rest becomes the facts.
    let pull = read_pull(gh, repo, number).await?;
    let chosen = match &app {
        Some(app) => super::baseline::policy_for_app(gh, repo, pull.base(), app.baselines).await,
        None => choose_policy(gh, repo, pull.base(), explicit_policy).await.map(Some),
    };
    // The head read with the PR, for the check run that says the policy does not load.
    let Some(chosen) = chosen.map_err(|e| e.on_head(pull.head_sha()))? else { return Ok(None) };
    if let Some(candidates) = super::merge_group::queue_pr_members(&pull, &chosen.policy) {
        // A queue tool's draft PR holds other PRs' work: it is verified as their group, never
        // failed for lacking a story or a disclosure of its own, and nobody is asked to review it.
        let queue = super::merge_group::verify_queue_pr(gh, repo, number, &pull, candidates, &chosen).await?;
        let mut gated = gate_pull(gh, repo, number, pull, chosen, Reviewers::Skip).await?;
        gated.queue = Some(queue);
        return Ok(Some(gated));
    }
    gate_pull(gh, repo, number, pull, chosen, Reviewers::Choose(app)).await.map(Some)
}

/// Posts a failed check run (neutral in shadow mode) saying why the PR could not be judged, on its
/// current head: `head` when the caller has just read the PR, else the one GitHub names now.
pub(crate) async fn publish_cannot_evaluate(
    gh: &GitHub,
    repo: &RepoName,
    number: u64,
    head: Option<&str>,
    why: CannotEvaluate,
    error: &str,
    enforcement: Enforcement,
) -> Result<Published, Error> {
    let pull;
    let head = match head {
        Some(head) => head,
        None => {
            pull = read_pull(gh, repo, number).await?;
            pull.head_sha().ok_or_else(|| {
                github::Error::bad_answer(format!("{repo}#{number}: the pull request names no head commit"))
            })?
        }
    };
    Ok(apply(gh, repo, &Plan::cannot_evaluate(number, head, why, error, enforcement)).await?)
}

/// Posts the check run on the head commit, sets the tier and tool labels and requests reviewers:
/// the gated PR's plan, applied.
pub async fn publish(gh: &GitHub, repo: &RepoName, gated: &Gated) -> Result<Published, Error> {
    Ok(apply(gh, repo, &gated.plan()?).await?)
}

impl Gated {
    /// What is on the PR now, as it was read to gate it.
    pub fn current(&self) -> Result<Current, Error> {
        let head = self.facts.head_sha.as_ref().ok_or_else(|| {
            Error::from(github::Error::bad_answer("the pull request names no head commit to put a check run on"))
        })?;
        Ok(Current {
            number: self.facts.number.unwrap_or_default(),
            head_sha: head.as_str().to_string(),
            labels: self.labels.clone(),
        })
    }

    /// Whether the policy's verdict blocks (`enforce`) or is only shown (`evaluate`, shadow mode).
    pub fn enforcement(&self) -> Enforcement {
        self.chosen.policy.enforcement
    }

    /// What flowgate will do to the PR: the check run, labels and review requests, and taking
    /// back the requests a reassignment replaced.
    pub fn plan(&self) -> Result<Plan, Error> {
        if let Some(queue) = &self.queue {
            let number = self.current()?.number;
            return Ok(Plan::report_only(number, &queue.head_sha, queue.report.clone(), self.enforcement()));
        }
        let plan = plan(&self.verdict, &self.chosen.policy.ai.labels, self.enforcement(), &self.current()?);
        Ok(plan.withdrawing(self.withdraw.iter().map(|l| l.as_str().to_string())))
    }
}
