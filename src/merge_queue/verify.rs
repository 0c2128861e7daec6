//! Whether a merge group holds only what its member PRs were approved for: each member open on
//! the group's base branch and passing now; every commit of the range made by the queue from a
//! member (or one of the member's own); every line the range adds or removes found in a member's
//! diff. What cannot be seen whole (a truncated range, a file without a patch) is a problem too:
//! the group is never verified by default.

use std::collections::{BTreeMap, BTreeSet};

use super::{GroupDiff, Judged, Member, QueueCommit, QueueFile, members};

/// Lines of one file reported as injected, at most; the rest are counted.
pub const LINES_SHOWN_PER_FILE: usize = 3;

/// Why a group is not verified. Each names what a person would look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Nothing in the group names a pull request.
    NoMembers,
    /// GitHub's answer did not hold the whole range.
    Incomplete(String),
    /// A member PR could not be read at all.
    Unreadable {
        pr: u64,
        why: String,
    },
    NotOpen {
        pr: u64,
    },
    OtherBase {
        pr: u64,
        base: String,
    },
    /// The member's verdict under today's policy is not `pass`.
    NotPassing {
        pr: u64,
        why: String,
    },
    CannotJudge {
        pr: u64,
        why: String,
    },
    /// The queue merged a head other than the PR's head now: it moved after it was queued.
    HeadMoved {
        pr: u64,
        queued: String,
        now: String,
    },
    /// A commit in the range that no member made and the queue did not make for a member.
    ForeignCommit {
        sha: String,
        title: String,
    },
    /// A file the range changes that no member PR changes.
    FileOfNoMember {
        path: String,
    },
    /// Lines the range adds (or removes) in a file that no member's diff adds (or removes).
    ForeignLines {
        path: String,
        added: bool,
        lines: Vec<String>,
        more: usize,
    },
    /// A file whose change cannot be compared (GitHub sends no patch for it).
    Unverifiable {
        path: String,
        why: &'static str,
    },
}

/// The verification of one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupVerdict {
    /// The members, in PR-number order.
    pub members: Vec<Member>,
    pub problems: Vec<Problem>,
}

impl GroupVerdict {
    pub fn verified(&self) -> bool {
        self.problems.is_empty() && !self.members.is_empty()
    }
}

/// Verifies a group given its range, the members read (by number) and the numbers that could not
/// be read with why.
pub fn verify(
    base_branch: &str,
    diff: &GroupDiff,
    mut members: Vec<Member>,
    unreadable: Vec<(u64, String)>,
) -> GroupVerdict {
    members.sort_by_key(|m| m.number);
    let mut problems = Vec::new();
    if members.is_empty() && unreadable.is_empty() {
        problems.push(Problem::NoMembers);
    }
    if let Some(why) = &diff.incomplete {
        problems.push(Problem::Incomplete(why.clone()));
    }
    problems.extend(unreadable.into_iter().map(|(pr, why)| Problem::Unreadable { pr, why }));
    for m in &members {
        if !m.open {
            problems.push(Problem::NotOpen { pr: m.number });
        }
        if m.base_branch != base_branch {
            problems.push(Problem::OtherBase { pr: m.number, base: m.base_branch.clone() });
        }
        match &m.judged {
            Judged::Pass => {}
            Judged::NotPass(why) => problems.push(Problem::NotPassing { pr: m.number, why: why.clone() }),
            Judged::CannotJudge(why) => problems.push(Problem::CannotJudge { pr: m.number, why: why.clone() }),
        }
    }
    problems.extend(commit_problems(&diff.commits, &members));
    problems.extend(content_problems(&diff.files, &members));
    GroupVerdict { members, problems }
}

/// Each commit of the range must be a member's own commit, or one the queue made for a member:
/// a merge of the member's head (whose head must be the PR's head now), a squash titled with its
/// number, or a rebased copy (same message and author) of one of its commits.
fn commit_problems(commits: &[QueueCommit], members: &[Member]) -> Vec<Problem> {
    let by_number: BTreeMap<u64, &Member> = members.iter().map(|m| (m.number, m)).collect();
    let own: BTreeSet<&str> = members.iter().flat_map(|m| m.commits.iter().map(|c| c.sha.as_str())).collect();
    let heads: BTreeSet<&str> = members.iter().map(|m| m.head_sha.as_str()).collect();
    let rebased: BTreeSet<(&str, &(String, String))> =
        members.iter().flat_map(|m| m.commits.iter().map(|c| (c.message.trim_end(), &c.author))).collect();
    let mut problems = Vec::new();
    for c in commits {
        if own.contains(c.sha.as_str()) {
            continue;
        }
        let named = members::commit_pr(c).and_then(|n| by_number.get(&n).copied());
        if c.parents.len() >= 2 {
            let merged = &c.parents[1..];
            if merged.iter().any(|p| heads.contains(p.as_str())) {
                continue;
            }
            if let Some(m) = named {
                // GitHub's merge of this PR, of a head the PR no longer has.
                let queued = merged.first().cloned().unwrap_or_default();
                problems.push(Problem::HeadMoved { pr: m.number, queued, now: m.head_sha.clone() });
                continue;
            }
        } else if named.is_some() || rebased.contains(&(c.message.trim_end(), &c.author)) {
            continue;
        }
        problems.push(Problem::ForeignCommit { sha: c.sha.clone(), title: c.title().to_string() });
    }
    problems
}

/// The lines a patch adds and removes, each with how often.
fn lines(patch: &str) -> (BTreeMap<&str, usize>, BTreeMap<&str, usize>) {
    let (mut added, mut removed) = (BTreeMap::new(), BTreeMap::new());
    for line in patch.lines() {
        if let Some(l) = line.strip_prefix('+') {
            *added.entry(l).or_insert(0) += 1;
        } else if let Some(l) = line.strip_prefix('-') {
            *removed.entry(l).or_insert(0) += 1;
        }
    }
    (added, removed)
}

fn touches(file: &QueueFile, path: &str) -> bool {
    file.path == path || file.previous_path.as_deref() == Some(path)
}

/// Every file of the range must be one a member changes, and every line it adds or removes must
/// be added or removed by a member (as often): a change the queue merged that no one reviewed is
/// found by its lines, whatever commit carries it.
fn content_problems(files: &[QueueFile], members: &[Member]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for file in files {
        let theirs: Vec<&QueueFile> = members
            .iter()
            .flat_map(|m| m.files.iter())
            .filter(|f| touches(f, &file.path) || file.previous_path.as_deref().is_some_and(|p| touches(f, p)))
            .collect();
        if theirs.is_empty() {
            problems.push(Problem::FileOfNoMember { path: file.path.clone() });
            continue;
        }
        if file.changes == 0 {
            // A rename or a mode change: no line to compare, and a member changes the file.
            continue;
        }
        let Some(patch) = &file.patch else {
            problems.push(Problem::Unverifiable {
                path: file.path.clone(),
                why: "GitHub sends no patch for it in the group",
            });
            continue;
        };
        let mut known_added: BTreeMap<&str, usize> = BTreeMap::new();
        let mut known_removed: BTreeMap<&str, usize> = BTreeMap::new();
        let mut unseen = false;
        for f in &theirs {
            match &f.patch {
                Some(p) => {
                    let (a, r) = lines(p);
                    a.into_iter().for_each(|(l, n)| *known_added.entry(l).or_insert(0) += n);
                    r.into_iter().for_each(|(l, n)| *known_removed.entry(l).or_insert(0) += n);
                }
                None if f.changes > 0 => unseen = true,
                None => {}
            }
        }
        if unseen {
            problems.push(Problem::Unverifiable {
                path: file.path.clone(),
                why: "GitHub sends no patch for it in a member PR",
            });
            continue;
        }
        let (added, removed) = lines(patch);
        for (side, group, known) in [(true, added, known_added), (false, removed, known_removed)] {
            let mut extra: Vec<String> = Vec::new();
            let mut count = 0;
            for (line, n) in group {
                let surplus = n.saturating_sub(known.get(line).copied().unwrap_or(0));
                if surplus > 0 {
                    count += surplus;
                    if extra.len() < LINES_SHOWN_PER_FILE {
                        extra.push(line.to_string());
                    }
                }
            }
            if count > 0 {
                let more = count - extra.len();
                problems.push(Problem::ForeignLines { path: file.path.clone(), added: side, lines: extra, more });
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests;
