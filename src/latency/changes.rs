//! What changed: each stage figure of the window against the period before it and against the
//! median of the periods before that, and the PRs that moved it (pure; defined in docs/digest.md).
//!
//! A period has the window's length (a week for a weekly digest), counted back from its end. A
//! PR's contribution to a stage's median is the median minus the median recomputed without that
//! PR's values. The change is pinned on PRs only when the few that moved it most, left out
//! together, take back at least half of it, and when it is larger than leaving out as many PRs
//! from the other side would move it: a change inside that wobble is noise, never a cause.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::config::Window;
use super::stats::{percentile, round2};
use super::timeline::PrSummary;

/// How many earlier periods the baseline's median reaches over.
pub const BASELINE_PERIODS: usize = 8;
/// At most this many PRs are named for one change.
pub const MOST_NAMED: usize = 3;

/// The stage figures of "Where the waiting was", in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    FirstReview,
    ReviewResponse,
    ApprovalToMerge,
    OpenToMerge,
    ReviewRounds,
}

impl Stage {
    pub const ALL: [Stage; 5] =
        [Stage::FirstReview, Stage::ReviewResponse, Stage::ApprovalToMerge, Stage::OpenToMerge, Stage::ReviewRounds];

    /// Whether the figure is a duration (hours on the digest's clock) or a count.
    pub fn in_hours(self) -> bool {
        self != Stage::ReviewRounds
    }

    fn index(self) -> usize {
        Stage::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// Every stage's change, with the length of the periods compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Changes {
    /// The length of the window and of each period it is compared with, in days.
    pub period_days: f64,
    /// How many earlier periods the history read covers entirely (at most eight).
    pub earlier_periods: usize,
    /// One per stage, in `Stage::ALL`'s order.
    pub stages: Vec<StageChange>,
}

impl Changes {
    /// No earlier period had any figure: the first digest of a new history.
    pub fn nothing_to_compare(&self) -> bool {
        self.stages.iter().all(|s| s.cause == Cause::NothingToCompare)
    }
}

/// One stage's median this period, the figures it is compared with, and why it moved. Hours on
/// the digest's clock, or a count for review rounds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageChange {
    pub stage: Stage,
    pub this_period: Option<f64>,
    /// The values behind `this_period` (first reviews, answers, merged PRs).
    pub measured: usize,
    pub previous_period: Option<f64>,
    pub change_from_previous: Option<f64>,
    /// The median of the earlier periods' medians, over those that had one.
    pub baseline: Option<f64>,
    pub baseline_periods: usize,
    pub change_from_baseline: Option<f64>,
    pub cause: Cause,
}

/// Which figure the change that is explained is taken against: the previous period's, or the
/// baseline when the previous period had none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Against {
    PreviousPeriod,
    Baseline,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cause {
    /// No figure this period, or none in any earlier period.
    NothingToCompare,
    Unchanged {
        against: Against,
    },
    /// A single PR made the figure: there is no rest to hold it against.
    TooFewPrs {
        against: Against,
        change: f64,
    },
    /// The PRs that moved it most, left out together, take back less than half of the change.
    Broad {
        against: Against,
        change: f64,
        explained: f64,
        prs_left_out: usize,
    },
    /// The change is no larger than leaving out as many PRs from the other side moves it.
    Noise {
        against: Against,
        change: f64,
        wobble: f64,
        prs_left_out: usize,
    },
    /// These PRs, left out together, take back `explained` of `change`.
    Prs {
        against: Against,
        change: f64,
        explained: f64,
        prs: Vec<PrContribution>,
    },
}

/// A PR named for a change: the stage's median minus the median without this PR's values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrContribution {
    pub repo: String,
    pub pr: u64,
    pub contribution: f64,
    /// The stage's median this period had this PR not been there.
    pub without: Option<f64>,
}

/// Each PR's values per period and stage, kept as the builder folds PRs in: memory in
/// proportion to the PRs of the nine periods, like the builder's own samples.
pub(crate) struct ChangesAcc {
    window: Window,
    period_millis: i64,
    /// Earlier periods wholly inside the history read: only those are compared.
    earlier: usize,
    names: Vec<(String, u64)>,
    index: HashMap<(String, u64), u32>,
    /// `[period][stage]`: (PR, value in seconds or rounds).
    samples: Vec<[Vec<(u32, i64)>; 5]>,
}

impl ChangesAcc {
    /// `history_from` is the earliest moment the caller reads PRs from (`gate::digest` reads
    /// `trend_weeks + 1` weeks back from the window's end): a period that starts before it would
    /// hold only the PRs still active later, so it is not compared.
    pub(crate) fn new(window: Window, history_from: DateTime<Utc>) -> Self {
        let period_millis = (window.end - window.start).num_milliseconds().max(0);
        let earlier = (1..=BASELINE_PERIODS)
            .take_while(|k| {
                let back = i64::try_from(*k + 1).ok().and_then(|k| k.checked_mul(period_millis));
                let start = back.and_then(TimeDelta::try_milliseconds).and_then(|d| window.end.checked_sub_signed(d));
                period_millis > 0 && start.is_some_and(|start| start >= history_from)
            })
            .count();
        ChangesAcc {
            window,
            period_millis,
            earlier,
            names: Vec::new(),
            index: HashMap::new(),
            samples: (0..=earlier).map(|_| Default::default()).collect(),
        }
    }

    /// The period an instant falls in: 0 is the window, 1 the period before it, and so on.
    fn period_of(&self, at: DateTime<Utc>) -> Option<usize> {
        let back = self.window.end.timestamp_millis().checked_sub(at.timestamp_millis())?;
        if back <= 0 || self.period_millis == 0 {
            return None;
        }
        usize::try_from((back - 1) / self.period_millis).ok().filter(|k| *k <= self.earlier)
    }

    /// A PR's values, by the period each one happened in (as the window's figures count them:
    /// a first review or an answer when it came, the merge figures when it merged).
    pub(crate) fn add(&mut self, pr: &PrSummary) {
        let mut values: Vec<(usize, Stage, i64)> = Vec::new();
        if let Some(first) = &pr.first_review
            && let Some(period) = self.period_of(first.at)
        {
            values.push((period, Stage::FirstReview, first.wait_secs));
        }
        for answer in pr.requests.iter().filter_map(|r| r.answer.as_ref()) {
            if let Some(period) = self.period_of(answer.at) {
                values.push((period, Stage::ReviewResponse, answer.wait_secs));
            }
        }
        if let Some(period) = pr.merged_at.and_then(|at| self.period_of(at)) {
            values.extend(pr.approval_to_merge_secs.map(|v| (period, Stage::ApprovalToMerge, v)));
            values.extend(pr.open_to_merge_secs.map(|v| (period, Stage::OpenToMerge, v)));
            values.push((period, Stage::ReviewRounds, i64::from(pr.review_rounds)));
        }
        if values.is_empty() {
            return;
        }
        let key = (pr.repo.clone(), pr.pr);
        let next = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        let id = *self.index.entry(key.clone()).or_insert_with(|| {
            self.names.push(key);
            next
        });
        for (period, stage, value) in values {
            if let Some(periods) = self.samples.get_mut(period) {
                periods[stage.index()].push((id, value));
            }
        }
    }

    pub(crate) fn finish(self) -> Changes {
        let stages = Stage::ALL.iter().map(|stage| self.stage(*stage)).collect();
        Changes { period_days: round2(self.period_millis as f64 / 86_400_000.0), earlier_periods: self.earlier, stages }
    }

    fn stage(&self, stage: Stage) -> StageChange {
        let scale = |raw: f64| round2(if stage.in_hours() { raw / 3600.0 } else { raw });
        let i = stage.index();
        let this = Sample::new(self.samples.first().map_or(&[][..], |p| p[i].as_slice()));
        let medians: Vec<Option<f64>> = self.samples.iter().skip(1).map(|p| Sample::new(&p[i]).median(&[])).collect();
        let previous = medians.first().copied().flatten();
        let earlier: Vec<f64> = medians.iter().flatten().copied().collect();
        let baseline = median_of(&earlier);
        let this_median = this.median(&[]);
        let cause = match (this_median, previous.or(baseline)) {
            (Some(now), Some(reference)) => {
                let against = if previous.is_some() { Against::PreviousPeriod } else { Against::Baseline };
                self.cause(&this, now, now - reference, against, &scale)
            }
            _ => Cause::NothingToCompare,
        };
        let change = |reference: Option<f64>| Some(scale(this_median? - reference?));
        StageChange {
            stage,
            this_period: this_median.map(scale),
            measured: this.sorted.len(),
            previous_period: previous.map(scale),
            change_from_previous: change(previous),
            baseline: baseline.map(scale),
            baseline_periods: earlier.len(),
            change_from_baseline: change(baseline),
            cause,
        }
    }

    /// Why the median moved by `delta` (raw units) from the figure `against` names.
    fn cause(&self, this: &Sample, now: f64, delta: f64, against: Against, scale: &dyn Fn(f64) -> f64) -> Cause {
        let change = scale(delta);
        if change == 0.0 {
            return Cause::Unchanged { against };
        }
        let prs = this.prs();
        if prs.len() < 2 {
            return Cause::TooFewPrs { against, change };
        }
        // What leaving out each PR alone does, in the change's direction or against it.
        let mut moved: Vec<(u32, f64)> =
            prs.iter().filter_map(|pr| Some((*pr, now - this.median(&this.positions(&[*pr]))?))).collect();
        let by_size = |a: &(u32, f64), b: &(u32, f64)| {
            let name = |id: u32| self.names.get(id as usize);
            b.1.abs().total_cmp(&a.1.abs()).then_with(|| name(a.0).cmp(&name(b.0)))
        };
        moved.sort_by(by_size);
        // Always leave one PR in: the figure without every PR is no figure.
        let most = MOST_NAMED.min(prs.len() - 1);
        let top: Vec<(u32, f64)> = moved.iter().filter(|(_, c)| c * delta > 0.0).take(most).copied().collect();
        let other: Vec<u32> = moved.iter().filter(|(_, c)| c * delta < 0.0).take(top.len()).map(|(p, _)| *p).collect();
        let left_out = |set: &[u32]| now - this.median(&this.positions(set)).unwrap_or(now);
        let top_ids: Vec<u32> = top.iter().map(|(p, _)| *p).collect();
        let explained = left_out(&top_ids);
        let wobble = left_out(&other).abs();
        let prs_left_out = top.len();
        if top.is_empty() || explained * delta <= 0.0 || 2.0 * explained.abs() < delta.abs() {
            return Cause::Broad { against, change, explained: scale(explained), prs_left_out };
        }
        if delta.abs() <= wobble {
            return Cause::Noise { against, change, wobble: scale(wobble), prs_left_out };
        }
        let named = top
            .iter()
            .map(|(pr, contribution)| {
                let (repo, number) = self.names.get(*pr as usize).cloned().unwrap_or_default();
                let without = this.median(&this.positions(&[*pr])).map(scale);
                PrContribution { repo, pr: number, contribution: scale(*contribution), without }
            })
            .collect();
        Cause::Prs { against, change, explained: scale(explained), prs: named }
    }
}

/// One period's values of one stage, sorted, each with its PR.
struct Sample {
    sorted: Vec<(i64, u32)>,
    /// Where each PR's values sit in `sorted`: leaving one out costs its own values, not a pass
    /// over the sample.
    by_pr: HashMap<u32, Vec<usize>>,
}

impl Sample {
    fn new(values: &[(u32, i64)]) -> Sample {
        let mut sorted: Vec<(i64, u32)> = values.iter().map(|(pr, v)| (*v, *pr)).collect();
        sorted.sort_unstable();
        let mut by_pr: HashMap<u32, Vec<usize>> = HashMap::new();
        for (position, (_, pr)) in sorted.iter().enumerate() {
            by_pr.entry(*pr).or_default().push(position);
        }
        Sample { sorted, by_pr }
    }

    fn prs(&self) -> Vec<u32> {
        let mut prs: Vec<u32> = self.by_pr.keys().copied().collect();
        prs.sort_unstable();
        prs
    }

    /// Where the values of `prs` sit in the sorted sample, ascending.
    fn positions(&self, prs: &[u32]) -> Vec<usize> {
        let mut positions: Vec<usize> = prs.iter().filter_map(|pr| self.by_pr.get(pr)).flatten().copied().collect();
        positions.sort_unstable();
        positions
    }

    /// The median of the sample with the values at `skip` (ascending positions) left out, as
    /// `stats::percentile` computes it, without copying the sample.
    fn median(&self, skip: &[usize]) -> Option<f64> {
        let kept = self.sorted.len().checked_sub(skip.len())?;
        if kept == 0 {
            return None;
        }
        if skip.is_empty() {
            let values: Vec<i64> = self.sorted.iter().map(|(v, _)| *v).collect();
            return percentile(&values, 0.5);
        }
        let rank = 0.5 * (kept - 1) as f64;
        let (below, above) = (rank.floor() as usize, rank.ceil() as usize);
        let nth = |mut n: usize| {
            for position in skip {
                if *position <= n {
                    n += 1;
                }
            }
            self.sorted.get(n).map(|(v, _)| *v as f64)
        };
        let (low, high) = (nth(below)?, nth(above)?);
        Some(low + (high - low) * (rank - below as f64))
    }
}

/// The earliest moment the digest's PRs are read from (`gate::digest`), and so the first whole
/// week "what changed" may compare: `trend_weeks + 1` weeks before the window's end, or the
/// window's start when that is earlier.
pub fn history_read_from(trend_weeks: u32, window: &Window) -> DateTime<Utc> {
    let back = TimeDelta::try_weeks(i64::from(trend_weeks) + 1).and_then(|d| window.end.checked_sub_signed(d));
    back.unwrap_or(DateTime::<Utc>::MIN_UTC).min(window.start)
}

/// The median of the earlier periods' medians (the mean of the middle two for an even count).
fn median_of(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let last = sorted.len().checked_sub(1)?;
    Some((sorted[last / 2] + sorted[last.div_ceil(2)]) / 2.0)
}

#[cfg(test)]
#[path = "tests/changes.rs"]
mod tests;
