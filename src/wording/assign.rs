//! Every sentence about the reviewers flowgate chooses: why each one was requested, why others
//! were passed over, and what kept a need from being filled.

use super::count;
use crate::assign::{Assignment, LocalHours, ProblemKind, Requested, Role, SkipReason, Skipped, Unread};
use crate::model::Login;

/// How many rejected candidates an unfilled need lists before "and N more".
const LIST_AT_MOST: usize = 5;

/// A fact the choice was made without, and what that leaves out of it.
pub fn unread(what: &Unread) -> String {
    match what {
        Unread::BusyStatus { error } => {
            format!("GitHub's busy status could not be read ({error}), so nobody was passed over for it")
        }
        Unread::ReviewHistory { error, weeks } => format!(
            "the review history could not be read ({error}), so reviews given in the last {weeks} weeks, recent \
             work on these paths and who was asked last are not counted in this choice"
        ),
    }
}

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
            format!(
                "outside working hours for an urgent review ({} there; hours {hours})",
                local_time.strftime("%H:%M")
            )
        }
        SkipReason::AtCapacity { open, capacity } => format!("at capacity ({open} of {capacity} open reviews)"),
    }
}

/// `erin: unavailable`.
pub fn skipped_line(skipped: &Skipped) -> String {
    format!("{}: {}", skipped.login, skip_reason(&skipped.why))
}

/// `alice: owns src/auth/ in CODEOWNERS, 1 of 4 open reviews, 3 reviews in the last 4 weeks,
/// available`; the reviews given are said only when the review history was read.
pub fn requested_line(assignment: &Assignment, requested: &Requested) -> String {
    let score = &requested.score;
    let mut parts = Vec::new();
    match (score.owned_paths, &score.owned_area) {
        (0, _) => {}
        (_, Some(area)) => parts.push(format!("owns {area} in CODEOWNERS")),
        (n, None) => parts.push(format!("owns {n} changed files in CODEOWNERS")),
    }
    match score.recent_touches {
        0 if score.owned_paths == 0 => parts.push("no recent work on these paths".into()),
        0 => {}
        n => parts.push(format!("{} of these paths", count(n.into(), "recent touch", "recent touches"))),
    }
    let load = format!("{} of {} open reviews", score.open_requests, score.capacity);
    parts.push(if requested.over_capacity {
        format!("{load} (everyone who could be asked is at capacity)")
    } else {
        load
    });
    if let Some(weeks) = assignment.review_window_weeks {
        let span = if weeks == 1 { "week".to_string() } else { format!("{weeks} weeks") };
        parts.push(format!("{} in the last {span}", count(score.reviews_given.into(), "review", "reviews")));
    }
    parts.push(match &requested.hours {
        Some(hours) => format!("available ({})", within_hours(hours)),
        None => "available".into(),
    });
    let line = format!("{}: {}", requested.login, parts.join(", "));
    if requested.role == Role::SpotCheck { format!("{line}; AI spot check") } else { line }
}

/// `10:30 there; hours Europe/Berlin 09-17`, for an urgent request to someone with hours.
pub fn within_hours(hours: &LocalHours) -> String {
    format!("{} there; hours {}", hours.local_time.strftime("%H:%M"), hours.hours)
}

/// What kept flowgate from filling a need of `assignment`, or made a pool smaller than written.
pub fn problem(assignment: &Assignment, what: &ProblemKind) -> String {
    let (tier, tier_request) = (assignment.tier, assignment.tier_request);
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

fn rejections(rejected: &[(Login, SkipReason)]) -> String {
    if rejected.is_empty() {
        return "there is no one in the pool".into();
    }
    let mut shown: Vec<String> =
        rejected.iter().take(LIST_AT_MOST).map(|(login, why)| format!("{login} ({})", skip_reason(why))).collect();
    if rejected.len() > LIST_AT_MOST {
        shown.push(format!("and {} more", rejected.len() - LIST_AT_MOST));
    }
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assign::output::{Counted, SpotCheck};
    use crate::assign::score::Score;
    use crate::model::Tier;

    fn berlin() -> crate::assign::policy::WorkingHours {
        crate::assign::policy::WorkingHours::parse("Europe/Berlin 09-17").expect("valid hours")
    }

    fn score(owned_paths: u32, owned_area: Option<&str>, recent_touches: u32, reviews_given: u32) -> Score {
        Score {
            total: 1.0,
            expertise: 0.5,
            load: 0.25,
            fairness: 0.0,
            owned_paths,
            owned_area: owned_area.map(Into::into),
            recent_touches,
            open_requests: 1,
            capacity: 4,
            reviews_given,
        }
    }

    fn requested(login: &str, score: Score, role: Role) -> Requested {
        Requested { login: Login::new(login), pool: "seniors".into(), role, over_capacity: false, score, hours: None }
    }

    fn assignment(requested: Vec<Requested>, review_window_weeks: Option<u32>) -> Assignment {
        Assignment {
            repo: "acme/shop".into(),
            number: 42,
            tier: Tier::Red,
            tier_request: 2,
            needed: 2,
            counted: vec![Counted { who: "bob".into(), role: Role::FirstPool }],
            requested,
            skipped: vec![],
            saturated_pools: vec![],
            spot_check: SpotCheck { ai_touched: false, percent: None, bucket: 0, sampled: false, pools: vec![] },
            problems: vec![],
            notes: vec![],
            review_window_weeks,
        }
    }

    fn at(text: &str) -> jiff::Timestamp {
        text.parse().expect("a time")
    }

    #[test]
    fn each_reason_a_candidate_is_passed_over() {
        let reasons = [
            SkipReason::Author,
            SkipReason::Committer,
            SkipReason::Bot,
            SkipReason::AlreadyRequested,
            SkipReason::AlreadyReviewed,
            SkipReason::RemovedThemselves,
            SkipReason::BeingReplaced,
            SkipReason::Unavailable,
            SkipReason::Away { until: at("2025-03-07T17:00:00Z") },
            SkipReason::Busy { until: Some(at("2025-03-05T09:30:00Z")) },
            SkipReason::Busy { until: None },
            SkipReason::OutsideWorkingHours { hours: berlin(), local_time: jiff::civil::time(20, 30, 0, 0) },
            SkipReason::AtCapacity { open: 6, capacity: 6 },
        ];
        let lines: Vec<String> = reasons
            .into_iter()
            .map(|why| skipped_line(&Skipped { login: Login::new("erin"), pool: "everyone".into(), why }))
            .collect();
        insta::assert_snapshot!(lines.join("\n"), @r"
        erin: the PR author
        erin: committed to this PR
        erin: a bot
        erin: already requested
        erin: already reviewed
        erin: removed themselves from the request
        erin: being replaced
        erin: unavailable
        erin: away until 2025-03-07 17:00 UTC
        erin: busy on GitHub (until 2025-03-05 09:30 UTC)
        erin: busy on GitHub
        erin: outside working hours for an urgent review (20:30 there; hours Europe/Berlin 09-17)
        erin: at capacity (6 of 6 open reviews)
        ");
    }

    #[test]
    fn why_each_reviewer_was_requested() {
        let mut over = requested("frank", score(0, None, 0, 0), Role::Tier);
        over.over_capacity = true;
        let mut urgent = requested("alice", score(1, Some("src/auth/"), 1, 1), Role::FirstPool);
        urgent.hours = Some(LocalHours { local_time: jiff::civil::time(11, 0, 0, 0), hours: berlin() });
        let people = vec![
            urgent,
            requested("carol", score(3, None, 4, 3), Role::Tier),
            requested("dave", score(2, None, 0, 0), Role::SpotCheck),
            over,
        ];
        let one_week = assignment(people.clone(), Some(1));
        let lines: Vec<String> = one_week.requested.iter().map(|r| requested_line(&one_week, r)).collect();
        insta::assert_snapshot!(lines.join("\n"), @r"
        alice: owns src/auth/ in CODEOWNERS, 1 recent touch of these paths, 1 of 4 open reviews, 1 review in the last week, available (11:00 there; hours Europe/Berlin 09-17)
        carol: owns 3 changed files in CODEOWNERS, 4 recent touches of these paths, 1 of 4 open reviews, 3 reviews in the last week, available
        dave: owns 2 changed files in CODEOWNERS, 1 of 4 open reviews, 0 reviews in the last week, available; AI spot check
        frank: no recent work on these paths, 1 of 4 open reviews (everyone who could be asked is at capacity), 0 reviews in the last week, available
        ");
        let unread = assignment(people, None);
        insta::assert_snapshot!(requested_line(&unread, &unread.requested[1]), @"carol: owns 3 changed files in CODEOWNERS, 4 recent touches of these paths, 1 of 4 open reviews, available");
        let four_weeks = assignment(unread.requested.clone(), Some(4));
        insta::assert_snapshot!(requested_line(&four_weeks, &four_weeks.requested[1]), @"carol: owns 3 changed files in CODEOWNERS, 4 recent touches of these paths, 1 of 4 open reviews, 3 reviews in the last 4 weeks, available");
        let hours = LocalHours { local_time: jiff::civil::time(10, 30, 0, 0), hours: berlin() };
        insta::assert_snapshot!(within_hours(&hours), @"10:30 there; hours Europe/Berlin 09-17");
    }

    #[test]
    fn each_problem_that_keeps_a_need_from_being_filled() {
        let a = assignment(vec![], None);
        let rejected: Vec<(Login, SkipReason)> = ["bob", "carol", "dave", "erin", "frank", "gus", "hal"]
            .into_iter()
            .map(|l| (Login::new(l), SkipReason::Unavailable))
            .collect();
        let unfilled = |role, rejected: &[(Login, SkipReason)]| ProblemKind::Unfilled {
            role,
            pools: vec!["security".into(), "seniors".into()],
            rejected: rejected.to_vec(),
        };
        let problems = [
            ProblemKind::TeamWithoutMembers { pool: "security".into(), team: "@acme/security".into() },
            ProblemKind::EmptyPool { pool: "security".into() },
            unfilled(Role::FirstPool, &[]),
            unfilled(Role::Tier, &rejected[..2]),
            unfilled(Role::SpotCheck, &rejected),
        ];
        let lines: Vec<String> = problems.iter().map(|what| problem(&a, what)).collect();
        insta::assert_snapshot!(lines.join("\n"), @r"
        team @acme/security in pool security has no known members, so no one from it can be requested; list them under `teams:` or let flowgate read the team
        pool security has no one to request: none of its members is known
        the red tier needs a reviewer from security or seniors, but no one there can be requested: there is no one in the pool
        the red tier needs 2 reviewers from security or seniors, but no one more can be requested: bob (unavailable), carol (unavailable)
        this AI-touched PR was sampled for a spot check from security or seniors, but no one there can be requested: bob (unavailable), carol (unavailable), dave (unavailable), erin (unavailable), frank (unavailable), and 2 more
        ");
    }

    #[test]
    fn what_the_choice_was_made_without_is_said_with_its_reason() {
        insta::assert_snapshot!(
            unread(&Unread::BusyStatus { error: "GraphQL: 502 Bad Gateway".into() }),
            @"GitHub's busy status could not be read (GraphQL: 502 Bad Gateway), so nobody was passed over for it"
        );
        insta::assert_snapshot!(
            unread(&Unread::ReviewHistory { error: "database is locked".into(), weeks: 4 }),
            @"the review history could not be read (database is locked), so reviews given in the last 4 weeks, recent work on these paths and who was asked last are not counted in this choice"
        );
    }
}
