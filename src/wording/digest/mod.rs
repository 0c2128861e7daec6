//! Every word the weekly digest says, so Markdown, HTML, Slack and JSON say the same thing: each
//! finding's sentence and suggestion, the titles, headings, the tables' column names (`columns`)
//! and chart labels around the figures, the empty-week line, and the warning shown when the
//! policy could not be read.

pub mod changes;
mod columns;
mod figures;
mod findings;
pub mod hygiene;
pub mod ladder;
pub mod repos;
pub mod shadow;
pub mod tools;
pub mod tried;

pub use columns::*;
pub use figures::{hours, percent};
pub use findings::{headline, suggestion};

use super::{count, plural};
use crate::latency::calendar::ClockMode;
use crate::latency::digest::{ChainCoverage, Digest, Totals, Traceability, UNTIERED, WaitingPr};
use crate::latency::event::Reviewer;

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

// The key figures: under each number on the page, as field titles in Slack.
pub const FIGURE_PRS_ACTIVE: &str = "PRs active";
pub const FIGURE_MERGED: &str = "merged";
pub const FIGURE_ON_REVIEWERS_NOW: &str = "waiting on reviewers now";
pub const FIGURE_ON_AUTHORS_NOW: &str = "waiting on their authors now";
pub const FIGURE_LINKED: &str = "of merged PRs link to a story";
pub const FIELD_PRS_ACTIVE: &str = "PRs active";
pub const FIELD_MERGED: &str = "Merged";
pub const FIELD_ON_REVIEWERS_NOW: &str = "Waiting on reviewers now";
pub const FIELD_ON_AUTHORS_NOW: &str = "Waiting on authors now";
pub const FIELD_LINKED: &str = "Linked to a story";
pub const FIELD_FULL_CHAIN: &str = "Full chain";
pub const NOT_COMPUTED: &str = "not computed";

pub fn figure_first_review(unit: &str) -> String {
    format!("median first review ({unit})")
}

/// `of merged PRs have a full chain to okr`, after the share.
pub fn figure_chain(label: &str) -> String {
    format!("of merged PRs have a {label}")
}

pub fn field_first_review(unit: &str) -> String {
    format!("Median first review ({unit})")
}

/// What a digest's notice is introduced with.
pub const WARNING: &str = "Warning:";

/// The title of the week's digest issue.
pub fn issue_title(week: &str) -> String {
    format!("Review digest {week}")
}

/// The notice of a digest made without the policy's settings, and why they could not be read.
pub fn policy_unread(why: &str) -> String {
    format!(
        "The policy's latency settings could not be read ({}), so this digest uses the bundled default policy's targets and working hours.",
        why.replace('\n', " ")
    )
}

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
        plural(totals.first_reviews as u64, "review", "reviews"),
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
            plural(trace.merged as u64, "PR", "PRs"),
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
                plural(trace.merged as u64, "PR", "PRs"),
                percent(share),
                plural(trace.merged as u64, "traces", "trace"),
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

/// What follows a waiting PR's name in Slack: how long it has waited, and on whom.
pub fn waited_on(waited: &str, on: &str) -> String {
    format!("{waited}, waiting on {on}")
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

fn prs(n: usize) -> String {
    count(n as u64, "PR", "PRs")
}

// Row labels and chart titles: one place, so Markdown and HTML agree.
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

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::latency::digest::ChainFigures;
    use crate::latency::{BusinessCalendar, Clock, DigestBuilder, LatencyConfig, Window};
    use crate::model::Login;

    fn digest(mode: ClockMode, timezone: &str) -> Digest {
        let calendar = BusinessCalendar::office_hours(timezone).expect("a time zone");
        let start = DateTime::from_timestamp(1_740_960_000, 0).expect("3 March 2025");
        let end = DateTime::from_timestamp(1_741_564_800, 0).expect("10 March 2025");
        DigestBuilder::new(LatencyConfig::new(Clock { calendar, mode }), Window::new(start, end), end).finish()
    }

    fn traced(merged: usize, with_story: usize, chains: ChainCoverage) -> Traceability {
        let share = (merged > 0).then(|| with_story as f64 / merged as f64);
        Traceability { merged, with_story, share, chains }
    }

    fn figures(traced: usize, merged: usize) -> ChainCoverage {
        ChainCoverage::Computed(ChainFigures {
            levels: vec!["story".into(), "epic".into(), "okr".into()],
            traced,
            broken: 1,
            not_found: 0,
            not_verified: 2,
            traced_share: (merged > 0).then(|| traced as f64 / merged as f64),
        })
    }

    #[test]
    fn the_clock_the_title_and_the_window() {
        let business = digest(ClockMode::Business, "Europe/Berlin");
        let calendar = digest(ClockMode::Calendar, "UTC");
        insta::assert_snapshot!(format!("{} / {}", unit(business.clock), unit(calendar.clock)), @"working hours / hours");
        insta::assert_snapshot!(title("3 Mar 2025", "9 Mar 2025"), @"Review bottleneck digest, 3 Mar 2025 to 9 Mar 2025");
        insta::assert_snapshot!(clock_note(&business), @"Times are working hours in Europe/Berlin: nights, weekends and holidays do not count.");
        insta::assert_snapshot!(clock_note(&calendar), @"Times are wall-clock hours; weeks start on Monday in UTC.");
        insta::assert_snapshot!(window_line("3 Mar 2025", "9 Mar 2025", &business), @"3 Mar 2025 to 9 Mar 2025 (working hours, Europe/Berlin)");
        insta::assert_snapshot!(issue_title("2026-W48"), @"Review digest 2026-W48");
    }

    #[test]
    fn the_week_in_one_sentence_counts_in_the_right_number() {
        let one =
            Totals { prs_active: 1, merged: 1, first_reviews: 1, waiting_on_reviewers_now: 1, ..Totals::default() };
        insta::assert_snapshot!(summary(&one), @"1 PR active, 1 merged, 1 first review; 1 PR waiting on reviewers and 0 on their authors now.");
        let many = Totals { prs_active: 9, merged: 5, first_reviews: 7, waiting_on_author_now: 2, ..Totals::default() };
        insta::assert_snapshot!(summary(&many), @"9 PRs active, 5 merged, 7 first reviews; 0 PRs waiting on reviewers and 2 on their authors now.");
    }

    #[test]
    fn traceability_and_chain_coverage_in_each_case() {
        let nothing = traced(0, 0, figures(0, 0));
        insta::assert_snapshot!(traceability(&nothing), @"Nothing was merged in this window, so there is no traceability share.");
        insta::assert_snapshot!(chain_coverage(&nothing), @"Nothing was merged in this window, so no chain was traced.");
        let one = traced(1, 1, figures(1, 1));
        insta::assert_snapshot!(traceability(&one), @"1 of 1 merged PR (100%) link to a story.");
        insta::assert_snapshot!(chain_coverage(&one), @"1 of 1 merged PR (100%) traces all the way up to okr; 1 broken, 0 with a key that does not resolve, 2 not verified (a tracker did not answer).");
        let five = traced(5, 4, figures(1, 5));
        insta::assert_snapshot!(traceability(&five), @"4 of 5 merged PRs (80%) link to a story.");
        insta::assert_snapshot!(chain_coverage(&five), @"1 of 5 merged PRs (20%) trace all the way up to okr; 1 broken, 0 with a key that does not resolve, 2 not verified (a tracker did not answer).");
        insta::assert_snapshot!(format!("{:?}", chain_figure(&five)), @r#"Some((0.2, "full chain to okr"))"#);
        let untraced = traced(5, 4, ChainCoverage::NotComputed { reason: "the policy has no linkage.chain.".into() });
        insta::assert_snapshot!(chain_coverage(&untraced), @"The share with a full chain was not computed: the policy has no linkage.chain.");
        assert_eq!(chain_figure(&untraced), None);
    }

    #[test]
    fn groups_reviewers_and_sentences_as_people_say_them() {
        let groups = ["ai", "no_ai", "red", "yellow", "green", UNTIERED, "acme/shop"].map(group);
        insta::assert_snapshot!(groups.join(", "), @"AI-assisted, no AI, red tier, yellow tier, green tier, untiered, acme/shop");
        let mut pr = WaitingPr {
            repo: "acme/shop".into(),
            pr: 20,
            tier: None,
            author: Login::new("ben"),
            waiting_hours: 63.0,
            since: None,
            on: vec![],
        };
        insta::assert_snapshot!(waiting_on(&pr), @"nobody requested");
        pr.on = vec![Reviewer::user("dave"), Reviewer::team("acme/security")];
        insta::assert_snapshot!(waiting_on(&pr), @"dave, @acme/security");
        insta::assert_snapshot!(names(&pr.on[..1]), @"dave");
        insta::assert_snapshot!(waited_on(&hours(63.0), &waiting_on(&pr)), @"63 h, waiting on dave, @acme/security");
        let sentences = ["red-tier PRs wait", "Done!", "  ", "is it?"].map(sentence);
        insta::assert_snapshot!(sentences.join(" | "), @"Red-tier PRs wait. | Done! |  | Is it?");
    }

    #[test]
    fn the_notice_when_the_policy_could_not_be_read() {
        insta::assert_snapshot!(policy_unread(".github/flowgate.yml of acme/eng: line 3\nunknown key"), @"The policy's latency settings could not be read (.github/flowgate.yml of acme/eng: line 3 unknown key), so this digest uses the bundled default policy's targets and working hours.");
        insta::assert_snapshot!(WARNING, @"Warning:");
    }

    #[test]
    fn column_names_key_figures_and_chart_labels() {
        let columns = [
            col_first_review("hours"),
            col_first_review_p90("hours"),
            col_open_to_merge("hours"),
            col_on_reviewers("hours"),
            col_on_authors("hours"),
            figure_first_review("working hours"),
            figure_chain("full chain to okr"),
            field_first_review("hours"),
        ];
        insta::assert_snapshot!(columns.join("\n"), @r"
        median first review (hours)
        p90 first review (hours)
        median open to merge (hours)
        waiting on reviewers (hours)
        waiting on authors (hours)
        median first review (working hours)
        of merged PRs have a full chain to okr
        Median first review (hours)
        ");
        let fixed = [
            PRODUCT,
            EMPTY_WEEK,
            NO_FINDINGS,
            FINDINGS,
            STAGES,
            BY_TIER,
            BY_AI,
            BY_REPO,
            BY_TEAM,
            REVIEWERS,
            TARGETS,
            LONGEST,
            TRACEABILITY,
            TREND,
            REVIEWERS_NOTE,
            NOBODY_WAITING,
            NOBODY_ASKED,
            NO_DATA,
            FIGURE_PRS_ACTIVE,
            FIGURE_MERGED,
            FIGURE_ON_REVIEWERS_NOW,
            FIGURE_ON_AUTHORS_NOW,
            FIGURE_LINKED,
            FIELD_PRS_ACTIVE,
            FIELD_MERGED,
            FIELD_ON_REVIEWERS_NOW,
            FIELD_ON_AUTHORS_NOW,
            FIELD_LINKED,
            FIELD_FULL_CHAIN,
            NOT_COMPUTED,
            COL_GROUP,
            COL_PRS,
            COL_MERGED,
            COL_AWAITING,
            STAGE_FIRST_REVIEW,
            STAGE_RESPONSE,
            STAGE_APPROVAL_TO_MERGE,
            STAGE_OPEN_TO_MERGE,
            STAGE_ROUNDS,
            ON_REVIEWERS,
            ON_AUTHORS,
            CHART_STAGES,
            CHART_TIERS,
            CHART_AI,
            CHART_LOAD,
            CHART_LOAD_SHARE,
            CHART_TREND_FIRST_REVIEW,
            CHART_TREND,
            SERIES_REQUESTS,
            SERIES_QUEUE,
            SERIES_FIRST_REVIEW,
            SERIES_OPEN_TO_MERGE,
            AXIS_TIER,
            AXIS_WEEK,
            AXIS_REVIEWER,
            AXIS_REQUESTS,
            AXIS_PRS,
        ];
        insta::assert_snapshot!(fixed.join("\n"), @r"
        flowgate
        No review activity in this window.
        Nothing stood out this week: no pattern explained enough waiting to act on.
        What to act on
        Where the waiting was
        By risk tier
        AI-assisted and other PRs
        By repository
        By the author's team
        Reviewer load
        First-review targets
        Waiting longest now
        Traceability
        Trend
        Load, not speed: who was asked, who answered, and what waits on them now. Most requests first.
        No PR is waiting on reviewers right now.
        nobody requested
        No figures in this window.
        PRs active
        merged
        waiting on reviewers now
        waiting on their authors now
        of merged PRs link to a story
        PRs active
        Merged
        Waiting on reviewers now
        Waiting on authors now
        Linked to a story
        Full chain
        not computed
        group
        PRs
        merged
        awaiting first review now
        opened to first review
        review requested to answered
        approved to merged
        opened to merged
        review rounds per merged PR
        on reviewers
        on authors
        Waiting on reviewers and on authors
        Median time to first review by tier
        Median time to first review, AI-assisted or not
        Review requests received and waiting now
        Share of review requests received
        Median time to first review, week by week
        Median time to first review and to merge, week by week
        requests received
        waiting on them now
        first review
        open to merge
        tier
        ISO week
        reviewer
        requests
        PR group
        ");
    }
}
