//! Review latency: review-flow events in, waiting-time metrics and a weekly digest out.
//!
//! Pure like `policy/`: no I/O, no clock, no randomness. Callers pass the events, the window and
//! `now`; storage, GitHub, rendering (`report::digest`) and wording (`wording::digest`) live elsewhere. Definitions are in docs/metrics.md.

pub(crate) mod builder;
pub(crate) mod calendar;
pub(crate) mod changes;
pub(crate) mod config;
pub(crate) mod digest;
pub(crate) mod event;
pub(crate) mod exclude;
pub(crate) mod findings;
pub(crate) mod hygiene;
pub(crate) mod ladder;
pub(crate) mod repos;
pub(crate) mod shadow;
pub(crate) mod stats;
pub(crate) mod timeline;
pub(crate) mod tools;

#[cfg(test)]
pub(crate) mod tests;

pub use builder::DigestBuilder;
pub use calendar::{BusinessCalendar, CalendarError, CalendarSpec, Clock, ClockMode};
pub use changes::{Against, Cause, Changes, PrContribution, Stage, StageChange, history_read_from};
pub use config::{LatencyConfig, Window};
pub use digest::{
    ChainCoverage, ChainFigures, ChainTracing, Digest, GroupFigures, MergedStory, ReviewerLoad, TargetFigures, Totals,
    Traceability, TriedTarget, TriedWeek, WaitingPr, WeekFigures,
};
pub use event::{
    Actor, AiDeclared, Event, EventKind, ExemptRule, LinkageExemption, PrContext, ReviewOutcome, Reviewer,
};
pub use exclude::{Exclusions, LeftOut, Rule, RuleCount};
pub use findings::{Finding, FindingKind};
pub use hygiene::{GateAtMerge, GateState, Hygiene, HygieneConfig, MergeSeen};
pub use ladder::{LadderFigures, LadderStep, LadderTier};
pub use repos::{PerRepo, RepoFigures, TeamDigest, TeamRow, UnreadRepo, team_digest, team_key};
pub use shadow::{LatestEvaluation, ReasonCount, ShadowFigures};
pub use stats::Spread;
pub use tools::{EndedFigures, ToolFigures};
