//! Medians and 90th percentiles of a group's values, the one way every figure in a digest is summed up.

use serde::Serialize;

/// How a set of values spreads: the count, the median and the 90th percentile. The unit is in
/// the name of the field that holds it (`first_review_hours`, `review_rounds`).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Spread {
    pub count: usize,
    pub median: Option<f64>,
    pub p90: Option<f64>,
}

impl Spread {
    /// Durations in seconds, summed up in hours (two decimals: a digest, not a stopwatch).
    pub(crate) fn hours(seconds: &mut [i64]) -> Spread {
        Self::of(seconds, |s| round2(s / 3600.0))
    }

    /// Plain counts, such as review rounds.
    pub(crate) fn counts(values: &mut [i64]) -> Spread {
        Self::of(values, round2)
    }

    fn of(values: &mut [i64], scale: impl Fn(f64) -> f64) -> Spread {
        values.sort_unstable();
        Spread {
            count: values.len(),
            median: percentile(values, 0.5).map(&scale),
            p90: percentile(values, 0.9).map(&scale),
        }
    }
}

/// Linear interpolation between the closest ranks (spreadsheets' PERCENTILE.INC), so the median
/// of an even count is the mean of the middle two. `sorted` must be in ascending order.
pub(crate) fn percentile(sorted: &[i64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let rank = p.clamp(0.0, 1.0) * last as f64;
    let below = rank.floor() as usize;
    let above = rank.ceil() as usize;
    let low = *sorted.get(below)? as f64;
    let high = *sorted.get(above)? as f64;
    Some(low + (high - low) * (rank - below as f64))
}

pub(crate) fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

pub(crate) fn hours(seconds: i64) -> f64 {
    round2(seconds as f64 / 3600.0)
}
