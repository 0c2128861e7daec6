//! `flowgate simulate-assign`: where the history and the setup come from (a recorded file with a
//! policy, or the synthetic month), the replay, and its table and verdict line as
//! `wording::simulate` words them. The binary's `simulate_assign.rs` only parses the flags and prints.

use std::collections::BTreeMap;
use std::path::Path;

use jiff::SignedDuration;
use serde::Serialize;

use crate::assign::simulate::{Comparison, HistoryEvent, SimSetup, Verdict, compare, parse_history, to_jsonl};
use crate::assign::synthetic::{synthetic_month, synthetic_setup, team_calendar};
use crate::error::UserError;
use crate::model::Tier;
use crate::policy::latency::ReviewTarget;
use crate::policy::load;
use crate::slo::{Share, SloRule};
use crate::wording::simulate::{comparison_table, ladder_line, verdict_line};

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

/// The ladder `--slo` gives: tiers' rules (replacing the policy's and the synthetic month's), or
/// none at all (`--slo off`).
pub type LadderFlags = Option<BTreeMap<Tier, SloRule>>;

/// Reads `--slo` flags: `red=4h:50%,100%,150%` (the shares at which to remind, tell the pool's
/// channel and reassign; `-` or nothing skips a step), or `off`.
pub fn parse_ladder(flags: &[String]) -> Result<LadderFlags, String> {
    if flags.is_empty() {
        return Ok(None);
    }
    let mut ladder = BTreeMap::new();
    for flag in flags {
        if flag.trim() == "off" {
            if flags.len() > 1 {
                return Err("`--slo off` replays without a ladder: give it alone".into());
            }
            return Ok(Some(ladder));
        }
        let (tier, rule) = parse_rung(flag)?;
        if ladder.insert(tier, rule).is_some() {
            return Err(format!("--slo {flag}: the {} tier is given twice", tier.id()));
        }
    }
    Ok(Some(ladder))
}

fn parse_rung(flag: &str) -> Result<(Tier, SloRule), String> {
    let form = "write TIER=TIME:REMIND,CHANNEL,REASSIGN, e.g. red=4h:50%,100%,150% (`-` skips a step)";
    let (tier, rest) = flag.split_once('=').ok_or_else(|| format!("--slo {flag}: {form}"))?;
    let tier = Tier::ALL
        .into_iter()
        .find(|t| t.id() == tier.trim())
        .ok_or_else(|| format!("--slo {flag}: the tier is red, yellow or green"))?;
    let (time, shares) = rest.split_once(':').unwrap_or((rest, ""));
    let first_response = ReviewTarget::parse(time).map_err(|e| format!("--slo {flag}: {e}"))?.0;
    let mut steps = [None; 3];
    let parts: Vec<&str> = if shares.trim().is_empty() { Vec::new() } else { shares.split(',').collect() };
    if parts.len() > 3 {
        return Err(format!("--slo {flag}: at most three shares; {form}"));
    }
    for (slot, part) in steps.iter_mut().zip(parts) {
        let part = part.trim();
        if !part.is_empty() && part != "-" {
            *slot = Some(Share::parse(part).map_err(|e| format!("--slo {flag}: {e}"))?);
        }
    }
    let rule = SloRule::new(first_response, steps[0], steps[1], steps[2]).map_err(|e| format!("--slo {flag}: {e}"))?;
    Ok((tier, rule))
}

/// Reads or generates the history, finds its setup, replays it once per strategy (twice with a
/// ladder: without and with it).
pub fn run(source: Source<'_>, policy: Option<&Path>, ladder: LadderFlags) -> Result<Replay, UserError> {
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
    let mut setup = match (policy, setup) {
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
    if let Some(ladder) = ladder {
        setup.slo = ladder;
    }
    let comparison = compare(&setup, &events);
    if comparison.people == 0 {
        // The pools are the policy's when one was given, else the synthetic month's setup.
        let file = policy.map_or(origin, |path| path.display().to_string());
        return Err(UserError::Policy {
            file,
            message: "the reviewer pools expand to nobody: list logins, or the members of their teams under `teams:`"
                .into(),
        });
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
        slo: Default::default(),
        calendar: team_calendar(),
    });
    setup.policy = reviewers;
    setup.teams.extend(loaded.teams);
    // The policy's ladder and calendar, where it has them, replace the synthetic month's.
    if !loaded.latency.slo.is_empty() {
        setup.slo = loaded.latency.slo;
    }
    if let Some(calendar) = loaded.latency.calendar {
        setup.calendar = calendar;
    }
    Ok(setup)
}

/// The table (or JSON with every strategy's figures) and the verdict. Serialising plain figures
/// does not fail; should it ever, that is flowgate's failure, not the person's.
pub fn render(replay: &Replay, format: SimFormat) -> Result<String, serde_json::Error> {
    match format {
        SimFormat::Markdown => {
            let ladder = ladder_line(&replay.comparison).map(|l| l + "\n").unwrap_or_default();
            Ok(format!("{}\n{}\n{ladder}", comparison_table(&replay.comparison), verdict_line(&replay.verdict)))
        }
        SimFormat::Json => {
            #[derive(Serialize)]
            struct Out<'a> {
                #[serde(flatten)]
                comparison: &'a Comparison,
                verdict: Worded<'a>,
                /// What the ladder did, as the Markdown's last line says it.
                #[serde(skip_serializing_if = "Option::is_none")]
                ladder_line: Option<String>,
            }
            /// The verdict's facts, and its line as the table's reader sees it.
            #[derive(Serialize)]
            struct Worded<'a> {
                #[serde(flatten)]
                verdict: &'a Verdict,
                line: String,
            }
            let verdict = Worded { verdict: &replay.verdict, line: verdict_line(&replay.verdict) };
            let out = Out { comparison: &replay.comparison, verdict, ladder_line: ladder_line(&replay.comparison) };
            serde_json::to_string_pretty(&out).map(|s| s + "\n")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slo_flags_give_a_ladder_per_tier_or_none() {
        let flags = |f: &[&str]| parse_ladder(&f.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(flags(&[]), Ok(None), "no flag: the policy's or the synthetic month's");
        assert_eq!(flags(&["off"]), Ok(Some(BTreeMap::new())));
        let ladder = flags(&["red=4h:50%,100%,150%", "yellow=90m:-,-,200%"]).unwrap().unwrap();
        let red = &ladder[&Tier::Red];
        assert_eq!(
            (red.first_response.as_secs(), red.remind_at, red.reassign_at),
            (4 * 3600, Some(Share(50)), Some(Share(150)))
        );
        let yellow = &ladder[&Tier::Yellow];
        assert_eq!(
            (yellow.first_response.as_secs(), yellow.remind_at, yellow.reassign_at),
            (90 * 60, None, Some(Share(200)))
        );
        assert!(flags(&["green=8h"]).unwrap().unwrap()[&Tier::Green].shares().next().is_none());
        for (bad, says) in [
            (&["red"][..], "TIER=TIME"),
            (&["blue=4h:50%"], "red, yellow or green"),
            (&["red=4x:50%"], "not a review-time target"),
            (&["red=4h:50"], "not a share"),
            (&["red=4h:50%,40%"], "must come before"),
            (&["red=4h:1%,2%,3%,4%"], "at most three"),
            (&["red=4h", "red=8h"], "given twice"),
            (&["off", "red=4h"], "alone"),
        ] {
            let e = flags(bad).unwrap_err();
            assert!(e.contains(says), "{bad:?}: {e}");
        }
    }

    /// The DevLake history (real review times of panjf2000/ants) with its policy's ladder: every
    /// strategy is replayed twice, and no reminder goes out of the reviewers' hours.
    #[test]
    fn the_devlake_history_replays_with_its_policys_ladder() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/devlake-github");
        let replay = run(Source::History(&dir.join("history.jsonl")), Some(&dir.join("flowgate.yml")), None)
            .expect("the fixture replays");
        let c = &replay.comparison;
        assert_eq!((c.prs, c.people, c.with_ladder.len()), (49, 2, 4));
        for on in &c.with_ladder {
            assert!(on.reminders > 0, "{on:?}");
            assert_eq!((on.reminders_outside_hours, on.capped), (0, 0), "{:?}", on.strategy);
        }
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
