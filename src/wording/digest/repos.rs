//! The digest's words for each repository under its own policy (the App's weekly digest), and for
//! a team's own message: which settings measured which figures, why a repository was not
//! measured, and the team's figures in a sentence each.

use crate::latency::calendar::ClockMode;
use crate::latency::{GroupFigures, PerRepo, ReviewerLoad, TargetFigures};
use crate::wording::{count, plural};

use super::{hours, unit};

pub const PER_REPO: &str = "Each repository under its own policy";
pub const COL_REPOSITORY: &str = "repository";
pub const COL_SETTINGS: &str = "measured with";
pub const COL_CLOCK: &str = "clock";
pub const COL_FIRST_REVIEW: &str = "first review, median";
pub const COL_TARGETS: &str = "first reviews late against its targets";
pub const COL_PAST_TARGET: &str = "past its target now";
pub const NO_TARGETS: &str = "no targets";
pub const NOT_MEASURED: &str = "Not measured";
pub const BUNDLED: &str = "the bundled default policy";

/// Where the settings of every repository together came from, and the `[digest] timezone` that
/// replaced its calendar when one is set.
pub fn overall_origin(origin: &str, timezone: Option<&str>) -> String {
    match timezone {
        Some(zone) => format!("{origin}, with office hours in {zone} from [digest] timezone"),
        None => origin.to_string(),
    }
}

/// Which settings the figures of every repository together use, above them.
pub fn overall_settings(per_repo: &PerRepo) -> String {
    format!(
        "The figures below count every repository together under the settings of {}; \"{PER_REPO}\" measures each repository under its own policy's targets, calendar and teams.",
        per_repo.overall_settings
    )
}

/// A repository's clock: `working hours, Asia/Tokyo`.
pub fn clock(mode: ClockMode, timezone: &str) -> String {
    format!("{}, {timezone}", unit(mode))
}

/// Each target and how many first reviews missed it: `red 8.0 h: 1 of 2 late`.
pub fn targets(targets: &[TargetFigures]) -> String {
    if targets.is_empty() {
        return NO_TARGETS.to_string();
    }
    targets
        .iter()
        .map(|t| format!("{} {}: {} of {} late", t.tier, hours(t.target_hours), t.breached, t.first_reviews))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why a repository with activity has no figures of its own.
pub fn unread(repo: &str, reason: &str) -> String {
    format!(
        "{repo}: its policy could not be read ({}), so it is measured under no other repository's settings.",
        reason.replace('\n', " ")
    )
}

/// The repositories left out because more had activity than one digest reads.
pub fn over_cap(cap: usize, left_out: &[String]) -> String {
    const SHOWN: usize = 20;
    let mut names = left_out.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if left_out.len() > SHOWN {
        names.push_str(&format!(" and {} more", left_out.len() - SHOWN));
    }
    format!(
        "Only {} were measured under their own policy ([digest] max_repos is {cap}); not measured: {names}.",
        count(cap as u64, "repository", "repositories")
    )
}

/// A team's message title.
pub fn team_title(team: &str, first_day: &str, last_day: &str) -> String {
    format!("Review digest for {team}, {first_day} to {last_day}")
}

/// A team's quiet week.
pub fn team_quiet(team: &str) -> String {
    format!("No PR of {team} and no review request to it in this window, in any repository measured.")
}

/// What the team's members authored, in one repository: its clock's hours.
pub fn team_authored(g: &GroupFigures, mode: ClockMode) -> String {
    format!(
        "Authored by the team: {} active, {} merged; first review after {} (median, {}); {} waiting on reviewers; {} awaiting a first review now.",
        count(g.prs as u64, "PR", "PRs"),
        g.merged,
        g.first_review_hours.median.map_or_else(|| "–".to_string(), hours),
        unit(mode),
        hours(g.waiting_on_reviewers_hours),
        g.awaiting_first_review_now
    )
}

/// What was asked of the team as a reviewer, in one repository.
pub fn team_asked(load: &ReviewerLoad, mode: ClockMode) -> String {
    format!(
        "Asked of the team: {} received, {} answered (median {}, {}), {} waiting on it now.",
        count(load.requests_received as u64, "review request", "review requests"),
        load.reviews_given,
        load.response_hours.median.map_or_else(|| "–".to_string(), hours),
        unit(mode),
        load.open_queue_now
    )
}

/// The footer of a team's message: whose figures these are.
pub fn team_footer(repos: usize) -> String {
    format!(
        "Team figures only, each repository under its own policy ({} {}).",
        repos,
        plural(repos as u64, "repository", "repositories")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::latency::Spread;
    use crate::model::Tier;

    #[test]
    fn per_repository_wording() {
        let per_repo = PerRepo {
            overall_settings: ".github/flowgate.yml on acme/eng@main".into(),
            repos: Vec::new(),
            unread: Vec::new(),
            over_cap: Vec::new(),
            cap: 2,
        };
        insta::assert_snapshot!(overall_settings(&per_repo), @r#"The figures below count every repository together under the settings of .github/flowgate.yml on acme/eng@main; "Each repository under its own policy" measures each repository under its own policy's targets, calendar and teams."#);
        insta::assert_snapshot!(overall_origin(BUNDLED, Some("Asia/Tokyo")), @"the bundled default policy, with office hours in Asia/Tokyo from [digest] timezone");
        insta::assert_snapshot!(clock(ClockMode::Business, "Asia/Tokyo"), @"working hours, Asia/Tokyo");
        let red = TargetFigures {
            tier: Tier::Red,
            target_hours: 8.0,
            first_reviews: 2,
            breached: 1,
            waiting_over_target_now: 0,
        };
        insta::assert_snapshot!(targets(&[red]), @"red 8.0 h: 1 of 2 late");
        insta::assert_snapshot!(targets(&[]), @"no targets");
        insta::assert_snapshot!(unread("acme/web", "line 2\nbad"), @"acme/web: its policy could not be read (line 2 bad), so it is measured under no other repository's settings.");
        let names: Vec<String> = (1..=22).map(|n| format!("acme/r{n}")).collect();
        insta::assert_snapshot!(over_cap(2, &names[..3]), @"Only 2 repositories were measured under their own policy ([digest] max_repos is 2); not measured: acme/r1, acme/r2, acme/r3.");
        assert!(over_cap(2, &names).ends_with("acme/r20 and 2 more."));
    }

    #[test]
    fn team_wording_has_team_figures_only() {
        let g = GroupFigures {
            group: "@acme/web".into(),
            prs: 3,
            merged: 2,
            first_review_hours: Spread { count: 2, median: Some(4.0), p90: Some(5.0) },
            waiting_on_reviewers_hours: 6.5,
            awaiting_first_review_now: 1,
            ..GroupFigures::default()
        };
        insta::assert_snapshot!(team_authored(&g, ClockMode::Calendar), @"Authored by the team: 3 PRs active, 2 merged; first review after 4.0 h (median, hours); 6.5 h waiting on reviewers; 1 awaiting a first review now.");
        let load = ReviewerLoad {
            reviewer: crate::latency::Reviewer::team("acme/web"),
            requests_received: 1,
            reviews_given: 1,
            response_hours: Spread { count: 1, median: Some(0.5), p90: Some(0.5) },
            open_queue_now: 0,
        };
        insta::assert_snapshot!(team_asked(&load, ClockMode::Business), @"Asked of the team: 1 review request received, 1 answered (median 30 min, working hours), 0 waiting on it now.");
        insta::assert_snapshot!(team_title("@acme/web", "3 Mar 2025", "9 Mar 2025"), @"Review digest for @acme/web, 3 Mar 2025 to 9 Mar 2025");
        insta::assert_snapshot!(team_quiet("@acme/web"), @"No PR of @acme/web and no review request to it in this window, in any repository measured.");
        insta::assert_snapshot!(team_footer(1), @"Team figures only, each repository under its own policy (1 repository).");
    }
}
