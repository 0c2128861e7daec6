//! The JSON rendering: a stable contract for scripts, the Action's outputs and the App.

use serde_json::{Value, json};

use crate::policy::verdict::{AiState, ChainOutcome, LinkageState, ReviewStatus, Verdict};
use crate::wording::Flavor;
use crate::wording::verdict as wording;

/// Bumped only when a field changes meaning or disappears; new fields may appear at any time.
pub(crate) const SCHEMA_VERSION: u32 = 1;

pub fn render(v: &Verdict) -> String {
    let mut text = serde_json::to_string_pretty(&to_value(v)).unwrap_or_default();
    text.push('\n');
    text
}

pub fn to_value(v: &Verdict) -> Value {
    let files: Vec<Value> = v
        .files
        .iter()
        .map(|f| {
            json!({
                "path": f.path,
                "previous_path": f.previous_path,
                "tier": f.tier.id(),
                "reasons": f.reasons.iter().map(|r| wording::tier_reason(r, Flavor::Plain)).collect::<Vec<_>>(),
                "ai_touched": f.ai_touched,
                "change": f.analysis.as_ref().map(|a| a.change.id()),
                "skipped_because": f.analysis.as_ref().and_then(|a| a.skipped.as_ref()).map(wording::skip_reason),
                "symbols": f.analysis.as_ref().map(|a| a.symbols.clone()).unwrap_or_default(),
                "findings": f.analysis.as_ref().map(|a| a.findings.iter().map(|x| json!({
                    "detector": x.detector, "line": x.line, "symbol": x.symbol,
                })).collect::<Vec<_>>()).unwrap_or_default(),
            })
        })
        .collect();
    let linkage_state = match v.linkage.state {
        LinkageState::Pass => "pass",
        LinkageState::Fail => "fail",
        LinkageState::Exempt => "exempt",
        LinkageState::Pending => "pending",
    };
    let chain = v.linkage.chain.as_ref();
    let chain_items = chain.map(|c| {
        c.links
            .iter()
            .map(|l| json!({ "key": l.key, "level": l.level, "title": l.title, "url": l.url, "kind": l.kind, "state": l.state }))
            .collect::<Vec<_>>()
    });
    let broken_at = chain.and_then(|c| match &c.outcome {
        ChainOutcome::Broken(b) => Some(json!({
            "key": b.key(),
            "missing_level": b.missing_level(),
            "reason": wording::chain_break(b, Flavor::Plain),
        })),
        _ => None,
    });
    let tracker_error = chain.and_then(|c| match &c.outcome {
        ChainOutcome::Unseen { key, why } => Some(json!({ "key": key, "reason": wording::not_seen(why) })),
        _ => None,
    });
    let refs: Vec<Value> = v
        .linkage
        .refs
        .iter()
        .map(|r| json!({ "key": r.key, "tracker": r.tracker.id(), "source": r.source.id(), "closes": r.closes }))
        .collect();
    let markers: Vec<Value> =
        v.ai.markers
            .iter()
            .map(|m| json!({ "tool": m.tool.id(), "model": m.model, "evidence": m.evidence, "site": site(&m.site) }))
            .collect();
    let sections = wording::sections(v, Flavor::Plain);
    let rules: Vec<Value> = sections
        .iter()
        .map(|s| json!({ "rule": s.title, "result": format!("{:?}", s.mark).to_lowercase(), "headline": s.headline, "details": s.details }))
        .collect();
    json!({
        "schema_version": SCHEMA_VERSION,
        "state": v.state.id(),
        "tier": v.tier.id(),
        "summary": wording::summary(v),
        "pr": {
            "repo": v.pr.repo,
            "number": v.pr.number,
            "title": v.pr.title,
            "author": v.pr.author.as_str(),
            "branch": v.pr.branch,
            "head_sha": v.pr.head_sha.as_ref().map(|s| s.as_str()),
        },
        "files": files,
        "changed_lines": v.changed_lines,
        "reviewed_lines": v.reviewed_lines,
        "not_counted": v.not_counted.iter().map(|u| json!({
            "path": u.path, "lines": u.lines, "why": wording::not_reviewed(&u.why),
        })).collect::<Vec<_>>(),
        "effort_minutes": v.effort_minutes,
        "linkage": {
            "state": linkage_state,
            "required": v.linkage.required,
            "keys": v.linkage.keys(),
            "refs": refs,
            "required_level": chain.map(|c| c.required_level.clone()),
            "chain": chain_items,
            "broken_at": broken_at,
            "tracker_error": tracker_error,
        },
        "ai": {
            "declared": v.ai.declared.map(wording::declared_word),
            "detected": v.ai.detected().iter().map(|t| t.id()).collect::<Vec<_>>(),
            "files": v.ai.files,
            "state": if v.ai.state == AiState::Pass { "pass" } else { "fail" },
            "markers": markers,
            "max_ai_share": super::provenance::shares_json(&v.ai.lines),
            "disagreements": super::provenance::disagreements_json(&v.ai.lines),
            "repo_declaration": super::provenance::repo_declaration_json(&v.ai.lines),
        },
        "provenance": super::provenance::to_json(&v.ai.lines),
        "review": {
            "state": if v.review.state == ReviewStatus::Pass { "pass" } else { "pending" },
            "required": v.review.required,
            "approved_by": v.review.approved_by.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
            "missing": wording::review_missing(v),
            "changes_requested_by": v.review.changes_requested_by.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
            "carried": v.review.carried.iter().map(|c| carried(c, &v.pr.base_branch)).collect::<Vec<_>>(),
            "stale": v.review.ignored.iter().filter_map(|i| stale(i, &v.pr.base_branch)).collect::<Vec<_>>(),
            "codeowners": v.review.codeowners.as_ref().map(super::codeowners::to_json),
        },
        "reviewers": v.reviewers.as_ref().map(|a| json!({
            "requested": a.requested.iter().map(|r| json!({
                "login": r.login.as_str(), "pool": r.pool, "role": r.role, "over_capacity": r.over_capacity,
                "reason": crate::wording::assign::requested_line(a, r),
            })).collect::<Vec<_>>(),
            "skipped": a.skipped.iter().map(|s| json!({ "login": s.login.as_str(), "pool": s.pool, "reason": crate::wording::assign::skipped_line(s) })).collect::<Vec<_>>(),
            "already": a.counted.iter().map(|c| json!({ "who": c.who, "role": c.role })).collect::<Vec<_>>(),
            "needed": a.needed,
            "saturated_pools": a.saturated_pools,
            "spot_check": a.spot_check,
            "problems": a.problems.iter().map(|p| crate::wording::assign::problem(a, &p.what)).collect::<Vec<_>>(),
            "notes": a.notes.iter().map(crate::wording::assign::unread).collect::<Vec<_>>(),
        })),
        "limits": v.limits.iter().map(wording::limit_problem).collect::<Vec<_>>(),
        "gaps": v.gaps.iter().map(wording::gap).collect::<Vec<_>>(),
        "override": v.override_.as_ref().map(|o| json!({
            "label": o.label,
            "applied_by": o.applied_by.as_ref().map(|l| l.as_str()),
            "accepted": o.accepted,
        })),
        "overridden": v.state != v.rules_state,
        "rules": rules,
    })
}

/// An approval on an older commit that still counts: who, on which commit, the change kind since
/// (or `outside_scope`), and the sentence the check run shows.
fn carried(c: &crate::policy::verdict::CarriedApproval, base: &str) -> Value {
    use crate::policy::verdict::CarriedWhy;
    let (kind, files) = match &c.why {
        CarriedWhy::Unchanged { kind, landed_in_base } => (kind.name(), landed_in_base),
        CarriedWhy::OutsideScope { changed } => ("outside_scope", changed),
    };
    json!({
        "reviewer": c.reviewer.as_str(), "commit": c.commit.as_str(), "kind": kind, "files": files,
        "reason": crate::wording::verdict::stale::still_counts(c, base, crate::wording::Flavor::Plain),
    })
}

/// An approval on an older commit that no longer counts, with the sentence the check run shows.
fn stale(i: &crate::policy::verdict::IgnoredReview, base: &str) -> Option<Value> {
    use crate::policy::verdict::{IgnoredWhy, StaleWhy};
    let IgnoredWhy::Stale { commit, why } = &i.why else { return None };
    let (kind, files): (&str, &[String]) = match why {
        StaleWhy::HeadOnly => ("head_only", &[]),
        StaleWhy::HeadUnknown => ("head_unknown", &[]),
        StaleWhy::CommitUnknown => ("commit_unknown", &[]),
        StaleWhy::Changed { kind, files } => (kind.name(), files),
        StaleWhy::InScope { files } => ("in_scope", files),
        StaleWhy::Retargeted => ("retargeted", &[]),
        StaleWhy::Unseen(_) => ("unseen", &[]),
    };
    Some(json!({
        "reviewer": i.reviewer.as_str(), "commit": commit.as_ref().map(|c| c.as_str()), "kind": kind, "files": files,
        "reason": crate::wording::verdict::stale::no_longer_counts(
            i.reviewer.as_str(), commit.as_ref(), why, base, crate::wording::Flavor::Plain),
    }))
}

fn site(site: &crate::policy::ai::markers::MarkerSite) -> String {
    use crate::policy::ai::markers::MarkerSite;
    match site {
        MarkerSite::Commit { sha } => format!("commit:{sha}"),
        MarkerSite::PrAuthor => "pr_author".into(),
        MarkerSite::Branch => "branch".into(),
        MarkerSite::PrBody => "pr_body".into(),
        MarkerSite::Label => "label".into(),
    }
}
