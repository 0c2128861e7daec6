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
