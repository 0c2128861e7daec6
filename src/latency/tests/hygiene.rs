//! The hygiene section from hand-built events: a merge past a failing gate and one past a head
//! the gate never judged, an override with its reason, a PR approved but not merged, an idle PR,
//! a merge under an exemption, a request over capacity. Wall-clock hours, window 3 to 10 March
//! 2025 (= now).

use super::support::{Pr, t, wall_clock, window};
use crate::latency::hygiene::{GateAtMerge, GateState, MergeVia, PrRef};
use crate::latency::{Digest, DigestBuilder, ExemptRule, Hygiene};

fn gate(pr: u64, at: &str, enforced: bool, state: GateState) -> GateAtMerge {
    GateAtMerge { repo: "acme/shop".into(), pr, evaluated_at: t(at), enforced, state }
}

fn prs() -> Vec<Pr> {
    vec![
        Pr::new(1, "ann")
            .story("SHOP-1")
            .opened("2025-03-03 09:00")
            .approve("2025-03-03 10:00", "dan")
            .merged_by("2025-03-04 12:00", "bob"),
        Pr::new(2, "ann")
            .opened("2025-03-04 09:00")
            .overridden("2025-03-04 10:00", "alice", "flowgate-override", Some("hotfix for INC-42"))
            .merged_by("2025-03-04 11:00", "alice"),
        Pr::new(3, "ben")
            .story("SHOP-3")
            .opened("2025-03-05 09:00")
            .commits("2025-03-05 12:00")
            .merged_by("2025-03-05 13:00", "github-merge-queue[bot]"),
        Pr::new(4, "ben").story("SHOP-4").opened("2025-03-06 09:00").approve("2025-03-06 10:00", "erin"),
        Pr::new(5, "cat").story("SHOP-5").opened("2025-02-24 09:00").request("2025-02-24 10:00", "dan"),
        Pr::new(6, "renovate[bot]")
            .opened("2025-03-07 08:00")
            .exempt("2025-03-07 09:00", ExemptRule::Author, "renovate[bot]")
            .merged_by("2025-03-07 10:00", "carol"),
        Pr::new(7, "cat").story("SHOP-7").opened("2025-03-07 09:00").request("2025-03-07 09:00", "dan"),
        Pr::new(8, "cat").story("SHOP-8").opened("2025-03-08 09:00").merged("2025-03-08 10:00"),
        Pr::new(9, "cat").opened("2025-03-08 09:00").merged("2025-03-08 12:00"),
    ]
}

/// The week's digest, the gate's recorded state at each merge handed in as the App's store would.
pub(crate) fn week() -> Digest {
    let mut config = wall_clock();
    config.hygiene.capacity.insert("dan".into(), 1);
    let mut builder = DigestBuilder::new(config, window("2025-03-03 00:00", "2025-03-10 00:00"), t("2025-03-10 00:00"));
    for pr in prs() {
        builder.add_pr(&pr.events);
    }
    let merged: Vec<u64> = builder.hygiene().merges().iter().map(|m| m.pr).collect();
    assert_eq!(merged, [1, 2, 3, 6, 8, 9], "the window's merges, for the store to look up");
    builder.hygiene().gates_at_merge(vec![
        gate(1, "2025-03-04 11:00", true, GateState::Fail),
        gate(2, "2025-03-04 10:30", true, GateState::Pass),
        gate(3, "2025-03-05 10:00", true, GateState::Pass),
        gate(6, "2025-03-07 09:30", true, GateState::Pass),
        gate(9, "2025-03-08 11:00", false, GateState::Fail),
    ]);
    builder.finish()
}

fn section() -> Hygiene {
    week().hygiene.expect("a section")
}

fn prs_of<T>(items: &[T], pr: impl Fn(&T) -> &PrRef) -> Vec<u64> {
    items.iter().map(|i| pr(i).pr).collect()
}

#[test]
fn merges_past_a_failing_gate_or_an_unjudged_head_are_listed_with_who_merged_and_how() {
    let h = section();
    let merges: Vec<(u64, &str, MergeVia, GateState, bool)> =
        h.bypasses.iter().map(|b| (b.pr.pr, b.merged_by.as_str(), b.via, b.gate, b.head_unevaluated)).collect();
    assert_eq!(
        merges,
        [
            (1, "bob", MergeVia::Direct, GateState::Fail, false),
            (3, "github-merge-queue[bot]", MergeVia::MergeQueue, GateState::Pending, true),
        ],
        "#2 passed by override, #6 passed, #9 was in shadow mode"
    );
    assert_eq!(h.merges_unseen, 1, "#8 was never evaluated: unknown, never a pass");
}

#[test]
fn an_override_is_listed_with_who_applied_it_and_why() {
    let h = section();
    let overrides: Vec<(u64, &str, &str, Option<&str>)> =
        h.overrides.iter().map(|o| (o.pr.pr, o.label.as_str(), o.by.as_str(), o.reason.as_deref())).collect();
    assert_eq!(overrides, [(2, "flowgate-override", "alice", Some("hotfix for INC-42"))]);
}

#[test]
fn approved_unmerged_idle_exempt_and_over_capacity_prs_are_listed() {
    let h = section();
    assert_eq!(prs_of(&h.approved_unmerged, |a| &a.pr), [4]);
    assert_eq!(h.approved_unmerged[0].hours, 86.0, "approved Thursday 10:00, now Monday 00:00");
    assert_eq!(prs_of(&h.idle, |i| &i.pr), [5]);
    assert_eq!(h.idle[0].days, 13);
    assert_eq!(prs_of(&h.exempt_merges, |e| &e.pr), [6]);
    assert_eq!(h.exempt_merges[0].exemption.value, "renovate[bot]");
    let over: Vec<(&str, u32, usize, Vec<u64>)> = h
        .over_capacity
        .iter()
        .map(|o| (o.reviewer.as_str(), o.capacity, o.requests, o.prs.iter().map(|p| p.pr).collect()))
        .collect();
    assert_eq!(over, [("dan", 1, 1, vec![7])], "dan still had #5's request open when #7 asked him");
}

#[test]
fn notes_change_no_waiting_figure_and_a_tidy_week_has_no_section() {
    let mut with = week();
    let mut config = wall_clock();
    config.hygiene.capacity.insert("dan".into(), 1);
    let mut builder = DigestBuilder::new(config, window("2025-03-03 00:00", "2025-03-10 00:00"), t("2025-03-10 00:00"));
    for pr in prs() {
        let events: Vec<_> = pr.events.into_iter().filter(|e| !e.kind.is_note()).collect();
        builder.add_pr(&events);
    }
    let mut without = builder.finish();
    (with.hygiene, without.hygiene) = (None, None);
    assert_eq!(with, without, "an override or an exemption starts and ends no wait");

    let tidy = Pr::new(1, "ann")
        .story("SHOP-1")
        .opened("2025-03-03 09:00")
        .approve("2025-03-03 10:00", "dan")
        .merged("2025-03-03 11:00");
    let mut builder =
        DigestBuilder::new(wall_clock(), window("2025-03-03 00:00", "2025-03-10 00:00"), t("2025-03-10 00:00"));
    builder.add_pr(&tidy.events);
    assert_eq!(builder.finish().hygiene, None);
}
