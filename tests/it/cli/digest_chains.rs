//! `flowgate digest`'s chain coverage end to end: merged PRs recorded in a store with their story
//! keys, traced at digest time through GitHub Issues sub-issues on a fake GitHub and a Jira that is
//! down, with the figures checked exactly in JSON and Markdown; and the sentence a digest says when
//! it cannot compute them.

use crate::support::common;
use crate::support::fake_github;

use chrono::{DateTime, Utc};
use flowgate::latency::{Actor, Event, EventKind, PrContext};
use flowgate::model::Login;
use flowgate::store::Store;
use serde_json::{Value, json};

use common::{Run, path_str};
use fake_github::{FakeGitHub, TOKEN};

const CHAIN_POLICY: &str = r#"
version: 1
tiers:
  yellow: { default: true }
linkage:
  required: true
  trackers: { jira: { projects: [ABC] }, github: {} }
  chain:
    require: { yellow: okr }
"#;

const NO_CHAIN_POLICY: &str = r#"
version: 1
tiers:
  yellow: { default: true }
linkage:
  required: true
  trackers: { jira: { projects: [ABC] }, github: {} }
"#;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("a time").with_timezone(&Utc)
}

/// A PR opened on 4 March and merged two hours later, naming `keys`.
fn merged_pr(pr: u64, keys: &[&str]) -> Vec<Event> {
    let context = PrContext {
        author: Login::new("ann"),
        story_keys: keys.iter().map(|k| k.to_string()).collect(),
        ..PrContext::default()
    };
    let event = |n: &str, when: &str, kind: EventKind| Event {
        id: format!("{pr}{n}"),
        repo: "acme/shop".into(),
        pr,
        at: at(when),
        actor: Actor::login("ann"),
        context: context.clone(),
        kind,
    };
    vec![
        event("a", "2025-03-04T09:00:00Z", EventKind::Opened { draft: false }),
        event("b", "2025-03-04T11:00:00Z", EventKind::Merged),
    ]
}

fn issue(base: &str, number: u64, title: &str, kind: Option<&str>, labels: &[&str]) -> Value {
    json!({
        "number": number, "title": title, "state": "closed",
        "html_url": format!("https://github.com/acme/shop/issues/{number}"),
        "repository_url": format!("{base}/repos/acme/shop"),
        "type": kind.map(|k| json!({ "name": k })),
        "labels": labels.iter().map(|l| json!({ "name": l })).collect::<Vec<_>>(),
    })
}

/// Five PRs merged in the window: #1 and #2 trace up to an OKR, #3 stops at an epic without a
/// PRD, #4 names a Jira key (Jira is down), #5 names nothing.
async fn fixture() -> (FakeGitHub, tempfile::TempDir, String) {
    let fake = FakeGitHub::start("acme/shop").await;
    let base = fake.uri();
    fake.with(|s| {
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
    });
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = format!("sqlite://{}", path_str(&dir.path().join("flowgate.db")));
    let store = Store::connect(&db).await.expect("connects");
    let mut events = Vec::new();
    for (pr, keys) in [
        (1, vec!["acme/shop#100"]),
        (2, vec!["acme/shop#110"]),
        (3, vec!["acme/shop#120"]),
        (4, vec!["ABC-7"]),
        (5, vec![]),
    ] {
        events.extend(merged_pr(pr, &keys));
    }
    assert_eq!(store.record_events(&events).await.expect("records"), 10);
    drop(store);
    (fake, dir, db)
}

fn digest(dir: &tempfile::TempDir, db: &str, policy: &str, format: &str, env: &[(&str, &str)]) -> Run {
    let path = dir.path().join("flowgate.yml");
    std::fs::write(&path, policy).expect("policy written");
    let mut cmd = assert_cmd::Command::cargo_bin("flowgate").expect("binary");
    cmd.args(["digest", "--since", "7d", "--until", "2025-03-08T00:00:00Z", "--clock", "calendar"]);
    cmd.args(["--database-url", db, "--policy", path_str(&path), "--format", format]);
    for var in [
        "GITHUB_TOKEN",
        "GITHUB_API_URL",
        "FLOWGATE_GITHUB_ISSUES_URL",
        "FLOWGATE_GITHUB_ISSUES_TOKEN",
        "FLOWGATE_JIRA_URL",
        "FLOWGATE_JIRA_EMAIL",
        "FLOWGATE_JIRA_TOKEN",
        "FLOWGATE_LINEAR_TOKEN",
        "FLOWGATE_SHORTCUT_TOKEN",
        "FLOWGATE_AZURE_URL",
        "FLOWGATE_AZURE_TOKEN",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("FLOWGATE_TRACKER_TIMEOUT_MS", "2000");
    cmd.envs(env.iter().copied());
    Run::of(&mut cmd)
}

fn trackers(fake: &FakeGitHub) -> Vec<(&'static str, String)> {
    vec![
        ("FLOWGATE_GITHUB_ISSUES_URL", fake.uri()),
        ("FLOWGATE_GITHUB_ISSUES_TOKEN", TOKEN.to_string()),
        // Configured, but refusing every connection.
        ("FLOWGATE_JIRA_URL", "http://127.0.0.1:9".to_string()),
        ("FLOWGATE_JIRA_EMAIL", "digest@acme.example".to_string()),
        ("FLOWGATE_JIRA_TOKEN", "jira-token".to_string()),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn the_digest_counts_full_chains_broken_chains_and_unverified_stories_exactly() {
    let (fake, dir, db) = fixture().await;
    let env = trackers(&fake);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = digest(&dir, &db, CHAIN_POLICY, "json", &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let traceability = &run.json()["traceability"];
    assert_eq!(traceability["merged"], 5);
    assert_eq!(traceability["with_story"], 4);
    assert_eq!(
        traceability["chains"],
        json!({ "status": "computed", "levels": ["story", "epic", "prd", "okr"], "traced": 2, "broken": 1,
                "not_found": 0, "not_verified": 1, "traced_share": 0.4 })
    );
    assert!(!run.stderr.contains("jira-token") && !run.stderr.contains(TOKEN), "{}", run.stderr);
    assert!(run.stderr.contains("trackers:"), "{}", run.stderr);
    // Each distinct key's chain is walked once: the issue and its parent, two requests an item.
    let lookups = fake.with(|s| s.log.iter().filter(|l| l.url.contains("/issues/100")).count());
    assert_eq!(lookups, 2);

    let markdown = digest(&dir, &db, CHAIN_POLICY, "markdown", &env);
    assert_eq!(markdown.code, 0, "{}", markdown.stderr);
    assert!(markdown.stdout.contains("4 of 5 merged PRs (80%) link to a story."), "{}", markdown.stdout);
    assert!(
        markdown.stdout.contains(
            "2 of 5 merged PRs (40%) trace all the way up to okr; 1 broken, 0 with a key that does not resolve, 1 not verified (a tracker did not answer)."
        ),
        "{}",
        markdown.stdout
    );
    assert!(
        markdown
            .stdout
            .contains("**Only 2 of 5 merged PRs (40%) trace all the way up to okr.** Link stories to their epics and up to okr; flowgate audit lists the broken chains."),
        "the low coverage is a finding: {}",
        markdown.stdout
    );
    let html = digest(&dir, &db, CHAIN_POLICY, "html", &env);
    assert!(html.stdout.contains("of merged PRs have a full chain to okr"), "{}", html.stdout);
    let slack = digest(&dir, &db, CHAIN_POLICY, "slack", &env);
    assert!(slack.stdout.contains("Full chain to okr*\\n40%"), "{}", slack.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn with_every_tracker_down_no_story_counts_as_traced() {
    let (fake, dir, db) = fixture().await;
    let mut env = trackers(&fake);
    env[0].1 = "http://127.0.0.1:9".to_string();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = digest(&dir, &db, CHAIN_POLICY, "json", &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let chains = &run.json()["traceability"]["chains"];
    assert_eq!((chains["traced"].as_u64(), chains["not_verified"].as_u64()), (Some(0), Some(4)), "{chains}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_digest_that_cannot_trace_says_why_and_shows_no_figure() {
    let (fake, dir, db) = fixture().await;
    let env = trackers(&fake);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = digest(&dir, &db, NO_CHAIN_POLICY, "markdown", &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("The share with a full chain was not computed: the policy has no linkage"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("trace all the way up"), "{}", run.stdout);
    assert_eq!(fake.with(|s| s.log.iter().filter(|l| l.url.contains("/issues/")).count()), 0);

    let unconfigured = digest(&dir, &db, CHAIN_POLICY, "json", &[]);
    assert_eq!(unconfigured.code, 0, "{}", unconfigured.stderr);
    let chains = &unconfigured.json()["traceability"]["chains"];
    assert_eq!(chains["status"], "not_computed", "{chains}");
    assert!(chains["reason"].as_str().is_some_and(|r| r.starts_with("no tracker is configured")), "{chains}");
}
