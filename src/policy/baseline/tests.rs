//! "Tighter" for `enforcement`, `tiers` (default, paths, code, queries, relax, review) and
//! `teams`: for each key, a loosening named and a tightening accepted. The repository's policy
//! is laid over a baseline that sets every key, as the App and `policy validate --baseline` do.

use std::path::Path;

use super::effective::{Baseline, lay_over};
use crate::policy::load::loading_file;

/// A baseline that sets every key flowgate knows.
pub(super) const BASE: &str = r#"version: 1
enforcement: enforce
tiers:
  red:
    paths: ["src/auth/**", "**/*.tf"]
    code: [unsafe]
    queries:
      python: '(call function: (identifier) @m (#eq? @m "eval")) @match'
    review: { approvals: 2, from: ["@o/sec", "@o/leads"], stale: diff, stale_keeps: [no_change, message_only], codeowners: required }
  yellow:
    default: true
    paths: ["src/**"]
    relax: [comments, formatting]
    review: { approvals: 1, stale: owners }
  green:
    paths: ["docs/**"]
    review: { approvals: 1 }
teams:
  "@o/sec": [ann, bob]
linkage:
  required: true
  sources: [title, branch]
  trackers: { jira: { projects: [ABC] }, github: {} }
  exempt: { authors: ["bot[bot]"], labels: [no-story], tiers: [green], titles: ["^Revert"], branches: ["^release/"] }
  chain: { levels: [story, epic, okr], require: { red: okr, yellow: epic }, story_states: { allow: [open, in_progress] } }
  on_tracker_error: fail
ai:
  disclosure: required
  on_undeclared: fail
  exempt: { authors: ["bot[bot]"], labels: [ai-ok] }
  tiers: { red: { review: { approvals: 1, from: ["@o/sec"] } } }
limits: { max_files: 100, max_changed_lines: 1000 }
override: { label: "flowgate:override", allowed: ["@o/leads"] }
analysis: { max_file_kb: 256, file_budget_ms: 200, pr_budget_ms: 2000 }
reviewers:
  pools: { core: { members: [ann, bob], capacity: 3 }, web: { members: [cy], capacity: 2 } }
  tiers: { red: { request: 2, from: [core] } }
  ai_spot_check: { percent: 20, from: [core] }
latency: { targets: { red: 8h } }
merge_queue: { queue_prs: [ { author: "mergify[bot]", branch: "mergify/merge-queue/" } ] }
"#;

/// The keys `repo`, laid over `BASE`, loosens (`key: change`).
pub(super) fn loosened(repo: &str) -> Vec<String> {
    loosened_over(BASE, repo)
}

pub(super) fn loosened_over(base: &str, repo: &str) -> Vec<String> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (base_path, repo_path) = (dir.path().join("base.yml"), dir.path().join("flowgate.yml"));
    std::fs::write(&base_path, base).expect("written");
    std::fs::write(&repo_path, repo).expect("written");
    let baseline =
        Baseline::file(&crate::policy::load::Disk, &base_path, None).unwrap_or_else(|e| panic!("the baseline: {e}"));
    let loading =
        loading_file(&crate::policy::load::Disk, Path::new(&repo_path)).unwrap_or_else(|e| panic!("the policy: {e}"));
    let effective = lay_over(loading, &baseline).unwrap_or_else(|e| panic!("laid over: {e}"));
    effective.loosenings.iter().map(|l| format!("{}: {:?}", l.key, l.change)).collect()
}

/// Asserts that `loose` loosens exactly `keys` (by key) and that `tight` loosens nothing.
pub(super) fn check(loose: &str, keys: &[&str], tight: &str) {
    let found = loosened(loose);
    let found_keys: Vec<&str> = found.iter().map(|l| l.split(": ").next().unwrap_or_default()).collect();
    assert_eq!(found_keys, keys, "loosening {loose:?}: {found:#?}");
    let tightened = loosened(tight);
    assert!(tightened.is_empty(), "tightening {tight:?} was refused: {tightened:#?}");
}

#[test]
fn the_baseline_alone_and_an_empty_repository_policy_loosen_nothing() {
    assert_eq!(loosened("version: 1\n"), Vec::<String>::new());
    assert_eq!(loosened_over(BASE, BASE), Vec::<String>::new(), "the baseline laid over itself");
}

#[test]
fn enforcement_may_not_go_from_enforce_to_evaluate() {
    check("enforcement: evaluate\n", &["enforcement"], "enforcement: enforce\n");
    // Against a shadow baseline a repository may enforce itself.
    let shadow = BASE.replace("enforcement: enforce", "enforcement: evaluate");
    assert!(loosened_over(&shadow, "enforcement: enforce\n").is_empty());
}

#[test]
fn the_default_tier_may_only_rise() {
    check(
        "tiers:\n  yellow: { default: false }\n  green: { default: true }\n",
        &["tiers.green.default"],
        "tiers:\n  yellow: { default: false }\n  red: { default: true }\n",
    );
}

#[test]
fn a_path_the_baseline_makes_red_stays_red_and_paths_may_be_added() {
    check(
        "tiers:\n  red: { paths: [\"src/auth/**\"] }\n  yellow: { paths: [\"src/**\", \"**/*.tf\"] }\n",
        &["tiers.red.paths"],
        "tiers:\n  red: { paths: [\"src/auth/**\", \"**/*.tf\", \"src/billing/**\"] }\n",
    );
}

#[test]
fn a_path_may_move_up_to_red_but_not_down_to_green_under_the_default() {
    check(
        "tiers:\n  yellow: { paths: [] }\n  green: { paths: [\"docs/**\", \"src/**\"] }\n",
        &["tiers.green.paths"],
        "tiers:\n  yellow: { paths: [] }\n  red: { paths: [\"src/auth/**\", \"**/*.tf\", \"src/**\"] }\n",
    );
}

#[test]
fn a_green_path_below_the_default_tier_may_not_be_added_but_may_be_dropped() {
    check(
        "tiers:\n  green: { paths: [\"docs/**\", \"scripts/**\"] }\n",
        &["tiers.green.paths"],
        "tiers:\n  green: { paths: [] }\n",
    );
}

#[test]
fn detectors_may_be_added_or_moved_up_never_dropped() {
    check("tiers:\n  red: { code: [] }\n", &["tiers.red.code"], "tiers:\n  red: { code: [unsafe, eval] }\n");
}

#[test]
fn a_query_of_the_baseline_stays_in_its_tier_or_above() {
    check(
        "tiers:\n  red: { queries: null }\n",
        &["tiers.red.queries"],
        "tiers:\n  yellow:\n    queries:\n      rust: '(unsafe_block) @match'\n",
    );
}

#[test]
fn relax_may_only_list_fewer_change_kinds() {
    check(
        "tiers:\n  yellow: { relax: [comments, tests] }\n",
        &["tiers.yellow.relax"],
        "tiers:\n  yellow: { relax: [comments] }\n",
    );
}

#[test]
fn approvals_may_only_rise() {
    check(
        "tiers:\n  red: { review: { approvals: 1 } }\n",
        &["tiers.red.review.approvals"],
        "tiers:\n  red: { review: { approvals: 3 } }\n",
    );
}

#[test]
fn the_approvers_named_may_narrow_but_not_widen_or_open_to_anyone() {
    check(
        "tiers:\n  red: { review: { from: [\"@o/sec\", \"@o/leads\", eve] } }\n",
        &["tiers.red.review.from"],
        "tiers:\n  red: { review: { from: [\"@o/sec\"] } }\n",
    );
    assert_eq!(loosened("tiers:\n  red: { review: { from: [] } }\n").len(), 1, "an empty list is anyone");
}

#[test]
fn code_owners_stay_required() {
    check(
        "tiers:\n  red: { review: { codeowners: optional } }\n",
        &["tiers.red.review.codeowners"],
        "tiers:\n  yellow: { review: { codeowners: required } }\n",
    );
}

#[test]
fn stale_orders_head_over_diff_over_owners_over_never() {
    check(
        "tiers:\n  red: { review: { stale: owners } }\n  yellow: { review: { stale: never } }\n",
        &["tiers.red.review.stale", "tiers.yellow.review.stale"],
        "tiers:\n  red: { review: { stale: head, stale_keeps: null } }\n  yellow: { review: { stale: diff } }\n",
    );
}

#[test]
fn stale_keeps_may_only_shrink() {
    check(
        "tiers:\n  red: { review: { stale_keeps: [no_change, message_only, trivial_rebase] } }\n",
        &["tiers.red.review.stale_keeps"],
        "tiers:\n  red: { review: { stale_keeps: [no_change] } }\n",
    );
}

#[test]
fn a_team_the_baseline_lists_may_lose_members_never_gain_them_or_be_listed_anew() {
    check(
        "teams:\n  \"@o/sec\": [ann, bob, eve]\n  \"@o/leads\": [eve]\n",
        &["teams.@o/leads", "teams.@o/sec"],
        "teams:\n  \"@o/sec\": [ann]\n  \"@o/own\": [eve]\n",
    );
}

#[test]
fn latency_settings_are_the_repository_s_own() {
    assert!(loosened("latency: { targets: { red: 24h }, timezone: Europe/Paris, work_hours: \"10-16\" }\n").is_empty());
}
