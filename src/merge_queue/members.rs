//! Which pull requests a merge group holds, read from what the queue writes: GitHub's queue branch
//! (`gh-readonly-queue/<base>/pr-<N>-<sha>`), the commits it makes (`Merge pull request #N from
//! ...`, a squash titled `... (#N)`), and Mergify's draft pull requests (`merge queue: embarking
//! main (abc1234), #12 and #13 together`). These only name candidates: each one is then read and
//! verified, so a commit message cannot vouch for anything.

use std::collections::BTreeSet;

use super::QueueCommit;

/// The PR number in GitHub's queue branch: `refs/heads/gh-readonly-queue/main/pr-104-929f82...`
/// names PR 104. The base branch may itself contain slashes.
pub fn queue_branch_pr(head_ref: &str) -> Option<u64> {
    let branch = head_ref.strip_prefix("refs/heads/").unwrap_or(head_ref);
    let rest = branch.strip_prefix("gh-readonly-queue/")?;
    let (_base, last) = rest.rsplit_once('/')?;
    let (number, sha) = last.strip_prefix("pr-")?.split_once('-')?;
    (!sha.is_empty() && sha.bytes().all(|b| b.is_ascii_hexdigit())).then_some(())?;
    number.parse().ok()
}

/// The commit a GitHub queue branch is stacked on: its base branch's commit for the first entry,
/// else the head of the entry ahead of it (`pr-104-929f82...` is stacked on `929f82...`).
pub fn stacked_on(head_ref: &str) -> Option<&str> {
    let branch = head_ref.strip_prefix("refs/heads/").unwrap_or(head_ref);
    let (_, last) = branch.strip_prefix("gh-readonly-queue/")?.rsplit_once('/')?;
    let (_, sha) = last.strip_prefix("pr-")?.split_once('-')?;
    (!sha.is_empty() && sha.bytes().all(|b| b.is_ascii_hexdigit())).then_some(sha)
}

/// The PRs of a GitHub merge group, by following its queue branches down to the base: each
/// branch is stacked on the head of the one ahead of it. `refs` are the queue's branches as
/// `(name, the commit it points at)`. Returns the PRs found, and whether the walk reached the
/// base (a branch already gone leaves it short; the group's lines then show what is missing).
pub fn queue_chain(head_ref: &str, base_sha: &str, refs: &[(String, String)]) -> (BTreeSet<u64>, bool) {
    let mut found = BTreeSet::new();
    let mut current = head_ref.to_string();
    // Each step names a new PR, so at most one step per branch.
    for _ in 0..=refs.len() {
        let Some(number) = queue_branch_pr(&current) else { return (found, false) };
        if !found.insert(number) {
            return (found, false);
        }
        let Some(below) = stacked_on(&current) else { return (found, false) };
        if below.eq_ignore_ascii_case(base_sha) {
            return (found, true);
        }
        match refs.iter().find(|(_, sha)| sha.eq_ignore_ascii_case(below)) {
            Some((name, _)) => current = name.clone(),
            None => return (found, false),
        }
    }
    (found, false)
}

/// The base commit under a queue branch, when a delivery does not say it (a check re-run on a
/// group's commit): the commit at the bottom of its stack, the first one no queue branch points at.
pub fn queue_base(head_ref: &str, refs: &[(String, String)]) -> Option<String> {
    let mut below = stacked_on(head_ref)?.to_string();
    for _ in 0..=refs.len() {
        match refs.iter().find(|(_, sha)| sha.eq_ignore_ascii_case(&below)) {
            Some((name, _)) => below = stacked_on(name)?.to_string(),
            None => return Some(below),
        }
    }
    None
}

/// The PR a queue-made commit names: `Merge pull request #N from owner/branch` (the merge
/// method), or a first line ending in `(#N)` (squash; GitHub writes the PR's title so).
pub fn commit_pr(commit: &QueueCommit) -> Option<u64> {
    let title = commit.title().trim_end();
    if let Some(rest) = title.strip_prefix("Merge pull request #") {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        return digits.parse().ok().filter(|_| rest[digits.len()..].starts_with(" from "));
    }
    let inner = title.strip_suffix(')')?;
    let (_, number) = inner.rsplit_once("(#")?;
    number.parse().ok()
}

/// A queue tool's draft PRs, as a policy names them (`merge_queue.queue_prs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuePrRule {
    pub author: String,
    pub branch_prefix: String,
}

/// The members of a queue tool's draft PR: for Mergify's, the PRs its title embarks; for one a
/// policy rule names, every `#N` its title names. `None` when the PR is no queue PR. A queue PR
/// whose title names nothing has no members, and its group is rejected.
pub fn queue_pr(author: &str, branch: &str, title: &str, rules: &[QueuePrRule]) -> Option<BTreeSet<u64>> {
    if is_mergify_queue_pr(author, branch) {
        return Some(mergify_members(title).unwrap_or_default());
    }
    let named = rules.iter().any(|r| r.author.eq_ignore_ascii_case(author) && branch.starts_with(&r.branch_prefix));
    named.then(|| numbers_in(title))
}

/// Every `#N` in a text, as a whole token (`#12`, `(#12)`, `#12,`; not `abc#12`).
fn numbers_in(text: &str) -> BTreeSet<u64> {
    let mut found = BTreeSet::new();
    for (i, _) in text.match_indices('#') {
        if text[..i].chars().next_back().is_some_and(|c| c.is_alphanumeric()) {
            continue;
        }
        let digits: String = text[i + 1..].chars().take_while(char::is_ascii_digit).collect();
        if let Ok(n) = digits.parse() {
            found.insert(n);
        }
    }
    found
}

/// Mergify's queue pull requests: opened by `mergify[bot]` on a `mergify/merge-queue/` branch.
pub fn is_mergify_queue_pr(author: &str, head_branch: &str) -> bool {
    author.eq_ignore_ascii_case("mergify[bot]") && head_branch.starts_with("mergify/merge-queue/")
}

/// The PRs a Mergify queue PR's title embarks: `merge queue: embarking 9.4 (3414cb8), #4480 and
/// #4481 together` names 4480 and 4481. `None` when the title is not of that form.
pub fn mergify_members(title: &str) -> Option<BTreeSet<u64>> {
    let rest = title.trim().strip_prefix("merge queue: embarking ")?.strip_suffix(" together")?;
    // After the base branch and its short sha: "9.4 (3414cb8), #4480 and #4481", or with one
    // PR "main (827599e) and #8526".
    let (_, prs) = rest.split_once(')')?;
    let prs = prs.strip_prefix(", ").or_else(|| prs.strip_prefix(" and "))?;
    let mut found = BTreeSet::new();
    for part in prs.split(", ").flat_map(|p| p.split(" and ")) {
        let number = part.trim().strip_prefix('#')?;
        found.insert(number.parse().ok()?);
    }
    (!found.is_empty()).then_some(found)
}

/// Every PR a GitHub merge group names: its queue branches', and each of its commits'.
pub fn candidates(head_ref: &str, base_sha: &str, refs: &[(String, String)], commits: &[QueueCommit]) -> BTreeSet<u64> {
    let (chain, _) = queue_chain(head_ref, base_sha, refs);
    chain.into_iter().chain(queue_branch_pr(head_ref)).chain(commits.iter().filter_map(commit_pr)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(message: &str) -> QueueCommit {
        QueueCommit { message: message.into(), ..QueueCommit::default() }
    }

    #[test]
    fn the_queue_branch_names_its_pr_whatever_the_base_branch_is_called() {
        let real = "refs/heads/gh-readonly-queue/main/pr-104-929f8209d40f77f4abc622a499c93a83babdbe64";
        assert_eq!(queue_branch_pr(real), Some(104));
        assert_eq!(queue_branch_pr("gh-readonly-queue/release/2.x/pr-7-abc123"), Some(7));
        assert_eq!(queue_branch_pr("refs/heads/feature/pr-104-abc"), None, "not a queue branch");
        assert_eq!(queue_branch_pr("gh-readonly-queue/main/pr-x-abc"), None);
        assert_eq!(queue_branch_pr("gh-readonly-queue/main/pr-12-"), None);
    }

    #[test]
    fn a_group_is_followed_down_its_stacked_queue_branches_to_the_base() {
        // As `git ls-remote` shows them: each branch is stacked on the head of the one ahead.
        let refs = vec![
            ("refs/heads/gh-readonly-queue/main/pr-18433-24646d44bd".to_string(), "3ab1508160".to_string()),
            ("refs/heads/gh-readonly-queue/main/pr-18444-66abef3fde".to_string(), "24646d44bd".to_string()),
            ("refs/heads/gh-readonly-queue/main/pr-18445-2502b8a101".to_string(), "c2815a2023".to_string()),
        ];
        let head = "refs/heads/gh-readonly-queue/main/pr-18433-24646d44bd";
        assert_eq!(queue_chain(head, "66abef3fde", &refs), ([18433, 18444].into(), true));
        assert_eq!(queue_chain(head, "0000000000", &refs), ([18433, 18444].into(), false), "a branch is gone");
        assert_eq!(stacked_on("refs/heads/gh-readonly-queue/main/pr-7-abc123"), Some("abc123"));
        assert_eq!(queue_base(head, &refs).as_deref(), Some("66abef3fde"), "below the last branch of the stack");
        let looped = vec![("refs/heads/gh-readonly-queue/main/pr-1-aa".to_string(), "aa".to_string())];
        assert_eq!(queue_chain("refs/heads/gh-readonly-queue/main/pr-1-aa", "bb", &looped), ([1].into(), false));
    }

    #[test]
    fn queue_made_commits_name_their_pr_and_other_commits_do_not() {
        assert_eq!(commit_pr(&commit("Merge pull request #2048 from octo-repo/update-readme\n\nUpdate")), Some(2048));
        assert_eq!(commit_pr(&commit("Add the login page (#31)\n\n* wip")), Some(31));
        assert_eq!(commit_pr(&commit("Merge pull request #12 into main")), None, "not GitHub's words");
        assert_eq!(commit_pr(&commit("fix: see (#notanumber)")), None);
        assert_eq!(commit_pr(&commit("Merge branch 'main' into feature")), None);
        assert_eq!(commit_pr(&commit("wip")), None);
    }

    #[test]
    fn a_queue_tool_the_policy_names_is_recognised_by_account_and_branch_together() {
        let rules = vec![QueuePrRule { author: "aviator-app[bot]".into(), branch_prefix: "mq-tmp-".into() }];
        let title = "MergeQueue: testing #12, #15 (and abc#99)";
        assert_eq!(queue_pr("aviator-app[bot]", "mq-tmp-41", title, &rules), Some([12, 15].into()));
        assert_eq!(queue_pr("mallory", "mq-tmp-41", title, &rules), None, "another author");
        assert_eq!(queue_pr("aviator-app[bot]", "feature/x", title, &rules), None, "another branch");
        let mergify = "merge queue: embarking main (827599e) and #8526 together";
        assert_eq!(queue_pr("mergify[bot]", "mergify/merge-queue/ab", mergify, &[]), Some([8526].into()));
        assert_eq!(queue_pr("mergify[bot]", "mergify/merge-queue/ab", "something else", &[]), Some([].into()));
    }

    #[test]
    fn mergify_queue_titles_name_every_embarked_pr() {
        // Real titles: elastic/cloudbeat#4498, haskell/cabal#11324, ZcashFoundation/zebra#8546.
        let five = "merge queue: embarking 9.4 (799bfeb), #4480, #4481, #4482, #4483 and #4430 together";
        assert_eq!(mergify_members(five), Some([4430, 4480, 4481, 4482, 4483].into()));
        let two = "merge queue: embarking 3.16 (048b782), #11241 and #11320 together";
        assert_eq!(mergify_members(two), Some([11241, 11320].into()));
        let one = "merge queue: embarking main (827599e) and #8526 together";
        assert_eq!(mergify_members(one), Some([8526].into()));
        assert_eq!(mergify_members("merge queue: embarking main (827599e) and mallory together"), None);
        assert_eq!(mergify_members("Add the login page"), None);
        assert!(is_mergify_queue_pr("mergify[bot]", "mergify/merge-queue/4d7cdcdcbd"));
        assert!(!is_mergify_queue_pr("mallory", "mergify/merge-queue/4d7cdcdcbd"));
    }
}
