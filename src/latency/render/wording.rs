//! Every word the digest renderers show around the figures: titles, headings, column names, the
//! empty-week line. The findings' own sentences live in `latency::wording`.

use crate::latency::calendar::ClockMode;
use crate::latency::digest::{ChainCoverage, Digest, Totals, Traceability, WaitingPr};
use crate::latency::event::Reviewer;
use crate::latency::wording::{UNTIERED, percent};

pub const PRODUCT: &str = "flowgate";
pub const EMPTY_WEEK: &str = "No review activity in this window.";
pub const NO_FINDINGS: &str = "Nothing stood out this week: no pattern explained enough waiting to act on.";

pub const FINDINGS: &str = "What to act on";
pub const STAGES: &str = "Where the waiting was";
pub const BY_TIER: &str = "By risk tier";
pub const BY_AI: &str = "AI-assisted and other PRs";
pub const BY_REPO: &str = "By repository";
pub const BY_TEAM: &str = "By the author's team";
pub const REVIEWERS: &str = "Reviewer load";
pub const TARGETS: &str = "First-review targets";
pub const LONGEST: &str = "Waiting longest now";
pub const TRACEABILITY: &str = "Traceability";
pub const TREND: &str = "Trend";

pub const REVIEWERS_NOTE: &str =
    "Load, not speed: who was asked, who answered, and what waits on them now. Most requests first.";
pub const NOBODY_WAITING: &str = "No PR is waiting on reviewers right now.";
pub const NOBODY_ASKED: &str = "nobody requested";
pub const NO_DATA: &str = "No figures in this window.";

/// The unit every duration in the digest is in.
pub fn unit(clock: ClockMode) -> &'static str {
    match clock {
        ClockMode::Business => "working hours",
        ClockMode::Calendar => "hours",
    }
}

pub fn title(first_day: &str, last_day: &str) -> String {
    format!("Review bottleneck digest, {first_day} to {last_day}")
}

/// Which clock the figures are on, for the footer.
pub fn clock_note(digest: &Digest) -> String {
    match digest.clock {
        ClockMode::Business => {
            format!("Times are working hours in {}: nights, weekends and holidays do not count.", digest.timezone)
        }
        ClockMode::Calendar => format!("Times are wall-clock hours; weeks start on Monday in {}.", digest.timezone),
    }
}

pub fn window_line(first_day: &str, last_day: &str, digest: &Digest) -> String {
    format!("{first_day} to {last_day} ({}, {})", unit(digest.clock), digest.timezone)
}

/// The week in one sentence, above the tables.
pub fn summary(totals: &Totals) -> String {
    format!(
        "{} active, {} merged, {} first {}; {} waiting on reviewers and {} on their authors now.",
        prs(totals.prs_active),
        totals.merged,
        totals.first_reviews,
        plural(totals.first_reviews, "review", "reviews"),
        prs(totals.waiting_on_reviewers_now),
        totals.waiting_on_author_now
    )
}

pub fn traceability(trace: &Traceability) -> String {
    match trace.share {
        Some(share) => format!(
            "{} of {} merged {} ({}) link to a story.",
            trace.with_story,
            trace.merged,
            plural(trace.merged, "PR", "PRs"),
            percent(share)
        ),
        None => "Nothing was merged in this window, so there is no traceability share.".to_string(),
    }
}

/// How far the merged PRs trace up the policy's levels, or why that was not computed.
pub fn chain_coverage(trace: &Traceability) -> String {
    match &trace.chains {
        ChainCoverage::NotComputed { reason } => {
            format!("The share with a full chain was not computed: {}.", reason.trim_end_matches('.'))
        }
        ChainCoverage::Computed(c) => match c.traced_share {
            Some(share) => format!(
                "{} of {} merged {} ({}) {} all the way up to {}; {} broken, {} with a key that does not resolve, {} not verified (a tracker did not answer).",
                c.traced,
                trace.merged,
                plural(trace.merged, "PR", "PRs"),
                percent(share),
                plural(trace.merged, "traces", "trace"),
                c.top(),
                c.broken,
                c.not_found,
                c.not_verified
            ),
            None => "Nothing was merged in this window, so no chain was traced.".to_string(),
        },
    }
}

/// The full-chain share for the key figures, and its label; `None` when not computed.
pub fn chain_figure(trace: &Traceability) -> Option<(f64, String)> {
    match &trace.chains {
        ChainCoverage::Computed(c) => c.traced_share.map(|share| (share, format!("full chain to {}", c.top()))),
        ChainCoverage::NotComputed { .. } => None,
    }
}

/// A breakdown group as people say it: `ai` is "AI-assisted", a tier is "red tier".
pub fn group(label: &str) -> String {
    match label {
        "ai" => "AI-assisted".to_string(),
        "no_ai" => "no AI".to_string(),
        "red" | "yellow" | "green" => format!("{label} tier"),
        UNTIERED => "untiered".to_string(),
        other => other.to_string(),
    }
}

/// Whom a waiting PR waits on: the open requests, or that nobody was asked.
pub fn waiting_on(pr: &WaitingPr) -> String {
    if pr.on.is_empty() { NOBODY_ASKED.to_string() } else { names(&pr.on) }
}

pub fn names(reviewers: &[Reviewer]) -> String {
    reviewers.iter().map(Reviewer::name).collect::<Vec<_>>().join(", ")
}

/// A finding's sentence as a sentence: capital first letter, full stop.
pub fn sentence(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

fn prs(count: usize) -> String {
    format!("{count} {}", plural(count, "PR", "PRs"))
}

fn plural<'a>(count: usize, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 { one } else { many }
}

// Column names and chart titles: one place, so Markdown and HTML agree.
pub const COL_GROUP: &str = "group";
pub const COL_PRS: &str = "PRs";
pub const COL_MERGED: &str = "merged";
pub const COL_AWAITING: &str = "awaiting first review now";

pub fn col_first_review(unit: &str) -> String {
    format!("median first review ({unit})")
}
pub fn col_first_review_p90(unit: &str) -> String {
    format!("p90 first review ({unit})")
}
pub fn col_open_to_merge(unit: &str) -> String {
    format!("median open to merge ({unit})")
}
pub fn col_on_reviewers(unit: &str) -> String {
    format!("waiting on reviewers ({unit})")
}
pub fn col_on_authors(unit: &str) -> String {
    format!("waiting on authors ({unit})")
}

pub const STAGE_FIRST_REVIEW: &str = "opened to first review";
pub const STAGE_RESPONSE: &str = "review requested to answered";
pub const STAGE_APPROVAL_TO_MERGE: &str = "approved to merged";
pub const STAGE_OPEN_TO_MERGE: &str = "opened to merged";
pub const STAGE_ROUNDS: &str = "review rounds per merged PR";
pub const ON_REVIEWERS: &str = "on reviewers";
pub const ON_AUTHORS: &str = "on authors";

pub const CHART_STAGES: &str = "Waiting on reviewers and on authors";
pub const CHART_TIERS: &str = "Median time to first review by tier";
pub const CHART_AI: &str = "Median time to first review, AI-assisted or not";
pub const CHART_LOAD: &str = "Review requests received and waiting now";
pub const CHART_LOAD_SHARE: &str = "Share of review requests received";
/// Markdown draws the first-review line only; HTML adds open to merge.
pub const CHART_TREND_FIRST_REVIEW: &str = "Median time to first review, week by week";
pub const CHART_TREND: &str = "Median time to first review and to merge, week by week";
pub const SERIES_REQUESTS: &str = "requests received";
pub const SERIES_QUEUE: &str = "waiting on them now";
pub const SERIES_FIRST_REVIEW: &str = "first review";
pub const SERIES_OPEN_TO_MERGE: &str = "open to merge";
pub const AXIS_TIER: &str = "tier";
pub const AXIS_WEEK: &str = "ISO week";
pub const AXIS_REVIEWER: &str = "reviewer";
pub const AXIS_REQUESTS: &str = "requests";
pub const AXIS_PRS: &str = "PR group";
