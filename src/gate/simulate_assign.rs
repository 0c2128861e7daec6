//! `flowgate simulate-assign`: where the history and the setup come from (a recorded file with a
//! policy, or the synthetic month), and the one-line verdict over the comparison. The binary's
//! `simulate_assign.rs` only parses the flags and prints.

use std::path::Path;

use jiff::SignedDuration;
use serde::Serialize;

use crate::assign::simulate::{
    Comparison, HistoryEvent, SimSetup, Strategy, StrategyResult, compare, parse_history, to_jsonl,
};
use crate::assign::synthetic::{synthetic_month, synthetic_setup};
use crate::error::UserError;
use crate::policy::load;

/// The synthetic month's default seed, and the random baseline's seed for a recorded history.
pub const DEFAULT_SEED: u64 = 7;

/// What to replay.
pub enum Source<'a> {
    /// A recorded history, JSON Lines.
    History(&'a Path),
    /// The synthetic month for `seed`, saved to `write_history` first when given.
    Synthetic { seed: u64, write_history: Option<&'a Path> },
}

/// The output formats of a replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimFormat {
    Markdown,
    Json,
}

/// One replay: what was replayed, the comparison and its verdict.
#[derive(Debug)]
pub struct Replay {
    /// Where the history and the setup came from, for a line on stderr.
    pub described: String,
    pub comparison: Comparison,
    pub verdict: Verdict,
}

/// Reads or generates the history, finds its setup, replays it once per strategy.
pub fn run(source: Source<'_>, policy: Option<&Path>) -> Result<Replay, UserError> {
    let (setup, events, mut described, origin) = match source {
        Source::Synthetic { seed, write_history } => {
            let (setup, events) = synthetic_month(seed);
            let mut described = format!("the synthetic month, seed {seed}");
            if let Some(path) = write_history {
                let header = [HistoryEvent::Synthetic { seed }];
                let text = to_jsonl(&header) + &to_jsonl(&events);
                std::fs::write(path, text).map_err(|e| UserError::input(path, format!("cannot write: {e}")))?;
                described.push_str(&format!(", saved to {}", path.display()));
            }
            (Some(setup), events, described, "the synthetic month".to_string())
        }
        Source::History(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| UserError::input(path, format!("cannot read: {e}")))?;
            let events = parse_history(&text).map_err(|e| UserError::input(path, e))?;
            if !events.iter().any(|e| matches!(e, HistoryEvent::PrOpened { .. })) {
                return Err(UserError::input(path, "no pr_opened lines: there is nothing to replay"));
            }
            let seed = synthetic_seed(&events).map_err(|e| UserError::input(path, e))?;
            let described = match seed {
                Some(seed) => format!("{} (the synthetic month, seed {seed})", path.display()),
                None => path.display().to_string(),
            };
            (seed.map(synthetic_setup), events, described, path.display().to_string())
        }
    };
    let setup = match (policy, setup) {
        (Some(path), base) => {
            described.push_str(&format!(", with the reviewers of {}", path.display()));
            with_policy(path, base)?
        }
        (None, Some(setup)) => setup,
        (None, None) => {
            return Err(UserError::Usage(format!(
                "{origin}: give --policy FILE whose `reviewers:` section defines the pools to replay against \
                 (only a history saved by --write-history carries its own)"
            )));
        }
    };
    let comparison = compare(&setup, &events);
    if comparison.people == 0 {
        return Err(UserError::Usage(format!(
            "{origin}: the reviewer pools expand to nobody: list logins, or the members of their teams under `teams:`"
        )));
    }
    let verdict = Verdict::of(&comparison);
    Ok(Replay { described, comparison, verdict })
}

/// The seed of the history's `synthetic` line, if it has one.
fn synthetic_seed(events: &[HistoryEvent]) -> Result<Option<u64>, String> {
    let mut seeds = events.iter().filter_map(|e| match e {
        HistoryEvent::Synthetic { seed } => Some(*seed),
        _ => None,
    });
    let first = seeds.next();
    match (first, seeds.find(|s| Some(*s) != first)) {
        (Some(a), Some(b)) => Err(format!("two `synthetic` lines disagree: seeds {a} and {b}")),
        _ => Ok(first),
    }
}

/// The policy file's `reviewers:` and `teams:` over the synthetic month's setup, or over nothing.
fn with_policy(path: &Path, base: Option<SimSetup>) -> Result<SimSetup, UserError> {
    let loaded = load::load_file(path)?;
    let reviewers = loaded.reviewers.ok_or_else(|| UserError::Policy {
        file: path.display().to_string(),
        message: "has no `reviewers:` section: define the pools, what each tier requests and capacities \
                  (docs/policy.md#reviewers)"
            .into(),
    })?;
    let mut setup = base.unwrap_or_else(|| SimSetup {
        policy: reviewers.clone(),
        teams: Default::default(),
        codeowners: Vec::new(),
        seed: DEFAULT_SEED,
        default_delay: SignedDuration::from_hours(24),
    });
    setup.policy = reviewers;
    setup.teams.extend(loaded.teams);
    Ok(setup)
}

/// Whether flowgate kept the red rule, and on which measures of spread it beat every baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// Every red PR had a reviewer from the red tier's first pool (true when there were none).
    pub red_rule_kept: bool,
    /// The red rule kept and every measure won.
    pub better_on_every_measure: bool,
    pub measures: Vec<MeasureVerdict>,
    pub line: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureVerdict {
    pub measure: &'static str,
    pub flowgate: f64,
    /// Baselines at least as even as flowgate at the precision shown; empty when flowgate wins.
    pub as_even_or_more: Vec<Strategy>,
}

struct Measure {
    key: &'static str,
    label: &'static str,
    get: fn(&StrategyResult) -> f64,
    decimals: usize,
}

const MEASURES: [Measure; 4] = [
    Measure { key: "max_over_mean", label: "max/mean", get: |r| r.max_over_mean, decimals: 2 },
    Measure { key: "gini", label: "Gini", get: |r| r.gini, decimals: 3 },
    Measure { key: "raw_max_over_mean", label: "raw max/mean", get: |r| r.raw_max_over_mean, decimals: 2 },
    Measure { key: "raw_gini", label: "raw Gini", get: |r| r.raw_gini, decimals: 3 },
];

/// Values compared as the table prints them, so that a win can be seen in the table.
fn shown(value: f64, decimals: usize) -> i64 {
    (value * 10f64.powi(decimals as i32)).round() as i64
}

impl Verdict {
    pub fn of(c: &Comparison) -> Verdict {
        let Some(flowgate) = c.result(Strategy::Flowgate) else {
            let line = "verdict: there is no flowgate row to judge".to_string();
            return Verdict { red_rule_kept: false, better_on_every_measure: false, measures: Vec::new(), line };
        };
        let baselines: Vec<&StrategyResult> = c.results.iter().filter(|r| r.strategy != Strategy::Flowgate).collect();
        let covered = (flowgate.red_first_pool_share * f64::from(c.red_prs)).round() as u32;
        let red_rule_kept = covered >= c.red_prs;
        let pool = c.red_pool.as_deref().unwrap_or("the first pool");
        let red = match (&c.red_pool, c.red_prs) {
            (None, _) => "the policy requests no one for red PRs, so there is no red rule to keep".to_string(),
            (_, 0) => "there were no red PRs, so the red rule was not tested".to_string(),
            (_, 1) if red_rule_kept => {
                format!("flowgate kept the red rule (the one red PR had a reviewer from {pool})")
            }
            _ if red_rule_kept => {
                format!("flowgate kept the red rule (all {} red PRs had a reviewer from {pool})", c.red_prs)
            }
            _ => format!("flowgate broke the red rule ({covered} of {} red PRs had a reviewer from {pool})", c.red_prs),
        };
        let (mut measures, mut wins, mut losses) = (Vec::new(), Vec::new(), Vec::new());
        for m in &MEASURES {
            let ours = (m.get)(flowgate);
            let fmt = |v: f64| format!("{v:.*}", m.decimals);
            let mut rivals: Vec<&&StrategyResult> =
                baselines.iter().filter(|b| shown((m.get)(b), m.decimals) <= shown(ours, m.decimals)).collect();
            rivals.sort_by(|a, b| (m.get)(a).total_cmp(&(m.get)(b)));
            if rivals.is_empty() {
                let best = baselines.iter().min_by(|a, b| (m.get)(a).total_cmp(&(m.get)(b)));
                wins.push(match best {
                    Some(b) => format!("{} ({} vs {} for {})", m.label, fmt(ours), fmt((m.get)(b)), b.strategy.name()),
                    None => m.label.to_string(),
                });
            } else {
                let others: Vec<String> =
                    rivals.iter().map(|b| format!("{} {}", b.strategy.name(), fmt((m.get)(b)))).collect();
                losses.push(format!("{} ({} vs {})", m.label, fmt(ours), others.join(", ")));
            }
            let as_even_or_more = rivals.iter().map(|b| b.strategy).collect();
            measures.push(MeasureVerdict { measure: m.key, flowgate: ours, as_even_or_more });
        }
        let spread = match (wins.is_empty(), losses.is_empty()) {
            (_, true) => {
                format!("it spread load more evenly than every baseline on every measure: {}", and(&wins, "and"))
            }
            (true, false) => {
                format!("it did not spread load more evenly than every baseline on any measure: {}", and(&losses, "or"))
            }
            (false, false) => format!(
                "it spread load more evenly than every baseline on {}, but not on {}",
                and(&wins, "and"),
                and(&losses, "or")
            ),
        };
        let raw_only =
            !wins.is_empty() && measures.iter().all(|m| m.as_even_or_more.is_empty() || m.measure.starts_with("raw"));
        let why = if raw_only && !losses.is_empty() {
            ", whole-history counts that ignore days away (docs/assign.md)"
        } else {
            ""
        };
        let line = format!("verdict: {red}; {spread}{why}.");
        let better_on_every_measure = red_rule_kept && losses.is_empty();
        Verdict { red_rule_kept, better_on_every_measure, measures, line }
    }
}

/// "a, b and c".
fn and(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {word} {last}", rest.join(", ")),
    }
}

/// The table (or JSON with every strategy's figures) and the verdict.
pub fn render(replay: &Replay, format: SimFormat) -> Result<String, UserError> {
    match format {
        SimFormat::Markdown => Ok(format!("{}\n{}\n", replay.comparison.to_markdown(), replay.verdict.line)),
        SimFormat::Json => {
            #[derive(Serialize)]
            struct Out<'a> {
                #[serde(flatten)]
                comparison: &'a Comparison,
                verdict: &'a Verdict,
            }
            let out = Out { comparison: &replay.comparison, verdict: &replay.verdict };
            serde_json::to_string_pretty(&out)
                .map(|s| s + "\n")
                .map_err(|e| UserError::Usage(format!("cannot write the comparison as JSON: {e}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        }
    }

    fn comparison(rows: Vec<StrategyResult>) -> Comparison {
        Comparison { prs: 10, red_prs: 4, people: 3, red_pool: Some("security".into()), results: rows }
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
        let gini = v.measures.iter().find(|m| m.measure == "gini").expect("gini");
        assert_eq!(gini.as_even_or_more, [Strategy::RoundRobin]);
        assert!(v.line.contains("did not spread load more evenly than every baseline on any measure"), "{}", v.line);
        assert!(v.line.contains("Gini (0.100 vs round-robin 0.100)"), "{}", v.line);
    }

    #[test]
    fn a_broken_red_rule_is_counted_and_spoils_the_verdict() {
        let c = comparison(vec![row(Strategy::Flowgate, 0.05, 0.75), row(Strategy::Random, 0.2, 1.0)]);
        let v = Verdict::of(&c);
        assert!(!v.red_rule_kept && !v.better_on_every_measure);
        assert!(v.line.starts_with("verdict: flowgate broke the red rule (3 of 4 red PRs"), "{}", v.line);
        assert!(v.line.contains("on every measure"), "{}", v.line);
    }

    #[test]
    fn two_synthetic_lines_must_agree() {
        let events = [HistoryEvent::Synthetic { seed: 3 }, HistoryEvent::Synthetic { seed: 3 }];
        assert_eq!(synthetic_seed(&events), Ok(Some(3)));
        let events = [HistoryEvent::Synthetic { seed: 3 }, HistoryEvent::Synthetic { seed: 4 }];
        assert!(synthetic_seed(&events).unwrap_err().contains("seeds 3 and 4"));
        assert_eq!(synthetic_seed(&[]), Ok(None));
    }
}
