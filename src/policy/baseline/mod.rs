//! Baselines: a policy an organisation sets for many repositories, which a repository's own policy
//! may only tighten. `loosenings` (pure) compares a baseline with the effective policy key by key
//! and names what a repository relaxed; `position` finds such a key in the repository's file;
//! `select` picks the baseline a repository gets. The table of what "tighter" means for each key
//! is in docs/policy.md ("Baselines: what tighter means").

pub mod effective;
pub mod position;
mod sections;
pub mod select;
mod tiers;

pub(crate) use effective::lay_over;
pub use effective::{Baseline, Effective};
pub use select::{BaselineRule, BaselineSource, Properties, baseline_for};

use super::Policy;

/// One way the effective policy is looser than its baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loosening {
    /// The policy key, dotted as the file writes it: `tiers.red.review.approvals`.
    pub key: String,
    pub change: Change,
}

/// What changed, as values: the wording layer says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A number the baseline sets as a floor fell (approvals, reviewers to request, a share).
    Fewer { baseline: u64, repository: u64 },
    /// A ceiling the baseline sets rose, or went (`None`: no limit at all).
    Higher { baseline: u64, repository: Option<u64> },
    /// A setting moved to a weaker value, by the ids the file writes (`head` to `diff`).
    Weaker { baseline: String, repository: String },
    /// Something the baseline requires that the repository dropped (a red path, a tracker).
    Removed { item: String },
    /// Something the repository added that lets more through (an exemption, an approver).
    Added { item: String },
    /// A setting the baseline fixes that the repository changed, where neither is stricter.
    Changed { baseline: String, repository: String },
}

impl Loosening {
    fn new(key: impl Into<String>, change: Change) -> Loosening {
        Loosening { key: key.into(), change }
    }
}

/// Every way `effective` (a repository's policy laid over the baseline) is looser than
/// `baseline`, in the order of the file's keys. Empty when it only tightens or leaves alone.
pub fn loosenings(baseline: &Policy, effective: &Policy) -> Vec<Loosening> {
    let mut out = Vec::new();
    sections::enforcement(baseline, effective, &mut out);
    tiers::tiers(baseline, effective, &mut out);
    tiers::teams(baseline, effective, &mut out);
    sections::linkage(&baseline.linkage, &effective.linkage, &mut out);
    sections::ai(&baseline.ai, &effective.ai, &mut out);
    sections::limits(baseline, effective, &mut out);
    sections::override_(baseline, effective, &mut out);
    sections::analysis(baseline, effective, &mut out);
    sections::reviewers(baseline, effective, &mut out);
    sections::merge_queue(baseline, effective, &mut out);
    out
}

/// Items of `baseline` missing from `effective`, each a `Removed` at `key`.
fn kept<T: PartialEq>(
    key: &str,
    baseline: &[T],
    effective: &[T],
    show: impl Fn(&T) -> String,
    out: &mut Vec<Loosening>,
) {
    for item in baseline.iter().filter(|b| !effective.contains(b)) {
        out.push(Loosening::new(key, Change::Removed { item: show(item) }));
    }
}

/// Items of `effective` the baseline does not have, each an `Added` at `key`: lists that let
/// more through (exemptions, approvers) may only shrink.
fn only_fewer<T: PartialEq>(
    key: &str,
    baseline: &[T],
    effective: &[T],
    show: impl Fn(&T) -> String,
    out: &mut Vec<Loosening>,
) {
    for item in effective.iter().filter(|e| !baseline.contains(e)) {
        out.push(Loosening::new(key, Change::Added { item: show(item) }));
    }
}

/// A floor: `effective` may rise, never fall below `baseline`.
fn at_least(key: &str, baseline: u64, effective: u64, out: &mut Vec<Loosening>) {
    if effective < baseline {
        out.push(Loosening::new(key, Change::Fewer { baseline, repository: effective }));
    }
}

/// A ceiling (`None` is no ceiling): `effective` may fall, never rise above `baseline`.
fn at_most(key: &str, baseline: Option<u64>, effective: Option<u64>, out: &mut Vec<Loosening>) {
    let Some(baseline) = baseline else { return };
    if effective.is_none_or(|e| e > baseline) {
        out.push(Loosening::new(key, Change::Higher { baseline, repository: effective }));
    }
}

/// An ordered setting (`Ord` from loosest to strictest): it may only move up.
fn no_weaker<T: Ord>(key: &str, baseline: T, effective: T, id: impl Fn(T) -> String, out: &mut Vec<Loosening>) {
    if effective < baseline {
        out.push(Loosening::new(key, Change::Weaker { baseline: id(baseline), repository: id(effective) }));
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_sections;
