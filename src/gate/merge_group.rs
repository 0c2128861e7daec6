//! Verifying a merge group against GitHub: the group's range, each member PR gated again under
//! the base branch's policy as it is now, and the `flowgate` check run on the group's head commit.
//! GitHub's merge queue (`merge_group`) and a queue tool's draft PR (Mergify) go through the same
//! verification; only how the range and the members are found differs.

use std::collections::BTreeSet;
use std::path::Path;

use futures::stream::{self, StreamExt};

use crate::github::parse::shapes::{CommitJson, CompareJson, FileJson};
use crate::github::parse::webhook::MergeGroupJson;
use crate::github::{self, GitHub, RepoName};
use crate::merge_queue::verify::verify;
use crate::merge_queue::{GroupDiff, Judged, Member, QueueCommit, QueueFile, members};
use crate::policy::verdict::State;
use crate::report;

use super::gather::{self, Gated, Reviewers};
use super::{ChosenPolicy, Error};

/// More members than this in one group are not read: GitHub's queue builds groups of at most 100.
pub const MAX_MEMBERS: usize = 100;
/// Member PRs read and gated at once.
const CONCURRENT_MEMBERS: usize = 4;
/// What one compare answer holds at most (GitHub's documented limits for this request).
const COMPARE_FILES_LIMIT: usize = 300;

pub use crate::merge_queue::Verified;

/// Verifies a GitHub merge group (a `merge_group` delivery or workflow event).
#[tracing::instrument(name = "merge_group", skip_all, fields(repo = %repo, head = %group.head_sha))]
pub async fn verify_merge_group(
    gh: &GitHub,
    repo: &RepoName,
    group: &MergeGroupJson,
    explicit_policy: Option<&Path>,
) -> Result<Verified, Error> {
    let (compare, refs) =
        tokio::try_join!(gh.compare(repo, &group.base_sha, &group.head_sha), gh.queue_refs(repo, group.base_branch()))?;
    let diff = compare_diff(&compare);
    // Members missed here (a queue branch already gone) are not waved through: their commits and
    // lines would be in the range without a member to explain them, and the group is rejected.
    let candidates = members::candidates(&group.head_ref, &group.base_sha, &refs, &diff.commits);
    let chosen = match gather::choose_policy(gh, repo, group.base_branch(), explicit_policy).await {
        Ok(chosen) => chosen,
        Err(e @ Error::Policy { .. }) => {
            return Ok(Verified {
                head_sha: group.head_sha.clone(),
                verdict: None,
                enforcement: e.enforcement(),
                report: report::merge_group::policy_broken(group.base_branch(), &e.to_string()),
            });
        }
        Err(e) => return Err(e),
    };
    verify_members(gh, repo, group.base_branch(), &group.head_sha, diff, candidates, &chosen).await
}

/// Verifies the group of a merge-queue branch again, when a person re-runs flowgate's check on the
/// group's commit: GitHub's re-run names the branch and the commit, not the base, which is found
/// at the bottom of the queue's stack of branches.
pub async fn verify_rerun(gh: &GitHub, repo: &RepoName, head_sha: &str, branch: &str) -> Result<Verified, Error> {
    let head_ref = format!("refs/heads/{}", branch.trim_start_matches("refs/heads/"));
    let unusable =
        || github::Error::bad_answer(format!("{repo}: {branch} is not a merge queue branch flowgate can read"));
    let base = branch
        .trim_start_matches("refs/heads/")
        .strip_prefix("gh-readonly-queue/")
        .and_then(|rest| rest.rsplit_once('/'))
        .map(|(base, _)| base.to_string())
        .ok_or_else(unusable)?;
    let refs = gh.queue_refs(repo, &base).await?;
    let base_sha = members::queue_base(&head_ref, &refs).ok_or_else(unusable)?;
    let group =
        MergeGroupJson { head_sha: head_sha.to_string(), head_ref, base_sha, base_ref: format!("refs/heads/{base}") };
    verify_merge_group(gh, repo, &group, None).await
}

/// A queue tool's draft PR, when `pull` is one (Mergify's, or one `merge_queue.queue_prs` names):
/// its members, from its title.
pub fn queue_pr_members(
    pull: &crate::github::parse::pull::Pull,
    policy: &crate::policy::Policy,
) -> Option<BTreeSet<u64>> {
    let author = pull.json.user.as_ref().map(|u| u.login.as_str()).unwrap_or_default();
    let title = pull.json.title.as_deref().unwrap_or_default();
    members::queue_pr(author, &pull.json.head.ref_, title, &policy.queue_prs)
}

/// Verifies a queue tool's draft PR under the policy its own gating chose: its own diff is the
/// group's range.
pub async fn verify_queue_pr(
    gh: &GitHub,
    repo: &RepoName,
    number: u64,
    pull: &crate::github::parse::pull::Pull,
    candidates: BTreeSet<u64>,
    chosen: &ChosenPolicy,
) -> Result<Verified, Error> {
    let head = pull
        .head_sha()
        .ok_or_else(|| github::Error::bad_answer(format!("{repo}#{number}: the pull request names no head commit")))?
        .to_string();
    let (files, commits) = tokio::try_join!(gh.files(repo, number), gh.commits(repo, number))?;
    let bad =
        |what: &str, e: String| github::Error::bad_answer(format!("{repo}#{number}: its {what} cannot be read: {e}"));
    let files: Vec<FileJson> = github::parse::list(&files).map_err(|e| bad("files", e))?;
    let commits: Vec<CommitJson> = match commits {
        Some(text) => github::parse::list(&text).map_err(|e| bad("commits", e))?,
        None => Vec::new(),
    };
    let mut incomplete = None;
    // GitHub lists at most this many of a pull request's files and commits.
    let (max_files, max_commits) = (github::read::MAX_FILE_PAGES as usize * 100, 250);
    if files.len() >= max_files || commits.len() >= max_commits {
        incomplete = Some(format!(
            "GitHub lists at most 3,000 files and 250 commits of a pull request, and #{number} reaches that"
        ));
    }
    let diff = GroupDiff {
        commits: commits.iter().map(queue_commit).collect(),
        files: files.iter().map(queue_file).collect(),
        incomplete,
    };
    verify_members(gh, repo, pull.base(), &head, diff, candidates, chosen).await
}

/// Gates each member again under `chosen` (the base branch's policy as it is now, read once for
/// all members) and verifies the group. A member GitHub no longer has is a problem of the group;
/// any other failure to read one is an error, so the caller retries rather than rejects the group.
async fn verify_members(
    gh: &GitHub,
    repo: &RepoName,
    base_branch: &str,
    head_sha: &str,
    mut diff: GroupDiff,
    candidates: BTreeSet<u64>,
    chosen: &ChosenPolicy,
) -> Result<Verified, Error> {
    if candidates.len() > MAX_MEMBERS {
        diff.incomplete =
            Some(format!("it names {} pull requests, more than the {MAX_MEMBERS} flowgate reads", candidates.len()));
    }
    let gated: Vec<(u64, Result<Gated, Error>)> = stream::iter(candidates.into_iter().take(MAX_MEMBERS))
        .map(|number| {
            let chosen = chosen.clone();
            async move {
                let gated = async {
                    let pull = gather::read_pull(gh, repo, number).await?;
                    gather::gate_pull(gh, repo, number, pull, chosen, Reviewers::Skip).await
                }
                .await;
                (number, gated)
            }
        })
        .buffered(CONCURRENT_MEMBERS)
        .collect()
        .await;
    let mut found = Vec::new();
    let mut unreadable = Vec::new();
    for (number, gated) in gated {
        match gated {
            Ok(gated) => found.push(member(number, &gated)),
            Err(e) if is_not_found(&e) => {
                unreadable.push((number, e.to_string()));
            }
            Err(e) => return Err(e),
        }
    }
    let verdict = verify(base_branch, &diff, found, unreadable);
    let report = report::merge_group::check_run(&verdict, base_branch, &chosen.origin);
    Ok(Verified {
        head_sha: head_sha.to_string(),
        verdict: Some(verdict),
        report,
        enforcement: chosen.policy.enforcement,
    })
}

/// Posts the group's check run on its head commit, under the same name as a PR's (neutral in
/// shadow mode).
pub async fn publish(gh: &GitHub, repo: &RepoName, verified: &Verified) -> Result<super::apply::Published, Error> {
    Ok(super::apply::apply(gh, repo, &plan(verified)).await?)
}

/// The group's one write: its check run, as the policy enforces it.
pub fn plan(verified: &Verified) -> super::plan::Plan {
    super::plan::Plan::report_only(0, &verified.head_sha, verified.report.clone(), verified.enforcement)
}

/// GitHub answered that it has no such PR (deleted, or never was).
fn is_not_found(e: &Error) -> bool {
    e.github().is_some_and(|g| matches!(g.kind(), github::error::Kind::NotFound))
}

fn member(number: u64, gated: &Gated) -> Member {
    let facts = &gated.facts;
    let verdict = &gated.verdict;
    Member {
        number,
        title: facts.title.clone(),
        open: gated.open,
        base_branch: facts.base_branch.clone(),
        head_sha: facts.head_sha.as_ref().map(|s| s.as_str().to_string()).unwrap_or_default(),
        commits: facts
            .commits
            .iter()
            .map(|c| QueueCommit {
                sha: c.sha.as_str().to_string(),
                parents: Vec::new(),
                message: c.message.clone(),
                author: (c.author.name.clone(), c.author.email.clone()),
            })
            .collect(),
        files: facts
            .files
            .iter()
            .map(|f| QueueFile {
                path: f.path.clone(),
                previous_path: f.previous_path.clone(),
                changes: f.additions + f.deletions,
                patch: f.patch.clone(),
            })
            .collect(),
        judged: match verdict.state {
            State::Pass => Judged::Pass,
            _ => Judged::NotPass(crate::wording::merge_group::not_passing(verdict)),
        },
        tier: Some(verdict.tier),
        approved_by: verdict.review.approved_by.clone(),
    }
}

fn queue_commit(c: &CommitJson) -> QueueCommit {
    let author = c.commit.author.clone().unwrap_or_default();
    QueueCommit {
        sha: c.sha.clone(),
        parents: c.parents.iter().map(|p| p.sha.clone()).collect(),
        message: c.commit.message.clone(),
        author: (author.name.unwrap_or_default(), author.email.unwrap_or_default()),
    }
}

fn queue_file(f: &FileJson) -> QueueFile {
    QueueFile {
        path: f.filename.clone(),
        previous_path: f.previous_filename.clone(),
        changes: f.additions + f.deletions,
        patch: f.patch.clone(),
    }
}

/// The range as GitHub compared it, saying when the answer does not hold all of it.
fn compare_diff(compare: &CompareJson) -> GroupDiff {
    let files = compare.files.as_deref().unwrap_or_default();
    let total = compare.total_commits.unwrap_or(compare.commits.len() as u64);
    let incomplete = if compare.files.is_none() {
        Some("GitHub did not compute the group's diff".to_string())
    } else if total > compare.commits.len() as u64 {
        Some(format!("GitHub lists {} of the group's {total} commits", compare.commits.len()))
    } else if files.len() >= COMPARE_FILES_LIMIT {
        Some(format!("GitHub lists at most {COMPARE_FILES_LIMIT} files of a comparison, and the group reaches that"))
    } else if compare.status.as_deref().is_some_and(|s| s == "behind" || s == "diverged") {
        Some(format!("the group's head is not ahead of its base ({})", compare.status.as_deref().unwrap_or_default()))
    } else {
        None
    };
    GroupDiff {
        commits: compare.commits.iter().map(queue_commit).collect(),
        files: files.iter().map(queue_file).collect(),
        incomplete,
    }
}
