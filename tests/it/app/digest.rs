//! The App's weekly digest: one issue per week in the configured repository, created by one
//! replica however many run at once, updated when run again, found again after a crash; and
//! `GET /digest`, the last seven days as an HTML page. Against the fake GitHub and a real store
//! (SQLite, and PostgreSQL when FLOWGATE_TEST_DATABASE_URL is set). The settings come from the
//! policy on the digest repository's default branch.

use crate::support::db::Db;
use crate::support::fake_github;
use crate::support::server;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use flowgate::latency::{Actor, Event, EventKind, PrContext, ReviewOutcome, Reviewer};
use flowgate::model::Login;
use flowgate::serve::App;
use flowgate::serve::config::DigestSchedule;
use flowgate::serve::digest::{LABEL, Posted, due, post_week};
use flowgate::store::Store;

use fake_github::{AppAuth, FakeGitHub};
use server::{Server, databases};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("a time").with_timezone(&Utc)
}

fn event(id: &str, pr: u64, when: DateTime<Utc>, actor: &str, kind: EventKind) -> Event {
    Event {
        id: id.into(),
        repo: "acme/shop".into(),
        pr,
        at: when,
        actor: Actor::login(actor),
        context: PrContext { author: Login::new("ann"), ..PrContext::default() },
        kind,
    }
}

/// A PR opened, reviewed after four hours and merged, starting at `start`.
fn reviewed_pr(pr: u64, start: DateTime<Utc>) -> Vec<Event> {
    let id = |s: &str| format!("{pr}{s}");
    vec![
        event(&id("a"), pr, start, "ann", EventKind::Opened { draft: false }),
        event(&id("b"), pr, start, "ann", EventKind::ReviewRequested { reviewer: Reviewer::user("bob") }),
        event(
            &id("c"),
            pr,
            start + Duration::hours(4),
            "bob",
            EventKind::ReviewSubmitted { outcome: ReviewOutcome::Approved },
        ),
        event(&id("d"), pr, start + Duration::hours(5), "ann", EventKind::Merged),
    ]
}

fn schedule() -> DigestSchedule {
    DigestSchedule {
        repo: flowgate::github::RepoName::parse("acme/eng").expect("a repository"),
        weekday: chrono::Weekday::Mon,
        hour: 9,
        timezone: "UTC".into(),
        timezone_given: false,
        slack_webhook_url: None,
        team_slack: Default::default(),
        max_repos: 100,
    }
}

async fn replica(fake: &FakeGitHub, url: &str) -> Arc<App> {
    let mut config = server::config(fake, url);
    config.digest = Some(schedule());
    Arc::new(App::new(config, Store::connect(url).await.expect("store")))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_weekly_digest_is_one_issue_per_week() {
    for db in databases("serve_digest").await {
        let fake = FakeGitHub::start("acme/eng").await;
        fake.with(|s| s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() }));
        let (one, two) = (replica(&fake, &db.url).await, replica(&fake, &db.url).await);
        one.store.record_events(&reviewed_pr(1, at("2025-03-04T10:00:00Z"))).await.expect("records");

        // Monday 2025-03-10 after 09:00 UTC: the week 2025-W11, the seven days before 09:00.
        let now = at("2025-03-10T10:00:00Z");
        let week = due(&schedule(), now).expect("due");
        assert_eq!(week.week, "2025-W11");

        // Two replicas at once: one creates the issue, the other leaves it or updates it.
        let run = |app: &Arc<App>, name: &'static str| {
            let (app, week) = (app.clone(), week.clone());
            tokio::spawn(async move { post_week(&app, &schedule(), &week, now, name).await })
        };
        let (a, b) = (run(&one, "replica-one"), run(&two, "replica-two"));
        let (a, b) = (a.await.expect("runs"), b.await.expect("runs"));
        let (a, b) = (a.expect("replica one"), b.expect("replica two"));
        let created: Vec<u64> =
            [a, b].iter().filter_map(|p| if let Posted::Created(n) = p { Some(*n) } else { None }).collect();
        assert_eq!(created.len(), 1, "{}: exactly one replica creates it: {a:?} {b:?}", db.name);
        let number = created[0];
        let issues = fake.with(|s| s.opened_issues.clone());
        assert_eq!(issues.len(), 1, "{}: {issues:?}", db.name);
        let issue = &issues[&number];
        assert_eq!(issue["title"], "Review digest 2025-W11");
        assert_eq!(issue["labels"][0]["name"], LABEL);
        let first_body = issue["body"].as_str().expect("a body").to_string();
        assert!(first_body.contains("```mermaid"), "the Markdown digest: {first_body}");
        assert_eq!(one.store.digest_issue("acme/eng", "2025-W11").await.expect("reads"), Some(number as i64));

        // Run again after a late event: the same issue, its body rewritten.
        one.store.record_events(&reviewed_pr(2, at("2025-03-05T10:00:00Z"))).await.expect("records");
        fake.clear_log();
        let again = post_week(&two, &schedule(), &week, now + Duration::hours(1), "replica-two").await;
        assert_eq!(again.expect("updates"), Posted::Updated(number));
        let writes: Vec<String> = fake.with(|s| {
            s.writes().iter().filter(|l| l.url.contains("/repos/")).map(|l| format!("{} {}", l.method, l.url)).collect()
        });
        assert!(writes.iter().all(|w| w.starts_with("PATCH")) && writes.len() == 1, "{writes:?}");
        let issues = fake.with(|s| s.opened_issues.clone());
        assert_eq!(issues.len(), 1);
        assert_ne!(issues[&number]["body"].as_str(), Some(first_body.as_str()), "two PRs now");

        // An issue made before a crash (on GitHub, not in the store) is found again, not doubled.
        let next = due(&schedule(), at("2025-03-17T09:00:00Z")).expect("due");
        fake.with(|s| {
            s.opened_issues.insert(
                1500,
                serde_json::json!({ "number": 1500, "title": next.title(), "body": "", "state": "open",
                                    "labels": [{ "name": LABEL }] }),
            )
        });
        let found = post_week(&one, &schedule(), &next, next.at, "replica-one").await.expect("posts");
        assert_eq!(found, Posted::Created(1500));
        assert_eq!(fake.with(|s| s.opened_issues.len()), 2, "no second issue for 2025-W12");
        db.drop_database().await;
    }
}

/// A failure to create the issue gives the week's claim back, so the next run creates it.
#[tokio::test(flavor = "multi_thread")]
async fn a_failed_post_is_tried_again() {
    let db = &Db::sqlite();
    let fake = FakeGitHub::start("acme/eng").await;
    fake.with(|s| {
        s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() });
        s.read_only = true;
    });
    let app = replica(&fake, &db.url).await;
    let now = at("2025-03-10T10:00:00Z");
    let week = due(&schedule(), now).expect("due");
    let e = post_week(&app, &schedule(), &week, now, "replica-one").await.unwrap_err().to_string();
    assert!(e.contains("403"), "{e}");
    fake.with(|s| s.read_only = false);
    let posted = post_week(&app, &schedule(), &week, now, "replica-one").await.expect("posts");
    assert!(matches!(posted, Posted::Created(_)), "{posted:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn get_digest_serves_the_last_seven_days_as_html() {
    for db in databases("serve_digest_page").await {
        let fake = FakeGitHub::start("acme/eng").await;
        let server = Server::start(&fake, &db.url).await;
        let (status, body) = server.get("/digest").await;
        assert_eq!(status, 404, "{}: {body}", db.name);
        assert!(body.contains("no review events recorded yet"), "{body}");

        let now = Utc::now();
        let mut events = reviewed_pr(1, now - Duration::hours(30));
        events.extend(reviewed_pr(2, now - Duration::hours(50)));
        server.app.store.record_events(&events).await.expect("records");
        let (status, body) = server.get("/digest").await;
        assert_eq!(status, 200, "{}: {body}", db.name);
        assert!(body.contains("</html>") && body.matches("<svg").count() >= 2, "the page with its charts: {body}");
        assert!(body.contains("data-value"), "charts drawn from figures: {body}");
        server.stop().await;
        db.drop_database().await;
    }
}

/// `reviewed_pr` with the PR in the red tier, as an evaluated PR's events are.
fn red_pr(pr: u64, start: DateTime<Utc>) -> Vec<Event> {
    let mut events = reviewed_pr(pr, start);
    for e in &mut events {
        e.context.tier = Some(flowgate::policy::Tier::Red);
    }
    events
}

/// The row of the first-review targets table for `tier`, if the body has one.
fn target_row<'a>(body: &'a str, tier: &str) -> Option<&'a str> {
    body.lines().find(|l| l.starts_with(&format!("| {tier} |")))
}

/// The policy on the digest repository's default branch sets the targets: a one-hour target for
/// red makes the four-hour first review late, which the bundled default (no targets) does not.
#[tokio::test(flavor = "multi_thread")]
async fn the_digest_uses_the_latency_targets_of_the_repositorys_policy() {
    let db = &Db::sqlite();
    let fake = FakeGitHub::start("acme/eng").await;
    fake.with(|s| s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() }));
    let app = replica(&fake, &db.url).await;
    // Tuesday 10:00 UTC, first review at 14:00: four working hours.
    app.store.record_events(&red_pr(1, at("2025-03-04T10:00:00Z"))).await.expect("records");

    // No policy in the repository: the bundled default, which sets no targets.
    let week = due(&schedule(), at("2025-03-10T10:00:00Z")).expect("due");
    let number = match post_week(&app, &schedule(), &week, week.at, "replica-one").await.expect("posts") {
        Posted::Created(n) => n,
        other => panic!("{other:?}"),
    };
    let body = fake.with(|s| s.opened_issues[&number]["body"].as_str().unwrap_or_default().to_string());
    assert!(target_row(&body, "red").is_none() && !body.starts_with("> **Warning:**"), "{body}");

    // The repository's default branch is `trunk`; a policy on another branch is not read.
    fake.with(|s| {
        s.default_branch = Some("trunk".into());
        s.contents.insert(
            ("main".into(), ".github/flowgate.yml".into()),
            "extends: default\nlatency: { targets: { red: 30m } }\n".into(),
        );
        s.contents.insert(
            ("trunk".into(), ".github/flowgate.yml".into()),
            "extends: default\nlatency: { targets: { red: 1h } }\n".into(),
        );
    });
    let again = post_week(&app, &schedule(), &week, week.at, "replica-one").await.expect("posts");
    assert_eq!(again, Posted::Updated(number));
    let body = fake.with(|s| s.opened_issues[&number]["body"].as_str().unwrap_or_default().to_string());
    let row = target_row(&body, "red").unwrap_or_else(|| panic!("a red target row: {body}"));
    assert!(row.starts_with("| red | 1.0 h |"), "the policy's one hour on trunk, not main's 30m: {row}");
    assert!(row.contains("| 1 | 1 (100%) |"), "the one first review was late: {row}");
    assert!(!body.starts_with("> **Warning:**"), "{body}");

    // `[digest] timezone` wins over the policy's calendar, as `--timezone` does: Tuesday 10:00 to
    // 14:00 UTC is 19:00 to 23:00 in Tokyo, no working hours, so the review is on time there;
    // the policy's target still applies.
    fake.with(|s| {
        s.contents.insert(
            ("trunk".into(), ".github/flowgate.yml".into()),
            "extends: default\nlatency: { targets: { red: 1h }, timezone: Europe/London }\n".into(),
        )
    });
    let tokyo = DigestSchedule { timezone: "Asia/Tokyo".into(), timezone_given: true, ..schedule() };
    post_week(&app, &tokyo, &week, week.at, "replica-one").await.expect("posts");
    let body = fake.with(|s| s.opened_issues[&number]["body"].as_str().unwrap_or_default().to_string());
    let row = target_row(&body, "red").unwrap_or_else(|| panic!("a red target row: {body}"));
    assert!(row.starts_with("| red | 1.0 h | 1 | 0 (0%) |"), "on time in Tokyo's office hours: {row}");
    db.drop_database().await;
}

/// A policy that does not load: the digest is still posted, and its first lines say that the
/// policy's latency settings could not be read, and why; `/digest` says so too.
#[tokio::test(flavor = "multi_thread")]
async fn a_broken_policy_is_named_in_the_digest() {
    let db = &Db::sqlite();
    let fake = FakeGitHub::start("acme/eng").await;
    fake.with(|s| {
        s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() });
        s.contents.insert(
            ("main".into(), ".github/flowgate.yml".into()),
            "extends: default\nlatency: { targets: { red: soon } }\n".into(),
        );
    });
    let mut config = server::config(&fake, &db.url);
    config.digest = Some(schedule());
    let server = Server::start_with(config).await;
    server.app.store.record_events(&red_pr(1, at("2025-03-04T10:00:00Z"))).await.expect("records");

    let week = due(&schedule(), at("2025-03-10T10:00:00Z")).expect("due");
    let posted = post_week(&server.app, &schedule(), &week, week.at, "replica-one").await.expect("still posts");
    let Posted::Created(number) = posted else { panic!("{posted:?}") };
    let body = fake.with(|s| s.opened_issues[&number]["body"].as_str().unwrap_or_default().to_string());
    let first = body.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("> **Warning:** The policy's latency settings could not be read")
            && first.contains(".github/flowgate.yml of acme/eng")
            && first.contains("soon"),
        "the notice names the file and what is wrong: {first}"
    );
    assert!(body.contains("# "), "the digest follows: {body}");

    // Recent events, so the page has something to show.
    server.app.store.record_events(&red_pr(2, Utc::now() - Duration::hours(30))).await.expect("records");
    let (status, page) = server.get("/digest").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<p class=\"warning\">The policy's latency settings could not be read ("), "{page}");
    server.stop().await;
    db.drop_database().await;
}

/// The App's digest traces the merged PRs' stories with the gate's tracker clients when the
/// policy has a `linkage.chain`. Its GitHub Issues lookups carry no token of their own (as the
/// gate's), so the fake refuses them: the story is not verified, never traced. Without a chain
/// the digest says the share was not computed.
#[tokio::test(flavor = "multi_thread")]
async fn the_apps_digest_traces_stories_and_fails_closed() {
    let db = &Db::sqlite();
    let fake = FakeGitHub::start("acme/eng").await;
    fake.with(|s| s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() }));
    let app = replica(&fake, &db.url).await;
    let mut events = reviewed_pr(1, at("2025-03-04T10:00:00Z"));
    for e in &mut events {
        e.repo = "acme/eng".into();
        e.context.story_keys = vec!["acme/eng#100".into()];
    }
    app.store.record_events(&events).await.expect("records");
    let week = due(&schedule(), at("2025-03-10T10:00:00Z")).expect("due");
    let body_of =
        |number: u64| fake.with(|s| s.opened_issues[&number]["body"].as_str().unwrap_or_default().to_string());

    fake.with(|s| {
        s.contents.insert(
            ("main".into(), ".github/flowgate.yml".into()),
            "extends: default\nlinkage: { trackers: { github: {} }, chain: { require: { red: okr } } }\n".into(),
        )
    });
    let number = match post_week(&app, &schedule(), &week, week.at, "replica-one").await.expect("posts") {
        Posted::Created(n) => n,
        other => panic!("{other:?}"),
    };
    let body = body_of(number);
    assert!(
        body.contains("0 of 1 merged PR (0%) traces all the way up to okr; 0 broken, 0 with a key that does not resolve, 1 not verified"),
        "{body}"
    );
    assert!(fake.with(|s| s.log.iter().any(|l| l.url.contains("/issues/100"))), "the story was looked up");

    fake.with(|s| s.contents.insert(("main".into(), ".github/flowgate.yml".into()), "extends: default\n".into()));
    post_week(&app, &schedule(), &week, week.at, "replica-one").await.expect("posts");
    let body = body_of(number);
    assert!(body.contains("The share with a full chain was not computed: the policy has no linkage"), "{body}");
    db.drop_database().await;
}
