//! A tier's review SLO as the policy's `latency.slo` states it: the working time within which a
//! requested reviewer should first respond, and the steps of its escalation ladder, each at a
//! share of that time.

use std::time::Duration;

use serde::Serialize;

/// A share of the SLO, in percent: `50%` reminds half-way, `150%` acts half an SLO late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Share(pub u16);

impl Share {
    /// The most a step may wait: ten SLOs.
    pub const MAX: u16 = 1000;

    /// `"50%"` (1% to 1000%).
    pub fn parse(text: &str) -> Result<Share, String> {
        let bad = || format!("{text:?} is not a share of the SLO: write a percentage from 1% to 1000%, e.g. 50%");
        match percent(text) {
            Some(n) if (1..=Self::MAX).contains(&n) => Ok(Share(n)),
            _ => Err(bad()),
        }
    }

    /// This share of `of`.
    pub fn of(self, of: Duration) -> Duration {
        of.saturating_mul(u32::from(self.0)) / 100
    }
}

/// The whole number of a percentage as the policy spells every share (`50%`, spaces around it
/// allowed, no sign), or `None`; each setting checks its own range.
pub fn percent(text: &str) -> Option<u16> {
    let number = text.trim().strip_suffix('%')?.trim();
    if number.starts_with('+') {
        return None;
    }
    number.parse::<u16>().ok()
}

/// One rung of the ladder, in the order they escalate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// A reminder to the reviewer: a Slack DM when their Slack user is known, else a PR comment
    /// that mentions them.
    Remind,
    /// A message to the channel of the reviewer's pool: the team is asked to pick the PR up.
    Channel,
    /// The request is handed to the next-best reviewer by the assignment rules.
    Reassign,
}

impl Step {
    pub const ALL: [Step; 3] = [Step::Remind, Step::Channel, Step::Reassign];

    /// How the step is stored and shown: `remind`, `channel`, `reassign`.
    pub fn id(self) -> &'static str {
        match self {
            Step::Remind => "remind",
            Step::Channel => "channel",
            Step::Reassign => "reassign",
        }
    }

    pub fn from_id(id: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.id() == id)
    }
}

/// A tier's SLO, checked: the steps it names rise in this order, each later than the one before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SloRule {
    /// Working time from the request to the reviewer's first response (a review of any kind, or a
    /// review comment).
    pub first_response: Duration,
    pub remind_at: Option<Share>,
    pub channel_at: Option<Share>,
    pub reassign_at: Option<Share>,
}

impl SloRule {
    /// Checks that the steps named escalate: the reminder before the channel before reassignment.
    pub fn new(
        first_response: Duration,
        remind_at: Option<Share>,
        channel_at: Option<Share>,
        reassign_at: Option<Share>,
    ) -> Result<SloRule, String> {
        let rule = SloRule { first_response, remind_at, channel_at, reassign_at };
        let named: Vec<(Step, Share)> = rule.shares().collect();
        for pair in named.windows(2) {
            let ((earlier, a), (later, b)) = (pair[0], pair[1]);
            if a >= b {
                return Err(format!(
                    "`{}_at` ({}%) must come before `{}_at` ({}%): a ladder escalates",
                    earlier.id(),
                    a.0,
                    later.id(),
                    b.0
                ));
            }
        }
        Ok(rule)
    }

    /// The steps the rule names, in order, with their shares.
    pub fn shares(&self) -> impl Iterator<Item = (Step, Share)> + '_ {
        [(Step::Remind, self.remind_at), (Step::Channel, self.channel_at), (Step::Reassign, self.reassign_at)]
            .into_iter()
            .filter_map(|(step, share)| share.map(|s| (step, s)))
    }

    /// The steps the rule names, in order, with the working time after which each is due.
    pub fn steps(&self) -> impl Iterator<Item = (Step, Duration)> + '_ {
        self.shares().map(|(step, share)| (step, share.of(self.first_response)))
    }
}
