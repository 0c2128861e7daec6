//! What choosing reviewers returns: who to request and why, who was passed over and why,
//! saturated pools, the spot check, and problems a person must fix. Facts only: the sentences
//! that explain them are `crate::wording::assign`'s.

use serde::Serialize;

use super::filters::SkipReason;
use super::policy::WorkingHours;
use super::score::Score;
use crate::model::Login;
use crate::model::Tier;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assignment {
    pub repo: String,
    pub number: u64,
    pub tier: Tier,
    /// Reviewers the tier's policy requests (`tiers.<tier>.request`), before the spot check.
    pub tier_request: u32,
    /// Reviewers the PR should have in all: the tier's `request`, plus one when spot-checked,
    /// plus one when none of those present is from the tier's first pool.
    pub needed: u32,
    /// Reviewers already requested or who already reviewed, and the need each one fills.
    pub counted: Vec<Counted>,
    /// Whom to request now, in the order the needs were filled.
    pub requested: Vec<Requested>,
    /// Candidates passed over, with the first filter that rejected each, by login.
    pub skipped: Vec<Skipped>,
    /// Pools whose every available member is at capacity.
    pub saturated_pools: Vec<String>,
    pub spot_check: SpotCheck,
    /// What kept flowgate from filling a need, or made a pool smaller than written.
    pub problems: Vec<Problem>,
    /// Facts the choice was made without (the review history could not be read, and so on).
    pub notes: Vec<super::input::Unread>,
    /// The weeks of review history read, when it was read: a reviewer's recent reviews are then
    /// part of why they were chosen.
    pub review_window_weeks: Option<u32>,
}

impl Assignment {
    /// The logins to request, in order.
    pub fn logins(&self) -> Vec<&Login> {
        self.requested.iter().map(|r| &r.login).collect()
    }
}

/// Which need a reviewer fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The one reviewer the tier needs from its first pool.
    FirstPool,
    /// The rest of the tier's count, from any of its pools.
    Tier,
    /// The extra reviewer of a sampled AI-touched PR.
    SpotCheck,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counted {
    /// A login, or an `@org/team` whose request is still open.
    pub who: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Requested {
    pub login: Login,
    pub pool: String,
    pub role: Role,
    /// Chosen although at capacity, because everyone who could fill the need was.
    pub over_capacity: bool,
    pub score: Score,
    /// For an urgent request to someone with working hours: their time and hours now.
    pub hours: Option<LocalHours>,
}

/// A reviewer's local time and working hours, when flowgate asked them outside a calm moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocalHours {
    /// The time where they are when they were asked.
    pub local_time: jiff::civil::Time,
    /// Their hours as the policy gives them (`Europe/Berlin 09-17`).
    pub hours: WorkingHours,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    pub login: Login,
    /// The pool in which the rejection was first met.
    pub pool: String,
    #[serde(flatten)]
    pub why: SkipReason,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpotCheck {
    pub ai_touched: bool,
    /// The policy's percentage, when it has a spot check.
    pub percent: Option<u8>,
    /// The PR's fixed bucket, 0 to 99: sampled when below `percent`.
    pub bucket: u8,
    pub sampled: bool,
    pub pools: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    #[serde(flatten)]
    pub what: ProblemKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProblemKind {
    /// A team a pool names whose members are unknown or none.
    TeamWithoutMembers { pool: String, team: String },
    /// A pool that expanded to nobody.
    EmptyPool { pool: String },
    /// A need no one could fill; `rejected` says why each candidate could not.
    Unfilled { role: Role, pools: Vec<String>, rejected: Vec<(Login, SkipReason)> },
}
