//! Every sentence of `flowgate simulate-assign`: the strategies' names, the comparison's table
//! with the lines above it (what was replayed, the SLO ladder), and the verdict lines under it
//! (the spread of load, and what the ladder did to the first response and at what cost).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::assign::simulate::{Comparison, Measure, MeasureVerdict, RedRule, Strategy, StrategyResult, Verdict};
use crate::model::Tier;
use crate::slo::{SloRule, Step};
use crate::wording::words::count;

/// A strategy as the table and the verdict name it.
pub fn strategy(strategy: Strategy) -> &'static str {
    match strategy {
        Strategy::Flowgate => "flowgate",
        Strategy::RoundRobin => "round-robin",
        Strategy::Random => "random (seeded)",
        Strategy::LoadBalance => "GitHub load balance",
    }
}

/// A measure of spread as the table's column and the verdict name it.
pub fn measure(measure: Measure) -> &'static str {
    match measure {
        Measure::MaxOverMean => "max/mean",
        Measure::Gini => "Gini",
        Measure::RawMaxOverMean => "raw max/mean",
        Measure::RawGini => "raw Gini",
    }
}

/// What was replayed, the ladder, then one row per strategy (two with a ladder: without and
/// with it), in Markdown.
pub fn comparison_table(c: &Comparison) -> String {
    let pool = c.red_pool.as_deref().unwrap_or("first pool");
    let mut out = format!(
        "{} PRs ({} red), {} people in the pools. Spread is of reviews asked per day present; \
         raw is over the whole history. First response is in the team calendar's working hours.\n\n\
         {}\n\n\
         | strategy | ladder | requests | {} | {} | {} | {} | red PRs with {pool} | over capacity | peak open | unfilled \
         | first response p50 | p90 | reminders | channel | reassigned | reminders out of hours |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        c.prs,
        c.red_prs,
        c.people,
        ladder_rules(&c.slo),
        measure(Measure::MaxOverMean),
        measure(Measure::Gini),
        measure(Measure::RawMaxOverMean),
        measure(Measure::RawGini),
    );
    for (i, r) in c.results.iter().enumerate() {
        row(&mut out, r);
        if let Some(with) = c.with_ladder.get(i) {
            row(&mut out, with);
        }
    }
    out
}

fn row(out: &mut String, r: &StrategyResult) {
    let _ = writeln!(
        out,
        "| {} | {} | {} | {:.2} | {:.3} | {:.2} | {:.3} | {:.0}% | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        strategy(r.strategy),
        if r.ladder { "on" } else { "off" },
        r.requests,
        r.max_over_mean,
        r.gini,
        r.raw_max_over_mean,
        r.raw_gini,
        r.red_first_pool_share * 100.0,
        r.over_capacity,
        r.peak_open,
        r.unfilled,
        hours(r.first_response_p50_hours),
        hours(r.first_response_p90_hours),
        r.reminders,
        r.channel_messages,
        r.reassignments,
        r.reminders_outside_hours,
    );
}

/// `4.5h`, or a dash when there is no figure.
fn hours(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |h| format!("{h:.1}h"))
}

/// A ladder step as the ladder's line names it.
pub fn step(step: Step) -> &'static str {
    match step {
        Step::Remind => "remind",
        Step::Channel => "tell the pool's channel",
        Step::Reassign => "reassign",
    }
}

/// `SLO ladder (working hours, each reviewer's own): red 4h, remind at 50%, ...; yellow ...`.
pub fn ladder_rules(slo: &BTreeMap<Tier, SloRule>) -> String {
    if slo.is_empty() {
        return "No SLO ladder: each strategy is replayed once (give the policy a `latency.slo`, or --slo).".into();
    }
    let tiers: Vec<String> = Tier::ALL
        .iter()
        .filter_map(|tier| {
            let rule = slo.get(tier)?;
            let hours = rule.first_response.as_secs();
            let time = if hours % 3600 == 0 { format!("{}h", hours / 3600) } else { format!("{}m", hours / 60) };
            let steps: Vec<String> = rule.shares().map(|(s, share)| format!("{} at {}%", step(s), share.0)).collect();
            let steps = if steps.is_empty() { "no steps".to_string() } else { steps.join(", ") };
            Some(format!("{tier} {time} to first response ({steps})"))
        })
        .collect();
    format!("SLO ladder, in each reviewer's own working hours: {}.", tiers.join("; "))
}

/// What the ladder did for flowgate: its first response with and without, and the cost; `None`
/// without a ladder.
pub fn ladder_line(c: &Comparison) -> Option<String> {
    let on = c.with_ladder.iter().find(|r| r.strategy == Strategy::Flowgate)?;
    let off = c.result(Strategy::Flowgate)?;
    let figure = |with: Option<f64>, without: Option<f64>| format!("{} (without: {})", hours(with), hours(without));
    let outside: u32 = c.with_ladder.iter().map(|r| r.reminders_outside_hours).sum();
    let outside = match outside {
        0 => "no strategy's reminder went out outside the reviewer's working hours".to_string(),
        n => format!("{} went out outside the reviewer's working hours", count(u64::from(n), "reminder", "reminders")),
    };
    let capped = match c.with_ladder.iter().map(|r| r.capped).sum::<u32>() {
        0 => String::new(),
        n => format!("; {} stopped at the cap of wake-ups", count(u64::from(n), "PR's ladder", "PRs' ladders")),
    };
    Some(format!(
        "ladder: with it, flowgate's first response came at {} at the median and {} at the 90th percentile, \
         for {}, {} and {}; {outside}{capped}.",
        figure(on.first_response_p50_hours, off.first_response_p50_hours),
        figure(on.first_response_p90_hours, off.first_response_p90_hours),
        count(u64::from(on.reminders), "reminder", "reminders"),
        count(u64::from(on.channel_messages), "channel message", "channel messages"),
        count(u64::from(on.reassignments), "reassignment", "reassignments"),
    ))
}

/// `verdict: flowgate kept the red rule (…); it spread load more evenly than every baseline on …`.
pub fn verdict_line(v: &Verdict) -> String {
    let Some(red) = &v.red else {
        return "verdict: there is no flowgate row to judge".to_string();
    };
    let red = match red {
        RedRule::NotInPolicy => "the policy requests no one for red PRs, so there is no red rule to keep".to_string(),
        RedRule::NoRedPrs => "there were no red PRs, so the red rule was not tested".to_string(),
        RedRule::Tested { red_prs: 1, pool, .. } if v.red_rule_kept => {
            format!("flowgate kept the red rule (the one red PR had a reviewer from {pool})")
        }
        RedRule::Tested { red_prs, pool, .. } if v.red_rule_kept => {
            format!("flowgate kept the red rule (all {red_prs} red PRs had a reviewer from {pool})")
        }
        RedRule::Tested { covered, red_prs, pool } => {
            format!("flowgate broke the red rule ({covered} of {red_prs} red PRs had a reviewer from {pool})")
        }
    };
    let (won, lost): (Vec<&MeasureVerdict>, Vec<&MeasureVerdict>) =
        v.measures.iter().partition(|m| m.as_even_or_more.is_empty());
    let wins: Vec<String> = won.iter().map(|m| win(m)).collect();
    let losses: Vec<String> = lost.iter().map(|m| loss(m)).collect();
    let spread = match (wins.is_empty(), losses.is_empty()) {
        (_, true) => format!("it spread load more evenly than every baseline on every measure: {}", and(&wins, "and")),
        (true, false) => {
            format!("it did not spread load more evenly than every baseline on any measure: {}", and(&losses, "or"))
        }
        (false, false) => format!(
            "it spread load more evenly than every baseline on {}, but not on {}",
            and(&wins, "and"),
            and(&losses, "or")
        ),
    };
    // Lost only on whole-history counts: say why those may read differently.
    let why = if !wins.is_empty() && !losses.is_empty() && lost.iter().all(|m| m.measure.is_raw()) {
        ", whole-history counts that ignore days away (docs/assign.md)"
    } else {
        ""
    };
    format!("verdict: {red}; {spread}{why}.")
}

/// `Gini (0.025 vs 0.052 for GitHub load balance)`.
fn win(m: &MeasureVerdict) -> String {
    match m.best {
        Some((best, value)) => format!(
            "{} ({} vs {} for {})",
            measure(m.measure),
            figure(m.measure, m.flowgate),
            figure(m.measure, value),
            strategy(best)
        ),
        None => measure(m.measure).to_string(),
    }
}

/// `raw Gini (0.037 vs GitHub load balance 0.011)`.
fn loss(m: &MeasureVerdict) -> String {
    let others: Vec<String> =
        m.rivals.iter().map(|(s, value)| format!("{} {}", strategy(*s), figure(m.measure, *value))).collect();
    format!("{} ({} vs {})", measure(m.measure), figure(m.measure, m.flowgate), others.join(", "))
}

fn figure(measure: Measure, value: f64) -> String {
    format!("{value:.*}", measure.decimals())
}

/// "a, b and c".
fn and(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {word} {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assign::simulate::StrategyResult;

    fn row(strategy: Strategy, gini: f64, raw_gini: f64, red: f64) -> StrategyResult {
        StrategyResult {
            strategy,
            requests: 10,
            max_over_mean: 1.0 + gini * 5.0,
            gini,
            raw_max_over_mean: 1.0 + raw_gini * 5.0,
            raw_gini,
            red_first_pool_share: red,
            over_capacity: 1,
            peak_open: 3,
            unfilled: 0,
            ..StrategyResult::blank(strategy)
        }
    }

    fn comparison(red_prs: u32, red_pool: Option<&str>, rows: Vec<StrategyResult>) -> Comparison {
        Comparison {
            prs: 10,
            red_prs,
            people: 3,
            red_pool: red_pool.map(Into::into),
            results: rows,
            with_ladder: Vec::new(),
            slo: Default::default(),
        }
    }

    fn line(red_prs: u32, red_pool: Option<&str>, rows: Vec<StrategyResult>) -> String {
        verdict_line(&Verdict::of(&comparison(red_prs, red_pool, rows)))
    }

    #[test]
    fn strategies_and_measures_by_name() {
        let strategies = Strategy::ALL.map(strategy);
        insta::assert_snapshot!(strategies.join(" | "), @"flowgate | round-robin | random (seeded) | GitHub load balance");
        let measures = Measure::ALL.map(measure);
        insta::assert_snapshot!(measures.join(" | "), @"max/mean | Gini | raw max/mean | raw Gini");
    }

    #[test]
    fn the_table_with_and_without_a_red_pool() {
        let rows = vec![row(Strategy::Flowgate, 0.025, 0.037, 1.0), row(Strategy::Random, 0.1204, 0.2, 0.5)];
        insta::assert_snapshot!(comparison_table(&comparison(4, Some("security"), rows.clone())), @r"
            10 PRs (4 red), 3 people in the pools. Spread is of reviews asked per day present; raw is over the whole history. First response is in the team calendar's working hours.

            No SLO ladder: each strategy is replayed once (give the policy a `latency.slo`, or --slo).

            | strategy | ladder | requests | max/mean | Gini | raw max/mean | raw Gini | red PRs with security | over capacity | peak open | unfilled | first response p50 | p90 | reminders | channel | reassigned | reminders out of hours |
            |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
            | flowgate | off | 10 | 1.12 | 0.025 | 1.19 | 0.037 | 100% | 1 | 3 | 0 | – | – | 0 | 0 | 0 | 0 |
            | random (seeded) | off | 10 | 1.60 | 0.120 | 2.00 | 0.200 | 50% | 1 | 3 | 0 | – | – | 0 | 0 | 0 | 0 |
        ");
        let table = comparison_table(&comparison(0, None, rows));
        insta::assert_snapshot!(table.lines().nth(4).unwrap(), @"| strategy | ladder | requests | max/mean | Gini | raw max/mean | raw Gini | red PRs with first pool | over capacity | peak open | unfilled | first response p50 | p90 | reminders | channel | reassigned | reminders out of hours |");
    }

    fn ladder() -> BTreeMap<Tier, SloRule> {
        use crate::slo::Share;
        let hours = |h: u64| std::time::Duration::from_secs(h * 3600);
        BTreeMap::from([
            (Tier::Red, SloRule::new(hours(4), Some(Share(50)), Some(Share(100)), Some(Share(150))).unwrap()),
            (Tier::Yellow, SloRule::new(hours(8), Some(Share(75)), None, None).unwrap()),
            (Tier::Green, SloRule::new(std::time::Duration::from_secs(90 * 60), None, None, None).unwrap()),
        ])
    }

    #[test]
    fn the_ladder_its_rows_and_its_line() {
        insta::assert_snapshot!(ladder_rules(&ladder()), @"SLO ladder, in each reviewer's own working hours: red 4h to first response (remind at 50%, tell the pool's channel at 100%, reassign at 150%); yellow 8h to first response (remind at 75%); green 90m to first response (no steps).");
        let off = row(Strategy::Flowgate, 0.025, 0.037, 1.0);
        let on = StrategyResult {
            ladder: true,
            responded: 10,
            first_response_p50_hours: Some(3.25),
            first_response_p90_hours: Some(11.0),
            reminders: 12,
            channel_messages: 1,
            reassignments: 3,
            ..row(Strategy::Flowgate, 0.03, 0.04, 1.0)
        };
        let off = StrategyResult {
            responded: 10,
            first_response_p50_hours: Some(5.0),
            first_response_p90_hours: Some(20.5),
            ..off
        };
        let mut c = comparison(4, Some("security"), vec![off]);
        c.with_ladder = vec![on.clone()];
        c.slo = ladder();
        let table = comparison_table(&c);
        insta::assert_snapshot!(table.lines().skip(2).collect::<Vec<_>>().join("\n"), @r"
            SLO ladder, in each reviewer's own working hours: red 4h to first response (remind at 50%, tell the pool's channel at 100%, reassign at 150%); yellow 8h to first response (remind at 75%); green 90m to first response (no steps).

            | strategy | ladder | requests | max/mean | Gini | raw max/mean | raw Gini | red PRs with security | over capacity | peak open | unfilled | first response p50 | p90 | reminders | channel | reassigned | reminders out of hours |
            |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
            | flowgate | off | 10 | 1.12 | 0.025 | 1.19 | 0.037 | 100% | 1 | 3 | 0 | 5.0h | 20.5h | 0 | 0 | 0 | 0 |
            | flowgate | on | 10 | 1.15 | 0.030 | 1.20 | 0.040 | 100% | 1 | 3 | 0 | 3.2h | 11.0h | 12 | 1 | 3 | 0 |
        ");
        insta::assert_snapshot!(ladder_line(&c).unwrap(), @"ladder: with it, flowgate's first response came at 3.2h (without: 5.0h) at the median and 11.0h (without: 20.5h) at the 90th percentile, for 12 reminders, 1 channel message and 3 reassignments; no strategy's reminder went out outside the reviewer's working hours.");
        c.with_ladder = vec![StrategyResult {
            reminders: 1,
            channel_messages: 0,
            reassignments: 1,
            reminders_outside_hours: 1,
            capped: 2,
            ..on
        }];
        insta::assert_snapshot!(ladder_line(&c).unwrap(), @"ladder: with it, flowgate's first response came at 3.2h (without: 5.0h) at the median and 11.0h (without: 20.5h) at the 90th percentile, for 1 reminder, 0 channel messages and 1 reassignment; 1 reminder went out outside the reviewer's working hours; 2 PRs' ladders stopped at the cap of wake-ups.");
        c.with_ladder.clear();
        assert_eq!(ladder_line(&c), None, "no ladder, no line");
        insta::assert_snapshot!(ladder_rules(&BTreeMap::new()), @"No SLO ladder: each strategy is replayed once (give the policy a `latency.slo`, or --slo).");
    }

    #[test]
    fn the_red_rule_in_each_case() {
        let ours = |red| vec![row(Strategy::Flowgate, 0.05, 0.05, red), row(Strategy::Random, 0.2, 0.2, 0.5)];
        let lines = [
            line(4, None, ours(1.0)),
            line(0, Some("security"), ours(1.0)),
            line(1, Some("security"), ours(1.0)),
            line(4, Some("security"), ours(1.0)),
            line(4, Some("security"), ours(0.75)),
            line(4, Some("security"), vec![row(Strategy::RoundRobin, 0.2, 0.2, 1.0)]),
        ];
        insta::assert_snapshot!(lines.join("\n"), @r"
        verdict: the policy requests no one for red PRs, so there is no red rule to keep; it spread load more evenly than every baseline on every measure: max/mean (1.25 vs 2.00 for random (seeded)), Gini (0.050 vs 0.200 for random (seeded)), raw max/mean (1.25 vs 2.00 for random (seeded)) and raw Gini (0.050 vs 0.200 for random (seeded)).
        verdict: there were no red PRs, so the red rule was not tested; it spread load more evenly than every baseline on every measure: max/mean (1.25 vs 2.00 for random (seeded)), Gini (0.050 vs 0.200 for random (seeded)), raw max/mean (1.25 vs 2.00 for random (seeded)) and raw Gini (0.050 vs 0.200 for random (seeded)).
        verdict: flowgate kept the red rule (the one red PR had a reviewer from security); it spread load more evenly than every baseline on every measure: max/mean (1.25 vs 2.00 for random (seeded)), Gini (0.050 vs 0.200 for random (seeded)), raw max/mean (1.25 vs 2.00 for random (seeded)) and raw Gini (0.050 vs 0.200 for random (seeded)).
        verdict: flowgate kept the red rule (all 4 red PRs had a reviewer from security); it spread load more evenly than every baseline on every measure: max/mean (1.25 vs 2.00 for random (seeded)), Gini (0.050 vs 0.200 for random (seeded)), raw max/mean (1.25 vs 2.00 for random (seeded)) and raw Gini (0.050 vs 0.200 for random (seeded)).
        verdict: flowgate broke the red rule (3 of 4 red PRs had a reviewer from security); it spread load more evenly than every baseline on every measure: max/mean (1.25 vs 2.00 for random (seeded)), Gini (0.050 vs 0.200 for random (seeded)), raw max/mean (1.25 vs 2.00 for random (seeded)) and raw Gini (0.050 vs 0.200 for random (seeded)).
        verdict: there is no flowgate row to judge
        ");
    }

    #[test]
    fn won_lost_and_tied_measures() {
        // Lost on the raw counts only: the line says why those read differently.
        let raw_only = line(
            4,
            Some("security"),
            vec![
                row(Strategy::Flowgate, 0.025, 0.037, 1.0),
                row(Strategy::LoadBalance, 0.052, 0.011, 0.5),
                row(Strategy::RoundRobin, 0.3, 0.02, 0.5),
            ],
        );
        insta::assert_snapshot!(raw_only, @"verdict: flowgate kept the red rule (all 4 red PRs had a reviewer from security); it spread load more evenly than every baseline on max/mean (1.12 vs 1.26 for GitHub load balance) and Gini (0.025 vs 0.052 for GitHub load balance), but not on raw max/mean (1.19 vs GitHub load balance 1.05, round-robin 1.10) or raw Gini (0.037 vs GitHub load balance 0.011, round-robin 0.020), whole-history counts that ignore days away (docs/assign.md).");
        // A tie at the precision shown is a loss; losing per day present needs no note.
        let tied = line(
            4,
            Some("security"),
            vec![row(Strategy::Flowgate, 0.1001, 0.3, 1.0), row(Strategy::RoundRobin, 0.1004, 0.1, 0.5)],
        );
        insta::assert_snapshot!(tied, @"verdict: flowgate kept the red rule (all 4 red PRs had a reviewer from security); it did not spread load more evenly than every baseline on any measure: max/mean (1.50 vs round-robin 1.50), Gini (0.100 vs round-robin 0.100), raw max/mean (2.50 vs round-robin 1.50) or raw Gini (0.300 vs round-robin 0.100).");
        // Without baselines every measure is won, and named alone.
        let alone = line(4, Some("security"), vec![row(Strategy::Flowgate, 0.1, 0.1, 1.0)]);
        insta::assert_snapshot!(alone, @"verdict: flowgate kept the red rule (all 4 red PRs had a reviewer from security); it spread load more evenly than every baseline on every measure: max/mean, Gini, raw max/mean and raw Gini.");
    }
}
