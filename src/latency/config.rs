//! What a digest is computed over: the clock, who counts as an AI reviewer, the team mapping, the
//! review-time targets (enforced and tried), the PRs left out, and the window. Plain data, built by the caller.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::calendar::Clock;
use super::exclude::Exclusions;
use crate::model::Tier;

#[derive(Debug, Clone)]
pub struct LatencyConfig {
    pub clock: Clock,
    /// Logins of AI review tools. Their reviews never count as a person's review; accounts that
    /// GitHub marks as bots are excluded without being listed.
    pub ai_reviewers: Vec<String>,
    /// Login to the teams the person belongs to; the by-team breakdown groups PRs by their author's teams.
    pub teams: HashMap<String, Vec<String>>,
    /// The time to first review each tier should meet, measured on `clock`.
    pub first_review_targets: BTreeMap<Tier, Duration>,
    /// Targets tried before they are enforced: counted week by week over the trend, never a
    /// finding.
    pub tried_targets: BTreeMap<Tier, Duration>,
    /// The PRs no figure counts.
    pub exclude: Exclusions,
    /// How many ISO weeks the trend shows, ending with the window's last week.
    pub trend_weeks: u32,
    /// How many of the PRs waiting longest right now the digest lists.
    pub longest_waiting: usize,
    /// What the hygiene section measures against.
    pub hygiene: super::hygiene::HygieneConfig,
}

impl LatencyConfig {
    /// No AI reviewers, no teams, no targets, an 8-week trend and the 10 longest waits.
    pub fn new(clock: Clock) -> Self {
        LatencyConfig {
            clock,
            ai_reviewers: Vec::new(),
            teams: HashMap::new(),
            first_review_targets: BTreeMap::new(),
            tried_targets: BTreeMap::new(),
            exclude: Exclusions::default(),
            trend_weeks: 8,
            longest_waiting: 10,
            hygiene: super::hygiene::HygieneConfig::default(),
        }
    }

    pub(crate) fn is_ai_reviewer(&self, login: &str) -> bool {
        self.ai_reviewers.iter().any(|ai| ai.eq_ignore_ascii_case(login))
    }
}

/// The span a digest reports on: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Window {
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        Window { start, end }
    }

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }
}
