//! What flowgate says about a merge group (GitHub's merge queue, or a queue tool's draft PR): the
//! check run's title, why a group is rejected, and what was verified when it is not.

use super::verdict::{Mark, sections, state_word};
use super::{Flavor, count};
use crate::merge_queue::verify::{GroupVerdict, Problem};
use crate::policy::verdict::Verdict;

const MD: Flavor = Flavor::Markdown;

/// A commit's short name.
fn short(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

/// Text from a commit or a diff, on one line, as inline code: never read as Markdown or mentions.
fn quoted(text: &str) -> String {
    let line: String = text.chars().filter(|c| !c.is_control()).take(120).collect();
    MD.code(&line)
}

/// The one line GitHub shows beside the check.
pub fn title(verdict: &GroupVerdict) -> String {
    let prs = count(verdict.members.len() as u64, "pull request", "pull requests");
    match verdict.problems.first() {
        None if verdict.verified() => format!("Merge group verified: {prs}, each passing, nothing else in it"),
        None => "Merge group rejected".to_string(),
        Some(first) => {
            let more = verdict.problems.len() - 1;
            let rest = if more == 0 {
                String::new()
            } else {
                format!(" (and {})", count(more as u64, "more problem", "more problems"))
            };
            format!("Merge group rejected: {}{rest}", problem_plain(first))
        }
    }
}

/// A problem, in one plain line (for the title).
fn problem_plain(p: &Problem) -> String {
    match p {
        Problem::NoMembers => "it names no pull request".into(),
        Problem::Incomplete(_) => "it cannot be seen whole".into(),
        Problem::Unreadable { pr, .. } => format!("#{pr} cannot be read"),
        Problem::NotOpen { pr } => format!("#{pr} is no longer open"),
        Problem::OtherBase { pr, .. } => format!("#{pr} targets another branch"),
        Problem::NotPassing { pr, .. } => format!("#{pr} does not pass now"),
        Problem::CannotJudge { pr, .. } => format!("#{pr} cannot be judged"),
        Problem::HeadMoved { pr, .. } => format!("#{pr}'s head moved after it was queued"),
        Problem::ForeignCommit { sha, .. } => format!("commit {} is from no member pull request", short(sha)),
        Problem::FileOfNoMember { path } => format!("{path} is changed by no member pull request"),
        Problem::ForeignLines { path, .. } => format!("{path} holds lines no member pull request changes"),
        Problem::Unverifiable { path, .. } => format!("{path} cannot be compared"),
    }
}

/// A problem, as a sentence of the summary (Markdown).
pub fn problem(p: &Problem, base: &str) -> String {
    match p {
        Problem::NoMembers => "Nothing in the group names a pull request (its branch, its commits), so flowgate \
                               cannot tell what it holds."
            .into(),
        Problem::Incomplete(why) => format!("The group cannot be seen whole: {why}."),
        Problem::Unreadable { pr, why } => format!("#{pr} is named by the group but cannot be read: {why}."),
        Problem::NotOpen { pr } => format!("#{pr} is no longer open."),
        Problem::OtherBase { pr, base: theirs } => {
            format!("#{pr} targets {}, not {}.", MD.code(theirs), MD.code(base))
        }
        Problem::NotPassing { pr, why } => {
            format!("#{pr} does not pass under the policy on {} as it is now: {why}", MD.code(base))
        }
        Problem::CannotJudge { pr, why } => format!("#{pr} cannot be judged: {why}"),
        Problem::HeadMoved { pr, queued, now } => format!(
            "#{pr}'s head moved after it was queued: the queue merged {}, and the pull request is now at {}. \
             The new commits were not checked.",
            short(queued),
            short(now)
        ),
        Problem::ForeignCommit { sha, title } => format!(
            "Commit {} ({}) is neither a member pull request's commit nor one the queue made from one.",
            short(sha),
            quoted(title)
        ),
        Problem::FileOfNoMember { path } => {
            format!("{} is changed in the group, but by no member pull request.", MD.code(path))
        }
        Problem::ForeignLines { path, added, lines, more } => {
            let verb = if *added { "adds" } else { "removes" };
            let shown: Vec<String> = lines.iter().map(|l| quoted(l)).collect();
            let rest = if *more > 0 { format!(" and {more} more") } else { String::new() };
            format!(
                "In {}, the group {verb} lines that no member pull request {verb}: {}{rest}.",
                MD.code(path),
                shown.join(", ")
            )
        }
        Problem::Unverifiable { path, why } => {
            format!("{} cannot be compared with the member pull requests: {why}.", MD.code(path))
        }
    }
}

/// Why a member's verdict is not `pass`, in one line: its state, then each rule that is not met
/// with its headline (a story that cannot be traced says which tracker did not answer).
pub fn not_passing(v: &Verdict) -> String {
    let reasons: Vec<String> = sections(v, MD)
        .into_iter()
        .filter(|s| matches!(s.mark, Mark::Fail | Mark::Pending))
        .map(|s| format!("{}: {}", s.title.to_lowercase(), s.headline))
        .collect();
    let state = state_word(v.state);
    if reasons.is_empty() { state.to_string() } else { format!("{state}; {}", reasons.join("; ")) }
}

pub const PROBLEMS_HEADING: &str = "Why the group is rejected";
pub const MEMBERS_HEADING: &str = "The pull requests in the group";
pub const MEMBER_COLUMNS: [&str; 4] = ["pull request", "tier", "verdict now", "approved by"];

/// The verdict cell of one member.
pub fn member_state(passes: bool) -> &'static str {
    if passes { "pass" } else { "not pass" }
}

/// Nobody's approval counted (a tier that needs none).
pub const NO_APPROVALS: &str = "none needed";

/// What a verified group was checked for, said once under the table.
pub fn verified_note(base: &str, origin: &str) -> String {
    format!(
        "Each pull request was evaluated again on its current head under the policy on {} as it is now \
         ({origin}): its story link, AI disclosure, approvals and any override. Every commit of the group was \
         made by the queue from these pull requests or is one of theirs, and every line the group changes is \
         in one of their diffs.",
        MD.code(base)
    )
}

/// When the base branch's policy does not load: the group cannot be judged.
pub fn policy_broken(base: &str, error: &str) -> (String, String) {
    (
        "Merge group rejected: the policy does not load".into(),
        format!(
            "The policy on {} does not load, so no pull request in the group can be judged:\n\n{error}",
            MD.code(base)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merge_queue::{Judged, Member};

    fn member(number: u64) -> Member {
        Member {
            number,
            title: "Check the password's age".into(),
            open: true,
            base_branch: "main".into(),
            head_sha: "0123456789abcdef".into(),
            commits: Vec::new(),
            files: Vec::new(),
            judged: Judged::Pass,
            tier: None,
            approved_by: Vec::new(),
        }
    }

    #[test]
    fn a_member_that_does_not_pass_says_which_rules_it_misses() {
        let pending = crate::wording::verdict::tests::verdict("auth-login");
        let failing = crate::wording::verdict::tests::verdict("agent-undeclared");
        insta::assert_snapshot!(format!("{}\n{}", not_passing(&pending), not_passing(&failing)), @r"
        pending; review: waiting for 1 more approval (red tier)
        fail; story linkage: no work item referenced, and this PR needs one; ai disclosure: markers of GitHub Copilot were found but the PR declares no AI use: add ai:assisted or ai:generated; review: waiting for 1 more approval (yellow tier)
        ");
    }

    #[test]
    fn titles_say_verified_or_the_first_reason() {
        let ok = GroupVerdict { members: vec![member(1), member(2)], problems: Vec::new() };
        insta::assert_snapshot!(title(&ok), @"Merge group verified: 2 pull requests, each passing, nothing else in it");
        let bad = GroupVerdict {
            members: vec![member(1)],
            problems: vec![
                Problem::HeadMoved { pr: 1, queued: "aaaaaaaaaa".into(), now: "bbbbbbbbbb".into() },
                Problem::NotOpen { pr: 1 },
            ],
        };
        insta::assert_snapshot!(title(&bad), @"Merge group rejected: #1's head moved after it was queued (and 1 more problem)");
        let empty = GroupVerdict { members: Vec::new(), problems: vec![Problem::NoMembers] };
        insta::assert_snapshot!(title(&empty), @"Merge group rejected: it names no pull request");
    }

    #[test]
    fn every_problem_has_its_sentence() {
        let problems = vec![
            Problem::NoMembers,
            Problem::Incomplete("GitHub lists 100 of the group's 140 commits".into()),
            Problem::Unreadable { pr: 3, why: "not found".into() },
            Problem::NotOpen { pr: 4 },
            Problem::OtherBase { pr: 5, base: "release".into() },
            Problem::NotPassing { pr: 6, why: "FAIL: no story key".into() },
            Problem::CannotJudge { pr: 7, why: "Jira did not answer".into() },
            Problem::HeadMoved { pr: 8, queued: "aaaaaaaaaa".into(), now: "bbbbbbbbbb".into() },
            Problem::ForeignCommit { sha: "cccccccccc".into(), title: "chore: `bump` @team".into() },
            Problem::FileOfNoMember { path: "ci/deploy.sh".into() },
            Problem::ForeignLines {
                path: "src/login.rs".into(),
                added: true,
                lines: vec!["skip_check();".into()],
                more: 2,
            },
            Problem::ForeignLines {
                path: "src/login.rs".into(),
                added: false,
                lines: vec!["check(pw);".into()],
                more: 0,
            },
            Problem::Unverifiable { path: "assets/logo.png".into(), why: "GitHub sends no patch for it in the group" },
        ];
        let lines: Vec<String> = problems.iter().map(|p| problem(p, "main")).collect();
        insta::assert_snapshot!(lines.join("\n"), @r"
        Nothing in the group names a pull request (its branch, its commits), so flowgate cannot tell what it holds.
        The group cannot be seen whole: GitHub lists 100 of the group's 140 commits.
        #3 is named by the group but cannot be read: not found.
        #4 is no longer open.
        #5 targets `release`, not `main`.
        #6 does not pass under the policy on `main` as it is now: FAIL: no story key
        #7 cannot be judged: Jira did not answer
        #8's head moved after it was queued: the queue merged aaaaaaa, and the pull request is now at bbbbbbb. The new commits were not checked.
        Commit ccccccc (`chore: 'bump' @team`) is neither a member pull request's commit nor one the queue made from one.
        `ci/deploy.sh` is changed in the group, but by no member pull request.
        In `src/login.rs`, the group adds lines that no member pull request adds: `skip_check();` and 2 more.
        In `src/login.rs`, the group removes lines that no member pull request removes: `check(pw);`.
        `assets/logo.png` cannot be compared with the member pull requests: GitHub sends no patch for it in the group.
        ");
        insta::assert_snapshot!(verified_note("main", ".github/flowgate.yml on o/r@main"), @"Each pull request was evaluated again on its current head under the policy on `main` as it is now (.github/flowgate.yml on o/r@main): its story link, AI disclosure, approvals and any override. Every commit of the group was made by the queue from these pull requests or is one of theirs, and every line the group changes is in one of their diffs.");
        let (title, summary) = policy_broken("main", "flowgate.yml:3:1: unknown key");
        insta::assert_snapshot!(format!("{title}\n{summary}"), @r"
        Merge group rejected: the policy does not load
        The policy on `main` does not load, so no pull request in the group can be judged:

        flowgate.yml:3:1: unknown key
        ");
        insta::assert_snapshot!(format!("{} / {} / {}", member_state(true), member_state(false), NO_APPROVALS), @"pass / not pass / none needed");
    }
}
