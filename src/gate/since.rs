//! Comparing a PR's approved commits with its head: one `compare` of the base with each approved
//! commit gives the change that was reviewed; a second, only when the approval covered files the
//! head no longer changes, checks whether those landed in the base as reviewed. The PR's own
//! files, commits and issue events, already read, give the head's side. A live PR asks GitHub; a
//! saved PR reads the answers `flowgate snapshot` saved, through the same code.

use std::collections::{BTreeMap, BTreeSet};

use crate::github::parse::shapes::CompareJson;
use crate::github::{self, GitHub, RepoName};
use crate::model::since::{ChangeSince, SinceApproved, Unseen};
use crate::model::{CommitSha, FileStatus, PrFacts, ReviewState};
use crate::since::{Ancestry, Before, Inputs, OwnFile, PatchId, PrAt, classify};

/// GitHub lists at most this many files of a comparison.
const COMPARE_FILES_CAP: usize = 300;

/// Fills `facts.since_approved` for `commits` from GitHub. `base_sha`: the base branch's commit
/// the PR was read against; `base_changes`: when the PR's base was changed (issue events), `None`
/// when they could not be read, which counts as a retarget (fail closed).
pub async fn compare_approved(
    gh: &GitHub,
    repo: &RepoName,
    facts: &mut PrFacts,
    commits: &[CommitSha],
    base_sha: Option<&str>,
    base_changes: Option<&[Option<String>]>,
) {
    let mut found = SinceApproved::new();
    for approved in commits {
        let since = match base_sha {
            None => Err(no_base()),
            Some(base) => {
                match retargeted_after(facts, approved, base_changes, "GitHub did not list the PR's issue events") {
                    Err(unseen) => Err(unseen),
                    Ok(retargeted) => match gh.compare(repo, base, approved.as_str()).await {
                        Err(error) => Err(unseen(error)),
                        Ok(reviewed) => {
                            let mut base_since = None;
                            if needs_base_since(facts, &reviewed) {
                                base_since = gh.compare(repo, approved.as_str(), base).await.ok();
                            }
                            since_from(facts, approved, reviewed, base_since, retargeted)
                        }
                    },
                }
            }
        };
        found.insert(approved.clone(), since);
    }
    facts.since_approved.extend(found);
}

/// Fills `facts.since_approved` for `commits` from a saved PR's `compare/` answers. A comparison
/// the snapshot does not hold is not seen.
pub fn compare_saved(
    facts: &mut PrFacts,
    commits: &[CommitSha],
    base_sha: Option<&str>,
    base_changes: Option<&[Option<String>]>,
    saved: &BTreeMap<String, String>,
) {
    let read = |base: &str, head: &str| -> Result<CompareJson, Unseen> {
        let text = saved.get(&format!("{base}...{head}")).ok_or(Unseen::NotGathered)?;
        github::parse::one(text).map_err(|e| Unseen::Failed { detail: format!("compare/{base}...{head}.json: {e}") })
    };
    let mut found = SinceApproved::new();
    for approved in commits {
        let since = match base_sha {
            None => Err(no_base()),
            Some(base) => {
                let retargeted = retargeted_after(facts, approved, base_changes, "the snapshot holds no events.json");
                retargeted.and_then(|retargeted| read(base, approved.as_str()).map(|r| (r, retargeted))).and_then(
                    |(reviewed, retargeted)| {
                        let base_since =
                            if needs_base_since(facts, &reviewed) { read(approved.as_str(), base).ok() } else { None };
                        since_from(facts, approved, reviewed, base_since, retargeted)
                    },
                )
            }
        };
        found.insert(approved.clone(), since);
    }
    facts.since_approved.extend(found);
}

fn no_base() -> Unseen {
    Unseen::Failed { detail: "GitHub did not say which commit the base is at".into() }
}

/// Whether the base changed after the first approval on `approved`. A change whose time or an
/// approval whose time is unknown counts; events that could not be read (`missing` says why)
/// leave the comparison unseen, since a retarget cannot be ruled out.
fn retargeted_after(
    facts: &PrFacts,
    approved: &CommitSha,
    base_changes: Option<&[Option<String>]>,
    missing: &str,
) -> Result<bool, Unseen> {
    let Some(changes) = base_changes else {
        return Err(Unseen::Failed { detail: format!("{missing}, so a retarget cannot be ruled out") });
    };
    let approved_at = facts
        .reviews
        .iter()
        .filter(|r| r.state == ReviewState::Approved && r.commit_id.as_ref() == Some(approved))
        .map(|r| r.submitted_at.as_deref())
        .min();
    Ok(changes.iter().any(|changed_at| match (changed_at, approved_at.flatten()) {
        // RFC 3339 times from GitHub are all UTC with a `Z`, so they order as text.
        (Some(changed), Some(approved)) => changed.as_str() > approved,
        _ => true,
    }))
}

/// Whether the approved change holds files the head no longer changes, which only the base's
/// own changes since can excuse.
fn needs_base_since(facts: &PrFacts, reviewed: &CompareJson) -> bool {
    let head: BTreeSet<&str> = facts.files.iter().map(|f| f.path.as_str()).collect();
    reviewed.files.iter().flatten().any(|f| !head.contains(f.filename.as_str()))
}

/// The change since `approved`, from the comparison of the base with it (`reviewed`), the base's
/// changes since it (`base_since`, when read) and the PR's head as gathered.
fn since_from(
    facts: &PrFacts,
    approved: &CommitSha,
    reviewed: CompareJson,
    base_since: Option<CompareJson>,
    retargeted: bool,
) -> Result<ChangeSince, Unseen> {
    let files = reviewed
        .files
        .ok_or_else(|| Unseen::Failed { detail: format!("GitHub sent no files for the comparison with {approved}") })?;
    let listed = reviewed.commits.len() as u64;
    let total_commits = reviewed.total_commits.unwrap_or(listed);
    if files.len() >= COMPARE_FILES_CAP || total_commits > listed {
        return Err(Unseen::TooBig {
            files: (files.len() >= COMPARE_FILES_CAP).then_some(files.len() as u64),
            commits: (total_commits > listed).then_some(total_commits),
        });
    }
    head_is_whole(facts)?;
    let approved_side = PrAt {
        tree: reviewed
            .commits
            .last()
            .filter(|c| c.sha == approved.as_str())
            .and_then(|c| c.commit.tree.clone())
            .map(|t| t.sha),
        fork: fork(reviewed.commits.iter().map(|c| (c.sha.as_str(), c.parents.iter().map(|p| p.sha.as_str())))),
        own: files
            .iter()
            .map(|f| OwnFile {
                path: f.filename.clone(),
                previous_path: f.previous_filename.clone(),
                patch: f.patch.clone(),
                blob: f.sha.clone(),
                before: before(&f.status),
            })
            .collect(),
        messages: reviewed.commits.iter().map(|c| c.commit.message.trim_end().to_string()).collect(),
    };
    let head_side = PrAt {
        tree: facts.commits.last().filter(|c| facts.head_sha.as_ref() == Some(&c.sha)).and_then(|c| c.tree.clone()),
        fork: fork(facts.commits.iter().map(|c| (c.sha.as_str(), c.parents.iter().map(|p| p.as_str())))),
        own: facts
            .files
            .iter()
            .map(|f| OwnFile {
                path: f.path.clone(),
                previous_path: f.previous_path.clone(),
                patch: f.patch.clone(),
                blob: f.blob.clone(),
                before: before(&f.status),
            })
            .collect(),
        messages: facts.commits.iter().map(|c| c.message.trim_end().to_string()).collect(),
    };
    let ancestry = match facts.commits.iter().position(|c| &c.sha == approved) {
        Some(at) => Ancestry::Descendant {
            own_commits_after: facts.commits[at + 1..].iter().filter(|c| c.parents.len() < 2).count(),
        },
        None => Ancestry::Rewritten,
    };
    let landed_in_base = landed(&approved_side, &head_side, base_since);
    let inputs = Inputs {
        approved: approved_side,
        head: head_side,
        ancestry,
        retargeted,
        landed_in_base,
        // GitHub cannot recompute a merge; the PR's own patches being unchanged stands for it.
        merge_differs: BTreeSet::new(),
    };
    Ok(classify(&inputs))
}

/// Where a side's own commits (each with its parents) leave the base: the one parent outside
/// them. Several (a merge of the base) or none (no parents listed) leave it unknown.
fn fork<'a, P: Iterator<Item = &'a str>>(commits: impl Iterator<Item = (&'a str, P)> + Clone) -> Option<String> {
    let own: BTreeSet<&str> = commits.clone().map(|(sha, _)| sha).collect();
    let outside: BTreeSet<&str> = commits.flat_map(|(_, parents)| parents).filter(|p| !own.contains(p)).collect();
    match outside.into_iter().collect::<Vec<_>>().as_slice() {
        [one] => Some(one.to_string()),
        _ => None,
    }
}

/// What GitHub says of a file where the change leaves the base: only that an added file was not
/// there. It lists the blob a change ends with, not the one it starts from.
fn before(status: &FileStatus) -> Before {
    match status {
        FileStatus::Added => Before::Absent,
        _ => Before::Unknown,
    }
}

/// The head's side must be whole: a PR whose file or commit list GitHub cut short cannot vouch.
fn head_is_whole(facts: &PrFacts) -> Result<(), Unseen> {
    let v = &facts.visibility;
    let files_cut =
        v.files_total.is_some_and(|t| t > facts.files.len() as u64) || facts.files.len() >= COMPARE_FILES_CAP;
    let commits_cut = v.commits_missing || v.commits_total.is_some_and(|t| t > facts.commits.len() as u64);
    if files_cut || commits_cut {
        return Err(Unseen::TooBig {
            files: files_cut.then(|| v.files_total.unwrap_or(facts.files.len() as u64)),
            commits: commits_cut.then(|| v.commits_total.unwrap_or(facts.commits.len() as u64)),
        });
    }
    Ok(())
}

/// Of the files the approval covered that the head no longer changes, those the base now changes
/// the same way since the approved commit left it (a stack parent squash-merged). Without the
/// base's side nothing is excused.
fn landed(approved: &PrAt, head: &PrAt, base_since: Option<CompareJson>) -> BTreeSet<String> {
    let Some(base_since) = base_since else { return BTreeSet::new() };
    let base_files = base_since.files.unwrap_or_default();
    let head_paths: BTreeSet<&str> = head.own.iter().map(|f| f.path.as_str()).collect();
    approved
        .own
        .iter()
        .filter(|reviewed| !head_paths.contains(reviewed.path.as_str()))
        .filter(|reviewed| {
            base_files.iter().any(|f| {
                f.filename == reviewed.path
                    && match (&f.patch, &reviewed.patch) {
                        (Some(a), Some(b)) => PatchId::of(a) == PatchId::of(b),
                        _ => f.sha.is_some() && f.sha == reviewed.blob,
                    }
            })
        })
        .map(|f| f.path.clone())
        .collect()
}

fn unseen(error: github::Error) -> Unseen {
    match error.kind() {
        github::error::Kind::NotFound => Unseen::Unreachable,
        _ => Unseen::Failed { detail: error.to_string().lines().next().unwrap_or_default().to_string() },
    }
}
