//! What flowgate would do to real PRs (the bundled examples, gated in-process as the CLI gates a
//! snapshot), and the label diffs the plan computes, unit by unit.

use std::path::{Path, PathBuf};

use super::*;
use crate::policy::Policy;
use crate::policy::load::load_text;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The examples' policy, with `extra` keys at the end and `ai_labels` under `ai:`.
pub(super) fn example_policy_with(extra: &str, ai_labels: &str) -> Policy {
    let path = root().join("examples/flowgate.yml");
    let text = std::fs::read_to_string(&path).expect("example policy reads");
    assert!(text.contains("\nai:\n"), "the example policy has an `ai:` section");
    let text = text.replace("\nai:\n", &format!("\nai:\n{ai_labels}"));
    load_text(&format!("{text}{extra}"), &path).expect("example policy loads")
}

pub(super) fn example_policy(extra: &str) -> Policy {
    example_policy_with(extra, "")
}

/// The example's verdict, and what GitHub shows on the PR now given these labels.
pub(super) fn gated(dir: &Path, policy: &Policy, labels: &[&str]) -> (Verdict, Current) {
    let (facts, verdict) = crate::gate::check_snapshot(dir, policy).expect("example snapshot reads");
    let current = Current {
        number: facts.number.expect("the example names its PR"),
        head_sha: facts.head_sha.expect("the example names its head").as_str().to_string(),
        labels: labels.iter().map(|l| l.to_string()).collect(),
    };
    (verdict, current)
}

pub(super) fn example(name: &str) -> PathBuf {
    root().join("examples").join(name)
}

/// A copy of an example whose pull request JSON `edit` changes.
pub(super) fn edited_example(name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("read example").flatten() {
            let target = to.join(entry.file_name());
            if entry.path().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).expect("copy");
            }
        }
    }
    let dir = tempfile::TempDir::new().expect("tempdir");
    copy(&example(name), dir.path());
    let pull = dir.path().join("pull.json");
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&pull).expect("pull.json")).expect("json");
    edit(&mut value);
    std::fs::write(&pull, value.to_string()).expect("write pull.json");
    dir
}

#[test]
fn the_bundled_example_gets_its_check_run_tier_label_and_tool_label() {
    let policy = example_policy("");
    let (verdict, current) = gated(&example("auth-login"), &policy, &[]);
    let plan = plan(&verdict, &policy.ai.labels, Enforcement::Enforce, &current);
    insta::assert_snapshot!(plan.describe(), @r#"
    check run: pending on 1111111 "Waiting for review: 1 more approval (red tier)", 2 annotations
    label: add flowgate:red
    AI tool labels: add ai:claude-code
    "#);
    assert_eq!(plan.number, 42);
    assert_eq!(plan.check_run.report, crate::report::check_run::check_run(&verdict), "the report as rendered");
    assert_eq!(
        plan.tool_labels,
        [ToolLabel {
            name: "ai:claude-code".into(),
            color: "8250df".into(),
            description: "flowgate found markers of Claude Code on this pull request".into(),
        }],
        "with what creating it in the repository needs"
    );
    assert!(plan.withdraw.is_empty() && plan.comments.is_empty(), "only when the caller asks");
}

#[test]
fn a_pr_that_turns_red_swaps_its_green_label() {
    let policy = example_policy("");
    let (verdict, current) = gated(&example("auth-login"), &policy, &["flowgate:green", "ai:claude-code", "bug"]);
    let plan = plan(&verdict, &policy.ai.labels, Enforcement::Enforce, &current);
    insta::assert_snapshot!(plan.describe(), @r#"
    check run: pending on 1111111 "Waiting for review: 1 more approval (red tier)", 2 annotations
    label: add flowgate:red, remove flowgate:green
    "#);
}

#[test]
fn whose_turn_heads_the_check_run_and_swaps_the_waiting_label_only_when_asked_and_enforced() {
    use crate::gate::turn::Turn;
    use crate::slo::WaitingOn;
    let policy = example_policy("");
    let (verdict, current) =
        gated(&example("auth-login"), &policy, &["flowgate:red", "flowgate: waiting on reviewers"]);
    let author = Turn { on: WaitingOn::Author { since: None }, changes_requested: true, requested: Vec::new() };
    let plan =
        plan(&verdict, &policy.ai.labels, Enforcement::Enforce, &current).showing_turn(&author, true, &current.labels);
    insta::assert_snapshot!(plan.describe(), @r#"
    check run: pending on 1111111 "Waiting for review: 1 more approval (red tier)", 2 annotations
    label: flowgate:red already on the PR
    label: add flowgate: waiting on author, remove flowgate: waiting on reviewers
    AI tool labels: add ai:claude-code
    "#);
    assert!(plan.check_run.report.summary.starts_with("Waiting on: the author (changes requested)\n\n"));
    let unlabelled = super::plan(&verdict, &policy.ai.labels, Enforcement::Enforce, &current).showing_turn(
        &author,
        false,
        &current.labels,
    );
    assert_eq!(unlabelled.turn_label, None, "without [slo] label = true");
    let shadow = super::plan(&verdict, &policy.ai.labels, Enforcement::Evaluate, &current).showing_turn(
        &author,
        true,
        &current.labels,
    );
    assert_eq!(shadow.turn_label, None, "shadow mode writes only the check run");
    let (note, rest) = shadow.check_run.report.summary.split_once("\n\n").expect("a note first");
    assert!(note.contains("enforcement: evaluate"), "the shadow note stays first: {note}");
    assert!(rest.starts_with("Waiting on: the author"), "then whose turn: {rest}");
    let closed = Turn { on: WaitingOn::Nobody, changes_requested: false, requested: Vec::new() };
    let plain = super::plan(&verdict, &policy.ai.labels, Enforcement::Enforce, &current);
    assert_eq!(
        plain.clone().showing_turn(&closed, true, &current.labels).check_run,
        plain.check_run,
        "nothing for a closed PR"
    );
}

#[test]
fn a_passing_docs_pr_with_its_labels_on_already_gets_only_its_check_run() {
    let policy = example_policy("");
    let (verdict, current) = gated(&example("docs-only"), &policy, &["flowgate:green"]);
    let plan = plan(&verdict, &policy.ai.labels, Enforcement::Enforce, &current);
    insta::assert_snapshot!(plan.describe(), @r#"
    check run: success on 3333333 "flowgate PASS · 🟢 green · story: exempt · AI: none · review: 1/1 approvals · ~5 min review"
    label: flowgate:green already on the PR
    "#);
}

#[test]
fn tool_labels_partly_on_the_pr_add_only_the_missing_one() {
    // The same PR pushed from a Copilot agent branch: Claude Code's trailer and Copilot's branch.
    let dir = edited_example("auth-login", |pull| {
        pull["pull_request"]["head"]["ref"] = "copilot/ABC-123-login-rate-limit".into();
    });
    let policy = example_policy("");
    let (verdict, current) = gated(dir.path(), &policy, &["flowgate:red", "AI:Claude-Code"]);
    let plan = plan(&verdict, &policy.ai.labels, Enforcement::Enforce, &current);
    insta::assert_snapshot!(plan.describe(), @r#"
    check run: pending on 1111111 "Waiting for review: 1 more approval (red tier)", 2 annotations
    label: flowgate:red already on the PR
    AI tool labels: add ai:copilot
    "#);
    let names: Vec<&str> = plan.tool_labels.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["ai:copilot"], "GitHub compares label names without case");
}

#[test]
fn a_tool_that_only_line_records_name_gets_its_label() {
    // No marker on the docs-only PR, but git-ai records attribute a line to Cursor.
    use crate::model::provenance::{FileProvenance, LineRun, Origin, Provenance, SourceKind};
    let policy = example_policy("");
    let (mut verdict, current) = gated(&example("docs-only"), &policy, &["flowgate:green"]);
    assert!(verdict.ai.detected().is_empty(), "no marker: {:?}", verdict.ai.markers);
    let run = LineRun {
        start_line: 3,
        end_line: 4,
        origin: Origin::Ai,
        tool: Some("cursor".into()),
        model: Some("gpt-5".into()),
        source: Some(SourceKind::GitAi),
    };
    let file = FileProvenance::from_runs("docs/login.md", vec![run]);
    verdict.ai.lines.provenance = Some(Provenance { sources: Vec::new(), files: vec![file] });
    let plan = plan(&verdict, &policy.ai.labels, Enforcement::Enforce, &current);
    let names: Vec<&str> = plan.tool_labels.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["ai:cursor"]);
}

#[test]
fn the_reviewer_shortfall_is_requested() {
    let policy = example_policy(
        r#"
reviewers:
  pools:
    security: { members: ["@acme/security"], capacity: 3 }
    everyone: { members: ["@acme/security", dave, erin], capacity: 6 }
  tiers:
    red: { request: 5, from: [security, everyone] }
"#,
    );
    let (verdict, current) = gated(&example("auth-login"), &policy, &["flowgate:red", "ai:claude-code"]);
    let plan = plan(&verdict, &policy.ai.labels, Enforcement::Enforce, &current);
    insta::assert_snapshot!(plan.describe(), @r#"
    check run: pending on 1111111 "Waiting for review: 1 more approval (red tier)", 2 annotations
    label: flowgate:red already on the PR
    request review: dave, erin
    "#);
    let shortfall: Vec<String> =
        verdict.reviewers.iter().flat_map(|a| &a.requested).map(|r| r.login.as_str().to_string()).collect();
    assert_eq!(plan.request, shortfall, "only the shortfall, in the order the needs were filled");
}

#[test]
fn withdrawals_and_comments_are_planned_only_when_given() {
    let policy = example_policy("");
    let (verdict, current) = gated(&example("auth-login"), &policy, &["flowgate:red", "ai:claude-code"]);
    let plan = plan(&verdict, &policy.ai.labels, Enforcement::Enforce, &current)
        .withdrawing(["carol".to_string()])
        .commenting(Comment {
            marker: "<!-- flowgate:explain:d-1 -->".into(),
            since: "2026-11-21T00:00:00Z".into(),
            body: "Why this PR is red:\nthe report".into(),
        });
    insta::assert_snapshot!(plan.describe(), @r#"
    check run: pending on 1111111 "Waiting for review: 1 more approval (red tier)", 2 annotations
    label: flowgate:red already on the PR
    withdraw review request: carol
    comment once <!-- flowgate:explain:d-1 --> since 2026-11-21T00:00:00Z: "Why this PR is red:"
    "#);
}

#[test]
fn a_pr_flowgate_cannot_judge_gets_a_check_run_and_nothing_else() {
    let report = crate::report::check_run::cannot_evaluate(
        crate::model::check_run::CannotEvaluate::PolicyBroken,
        "extends: base.yml: no such file",
    );
    let plan = Plan::check_run_only(7, "abcdef0123456789", report);
    insta::assert_snapshot!(plan.describe(), @r#"
    check run: failure on abcdef0 "flowgate cannot judge this PR: the policy on the base branch does not load"
    "#);
    assert_eq!((plan.tier_label, plan.tool_labels, plan.request), (None, Vec::new(), Vec::new()));
}

fn labels(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

#[test]
fn the_tier_label_is_added_once_and_the_other_tier_labels_come_off() {
    let change = tier_label_change(&labels(&[]), "flowgate:red");
    assert_eq!((change.add, change.remove), (true, Vec::<String>::new()));

    let change = tier_label_change(&labels(&["flowgate:red", "bug"]), "flowgate:red");
    assert_eq!((change.add, change.remove), (false, Vec::<String>::new()), "right already: nothing to send");

    let change = tier_label_change(&labels(&["flowgate:green", "flowgate:yellow", "bug"]), "flowgate:red");
    assert_eq!((change.add, change.remove), (true, labels(&["flowgate:green", "flowgate:yellow"])));

    let change = tier_label_change(&labels(&["flowgate:red", "flowgate:green"]), "flowgate:red");
    assert_eq!((change.add, change.remove), (false, labels(&["flowgate:green"])));
    assert_eq!(change.label, "flowgate:red");
}

#[test]
fn labels_that_only_look_like_tier_labels_stay() {
    let on = labels(&["flowgate:override", "flowgate:", "flowgate:reddish", "Flowgate:green", "FLOWGATE:RED"]);
    let change = tier_label_change(&on, "flowgate:red");
    assert!(change.add, "tier labels are compared exactly, as flowgate writes them");
    assert!(change.remove.is_empty(), "{:?}", change.remove);
}

#[test]
fn tool_labels_already_on_the_pr_in_any_case_are_not_added_and_none_is_removed() {
    let tool = |name: &str| ToolLabel { name: name.into(), color: "8250df".into(), description: "d".into() };
    let wanted = vec![tool("ai:claude-code"), tool("ai:copilot"), tool("ai:cursor")];
    let missing = missing_tool_labels(&labels(&["AI:Copilot", "ai:devin", "bug"]), wanted.clone());
    assert_eq!(missing, [tool("ai:claude-code"), tool("ai:cursor")]);
    assert_eq!(missing_tool_labels(&labels(&["ai:claude-code", "ai:copilot", "ai:cursor"]), wanted), []);
    assert_eq!(missing_tool_labels(&labels(&["ai:copilot"]), Vec::new()), []);
}

#[test]
fn tool_labels_follow_the_policy_names_and_can_be_turned_off() {
    let policy = example_policy("");
    let (verdict, _) = gated(&example("auth-login"), &policy, &[]);
    let named = example_policy_with("", "  labels: { names: { claude-code: bot/claude }, color: \"#ABCDEF\" }\n");
    let found = tool_labels(&verdict, &named.ai.labels);
    assert_eq!(
        found.iter().map(|l| (l.name.as_str(), l.color.as_str())).collect::<Vec<_>>(),
        [("bot/claude", "abcdef")]
    );
    let off = example_policy_with("", "  labels: { enabled: false }\n");
    assert_eq!(tool_labels(&verdict, &off.ai.labels), []);
}
