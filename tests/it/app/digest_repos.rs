//! The App's weekly digest per repository: each repository with activity measured under the
//! policy on its own default branch (the bundled default when it has none, saying so), one whose
//! policy does not load named with the reason, the cap named; and each routed team's figures in
//! its own Slack channel, once a week however many replicas run or how often. Against the fake
//! GitHub (the other repositories served beside it) and fake Slack webhooks.

use crate::support::db::Db;
use crate::support::fake_github;
use crate::support::server;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use flowgate::latency::{Actor, Event, EventKind, PrContext, ReviewOutcome, Reviewer};
use flowgate::model::Login;
use flowgate::serve::App;
use flowgate::serve::config::DigestSchedule;
use flowgate::serve::digest::{Posted, due, post_week};
use flowgate::store::Store;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use fake_github::{AppAuth, FakeGitHub};
use server::databases;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("a time").with_timezone(&Utc)
}

/// A red-tier PR of `author` in `repo`: opened Tuesday 2025-03-04 10:00 UTC, asked of bob and of
/// the author's team, approved by bob ten hours later at 20:00 UTC, merged at 21:00. In Tokyo
/// that is 19:00 to 05:00: no working hours at all.
fn evening_pr(repo: &str, author: &str, team: &str) -> Vec<Event> {
    let start = at("2025-03-04T10:00:00Z");
    let event = |n: usize, hours: i64, actor: &str, kind: EventKind| Event {
        id: format!("{repo}/{n}"),
        repo: repo.into(),
        pr: 1,
        at: start + Duration::hours(hours),
        actor: Actor::login(actor),
        context: PrContext {
            author: Login::new(author),
            tier: Some(flowgate::policy::Tier::Red),
            ..PrContext::default()
        },
        kind,
    };
    vec![
        event(0, 0, author, EventKind::Opened { draft: false }),
        event(1, 0, author, EventKind::ReviewRequested { reviewer: Reviewer::user("bob") }),
        event(2, 0, author, EventKind::ReviewRequested { reviewer: Reviewer::team(team) }),
        event(3, 10, "bob", EventKind::ReviewSubmitted { outcome: ReviewOutcome::Approved }),
        event(4, 11, author, EventKind::Merged),
    ]
}

/// Serves `repo` beside the fake's own repository: its default branch `main`, and its policy
/// there when given (404 otherwise).
async fn serve_repo(fake: &FakeGitHub, repo: &str, policy: Option<&str>) {
    let about = json!({ "full_name": repo, "default_branch": "main" });
    Mock::given(method("GET"))
        .and(path(format!("/repos/{repo}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(about))
        .with_priority(1)
        .mount(&fake.server)
        .await;
    let file =
        Mock::given(method("GET")).and(path_regex(format!("^/repos/{repo}/contents/\\.github(/|%2F)flowgate\\.yml$")));
    let answer = match policy {
        Some(text) => ResponseTemplate::new(200).set_body_string(text),
        None => ResponseTemplate::new(404).set_body_json(json!({ "message": "Not Found" })),
    };
    file.respond_with(answer).with_priority(1).mount(&fake.server).await;
}

/// Round the clock in UTC with `red: 8h`: ten hours are late.
const ROUND_THE_CLOCK: &str = "extends: default\nteams: { \"@acme/payments\": [ann] }\nlatency: { targets: { red: 8h }, work_week: [mon, tue, wed, thu, fri, sat, sun], work_hours: \"00:00-24:00\" }\n";
/// Working hours in Tokyo with `red: 8h`: the same ten hours are none.
const TOKYO: &str =
    "extends: default\nteams: { \"@acme/web\": [cat] }\nlatency: { targets: { red: 8h }, timezone: Asia/Tokyo }\n";

fn schedule(teams: &[(&str, String)], max_repos: usize) -> DigestSchedule {
    DigestSchedule {
        repo: flowgate::github::RepoName::parse("acme/eng").expect("a repository"),
        weekday: chrono::Weekday::Mon,
        hour: 9,
        timezone: "UTC".into(),
        timezone_given: false,
        slack_webhook_url: None,
        team_slack: teams.iter().map(|(team, url)| (team.to_string(), url.clone())).collect::<BTreeMap<_, _>>(),
        max_repos,
    }
}

async fn replica(fake: &FakeGitHub, url: &str, schedule: &DigestSchedule) -> Arc<App> {
    let mut config = server::config(fake, url);
    config.digest = Some(schedule.clone());
    Arc::new(App::new(config, Store::connect(url).await.expect("store")))
}

/// The fake GitHub with acme/shop (round the clock), acme/web (Tokyo), acme/ops (no policy) and
/// acme/bad (a policy that does not load) beside acme/eng, the digest's repository.
async fn organisation() -> FakeGitHub {
    let fake = FakeGitHub::start("acme/eng").await;
    fake.with(|s| s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() }));
    serve_repo(&fake, "acme/shop", Some(ROUND_THE_CLOCK)).await;
    serve_repo(&fake, "acme/web", Some(TOKYO)).await;
    serve_repo(&fake, "acme/ops", None).await;
    serve_repo(&fake, "acme/bad", Some("extends: default\nlatency: { targets: { red: soon } }\n")).await;
    fake
}

fn body(fake: &FakeGitHub, number: u64) -> String {
    fake.with(|s| s.opened_issues[&number]["body"].as_str().unwrap_or_default().to_string())
}

/// The section of each repository under its own policy.
fn per_repo_section(body: &str) -> &str {
    body.split("## Each repository under its own policy").nth(1).unwrap_or_else(|| panic!("no section: {body}"))
}

/// `repo`'s row in that section.
fn row<'a>(body: &'a str, repo: &str) -> &'a str {
    per_repo_section(body)
        .lines()
        .find(|l| l.starts_with(&format!("| {repo} |")))
        .unwrap_or_else(|| panic!("no row for {repo}: {body}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn each_repository_is_measured_under_its_own_policy() {
    let db = &Db::sqlite();
    let fake = organisation().await;
    let schedule = schedule(&[], 4);
    let app = replica(&fake, &db.url, &schedule).await;
    for (repo, author, team) in [
        ("acme/shop", "ann", "acme/payments"),
        ("acme/web", "cat", "acme/web"),
        ("acme/ops", "ann", "acme/payments"),
        ("acme/bad", "ann", "acme/payments"),
        ("acme/zzz", "ann", "acme/payments"),
    ] {
        app.store.record_events(&evening_pr(repo, author, team)).await.expect("records");
    }
    let week = due(&schedule, at("2025-03-10T10:00:00Z")).expect("due");
    let Posted::Created(number) = post_week(&app, &schedule, &week, week.at, "replica-one").await.expect("posts")
    else {
        panic!("created")
    };
    let body = body(&fake, number);
    assert!(
        body.contains("count every repository together under the settings of the bundled default policy (acme/eng@main has no .github/flowgate.yml)"),
        "the figures of all together say whose settings they use: {body}"
    );
    // The same timings: late round the clock in acme/shop, on time in Tokyo's working hours.
    let shop = row(&body, "acme/shop");
    assert!(
        shop.contains(
            "| .github/flowgate.yml on acme/shop@main | working hours, UTC | 1 | 1 | 10.0 h | red 8.0 h: 1 of 1 late |"
        ),
        "{shop}"
    );
    let web = row(&body, "acme/web");
    assert!(web.contains("| .github/flowgate.yml on acme/web@main | working hours, Asia/Tokyo | 1 | 1 | 0 min | red 8.0 h: 0 of 1 late |"), "{web}");
    // No policy: the bundled default's settings, and the row says so.
    let ops = row(&body, "acme/ops");
    assert!(ops.contains("| the bundled default policy (acme/ops@main has no .github/flowgate.yml) |"), "{ops}");
    // A policy that does not load: named with its reason, measured under nobody else's settings.
    assert!(!per_repo_section(&body).contains("| acme/bad |"), "{body}");
    let bad = body.lines().find(|l| l.starts_with("- acme/bad: its policy could not be read (")).expect("named");
    assert!(bad.contains("soon"), "{bad}");
    // Five repositories had activity, four are read: the one left is named.
    assert!(body.contains("not measured: acme/zzz."), "{body}");
    assert!(!fake.with(|s| s.log.iter().any(|l| l.url.contains("acme/zzz"))), "acme/zzz's policy was not read");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_repository_gated_by_a_baseline_alone_is_measured_under_the_baseline() {
    let db = &Db::sqlite();
    let fake = organisation().await;
    let schedule = schedule(&[], 4);
    let mut config = server::config(&fake, &db.url);
    config.digest = Some(schedule.clone());
    // acme/ops has no policy file; the App gates it with the bundled `strict` pack.
    config.baselines = vec![
        serde_json::from_value(serde_json::json!({ "policy": "strict", "repositories": ["acme/ops"] }))
            .expect("a baseline entry"),
    ];
    let app = Arc::new(App::new(config, Store::connect(&db.url).await.expect("store")));
    app.store.record_events(&evening_pr("acme/ops", "ann", "acme/payments")).await.expect("records");
    let week = due(&schedule, at("2025-03-10T10:00:00Z")).expect("due");
    let Posted::Created(number) = post_week(&app, &schedule, &week, week.at, "replica-one").await.expect("posts")
    else {
        panic!("created")
    };
    let body = body(&fake, number);
    let ops = row(&body, "acme/ops");
    assert!(ops.contains("| the baseline strict (acme/ops@main has no .github/flowgate.yml) |"), "{ops}");
}

/// A fake Slack incoming webhook: what it received, each a Block Kit message.
async fn webhook(status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(status).set_body_string("ok")).mount(&server).await;
    server
}

async fn messages(server: &MockServer) -> Vec<Value> {
    let received = server.received_requests().await.unwrap_or_default();
    received.iter().map(|r| serde_json::from_slice(&r.body).expect("JSON")).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_team_gets_its_own_figures_in_its_channel_once_a_week() {
    for db in databases("serve_digest_teams").await {
        let fake = organisation().await;
        let (payments, web, ops) = (webhook(200).await, webhook(200).await, webhook(500).await);
        let url = |s: &MockServer| format!("{}/services/T/B/secret", s.uri());
        let schedule =
            schedule(&[("@acme/payments", url(&payments)), ("@acme/web", url(&web)), ("@acme/ops", url(&ops))], 100);
        let (one, two) = (replica(&fake, &db.url, &schedule).await, replica(&fake, &db.url, &schedule).await);
        one.store.record_events(&evening_pr("acme/shop", "ann", "acme/payments")).await.expect("records");
        one.store.record_events(&evening_pr("acme/web", "cat", "acme/web")).await.expect("records");
        let week = due(&schedule, at("2025-03-10T10:00:00Z")).expect("due");

        // Two replicas at once, then a third run: each team's message is sent once.
        let run = |app: &Arc<App>, name: &'static str| {
            let (app, week, schedule) = (app.clone(), week.clone(), schedule.clone());
            tokio::spawn(async move { post_week(&app, &schedule, &week, week.at, name).await })
        };
        let (a, b) = (run(&one, "replica-one"), run(&two, "replica-two"));
        a.await.expect("runs").expect("replica one");
        b.await.expect("runs").expect("replica two");
        post_week(&one, &schedule, &week, week.at, "replica-one").await.expect("runs again");

        let (to_payments, to_web) = (messages(&payments).await, messages(&web).await);
        assert_eq!((to_payments.len(), to_web.len()), (1, 1), "{}: once each: {to_payments:?} {to_web:?}", db.name);
        let (to_payments, to_web) = (to_payments[0].to_string(), to_web[0].to_string());
        assert!(to_payments.contains("Review digest for @acme/payments, 3 Mar 2025 to 10 Mar 2025"), "{to_payments}");
        assert!(
            to_payments.contains("*acme/shop* (working hours, UTC)") && !to_payments.contains("acme/web"),
            "{to_payments}"
        );
        assert!(
            to_payments.contains("Authored by the team: 1 PR active, 1 merged; first review after 10.0 h"),
            "{to_payments}"
        );
        assert!(to_web.contains("*acme/web* (working hours, Asia/Tokyo)") && !to_web.contains("acme/shop"), "{to_web}");
        assert!(to_web.contains("Asked of the team: 1 review request received, 1 answered"), "{to_web}");
        for person in ["ann", "bob", "cat"] {
            for text in [&to_payments, &to_web] {
                assert!(!text.contains(&format!(" {person}")) && !text.contains(&format!("\"{person}")), "{text}");
            }
        }

        // The failing channel did not stop the others, is counted, and is tried again on the
        // next run, where the others are not sent twice.
        let tried = ops.received_requests().await.unwrap_or_default().len();
        assert!(tried >= 1, "{}: the failing channel was tried", db.name);
        let (sent, failed) = (
            one.metrics.digest_team_messages().0 + two.metrics.digest_team_messages().0,
            one.metrics.digest_team_messages().1 + two.metrics.digest_team_messages().1,
        );
        assert_eq!((sent, failed as usize), (2, tried), "{}", db.name);
        ops.reset().await;
        Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&ops).await;
        post_week(&two, &schedule, &week, week.at, "replica-two").await.expect("runs again");
        let to_ops = messages(&ops).await;
        assert_eq!(to_ops.len(), 1, "{}: {to_ops:?}", db.name);
        assert!(to_ops[0].to_string().contains("No PR of @acme/ops and no review request to it"), "{to_ops:?}");
        assert_eq!((messages(&payments).await.len(), messages(&web).await.len()), (1, 1));
        db.drop_database().await;
    }
}
