//! A synthetic month of history for a team of 12 with 3 seniors and a 2-person security team:
//! a few hundred PRs of mixed tiers on weekdays, with reviews that take hours to days so that
//! load builds up. Deterministic for a seed, so the comparison it feeds is repeatable.

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::hash::SplitMix64;
use super::policy::{Pool, ReviewerPolicy, SpotCheckRule, TierNeed, Weights, WorkingHours};
use super::simulate::{HistoryEvent, SimSetup};
use crate::latency::BusinessCalendar;
use crate::model::Login;
use crate::model::{Principal, Tier};
use crate::slo::{Share, SloRule};

const SENIORS: [&str; 3] = ["alice", "carol", "dave"];
const SECURITY: [&str; 2] = ["sam", "tara"];
const OTHERS: [&str; 7] = ["bob", "erin", "frank", "gina", "hugo", "ivan", "judy"];
const REPO: &str = "acme/shop";

const RED_AREAS: [&str; 3] = ["src/auth", "src/payments", "migrations"];
const YELLOW_AREAS: [&str; 4] = ["src/cart", "src/api", "src/search", "src/ui"];
const GREEN_AREAS: [&str; 2] = ["docs", "tests"];

fn everyone() -> Vec<&'static str> {
    SENIORS.iter().chain(&SECURITY).chain(&OTHERS).copied().collect()
}

fn logins(names: &[&str]) -> Vec<Login> {
    names.iter().map(|n| Login::new(*n)).collect()
}

fn principals(names: &[&str]) -> Vec<Principal> {
    names.iter().map(|n| Principal(n.to_string())).collect()
}

/// The policy of docs/policy.md's example, with this team's members.
pub fn synthetic_setup(seed: u64) -> SimSetup {
    let pool = |name: &str, members: Vec<Principal>, capacity| {
        (name.to_string(), Pool { name: name.into(), members, capacity })
    };
    let need = |request, from: &[&str]| TierNeed { request, from: from.iter().map(|s| s.to_string()).collect() };
    let hours = [("alice", "Europe/Berlin 09-17"), ("dave", "America/New_York 09-17")]
        .into_iter()
        .filter_map(|(login, text)| WorkingHours::parse(text).ok().map(|h| (Login::new(login), h)))
        .collect();
    let policy = ReviewerPolicy {
        pools: BTreeMap::from([
            pool("security", principals(&["@acme/security"]), 3),
            pool("seniors", principals(&SENIORS), 4),
            pool("everyone", principals(&["@acme/engineers"]), 6),
        ]),
        tiers: BTreeMap::from([
            (Tier::Red, need(2, &["security", "seniors"])),
            (Tier::Yellow, need(1, &["everyone"])),
            (Tier::Green, need(1, &["everyone"])),
        ]),
        spot_check: Some(SpotCheckRule { percent: 30, from: vec!["seniors".into()] }),
        unavailable: Vec::new(),
        working_hours: hours,
        weights: Weights::default(),
        fairness_weeks: crate::assign::policy::DEFAULT_FAIRNESS_WEEKS,
    };
    SimSetup {
        policy,
        teams: BTreeMap::from([
            ("@acme/security".to_string(), logins(&SECURITY)),
            ("@acme/engineers".to_string(), logins(&everyone())),
        ]),
        codeowners: vec![
            ("src/auth/".into(), principals(&["@acme/security"])),
            ("src/payments/".into(), principals(&["alice", "carol"])),
            ("migrations/".into(), principals(&["dave"])),
            ("src/api/".into(), principals(&["bob", "frank"])),
        ],
        seed,
        default_delay: SignedDuration::from_hours(24),
        slo: default_ladder(),
        calendar: team_calendar(),
    }
}

/// The synthetic month's ladder, docs/policy.md's example: red PRs' reviewers are reminded at 2
/// of 4 working hours, the pool's channel is told at 4 and the request handed on at 6; yellow
/// PRs' reviewers are reminded at 6 of 8 working hours.
pub fn default_ladder() -> BTreeMap<Tier, SloRule> {
    let hours = |h: u64| Duration::from_secs(h * 3600);
    let rules = [
        (Tier::Red, SloRule::new(hours(4), Some(Share(50)), Some(Share(100)), Some(Share(150)))),
        (Tier::Yellow, SloRule::new(hours(8), Some(Share(75)), None, None)),
    ];
    rules.into_iter().filter_map(|(tier, rule)| rule.ok().map(|r| (tier, r))).collect()
}

/// The team's calendar in the synthetic month: Monday to Friday, 09:00 to 17:00 UTC.
pub fn team_calendar() -> BusinessCalendar {
    // UTC is always known (jiff needs no time zone database for it): this cannot fail.
    BusinessCalendar::office_hours("UTC").expect("UTC office hours are a calendar")
}

/// Weekdays of March 2025: 13 to 17 PRs a day, opened 07:00 to 19:00 UTC; 20% red, 50% yellow,
/// 30% green; 40% AI-touched; each recorded review takes 6 hours plus 6 to 36 hours per unit of
/// effort. Two people are away for a week each.
pub fn synthetic_month(seed: u64) -> (SimSetup, Vec<HistoryEvent>) {
    let mut rng = SplitMix64::new(seed);
    let team = everyone();
    let at = |text: &str| text.parse::<Timestamp>().unwrap_or_default();
    let mut events = vec![
        HistoryEvent::Away {
            login: Login::new("erin"),
            from: at("2025-03-10T00:00:00Z"),
            until: at("2025-03-15T00:00:00Z"),
        },
        HistoryEvent::Away {
            login: Login::new("carol"),
            from: at("2025-03-17T00:00:00Z"),
            until: at("2025-03-22T00:00:00Z"),
        },
    ];
    let month_start = at("2025-03-03T00:00:00Z"); // a Monday
    let mut number = 1000;
    for day in 0..29 {
        if day % 7 >= 5 {
            continue;
        }
        let day_start = month_start.checked_add(SignedDuration::from_hours(24 * day)).unwrap_or(month_start);
        for _ in 0..13 + rng.below(5) {
            number += 1;
            let minute = 7 * 60 + rng.below(12 * 60) as i64;
            let opened = day_start.checked_add(SignedDuration::from_mins(minute)).unwrap_or(day_start);
            let author = Login::new(team[rng.below(team.len() as u64) as usize]);
            let roll = rng.unit();
            let (tier, areas, effort, reviews): (Tier, &[&str], f64, u32) = if roll < 0.2 {
                (Tier::Red, &RED_AREAS, 1.2 + rng.unit() * 1.8, 2)
            } else if roll < 0.7 {
                (Tier::Yellow, &YELLOW_AREAS, 0.6 + rng.unit(), 1)
            } else {
                (Tier::Green, &GREEN_AREAS, 0.2 + rng.unit() * 0.4, 1)
            };
            let area = areas[rng.below(areas.len() as u64) as usize];
            let paths = (0..1 + rng.below(4)).map(|k| format!("{area}/file{k}.rs")).collect();
            events.push(HistoryEvent::PrOpened {
                at: opened,
                repo: REPO.into(),
                number,
                author: author.clone(),
                tier,
                paths,
                effort: (effort * 100.0).round() / 100.0,
                ai_touched: rng.unit() < 0.4,
            });
            for _ in 0..reviews {
                let hours = 6.0 + effort * (6.0 + rng.unit() * 30.0);
                let done = opened.checked_add(SignedDuration::from_secs_f64(hours * 3600.0)).unwrap_or(opened);
                let others: Vec<&&str> = team.iter().filter(|l| **l != author.as_str()).collect();
                let reviewer = Login::new(*others[rng.below(others.len() as u64) as usize]);
                events.push(HistoryEvent::Review { at: done, repo: REPO.into(), number, reviewer });
            }
        }
    }
    (synthetic_setup(seed), events)
}
