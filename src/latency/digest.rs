//! The weekly digest as data: what renderers (Markdown, HTML, Slack, JSON) show. Figures only,
//! computed by `DigestBuilder`; every sentence about them comes from `crate::wording::digest`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::calendar::ClockMode;
use super::config::Window;
use super::event::Reviewer;
use super::findings::Finding;
use super::stats::Spread;
use crate::model::Login;
use crate::model::Tier;

/// The group label of PRs no policy put in a tier.
pub const UNTIERED: &str = "untiered";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Digest {
    pub window: Window,
    pub now: DateTime<Utc>,
    /// Whether the hours below are working hours or wall-clock hours.
    pub clock: ClockMode,
    /// The time zone of the working hours and of the weeks in `trend`.
    pub timezone: String,
    pub totals: Totals,
    /// Every PR together, in the same shape as each breakdown's groups.
    pub overall: GroupFigures,
    /// `red`, `yellow`, `green`, then `untiered`; only groups with PRs.
    pub by_tier: Vec<GroupFigures>,
    /// `ai` (declared assisted or generated, or detected) and `no_ai`.
    pub by_ai: Vec<GroupFigures>,
    /// By AI tool (a PR made with two counts under each), then `ai_unknown` and `human`; a
    /// fixed order, never by speed.
    pub by_tool: Vec<super::tools::ToolFigures>,
    /// By repository name.
    pub by_repo: Vec<GroupFigures>,
    /// By the author's teams (a PR counts in each of them); `no team` last.
    pub by_team: Vec<GroupFigures>,
    /// Load per person and team, most requests first, then by name. Never ordered by speed.
    pub reviewers: Vec<ReviewerLoad>,
    /// One line per tier that has a time-to-first-review target.
    pub targets: Vec<TargetFigures>,
    /// Targets tried before they are enforced, week by week over the trend; they raise no finding.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tried_targets: Vec<TriedTarget>,
    /// Open PRs waiting on reviewers right now, the longest wait first.
    pub longest_waiting: Vec<WaitingPr>,
    pub traceability: Traceability,
    /// The few things worth acting on, the most waiting time explained first.
    pub findings: Vec<Finding>,
    /// One entry per ISO week, oldest first, the window's last week at the end.
    pub trend: Vec<WeekFigures>,
    /// The PRs evaluated in shadow mode (`enforcement: evaluate`) and those that would have
    /// failed; absent when no PR of the window was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shadow: Option<super::shadow::ShadowFigures>,
    /// What the review SLO ladder did in the window, per tier; absent when it did nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ladder: Option<super::ladder::LadderFigures>,
    /// Each repository under its own policy's settings, when the caller measured them so (the
    /// App's weekly digest does); the figures above then use `overall_settings`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_repo: Option<super::repos::PerRepo>,
    /// The PRs the policy's `latency.exclude` left out of every figure above, by rule; absent
    /// when none was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_out: Option<super::exclude::LeftOut>,
    /// Each stage figure against the period before and the median of the eight before that,
    /// and the PRs that moved it.
    pub changes: super::changes::Changes,
    /// The gate's own hygiene: overrides, merges past the gate, PRs approved or idle too long,
    /// merges under an exemption, requests over capacity; absent when there is nothing to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hygiene: Option<super::hygiene::Hygiene>,
}

/// Counts of what happened in the window (and, for the `_now` fields, the state at `now`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    /// PRs with an event in the window or open during some of it.
    pub prs_active: usize,
    pub opened: usize,
    pub merged: usize,
    pub closed_unmerged: usize,
    pub open_at_end: usize,
    pub first_reviews: usize,
    pub reviews: usize,
    pub review_requests: usize,
    pub waiting_on_reviewers_now: usize,
    pub waiting_on_author_now: usize,
}

/// One group's figures. Hours are on the digest's clock.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct GroupFigures {
    pub group: String,
    /// PRs active in the window.
    pub prs: usize,
    pub merged: usize,
    /// First reviews given in the window.
    pub first_review_hours: Spread,
    /// Requests answered in the window.
    pub review_response_hours: Spread,
    /// PRs merged in the window.
    pub open_to_merge_hours: Spread,
    pub approval_to_merge_hours: Spread,
    pub review_rounds: Spread,
    /// Time inside the window that PRs of the group waited on reviewers and on their authors.
    pub waiting_on_reviewers_hours: f64,
    pub waiting_on_author_hours: f64,
    /// Open PRs never reviewed yet at `now`.
    pub awaiting_first_review_now: usize,
}

/// A reviewer's load: what was asked of them, what they gave, what waits on them now. The
/// response spread is there to see waiting, not to rank people.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewerLoad {
    pub reviewer: Reviewer,
    pub requests_received: usize,
    /// A person's reviews in the window; for a team, its requests answered in the window.
    pub reviews_given: usize,
    pub response_hours: Spread,
    /// Unanswered requests on open, ready PRs at `now`.
    pub open_queue_now: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetFigures {
    pub tier: Tier,
    pub target_hours: f64,
    /// First reviews given in the window.
    pub first_reviews: usize,
    /// Of those, how many came later than the target.
    pub breached: usize,
    /// Open PRs of the tier not reviewed yet whose wait is already past the target.
    pub waiting_over_target_now: usize,
}

/// A target tried, not enforced: of each trend week, the PRs of its tier that would have
/// breached it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriedTarget {
    pub tier: Tier,
    pub target_hours: f64,
    /// Oldest first, the weeks of `Digest::trend`.
    pub weeks: Vec<TriedWeek>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriedWeek {
    /// `2025-W07`.
    pub week: String,
    pub starts_on: NaiveDate,
    /// First reviews given in the week.
    pub first_reviews: usize,
    /// Of those, how many came later than the target.
    pub late: usize,
    /// PRs still waiting for a first review at the week's end, their wait already past the target.
    pub waiting_over: usize,
    /// `late + waiting_over`: the PRs that would have breached it.
    pub breached: usize,
    /// `first_reviews + waiting_over`: the PRs measured against it.
    pub out_of: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaitingPr {
    pub repo: String,
    pub pr: u64,
    pub tier: Option<Tier>,
    pub author: Login,
    /// Ready time since the PR last became the reviewers' turn.
    pub waiting_hours: f64,
    pub since: Option<DateTime<Utc>>,
    /// The requests still open; empty when nobody was asked.
    pub on: Vec<Reviewer>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Traceability {
    pub merged: usize,
    pub with_story: usize,
    /// `with_story / merged`, `None` when nothing merged.
    pub share: Option<f64>,
    /// How far the merged PRs' stories trace up the policy's levels, or why that was not computed.
    pub chains: ChainCoverage,
}

impl Default for Traceability {
    fn default() -> Self {
        Traceability { merged: 0, with_story: 0, share: None, chains: ChainCoverage::not_computed(NOT_TRACED) }
    }
}

/// Why the chains were not computed when nobody handed the builder any tracing.
pub const NOT_TRACED: &str = "the merged PRs' stories were not traced in the trackers";

/// The merged PRs' chains: computed from the trackers at digest time, or not, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ChainCoverage {
    /// Why there is no full-chain figure: a clause, without a full stop.
    NotComputed {
        reason: String,
    },
    Computed(ChainFigures),
}

impl ChainCoverage {
    pub fn not_computed(reason: impl Into<String>) -> Self {
        ChainCoverage::NotComputed { reason: reason.into() }
    }
}

/// Counts of merged PRs in the window; a PR with a story key is in exactly one of `traced`,
/// `broken`, `not_found` and `not_verified`. Shares are of all merged PRs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChainFigures {
    /// The policy's `linkage.chain.levels`, lowest first; a full chain reaches the last.
    pub levels: Vec<String>,
    pub traced: usize,
    pub broken: usize,
    /// Its key does not resolve: the tracker says there is no such item.
    pub not_found: usize,
    /// A tracker could not answer: never counted as traced.
    pub not_verified: usize,
    /// `traced / merged`, `None` when nothing merged.
    pub traced_share: Option<f64>,
}

impl ChainFigures {
    /// The level a full chain reaches.
    pub fn top(&self) -> &str {
        self.levels.last().map_or("the top level", String::as_str)
    }
}

/// A PR merged in the window that names a story: what the CLI or the App traces at digest time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedStory {
    pub repo: String,
    pub pr: u64,
    pub keys: Vec<String>,
}

/// What tracing the merged PRs' keys found, handed to the builder as data: the outcome per PR
/// (by repository and number), or why there was no tracing.
#[derive(Debug, Clone, PartialEq)]
pub enum ChainTracing {
    NotComputed(String),
    Traced { levels: Vec<String>, outcomes: Vec<((String, u64), crate::model::Trace)> },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekFigures {
    /// `2025-W07`.
    pub week: String,
    pub starts_on: NaiveDate,
    pub first_review_hours: Spread,
    pub review_response_hours: Spread,
    pub open_to_merge_hours: Spread,
    pub merged: usize,
}
