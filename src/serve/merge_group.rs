//! The App's side of merge queues: a `merge_group` delivery (`checks_requested`) is verified
//! through `gate::merge_group` and answered with the `flowgate` check run on the group's head
//! commit, the same check a PR gets, so one required check covers both. Each delivery is a unit
//! of its own: a group is never gated with a PR's work.

use anyhow::Context;

use super::App;
use crate::gate::apply::Published;
use crate::gate::merge_group;
use crate::gate::plan::Plan;
use crate::github::RepoName;
use crate::github::parse::webhook::{self, MergeGroupEvent};
use crate::report::check_run::CannotEvaluate;
use crate::store::Work;

/// A merge group to check: as a `merge_group` delivery names it, or the commit and queue branch
/// of a re-run check.
pub enum Asked {
    Group(MergeGroupEvent),
    Rerun { repo: String, head_sha: String, branch: String },
}

impl Asked {
    fn head_sha(&self) -> &str {
        match self {
            Asked::Group(g) => &g.merge_group.head_sha,
            Asked::Rerun { head_sha, .. } => head_sha,
        }
    }

    fn repo(&self) -> &str {
        match self {
            Asked::Group(g) => &g.repository.full_name,
            Asked::Rerun { repo, .. } => repo,
        }
    }
}

/// The merge groups a unit's deliveries ask to check.
pub fn groups(work: &Work) -> Vec<Asked> {
    work.deliveries
        .iter()
        .filter(|d| matches!(d.event.as_str(), "merge_group" | "check_run" | "check_suite"))
        .filter_map(|d| match webhook::Event::parse(&d.event, &d.body) {
            Ok(webhook::Event::MergeGroup(group)) if group.action == "checks_requested" => Some(Asked::Group(group)),
            Ok(webhook::Event::Check(check)) if check.action == "rerequested" => {
                let (head_sha, branch) = check.commit_and_branch()?;
                branch.starts_with("gh-readonly-queue/").then(|| Asked::Rerun {
                    repo: check.repository.full_name.clone(),
                    head_sha: head_sha.to_string(),
                    branch: branch.to_string(),
                })
            }
            Ok(_) => None,
            Err(why) => {
                tracing::warn!(delivery = %d.id, reason = %why, "the delivery names no merge group");
                None
            }
        })
        .collect()
}

/// Verifies one group and posts its check run. An error (GitHub or a tracker not answering) is
/// retried like a PR's: the queue waits for the check rather than hear a false "fail".
pub async fn check(app: &App, installation_id: Option<i64>, asked: &Asked) -> anyhow::Result<()> {
    let repo = RepoName::parse(asked.repo())?;
    let (installation, gh) = app.client(installation_id, &repo).await?;
    let result = async {
        let verified = match asked {
            Asked::Group(group) => merge_group::verify_merge_group(&gh, &repo, &group.merge_group, None).await,
            Asked::Rerun { head_sha, branch, .. } => merge_group::verify_rerun(&gh, &repo, head_sha, branch).await,
        }
        .with_context(|| format!("{repo}: verifying the merge group at {}", asked.head_sha()))?;
        let verdict = verified.report.conclusion.unwrap_or("pending");
        let members: Vec<u64> =
            verified.verdict.iter().flat_map(|v| v.members.iter().map(|m| m.number)).collect();
        match merge_group::publish(&gh, &repo, &verified).await? {
            Published::NotPosted(why) => tracing::warn!(reason = %why, "the merge group was verified, but nothing was posted"),
            Published::Posted { .. } => {
                tracing::info!(conclusion = verdict, enforcement = %verified.enforcement, members = ?members, title = %verified.report.title, "merge group checked")
            }
        }
        anyhow::Ok(())
    }
    .await;
    app.metrics.github(installation, gh.usage().requests, gh.rate_limit_remaining());
    result
}

/// After the last attempt failed: a failed check on each group's head (neutral in shadow mode),
/// so the queue hears "no" with the reason at once instead of waiting for its timeout.
pub async fn say_cannot_evaluate(app: &App, work: &Work, why: CannotEvaluate, error: &str) {
    for asked in groups(work) {
        let posted = async {
            let repo = RepoName::parse(asked.repo())?;
            let (_, gh) = app.client(work.installation_id, &repo).await?;
            let enforcement = super::worker::last_enforcement(app, &repo.to_string()).await;
            let plan = Plan::cannot_evaluate(0, asked.head_sha(), why, error, enforcement);
            gh.post_check_run(&repo, asked.head_sha(), &plan.check_run.report).await.map_err(anyhow::Error::from)
        }
        .await;
        if let Err(e) = posted {
            tracing::warn!(error = %e, "cannot say so on the merge group");
        }
    }
}
