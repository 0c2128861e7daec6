//! The traceability audit: which merged PRs trace Story -> Epic -> PRD -> OKR, which are orphaned,
//! where chains break, and how much merged work serves each OKR. The figures, the roll-up, the
//! seeded sample and the rendering are pure (PRs and chains in, a report out); [`fetch`] does the
//! reading from GitHub and the trackers.

pub mod fetch;
pub mod render;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use crate::gate::story_trace::Judge;
use crate::github::parse::shapes::{PullJson, TimelineJson};
use crate::github::parse::time;
use crate::policy::ChainRules;
use crate::policy::verdict::ChainItem;
use crate::trackers::chain::Chain;

/// The seed `--sample` uses unless told otherwise, so two runs over the same PRs agree.
pub const DEFAULT_SEED: u64 = 20261121;

/// One merged PR as the audit needs it: plain data read from GitHub.
#[derive(Debug, Clone, PartialEq)]
pub struct MergedPr {
    pub number: u64,
    pub title: String,
    pub url: String,
    pub author: String,
    pub merged_at: DateTime<Utc>,
    /// The distinct story keys found in its title, branch and body, in order of appearance.
    pub keys: Vec<String>,
    /// Why the policy exempts it from naming a story (its author, a label, its title or branch).
    pub exempt: Option<String>,
    /// Additions plus deletions.
    pub changed_lines: u64,
    /// From ready for review to merge, in hours; `None` when GitHub's record does not say.
    pub review_hours: Option<f64>,
}

pub use crate::model::Trace;

/// One PR's line in the report: the PR, its outcome and the chain found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrReport {
    pub number: u64,
    pub title: String,
    pub url: String,
    pub author: String,
    pub merged_at: DateTime<Utc>,
    pub keys: Vec<String>,
    pub changed_lines: u64,
    pub review_hours: Option<f64>,
    pub trace: Trace,
    pub chain: Vec<ChainStep>,
}

/// One item of a chain as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainStep {
    pub key: String,
    pub level: Option<String>,
    pub title: String,
    pub url: Option<String>,
}

/// Merged work per OKR.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OkrRollup {
    pub key: String,
    pub title: String,
    pub url: Option<String>,
    pub prs: usize,
    pub changed_lines: u64,
    /// The median review time of its PRs that have one, in hours.
    pub median_review_hours: Option<f64>,
    pub pr_numbers: Vec<u64>,
}

/// The counts a leader reads first; shares are of `merged`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub merged: usize,
    pub with_key: usize,
    pub traced: usize,
    pub broken: usize,
    pub not_verified: usize,
    pub exempt: usize,
    pub orphaned: usize,
}

/// The whole audit, ready to render.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Audit {
    pub repo: String,
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// The policy's level names, lowest first; a full chain reaches the last.
    pub levels: Vec<String>,
    pub coverage: Coverage,
    pub okrs: Vec<OkrRollup>,
    /// Every PR, newest merge first.
    pub prs: Vec<PrReport>,
    /// The seed and the PRs chosen by `--sample`, in the order chosen; empty without it.
    pub sample_seed: Option<u64>,
    pub sample: Vec<u64>,
}

/// The audit of `prs` with the chains their keys lead to. A PR's outcome is judged by the gate's
/// own rules with the top level required and any story state allowed (a merged PR's story is
/// often closed by then, and that is no gap in its trace).
pub fn audit(
    repo: &str,
    span: (DateTime<Utc>, DateTime<Utc>),
    rules: &ChainRules,
    prs: &[MergedPr],
    chains: &BTreeMap<String, Chain>,
    sample: Option<(usize, u64)>,
) -> Audit {
    let judge = Judge::new(rules);
    let mut reports: Vec<PrReport> = prs.iter().map(|pr| report(pr, &judge, chains)).collect();
    reports.sort_by(|a, b| b.merged_at.cmp(&a.merged_at).then(b.number.cmp(&a.number)));
    let coverage = Coverage {
        merged: reports.len(),
        with_key: reports.iter().filter(|r| !r.keys.is_empty()).count(),
        traced: reports.iter().filter(|r| matches!(r.trace, Trace::Traced { .. })).count(),
        broken: reports.iter().filter(|r| matches!(r.trace, Trace::Broken { .. })).count(),
        not_verified: reports.iter().filter(|r| matches!(r.trace, Trace::NotVerified { .. })).count(),
        exempt: reports.iter().filter(|r| matches!(r.trace, Trace::Exempt { .. })).count(),
        orphaned: reports.iter().filter(|r| r.trace.is_orphan()).count(),
    };
    let numbers: Vec<u64> = reports.iter().map(|r| r.number).collect();
    Audit {
        repo: repo.to_string(),
        since: span.0,
        until: span.1,
        levels: judge.levels().to_vec(),
        coverage,
        okrs: rollup(&reports),
        sample_seed: sample.map(|(_, seed)| seed),
        sample: sample.map(|(n, seed)| choose(&numbers, n, seed)).unwrap_or_default(),
        prs: reports,
    }
}

fn report(pr: &MergedPr, judge: &Judge, chains: &BTreeMap<String, Chain>) -> PrReport {
    let (trace, links) = if pr.keys.is_empty() {
        let trace = match &pr.exempt {
            Some(reason) => Trace::Exempt { reason: reason.clone() },
            None => Trace::NoKey,
        };
        (trace, Vec::new())
    } else {
        judge.trace(&pr.keys, chains)
    };
    PrReport {
        number: pr.number,
        title: pr.title.clone(),
        url: pr.url.clone(),
        author: pr.author.clone(),
        merged_at: pr.merged_at,
        keys: pr.keys.clone(),
        changed_lines: pr.changed_lines,
        review_hours: pr.review_hours,
        trace,
        chain: links.into_iter().map(step).collect(),
    }
}

fn step(item: ChainItem) -> ChainStep {
    ChainStep { key: item.key, level: item.level, title: item.title, url: item.url }
}

/// Merged work per OKR, most PRs first (then most changed lines, then key).
fn rollup(reports: &[PrReport]) -> Vec<OkrRollup> {
    let mut by_okr: BTreeMap<&str, (OkrRollup, Vec<f64>)> = BTreeMap::new();
    for r in reports {
        let Trace::Traced { okr, .. } = &r.trace else { continue };
        let item = r.chain.iter().rev().find(|s| s.key == *okr);
        let entry = by_okr.entry(okr.as_str()).or_insert_with(|| {
            let rollup = OkrRollup {
                key: okr.clone(),
                title: item.map(|i| i.title.clone()).unwrap_or_default(),
                url: item.and_then(|i| i.url.clone()),
                prs: 0,
                changed_lines: 0,
                median_review_hours: None,
                pr_numbers: Vec::new(),
            };
            (rollup, Vec::new())
        });
        entry.0.prs += 1;
        entry.0.changed_lines += r.changed_lines;
        entry.0.pr_numbers.push(r.number);
        entry.1.extend(r.review_hours);
    }
    let mut out: Vec<OkrRollup> = by_okr
        .into_values()
        .map(|(mut rollup, mut hours)| {
            rollup.median_review_hours = median(&mut hours);
            rollup
        })
        .collect();
    out.sort_by(|a, b| b.prs.cmp(&a.prs).then(b.changed_lines.cmp(&a.changed_lines)).then(a.key.cmp(&b.key)));
    out
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) { (values[mid - 1] + values[mid]) / 2.0 } else { values[mid] })
}

/// `n` of `numbers` chosen at random with `seed`: the same seed and the same PRs (in any order)
/// give the same choice. A partial Fisher-Yates shuffle driven by SplitMix64, which is small,
/// well studied and has no platform-dependent state.
pub(crate) fn choose(numbers: &[u64], n: usize, seed: u64) -> Vec<u64> {
    let mut pool: Vec<u64> = numbers.to_vec();
    pool.sort_unstable();
    pool.dedup();
    let n = n.min(pool.len());
    let mut state = seed;
    for i in 0..n {
        let remaining = (pool.len() - i) as u64;
        let j = i + (splitmix64(&mut state) % remaining) as usize;
        pool.swap(i, j);
    }
    pool.truncate(n);
    pool
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// When a PR became ready for review: its first `ready_for_review` in the timeline when it was
/// opened as a draft, else when it was opened. Pure: the pull object and its timeline items.
pub(crate) fn ready_at(pull: &PullJson, timeline: &[TimelineJson]) -> Option<DateTime<Utc>> {
    let ready = timeline
        .iter()
        .filter(|i| i.event.as_deref() == Some("ready_for_review"))
        .find_map(|i| time(i.created_at.as_deref()));
    ready.or_else(|| time(pull.created_at.as_deref()))
}

/// The share `part / whole` as a whole percentage, 0 for an empty whole.
pub(crate) fn percent(part: usize, whole: usize) -> u64 {
    if whole == 0 { 0 } else { ((part as f64 / whole as f64) * 100.0).round() as u64 }
}

#[cfg(test)]
mod tests;
