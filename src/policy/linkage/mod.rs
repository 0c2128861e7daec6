//! Story linkage: find the work-item references a PR carries in the allowed places, and decide
//! whether the PR is linked, exempt, pending or failing. Whether the item exists and traces up to
//! an OKR is judged in `chain` from what the trackers returned (`PrFacts::chains`).

pub(crate) mod chain;
pub mod keys;

use self::keys::{Source, WorkItemRef};
use super::verdict::{ChainOutcome, Exemption, LinkageState, LinkageVerdict};
use super::{LinkSource, Linkage, OnTrackerError, Tier};
use crate::model::{PrFacts, markdown};

pub fn evaluate(policy: &Linkage, facts: &PrFacts, tier: Tier) -> LinkageVerdict {
    let repo = facts.repo.as_deref();
    let mut refs: Vec<WorkItemRef> = Vec::new();
    let mut add = |found: Vec<WorkItemRef>| {
        for r in found {
            if !refs.iter().any(|old| old.key == r.key && old.source == r.source) {
                refs.push(r);
            }
        }
    };
    // GitHub links no reference inside a code span or block (govulncheck's "Vulnerability #1"),
    // and neither does flowgate.
    let prose = |text: &str| markdown::blank_code(text);
    for source in &policy.sources {
        match source {
            LinkSource::Title => add(keys::extract(&facts.title, Source::Title, &policy.trackers, repo)),
            LinkSource::Branch => add(keys::extract(&facts.branch, Source::Branch, &policy.trackers, repo)),
            LinkSource::Body => add(keys::extract(&prose(&facts.body), Source::Body, &policy.trackers, repo)),
            LinkSource::Commits => {
                for commit in &facts.commits {
                    add(keys::extract(&prose(&commit.message), Source::Commits, &policy.trackers, repo));
                }
            }
        }
    }
    // A PR is never its own story: GitHub's squash merge appends "(#N)" to the message it writes.
    refs.retain(|r| !is_own_number(r, repo, facts.number));
    let exemption = exemption(policy, facts, tier);
    let mut state = if !refs.is_empty() || !policy.required {
        LinkageState::Pass
    } else if exemption.is_some() {
        LinkageState::Exempt
    } else {
        LinkageState::Fail
    };
    let mut chain = None;
    if let Some((rules, required)) = policy.required_level(tier)
        && !refs.is_empty()
    {
        let keys = distinct_keys(&refs);
        let verdict = chain::judge(rules, required, &keys, &facts.chains);
        state = match (&verdict.outcome, exemption.is_some()) {
            (ChainOutcome::Complete, _) => LinkageState::Pass,
            (_, true) => LinkageState::Exempt,
            (ChainOutcome::Unseen { .. }, false) if policy.on_tracker_error == OnTrackerError::Pending => {
                LinkageState::Pending
            }
            _ => LinkageState::Fail,
        };
        chain = Some(verdict);
    }
    LinkageVerdict { state, required: policy.required, refs, exemption, chain }
}

/// Whether `r` is the PR's own number in its own repository (`#12` or `owner/repo#12`).
fn is_own_number(r: &WorkItemRef, repo: Option<&str>, number: Option<u64>) -> bool {
    let Some(number) = number else { return false };
    let own = format!("#{number}");
    r.tracker == keys::Tracker::Github && (r.key == own || repo.is_some_and(|repo| r.key == format!("{repo}{own}")))
}

/// The keys whose chains a PR of `tier` needs, with their trackers, in order of appearance: what
/// the gate looks up before evaluating. Empty when the tier needs no chain or the PR is exempt.
pub(crate) fn keys_to_trace(policy: &Linkage, verdict: &LinkageVerdict, tier: Tier) -> Vec<(keys::Tracker, String)> {
    if policy.required_level(tier).is_none() || verdict.exemption.is_some() {
        return Vec::new();
    }
    let mut out: Vec<(keys::Tracker, String)> = Vec::new();
    for r in &verdict.refs {
        if !out.iter().any(|(_, k)| *k == r.key) {
            out.push((r.tracker, r.key.clone()));
        }
    }
    out.truncate(chain::MAX_KEYS);
    out
}

fn distinct_keys(refs: &[WorkItemRef]) -> Vec<&str> {
    let mut keys: Vec<&str> = Vec::new();
    for r in refs {
        if !keys.contains(&r.key.as_str()) {
            keys.push(&r.key);
        }
    }
    keys
}

fn exemption(policy: &Linkage, facts: &PrFacts, tier: Tier) -> Option<Exemption> {
    match exemption_of_pr(policy, facts) {
        Some(e @ (Exemption::Author(_) | Exemption::Label(_))) => Some(e),
        _ if policy.exempt_tiers.contains(&tier) => Some(Exemption::Tier(tier)),
        other => other,
    }
}

/// The exemption the PR's own author, labels, title or branch give it, whatever its tier (the
/// audit of merged PRs, which knows no tier).
pub(crate) fn exemption_of_pr(policy: &Linkage, facts: &PrFacts) -> Option<Exemption> {
    if let Some(a) = policy.exempt_authors.iter().find(|a| **a == facts.author) {
        return Some(Exemption::Author(a.clone()));
    }
    if let Some(l) = facts.labels.iter().find(|l| policy.exempt_labels.iter().any(|e| e.eq_ignore_ascii_case(&l.name)))
    {
        return Some(Exemption::Label(l.name.clone()));
    }
    if let Some(r) = policy.exempt_titles.iter().find(|r| r.is_match(&facts.title)) {
        return Some(Exemption::Title(r.as_str().to_string()));
    }
    policy.exempt_branches.iter().find(|r| r.is_match(&facts.branch)).map(|r| Exemption::Branch(r.as_str().to_string()))
}
