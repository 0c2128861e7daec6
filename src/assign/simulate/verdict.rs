//! The verdict over a replay's comparison, as facts: whether flowgate kept the red rule, and on
//! which measures of spread every baseline was less even. `wording::simulate` says it in a line.

use serde::Serialize;

use super::{Comparison, Strategy, StrategyResult};

/// Whether flowgate kept the red rule, and on which measures of spread it beat every baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// Every red PR had a reviewer from the red tier's first pool (true when there were none).
    pub red_rule_kept: bool,
    /// The red rule kept and every measure won.
    pub better_on_every_measure: bool,
    pub measures: Vec<MeasureVerdict>,
    /// What the red rule came to; `None` when the comparison has no flowgate row to judge.
    #[serde(skip)]
    pub red: Option<RedRule>,
}

/// The red rule: every red PR gets a reviewer from the red tier's first pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedRule {
    /// The policy requests no one for red PRs.
    NotInPolicy,
    /// There were no red PRs to test it on.
    NoRedPrs,
    /// `covered` of the `red_prs` red PRs had a reviewer from `pool`.
    Tested { covered: u32, red_prs: u32, pool: String },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureVerdict {
    pub measure: Measure,
    pub flowgate: f64,
    /// Baselines at least as even as flowgate at the precision shown; empty when flowgate wins.
    pub as_even_or_more: Vec<Strategy>,
    /// The same baselines with their figures, the most even first.
    #[serde(skip)]
    pub rivals: Vec<(Strategy, f64)>,
    /// When flowgate wins: the most even baseline and its figure (none without baselines).
    #[serde(skip)]
    pub best: Option<(Strategy, f64)>,
}

/// A measure of how evenly review requests were spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    MaxOverMean,
    Gini,
    RawMaxOverMean,
    RawGini,
}

impl Measure {
    pub const ALL: [Measure; 4] = [Measure::MaxOverMean, Measure::Gini, Measure::RawMaxOverMean, Measure::RawGini];

    pub fn of(self, r: &StrategyResult) -> f64 {
        match self {
            Measure::MaxOverMean => r.max_over_mean,
            Measure::Gini => r.gini,
            Measure::RawMaxOverMean => r.raw_max_over_mean,
            Measure::RawGini => r.raw_gini,
        }
    }

    /// The decimals the table shows it with: a win must be one a reader can see there.
    pub fn decimals(self) -> usize {
        match self {
            Measure::MaxOverMean | Measure::RawMaxOverMean => 2,
            Measure::Gini | Measure::RawGini => 3,
        }
    }

    /// Counted over the whole history, ignoring days away.
    pub fn is_raw(self) -> bool {
        matches!(self, Measure::RawMaxOverMean | Measure::RawGini)
    }
}

/// Values compared as the table prints them, so that a win can be seen in the table.
fn shown(value: f64, decimals: usize) -> i64 {
    (value * 10f64.powi(decimals as i32)).round() as i64
}

impl Verdict {
    pub fn of(c: &Comparison) -> Verdict {
        let Some(flowgate) = c.result(Strategy::Flowgate) else {
            return Verdict { red_rule_kept: false, better_on_every_measure: false, measures: Vec::new(), red: None };
        };
        let baselines: Vec<&StrategyResult> = c.results.iter().filter(|r| r.strategy != Strategy::Flowgate).collect();
        let covered = (flowgate.red_first_pool_share * f64::from(c.red_prs)).round() as u32;
        let red_rule_kept = covered >= c.red_prs;
        let red = match (&c.red_pool, c.red_prs) {
            (None, _) => RedRule::NotInPolicy,
            (_, 0) => RedRule::NoRedPrs,
            (Some(pool), red_prs) => RedRule::Tested { covered, red_prs, pool: pool.clone() },
        };
        let mut measures = Vec::new();
        for m in Measure::ALL {
            let ours = m.of(flowgate);
            let mut rivals: Vec<&&StrategyResult> =
                baselines.iter().filter(|b| shown(m.of(b), m.decimals()) <= shown(ours, m.decimals())).collect();
            rivals.sort_by(|a, b| m.of(a).total_cmp(&m.of(b)));
            let best = if rivals.is_empty() {
                baselines.iter().min_by(|a, b| m.of(a).total_cmp(&m.of(b))).map(|b| (b.strategy, m.of(b)))
            } else {
                None
            };
            measures.push(MeasureVerdict {
                measure: m,
                flowgate: ours,
                as_even_or_more: rivals.iter().map(|b| b.strategy).collect(),
                rivals: rivals.iter().map(|b| (b.strategy, m.of(b))).collect(),
                best,
            });
        }
        let better_on_every_measure = red_rule_kept && measures.iter().all(|m| m.as_even_or_more.is_empty());
        Verdict { red_rule_kept, better_on_every_measure, measures, red: Some(red) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wording::simulate::verdict_line;

    fn row(strategy: Strategy, gini: f64, red: f64) -> StrategyResult {
        StrategyResult {
            strategy,
            requests: 10,
            max_over_mean: 1.0 + gini * 5.0,
            gini,
            raw_max_over_mean: 1.0 + gini * 5.0,
            raw_gini: gini,
            red_first_pool_share: red,
            over_capacity: 0,
            peak_open: 0,
            unfilled: 0,
            ..StrategyResult::blank(strategy)
        }
    }

    fn comparison(rows: Vec<StrategyResult>) -> Comparison {
        Comparison {
            prs: 10,
            red_prs: 4,
            people: 3,
            red_pool: Some("security".into()),
            results: rows,
            with_ladder: Vec::new(),
            slo: Default::default(),
        }
    }

    #[test]
    fn a_tie_at_the_precision_shown_is_not_a_win() {
        let c = comparison(vec![
            row(Strategy::Flowgate, 0.1001, 1.0),
            row(Strategy::RoundRobin, 0.1004, 0.5),
            row(Strategy::LoadBalance, 0.2, 0.5),
        ]);
        let v = Verdict::of(&c);
        assert!(v.red_rule_kept && !v.better_on_every_measure);
        let gini = v.measures.iter().find(|m| m.measure == Measure::Gini).expect("gini");
        assert_eq!(gini.as_even_or_more, [Strategy::RoundRobin]);
        assert_eq!((gini.rivals.as_slice(), gini.best), ([(Strategy::RoundRobin, 0.1004)].as_slice(), None));
        let line = verdict_line(&v);
        assert!(line.contains("did not spread load more evenly than every baseline on any measure"), "{line}");
        assert!(line.contains("Gini (0.100 vs round-robin 0.100)"), "{line}");
    }

    #[test]
    fn a_broken_red_rule_is_counted_and_spoils_the_verdict() {
        let c = comparison(vec![row(Strategy::Flowgate, 0.05, 0.75), row(Strategy::Random, 0.2, 1.0)]);
        let v = Verdict::of(&c);
        assert!(!v.red_rule_kept && !v.better_on_every_measure);
        assert_eq!(v.red, Some(RedRule::Tested { covered: 3, red_prs: 4, pool: "security".into() }));
        let line = verdict_line(&v);
        assert!(line.starts_with("verdict: flowgate broke the red rule (3 of 4 red PRs"), "{line}");
        assert!(line.contains("on every measure"), "{line}");
    }

    #[test]
    fn without_a_flowgate_row_there_is_nothing_to_judge() {
        let v = Verdict::of(&comparison(vec![row(Strategy::Random, 0.2, 1.0)]));
        assert_eq!((v.red_rule_kept, v.better_on_every_measure, v.measures.len(), v.red), (false, false, 0, None));
    }

    #[test]
    fn the_json_keeps_the_measure_keys_and_leaves_out_the_words_parts() {
        let v = Verdict::of(&comparison(vec![row(Strategy::Flowgate, 0.05, 1.0), row(Strategy::Random, 0.2, 1.0)]));
        let json = serde_json::to_value(&v).expect("serialises");
        let keys: Vec<&str> =
            json["measures"].as_array().unwrap().iter().map(|m| m["measure"].as_str().unwrap()).collect();
        assert_eq!(keys, ["max_over_mean", "gini", "raw_max_over_mean", "raw_gini"]);
        assert_eq!(
            json.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["red_rule_kept", "better_on_every_measure", "measures"]
        );
    }
}
