//! `flowgate simulate-assign` as a user runs it: the synthetic month, its history saved and
//! replayed, a recorded history with a policy (and its SLO ladder), and the errors for a bad or
//! missing file.

use crate::support::common;

use common::{Run, path_str};
use tempfile::TempDir;

fn flowgate(args: &[&str]) -> Run {
    let mut cmd = assert_cmd::Command::cargo_bin("flowgate").expect("binary");
    cmd.arg("simulate-assign").args(args).env_clear();
    Run::of(&mut cmd)
}

const STRATEGIES: [&str; 4] = ["| flowgate |", "| round-robin |", "| random (seeded) |", "| GitHub load balance |"];

#[test]
fn the_synthetic_month_prints_the_table_of_all_four_strategies_and_a_verdict() {
    let run = flowgate(&["--synthetic"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for row in STRATEGIES {
        assert!(run.stdout.contains(row), "no {row} row:\n{}", run.stdout);
    }
    assert!(run.stdout.contains("12 people in the pools"), "{}", run.stdout);
    let verdict = run.stdout.lines().find(|l| l.starts_with("verdict: ")).expect("a verdict line");
    // The synthetic month has its default ladder: each strategy is replayed with it too.
    assert!(run.stdout.contains("| flowgate | on |"), "{}", run.stdout);
    assert!(run.stdout.lines().last().is_some_and(|l| l.starts_with("ladder: ")), "{}", run.stdout);
    assert!(verdict.starts_with("verdict: flowgate kept the red rule"), "{verdict}");
    // Seed 7: flowgate wins per day present and loses on raw monthly counts; both are said.
    assert!(verdict.contains("more evenly than every baseline on max/mean"), "{verdict}");
    assert!(verdict.contains("but not on raw max/mean") && verdict.contains("raw Gini"), "{verdict}");
    assert!(run.stderr.contains("the synthetic month, seed 7"), "{}", run.stderr);
}

#[test]
fn json_has_every_strategys_figures_and_the_verdict() {
    let run = flowgate(&["--synthetic", "--seed", "3", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    let results = json["results"].as_array().expect("results");
    let names: Vec<&str> = results.iter().filter_map(|r| r["strategy"].as_str()).collect();
    assert_eq!(names, ["flowgate", "round-robin", "random", "load-balance"]);
    for r in results {
        for figure in ["requests", "max_over_mean", "gini", "raw_max_over_mean", "raw_gini", "red_first_pool_share"] {
            assert!(r[figure].is_number(), "{figure} of {}: {r}", r["strategy"]);
        }
    }
    assert_eq!(json["people"], 12);
    assert_eq!(json["verdict"]["red_rule_kept"], true);
    assert_eq!(json["verdict"]["measures"].as_array().map(Vec::len), Some(4));
    assert!(json["verdict"]["line"].as_str().is_some_and(|l| l.starts_with("verdict: ")));
}

#[test]
fn a_saved_synthetic_history_replays_to_the_same_table() {
    let dir = TempDir::new().expect("tempdir");
    let file = dir.path().join("month.jsonl");
    let first = flowgate(&["--synthetic", "--seed", "5", "--write-history", path_str(&file)]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let text = std::fs::read_to_string(&file).expect("the history was written");
    assert!(text.starts_with(r#"{"event":"synthetic","seed":5}"#), "{}", &text[..80.min(text.len())]);
    assert!(text.lines().count() > 300);

    let again = flowgate(&["--history", path_str(&file)]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.stdout, first.stdout);
    assert_ne!(flowgate(&["--synthetic", "--seed", "6"]).stdout, first.stdout, "the seed matters");
}

#[test]
fn a_recorded_history_replays_against_the_policys_reviewers_and_teams() {
    let dir = TempDir::new().expect("tempdir");
    let history = dir.path().join("history.jsonl");
    std::fs::write(
        &history,
        [
            r#"{"event":"pr_opened","at":"2025-03-03T09:00:00Z","repo":"acme/shop","number":1,"author":"bob","tier":"red","paths":["src/auth/a.rs"]}"#,
            r#"{"event":"review","at":"2025-03-03T15:00:00Z","repo":"acme/shop","number":1,"reviewer":"sam"}"#,
            r#"{"event":"pr_opened","at":"2025-03-04T09:00:00Z","repo":"acme/shop","number":2,"author":"sam","tier":"yellow"}"#,
            "",
        ]
        .join("\n"),
    )
    .expect("write history");
    let policy = dir.path().join("flowgate.yml");
    std::fs::write(
        &policy,
        r#"version: 1
tiers:
  red: { paths: ["src/auth/**"] }
  yellow: { default: true }
teams:
  "@acme/security": [sam, tara]
reviewers:
  pools:
    security: { members: ["@acme/security"], capacity: 3 }
    everyone: { members: ["@acme/security", bob, erin], capacity: 6 }
  tiers:
    red: { request: 2, from: [security, everyone] }
    yellow: { request: 1, from: [everyone] }
"#,
    )
    .expect("write policy");

    let run = flowgate(&["--history", path_str(&history), "--policy", path_str(&policy)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("2 PRs (1 red), 4 people in the pools"), "{}", run.stdout);
    assert!(run.stdout.contains("| red PRs with security |"), "{}", run.stdout);

    // Without a policy, a recorded history has no pools to replay against.
    flowgate(&["--history", path_str(&history)]).assert_bad_input("--policy");
    // A policy without `reviewers:` has none either.
    std::fs::write(&policy, "version: 1\ntiers:\n  yellow: { default: true }\n").expect("write policy");
    flowgate(&["--history", path_str(&history), "--policy", path_str(&policy)]).assert_bad_input("reviewers:");
}

#[test]
fn pools_that_expand_to_nobody_are_the_policys_mistake() {
    let dir = TempDir::new().expect("tempdir");
    let history = dir.path().join("history.jsonl");
    let opened = r#"{"event":"pr_opened","at":"2025-03-03T09:00:00Z","repo":"acme/shop","number":1,"author":"bob","tier":"yellow"}"#;
    std::fs::write(&history, format!("{opened}\n")).expect("write history");
    let policy = dir.path().join("flowgate.yml");
    std::fs::write(
        &policy,
        r#"version: 1
tiers:
  yellow: { default: true }
reviewers:
  pools:
    everyone: { members: ["@acme/ghosts"], capacity: 3 }
  tiers:
    yellow: { request: 1, from: [everyone] }
"#,
    )
    .expect("write policy");
    let run = flowgate(&["--history", path_str(&history), "--policy", path_str(&policy)]);
    run.assert_bad_input(&format!("{}: the reviewer pools expand to nobody", path_str(&policy)));
}

#[test]
fn a_malformed_history_line_is_named() {
    let dir = TempDir::new().expect("tempdir");
    let file = dir.path().join("bad.jsonl");
    std::fs::write(
        &file,
        "{\"event\":\"synthetic\",\"seed\":7}\n\n{\"event\":\"review\",\"at\":\"2025-03-03T10:00:00Z\",\"repo\":\"a/b\",\"number\":1,\"reviewr\":\"y\"}\n",
    )
    .expect("write");
    let run = flowgate(&["--history", path_str(&file)]);
    run.assert_bad_input(&format!("{}: line 3:", path_str(&file)));
    assert!(run.stderr.contains("reviewr"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "one line:\n{}", run.stderr);

    std::fs::write(&file, "{\"event\":\"synthetic\",\"seed\":7}\nnot json\n").expect("write");
    flowgate(&["--history", path_str(&file)]).assert_bad_input("line 2:");
}

#[test]
fn a_missing_history_file_is_named() {
    let dir = TempDir::new().expect("tempdir");
    let missing = dir.path().join("no-such-history.jsonl");
    let run = flowgate(&["--history", path_str(&missing)]);
    run.assert_bad_input(path_str(&missing));
    assert!(run.stderr.contains("cannot read"), "{}", run.stderr);
}

#[test]
fn bad_flags_exit_2() {
    for args in [
        &[][..],
        &["--synthetic", "--history", "x.jsonl"],
        &["--history", "x.jsonl", "--seed", "3"],
        &["--synthetic", "--seed", "seven"],
        &["--synthetic", "--format", "csv"],
    ] {
        let run = flowgate(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    }
}

/// A history where bob, asked on PR 2, never answers: the policy's ladder reminds him at 2 working
/// hours and hands the request on at 6, to amy, whose typical answer (PR 1) takes 2 hours.
#[test]
fn the_policys_ladder_adds_its_columns_to_the_markdown_and_the_json() {
    let dir = TempDir::new().expect("tempdir");
    let history = dir.path().join("history.jsonl");
    std::fs::write(
        &history,
        [
            r#"{"event":"pr_opened","at":"2025-02-24T09:00:00Z","repo":"a/b","number":1,"author":"carl","tier":"yellow"}"#,
            r#"{"event":"review","at":"2025-02-24T11:00:00Z","repo":"a/b","number":1,"reviewer":"amy"}"#,
            r#"{"event":"pr_opened","at":"2025-03-03T09:00:00Z","repo":"a/b","number":2,"author":"carl","tier":"yellow"}"#,
            "",
        ]
        .join("\n"),
    )
    .expect("write history");
    let policy = dir.path().join("flowgate.yml");
    std::fs::write(
        &policy,
        r#"version: 1
tiers:
  yellow: { default: true }
reviewers:
  pools:
    team: { members: [amy, bob], capacity: 5 }
  tiers:
    yellow: { request: 1, from: [team] }
latency:
  timezone: UTC
  slo:
    yellow: { first_response: 4h, remind_at: 50%, reassign_at: 150% }
"#,
    )
    .expect("write policy");
    let args = ["--history", path_str(&history), "--policy", path_str(&policy)];

    let run = flowgate(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("| first response p50 | p90 | reminders | channel | reassigned | reminders out of hours |"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("yellow 4h to first response (remind at 50%, reassign at 150%)"), "{}", run.stdout);
    // Round-robin asks amy on PR 1 (2 hours) and bob on PR 2, handed to amy at 15:00: 8 hours.
    assert!(run.stdout.contains("| round-robin | on | 3 |"), "{}", run.stdout);
    let rr_on = run.stdout.lines().find(|l| l.starts_with("| round-robin | on |")).expect("the ladder's row");
    assert!(rr_on.ends_with("| 2.0h | 8.0h | 1 | 0 | 1 | 0 |"), "{rr_on}");
    let ladder = run.stdout.lines().last().expect("the ladder's line");
    assert!(ladder.starts_with("ladder: with it, flowgate's first response came at"), "{ladder}");
    assert!(ladder.contains("no strategy's reminder went out outside the reviewer's working hours"), "{ladder}");

    let json = flowgate(&[&args[..], &["--format", "json"]].concat()).json();
    let with = json["with_ladder"].as_array().expect("with_ladder");
    assert_eq!(with.len(), 4);
    let rr = with.iter().find(|r| r["strategy"] == "round-robin").expect("round-robin");
    assert_eq!(
        (rr["ladder"].as_bool(), rr["reminders"].as_u64(), rr["reassignments"].as_u64()),
        (Some(true), Some(1), Some(1))
    );
    assert_eq!(
        (rr["first_response_p50_hours"].as_f64(), rr["first_response_p90_hours"].as_f64()),
        (Some(2.0), Some(8.0))
    );
    assert_eq!(rr["reminders_outside_hours"], 0);
    for off in json["results"].as_array().expect("results") {
        assert_eq!((off["ladder"].as_bool(), off["reminders"].as_u64()), (Some(false), Some(0)), "{off}");
        assert!(off["first_response_p50_hours"].is_number(), "{off}");
    }
    assert!(json["ladder_line"].as_str().is_some_and(|l| l.starts_with("ladder: ")));

    // --slo replaces the policy's ladder; --slo off replays without one.
    let flags = flowgate(&[&args[..], &["--slo", "yellow=4h:50%"]].concat());
    assert!(flags.stdout.contains("yellow 4h to first response (remind at 50%)."), "{}", flags.stdout);
    let off = flowgate(&[&args[..], &["--slo", "off"]].concat());
    assert!(off.stdout.contains("No SLO ladder") && !off.stdout.contains("| on |"), "{}", off.stdout);
    let bad = flowgate(&[&args[..], &["--slo", "yellow=4h:150%,50%"]].concat());
    bad.assert_bad_input("--slo yellow=4h:150%,50%: `remind_at` (150%) must come before `channel_at` (50%)");
}
