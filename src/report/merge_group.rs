//! A merge group's verification as the `flowgate` check run on the group's head commit: the title,
//! the reasons it is rejected, and a table of its pull requests.

use crate::merge_queue::Judged;
use crate::merge_queue::verify::GroupVerdict;
use crate::model::check_run::CheckRunReport;
use crate::wording::merge_group as wording;

use super::check_run::{SUMMARY_LIMIT, cut};

/// The check run: `success` only for a verified group.
pub fn check_run(verdict: &GroupVerdict, base: &str, policy_origin: &str) -> CheckRunReport {
    let mut summary = String::new();
    if !verdict.problems.is_empty() {
        summary.push_str(&format!("### {}\n\n", wording::PROBLEMS_HEADING));
        for p in &verdict.problems {
            summary.push_str(&format!("- {}\n", wording::problem(p, base)));
        }
        summary.push('\n');
    }
    if !verdict.members.is_empty() {
        summary.push_str(&format!("### {}\n\n", wording::MEMBERS_HEADING));
        summary.push_str(&format!("| {} |\n|{}\n", wording::MEMBER_COLUMNS.join(" | "), "---|".repeat(4)));
        for m in &verdict.members {
            let tier = m.tier.map(|t| t.id().to_string()).unwrap_or_default();
            let approvers: Vec<String> = m.approved_by.iter().map(|l| format!("@{}", l.as_str())).collect();
            let approvers = if approvers.is_empty() { wording::NO_APPROVALS.to_string() } else { approvers.join(", ") };
            let title: String = m.title.chars().filter(|c| !c.is_control() && *c != '|').take(80).collect();
            summary.push_str(&format!(
                "| #{} {} | {tier} | {} | {approvers} |\n",
                m.number,
                crate::wording::Flavor::Markdown.code(&title),
                wording::member_state(m.judged == Judged::Pass),
            ));
        }
        summary.push('\n');
    }
    if verdict.verified() {
        summary.push_str(&wording::verified_note(base, policy_origin));
        summary.push('\n');
    }
    CheckRunReport {
        conclusion: Some(if verdict.verified() { "success" } else { "failure" }),
        title: wording::title(verdict).chars().take(250).collect(),
        summary: cut(&summary, SUMMARY_LIMIT),
        annotations: Vec::new(),
    }
}

/// The check run when the base branch's policy does not load.
pub fn policy_broken(base: &str, error: &str) -> CheckRunReport {
    let (title, summary) = wording::policy_broken(base, error);
    CheckRunReport {
        conclusion: Some("failure"),
        title,
        summary: cut(&summary, SUMMARY_LIMIT),
        annotations: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merge_queue::Member;
    use crate::merge_queue::verify::Problem;
    use crate::model::{Login, Tier};

    fn member(number: u64, title: &str, judged: Judged, approvers: &[&str]) -> Member {
        Member {
            number,
            title: title.into(),
            open: true,
            base_branch: "main".into(),
            head_sha: "0123456789".into(),
            commits: Vec::new(),
            files: Vec::new(),
            judged,
            tier: Some(Tier::Red),
            approved_by: approvers.iter().map(|l| Login::new(*l)).collect(),
        }
    }

    #[test]
    fn a_verified_group_lists_its_prs_and_a_rejected_one_says_why_first() {
        let ok = GroupVerdict {
            members: vec![
                member(1, "Check | the age", Judged::Pass, &["bob", "alice"]),
                member(2, "Docs", Judged::Pass, &[]),
            ],
            problems: Vec::new(),
        };
        let run = check_run(&ok, "main", ".github/flowgate.yml on acme/shop@main");
        assert_eq!(run.conclusion, Some("success"));
        insta::assert_snapshot!(format!("{}\n\n{}", run.title, run.summary), @r"
        Merge group verified: 2 pull requests, each passing, nothing else in it

        ### The pull requests in the group

        | pull request | tier | verdict now | approved by |
        |---|---|---|---|
        | #1 `Check  the age` | red | pass | @bob, @alice |
        | #2 `Docs` | red | pass | none needed |

        Each pull request was evaluated again on its current head under the policy on `main` as it is now (.github/flowgate.yml on acme/shop@main): its story link, AI disclosure, approvals and any override. Every commit of the group was made by the queue from these pull requests or is one of theirs, and every line the group changes is in one of their diffs.
        ");
        let bad = GroupVerdict {
            members: vec![member(1, "Check the age", Judged::NotPass("pending".into()), &[])],
            problems: vec![Problem::NotPassing { pr: 1, why: "pending".into() }],
        };
        let run = check_run(&bad, "main", "policy");
        assert_eq!(run.conclusion, Some("failure"));
        insta::assert_snapshot!(format!("{}\n\n{}", run.title, run.summary), @r"
        Merge group rejected: #1 does not pass now

        ### Why the group is rejected

        - #1 does not pass under the policy on `main` as it is now: pending

        ### The pull requests in the group

        | pull request | tier | verdict now | approved by |
        |---|---|---|---|
        | #1 `Check the age` | red | not pass | none needed |
        ");
        assert_eq!(policy_broken("main", "x.yml:1:1: bad").conclusion, Some("failure"));
    }
}
