//! `flowgate digest --try-target` on a saved event log: for each of the trend's eight weeks, how
//! many PRs of the tier would have breached a target nobody enforces yet, and the PRs the
//! policy's `latency.exclude` left out, counted in no figure and named in the footer.
//!
//! Working hours, Monday to Friday 09:00-17:00 UTC; window 3 to 10 March 2025; the trend's weeks
//! start on Monday 13 January.
//! Each PR reviewed is merged at once.
//!   #1 red, opened Tue 4 Feb 09:00, approved Wed 11:00: 10 h, late against 8 h (2025-W06)
//!   #2 red, opened Mon 24 Feb 09:00, approved 12:00: 3 h (2025-W09)
//!   #3 red, opened Thu 6 Mar 09:00, never reviewed: 16 h at the week's end (2025-W10)
//!   #4 red by renovate[bot], 32 h: left out (authors)
//!   #5 red, `Revert "…"`, 16 h: left out (reverts)
//!   #6 yellow, opened Mon 3 Mar 09:00, approved Tue 11:00: 10 h, late against 4 h (2025-W10)

use crate::support::common;

use chrono::{DateTime, Utc};
use flowgate::Tier;
use flowgate::latency::{Actor, Event, EventKind, PrContext, ReviewOutcome};
use flowgate::model::Login;
use flowgate::store::Store;
use serde_json::{Value, json};

use common::{Run, path_str};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("a time").with_timezone(&Utc)
}

fn pr(number: u64, author: &str, tier: Tier, title: &str, opened: &str, approved: Option<&str>) -> Vec<Event> {
    let context = PrContext {
        author: Login::new(author),
        tier: Some(tier),
        title: Some(title.into()),
        head_branch: Some(format!("topic-{number}")),
        ..PrContext::default()
    };
    let event = |n: &str, when: &str, actor: &str, kind: EventKind| Event {
        id: format!("{number}{n}"),
        repo: "acme/shop".into(),
        pr: number,
        at: at(when),
        actor: Actor::login(actor),
        context: context.clone(),
        kind,
    };
    let mut events = vec![event("a", opened, author, EventKind::Opened { draft: false })];
    if let Some(when) = approved {
        events.push(event("b", when, "bob", EventKind::ReviewSubmitted { outcome: ReviewOutcome::Approved }));
        events.push(event("c", when, author, EventKind::Merged));
    }
    events
}

async fn saved_log(db: &str) {
    let events: Vec<Event> = [
        pr(1, "ann", Tier::Red, "Faster search", "2025-02-04T09:00:00Z", Some("2025-02-05T11:00:00Z")),
        pr(2, "ann", Tier::Red, "Cart totals", "2025-02-24T09:00:00Z", Some("2025-02-24T12:00:00Z")),
        pr(3, "ann", Tier::Red, "Refunds", "2025-03-06T09:00:00Z", None),
        pr(4, "renovate[bot]", Tier::Red, "Update serde", "2025-03-03T09:00:00Z", Some("2025-03-06T17:00:00Z")),
        pr(5, "ann", Tier::Red, "Revert \"Cart totals\"", "2025-03-04T09:00:00Z", Some("2025-03-06T09:00:00Z")),
        pr(6, "ann", Tier::Yellow, "Copy edits", "2025-03-03T09:00:00Z", Some("2025-03-04T11:00:00Z")),
    ]
    .concat();
    let store = Store::connect(db).await.expect("connects");
    assert_eq!(store.record_events(&events).await.expect("records"), 16);
}

fn digest(db: &str, policy: &std::path::Path, flags: &[&str]) -> Run {
    let mut cmd = assert_cmd::Command::cargo_bin("flowgate").expect("binary");
    cmd.args(["digest", "--since", "7d", "--until", "2025-03-10T00:00:00Z", "--database-url", db]);
    cmd.args(["--policy", path_str(policy)]).args(flags);
    Run::of(&mut cmd)
}

#[tokio::test(flavor = "multi_thread")]
async fn digest_tries_targets_week_by_week_and_leaves_out_what_the_policy_excludes() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = format!("sqlite://{}", path_str(&dir.path().join("flowgate.db")));
    saved_log(&db).await;
    let policy = dir.path().join("flowgate.yml");
    std::fs::write(
        &policy,
        "extends: default\nlatency:\n  targets:\n    green: { target: 2h, mode: preview }\n  exclude:\n    reverts: true\n    authors: [\"renovate[bot]\"]\n",
    )
    .expect("policy written");

    let run = digest(&db, &policy, &["--try-target", "red=8h", "--try-target", "yellow=4h", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    let tried = |tier: &str| -> Vec<(String, u64, u64)> {
        let target = json["tried_targets"].as_array().and_then(|t| t.iter().find(|t| t["tier"] == tier).cloned());
        let target = target.unwrap_or_else(|| panic!("{tier} is tried: {}", json["tried_targets"]));
        let weeks = target["weeks"].as_array().cloned().unwrap_or_default();
        weeks
            .iter()
            .map(|w| {
                (
                    w["week"].as_str().unwrap_or("").to_string(),
                    w["breached"].as_u64().unwrap_or(99),
                    w["out_of"].as_u64().unwrap_or(99),
                )
            })
            .collect()
    };
    let week = |name: &str, breached, out_of| (name.to_string(), breached, out_of);
    assert_eq!(
        tried("red"),
        vec![
            week("2025-W03", 0, 0),
            week("2025-W04", 0, 0),
            week("2025-W05", 0, 0),
            week("2025-W06", 1, 1),
            week("2025-W07", 0, 0),
            week("2025-W08", 0, 0),
            week("2025-W09", 0, 1),
            week("2025-W10", 1, 1),
        ]
    );
    assert_eq!(tried("yellow").last(), Some(&week("2025-W10", 1, 1)));
    assert!(tried("green").iter().all(|(_, breached, out_of)| (*breached, *out_of) == (0, 0)), "the policy's preview");
    assert_eq!(
        json["tried_targets"][0]["summary"],
        "red: a first review within 8.0 h (working hours): 2 of 3 PRs would have breached it over 8 weeks."
    );
    assert_eq!(json["targets"], json!([]), "tried, not enforced");
    let findings = json["findings"].as_array().cloned().unwrap_or_default();
    assert!(!findings.iter().any(|f| f["kind"] == "target_missed"), "{findings:?}");
    assert_eq!(
        json["left_out"],
        json!({
            "prs": 2,
            "rules": [
                { "rule": "authors", "prs": 1, "values": ["renovate[bot]"] },
                { "rule": "reverts", "prs": 1, "values": [] },
            ],
            "summary": "Left out: 2 PRs — 1 by author renovate[bot], 1 revert.",
        })
    );
    assert_eq!(json["totals"]["prs_active"], 2, "#3 and #6; #4 and #5 are left out: {}", json["totals"]);
    assert_eq!(json["overall"]["first_review_hours"]["count"], 1, "#6's; not #4's or #5's");

    let markdown = digest(&db, &policy, &["--try-target", "red=8h"]);
    assert_eq!(markdown.code, 0, "{}", markdown.stderr);
    let text: &str = &markdown.stdout;
    assert!(text.contains("## Targets tried, not enforced\n"), "{text}");
    assert!(
        text.contains("| 2025-W06 | 1 | 1 | 1 | 0 |\n") && text.contains("| 2025-W10 | 1 | 1 | 0 | 1 |\n"),
        "{text}"
    );
    assert!(text.contains("_Left out: 2 PRs — 1 by author renovate\\[bot\\], 1 revert._"), "{text}");

    // With the same target enforced, the week's late PR is a finding.
    let enforced = digest(&db, &policy, &["--target", "red=8h", "--format", "json"]);
    let findings: Value = enforced.json()["findings"].clone();
    assert!(findings.as_array().is_some_and(|f| f.iter().any(|f| f["kind"] == "target_missed")), "{findings}");

    let bad = digest(&db, &policy, &["--try-target", "red=1d"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("not a review-time target"), "{}", bad.stderr);
}
