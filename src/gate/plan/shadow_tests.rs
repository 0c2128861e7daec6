//! Shadow mode (`enforcement: evaluate`) as the plan decides it: one neutral check run that says
//! what flowgate would have concluded and why, and no other write, whatever the verdict, and for
//! a PR flowgate cannot judge.

use super::tests::{edited_example, example, example_policy, gated};
use super::*;
use crate::model::check_run::NEUTRAL;
use crate::policy::verdict::State;

/// The plan of the example in shadow mode, with no label on the PR yet.
fn shadow_plan(name: &str, extra: &str) -> (Verdict, Plan) {
    let policy = example_policy(extra);
    let (verdict, current) = gated(&example(name), &policy, &[]);
    let plan = plan(&verdict, &policy.ai.labels, Enforcement::Evaluate, &current);
    (verdict, plan)
}

/// Nothing but the check run: no tier or tool label, no request, withdrawal or comment.
fn assert_check_run_only(plan: &Plan) {
    assert_eq!(plan.check_run.report.conclusion, Some(NEUTRAL), "never success, failure or in progress");
    assert_eq!(plan.check_run.report.status(), "completed");
    assert_eq!(plan.tier_label, None);
    assert!(plan.tool_labels.is_empty() && plan.request.is_empty(), "{plan:?}");
    assert!(plan.withdraw.is_empty() && plan.comments.is_empty(), "{plan:?}");
    assert_eq!(plan.enforcement, Enforcement::Evaluate);
}

#[test]
fn a_failing_pr_gets_a_neutral_check_run_that_says_it_would_fail_and_why() {
    let (verdict, plan) = shadow_plan("agent-undeclared", "");
    assert_eq!(verdict.state, State::Fail);
    assert_check_run_only(&plan);
    insta::assert_snapshot!(plan.describe(), @r#"
        check run: neutral on 2222222 "Shadow mode: would fail — no story linked; AI markers found, AI use not declared", 2 annotations
        shadow mode (enforcement: evaluate): nothing else is written: no labels, review requests or comments
        "#);
    let summary = &plan.check_run.report.summary;
    insta::assert_snapshot!(summary.lines().next().unwrap_or_default(), @"**Shadow mode** (`enforcement: evaluate`): this check never blocks a merge. Enforced, it would have failed: no story linked; AI markers found, AI use not declared.");
    assert!(summary.contains(&crate::report::markdown::render(&verdict)), "then the usual report, whole: {summary}");
}

#[test]
fn a_pending_pr_is_neutral_too_and_asks_nobody_to_review() {
    let reviewers = "\nreviewers:\n  pools:\n    everyone: { members: [dave, erin], capacity: 6 }\n  tiers:\n    red: { request: 5, from: [everyone] }\n";
    let (verdict, plan) = shadow_plan("auth-login", reviewers);
    assert_eq!(verdict.state, State::Pending);
    let asked: Vec<_> = verdict.reviewers.iter().flat_map(|a| &a.requested).collect();
    assert!(!asked.is_empty(), "enforced, flowgate would request reviewers here");
    assert_check_run_only(&plan);
    insta::assert_snapshot!(plan.describe(), @r#"
        check run: neutral on 1111111 "Shadow mode: would be pending — waiting for review: 1 more approval (red tier)", 2 annotations
        shadow mode (enforcement: evaluate): nothing else is written: no labels, review requests or comments
        "#);
    assert_eq!(plan.check_run.report.annotations.len(), 2, "the findings are still annotated");
}

#[test]
fn a_passing_pr_is_neutral_and_says_it_would_pass() {
    let (verdict, plan) = shadow_plan("docs-only", "");
    assert_eq!(verdict.state, State::Pass);
    assert_check_run_only(&plan);
    insta::assert_snapshot!(plan.describe(), @r#"
        check run: neutral on 3333333 "Shadow mode: would pass"
        shadow mode (enforcement: evaluate): nothing else is written: no labels, review requests or comments
        "#);
}

#[test]
fn asking_a_shadow_plan_to_withdraw_or_comment_adds_nothing() {
    let dir = edited_example("auth-login", |_| {});
    let policy = example_policy("");
    let (verdict, current) = gated(dir.path(), &policy, &["flowgate:green"]);
    let plan = plan(&verdict, &policy.ai.labels, Enforcement::Evaluate, &current)
        .withdrawing(["carol".to_string()])
        .commenting(Comment { marker: "<!-- m -->".into(), since: "2026-11-21T00:00:00Z".into(), body: "b".into() });
    assert_check_run_only(&plan);
}

#[test]
fn a_pr_flowgate_cannot_judge_is_neutral_in_shadow_mode_and_fails_when_enforced() {
    let why = CannotEvaluate::PolicyBroken;
    let shadow =
        Plan::cannot_evaluate(7, "abcdef0123456789", why, "extends: base.yml: no such file", Enforcement::Evaluate);
    assert_check_run_only(&shadow);
    insta::assert_snapshot!(shadow.describe(), @r#"
        check run: neutral on abcdef0 "Shadow mode: would fail — the policy on the base branch does not load"
        shadow mode (enforcement: evaluate): nothing else is written: no labels, review requests or comments
        "#);
    let enforced =
        Plan::cannot_evaluate(7, "abcdef0123456789", why, "extends: base.yml: no such file", Enforcement::Enforce);
    assert_eq!(enforced.check_run.report.conclusion, Some("failure"));
    assert_eq!(enforced.enforcement, Enforcement::Enforce);
}

#[test]
fn a_merge_groups_check_run_in_shadow_mode_is_neutral_and_keeps_its_reason() {
    let rejected = CheckRunReport {
        conclusion: Some("failure"),
        title: "Merge group rejected: #12 is not passing".into(),
        summary: "### Problems\n".into(),
        annotations: Vec::new(),
    };
    let plan = Plan::report_only(0, "abcdef0123456789", rejected.clone(), Enforcement::Evaluate);
    assert_check_run_only(&plan);
    insta::assert_snapshot!(plan.describe(), @r#"
        check run: neutral on abcdef0 "Shadow mode: would fail — Merge group rejected: #12 is not passing"
        shadow mode (enforcement: evaluate): nothing else is written: no labels, review requests or comments
        "#);
    assert!(plan.check_run.report.summary.ends_with("### Problems\n"), "{}", plan.check_run.report.summary);
    let enforced = Plan::report_only(0, "abcdef0123456789", rejected.clone(), Enforcement::Enforce);
    assert_eq!(enforced.check_run.report, rejected);
}
