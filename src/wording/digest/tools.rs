//! The words of the digest's figures per AI tool: the heading, the tools' names (the events
//! carry ids; the tool table names them), the columns, each group's line in Slack and the note
//! that says how a PR is counted.

use super::figures::{hours, percent};
use crate::latency::tools::{AI_UNKNOWN, EndedFigures, HUMAN, ToolFigures};
use crate::policy::ai::markers::AiTool;
use crate::wording::count;

pub const BY_TOOL: &str = "By AI tool";
pub const COL_TOOL: &str = "made with";
pub const COL_MERGE_RATE: &str = "merge rate";
pub const COL_ENDED: &str = "ended";
pub const COL_ENDED_PRS: &str = "PRs ended so";
pub const COL_ROUNDS: &str = "median review rounds";
pub const MERGED: &str = "merged";
pub const CLOSED_UNMERGED: &str = "closed unmerged";

pub fn col_open(unit: &str) -> String {
    format!("median open to merge or close ({unit})")
}

pub fn col_first_review(unit: &str) -> String {
    format!("median first review ({unit})")
}

/// Under the table: how a PR is counted, and why the order never changes.
pub const TOOL_NOTE: &str = "A PR made with two tools counts under each. \"AI, tool unknown\" is AI use declared or \
     detected with no tool named; \"human (no AI)\" is neither. Merge rate is of the PRs merged or closed in the \
     window. The groups keep this order whatever their figures.";

/// A group as people read it: the tool's name, or what the group stands for.
pub fn tool(group: &str) -> String {
    match group {
        AI_UNKNOWN => "AI, tool unknown".to_string(),
        HUMAN => "human (no AI)".to_string(),
        id => AiTool::from_id(id).map_or_else(|| id.to_string(), |tool| tool.name().to_string()),
    }
}

/// `67%`, or a dash when none of the group's PRs ended.
pub fn merge_rate(rate: Option<f64>) -> String {
    rate.map_or_else(|| "–".to_string(), percent)
}

/// One group in one line (Slack): its PRs and merge rate, then each way they ended.
pub fn line(group: &ToolFigures) -> String {
    format!(
        "{}: {}, merge rate {}. {} {}",
        tool(&group.group),
        count(group.prs as u64, "PR", "PRs"),
        merge_rate(group.merge_rate),
        ended("Merged", &group.merged),
        ended("Closed unmerged", &group.closed_unmerged)
    )
}

/// `Merged 2: 6.0 h open, first review after 1.5 h, 0.5 review rounds (medians).`
fn ended(how: &str, figures: &EndedFigures) -> String {
    if figures.prs == 0 {
        return format!("{how}: none.");
    }
    let open = figures.open_hours.median.map_or_else(|| "unknown time".to_string(), hours);
    let first = match figures.first_review_hours.median {
        Some(median) => format!("first review after {}", hours(median)),
        None => "never reviewed".to_string(),
    };
    let rounds = figures.review_rounds.median.unwrap_or(0.0);
    format!("{how} {}: {open} open, {first}, {rounds:.1} review rounds (medians).", figures.prs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::latency::Spread;

    fn spread(median: Option<f64>) -> Spread {
        Spread { count: usize::from(median.is_some()), median, p90: median }
    }

    fn ended(prs: usize, open: Option<f64>, first: Option<f64>, rounds: Option<f64>) -> EndedFigures {
        EndedFigures { prs, open_hours: spread(open), first_review_hours: spread(first), review_rounds: spread(rounds) }
    }

    #[test]
    fn groups_are_named_by_their_tool_or_what_they_stand_for() {
        let names: Vec<String> = ["claude-code", "copilot", "other", "zed", "ai_unknown", "human"].map(tool).into();
        insta::assert_snapshot!(names.join(" | "), @"Claude Code | GitHub Copilot | other AI tool | zed | AI, tool unknown | human (no AI)");
    }

    #[test]
    fn a_line_says_how_the_groups_prs_ended() {
        let claude = ToolFigures {
            group: "claude-code".into(),
            prs: 3,
            merge_rate: Some(0.5),
            merged: ended(1, Some(6.0), Some(0.5), Some(1.0)),
            closed_unmerged: ended(1, Some(30.0), None, Some(0.0)),
        };
        insta::assert_snapshot!(line(&claude), @"Claude Code: 3 PRs, merge rate 50%. Merged 1: 6.0 h open, first review after 30 min, 1.0 review rounds (medians). Closed unmerged 1: 30.0 h open, never reviewed, 0.0 review rounds (medians).");
        let open = ToolFigures { group: "ai_unknown".into(), prs: 1, ..ToolFigures::default() };
        insta::assert_snapshot!(line(&open), @"AI, tool unknown: 1 PR, merge rate –. Merged: none. Closed unmerged: none.");
    }
}
