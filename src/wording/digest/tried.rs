//! The digest's words for what it left out (`latency.exclude`, in the footer) and for targets
//! tried before they are enforced (the "Targets tried, not enforced" section).

use crate::latency::{LeftOut, Rule, RuleCount, TriedTarget, TriedWeek};
use crate::wording::{count, plural};

use super::hours;

pub const TRIED: &str = "Targets tried, not enforced";
pub const COL_WEEK: &str = "week";
pub const COL_WOULD_BREACH: &str = "would have breached";
pub const COL_OUT_OF: &str = "of PRs measured";
pub const COL_LATE_REVIEWS: &str = "late first reviews";
pub const COL_STILL_WAITING: &str = "still waiting past it at week end";

/// What the section's counts are, and that they change nothing.
pub const TRIED_NOTE: &str = "A PR counts in a week when its first review came in it (breached if later than the target) or when, at the week's end, it was still waiting with its wait already past the target. These targets raise no finding and no alert.";

/// `Left out: 12 PRs — 7 by author renovate[bot], 3 reverts, 2 with label no-metrics.`
pub fn left_out(l: &LeftOut) -> String {
    let parts: Vec<String> = l.rules.iter().map(rule).collect();
    format!("Left out: {} — {}.", count(l.prs as u64, "PR", "PRs"), parts.join(", "))
}

fn rule(r: &RuleCount) -> String {
    let n = r.prs as u64;
    let values = r.values.join(", ");
    let several = r.values.len() as u64;
    match r.rule {
        Rule::Authors => format!("{n} by {} {values}", plural(several, "author", "authors")),
        Rule::Drafts => format!("{n} {}", plural(n, "draft all its life", "drafts all their life")),
        Rule::Reverts => count(n, "revert", "reverts"),
        Rule::TitlePrefixes => format!("{n} with a title starting {values}"),
        Rule::BranchPrefixes => format!("{n} from {} {values}", plural(several, "branch prefix", "branch prefixes")),
        Rule::Labels => format!("{n} with {} {values}", plural(several, "label", "labels")),
    }
}

/// `red: a first review within 8.0 h (working hours): 5 of 23 PRs would have breached it over 8 weeks.`
pub fn tried_summary(t: &TriedTarget, unit: &str) -> String {
    let breached: usize = t.weeks.iter().map(|w| w.breached).sum();
    let out_of: usize = t.weeks.iter().map(|w| w.out_of).sum();
    let weeks = t.weeks.len() as u64;
    format!(
        "{}: a first review within {} ({unit}): {breached} of {} would have breached it over {}.",
        t.tier,
        hours(t.target_hours),
        count(out_of as u64, "PR", "PRs"),
        count(weeks, "week", "weeks")
    )
}

/// A week's count in a line: `2 of 5 would have breached it`.
pub fn week_count(w: &TriedWeek) -> String {
    if w.out_of == 0 {
        return "no PR measured".to_string();
    }
    format!("{} of {} would have breached it", w.breached, count(w.out_of as u64, "PR", "PRs"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Tier;
    use chrono::NaiveDate;

    #[test]
    fn the_footer_names_each_rule_with_its_count() {
        let rules = vec![
            RuleCount { rule: Rule::Authors, prs: 7, values: vec!["renovate[bot]".into()] },
            RuleCount { rule: Rule::Reverts, prs: 3, values: vec![] },
            RuleCount { rule: Rule::Labels, prs: 2, values: vec!["no-metrics".into()] },
        ];
        insta::assert_snapshot!(left_out(&LeftOut { prs: 12, rules }), @"Left out: 12 PRs — 7 by author renovate[bot], 3 reverts, 2 with label no-metrics.");
        let rules = vec![
            RuleCount { rule: Rule::Authors, prs: 2, values: vec!["renovate[bot]".into(), "release-bot".into()] },
            RuleCount { rule: Rule::Drafts, prs: 2, values: vec![] },
            RuleCount { rule: Rule::TitlePrefixes, prs: 1, values: vec!["chore(release)".into()] },
            RuleCount { rule: Rule::BranchPrefixes, prs: 1, values: vec!["dependabot/".into()] },
            RuleCount { rule: Rule::Labels, prs: 1, values: vec!["no-metrics".into(), "wip".into()] },
        ];
        insta::assert_snapshot!(left_out(&LeftOut { prs: 7, rules }), @"Left out: 7 PRs — 2 by authors renovate[bot], release-bot, 2 drafts all their life, 1 with a title starting chore(release), 1 from branch prefix dependabot/, 1 with labels no-metrics, wip.");
        let one = vec![RuleCount { rule: Rule::Drafts, prs: 1, values: vec![] }];
        insta::assert_snapshot!(left_out(&LeftOut { prs: 1, rules: one }), @"Left out: 1 PR — 1 draft all its life.");
        let revert = vec![RuleCount { rule: Rule::Reverts, prs: 1, values: vec![] }];
        insta::assert_snapshot!(left_out(&LeftOut { prs: 1, rules: revert }), @"Left out: 1 PR — 1 revert.");
    }

    #[test]
    fn a_tried_target_is_summed_over_its_weeks() {
        let week = |breached, out_of| TriedWeek {
            week: "2025-W10".into(),
            starts_on: NaiveDate::from_ymd_opt(2025, 3, 3).expect("a date"),
            first_reviews: out_of,
            late: breached,
            waiting_over: 0,
            breached,
            out_of,
        };
        let t = TriedTarget { tier: Tier::Red, target_hours: 8.0, weeks: vec![week(2, 10), week(3, 13)] };
        insta::assert_snapshot!(tried_summary(&t, "working hours"), @"red: a first review within 8.0 h (working hours): 5 of 23 PRs would have breached it over 2 weeks.");
        let t = TriedTarget { tier: Tier::Yellow, target_hours: 1.5, weeks: vec![week(0, 1)] };
        insta::assert_snapshot!(tried_summary(&t, "hours"), @"yellow: a first review within 1.5 h (hours): 0 of 1 PR would have breached it over 1 week.");
        insta::assert_snapshot!(week_count(&week(2, 5)), @"2 of 5 PRs would have breached it");
        insta::assert_snapshot!(week_count(&week(0, 0)), @"no PR measured");
        insta::assert_snapshot!(
            format!("{TRIED} | {COL_WEEK} | {COL_WOULD_BREACH} | {COL_OUT_OF} | {COL_LATE_REVIEWS} | {COL_STILL_WAITING}\n{TRIED_NOTE}"),
            @r"
        Targets tried, not enforced | week | would have breached | of PRs measured | late first reviews | still waiting past it at week end
        A PR counts in a week when its first review came in it (breached if later than the target) or when, at the week's end, it was still waiting with its wait already past the target. These targets raise no finding and no alert.
        "
        );
    }
}
