//! The digest's "gate's own hygiene" section: its headings and one sentence per PR (the renderer
//! puts the PR's link before it). Names are audit facts, shown as each format shows a login
//! (`name`); free text from people or the policy (a label, a reason, a pattern) goes through
//! `plain`, so each format escapes it its own way.

use crate::latency::hygiene::{
    ApprovedUnmerged, BypassMerge, ExemptMerge, GateState, IdlePr, MergeVia, OverCapacity, OverrideUse,
};
use crate::latency::{ExemptRule, Hygiene};
use crate::wording::count;

pub const HYGIENE: &str = "The gate's own hygiene";
pub const NOTE: &str = "Facts about the gate itself, PR by PR, for the team to act on; nobody is ranked.";
pub const OVERRIDES: &str = "Overrides used";
pub const BYPASSES: &str = "Merged while flowgate was pending or failing";
pub const EXEMPT: &str = "Merged without a story under an exemption";
pub const OVER_CAPACITY: &str = "Review requests over a reviewer's capacity";

/// `Approved, not merged after 16.0 working hours`.
pub fn approved_heading(h: &Hygiene, unit: &str) -> String {
    format!("Approved, not merged after {:.1} {unit}", h.approved_unmerged_hours)
}

/// `Idle: no event for 7 days or more`.
pub fn idle_heading(h: &Hygiene) -> String {
    format!("Idle: no event for {} or more", count(u64::from(h.idle_days), "day", "days"))
}

/// `override label flowgate-override applied by alice: hotfix for INC-42`.
pub fn override_line(o: &OverrideUse, name: &dyn Fn(&str) -> String, plain: &dyn Fn(&str) -> String) -> String {
    let why = match &o.reason {
        Some(reason) => format!("reason: {}", plain(reason)),
        None => "no reason given (an Override-Reason: line in the description gives one)".to_string(),
    };
    format!("override label {} applied by {}; {why}", plain(&o.label), name(o.by.as_str()))
}

/// `merged by bob with the merge button or the API while flowgate was failing`.
pub fn bypass_line(b: &BypassMerge, name: &dyn Fn(&str) -> String) -> String {
    let via = match b.via {
        MergeVia::MergeQueue => "through the merge queue",
        MergeVia::Direct => "with the merge button or the API",
    };
    let state = match b.gate {
        GateState::Fail => "failing",
        GateState::Pending | GateState::Pass => "pending",
    };
    let head = if b.head_unevaluated { " (its last commits were never evaluated)" } else { "" };
    format!("merged by {} {via} while flowgate was {state}{head}", name(b.merged_by.as_str()))
}

/// Said when some merges had no evaluation: fail closed, never "no bypass".
pub fn unseen(n: usize) -> String {
    format!(
        "{} had no flowgate evaluation before the merge: the gate's state then is unknown.",
        count(n as u64, "merged PR", "merged PRs")
    )
}

/// `approved 20.0 working hours ago, not merged`.
pub fn approved_line(a: &ApprovedUnmerged, unit: &str) -> String {
    format!("approved {:.1} {unit} ago, not merged", a.hours)
}

/// `no event for 9 days (since 2025-02-28)`.
pub fn idle_line(i: &IdlePr) -> String {
    format!(
        "no event for {} (since {})",
        count(u64::try_from(i.days).unwrap_or(0), "day", "days"),
        i.last_event_at.format("%Y-%m-%d")
    )
}

/// `merged without a story: exempt by author renovate[bot]`.
pub fn exempt_line(e: &ExemptMerge, name: &dyn Fn(&str) -> String, plain: &dyn Fn(&str) -> String) -> String {
    let value = &e.exemption.value;
    let rule = match e.exemption.rule {
        ExemptRule::Author => format!("author {}", name(value)),
        ExemptRule::Label => format!("label {}", plain(value)),
        ExemptRule::Tier => format!("tier {}", plain(value)),
        ExemptRule::Title => format!("title pattern {}", plain(value)),
        ExemptRule::Branch => format!("branch pattern {}", plain(value)),
    };
    format!("merged without a story: exempt by {rule} (linkage.exempt)")
}

/// `carol: 2 review requests made while they already had 3 requests or more open (their
/// capacity), on` and the PRs.
pub fn over_capacity_line(o: &OverCapacity, name: &dyn Fn(&str) -> String) -> String {
    format!(
        "{}: {} made while they already had {} open (their capacity), on",
        name(&o.reviewer),
        count(o.requests as u64, "review request", "review requests"),
        count(u64::from(o.capacity), "request or more", "requests or more"),
    )
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::latency::LinkageExemption;
    use crate::latency::hygiene::PrRef;
    use crate::model::Login;

    fn pr() -> PrRef {
        PrRef { repo: "acme/api".into(), pr: 7 }
    }

    fn at() -> DateTime<chrono::Utc> {
        "2025-03-03T10:00:00Z".parse().expect("a time")
    }

    fn code(n: &str) -> String {
        format!("`{n}`")
    }

    fn same(t: &str) -> String {
        t.to_string()
    }

    #[test]
    fn each_line_names_the_audit_fact() {
        let mut o = OverrideUse {
            pr: pr(),
            at: at(),
            label: "flowgate-override".into(),
            by: Login::new("alice"),
            reason: Some("hotfix for INC-42".into()),
        };
        insta::assert_snapshot!(override_line(&o, &code, &same), @"override label flowgate-override applied by `alice`; reason: hotfix for INC-42");
        o.reason = None;
        insta::assert_snapshot!(override_line(&o, &code, &same), @"override label flowgate-override applied by `alice`; no reason given (an Override-Reason: line in the description gives one)");
        let mut b = BypassMerge {
            pr: pr(),
            at: at(),
            merged_by: Login::new("bob"),
            via: MergeVia::Direct,
            gate: GateState::Fail,
            head_unevaluated: false,
        };
        insta::assert_snapshot!(bypass_line(&b, &code), @"merged by `bob` with the merge button or the API while flowgate was failing");
        (b.via, b.gate, b.head_unevaluated) = (MergeVia::MergeQueue, GateState::Pending, true);
        insta::assert_snapshot!(bypass_line(&b, &code), @"merged by `bob` through the merge queue while flowgate was pending (its last commits were never evaluated)");
        insta::assert_snapshot!(unseen(1), @"1 merged PR had no flowgate evaluation before the merge: the gate's state then is unknown.");
        let a = ApprovedUnmerged { pr: pr(), approved_at: at(), hours: 20.0 };
        insta::assert_snapshot!(approved_line(&a, "working hours"), @"approved 20.0 working hours ago, not merged");
        let h = Hygiene {
            overrides: vec![],
            bypasses: vec![],
            merges_unseen: 0,
            approved_unmerged_hours: 16.0,
            approved_unmerged: vec![a],
            idle_days: 1,
            idle: vec![],
            exempt_merges: vec![],
            over_capacity: vec![],
        };
        insta::assert_snapshot!(approved_heading(&h, "hours"), @"Approved, not merged after 16.0 hours");
        insta::assert_snapshot!(idle_heading(&h), @"Idle: no event for 1 day or more");
        let i = IdlePr { pr: pr(), last_event_at: at(), days: 9 };
        insta::assert_snapshot!(idle_line(&i), @"no event for 9 days (since 2025-03-03)");
        let exemption = LinkageExemption { rule: ExemptRule::Author, value: "renovate[bot]".into() };
        let mut e = ExemptMerge { pr: pr(), at: at(), exemption };
        insta::assert_snapshot!(exempt_line(&e, &code, &same), @"merged without a story: exempt by author `renovate[bot]` (linkage.exempt)");
        e.exemption = LinkageExemption { rule: ExemptRule::Branch, value: "^release/".into() };
        insta::assert_snapshot!(exempt_line(&e, &code, &same), @"merged without a story: exempt by branch pattern ^release/ (linkage.exempt)");
        let c = OverCapacity { reviewer: "carol".into(), capacity: 2, requests: 1, prs: vec![pr()] };
        insta::assert_snapshot!(over_capacity_line(&c, &code), @"`carol`: 1 review request made while they already had 2 requests or more open (their capacity), on");
    }
}
