//! The digest's review SLO section: what the escalation ladder did in the week, per tier, as team
//! figures (nobody is named; tiers in their fixed order).

use crate::latency::{LadderFigures, LadderTier};
use crate::wording::count;

pub const LADDER: &str = "Review SLOs";
pub const COL_TIER: &str = "tier";
pub const COL_REMINDERS: &str = "reminders";
pub const COL_CHANNEL: &str = "channel messages";
pub const COL_REASSIGNED: &str = "reassignments";
pub const COL_SKIPPED: &str = "skipped";
pub const COL_FAILED: &str = "could not be sent";

/// The section in one sentence.
pub fn summary(f: &LadderFigures) -> String {
    let sum = |get: fn(&LadderTier) -> usize| f.tiers.iter().map(get).sum::<usize>() as u64;
    format!(
        "This week the review SLOs sent {} and {}, and handed {} to another reviewer. Team figures only: reminders go to each reviewer alone.",
        count(sum(LadderTier::reminders), "reminder", "reminders"),
        count(sum(|t| t.channel_messages), "channel message", "channel messages"),
        count(sum(|t| t.reassignments), "request", "requests"),
    )
}

/// A tier's name in the table; `unknown` for a PR whose tier was not recorded.
pub fn tier(t: &LadderTier) -> String {
    t.tier.map_or_else(|| "unknown".to_string(), |t| t.to_string())
}

/// How the reminders went: `3 (2 by Slack, 1 as a comment)`.
pub fn reminders(t: &LadderTier) -> String {
    match (t.reminders_slack, t.reminders_comment) {
        (0, 0) => "0".into(),
        (s, 0) => format!("{s} by Slack"),
        (0, c) => format!("{c} as a PR comment"),
        (s, c) => format!("{} ({s} by Slack, {c} as a PR comment)", s + c),
    }
}

/// Why a step was settled without acting, from the reason the App recorded.
pub fn skip_reason(id: &str) -> String {
    match id {
        "unavailable" => "reviewer unavailable".into(),
        "overtaken" => "a later step was due".into(),
        "no_channel" => "pool without a channel".into(),
        "outside_hours" => "outside working hours".into(),
        other => other.replace('_', " "),
    }
}

/// The skipped steps by reason: `2 (reviewer unavailable: 1, a later step was due: 1)`.
pub fn skipped(t: &LadderTier) -> String {
    let total: usize = t.skipped.values().sum();
    if total == 0 {
        return "0".into();
    }
    let reasons: Vec<String> = t.skipped.iter().map(|(why, n)| format!("{}: {n}", skip_reason(why))).collect();
    format!("{total} ({})", reasons.join(", "))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::Tier;

    #[test]
    fn the_section_counts_what_the_ladder_did_without_naming_anyone() {
        let red = LadderTier {
            tier: Some(Tier::Red),
            reminders_slack: 2,
            reminders_comment: 1,
            channel_messages: 1,
            reassignments: 1,
            skipped: BTreeMap::from([("overtaken".into(), 1), ("unavailable".into(), 2)]),
            failed: 1,
        };
        let unknown = LadderTier { tier: None, reminders_comment: 1, ..LadderTier::default() };
        let f = LadderFigures { tiers: vec![red.clone(), unknown.clone()] };
        insta::assert_snapshot!(summary(&f), @"This week the review SLOs sent 4 reminders and 1 channel message, and handed 1 request to another reviewer. Team figures only: reminders go to each reviewer alone.");
        insta::assert_snapshot!(reminders(&red), @"3 (2 by Slack, 1 as a PR comment)");
        insta::assert_snapshot!(reminders(&unknown), @"1 as a PR comment");
        insta::assert_snapshot!(skipped(&red), @"3 (a later step was due: 1, reviewer unavailable: 2)");
        insta::assert_snapshot!(skipped(&unknown), @"0");
        insta::assert_snapshot!(format!("{} / {}", tier(&red), tier(&unknown)), @"red / unknown");
        insta::assert_snapshot!(skip_reason("no_channel"), @"pool without a channel");
    }
}
