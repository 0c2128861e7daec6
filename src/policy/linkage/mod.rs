//! Story linkage: find the work-item references a PR carries in the allowed places, and decide
//! whether the PR is linked, exempt, or failing. (Checking that the item exists and traces up to
//! an OKR is the trackers' job, on top of the references found here.)

pub mod keys;

use self::keys::{Source, WorkItemRef};
use super::verdict::{Exemption, LinkageState, LinkageVerdict};
use super::{LinkSource, Linkage, Tier};
use crate::model::PrFacts;

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
    for source in &policy.sources {
        match source {
            LinkSource::Title => add(keys::extract(&facts.title, Source::Title, &policy.trackers, repo)),
            LinkSource::Branch => add(keys::extract(&facts.branch, Source::Branch, &policy.trackers, repo)),
            LinkSource::Body => add(keys::extract(&facts.body, Source::Body, &policy.trackers, repo)),
            LinkSource::Commits => {
                for commit in &facts.commits {
                    add(keys::extract(&commit.message, Source::Commits, &policy.trackers, repo));
                }
            }
        }
    }
    let exemption = exemption(policy, facts, tier);
    let state = if !refs.is_empty() || !policy.required {
        LinkageState::Pass
    } else if exemption.is_some() {
        LinkageState::Exempt
    } else {
        LinkageState::Fail
    };
    LinkageVerdict { state, required: policy.required, refs, exemption }
}

fn exemption(policy: &Linkage, facts: &PrFacts, tier: Tier) -> Option<Exemption> {
    if let Some(a) = policy.exempt_authors.iter().find(|a| **a == facts.author) {
        return Some(Exemption::Author(a.clone()));
    }
    if let Some(l) = facts.labels.iter().find(|l| policy.exempt_labels.iter().any(|e| e.eq_ignore_ascii_case(&l.name)))
    {
        return Some(Exemption::Label(l.name.clone()));
    }
    if policy.exempt_tiers.contains(&tier) {
        return Some(Exemption::Tier(tier));
    }
    if let Some(r) = policy.exempt_titles.iter().find(|r| r.is_match(&facts.title)) {
        return Some(Exemption::Title(r.as_str().to_string()));
    }
    policy.exempt_branches.iter().find(|r| r.is_match(&facts.branch)).map(|r| Exemption::Branch(r.as_str().to_string()))
}
