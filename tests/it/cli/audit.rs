//! `flowgate audit` end to end: merged PRs listed by a fake GitHub, their keys traced through
//! GitHub Issues sub-issues on the same fake (and a Jira that is down), with the coverage
//! figures, the roll-up per OKR and the seeded sample checked exactly.

use crate::support::common;
use crate::support::fake_github;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use common::Run;
use fake_github::{FakeGitHub, Pr, TOKEN};

const POLICY: &str = r#"
version: 1
tiers:
  red: { paths: ["src/auth/**"] }
  yellow: { default: true }
linkage:
  required: true
  sources: [title, branch, body]
  trackers: { jira: { projects: [ABC] }, github: {} }
  exempt: { authors: ["dependabot[bot]"] }
  chain:
    require: { red: okr }
"#;

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A PR merged `days_ago` days ago, opened ten hours before its merge; `additions` 10n, `deletions` n.
fn merged(n: u64, title: &str, body: &str, days_ago: i64) -> Value {
    let merged_at = Utc::now() - Duration::days(days_ago);
    json!({ "number": n, "title": title, "body": body, "state": "closed", "draft": false,
            "html_url": format!("https://github.com/acme/shop/pull/{n}"),
            "created_at": stamp(merged_at - Duration::hours(10)), "updated_at": stamp(merged_at),
            "merged_at": stamp(merged_at), "additions": 10 * n, "deletions": n,
            "user": { "login": "ann", "type": "User" }, "head": { "ref": format!("change-{n}") },
            "base": { "ref": "main" }, "labels": [] })
}

fn issue(base: &str, number: u64, title: &str, kind: Option<&str>, labels: &[&str]) -> Value {
    json!({
        "number": number, "title": title, "state": "open",
        "html_url": format!("https://github.com/acme/shop/issues/{number}"),
        "repository_url": format!("{base}/repos/acme/shop"),
        "type": kind.map(|k| json!({ "name": k })),
        "labels": labels.iter().map(|l| json!({ "name": l })).collect::<Vec<_>>(),
    })
}

/// Eleven PRs merged in the last 30 days: four trace to an OKR (three to #103, one to #113), one
/// breaks at an epic without a PRD, one names a Jira key, one an issue that does not exist,
/// three name nothing, and a bot's names nothing but is exempt. A closed PR that was not merged and one merged 60 days ago are not counted.
async fn fixture() -> FakeGitHub {
    let fake = FakeGitHub::start("acme/shop").await;
    let base = fake.uri();
    fake.with(|s| {
        s.contents.insert(("main".into(), ".github/flowgate.yml".into()), POLICY.into());
        for (n, title, parent, kind, labels) in [
            (100, "Saved cards", Some(101), Some("Story"), vec![]),
            (101, "Payment methods", Some(102), Some("Epic"), vec![]),
            (102, "Checkout PRD", Some(103), None, vec!["prd"]),
            (103, "Cut churn 10%", None, None, vec!["level:okr"]),
            (110, "EU prices", Some(111), Some("Story"), vec![]),
            (111, "EU launch", Some(112), Some("Epic"), vec![]),
            (112, "EU PRD", Some(113), None, vec!["prd"]),
            (113, "Ship in the EU", None, None, vec!["level:okr"]),
            (120, "Dark mode", Some(121), Some("Story"), vec![]),
            (121, "Theming", None, Some("Epic"), vec![]),
        ] {
            s.issues.insert(n, (issue(&base, n, title, kind, &labels), parent));
        }
        let prs = [
            merged(1, "Saved card button (#100)", "", 1),
            merged(2, "Card validation", "Part of #100", 2),
            merged(3, "#110 EU price list", "", 3),
            merged(4, "Card expiry", "Closes #100", 4),
            merged(5, "#120 dark toggle", "", 5),
            merged(6, "ABC-7 audit log", "", 6),
            merged(7, "Fix #999", "", 7),
            merged(8, "Docs", "", 8),
            merged(9, "Cleanup", "", 9),
            merged(10, "Refactor", "", 10),
        ];
        let mut bot = merged(13, "Bump serde", "", 11);
        bot["user"] = json!({ "login": "dependabot[bot]", "type": "Bot" });
        for pull in prs.into_iter().chain([bot]) {
            let n = pull["number"].as_u64().expect("number");
            s.pulls.insert(n, Pr { pull, ..Pr::default() });
        }
        let mut unmerged = merged(11, "#100 abandoned", "", 2);
        unmerged["merged_at"] = Value::Null;
        s.pulls.insert(11, Pr { pull: unmerged, ..Pr::default() });
        s.pulls.insert(12, Pr { pull: merged(12, "#110 old", "", 60), ..Pr::default() });
        // PR 1 was opened as a draft and became ready two hours before its merge.
        let ready = Utc::now() - Duration::days(1) - Duration::hours(2);
        s.timelines.insert(1, vec![json!({ "event": "ready_for_review", "id": 1, "created_at": stamp(ready) })]);
    });
    fake
}

fn audit(fake: &FakeGitHub, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = assert_cmd::Command::cargo_bin("flowgate").expect("binary");
    cmd.args(["audit", "--repo", "acme/shop", "--token", TOKEN, "--api-url", &fake.uri()]);
    if !args.contains(&"--since") {
        cmd.args(["--since", "30d"]);
    }
    cmd.args(args);
    for var in ["FLOWGATE_GITHUB_ISSUES_URL", "FLOWGATE_GITHUB_ISSUES_TOKEN", "FLOWGATE_JIRA_URL", "GITHUB_TOKEN"] {
        cmd.env_remove(var);
    }
    // A Jira that refuses every connection: configured, but down.
    cmd.envs([
        ("FLOWGATE_JIRA_URL", "http://127.0.0.1:9"),
        ("FLOWGATE_JIRA_EMAIL", "audit@acme.example"),
        ("FLOWGATE_JIRA_TOKEN", "jira-token"),
        ("FLOWGATE_TRACKER_TIMEOUT_MS", "2000"),
    ]);
    cmd.envs(env.iter().copied());
    Run::of(&mut cmd)
}

fn status_of(report: &Value, n: u64) -> Value {
    report["prs"].as_array().expect("prs").iter().find(|p| p["number"] == n).expect("listed")["trace"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_audit_counts_traced_broken_unverified_and_orphaned_prs_exactly() {
    let fake = fixture().await;
    let run = audit(&fake, &["--format", "json"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert_eq!(
        report["coverage"],
        json!({ "merged": 11, "with_key": 7, "traced": 4, "broken": 1, "not_verified": 1, "exempt": 1, "orphaned": 4 })
    );
    assert_eq!(report["levels"], json!(["story", "epic", "prd", "okr"]));
    assert_eq!(status_of(&report, 1), json!({ "status": "traced", "key": "acme/shop#100", "okr": "acme/shop#103" }));
    assert_eq!(status_of(&report, 5)["at"], "acme/shop#121");
    assert_eq!(status_of(&report, 5)["missing"], "prd");
    assert_eq!(status_of(&report, 6)["status"], "not_verified");
    assert_eq!(status_of(&report, 7), json!({ "status": "not_found", "key": "acme/shop#999" }));
    assert_eq!(status_of(&report, 8), json!({ "status": "no_key" }));
    assert_eq!(status_of(&report, 13), json!({ "status": "exempt", "reason": "author dependabot[bot] is exempt" }));
    // Lines are additions plus deletions (11 n), from each single PR since the listing lacks them;
    // review time runs from ready for review to merge.
    assert_eq!(report["okrs"][0]["key"], "acme/shop#103");
    assert_eq!(report["okrs"][0]["title"], "Cut churn 10%");
    assert_eq!(report["okrs"][0]["prs"], 3);
    assert_eq!(report["okrs"][0]["changed_lines"], 11 + 22 + 44);
    assert_eq!(report["okrs"][0]["median_review_hours"], 10.0);
    assert_eq!(report["okrs"][1]["key"], "acme/shop#113");
    assert_eq!(report["okrs"][1]["prs"], 1);
    assert_eq!(report["okrs"].as_array().map(Vec::len), Some(2));
    // #100 is named by three PRs but looked up once: 4 items of its chain, 2 requests each, and so on.
    let lookups = fake.with(|s| s.log.iter().filter(|l| l.url.contains("/issues/100")).count());
    assert_eq!(lookups, 2, "issue 100 and its parent, once each: {lookups}");
    assert!(run.stderr.contains("trackers:"), "{}", run.stderr);

    let markdown = audit(&fake, &[], &[]);
    assert_eq!(markdown.code, 0, "{}", markdown.stderr);
    assert!(markdown.stdout.contains("| Full chain up to okr | 4 | 36% |"), "{}", markdown.stdout);
    assert!(
        markdown.stdout.contains("- [#8 Docs](https://github.com/acme/shop/pull/8) by @ann"),
        "{}",
        markdown.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tracker_that_is_down_leaves_its_prs_not_verified_never_traced() {
    let fake = fixture().await;
    let run = audit(&fake, &["--format", "json"], &[("FLOWGATE_GITHUB_ISSUES_URL", "http://127.0.0.1:9")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    // Even #999 cannot be called missing when nobody could ask.
    assert_eq!(
        report["coverage"],
        json!({ "merged": 11, "with_key": 7, "traced": 0, "broken": 0, "not_verified": 7, "exempt": 1, "orphaned": 3 })
    );
    assert_eq!(report["okrs"], json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sample_is_the_same_for_a_seed_and_differs_for_another() {
    let fake = fixture().await;
    let sample = |seed: &str| {
        let run = audit(&fake, &["--format", "json", "--sample", "4", "--seed", seed], &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.json()["sample"].clone()
    };
    let first = sample("1");
    assert_eq!(first.as_array().map(Vec::len), Some(4));
    assert_eq!(first, sample("1"));
    assert_ne!(first, sample("2"));
    let markdown = audit(&fake, &["--sample", "10"], &[]);
    assert!(markdown.stdout.contains("## Sample: 10 PRs chosen at random (seed 20261121)"), "{}", markdown.stdout);
    assert!(
        markdown.stdout.contains("#1 -> acme/shop#100 (story) 'Saved cards' -> acme/shop#101 (epic) 'Payment methods' -> acme/shop#102 (prd) 'Checkout PRD' -> acme/shop#103 (okr) 'Cut churn 10%': traced up to acme/shop#103"),
        "{}",
        markdown.stdout
    );
    let html = audit(&fake, &["--format", "html"], &[]);
    assert!(html.stdout.starts_with("<!DOCTYPE html>") && html.stdout.contains("Cut churn 10%"), "{}", html.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_flags_get_one_clear_line() {
    let fake = fixture().await;
    let first_line = |run: &Run| run.stderr.lines().next().unwrap_or_default().to_string();
    let span = audit(&fake, &["--since", "30x"], &[]);
    assert_eq!(span.code, 2);
    assert!(first_line(&span).contains("`30x` is not a span"), "{}", span.stderr);
    let format = audit(&fake, &["--format", "pdf"], &[]);
    assert_eq!(format.code, 2);
    assert!(first_line(&format).contains("invalid value 'pdf' for '--format"), "{}", format.stderr);
    let sample = audit(&fake, &["--sample", "0"], &[]);
    assert_eq!(sample.code, 2);
    assert!(first_line(&sample).contains("--sample"), "{}", sample.stderr);
    let mut cmd = assert_cmd::Command::cargo_bin("flowgate").expect("binary");
    cmd.args(["audit", "--repo", "not-a-repo", "--token", TOKEN, "--api-url", &fake.uri()]);
    Run::of(&mut cmd).assert_bad_input("not-a-repo");
}
