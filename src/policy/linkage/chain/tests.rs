//! The chain rules over hand-built chains: what a PR author sees for a full chain, a chain broken
//! at each level, a closed story, a cycle, a deleted parent and a tracker that does not answer.

use std::path::Path;

use crate::model::{FileChange, FileStatus, Label, Login, PrFacts};
use crate::policy::Policy;
use crate::policy::evaluate::evaluate;
use crate::policy::linkage::keys::Tracker as KeyTracker;
use crate::policy::linkage::keys_to_trace;
use crate::policy::load::load_text;
use crate::policy::verdict::*;
use crate::trackers::chain::{Chain, ChainEnd, ChainLink};
use crate::trackers::{ItemState, StateCategory, TrackerError};
use crate::wording::Flavor;
use crate::wording::verdict as wording;

const POLICY: &str = r#"
version: 1
tiers:
  red: { paths: ["src/auth/**"] }
  yellow: { default: true }
  green: { paths: ["docs/**"] }
linkage:
  required: true
  trackers: { jira: { projects: [ABC] } }
  exempt: { labels: [no-story] }
  chain:
    levels: [story, epic, prd, okr]
    require: { red: okr, yellow: epic, green: none }
    story_states: { allow: [open, in_progress] }
  on_tracker_error: pending
"#;

fn policy(text: &str) -> Policy {
    load_text(text, Path::new("test.yml")).unwrap_or_else(|e| panic!("policy should load: {e}"))
}

fn policy_error(text: &str) -> String {
    match load_text(text, Path::new("test.yml")) {
        Ok(_) => panic!("the policy should be refused"),
        Err(e) => e.to_string(),
    }
}

fn pr(path: &str, title: &str) -> PrFacts {
    PrFacts {
        repo: Some("acme/shop".into()),
        title: title.into(),
        author: Login::new("carol"),
        files: vec![FileChange::new(path, FileStatus::Modified, 3, 1)],
        ..PrFacts::default()
    }
}

fn link(key: &str, kind: &str, level: Option<usize>) -> ChainLink {
    ChainLink {
        key: key.into(),
        title: format!("{key} title"),
        url: Some(format!("https://acme.atlassian.net/browse/{key}")),
        kind: Some(kind.into()),
        level,
        state: Some(ItemState { category: StateCategory::InProgress, name: "In Progress".into() }),
    }
}

fn remote(key: &str, title: &str, level: usize) -> ChainLink {
    ChainLink { key: key.into(), title: title.into(), url: None, kind: None, level: Some(level), state: None }
}

fn chain(start: &str, links: Vec<ChainLink>, end: ChainEnd) -> Chain {
    Chain { start: start.into(), links, end }
}

fn full() -> Chain {
    chain(
        "ABC-123",
        vec![
            link("ABC-123", "Story", Some(0)),
            link("ABC-7", "Epic", Some(1)),
            remote("PRD-3", "Checkout redesign", 2),
            remote("OKR-2", "Cut churn 10%", 3),
        ],
        ChainEnd::Top,
    )
}

fn judged(path: &str, chains: Vec<Chain>) -> Verdict {
    let mut facts = pr(path, "ABC-123: pay with saved cards");
    facts.chains = chains.into_iter().map(|c| (c.start.clone(), c)).collect();
    evaluate(&facts, &policy(POLICY))
}

fn outcome(v: &Verdict) -> &ChainOutcome {
    &v.linkage.chain.as_ref().expect("the tier needs a chain").outcome
}

fn headline(v: &Verdict) -> String {
    wording::linkage_section(v, Flavor::Plain).headline
}

#[test]
fn a_red_pr_whose_story_reaches_an_okr_passes_and_shows_the_chain() {
    let v = judged("src/auth/login.rs", vec![full()]);
    assert_eq!(v.linkage.state, LinkageState::Pass);
    assert_eq!(*outcome(&v), ChainOutcome::Complete);
    let chain = v.linkage.chain.as_ref().expect("chain");
    assert_eq!(
        wording::chain_line(chain, Flavor::Plain),
        "ABC-123 Story -> ABC-7 Epic -> PRD-3 -> OKR-2 'Cut churn 10%'"
    );
    assert_eq!(headline(&v), "linked to ABC-123, which traces up to OKR");
}

#[test]
fn a_chain_broken_at_each_level_fails_naming_the_item_and_the_missing_level() {
    let cases = [(1, "ABC-123 has no parent Epic"), (2, "ABC-7 has no parent PRD"), (3, "PRD-3 has no parent OKR")];
    for (kept, sentence) in cases {
        let mut c = full();
        c.links.truncate(kept);
        let v = judged("src/auth/login.rs", vec![c]);
        assert_eq!(v.linkage.state, LinkageState::Fail, "kept {kept}");
        assert_eq!(v.state, State::Fail);
        assert!(headline(&v).contains(sentence), "kept {kept}: {}", headline(&v));
        assert!(headline(&v).contains("this red PR needs a chain up to OKR"), "{}", headline(&v));
    }
}

#[test]
fn a_skipped_level_is_a_break_even_when_a_higher_one_is_there() {
    let mut c = full();
    c.links.remove(2);
    let v = judged("src/auth/login.rs", vec![c]);
    assert_eq!(*outcome(&v), ChainOutcome::Broken(ChainBreak::NoParent { key: "ABC-7".into(), missing: "prd".into() }));
}

#[test]
fn each_tier_needs_only_its_own_level() {
    let mut to_epic = full();
    to_epic.links.truncate(2);
    assert_eq!(judged("src/cart.rs", vec![to_epic.clone()]).linkage.state, LinkageState::Pass, "yellow needs an epic");
    assert_eq!(judged("src/auth/login.rs", vec![to_epic]).linkage.state, LinkageState::Fail, "red needs an OKR");
    // green: none, so nothing is looked up and a bare key passes.
    let green = judged("docs/guide.md", vec![]);
    assert_eq!((green.linkage.state, green.linkage.chain.is_none()), (LinkageState::Pass, true));
}

#[test]
fn a_pr_against_a_done_story_fails() {
    let mut c = full();
    c.links[0].state = Some(ItemState { category: StateCategory::Done, name: "Closed".into() });
    let v = judged("src/auth/login.rs", vec![c]);
    assert_eq!(v.linkage.state, LinkageState::Fail);
    assert!(headline(&v).contains("ABC-123 is Closed"), "{}", headline(&v));
}

#[test]
fn a_story_that_does_not_exist_fails() {
    let v =
        judged("src/cart.rs", vec![chain("ABC-123", vec![], ChainEnd::Missing { key: "ABC-123".into(), child: None })]);
    assert_eq!(*outcome(&v), ChainOutcome::Broken(ChainBreak::NotFound { key: "ABC-123".into() }));
    assert!(headline(&v).contains("ABC-123 does not exist"), "{}", headline(&v));
}

#[test]
fn a_cycle_and_a_deleted_parent_are_named() {
    let mut c = full();
    c.links.truncate(2);
    c.end = ChainEnd::Cycle { key: "ABC-123".into() };
    let v = judged("src/auth/login.rs", vec![c]);
    assert!(headline(&v).contains("ABC-7 leads back to ABC-123"), "{}", headline(&v));

    let mut c = full();
    c.links.truncate(2);
    c.end = ChainEnd::Missing { key: "ABC-99".into(), child: Some("ABC-7".into()) };
    let v = judged("src/auth/login.rs", vec![c]);
    assert!(headline(&v).contains("ABC-7's parent ABC-99 does not exist"), "{}", headline(&v));
}

#[test]
fn a_tracker_that_does_not_answer_makes_the_linkage_pending_never_pass() {
    let mut c = full();
    c.links.truncate(2);
    c.end = ChainEnd::Error { key: "ABC-7".into(), error: TrackerError::RateLimited { retry_after: Some(120) } };
    let v = judged("src/auth/login.rs", vec![c.clone()]);
    assert_eq!(v.linkage.state, LinkageState::Pending);
    assert_eq!(v.state, State::Pending);
    assert!(headline(&v).contains("retry after 120s"), "{}", headline(&v));

    let failing = policy(&POLICY.replace("on_tracker_error: pending", "on_tracker_error: fail"));
    let mut facts = pr("src/auth/login.rs", "ABC-123: pay");
    facts.chains.insert("ABC-123".into(), c);
    let v = evaluate(&facts, &failing);
    assert_eq!((v.linkage.state, v.state), (LinkageState::Fail, State::Fail));
    assert!(headline(&v).contains("the policy fails on tracker errors"), "{}", headline(&v));
}

#[test]
fn a_key_nobody_looked_up_is_not_verified() {
    let v = judged("src/auth/login.rs", vec![]);
    assert_eq!(v.linkage.state, LinkageState::Pending);
    assert!(headline(&v).contains("not looked up"), "{}", headline(&v));
}

#[test]
fn a_complete_chain_from_any_key_is_enough() {
    let mut facts = pr("src/auth/login.rs", "ABC-9 and ABC-123: pay");
    let mut broken = full();
    broken.start = "ABC-9".into();
    broken.links.truncate(1);
    broken.links[0].key = "ABC-9".into();
    facts.chains = [("ABC-9".to_string(), broken), ("ABC-123".to_string(), full())].into_iter().collect();
    let v = evaluate(&facts, &policy(POLICY));
    assert_eq!(
        (v.linkage.state, v.linkage.chain.as_ref().map(|c| c.key.as_str())),
        (LinkageState::Pass, Some("ABC-123"))
    );
}

#[test]
fn an_exempt_pr_is_not_traced() {
    let mut facts = pr("src/auth/login.rs", "ABC-123: pay");
    facts.labels = vec![Label { name: "no-story".into(), applied_by: None }];
    let v = evaluate(&facts, &policy(POLICY));
    assert_eq!(v.linkage.state, LinkageState::Exempt);
    assert!(keys_to_trace(&policy(POLICY).linkage, &v.linkage, v.tier).is_empty());
}

#[test]
fn the_gate_is_told_which_keys_to_trace() {
    let p = policy(POLICY);
    let red = evaluate(&pr("src/auth/login.rs", "ABC-123 and ABC-123 again, then ABC-5"), &p);
    assert_eq!(
        keys_to_trace(&p.linkage, &red.linkage, red.tier),
        vec![(KeyTracker::Jira, "ABC-123".to_string()), (KeyTracker::Jira, "ABC-5".to_string())]
    );
    let green = evaluate(&pr("docs/guide.md", "ABC-123"), &p);
    assert!(keys_to_trace(&p.linkage, &green.linkage, green.tier).is_empty());
}

#[test]
fn the_json_report_lists_the_chain_and_where_it_breaks() {
    let mut c = full();
    c.links.truncate(2);
    let v = judged("src/auth/login.rs", vec![c]);
    let json = crate::report::json::to_value(&v);
    let linkage = &json["linkage"];
    assert_eq!(linkage["state"], "fail");
    assert_eq!(linkage["chain"][1]["key"], "ABC-7");
    assert_eq!(linkage["chain"][1]["level"], "epic");
    assert_eq!(linkage["chain"][1]["url"], "https://acme.atlassian.net/browse/ABC-7");
    assert_eq!(linkage["broken_at"]["key"], "ABC-7");
    assert_eq!(linkage["broken_at"]["missing_level"], "prd");
    assert_eq!(linkage["broken_at"]["reason"], "ABC-7 has no parent PRD");
    assert_eq!(json["summary"].as_str().map(|s| s.contains("story: ABC-123 (chain broken)")), Some(true));

    let full = judged("src/auth/login.rs", vec![full()]);
    let json = crate::report::json::to_value(&full);
    assert_eq!(json["linkage"]["broken_at"], serde_json::Value::Null);
    assert_eq!(json["linkage"]["chain"].as_array().map(Vec::len), Some(4));
}

// ---- policy validation ----

#[test]
fn chain_rules_are_checked_when_the_policy_is_read() {
    let cases = [
        (
            "require: { red: okr, yellow: epic, green: none }",
            "require: { red: kpi }",
            "`linkage.chain.require.red` is \"kpi\", which is not one of the levels (story, epic, prd, okr) or none",
        ),
        ("levels: [story, epic, prd, okr]", "levels: [story, epic, epic, okr]", "names \"epic\" twice"),
        ("levels: [story, epic, prd, okr]", "levels: [story]", "needs at least two levels"),
        ("levels: [story, epic, prd, okr]", "levels: [story, Epic]", "\"Epic\" is not a level name"),
        (
            "story_states: { allow: [open, in_progress] }",
            "story_states: { allow: [open, closed] }",
            "unknown variant `closed`",
        ),
        (
            "story_states: { allow: [open, in_progress] }",
            "story_states: { allow: [] }",
            "`linkage.chain.story_states.allow` is empty",
        ),
        ("require: { red: okr, yellow: epic, green: none }", "require: { red: story }", "is the first level"),
        (
            "levels: [story, epic, prd, okr]",
            "levels: [story, epic, prd, okr]\n    types: { Objective: goal }",
            "\"Objective\" maps to \"goal\", which is not one of the levels",
        ),
        ("on_tracker_error: pending", "on_tracker_error: pass", "on_tracker_error cannot be pass"),
        ("on_tracker_error: pending", "on_tracker_error: retry", "unknown on_tracker_error \"retry\""),
    ];
    for (from, to, message) in cases {
        assert!(POLICY.contains(from), "{from}");
        let err = policy_error(&POLICY.replace(from, to));
        assert!(err.contains(message), "{to}: {err}");
    }
}

#[test]
fn chain_defaults_are_the_four_levels_and_open_stories() {
    let p = policy(
        &POLICY
            .replace("    levels: [story, epic, prd, okr]\n", "")
            .replace("    story_states: { allow: [open, in_progress] }\n", ""),
    );
    let rules = p.linkage.chain.as_ref().expect("chain rules");
    assert_eq!(rules.levels.names(), ["story", "epic", "prd", "okr"]);
    assert_eq!(rules.story_states, vec![StateCategory::Open, StateCategory::InProgress]);
    assert_eq!(rules.levels.level_of(&["Objective".to_string()]), None);
    let mapped = policy(&POLICY.replace("story_states:", "types: { Objective: okr }\n    story_states:"));
    let rules = mapped.linkage.chain.as_ref().expect("chain rules");
    assert_eq!(rules.levels.level_of(&["Objective".to_string()]), Some(3));
}
