//! The SLO ladder in the replay, over small histories worked out by hand: a reviewer who never
//! answers is handed on at 150% and the replacement's answer is the first response; a reminder
//! due at night waits for the reviewer's morning; someone away is not reminded; and without the
//! ladder the figures are those of the replay before it existed.

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::SignedDuration;

use super::*;
use crate::assign::policy::{Pool, TierNeed, Weights, WorkingHours};
use crate::assign::synthetic::{synthetic_month, team_calendar};
use crate::slo::{Share, Step};

/// One pool, `team`, asked for one reviewer on yellow PRs; a yellow SLO of 4 working hours
/// (team calendar: UTC, Monday to Friday 09-17) with a reminder at 50% and reassignment at 150%.
/// A request the history has no review for is answered after 30 days: in effect, never.
fn setup(members: &[&str], hours: &[(&str, &str)]) -> SimSetup {
    let policy = ReviewerPolicy {
        pools: BTreeMap::from([(
            "team".to_string(),
            Pool {
                name: "team".into(),
                members: members.iter().map(|m| Principal(m.to_string())).collect(),
                capacity: 5,
            },
        )]),
        tiers: BTreeMap::from([(Tier::Yellow, TierNeed { request: 1, from: vec!["team".into()] })]),
        spot_check: None,
        unavailable: Vec::new(),
        working_hours: hours
            .iter()
            .map(|(login, text)| (Login::new(*login), WorkingHours::parse(text).expect("hours")))
            .collect(),
        weights: Weights::default(),
        fairness_weeks: crate::assign::policy::DEFAULT_FAIRNESS_WEEKS,
    };
    let rule = SloRule::new(Duration::from_secs(4 * 3600), Some(Share(50)), None, Some(Share(150))).expect("a ladder");
    SimSetup {
        policy,
        teams: BTreeMap::new(),
        codeowners: Vec::new(),
        seed: 7,
        default_delay: SignedDuration::from_hours(30 * 24),
        slo: BTreeMap::from([(Tier::Yellow, rule)]),
        calendar: team_calendar(),
    }
}

fn history(lines: &[&str]) -> Vec<HistoryEvent> {
    parse_history(&lines.join("\n")).expect("a history")
}

fn steps(r: &StrategyResult) -> Vec<(String, Step, String, Option<String>)> {
    r.steps
        .iter()
        .map(|s| (s.login.to_string(), s.step, s.at.to_string(), s.to.as_ref().map(|l| l.to_string())))
        .collect()
}

fn row(rows: &[StrategyResult], strategy: Strategy) -> &StrategyResult {
    rows.iter().find(|r| r.strategy == strategy).expect("the strategy's row")
}

/// PR 1 (a week earlier): amy answers in 2 hours, so her typical delay is 2 hours. PR 2, Monday
/// 09:00: round-robin and load balance ask bob, who never answers. At 11:00 (2 working hours) he
/// is reminded; at 15:00 (6) the request goes to amy, who answers at 17:00: 8 working hours.
#[test]
fn a_reviewer_who_never_answers_is_handed_on_at_150_percent_and_the_replacement_answers_first() {
    let events = history(&[
        r#"{"event":"pr_opened","at":"2025-02-24T09:00:00Z","repo":"a/b","number":1,"author":"carl","tier":"yellow"}"#,
        r#"{"event":"review","at":"2025-02-24T11:00:00Z","repo":"a/b","number":1,"reviewer":"amy"}"#,
        r#"{"event":"pr_opened","at":"2025-03-03T09:00:00Z","repo":"a/b","number":2,"author":"carl","tier":"yellow"}"#,
    ]);
    let c = compare(&setup(&["amy", "bob"], &[]), &events);
    for strategy in [Strategy::RoundRobin, Strategy::LoadBalance] {
        let on = row(&c.with_ladder, strategy);
        assert_eq!(
            steps(on),
            [
                ("bob".into(), Step::Remind, "2025-03-03T11:00:00Z".into(), None),
                ("bob".into(), Step::Reassign, "2025-03-03T15:00:00Z".into(), Some("amy".into())),
            ],
            "{strategy:?}"
        );
        assert_eq!((on.reminders, on.reassignments, on.reminders_outside_hours), (1, 1, 0));
        // First responses: 2 hours (PR 1) and 8 working hours (PR 2, amy at 17:00).
        assert_eq!((on.first_response_p50_hours, on.first_response_p90_hours), (Some(2.0), Some(8.0)));
        assert_eq!(on.requests, 3, "the replacement is a request too");
        let off = row(&c.results, strategy);
        assert_eq!((off.reminders, off.reassignments, off.requests), (0, 0, 2));
        assert!(off.first_response_p90_hours.is_some_and(|h| h > 100.0), "without the ladder bob never answers");
    }
    let flowgate = row(&c.with_ladder, Strategy::Flowgate);
    assert_eq!(flowgate.reassignments, 1, "{:?}", steps(flowgate));
    let handed = flowgate.steps.iter().find(|s| s.step == Step::Reassign).expect("a reassignment");
    assert_ne!(handed.to.as_ref(), Some(&handed.login), "never back to the same reviewer");
}

/// bob works 09-17 in Tokyo. Asked Monday 06:00 UTC (15:00 in Tokyo), his two working hours pass
/// at 08:00 UTC (17:00 in Tokyo, his day's end): the reminder waits for his Tuesday 09:00, which
/// is Tuesday 00:00 UTC.
#[test]
fn a_reminder_due_at_night_is_sent_at_the_start_of_the_reviewers_next_working_day() {
    let events = history(&[
        r#"{"event":"pr_opened","at":"2025-03-03T06:00:00Z","repo":"a/b","number":1,"author":"carl","tier":"yellow"}"#,
    ]);
    let mut setup = setup(&["bob"], &[("bob", "Asia/Tokyo 09-17")]);
    setup.slo.values_mut().for_each(|r| r.reassign_at = None);
    let c = compare(&setup, &events);
    for on in &c.with_ladder {
        assert_eq!(steps(on), [("bob".into(), Step::Remind, "2025-03-04T00:00:00Z".into(), None)], "{:?}", on.strategy);
        assert_eq!(on.reminders_outside_hours, 0);
    }
}

/// Nobody answers. amy is asked Monday 09:00, reminded at 11:00, and her request goes to bob at
/// 15:00; bob's own ladder starts then: his reminder, due at 17:00 as the day ends, waits for
/// Tuesday 09:00; at 13:00 his request is due to be handed on, but nobody is left, so it stays.
#[test]
fn a_replacements_request_has_its_own_ladder() {
    let events = history(&[
        r#"{"event":"pr_opened","at":"2025-03-03T09:00:00Z","repo":"a/b","number":1,"author":"carl","tier":"yellow"}"#,
    ]);
    let c = compare(&setup(&["amy", "bob"], &[]), &events);
    let on = row(&c.with_ladder, Strategy::RoundRobin);
    assert_eq!(
        steps(on),
        [
            ("amy".into(), Step::Remind, "2025-03-03T11:00:00Z".into(), None),
            ("amy".into(), Step::Reassign, "2025-03-03T15:00:00Z".into(), Some("bob".into())),
            ("bob".into(), Step::Remind, "2025-03-04T09:00:00Z".into(), None),
            ("bob".into(), Step::Reassign, "2025-03-04T13:00:00Z".into(), None),
        ]
    );
    assert_eq!((on.reminders, on.reassignments, on.reminders_outside_hours), (2, 1, 0));
}

#[test]
fn someone_away_is_not_reminded_but_the_request_is_still_handed_on() {
    let events = history(&[
        r#"{"event":"pr_opened","at":"2025-02-24T09:00:00Z","repo":"a/b","number":1,"author":"carl","tier":"yellow"}"#,
        r#"{"event":"review","at":"2025-02-24T11:00:00Z","repo":"a/b","number":1,"reviewer":"amy"}"#,
        r#"{"event":"pr_opened","at":"2025-03-03T09:00:00Z","repo":"a/b","number":2,"author":"carl","tier":"yellow"}"#,
        r#"{"event":"away","login":"bob","from":"2025-03-03T10:00:00Z","until":"2025-03-10T00:00:00Z"}"#,
    ]);
    let c = compare(&setup(&["amy", "bob"], &[]), &events);
    let on = row(&c.with_ladder, Strategy::RoundRobin);
    assert_eq!(steps(on), [("bob".into(), Step::Reassign, "2025-03-03T15:00:00Z".into(), Some("amy".into()))]);
    assert_eq!(on.reminders, 0);
}

/// The figures of the synthetic month (seed 7) as docs/benchmarks.md recorded them before the
/// ladder: without it, every strategy's row is unchanged.
#[test]
fn without_the_ladder_the_figures_are_those_of_the_replay_before_it() {
    let (setup, events) = synthetic_month(7);
    let c = compare(&setup, &events);
    let shown = |r: &StrategyResult| {
        format!(
            "{} {:.2} {:.3} {:.2} {:.3} {:.0}% {} {} {}",
            r.requests,
            r.max_over_mean,
            r.gini,
            r.raw_max_over_mean,
            r.raw_gini,
            r.red_first_pool_share * 100.0,
            r.over_capacity,
            r.peak_open,
            r.unfilled
        )
    };
    let rows: Vec<String> = c.results.iter().map(shown).collect();
    assert_eq!(
        rows,
        [
            "407 1.11 0.025 1.09 0.037 100% 24 7 1",
            "408 1.69 0.232 1.76 0.241 61% 64 9 0",
            "407 1.79 0.239 1.86 0.248 75% 73 10 1",
            "408 1.28 0.052 1.03 0.011 77% 38 9 0",
        ]
    );
    assert!(c.results.iter().all(|r| !r.ladder && r.reminders + r.channel_messages + r.reassignments == 0));
    let mut without = setup.clone();
    without.slo.clear();
    let alone = compare(&without, &events);
    assert!(alone.with_ladder.is_empty());
    assert_eq!(alone.results, c.results, "the ladder's run leaves the rows without it alone");
}

#[test]
fn on_the_synthetic_month_no_reminder_goes_out_of_hours_and_every_ladder_ends() {
    let (setup, events) = synthetic_month(7);
    let c = compare(&setup, &events);
    assert_eq!(c.with_ladder.len(), 4);
    for (on, off) in c.with_ladder.iter().zip(&c.results) {
        assert!(on.reminders > 0 && on.reassignments > 0, "{on:?}");
        assert_eq!(on.reminders_outside_hours, 0, "{:?}", on.strategy);
        assert_eq!(on.capped, 0, "{:?}", on.strategy);
        assert_eq!(on.responded, off.responded, "every PR asked anyone gets a first response either way");
    }
}
