//! The reminder and the channel message as Slack and GitHub receive them, against a fake Slack and
//! a fake GitHub (wiremock): who gets what, that the channel never names the reviewer, and that
//! Slack's `ok: false` is an error naming Slack's reason.

use std::collections::HashMap;
use std::time::Duration;

use jiff::Timestamp;
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::*;
use crate::github::Credentials;
use crate::model::Login;
use crate::serve::config::ServeConfig;
use crate::slo::{Share, Step};

async fn app(slack: &MockServer) -> App {
    let key = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/app/test-app-key.pem");
    let env: HashMap<String, String> = [
        ("FLOWGATE_APP_ID", "1".to_string()),
        ("FLOWGATE_APP_PRIVATE_KEY_PATH", key.to_string()),
        ("FLOWGATE_WEBHOOK_SECRET", "s".to_string()),
        ("FLOWGATE_SLO_SLACK_TOKEN", "xoxb-hush".to_string()),
        ("FLOWGATE_SLO_SLACK_API_URL", format!("{}/api", slack.uri())),
        ("FLOWGATE_SLO_SLACK_USERS", "alice=U0ALICE".to_string()),
        ("FLOWGATE_SLO_CHANNELS", "backend=https://hooks.slack.example/services/T/B/hush".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let mut config = ServeConfig::load(None, env).expect("settings");
    // The fake Slack speaks http; the setting itself must be https.
    config.slo.channels.insert("backend".into(), format!("{}/services/T/B/hush", slack.uri()));
    App::new(config, crate::store::Store::connect("sqlite::memory:").await.expect("store"))
}

fn rule() -> SloRule {
    SloRule::new(Duration::from_secs(4 * 3600), Some(Share(50)), Some(Share(100)), None).expect("a rule")
}

fn due(login: &str, step: Step, pool: Option<&str>) -> slo::Due {
    slo::Due {
        login: Login::new(login),
        step,
        period: Timestamp::from_second(1_796_000_000).expect("a time"),
        worked: Duration::from_secs(2 * 3600 + 10 * 60),
        pool: pool.map(String::from),
    }
}

fn github(server: &MockServer) -> GitHub {
    GitHub::new(&server.uri(), Credentials::Anonymous).expect("a client")
}

fn repo() -> RepoName {
    RepoName::parse("acme/web").expect("a name")
}

fn body(request: &Request) -> serde_json::Value {
    serde_json::from_slice(&request.body).expect("JSON")
}

#[tokio::test]
async fn a_known_reviewer_is_reminded_by_a_slack_direct_message_naming_the_pr() {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/chat.postMessage"))
        .and(header("authorization", "Bearer xoxb-hush"))
        .and(body_partial_json(serde_json::json!({ "channel": "U0ALICE" })))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({ "ok": true })))
        .expect(1)
        .mount(&slack)
        .await;
    let app = app(&slack).await;
    let via = remind(&app, &github(&slack), &repo(), 12, Tier::Red, &rule(), &due("Alice", Step::Remind, None)).await;
    assert_eq!(via.expect("sent"), Via::SlackDm);
    let sent = slack.received_requests().await.expect("recorded");
    let text = body(&sent[0])["text"].as_str().expect("text").to_string();
    assert!(text.contains("<https://github.com/acme/web/pull/12|acme/web#12>"), "{text}");
    assert!(text.contains("2 h 10 min") && text.contains("4 h") && text.contains("red"), "{text}");

    // Slack answers 200 with ok: false when it refuses: an error that names Slack's reason.
    slack.reset().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({ "ok": false, "error": "user_not_found" })),
        )
        .mount(&slack)
        .await;
    let e = remind(&app, &github(&slack), &repo(), 12, Tier::Red, &rule(), &due("alice", Step::Remind, None))
        .await
        .unwrap_err();
    let said = format!("{e:#}");
    assert!(said.contains("user_not_found") && said.contains("alice") && !said.contains("hush"), "{said}");
}

#[tokio::test]
async fn a_reviewer_without_a_slack_user_is_mentioned_once_in_a_pr_comment() {
    let server = MockServer::start().await;
    let comments = "/repos/acme/web/issues/12/comments";
    Mock::given(method("GET"))
        .and(path(comments))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(comments))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({ "id": 1 })))
        .expect(1)
        .mount(&server)
        .await;
    let app = app(&server).await;
    let via = remind(&app, &github(&server), &repo(), 12, Tier::Yellow, &rule(), &due("bob", Step::Remind, None)).await;
    assert_eq!(via.expect("commented"), Via::PrComment);
    let posted: Vec<Request> = server
        .received_requests()
        .await
        .expect("recorded")
        .into_iter()
        .filter(|r| r.method == wiremock::http::Method::POST)
        .collect();
    let text = body(&posted[0])["body"].as_str().expect("a body").to_string();
    assert_eq!(text.matches("@bob").count(), 1, "mentioned once: {text}");
    assert!(text.contains("<!-- flowgate:slo-remind:bob:1796000000 -->"), "{text}");
    assert!(!posted.iter().any(|r| r.url.path().contains("chat.postMessage")), "nothing went to Slack");
}

#[tokio::test]
async fn the_pools_channel_hears_of_the_pr_and_its_wait_but_never_of_the_reviewer() {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/services/T/B/hush"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .expect(1)
        .mount(&slack)
        .await;
    let app = app(&slack).await;
    let gh = github(&slack);
    let via =
        to_channel(&app, &gh, &repo(), 12, Tier::Red, &rule(), &due("alice", Step::Channel, Some("backend"))).await;
    assert_eq!(via.expect("sent"), Via::Channel);
    let sent = slack.received_requests().await.expect("recorded");
    let text = body(&sent[0])["text"].as_str().expect("text").to_string();
    assert!(text.contains("https://github.com/acme/web/pull/12") && text.contains("*backend*"), "{text}");
    assert!(text.contains("red tier") && text.contains("2 h 10 min") && text.contains("4 h"), "{text}");
    assert!(!text.to_lowercase().contains("alice") && !text.contains("U0ALICE"), "nobody named: {text}");

    for pool in [None, Some("web")] {
        let via = to_channel(&app, &gh, &repo(), 12, Tier::Red, &rule(), &due("alice", Step::Channel, pool)).await;
        assert_eq!(via.expect("nothing to send"), Via::NoChannel, "{pool:?}");
    }
    assert_eq!(slack.received_requests().await.expect("recorded").len(), 1, "no pool, no channel: nothing sent");
}
