//! Each repository under its own settings: the same PR timings measured under two repositories'
//! targets and calendars, and a team's figures cut from them without anyone's own.

use std::collections::BTreeMap;
use std::time::Duration;

use super::support::{Pr, t, wall_clock, window};
use crate::latency::{
    BusinessCalendar, Clock, ClockMode, DigestBuilder, LatencyConfig, PerRepo, RepoFigures, team_digest, team_key,
};
use crate::model::Tier;

/// `red: 8h` and the payments team (ann), with the clock given.
fn settings(clock: Clock) -> LatencyConfig {
    let mut config = LatencyConfig::new(clock);
    config.first_review_targets = BTreeMap::from([(Tier::Red, Duration::from_secs(8 * 3600))]);
    config.teams.insert("ann".into(), vec!["@acme/payments".into()]);
    config
}

/// Opened Tuesday 10:00 UTC, asked of dave and of the payments team, first review ten hours
/// later at 20:00 UTC, merged: in Tokyo that is 19:00 Tuesday to 05:00 Wednesday, outside
/// working hours.
fn late_evening_pr(repo: &str) -> Pr {
    Pr::new(1, "ann")
        .repo(repo)
        .tier(Some(Tier::Red))
        .opened("2025-03-04 10:00")
        .request("2025-03-04 10:00", "dave")
        .request_team("2025-03-04 10:00", "acme/payments")
        .approve("2025-03-04 20:00", "dave")
        .merged("2025-03-04 21:00")
}

fn figures(repo: &str, config: LatencyConfig) -> RepoFigures {
    let mut builder = DigestBuilder::new(config, window("2025-03-03 00:00", "2025-03-10 00:00"), t("2025-03-10 00:00"));
    builder.add_pr(&late_evening_pr(repo).events);
    RepoFigures::of(repo, &format!(".github/flowgate.yml on {repo}@main"), &builder.finish())
}

fn two_repositories() -> PerRepo {
    let calendar_hours = Clock { mode: ClockMode::Calendar, ..wall_clock().clock };
    let tokyo =
        Clock { calendar: BusinessCalendar::office_hours("Asia/Tokyo").expect("Tokyo"), mode: ClockMode::Business };
    PerRepo {
        overall_settings: "the bundled default policy".into(),
        repos: vec![figures("acme/api", settings(calendar_hours)), figures("acme/web", settings(tokyo))],
        unread: Vec::new(),
        over_cap: Vec::new(),
        cap: 100,
    }
}

#[test]
fn the_same_timings_breach_one_repositorys_target_and_not_the_others() {
    let per_repo = two_repositories();
    let [api, web] = &per_repo.repos[..] else { panic!("two repositories") };
    // acme/api counts wall-clock hours: ten hours is past its eight-hour red target.
    assert_eq!((api.clock, api.timezone.as_str()), (ClockMode::Calendar, "UTC"));
    assert_eq!(api.overall.first_review_hours.median, Some(10.0));
    assert_eq!(api.late(), (1, 1), "late in acme/api");
    // acme/web counts working hours in Tokyo: the night there is no waiting at all.
    assert_eq!((web.clock, web.timezone.as_str()), (ClockMode::Business, "Asia/Tokyo"));
    assert_eq!(web.overall.first_review_hours.median, Some(0.0));
    assert_eq!(web.late(), (0, 1), "on time in acme/web");
}

#[test]
fn a_teams_digest_has_the_teams_figures_in_each_repository_and_nobody_elses() {
    let per_repo = two_repositories();
    let team = team_digest("@ACME/Payments", &per_repo);
    assert_eq!(team.team, "@acme/payments");
    let repos: Vec<&str> = team.rows.iter().map(|r| r.repo.as_str()).collect();
    assert_eq!(repos, ["acme/api", "acme/web"]);
    let api = &team.rows[0];
    let authored = api.authored.as_ref().expect("ann's PR is the team's");
    assert_eq!((authored.prs, authored.merged, authored.first_review_hours.median), (1, 1, Some(10.0)));
    let asked = api.asked.as_ref().expect("the team was asked");
    assert_eq!((asked.requests_received, asked.open_queue_now), (1, 0));
    assert_eq!(team.rows[1].authored.as_ref().map(|g| g.first_review_hours.median), Some(Some(0.0)));
    // No person's figures: neither the reviewer nor the author is named anywhere in it.
    let shown = serde_json::to_string(&team).expect("serialises");
    assert!(!shown.contains("dave") && !shown.contains("ann"), "{shown}");
    // A team no repository names has no rows, rather than another team's.
    assert!(team_digest("acme/web", &per_repo).rows.is_empty());
    assert_eq!(team_key("acme/Web"), "@acme/web");
}
