//! "Tighter" for `linkage`, `ai`, `limits`, `override`, `analysis`, `reviewers` and
//! `merge_queue`: for each key, a loosening named and a tightening accepted.

use super::tests::{check, loosened};

#[test]
fn linkage_required_may_not_become_optional() {
    check("linkage: { required: false }\n", &["linkage.required"], "linkage: { required: true }\n");
}

#[test]
fn linkage_sources_may_only_be_dropped() {
    check("linkage: { sources: [title, branch, body] }\n", &["linkage.sources"], "linkage: { sources: [title] }\n");
}

#[test]
fn trackers_and_projects_may_be_added_never_dropped_or_opened_to_any_project() {
    check(
        "linkage: { trackers: { jira: { projects: [XYZ] }, github: null } }\n",
        &["linkage.trackers.jira.projects", "linkage.trackers.github"],
        "linkage: { trackers: { jira: { projects: [ABC, DEF] }, linear: {}, shortcut: {} } }\n",
    );
    assert_eq!(loosened("linkage: { trackers: { jira: { projects: [] } } }\n").len(), 1, "any project");
}

#[test]
fn linkage_exemptions_may_not_widen() {
    check(
        "linkage: { exempt: { authors: [\"bot[bot]\", eve], labels: [no-story, skip], tiers: [green, yellow], titles: [\"^Revert\", \"^WIP\"], branches: [\"^release/\", \"^hotfix/\"] } }\n",
        &[
            "linkage.exempt.authors",
            "linkage.exempt.labels",
            "linkage.exempt.tiers",
            "linkage.exempt.titles",
            "linkage.exempt.branches",
        ],
        "linkage: { exempt: { authors: [], labels: [], tiers: [], titles: [], branches: [] } }\n",
    );
}

#[test]
fn the_chain_s_required_levels_may_rise_and_its_levels_stay_the_baseline_s() {
    check(
        "linkage: { chain: { require: { red: epic, yellow: none } } }\n",
        &["linkage.chain.require.red", "linkage.chain.require.yellow"],
        "linkage: { chain: { require: { red: okr, yellow: okr, green: epic } } }\n",
    );
    assert_eq!(
        loosened("linkage: { chain: { levels: [story, okr], require: { red: okr, yellow: okr } } }\n").len(),
        1,
        "levels changed"
    );
}

#[test]
fn the_story_states_allowed_may_only_shrink() {
    check(
        "linkage: { chain: { story_states: { allow: [open, in_progress, done] } } }\n",
        &["linkage.chain.story_states.allow"],
        "linkage: { chain: { story_states: { allow: [in_progress] } } }\n",
    );
}

#[test]
fn on_tracker_error_may_not_go_from_fail_to_pending() {
    check(
        "linkage: { on_tracker_error: pending }\n",
        &["linkage.on_tracker_error"],
        "linkage: { on_tracker_error: fail }\n",
    );
}

#[test]
fn ai_disclosure_and_on_undeclared_stay_as_strict() {
    check(
        "ai: { disclosure: optional, on_undeclared: warn }\n",
        &["ai.disclosure", "ai.on_undeclared"],
        "ai: { disclosure: required, on_undeclared: fail }\n",
    );
}

#[test]
fn ai_exemptions_may_not_widen() {
    check(
        "ai: { exempt: { authors: [\"bot[bot]\", eve], labels: [ai-ok, skip] } }\n",
        &["ai.exempt.authors", "ai.exempt.labels"],
        "ai: { exempt: { authors: [], labels: [] } }\n",
    );
}

#[test]
fn ai_review_rules_tighten_like_tier_review_rules() {
    check(
        "ai: { tiers: { red: { review: { approvals: 0, from: [\"@o/sec\", eve] } } } }\n",
        &["ai.tiers.red.review.approvals", "ai.tiers.red.review.from"],
        "ai: { tiers: { red: { review: { approvals: 2 } }, yellow: { review: { approvals: 1 } } } }\n",
    );
}

#[test]
fn an_ai_share_may_not_let_ai_written_files_past_the_baseline_s_ai_review() {
    // The baseline asks for the red AI review on every AI-touched file: a share narrows that.
    check(
        "ai: { tiers: { red: { review: { approvals: 1, from: [\"@o/sec\"] }, max_ai_share: 50% } } }\n",
        &["ai.tiers.red.max_ai_share"],
        "ai: { tiers: { yellow: { review: { approvals: 1 }, max_ai_share: 50% } } }\n",
    );
    let over_a_share = "ai:\n  tiers: { red: { review: { approvals: 1, from: [\"@o/sec\"] }, max_ai_share: 30% } }\n";
    let base = super::tests::BASE
        .replace("ai:\n", over_a_share)
        .replace("  tiers: { red: { review: { approvals: 1, from: [\"@o/sec\"] } } }\n", "");
    let higher = "ai: { tiers: { red: { review: { approvals: 1, from: [\"@o/sec\"] }, max_ai_share: 60% } } }\n";
    assert_eq!(
        super::tests::loosened_over(&base, higher),
        ["ai.tiers.red.max_ai_share: Higher { baseline: 30, repository: Some(60) }"]
    );
    let lower = "ai: { tiers: { red: { review: { approvals: 1, from: [\"@o/sec\"] }, max_ai_share: 10% } } }\n";
    assert_eq!(super::tests::loosened_over(&base, lower), Vec::<String>::new());
}

#[test]
fn ai_tool_labels_may_not_be_switched_off_but_renamed() {
    check(
        "ai: { labels: { enabled: false } }\n",
        &["ai.labels.enabled"],
        "ai: { labels: { prefix: \"bot:\", color: \"000000\" } }\n",
    );
}

#[test]
fn limits_may_only_fall() {
    check(
        "limits: { max_files: 500, max_changed_lines: null }\n",
        &["limits.max_files", "limits.max_changed_lines"],
        "limits: { max_files: 50, max_changed_lines: 200 }\n",
    );
}

#[test]
fn override_may_narrow_or_go_but_not_widen() {
    check(
        "override: { allowed: [\"@o/leads\", eve] }\n",
        &["override.allowed"],
        "override: { label: \"flowgate:break-glass\", allowed: [\"@o/leads\"] }\n",
    );
    let no_override =
        super::tests::BASE.replace("override: { label: \"flowgate:override\", allowed: [\"@o/leads\"] }\n", "");
    let added = super::tests::loosened_over(&no_override, "override: { label: x, allowed: [eve] }\n");
    assert_eq!(added.len(), 1, "{added:?}");
    assert!(added[0].starts_with("override: Added"), "{added:?}");
}

#[test]
fn analysis_budgets_may_only_fall() {
    check(
        "analysis: { max_file_kb: 1024, file_budget_ms: 1000, pr_budget_ms: 9000 }\n",
        &["analysis.max_file_kb", "analysis.file_budget_ms", "analysis.pr_budget_ms"],
        "analysis: { max_file_kb: 128, file_budget_ms: 100, pr_budget_ms: 1000 }\n",
    );
}

#[test]
fn reviewer_pools_stay_with_their_members_and_tiers_request_no_fewer() {
    check(
        "reviewers:\n  pools: { core: { members: [ann], capacity: 3 } }\n",
        &["reviewers.pools.core.members"],
        "reviewers:\n  pools: { core: { members: [ann, bob, dan], capacity: 1 } }\n  tiers: { red: { request: 3, from: [core, web] }, yellow: { request: 1, from: [web] } }\n  weights: { load: 0.9 }\n",
    );
    let fewer = loosened("reviewers:\n  tiers: { red: { request: 1, from: [web] } }\n");
    assert_eq!(fewer.len(), 2, "fewer requests, not from core: {fewer:?}");
    assert_eq!(loosened("reviewers: null\n").len(), 1, "no reviewer requests at all");
}

#[test]
fn the_ai_spot_check_s_share_may_only_rise() {
    check(
        "reviewers: { ai_spot_check: { percent: 5 } }\n",
        &["reviewers.ai_spot_check.percent"],
        "reviewers: { ai_spot_check: { percent: 50, from: [core, web] } }\n",
    );
}

#[test]
fn queue_pr_rules_may_be_dropped_not_added() {
    check(
        "merge_queue: { queue_prs: [ { author: \"mergify[bot]\", branch: \"mergify/merge-queue/\" }, { author: eve, branch: \"x/\" } ] }\n",
        &["merge_queue.queue_prs"],
        "merge_queue: { queue_prs: [] }\n",
    );
}
