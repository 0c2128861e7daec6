//! What the review SLO ladder did in the digest's window, per tier: reminders sent (by Slack or a
//! PR comment), channel messages, reassignments, the steps skipped by reason and those that
//! failed. Team figures only: nobody is named, and the tiers come in their fixed order, never by
//! speed. Pure: the store hands over the window's steps as recorded (`slo_steps`), and the digest
//! builder knows each PR's tier from its events.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::Tier;

/// One row of `slo_steps` in the window, without the reviewer's login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LadderStep {
    pub repo: String,
    pub pr: u64,
    /// `remind`, `channel`, `reassign`.
    pub step: String,
    /// `sent`, `skipped: <why>`, `failed: <why>`, or `claimed` (under way: not counted).
    pub outcome: String,
    /// `slack_dm`, `comment` (or `pr_comment`), `channel`, `no_channel`, `reassign`.
    pub via: Option<String>,
}

/// The ladder's week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LadderFigures {
    /// Every tier with a step, red first; a PR whose tier is not known last (`tier: null`).
    pub tiers: Vec<LadderTier>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct LadderTier {
    pub tier: Option<Tier>,
    /// Reminders sent: by Slack direct message, and as a PR comment.
    pub reminders_slack: usize,
    pub reminders_comment: usize,
    /// Messages to a pool's channel.
    pub channel_messages: usize,
    /// Requests handed to another reviewer.
    pub reassignments: usize,
    /// Steps settled without acting, by reason (`unavailable`, `overtaken`, `no_channel`, …).
    pub skipped: BTreeMap<String, usize>,
    /// Steps that could not be sent (Slack or GitHub refused).
    pub failed: usize,
}

impl LadderTier {
    pub fn reminders(&self) -> usize {
        self.reminders_slack + self.reminders_comment
    }
}

/// The figures of the window's steps, each PR's tier from `tier_of`; `None` when the ladder took
/// or settled no step, so a digest without SLOs shows nothing about them.
pub fn figures(steps: &[LadderStep], tier_of: impl Fn(&str, u64) -> Option<Tier>) -> Option<LadderFigures> {
    let mut by_tier: BTreeMap<u8, LadderTier> = BTreeMap::new();
    for s in steps {
        let tier = tier_of(&s.repo, s.pr);
        let rank = match tier {
            Some(Tier::Red) => 0,
            Some(Tier::Yellow) => 1,
            Some(Tier::Green) => 2,
            None => 3,
        };
        let acc = by_tier.entry(rank).or_insert_with(|| LadderTier { tier, ..LadderTier::default() });
        let outcome = s.outcome.trim();
        if let Some(why) = outcome.strip_prefix("skipped") {
            let why = why.trim_start_matches(':').trim();
            *acc.skipped.entry(if why.is_empty() { "unknown".into() } else { why.to_string() }).or_default() += 1;
        } else if outcome.starts_with("failed") {
            acc.failed += 1;
        } else if outcome == "sent" {
            match (s.step.as_str(), s.via.as_deref()) {
                (_, Some("no_channel")) => *acc.skipped.entry("no_channel".into()).or_default() += 1,
                ("remind", Some("slack_dm")) => acc.reminders_slack += 1,
                ("remind", _) => acc.reminders_comment += 1,
                ("channel", _) => acc.channel_messages += 1,
                ("reassign", _) => acc.reassignments += 1,
                _ => {}
            }
        }
    }
    let tiers: Vec<LadderTier> =
        by_tier.into_values().filter(|t| *t != LadderTier { tier: t.tier, ..LadderTier::default() }).collect();
    (!tiers.is_empty()).then_some(LadderFigures { tiers })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(pr: u64, step: &str, outcome: &str, via: Option<&str>) -> LadderStep {
        LadderStep {
            repo: "acme/web".into(),
            pr,
            step: step.into(),
            outcome: outcome.into(),
            via: via.map(String::from),
        }
    }

    #[test]
    fn steps_are_counted_per_tier_in_tier_order_and_skips_by_reason() {
        let steps = [
            step(1, "remind", "sent", Some("slack_dm")),
            step(1, "remind", "sent", Some("comment")),
            step(1, "channel", "sent", Some("channel")),
            step(1, "channel", "sent", Some("no_channel")),
            step(2, "remind", "skipped: unavailable", None),
            step(2, "remind", "skipped: overtaken", None),
            step(2, "reassign", "sent", Some("reassign")),
            step(3, "remind", "failed: Slack refused the message: user_not_found", None),
            step(3, "remind", "claimed", None),
            step(9, "remind", "sent", Some("pr_comment")),
        ];
        let tier_of = |_: &str, pr: u64| match pr {
            1 => Some(Tier::Yellow),
            2 | 3 => Some(Tier::Red),
            _ => None,
        };
        let f = figures(&steps, tier_of).expect("figures");
        let tiers: Vec<Option<Tier>> = f.tiers.iter().map(|t| t.tier).collect();
        assert_eq!(tiers, [Some(Tier::Red), Some(Tier::Yellow), None], "red first, whatever the counts");
        let red = &f.tiers[0];
        assert_eq!((red.reminders(), red.reassignments, red.failed), (0, 1, 1));
        assert_eq!(red.skipped, BTreeMap::from([("overtaken".into(), 1), ("unavailable".into(), 1)]));
        let yellow = &f.tiers[1];
        assert_eq!((yellow.reminders_slack, yellow.reminders_comment, yellow.channel_messages), (1, 1, 1));
        assert_eq!(yellow.skipped, BTreeMap::from([("no_channel".into(), 1)]));
        assert_eq!(f.tiers[2].reminders_comment, 1);
        assert_eq!(figures(&[step(1, "remind", "claimed", None)], tier_of), None, "nothing done, nothing shown");
        assert_eq!(figures(&[], tier_of), None);
    }
}
