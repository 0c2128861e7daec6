//! The tests of the report's frame, and what every rule's tests share: the example PRs of
//! `examples/` checked against the example policy, and a section written out as the terminal
//! shows it.

use std::path::Path;

use super::*;
use crate::model::Login;
use crate::policy::Tier;
use crate::policy::load::load_file;
use crate::policy::verdict::{Gap, LinkageState, OverrideVerdict, State, Verdict};
use crate::wording::Flavor;

/// `auth-login` (pending, red), `agent-undeclared` (failing, yellow) or `docs-only` (passing, green).
pub fn verdict(example: &str) -> Verdict {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let policy = load_file(&root.join("examples/flowgate.yml")).expect("example policy loads");
    crate::gate::check_snapshot(&root.join("examples").join(example), &policy).expect("example snapshot reads").1
}

/// `✅ Size: 4 changed files, …` and the details indented below it.
pub fn show(section: &Section) -> String {
    let mut out = format!("{} {}: {}", mark_emoji(section.mark), section.title, section.headline);
    for detail in &section.details {
        out.push_str(&format!("\n  {detail}"));
    }
    out
}

#[test]
fn each_state_mark_and_tier_has_its_word_and_emoji() {
    let states: Vec<String> =
        [State::Pass, State::Pending, State::Fail].map(|s| format!("{} {}", state_emoji(s), state_word(s))).into();
    insta::assert_snapshot!(states.join(", "), @"✅ pass, ⏳ pending, ❌ fail");
    let marks = [Mark::Pass, Mark::Pending, Mark::Fail, Mark::Skip].map(mark_emoji);
    insta::assert_snapshot!(marks.join(" "), @"✅ ⏳ ❌ ➖");
    let tiers = Tier::ALL.map(|t| format!("{} {t}", tier_emoji(t)));
    insta::assert_snapshot!(tiers.join(", "), @"🔴 red, 🟡 yellow, 🟢 green");
}

#[test]
fn the_title_says_the_state_the_tier_and_an_override() {
    let mut v = verdict("auth-login");
    insta::assert_snapshot!(title(&v), @"flowgate: pending, red tier");
    v.state = State::Pass;
    insta::assert_snapshot!(title(&v), @"flowgate: pass (overridden), red tier");
}

#[test]
fn the_pr_line_names_what_is_known() {
    let mut v = verdict("auth-login");
    insta::assert_snapshot!(pr_line(&v), @r#"acme/shop#42 "ABC-123: rate-limit failed logins" by carol"#);
    v.pr.repo = None;
    v.pr.author = Login::new("");
    insta::assert_snapshot!(pr_line(&v), @r#"PR #42 "ABC-123: rate-limit failed logins""#);
    v.pr.number = None;
    v.pr.title.clear();
    insta::assert_snapshot!(pr_line(&v), @"");
}

#[test]
fn the_effort_is_in_minutes_up_to_a_day() {
    let mut v = verdict("auth-login");
    v.effort_minutes = 1;
    insta::assert_snapshot!(effort_line(&v), @"estimated review effort: about 1 minute");
    v.effort_minutes = 48;
    insta::assert_snapshot!(effort_line(&v), @"estimated review effort: about 48 minutes");
    v.effort_minutes = crate::analysis::effort::DAY_MINUTES;
    insta::assert_snapshot!(effort_line(&v), @"estimated review effort: more than a day (consider splitting the PR)");
}

#[test]
fn a_tier_heading_counts_its_files_and_a_cut_listing_the_rest() {
    insta::assert_snapshot!(tier_heading(Tier::Red, 1), @"🔴 red (1 file)");
    insta::assert_snapshot!(tier_heading(Tier::Green, 2), @"🟢 green (2 files)");
    insta::assert_snapshot!(more(3), @"… and 3 more");
    insta::assert_snapshot!(format!("{RULE_COLUMN} | {RESULT_COLUMN} | {FILES_BY_TIER} | {NO_FILES}"), @"Rule | Result | Files by tier | No changed files.");
    insta::assert_snapshot!(REPORT_CUT, @"… The report was cut here: it is longer than GitHub allows in a check run. `flowgate check --repo OWNER/NAME --pr N` prints all of it.");
}

#[test]
fn the_summary_line_of_each_example() {
    insta::assert_snapshot!(summary(&verdict("auth-login")), @"flowgate PENDING · 🔴 red · story: ABC-123 · AI: assisted, detected claude-code · review: 1/2 approvals · ~48 min review");
    insta::assert_snapshot!(summary(&verdict("agent-undeclared")), @"flowgate FAIL · 🟡 yellow · story: missing · AI: undeclared, detected copilot · review: 0/1 approvals · ~11 min review");
    let mut v = verdict("auth-login");
    v.linkage.state = LinkageState::Pending;
    v.effort_minutes = crate::analysis::effort::DAY_MINUTES;
    v.state = State::Pass;
    insta::assert_snapshot!(summary(&v), @"flowgate PASS · 🔴 red · story: ABC-123 (not verified yet) · AI: assisted, detected claude-code · review: 1/2 approvals · review: more than a day · overridden");
    v.linkage.state = LinkageState::Fail;
    insta::assert_snapshot!(summary(&v), @"flowgate PASS · 🔴 red · story: ABC-123 (chain broken) · AI: assisted, detected claude-code · review: 1/2 approvals · review: more than a day · overridden");
    v.linkage.state = LinkageState::Exempt;
    v.ai.markers.clear();
    v.ai.declared = None;
    insta::assert_snapshot!(summary(&v), @"flowgate PASS · 🔴 red · story: exempt · AI: undeclared · review: 1/2 approvals · review: more than a day · overridden");
    v.linkage.state = LinkageState::Pass;
    v.linkage.refs.clear();
    insta::assert_snapshot!(summary(&v), @"flowgate PASS · 🔴 red · story: none (optional) · AI: undeclared · review: 1/2 approvals · review: more than a day · overridden");
}

#[test]
fn the_check_run_title_says_what_a_pending_pr_waits_for() {
    let mut v = verdict("auth-login");
    insta::assert_snapshot!(check_run_title(&v), @"Waiting for review: 1 more approval (red tier)");
    v.review.requirements.clear();
    v.gaps.push(Gap::ReviewsMissing);
    insta::assert_snapshot!(check_run_title(&v), @"Pending: the review list was not provided");
    v.gaps.clear();
    insta::assert_snapshot!(check_run_title(&v), @"flowgate PENDING · 🔴 red · story: ABC-123 · AI: assisted, detected claude-code · review: 1/2 approvals · ~48 min review");
    insta::assert_snapshot!(check_run_title(&verdict("agent-undeclared")), @"flowgate FAIL · 🟡 yellow · story: missing · AI: undeclared, detected copilot · review: 0/1 approvals · ~11 min review");
}

#[test]
fn an_override_is_accepted_refused_or_of_unknown_origin() {
    let mut v = verdict("auth-login");
    assert_eq!(override_section(&v, Flavor::Plain), None);
    let by = Some(Login::new("lead"));
    v.override_ = Some(OverrideVerdict { label: "flowgate:override".into(), applied_by: by.clone(), accepted: true });
    insta::assert_snapshot!(show(&override_section(&v, Flavor::Markdown).unwrap()), @r"
    ✅ Override: overridden by `lead` with label `flowgate:override`
      without it the gate would be pending
    ");
    v.rules_state = State::Pass;
    insta::assert_snapshot!(show(&override_section(&v, Flavor::Plain).unwrap()), @"✅ Override: overridden by lead with label flowgate:override");
    v.override_ = Some(OverrideVerdict { label: "flowgate:override".into(), applied_by: by, accepted: false });
    insta::assert_snapshot!(show(&override_section(&v, Flavor::Plain).unwrap()), @"❌ Override: label flowgate:override was applied by lead, who may not override; it is ignored");
    v.override_ = Some(OverrideVerdict { label: "flowgate:override".into(), applied_by: None, accepted: false });
    insta::assert_snapshot!(show(&override_section(&v, Flavor::Plain).unwrap()), @"❌ Override: label flowgate:override is present but who applied it is unknown; it is ignored");
}

#[test]
fn the_sections_come_in_reading_order() {
    let titles: Vec<&str> = sections(&verdict("auth-login"), Flavor::Plain).iter().map(|s| s.title).collect();
    insta::assert_snapshot!(titles.join(", "), @"Story linkage, AI disclosure, Review, Size");
}
