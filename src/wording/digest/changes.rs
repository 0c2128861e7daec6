//! The digest's words for what changed: each stage figure against the period before and the
//! median of the periods before that, and the PRs named for it, or why none is.

use crate::latency::{Against, Cause, Stage, StageChange};
use crate::wording::count;

use super::hours;

pub const CHANGES: &str = "What changed";

/// A sentence with the PRs it names kept apart, so each format links them its own way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Pr { repo: String, pr: u64 },
}

/// How the section's figures are made, under its heading.
pub fn note(period_days: f64) -> String {
    format!(
        "Each stage's median {this} against {before} and against the median of {earlier}. A PR's part is how far \
         the median would move back without it. PRs are named only when those that moved it most, left out \
         together, take back at least half of the change.",
        this = this_period(period_days),
        before = before(period_days),
        earlier = earlier(period_days, None),
    )
}

/// The first digest of a history: no earlier period has any figure.
pub fn nothing_to_compare(period_days: f64) -> String {
    format!("Nothing to compare with yet: no {} before this one has these figures.", period(period_days))
}

/// `review requested to answered: 30.0 h, up 27.0 h on the week before (3.0 h), up 27.0 h on
/// the median of the 8 weeks before (3.0 h).`
pub fn stage_line(s: &StageChange, period_days: f64) -> String {
    let name = stage_name(s.stage);
    let Some(now) = s.this_period else {
        return format!("{name}: no figure {}.", this_period(period_days));
    };
    let now = amount(s.stage, now);
    let previous = match (s.previous_period, s.change_from_previous) {
        (Some(value), Some(change)) => {
            format!("{} on {} ({})", moved(s.stage, change), before(period_days), amount(s.stage, value))
        }
        _ => format!("no figure {}", before(period_days)),
    };
    let baseline = match (s.baseline, s.change_from_baseline) {
        (Some(value), Some(change)) => format!(
            "{} on the median of {} ({})",
            moved(s.stage, change),
            earlier(period_days, Some(s.baseline_periods)),
            amount(s.stage, value)
        ),
        _ => format!("no figure in {}", earlier(period_days, None)),
    };
    if s.cause == Cause::NothingToCompare {
        return format!("{name}: {now}; nothing to compare with.");
    }
    format!("{name}: {now}, {previous}, {baseline}.")
}

/// Why the stage moved: the PRs named, with each one's part, or why none is named. Empty when
/// nothing moved or there is nothing to compare.
pub fn cause(s: &StageChange, period_days: f64) -> Vec<Piece> {
    let text = |t: String| vec![Piece::Text(t)];
    let stage = s.stage;
    match &s.cause {
        Cause::NothingToCompare | Cause::Unchanged { .. } => Vec::new(),
        Cause::TooFewPrs { against, change } => {
            text(format!("One PR made this figure, so none is named for the {}.", rise(*change, *against, period_days)))
        }
        Cause::Broad { against, change, explained, prs_left_out } => {
            let who = match prs_left_out {
                1 => "left out, the PR that moved it most takes".to_string(),
                n => format!("left out together, the {n} PRs that moved it most take"),
            };
            text(format!(
                "The {} is broad: {who} back {} of {}, so no PR is named.",
                rise(*change, *against, period_days),
                amount(stage, explained.abs()),
                amount(stage, change.abs())
            ))
        }
        Cause::Noise { against, change, wobble, prs_left_out } => text(format!(
            "The {} is no larger than leaving out {} from the other side moves it ({}), so no PR is named.",
            rise(*change, *against, period_days),
            count(*prs_left_out as u64, "PR", "PRs"),
            amount(stage, *wobble)
        )),
        Cause::Prs { against, change, explained, prs } => {
            let mut pieces =
                vec![Piece::Text(format!("Most of the {} came from ", rise(*change, *against, period_days)))];
            for (i, pr) in prs.iter().enumerate() {
                if i > 0 {
                    pieces.push(Piece::Text(if i + 1 == prs.len() { " and " } else { ", " }.to_string()));
                }
                pieces.push(Piece::Pr { repo: pr.repo.clone(), pr: pr.pr });
                let without = pr.without.map_or_else(String::new, |w| format!(", {} without it", amount(stage, w)));
                pieces.push(Piece::Text(format!(" ({}{without})", signed(stage, pr.contribution))));
            }
            let who = if prs.len() == 1 { "it takes" } else { "they take" };
            let together = if prs.len() == 1 { "left out" } else { "left out together" };
            pieces.push(Piece::Text(format!(
                ": {together}, {who} back {} of {}.",
                amount(stage, explained.abs()),
                amount(stage, change.abs())
            )));
            pieces
        }
    }
}

/// The pieces as plain text, PRs as `owner/name#N`: for JSON and the tests.
pub fn plain(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Text(text) => text.clone(),
            Piece::Pr { repo, pr } => format!("{repo}#{pr}"),
        })
        .collect()
}

pub fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::FirstReview => super::STAGE_FIRST_REVIEW,
        Stage::ReviewResponse => super::STAGE_RESPONSE,
        Stage::ApprovalToMerge => super::STAGE_APPROVAL_TO_MERGE,
        Stage::OpenToMerge => super::STAGE_OPEN_TO_MERGE,
        Stage::ReviewRounds => super::STAGE_ROUNDS,
    }
}

/// A figure of the stage: hours, or rounds with one decimal.
fn amount(stage: Stage, value: f64) -> String {
    if stage.in_hours() { hours(value) } else { format!("{value:.1}") }
}

fn signed(stage: Stage, value: f64) -> String {
    format!("{}{}", if value < 0.0 { "-" } else { "+" }, amount(stage, value.abs()))
}

fn moved(stage: Stage, change: f64) -> String {
    match change {
        c if c > 0.0 => format!("up {}", amount(stage, c)),
        c if c < 0.0 => format!("down {}", amount(stage, -c)),
        _ => "unchanged".to_string(),
    }
}

/// `rise on the week before`, `fall on the median of the weeks before`.
fn rise(change: f64, against: Against, period_days: f64) -> String {
    let direction = if change > 0.0 { "rise" } else { "fall" };
    match against {
        Against::PreviousPeriod => format!("{direction} on {}", before(period_days)),
        Against::Baseline => format!("{direction} on the median of {}", earlier(period_days, None)),
    }
}

fn is_week(period_days: f64) -> bool {
    (period_days - 7.0).abs() < 1e-9
}

/// `week`, or `period of 30 days`.
fn period(period_days: f64) -> String {
    if is_week(period_days) { "week".to_string() } else { format!("period of {period_days} days") }
}

fn this_period(period_days: f64) -> String {
    if is_week(period_days) { "this week".to_string() } else { format!("in these {period_days} days") }
}

fn before(period_days: f64) -> String {
    if is_week(period_days) { "the week before".to_string() } else { format!("the {period_days} days before") }
}

/// `the 8 weeks before`, or `the weeks before` when the count does not matter.
fn earlier(period_days: f64, periods: Option<usize>) -> String {
    match (is_week(period_days), periods) {
        (true, Some(n)) => format!("the {} before", count(n as u64, "week", "weeks")),
        (true, None) => "the weeks before".to_string(),
        (false, Some(n)) => format!("the {} of {period_days} days before", count(n as u64, "period", "periods")),
        (false, None) => format!("the periods of {period_days} days before"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::latency::PrContribution;

    fn stage(stage: Stage, previous: Option<f64>, baseline: Option<f64>, cause: Cause) -> StageChange {
        let now = 30.0;
        StageChange {
            stage,
            this_period: Some(now),
            measured: 5,
            previous_period: previous,
            change_from_previous: previous.map(|p| now - p),
            baseline,
            baseline_periods: 8,
            change_from_baseline: baseline.map(|b| now - b),
            cause,
        }
    }

    fn pr(n: u64, contribution: f64, without: f64) -> PrContribution {
        PrContribution { repo: "acme/shop".into(), pr: n, contribution, without: Some(without) }
    }

    #[test]
    fn a_stage_against_the_week_before_and_the_weeks_before_that() {
        let against = Against::PreviousPeriod;
        let named = Cause::Prs { against, change: 27.0, explained: 27.5, prs: vec![pr(103, 27.5, 2.5)] };
        let s = stage(Stage::ReviewResponse, Some(3.0), Some(3.0), named);
        insta::assert_snapshot!(stage_line(&s, 7.0), @"review requested to answered: 30.0 h, up 27.0 h on the week before (3.0 h), up 27.0 h on the median of the 8 weeks before (3.0 h).");
        insta::assert_snapshot!(plain(&cause(&s, 7.0)), @"Most of the rise on the week before came from acme/shop#103 (+27.5 h, 2.5 h without it): left out, it takes back 27.5 h of 27.0 h.");
        let three = vec![pr(7, -2.0, 34.0), pr(8, -1.5, 31.5), pr(9, -1.0, 31.0)];
        let s = stage(
            Stage::FirstReview,
            None,
            Some(34.0),
            Cause::Prs { against: Against::Baseline, change: -4.0, explained: -3.0, prs: three },
        );
        insta::assert_snapshot!(stage_line(&s, 7.0), @"opened to first review: 30.0 h, no figure the week before, down 4.0 h on the median of the 8 weeks before (34.0 h).");
        insta::assert_snapshot!(plain(&cause(&s, 7.0)), @"Most of the fall on the median of the weeks before came from acme/shop#7 (-2.0 h, 34.0 h without it), acme/shop#8 (-1.5 h, 31.5 h without it) and acme/shop#9 (-1.0 h, 31.0 h without it): left out together, they take back 3.0 h of 4.0 h.");
    }

    #[test]
    fn a_change_no_pr_explains_says_why_none_is_named() {
        let against = Against::PreviousPeriod;
        let broad = Cause::Broad { against, change: 5.0, explained: 1.5, prs_left_out: 3 };
        insta::assert_snapshot!(plain(&cause(&stage(Stage::FirstReview, Some(25.0), None, broad), 7.0)), @"The rise on the week before is broad: left out together, the 3 PRs that moved it most take back 1.5 h of 5.0 h, so no PR is named.");
        let noise = Cause::Noise { against, change: 1.0, wobble: 2.0, prs_left_out: 1 };
        insta::assert_snapshot!(plain(&cause(&stage(Stage::FirstReview, Some(29.0), None, noise), 7.0)), @"The rise on the week before is no larger than leaving out 1 PR from the other side moves it (2.0 h), so no PR is named.");
        let lone = Cause::TooFewPrs { against: Against::Baseline, change: 7.0 };
        insta::assert_snapshot!(plain(&cause(&stage(Stage::FirstReview, None, Some(23.0), lone), 7.0)), @"One PR made this figure, so none is named for the rise on the median of the weeks before.");
        let rounds = Cause::Unchanged { against };
        let s = StageChange {
            this_period: Some(2.0),
            previous_period: Some(2.0),
            change_from_previous: Some(0.0),
            ..stage(Stage::ReviewRounds, Some(2.0), None, rounds)
        };
        insta::assert_snapshot!(stage_line(&s, 7.0), @"review rounds per merged PR: 2.0, unchanged on the week before (2.0), no figure in the weeks before.");
        assert!(cause(&s, 7.0).is_empty(), "nothing moved, nothing to explain");
    }

    #[test]
    fn the_first_week_and_other_periods_say_so() {
        let s = stage(Stage::OpenToMerge, None, None, Cause::NothingToCompare);
        insta::assert_snapshot!(stage_line(&s, 7.0), @"opened to merged: 30.0 h; nothing to compare with.");
        insta::assert_snapshot!(nothing_to_compare(7.0), @"Nothing to compare with yet: no week before this one has these figures.");
        let none = StageChange { this_period: None, ..s };
        insta::assert_snapshot!(stage_line(&none, 30.0), @"opened to merged: no figure in these 30 days.");
        let s =
            stage(Stage::FirstReview, Some(20.0), Some(10.0), Cause::Unchanged { against: Against::PreviousPeriod });
        insta::assert_snapshot!(stage_line(&s, 30.0), @"opened to first review: 30.0 h, up 10.0 h on the 30 days before (20.0 h), up 20.0 h on the median of the 8 periods of 30 days before (10.0 h).");
        insta::assert_snapshot!(note(7.0), @"Each stage's median this week against the week before and against the median of the weeks before. A PR's part is how far the median would move back without it. PRs are named only when those that moved it most, left out together, take back at least half of the change.");
    }
}
