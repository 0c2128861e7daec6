//! What changed: hand-built weeks where a known PR moves a stage's median by a known amount.
//!
//! Wall-clock hours, UTC; the window is Monday 3 to Monday 10 March 2025 (= now), and the eight
//! weeks before it are the baseline. Every PR is requested from a reviewer when it opens, so its
//! first review's wait and its answer's wait are the same hours unless a test asks more reviewers.

use chrono::{DateTime, Days, TimeDelta, Utc};

use super::{Against, Cause, Stage, StageChange};
use crate::latency::tests::support::{Pr, t, wall_clock};
use crate::latency::{Digest, DigestBuilder, LatencyConfig, Window};

const MONDAY: &str = "2025-03-03 00:00";

fn at(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%d %H:%M").to_string()
}

/// A PR opened `weeks_back` weeks before the window's Monday (Tuesday 09:00 of that week),
/// answered by each reviewer after the hours given, in order.
fn pr(number: u64, weeks_back: u64, answers: &[(&str, i64)]) -> Pr {
    let opened = t(MONDAY).checked_sub_days(Days::new(7 * weeks_back)).expect("a date") + TimeDelta::hours(33);
    let mut pr = Pr::new(number, "ann").opened(&at(opened));
    for (reviewer, _) in answers {
        pr = pr.request(&at(opened), reviewer);
    }
    let mut answers = answers.to_vec();
    answers.sort_by_key(|(_, hours)| *hours);
    for (reviewer, hours) in answers {
        pr = pr.approve(&at(opened + TimeDelta::hours(hours)), reviewer);
    }
    pr
}

fn digest(config: LatencyConfig, prs: &[Pr]) -> Digest {
    let mut builder = DigestBuilder::new(config, Window::new(t(MONDAY), t("2025-03-10 00:00")), t("2025-03-10 00:00"));
    for pr in prs {
        builder.add_pr(&pr.events);
    }
    builder.finish()
}

fn stage(digest: &Digest, stage: Stage) -> &StageChange {
    digest.changes.stages.iter().find(|s| s.stage == stage).expect("every stage")
}

/// Eight earlier weeks whose PRs waited the hours given for their one reviewer.
fn earlier_weeks(waits: &[i64]) -> Vec<Pr> {
    let mut prs = Vec::new();
    for week in 1..=8u64 {
        for (i, hours) in waits.iter().enumerate() {
            prs.push(pr(1000 + week * 100 + i as u64, week, &[("rev", *hours)]));
        }
    }
    prs
}

#[test]
fn a_pr_that_waited_on_three_reviewers_is_named_with_what_it_moved() {
    // Every earlier week answered after 2, 3 and 4 h: a 3-hour median. This week #103 waited a
    // day and more on each of its three reviewers: the answers' median goes from 3 to 30 h.
    let mut prs = earlier_weeks(&[2, 3, 4]);
    prs.push(pr(101, 0, &[("rev", 2)]));
    prs.push(pr(102, 0, &[("rev", 3)]));
    prs.push(pr(103, 0, &[("amy", 30), ("bo", 31), ("cy", 32)]));
    let digest = digest(wall_clock(), &prs);
    let answers = stage(&digest, Stage::ReviewResponse);
    assert_eq!(answers.this_period, digest.overall.review_response_hours.median, "the same figure as the stages'");
    assert_eq!(
        (answers.this_period, answers.measured, answers.previous_period, answers.change_from_previous),
        (Some(30.0), 5, Some(3.0), Some(27.0))
    );
    assert_eq!((answers.baseline, answers.baseline_periods, answers.change_from_baseline), (Some(3.0), 8, Some(27.0)));
    let Cause::Prs { against, change, explained, prs } = &answers.cause else { panic!("named: {:?}", answers.cause) };
    assert_eq!((against, change, explained), (&Against::PreviousPeriod, &27.0, &27.5));
    // Without #103 the answers are 2 and 3 h: a 2.5-hour median, 27.5 h less. Leaving out #101
    // or #102 would raise it, so neither is named.
    let named: Vec<(&str, u64, f64, Option<f64>)> =
        prs.iter().map(|p| (p.repo.as_str(), p.pr, p.contribution, p.without)).collect();
    assert_eq!(named, [("acme/shop", 103, 27.5, Some(2.5))]);
    // Its first review (30 h) is one of three: the first-review median stays at 3 h.
    let first = stage(&digest, Stage::FirstReview);
    assert_eq!(
        (first.this_period, first.cause.clone()),
        (Some(3.0), Cause::Unchanged { against: Against::PreviousPeriod })
    );
}

#[test]
fn a_week_where_every_pr_is_slower_names_no_pr() {
    // Nine PRs a week, 2 to 10 h before; this week 7 to 15 h: the median goes from 6 to 11 h.
    // Leaving out the three that moved it most (12, 13 and 14 h) takes back only 1.5 h.
    let mut prs = earlier_weeks(&[2, 3, 4, 5, 6, 7, 8, 9, 10]);
    prs.extend((0..9).map(|i| pr(201 + i, 0, &[("rev", 7 + i as i64)])));
    let digest = digest(wall_clock(), &prs);
    let first = stage(&digest, Stage::FirstReview);
    assert_eq!((first.this_period, first.previous_period, first.baseline), (Some(11.0), Some(6.0), Some(6.0)));
    assert_eq!(
        first.cause,
        Cause::Broad { against: Against::PreviousPeriod, change: 5.0, explained: 1.5, prs_left_out: 3 }
    );
}

#[test]
fn a_change_no_larger_than_what_any_pr_moves_is_noise() {
    // 2, 4 and 6 h before; this week 2, 5 and 9 h: up 1 h, but leaving out the 2-hour PR would
    // move it 2 h the other way.
    let mut prs = earlier_weeks(&[2, 4, 6]);
    prs.extend([pr(301, 0, &[("rev", 2)]), pr(302, 0, &[("rev", 5)]), pr(303, 0, &[("rev", 9)])]);
    let digest = digest(wall_clock(), &prs);
    let first = stage(&digest, Stage::FirstReview);
    assert_eq!(first.this_period, Some(5.0));
    assert_eq!(
        first.cause,
        Cause::Noise { against: Against::PreviousPeriod, change: 1.0, wobble: 2.0, prs_left_out: 1 }
    );
}

#[test]
fn the_first_week_of_a_history_has_nothing_to_compare() {
    let digest = digest(wall_clock(), &[pr(1, 0, &[("rev", 5)]), pr(2, 0, &[("rev", 7)])]);
    assert!(digest.changes.nothing_to_compare());
    let first = stage(&digest, Stage::FirstReview);
    assert_eq!((first.this_period, first.previous_period, first.baseline), (Some(6.0), None, None));
    assert_eq!((first.change_from_previous, first.baseline_periods), (None, 0));
}

#[test]
fn a_quiet_previous_week_is_compared_with_the_baseline_and_a_lone_pr_is_not_judged() {
    // Weeks 2 to 8 answered after 3 h; last week nothing; this week one PR after 10 h.
    let prs: Vec<Pr> = earlier_weeks(&[3])
        .into_iter()
        .filter(|p| p.events[0].at < t("2025-02-24 00:00"))
        .chain([pr(1, 0, &[("rev", 10)])])
        .collect();
    let digest = digest(wall_clock(), &prs);
    let first = stage(&digest, Stage::FirstReview);
    assert_eq!((first.previous_period, first.baseline, first.baseline_periods), (None, Some(3.0), 7));
    assert_eq!(first.cause, Cause::TooFewPrs { against: Against::Baseline, change: 7.0 });
}

#[test]
fn only_weeks_the_history_read_covers_are_compared() {
    // A two-week trend reads three weeks back: the weeks before are never half counted.
    let mut config = wall_clock();
    config.trend_weeks = 2;
    let mut prs = earlier_weeks(&[3]);
    prs.push(pr(1, 0, &[("rev", 3)]));
    let digest = digest(config, &prs);
    assert_eq!((digest.changes.earlier_periods, digest.changes.period_days), (2, 7.0));
    assert_eq!(stage(&digest, Stage::FirstReview).baseline_periods, 2);
}

#[test]
fn merged_prs_count_in_the_week_they_merged() {
    // Review rounds and merge times: a PR merged this week after two rounds, against a week of
    // PRs merged with none.
    let merged = |n, weeks_back: u64, rounds: usize| {
        let opened = t(MONDAY).checked_sub_days(Days::new(7 * weeks_back)).expect("a date") + TimeDelta::hours(9);
        let mut pr = Pr::new(n, "ann").opened(&at(opened)).request(&at(opened), "rev");
        for round in 0..rounds as i64 {
            pr = pr
                .changes(&at(opened + TimeDelta::hours(1 + 2 * round)), "rev")
                .commits(&at(opened + TimeDelta::hours(2 + 2 * round)));
        }
        let done = opened + TimeDelta::hours(1 + 2 * rounds as i64);
        pr.approve(&at(done), "rev").merged(&at(done + TimeDelta::hours(1)))
    };
    let digest = digest(wall_clock(), &[merged(1, 1, 0), merged(2, 1, 0), merged(3, 0, 2), merged(4, 0, 2)]);
    let rounds = stage(&digest, Stage::ReviewRounds);
    assert_eq!(
        (rounds.this_period, rounds.previous_period, rounds.change_from_previous),
        (Some(2.0), Some(0.0), Some(2.0))
    );
    let merge = stage(&digest, Stage::OpenToMerge);
    assert_eq!((merge.this_period, merge.previous_period), (Some(6.0), Some(2.0)));
}
