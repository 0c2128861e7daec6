//! What "tighter" means for the sections besides `tiers:` and `teams:`: `enforcement`,
//! `linkage`, `ai`, `limits`, `override`, `analysis`, `reviewers` and `merge_queue`. `latency`
//! only shapes the digest and is the repository's own.

use super::tiers::review;
use super::{Change, Loosening, at_least, at_most, kept, only_fewer};
use crate::model::Enforcement;
use crate::policy::{Ai, Disclosure, Linkage, OnTrackerError, OnUndeclared, Policy, Tier};

pub(super) fn enforcement(baseline: &Policy, effective: &Policy, out: &mut Vec<Loosening>) {
    let strength = |e: Enforcement| u8::from(e == Enforcement::Enforce);
    if strength(effective.enforcement) < strength(baseline.enforcement) {
        out.push(Loosening::new(
            "enforcement",
            Change::Weaker {
                baseline: baseline.enforcement.id().into(),
                repository: effective.enforcement.id().into(),
            },
        ));
    }
}

pub(super) fn linkage(b: &Linkage, e: &Linkage, out: &mut Vec<Loosening>) {
    if b.required && !e.required {
        out.push(Loosening::new(
            "linkage.required",
            Change::Weaker { baseline: "true".into(), repository: "false".into() },
        ));
    }
    // Each source is one more place a reference may be found: sources may only be dropped.
    let id = |s: &crate::policy::LinkSource| format!("{s:?}").to_lowercase();
    only_fewer("linkage.sources", &b.sources, &e.sources, id, out);
    // Trackers and projects may be added (a PR still needs a real item of one of them); the
    // baseline's stay, and a list of projects may not open up to any project.
    let (bt, et) = (&b.trackers, &e.trackers);
    for (name, base, eff) in [("jira", &bt.jira, &et.jira), ("linear", &bt.linear, &et.linear)] {
        let key = format!("linkage.trackers.{name}");
        match (base, eff) {
            (Some(_), None) => out.push(Loosening::new(key, Change::Removed { item: name.into() })),
            (Some(listed), Some(open)) if !listed.is_empty() && open.is_empty() => out.push(Loosening::new(
                key,
                Change::Weaker { baseline: listed.join(", "), repository: "any project".into() },
            )),
            (Some(listed), Some(eff)) if !eff.is_empty() => {
                let field = if name == "jira" { "projects" } else { "teams" };
                kept(&format!("{key}.{field}"), listed, eff, Clone::clone, out);
            }
            _ => {}
        }
    }
    for (name, base, eff) in
        [("shortcut", bt.shortcut, et.shortcut), ("azure", bt.azure, et.azure), ("github", bt.github, et.github)]
    {
        if base && !eff {
            out.push(Loosening::new(format!("linkage.trackers.{name}"), Change::Removed { item: name.into() }));
        }
    }
    let show = |s: &String| s.clone();
    only_fewer("linkage.exempt.authors", &b.exempt_authors, &e.exempt_authors, |l| l.as_str().into(), out);
    only_fewer("linkage.exempt.labels", &b.exempt_labels, &e.exempt_labels, show, out);
    only_fewer("linkage.exempt.tiers", &b.exempt_tiers, &e.exempt_tiers, |t| t.id().into(), out);
    let texts = |rs: &[regex::Regex]| rs.iter().map(|r| r.as_str().to_string()).collect::<Vec<_>>();
    only_fewer("linkage.exempt.titles", &texts(&b.exempt_titles), &texts(&e.exempt_titles), show, out);
    only_fewer("linkage.exempt.branches", &texts(&b.exempt_branches), &texts(&e.exempt_branches), show, out);
    chain(b, e, out);
    let on_error = |o: OnTrackerError| u8::from(o == OnTrackerError::Fail);
    if on_error(e.on_tracker_error) < on_error(b.on_tracker_error) {
        let weaker = Change::Weaker { baseline: "fail".into(), repository: "pending".into() };
        out.push(Loosening::new("linkage.on_tracker_error", weaker));
    }
}

/// `linkage.chain`: kept when the baseline has one; its levels and types as the baseline names
/// them (a level renamed or a type remapped cannot be compared, so it is a change); each tier's
/// required level the same or higher; the story states allowed only fewer.
fn chain(b: &Linkage, e: &Linkage, out: &mut Vec<Loosening>) {
    let Some(bc) = &b.chain else { return };
    let Some(ec) = &e.chain else {
        out.push(Loosening::new("linkage.chain", Change::Removed { item: "the story chain".into() }));
        return;
    };
    if bc.levels != ec.levels {
        let changed =
            Change::Changed { baseline: bc.levels.names().join(", "), repository: ec.levels.names().join(", ") };
        out.push(Loosening::new("linkage.chain.levels", changed));
        return;
    }
    let name = |i: usize| bc.levels.names().get(i).cloned().unwrap_or_default();
    for tier in Tier::ALL {
        let Some(level) = bc.require.get(&tier) else { continue };
        let key = format!("linkage.chain.require.{tier}");
        match ec.require.get(&tier) {
            None => out.push(Loosening::new(key, Change::Weaker { baseline: name(*level), repository: "none".into() })),
            Some(e) if e < level => {
                out.push(Loosening::new(key, Change::Weaker { baseline: name(*level), repository: name(*e) }))
            }
            Some(_) => {}
        }
    }
    only_fewer("linkage.chain.story_states.allow", &bc.story_states, &ec.story_states, |s| s.id().into(), out);
}

pub(super) fn ai(b: &Ai, e: &Ai, out: &mut Vec<Loosening>) {
    let disclosure = |d: Disclosure| match d {
        Disclosure::Off => 0,
        Disclosure::Optional => 1,
        Disclosure::Required => 2,
    };
    let id = |d: Disclosure| format!("{d:?}").to_lowercase();
    if disclosure(e.disclosure) < disclosure(b.disclosure) {
        out.push(Loosening::new(
            "ai.disclosure",
            Change::Weaker { baseline: id(b.disclosure), repository: id(e.disclosure) },
        ));
    }
    if b.on_undeclared == OnUndeclared::Fail && e.on_undeclared == OnUndeclared::Warn {
        out.push(Loosening::new(
            "ai.on_undeclared",
            Change::Weaker { baseline: "fail".into(), repository: "warn".into() },
        ));
    }
    only_fewer("ai.exempt.authors", &b.exempt_authors, &e.exempt_authors, |l| l.as_str().into(), out);
    only_fewer("ai.exempt.labels", &b.exempt_labels, &e.exempt_labels, Clone::clone, out);
    for tier in Tier::ALL {
        let Some(rule) = b.tier_review.get(&tier) else { continue };
        let eff = e.tier_review.get(&tier).cloned().unwrap_or_default();
        review(&format!("ai.tiers.{tier}.review"), rule, &eff, out);
        // A share lets a file that little AI-written past the review the baseline requires for any
        // AI-touched file: a new share, or a higher one, loosens.
        let key = format!("ai.tiers.{tier}.max_ai_share");
        match (b.max_ai_share.get(&tier), e.max_ai_share.get(&tier)) {
            (None, Some(share)) => {
                out.push(Loosening::new(key, Change::Added { item: format!("a share ({}%)", share.0) }))
            }
            (Some(base), Some(share)) if share > base => out.push(Loosening::new(
                key,
                Change::Higher { baseline: u64::from(base.0), repository: Some(u64::from(share.0)) },
            )),
            _ => {}
        }
    }
    // The tool labels tell reviewers what wrote the change; their names and colour are free.
    if b.labels.enabled && !e.labels.enabled {
        out.push(Loosening::new(
            "ai.labels.enabled",
            Change::Weaker { baseline: "true".into(), repository: "false".into() },
        ));
    }
}

pub(super) fn limits(b: &Policy, e: &Policy, out: &mut Vec<Loosening>) {
    at_most("limits.max_files", b.limits.max_files, e.limits.max_files, out);
    at_most("limits.max_changed_lines", b.limits.max_changed_lines, e.limits.max_changed_lines, out);
}

/// `override:`: a repository may drop it or narrow who may use it, never add one or widen it.
/// The label's name is free: it says nothing about who may apply it.
pub(super) fn override_(b: &Policy, e: &Policy, out: &mut Vec<Loosening>) {
    match (&b.override_, &e.override_) {
        (None, Some(o)) => {
            out.push(Loosening::new("override", Change::Added { item: format!("the override label {:?}", o.label) }))
        }
        (Some(bo), Some(eo)) => only_fewer("override.allowed", &bo.allowed, &eo.allowed, |p| p.0.clone(), out),
        _ => {}
    }
}

/// `analysis:` budgets bound what one PR costs: a file over them is not analysed and flowgate
/// fails closed on it, so a smaller budget never lets through what a larger one blocks.
pub(super) fn analysis(b: &Policy, e: &Policy, out: &mut Vec<Loosening>) {
    let (b, e) = (&b.analysis, &e.analysis);
    let kb = |bytes: usize| Some((bytes / 1024) as u64);
    at_most("analysis.max_file_kb", kb(b.max_file_bytes), kb(e.max_file_bytes), out);
    let ms = |d: std::time::Duration| Some(d.as_millis() as u64);
    at_most("analysis.file_budget_ms", ms(b.per_file), ms(e.per_file), out);
    at_most("analysis.pr_budget_ms", ms(b.per_pr), ms(e.per_pr), out);
}

/// `reviewers:`: the baseline's pools stay with their members; each tier requests at least as
/// many reviewers from at least the baseline's pools; the AI spot check stays, its share rising.
/// Capacities, weights, working hours and who is away are the repository's scheduling.
pub(super) fn reviewers(b: &Policy, e: &Policy, out: &mut Vec<Loosening>) {
    let Some(b) = &b.reviewers else { return };
    let Some(e) = &e.reviewers else {
        out.push(Loosening::new("reviewers", Change::Removed { item: "reviewer requests".into() }));
        return;
    };
    for (name, pool) in &b.pools {
        let key = format!("reviewers.pools.{name}");
        match e.pools.get(name) {
            None => out.push(Loosening::new(key, Change::Removed { item: format!("the pool {name}") })),
            Some(eff) => kept(&format!("{key}.members"), &pool.members, &eff.members, |p| p.0.clone(), out),
        }
    }
    for (tier, need) in &b.tiers {
        let key = format!("reviewers.tiers.{tier}");
        let eff = e.tiers.get(tier);
        at_least(&format!("{key}.request"), u64::from(need.request), eff.map_or(0, |n| u64::from(n.request)), out);
        let from: &[String] = eff.map_or(&[], |n| &n.from);
        kept(&format!("{key}.from"), &need.from, from, Clone::clone, out);
    }
    if let Some(spot) = &b.spot_check {
        match &e.spot_check {
            None => out
                .push(Loosening::new("reviewers.ai_spot_check", Change::Removed { item: "the AI spot check".into() })),
            Some(eff) => {
                at_least("reviewers.ai_spot_check.percent", u64::from(spot.percent), u64::from(eff.percent), out);
                kept("reviewers.ai_spot_check.from", &spot.from, &eff.from, Clone::clone, out);
            }
        }
    }
}

/// `merge_queue.queue_prs` lets a queue tool's draft PRs be verified as their group instead of
/// gated on their own: a repository may drop rules, never add them.
pub(super) fn merge_queue(b: &Policy, e: &Policy, out: &mut Vec<Loosening>) {
    let rule = |r: &crate::merge_queue::members::QueuePrRule| (r.author.clone(), r.branch_prefix.clone());
    let (bq, eq): (Vec<_>, Vec<_>) = (b.queue_prs.iter().map(rule).collect(), e.queue_prs.iter().map(rule).collect());
    only_fewer("merge_queue.queue_prs", &bq, &eq, |(a, br)| format!("{a} on {br}*"), out);
}
