//! What "tighter" means for `tiers:` (the default tier, paths, detectors, queries, relax and each
//! tier's review rule, the AI review rules too) and for `teams:`.

use std::collections::BTreeSet;

use super::{Change, Loosening, at_least, kept, no_weaker, only_fewer};
use crate::policy::{CodeownersReview, Policy, ReviewRule, StaleMode, Tier};

pub(super) fn tiers(baseline: &Policy, effective: &Policy, out: &mut Vec<Loosening>) {
    let (b, e) = (&baseline.tiers, &effective.tiers);
    no_weaker(&format!("tiers.{}.default", e.default), b.default, e.default, |t| t.id().to_string(), out);
    for tier in Tier::ALL {
        let at_or_above = |t: Tier| t >= tier;
        // A path the baseline puts in a tier stays in that tier or a higher one.
        let globs = |rules: &crate::policy::TierRules, pick: &dyn Fn(Tier) -> bool| -> Vec<String> {
            rules.owners.iter().filter(|(t, _)| pick(*t)).map(|(_, g)| g.clone()).collect()
        };
        // (A path dropped from a tier at or under the default falls to the default: no lower.)
        if tier > b.default {
            let own: Vec<String> = globs(b, &|t| t == tier);
            kept(&format!("tiers.{tier}.paths"), &own, &globs(e, &at_or_above), |g| g.clone(), out);
        }
        // A new glob in a tier under the baseline's default takes files out of the default tier.
        if tier < b.default {
            let allowed = globs(b, &|t| t <= tier);
            only_fewer(&format!("tiers.{tier}.paths"), &allowed, &globs(e, &|t| t == tier), |g| g.clone(), out);
        }
        let detectors = |rules: &crate::policy::TierRules, pick: &dyn Fn(Tier) -> bool| -> Vec<&'static str> {
            rules.code.iter().filter(|(t, _)| pick(**t)).flat_map(|(_, ds)| ds.iter().map(|d| d.id())).collect()
        };
        let own = detectors(b, &|t| t == tier);
        kept(&format!("tiers.{tier}.code"), &own, &detectors(e, &at_or_above), |d| d.to_string(), out);
        let queries = |rules: &crate::policy::TierRules, pick: &dyn Fn(Tier) -> bool| -> Vec<(&'static str, String)> {
            rules.queries.iter().filter(|q| pick(q.tier)).map(|q| (q.lang.id(), q.source.trim().to_string())).collect()
        };
        let own = queries(b, &|t| t == tier);
        kept(
            &format!("tiers.{tier}.queries"),
            &own,
            &queries(e, &at_or_above),
            |(lang, _)| format!("the {lang} query"),
            out,
        );
        let relax = |rules: &crate::policy::TierRules| rules.relax.get(&tier).cloned().unwrap_or_default();
        only_fewer(&format!("tiers.{tier}.relax"), &relax(b), &relax(e), |k| k.id().to_string(), out);
        let rule = |rules: &crate::policy::TierRules| rules.review.get(&tier).cloned().unwrap_or_default();
        review(&format!("tiers.{tier}.review"), &rule(b), &rule(e), out);
    }
}

/// A review rule: approvals only rise, the approvers named only narrow (never to anyone), code
/// owners stay required, and approvals go stale no later than the baseline says.
pub(super) fn review(key: &str, b: &ReviewRule, e: &ReviewRule, out: &mut Vec<Loosening>) {
    at_least(&format!("{key}.approvals"), u64::from(b.approvals), u64::from(e.approvals), out);
    // `from` is "at least one of": a name more lets more people satisfy it, none lets anyone.
    if !b.from.is_empty() {
        if e.from.is_empty() {
            out.push(Loosening::new(format!("{key}.from"), Change::Removed { item: names(&b.from) }));
        } else {
            only_fewer(&format!("{key}.from"), &b.from, &e.from, |p| p.0.clone(), out);
        }
    }
    let codeowners = |c: CodeownersReview| u8::from(c == CodeownersReview::Required);
    if codeowners(e.codeowners) < codeowners(b.codeowners) {
        out.push(Loosening::new(
            format!("{key}.codeowners"),
            Change::Weaker { baseline: "required".into(), repository: "optional".into() },
        ));
    }
    no_weaker(&format!("{key}.stale"), b.stale.mode, e.stale.mode, stale_id, out);
    // Kinds kept matter only while an approval can outlive its commit by its change.
    let keeps_matter = |m: StaleMode| matches!(m, StaleMode::Diff | StaleMode::Owners);
    if keeps_matter(b.stale.mode) && keeps_matter(e.stale.mode) {
        let (bk, ek): (Vec<_>, Vec<_>) = (b.stale.keeps.iter().collect(), e.stale.keeps.iter().collect());
        only_fewer(&format!("{key}.stale_keeps"), &bk, &ek, |k| k.name().to_string(), out);
    }
}

pub(super) fn stale_id(mode: StaleMode) -> String {
    match mode {
        StaleMode::Never => "never",
        StaleMode::Owners => "owners",
        StaleMode::Diff => "diff",
        StaleMode::Head => "head",
    }
    .to_string()
}

fn names(principals: &[crate::policy::Principal]) -> String {
    principals.iter().map(|p| p.0.as_str()).collect::<Vec<_>>().join(", ")
}

/// `teams:`: a team the baseline lists keeps no one it does not list; a team the baseline names
/// but leaves to GitHub (in an approver list or `override.allowed`) may not be listed by the
/// repository, which would choose its members.
pub(super) fn teams(baseline: &Policy, effective: &Policy, out: &mut Vec<Loosening>) {
    let named_by_baseline: BTreeSet<&str> = principals_named(baseline).filter_map(|p| p.team()).collect();
    for (team, members) in &effective.teams {
        let key = format!("teams.{team}");
        match baseline.teams.get(team) {
            Some(listed) => only_fewer(&key, listed, members, |l| l.as_str().to_string(), out),
            None if named_by_baseline.contains(team.as_str()) => {
                out.push(Loosening::new(key, Change::Added { item: format!("a member list for {team}") }));
            }
            None => {}
        }
    }
}

/// Every approver, overrider and pool member the policy names.
fn principals_named(policy: &Policy) -> impl Iterator<Item = &crate::policy::Principal> {
    let reviews = policy.tiers.review.values().chain(policy.ai.tier_review.values());
    let pools = policy.reviewers.iter().flat_map(|r| r.pools.values()).flat_map(|p| p.members.iter());
    reviews.flat_map(|r| r.from.iter()).chain(policy.override_.iter().flat_map(|o| o.allowed.iter())).chain(pools)
}
