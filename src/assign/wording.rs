//! Every sentence choosing reviewers shows to people, in one place so it reads the same
//! everywhere and changes in one diff.

use super::filters::SkipReason;
use super::output::{ProblemKind, Role};
use super::score::Score;
use crate::model::Login;
use crate::model::Tier;

/// How many rejected candidates an unfilled need lists before "and N more".
const LIST_AT_MOST: usize = 5;

pub fn skip_reason(why: &SkipReason) -> String {
    match why {
        SkipReason::Author => "the PR author".into(),
        SkipReason::Committer => "committed to this PR".into(),
        SkipReason::Bot => "a bot".into(),
        SkipReason::AlreadyRequested => "already requested".into(),
        SkipReason::AlreadyReviewed => "already reviewed".into(),
        SkipReason::RemovedThemselves => "removed themselves from the request".into(),
        SkipReason::BeingReplaced => "being replaced".into(),
        SkipReason::Unavailable => "unavailable".into(),
        SkipReason::Away { until } => format!("away until {}", until.strftime("%Y-%m-%d %H:%M UTC")),
        SkipReason::Busy { until: Some(until) } => {
            format!("busy on GitHub (until {})", until.strftime("%Y-%m-%d %H:%M UTC"))
        }
        SkipReason::Busy { until: None } => "busy on GitHub".into(),
        SkipReason::OutsideWorkingHours { hours, local_time } => {
            format!("outside working hours for an urgent review ({local_time} there; hours {hours})")
        }
        SkipReason::AtCapacity { open, capacity } => format!("at capacity ({open} of {capacity} open reviews)"),
    }
}

pub fn skipped_line(login: &Login, why: &SkipReason) -> String {
    format!("{login}: {}", skip_reason(why))
}

/// `alice: owns src/auth/ in CODEOWNERS, 1 of 4 open reviews, 3 reviews in the last 4 weeks,
/// available`; the reviews given are said only when the review history was read (`window_weeks`).
pub fn requested_line(
    login: &Login,
    score: &Score,
    role: Role,
    over_capacity: bool,
    hours: Option<&str>,
    window_weeks: Option<u32>,
) -> String {
    let mut parts = Vec::new();
    match (score.owned_paths, &score.owned_area) {
        (0, _) => {}
        (_, Some(area)) => parts.push(format!("owns {area} in CODEOWNERS")),
        (n, None) => parts.push(format!("owns {n} changed files in CODEOWNERS")),
    }
    match score.recent_touches {
        0 if score.owned_paths == 0 => parts.push("no recent work on these paths".into()),
        0 => {}
        1 => parts.push("1 recent touch of these paths".into()),
        n => parts.push(format!("{n} recent touches of these paths")),
    }
    let load = format!("{} of {} open reviews", score.open_requests, score.capacity);
    parts.push(if over_capacity { format!("{load} (everyone who could be asked is at capacity)") } else { load });
    if let Some(weeks) = window_weeks {
        let reviews = if score.reviews_given == 1 { "review" } else { "reviews" };
        let span = if weeks == 1 { "week".to_string() } else { format!("{weeks} weeks") };
        parts.push(format!("{} {reviews} in the last {span}", score.reviews_given));
    }
    parts.push(match hours {
        Some(local) => format!("available ({local})"),
        None => "available".into(),
    });
    let line = format!("{login}: {}", parts.join(", "));
    if role == Role::SpotCheck { format!("{line}; AI spot check") } else { line }
}

/// `10:30 there; hours Europe/Berlin 09-17`, for an urgent request to someone with hours.
pub fn within_hours(local_time: &str, hours: &str) -> String {
    format!("{local_time} there; hours {hours}")
}

pub fn problem(what: &ProblemKind, tier: Tier, tier_request: u32) -> String {
    match what {
        ProblemKind::TeamWithoutMembers { pool, team } => format!(
            "team {team} in pool {pool} has no known members, so no one from it can be requested; \
             list them under `teams:` or let flowgate read the team"
        ),
        ProblemKind::EmptyPool { pool } => format!("pool {pool} has no one to request: none of its members is known"),
        ProblemKind::Unfilled { role, pools, rejected } => {
            let from = pools.join(" or ");
            let need = match role {
                Role::FirstPool => format!("the {tier} tier needs a reviewer from {from}, but no one there"),
                Role::Tier => format!("the {tier} tier needs {tier_request} reviewers from {from}, but no one more"),
                Role::SpotCheck => {
                    format!("this AI-touched PR was sampled for a spot check from {from}, but no one there")
                }
            };
            format!("{need} can be requested: {}", rejections(rejected))
        }
    }
}

fn rejections(rejected: &[(Login, String)]) -> String {
    if rejected.is_empty() {
        return "there is no one in the pool".into();
    }
    let mut shown: Vec<String> =
        rejected.iter().take(LIST_AT_MOST).map(|(login, why)| format!("{login} ({why})")).collect();
    if rejected.len() > LIST_AT_MOST {
        shown.push(format!("and {} more", rejected.len() - LIST_AT_MOST));
    }
    shown.join(", ")
}
