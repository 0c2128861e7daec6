//! The tracker adapters against fake trackers served over HTTP with the shapes their APIs
//! document (GitHub's issue object and sub-issues `parent` endpoint; Jira Cloud REST v3's issue
//! with `fields.parent`, `fields.issuetype`, `fields.issuelinks`, and `/remotelink`): full chains,
//! chains broken at each level, cycles, deleted items, permission errors, rate limits, timeouts
//! and a tracker that is down. Then one PR gated end to end with a fake Jira.

use crate::support::common;

use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use flowgate::trackers::azure::AzureBoards;
use flowgate::trackers::chain::{Chain, ChainEnd, Levels, walk};
use flowgate::trackers::config::Trackers;
use flowgate::trackers::github::GitHubIssues;
use flowgate::trackers::http::HttpSettings;
use flowgate::trackers::jira::Jira;
use flowgate::trackers::linear::Linear;
use flowgate::trackers::shortcut::Shortcut;
use flowgate::trackers::{StateCategory, Tracker, TrackerError};

const EMAIL: &str = "gate@acme.example";
const JIRA_TOKEN: &str = "atlassian-api-token-not-real";
const GH_TOKEN: &str = "ghp_not_a_real_token_0123456789";

fn levels() -> Levels {
    Levels::new(["story", "epic", "prd", "okr"].map(String::from).to_vec(), &[]).expect("levels")
}

fn settings() -> HttpSettings {
    HttpSettings {
        timeout: Duration::from_millis(300),
        cache_ttl: Duration::from_secs(60),
        per_second: 1000,
        max_retry_wait: Duration::from_secs(1),
    }
}

fn keys(chain: &Chain) -> Vec<&str> {
    chain.links.iter().map(|l| l.key.as_str()).collect()
}

fn levels_of(chain: &Chain) -> Vec<Option<usize>> {
    chain.links.iter().map(|l| l.level).collect()
}

async fn get(server: &MockServer, at: &str, status: u16, body: Value) {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(server)
        .await;
}

// ---- GitHub Issues ----

fn gh_issue(
    server: &MockServer,
    repo: &str,
    number: u64,
    title: &str,
    issue_type: Option<&str>,
    labels: &[&str],
) -> Value {
    json!({
        "id": 1000 + number,
        "number": number,
        "title": title,
        "state": "open",
        "state_reason": null,
        "html_url": format!("https://github.com/{repo}/issues/{number}"),
        "repository_url": format!("{}/repos/{repo}", server.uri()),
        "labels": labels.iter().map(|l| json!({"name": l, "color": "ededed"})).collect::<Vec<_>>(),
        "type": issue_type.map(|t| json!({"id": 1, "name": t, "color": "blue"})),
        "sub_issues_summary": {"total": 1, "completed": 0, "percent_completed": 0},
    })
}

/// acme/shop#12 (Story) -> acme/plans#7 (Epic) -> acme/plans#3 (label prd) -> acme/okrs#1 (label level:okr),
/// with the parent of the item at index `cut` answered 404, as GitHub does at the root.
async fn github_chain(cut: usize) -> MockServer {
    let server = MockServer::start().await;
    let items = [
        ("acme/shop", 12, "Pay with saved cards", Some("Story"), vec![]),
        ("acme/plans", 7, "Saved payment methods", Some("Epic"), vec![]),
        ("acme/plans", 3, "PRD: checkout redesign", None, vec!["prd"]),
        ("acme/okrs", 1, "Cut churn 10%", None, vec!["level:okr", "q4"]),
    ];
    for (i, (repo, number, title, kind, labels)) in items.iter().enumerate() {
        let issue = gh_issue(&server, repo, *number, title, *kind, labels);
        get(&server, &format!("/repos/{repo}/issues/{number}"), 200, issue).await;
        let parent = format!("/repos/{repo}/issues/{number}/parent");
        match items.get(i + 1).filter(|_| i + 1 < cut) {
            Some((prepo, pnumber, ptitle, pkind, plabels)) => {
                get(&server, &parent, 200, gh_issue(&server, prepo, *pnumber, ptitle, *pkind, plabels)).await;
            }
            None => get(&server, &parent, 404, json!({"message": "Not Found", "status": "404"})).await,
        }
    }
    server
}

fn github(server: &MockServer) -> GitHubIssues {
    GitHubIssues::new(&server.uri(), Some(GH_TOKEN), settings()).expect("client")
}

#[tokio::test]
async fn github_a_full_chain_climbs_sub_issue_parents_to_the_okr() {
    let server = github_chain(4).await;
    let chain = walk(&github(&server), "acme/shop#12", &levels()).await;
    assert_eq!(keys(&chain), vec!["acme/shop#12", "acme/plans#7", "acme/plans#3", "acme/okrs#1"]);
    assert_eq!(levels_of(&chain), vec![Some(0), Some(1), Some(2), Some(3)]);
    assert_eq!(chain.end, ChainEnd::Top);
    assert_eq!(chain.links[3].title, "Cut churn 10%");
    assert_eq!(chain.links[0].url.as_deref(), Some("https://github.com/acme/shop/issues/12"));
    assert_eq!(chain.links[0].state.as_ref().map(|s| s.category), Some(StateCategory::Open));
    // The token went along on every request.
    let requests = server.received_requests().await.unwrap_or_default();
    assert!(
        requests.iter().all(|r| r.headers.get("authorization").is_some_and(|v| v == &format!("Bearer {GH_TOKEN}")))
    );
}

#[tokio::test]
async fn github_a_chain_broken_at_each_level_ends_at_the_last_issue_found() {
    for cut in 1..4 {
        let server = github_chain(cut).await;
        let chain = walk(&github(&server), "acme/shop#12", &levels()).await;
        assert_eq!(chain.links.len(), cut, "cut at {cut}");
        assert_eq!(chain.end, ChainEnd::Top, "cut at {cut}");
    }
}

#[tokio::test]
async fn github_an_issue_that_is_its_own_ancestor_is_a_cycle() {
    let server = MockServer::start().await;
    let a = gh_issue(&server, "acme/plans", 1, "A", Some("Epic"), &[]);
    let b = gh_issue(&server, "acme/plans", 2, "B", Some("PRD"), &[]);
    get(&server, "/repos/acme/plans/issues/1", 200, a.clone()).await;
    get(&server, "/repos/acme/plans/issues/2", 200, b.clone()).await;
    get(&server, "/repos/acme/plans/issues/1/parent", 200, b).await;
    get(&server, "/repos/acme/plans/issues/2/parent", 200, a).await;
    let chain = walk(&github(&server), "acme/plans#1", &levels()).await;
    assert_eq!(chain.end, ChainEnd::Cycle { key: "acme/plans#1".into() });
    assert_eq!(keys(&chain), vec!["acme/plans#1", "acme/plans#2"]);
}

#[tokio::test]
async fn github_a_deleted_issue_is_not_found_and_a_pull_request_is_no_issue() {
    let server = MockServer::start().await;
    get(&server, "/repos/acme/shop/issues/5", 410, json!({"message": "This issue was deleted"})).await;
    let mut pr = gh_issue(&server, "acme/shop", 6, "A PR", None, &[]);
    pr["pull_request"] = json!({"url": "https://api.github.com/repos/acme/shop/pulls/6"});
    get(&server, "/repos/acme/shop/issues/6", 200, pr).await;
    let gh = github(&server);
    assert_eq!(gh.lookup("acme/shop#5").await, Err(TrackerError::NotFound));
    assert_eq!(gh.lookup("acme/shop#6").await, Err(TrackerError::NotFound));
    assert_eq!(gh.lookup("acme/shop#404").await, Err(TrackerError::NotFound));
}

#[tokio::test]
async fn github_a_forbidden_answer_is_a_permission_error_and_a_rate_limit_says_when() {
    let server = MockServer::start().await;
    get(&server, "/repos/acme/secret/issues/1", 403, json!({"message": "Resource not accessible by integration"}))
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/busy/issues/1"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("retry-after", "90")
                .insert_header("x-ratelimit-remaining", "0")
                .set_body_json(json!({"message": "API rate limit exceeded"})),
        )
        .mount(&server)
        .await;
    let gh = github(&server);
    assert_eq!(
        gh.lookup("acme/secret#1").await,
        Err(TrackerError::Permission { status: 403, message: "Resource not accessible by integration".into() })
    );
    assert_eq!(gh.lookup("acme/busy#1").await, Err(TrackerError::RateLimited { retry_after: Some(90) }));
}

#[tokio::test]
async fn github_answers_are_cached_and_revalidated_with_their_etag() {
    let server = MockServer::start().await;
    let issue = gh_issue(&server, "acme/shop", 12, "Pay", Some("Story"), &[]);
    Mock::given(method("GET"))
        .and(path("/repos/acme/shop/issues/12"))
        .and(header("if-none-match", "\"v1\""))
        .respond_with(ResponseTemplate::new(304))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/shop/issues/12"))
        .respond_with(ResponseTemplate::new(200).insert_header("etag", "\"v1\"").set_body_json(issue))
        .mount(&server)
        .await;
    get(&server, "/repos/acme/shop/issues/12/parent", 404, json!({"message": "Not Found"})).await;

    let warm = github(&server);
    assert!(warm.lookup("acme/shop#12").await.is_ok());
    assert!(warm.lookup("acme/shop#12").await.is_ok());
    let usage = warm.usage();
    assert_eq!((usage.requests, usage.cache_hits), (2, 2), "the second lookup sends nothing, the 404 included");

    // With no TTL the answer is revalidated: GitHub answers 304 and the cached issue is reused.
    let stale = GitHubIssues::new(&server.uri(), None, HttpSettings { cache_ttl: Duration::ZERO, ..settings() })
        .expect("client");
    assert!(stale.lookup("acme/shop#12").await.is_ok());
    let item = stale.lookup("acme/shop#12").await.expect("revalidated");
    assert_eq!(item.title, "Pay");
    assert_eq!(stale.usage().not_modified, 1);
}

// ---- Jira Cloud ----

fn jira_issue(key: &str, summary: &str, kind: &str, parent: Option<&str>, category: &str) -> Value {
    let status = match category {
        "done" => json!({"name": "Done", "statusCategory": {"id": 3, "key": "done", "name": "Done"}}),
        "indeterminate" => {
            json!({"name": "In Progress", "statusCategory": {"id": 4, "key": "indeterminate", "name": "In Progress"}})
        }
        _ => json!({"name": "To Do", "statusCategory": {"id": 2, "key": "new", "name": "To Do"}}),
    };
    let mut fields = json!({
        "summary": summary,
        "status": status,
        "issuetype": {"id": "10001", "name": kind, "subtask": false, "hierarchyLevel": 0},
        "issuelinks": [],
    });
    if let Some(parent) = parent {
        fields["parent"] =
            json!({"id": "1", "key": parent, "fields": {"summary": "parent", "issuetype": {"name": "Epic"}}});
    }
    json!({"id": "10000", "key": key, "self": format!("https://acme.atlassian.net/rest/api/3/issue/{key}"), "fields": fields})
}

fn remote_link(title: &str, url: &str, relationship: Option<&str>) -> Value {
    let mut link = json!({"id": 10000, "self": "https://acme.atlassian.net/rest/api/3/issue/ABC-7/remotelink/10000", "object": {"url": url, "title": title}});
    if let Some(r) = relationship {
        link["relationship"] = json!(r);
    }
    link
}

/// ABC-123 Story -> ABC-7 Epic, whose remote links name PRD-3 (Confluence) and an OKR.
/// `links` picks which remote links the epic has.
async fn jira_chain(links: Vec<Value>) -> MockServer {
    let server = MockServer::start().await;
    let auth = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{EMAIL}:{JIRA_TOKEN}")));
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/ABC-123"))
        .and(header("authorization", auth.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(jira_issue(
            "ABC-123",
            "Pay with saved cards",
            "Story",
            Some("ABC-7"),
            "indeterminate",
        )))
        .mount(&server)
        .await;
    get(&server, "/rest/api/3/issue/ABC-7", 200, jira_issue("ABC-7", "Saved payment methods", "Epic", None, "new"))
        .await;
    get(&server, "/rest/api/3/issue/ABC-7/remotelink", 200, Value::Array(links)).await;
    server
}

fn prd_link() -> Value {
    remote_link("PRD-3 Checkout redesign", "https://acme.atlassian.net/wiki/spaces/PM/pages/3", None)
}

fn okr_link() -> Value {
    remote_link("OKR-2026-Q4-2: Cut churn 10%", "https://okrs.acme.example/2026-q4-2", Some("okr"))
}

fn jira(server: &MockServer) -> Jira {
    Jira::new(&server.uri(), EMAIL, JIRA_TOKEN, settings()).expect("client")
}

#[tokio::test]
async fn jira_a_full_chain_follows_the_parent_then_the_remote_links() {
    let server = jira_chain(vec![okr_link(), prd_link()]).await;
    let chain = walk(&jira(&server), "ABC-123", &levels()).await;
    assert_eq!(keys(&chain), vec!["ABC-123", "ABC-7", "PRD-3", "OKR-2026-Q4-2"]);
    assert_eq!(levels_of(&chain), vec![Some(0), Some(1), Some(2), Some(3)]);
    assert_eq!(chain.end, ChainEnd::Top);
    let story = &chain.links[0];
    assert_eq!(story.url.as_deref(), Some(format!("{}/browse/ABC-123", server.uri()).as_str()));
    assert_eq!(story.state.as_ref().map(|s| s.category), Some(StateCategory::InProgress));
    assert_eq!(chain.links[3].title, "Cut churn 10%");
}

#[tokio::test]
async fn jira_a_chain_broken_at_each_level_stops_where_the_links_stop() {
    for (links, found) in [(vec![], 2), (vec![okr_link()], 3), (vec![prd_link()], 3)] {
        let server = jira_chain(links).await;
        let chain = walk(&jira(&server), "ABC-123", &levels()).await;
        assert_eq!(chain.links.len(), found);
        assert_eq!(chain.end, ChainEnd::Top);
    }
    // A story with no parent at all.
    let server = MockServer::start().await;
    get(&server, "/rest/api/3/issue/ABC-1", 200, jira_issue("ABC-1", "Orphan", "Story", None, "new")).await;
    get(&server, "/rest/api/3/issue/ABC-1/remotelink", 200, json!([])).await;
    let chain = walk(&jira(&server), "ABC-1", &levels()).await;
    assert_eq!((chain.links.len(), chain.end), (1, ChainEnd::Top));
}

#[tokio::test]
async fn jira_issue_links_to_a_prd_issue_are_looked_up_and_climbed() {
    let server = MockServer::start().await;
    let mut epic = jira_issue("ABC-7", "Saved payment methods", "Epic", None, "new");
    epic["fields"]["issuelinks"] = json!([
        {"id": "1", "type": {"name": "Relates", "inward": "relates to", "outward": "relates to"},
         "outwardIssue": {"id": "2", "key": "PM-3", "fields": {"summary": "Checkout PRD", "issuetype": {"name": "PRD"}, "status": {"name": "Approved"}}}},
        {"id": "2", "type": {"name": "Blocks", "inward": "is blocked by", "outward": "blocks"},
         "inwardIssue": {"id": "3", "key": "ABC-9", "fields": {"summary": "Another story", "issuetype": {"name": "Story"}}}}
    ]);
    get(&server, "/rest/api/3/issue/ABC-123", 200, jira_issue("ABC-123", "Pay", "Story", Some("ABC-7"), "new")).await;
    get(&server, "/rest/api/3/issue/ABC-7", 200, epic).await;
    get(&server, "/rest/api/3/issue/ABC-7/remotelink", 200, json!([])).await;
    get(&server, "/rest/api/3/issue/PM-3", 200, jira_issue("PM-3", "Checkout PRD", "PRD", Some("OKR-1"), "done")).await;
    get(&server, "/rest/api/3/issue/OKR-1", 200, jira_issue("OKR-1", "Cut churn 10%", "OKR", None, "new")).await;
    get(&server, "/rest/api/3/issue/OKR-1/remotelink", 200, json!([])).await;
    let chain = walk(&jira(&server), "ABC-123", &levels()).await;
    assert_eq!(keys(&chain), vec!["ABC-123", "ABC-7", "PM-3", "OKR-1"]);
}

#[tokio::test]
async fn jira_a_parent_cycle_and_a_deleted_parent_end_the_walk() {
    let server = MockServer::start().await;
    get(&server, "/rest/api/3/issue/ABC-1", 200, jira_issue("ABC-1", "Story", "Story", Some("ABC-2"), "new")).await;
    get(&server, "/rest/api/3/issue/ABC-2", 200, jira_issue("ABC-2", "Epic", "Epic", Some("ABC-1"), "new")).await;
    get(&server, "/rest/api/3/issue/ABC-3", 200, jira_issue("ABC-3", "Story", "Story", Some("ABC-404"), "new")).await;
    get(
        &server,
        "/rest/api/3/issue/ABC-404",
        404,
        json!({"errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}}),
    )
    .await;
    let j = jira(&server);
    let cycle = walk(&j, "ABC-1", &levels()).await;
    assert_eq!(cycle.end, ChainEnd::Cycle { key: "ABC-1".into() });
    let deleted = walk(&j, "ABC-3", &levels()).await;
    assert_eq!(deleted.end, ChainEnd::Missing { key: "ABC-404".into(), child: Some("ABC-3".into()) });
}

#[tokio::test]
async fn jira_bad_credentials_and_missing_permissions_are_permission_errors() {
    let server = MockServer::start().await;
    get(
        &server,
        "/rest/api/3/issue/ABC-1",
        401,
        json!({"errorMessages": ["You are not authenticated."], "errors": {}}),
    )
    .await;
    get(
        &server,
        "/rest/api/3/issue/ABC-2",
        403,
        json!({"errorMessages": ["You do not have permission."], "errors": {}}),
    )
    .await;
    let j = jira(&server);
    assert_eq!(
        j.lookup("ABC-1").await,
        Err(TrackerError::Permission { status: 401, message: "You are not authenticated.".into() })
    );
    let err = j.lookup("ABC-2").await.expect_err("forbidden");
    assert!(err.to_string().contains("permission denied (HTTP 403: You do not have permission.)"), "{err}");
}

#[tokio::test]
async fn jira_a_short_rate_limit_is_waited_out_and_a_long_one_is_reported() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/ABC-1"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    get(&server, "/rest/api/3/issue/ABC-1", 200, jira_issue("ABC-1", "Story", "Story", Some("ABC-7"), "new")).await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/ABC-2"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "120"))
        .expect(1)
        .mount(&server)
        .await;
    let j = jira(&server);
    assert_eq!(j.lookup("ABC-1").await.map(|i| i.parent), Ok(Some("ABC-7".into())));
    assert_eq!(j.lookup("ABC-2").await, Err(TrackerError::RateLimited { retry_after: Some(120) }));
}

#[tokio::test]
async fn jira_a_slow_answer_times_out() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/ABC-1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_delay(Duration::from_secs(3))
                .set_body_json(jira_issue("ABC-1", "S", "Story", None, "new")),
        )
        .mount(&server)
        .await;
    let started = std::time::Instant::now();
    assert_eq!(jira(&server).lookup("ABC-1").await, Err(TrackerError::Timeout { after_ms: 300 }));
    assert!(started.elapsed() < Duration::from_secs(2), "the lookup must not wait for the slow answer");
}

#[tokio::test]
async fn a_tracker_that_is_down_or_failing_is_reported_as_down() {
    // A port nothing listens on: bind one, note it, let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port");
    let nowhere = Jira::new(&format!("http://127.0.0.1:{port}"), EMAIL, JIRA_TOKEN, settings()).expect("client");
    match nowhere.lookup("ABC-1").await {
        Err(TrackerError::Down { reason }) => assert!(reason.contains(&format!("127.0.0.1:{port}")), "{reason}"),
        other => panic!("expected Down, got {other:?}"),
    }
    let server = MockServer::start().await;
    get(&server, "/repos/acme/shop/issues/1", 503, json!({"message": "Service Unavailable"})).await;
    assert!(matches!(github(&server).lookup("acme/shop#1").await, Err(TrackerError::Down { .. })));
}

// ---- Linear ----

const LINEAR_KEY: &str = "lin_api_not_a_real_key";

fn linear_levels() -> Levels {
    let names = ["story", "epic", "okr"].map(String::from).to_vec();
    let types = [("Issue", "story"), ("Project", "epic"), ("Initiative", "okr")];
    Levels::new(names, &types.map(|(t, l)| (t.to_string(), l.to_string()))).expect("levels")
}

/// Answers one GraphQL query, matched by the entity it asks for and its id variable.
async fn graphql(server: &MockServer, field: &str, id: &str, status: u16, answer: Value) {
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .and(header("authorization", LINEAR_KEY))
        .and(wiremock::matchers::body_string_contains(format!("{field}(id: $id)")))
        .and(wiremock::matchers::body_partial_json(json!({ "variables": { "id": id } })))
        .respond_with(ResponseTemplate::new(status).set_body_json(answer))
        .mount(server)
        .await;
}

fn linear_issue(identifier: &str, parent: Option<&str>, project: Option<&str>, state_type: &str) -> Value {
    json!({ "data": { "issue": {
        "identifier": identifier, "title": format!("{identifier} title"),
        "url": format!("https://linear.app/acme/issue/{identifier}"),
        "state": { "name": "In Progress", "type": state_type },
        "labels": { "nodes": [] },
        "parent": parent.map(|p| json!({ "identifier": p })),
        "project": project.map(|p| json!({ "id": p })),
    } } })
}

#[tokio::test]
async fn linear_an_issue_climbs_its_parent_project_and_initiatives() {
    let server = MockServer::start().await;
    graphql(&server, "issue", "ENG-42", 200, linear_issue("ENG-42", Some("ENG-40"), None, "started")).await;
    graphql(&server, "issue", "ENG-40", 200, linear_issue("ENG-40", None, Some("p-1"), "unstarted")).await;
    let project = json!({ "data": { "project": {
        "id": "p-1", "name": "Saved payments", "url": "https://linear.app/acme/project/saved-payments",
        "status": { "name": "In Progress", "type": "started" }, "labels": { "nodes": [] },
        "initiatives": { "nodes": [ { "id": "i-2" } ] } } } });
    graphql(&server, "project", "p-1", 200, project).await;
    let initiative = |id: &str, parent: Option<&str>| {
        json!({ "data": { "initiative": {
        "id": id, "name": format!("Initiative {id}"), "url": format!("https://linear.app/acme/initiative/{id}"),
        "status": "Active", "parentInitiative": parent.map(|p| json!({ "id": p })) } } })
    };
    graphql(&server, "initiative", "i-2", 200, initiative("i-2", Some("i-1"))).await;
    graphql(&server, "initiative", "i-1", 200, initiative("i-1", None)).await;

    let chain =
        walk(&Linear::new(&server.uri(), LINEAR_KEY, settings()).expect("client"), "ENG-42", &linear_levels()).await;
    assert_eq!(keys(&chain), vec!["ENG-42", "ENG-40", "project:p-1", "initiative:i-2", "initiative:i-1"]);
    assert_eq!(levels_of(&chain), vec![Some(0), Some(0), Some(1), Some(2), Some(2)]);
    assert_eq!(chain.end, ChainEnd::Top);
    assert_eq!(chain.links[0].state.as_ref().map(|s| s.category), Some(StateCategory::InProgress));
    assert_eq!(chain.links[2].title, "Saved payments");
}

#[tokio::test]
async fn linear_graphql_errors_are_typed() {
    let server = MockServer::start().await;
    graphql(&server, "issue", "ENG-404", 200, json!({ "data": { "issue": null },
        "errors": [ { "message": "Entity not found: Issue", "extensions": { "type": "invalid input", "code": "INPUT_ERROR" } } ] })).await;
    graphql(
        &server,
        "issue",
        "ENG-429",
        400,
        json!({ "errors": [ { "message": "Rate limit exceeded",
        "extensions": { "code": "RATELIMITED" } } ] }),
    )
    .await;
    graphql(
        &server,
        "issue",
        "ENG-401",
        200,
        json!({ "data": null, "errors": [ { "message": "Authentication required",
        "extensions": { "code": "AUTHENTICATION_ERROR" } } ] }),
    )
    .await;
    let linear = Linear::new(&server.uri(), LINEAR_KEY, settings()).expect("client");
    assert_eq!(linear.lookup("ENG-404").await, Err(TrackerError::NotFound));
    assert_eq!(linear.lookup("ENG-429").await, Err(TrackerError::RateLimited { retry_after: None }));
    assert!(matches!(linear.lookup("ENG-401").await, Err(TrackerError::Permission { .. })));
    // An HTTP 404 is a wrong endpoint, not a missing issue: never "does not exist".
    let nowhere = Linear::new(&format!("{}/wrong", server.uri()), LINEAR_KEY, settings()).expect("client");
    match nowhere.lookup("ENG-42").await {
        Err(TrackerError::BadAnswer { reason }) => assert!(reason.contains("check FLOWGATE_LINEAR_URL"), "{reason}"),
        other => panic!("expected a bad answer, got {other:?}"),
    }
}

// ---- Shortcut ----

const SC_TOKEN: &str = "shortcut-token-not-real";

fn shortcut_levels() -> Levels {
    let names = ["story", "epic", "okr"].map(String::from).to_vec();
    Levels::new(names, &[("Objective".into(), "okr".into())]).expect("levels")
}

/// sc-123 (story) -> epic 7 -> objective 3 (and 4), with `epic` and `objectives` choosing what
/// the story and the epic point at.
async fn shortcut_chain(epic: Option<u64>, objectives: Vec<u64>) -> MockServer {
    let server = MockServer::start().await;
    let story = json!({
        "id": 123, "name": "Pay with saved cards", "story_type": "feature", "started": true, "completed": false,
        "app_url": "https://app.shortcut.com/acme/story/123", "epic_id": epic, "labels": [],
    });
    Mock::given(method("GET"))
        .and(path("/api/v3/stories/123"))
        .and(header("shortcut-token", SC_TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(story))
        .mount(&server)
        .await;
    let epic = json!({"id": 7, "name": "Saved payments", "state": "in progress", "objective_ids": objectives,
                      "app_url": "https://app.shortcut.com/acme/epic/7", "labels": [{"name": "payments"}]});
    get(&server, "/api/v3/epics/7", 200, epic).await;
    for id in [3, 4] {
        let objective = json!({"id": id, "name": format!("Objective {id}"), "state": "to do",
                               "app_url": format!("https://app.shortcut.com/acme/objective/{id}")});
        get(&server, &format!("/api/v3/objectives/{id}"), 200, objective).await;
    }
    server
}

fn shortcut(server: &MockServer) -> Shortcut {
    Shortcut::new(&server.uri(), SC_TOKEN, settings()).expect("client")
}

#[tokio::test]
async fn shortcut_a_story_climbs_its_epic_to_an_objective() {
    let server = shortcut_chain(Some(7), vec![3, 4]).await;
    let chain = walk(&shortcut(&server), "sc-123", &shortcut_levels()).await;
    assert_eq!(keys(&chain), vec!["sc-123", "epic:7", "objective:3"]);
    assert_eq!(levels_of(&chain), vec![Some(0), Some(1), Some(2)]);
    assert_eq!(chain.links[0].state.as_ref().map(|s| s.category), Some(StateCategory::InProgress));
    assert_eq!(chain.links[2].url.as_deref(), Some("https://app.shortcut.com/acme/objective/3"));

    for (epic, objectives, found) in [(None, vec![], 1), (Some(7), vec![], 2)] {
        let server = shortcut_chain(epic, objectives).await;
        let chain = walk(&shortcut(&server), "sc-123", &shortcut_levels()).await;
        assert_eq!((chain.links.len(), &chain.end), (found, &ChainEnd::Top));
    }
}

#[tokio::test]
async fn shortcut_errors_are_typed() {
    let server = MockServer::start().await;
    get(&server, "/api/v3/stories/404", 404, json!({"message": "Resource not found."})).await;
    get(&server, "/api/v3/stories/401", 401, json!({"message": "Unauthorized"})).await;
    Mock::given(method("GET"))
        .and(path("/api/v3/stories/429"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "60"))
        .mount(&server)
        .await;
    let sc = shortcut(&server);
    assert_eq!(sc.lookup("sc-404").await, Err(TrackerError::NotFound));
    assert_eq!(
        sc.lookup("sc-401").await,
        Err(TrackerError::Permission { status: 401, message: "Unauthorized".into() })
    );
    assert_eq!(sc.lookup("sc-429").await, Err(TrackerError::RateLimited { retry_after: Some(60) }));
    assert!(matches!(sc.lookup("ch123").await, Err(TrackerError::BadAnswer { .. })));
}

// ---- Azure Boards ----

const AZ_PAT: &str = "azure-pat-not-real";

fn work_item(server: &MockServer, id: u64, kind: &str, state: &str, parent: Option<u64>, tags: &str) -> Value {
    let relations: Vec<Value> = parent
        .map(|p| json!({"rel": "System.LinkTypes.Hierarchy-Reverse", "url": format!("{}/_apis/wit/workItems/{p}", server.uri()), "attributes": {"isLocked": false, "name": "Parent"}}))
        .into_iter()
        .chain([json!({"rel": "System.LinkTypes.Hierarchy-Forward", "url": format!("{}/_apis/wit/workItems/999", server.uri()), "attributes": {"name": "Child"}})])
        .collect();
    json!({
        "id": id, "rev": 3,
        "fields": {"System.Title": format!("{kind} {id}"), "System.WorkItemType": kind, "System.State": state, "System.Tags": tags},
        "relations": relations,
        "_links": {"html": {"href": format!("https://dev.azure.com/acme/shop/_workitems/edit/{id}")}},
        "url": format!("{}/_apis/wit/workItems/{id}", server.uri()),
    })
}

async fn azure_item(server: &MockServer, id: u64, status: u16, body: Value) {
    get(server, &format!("/_apis/wit/workitems/{id}"), status, body).await;
}

fn azure(server: &MockServer) -> AzureBoards {
    AzureBoards::new(&server.uri(), AZ_PAT, settings()).expect("client")
}

fn azure_levels() -> Levels {
    let names = ["story", "epic", "prd", "okr"].map(String::from).to_vec();
    let types = [("User Story", "story"), ("Feature", "epic"), ("Epic", "prd")];
    Levels::new(names, &types.map(|(t, l)| (t.to_string(), l.to_string()))).expect("levels")
}

#[tokio::test]
async fn azure_a_work_item_climbs_its_hierarchy_reverse_relations() {
    let server = MockServer::start().await;
    azure_item(&server, 123, 200, work_item(&server, 123, "User Story", "Active", Some(7), "")).await;
    azure_item(&server, 7, 200, work_item(&server, 7, "Feature", "New", Some(3), "")).await;
    azure_item(&server, 3, 200, work_item(&server, 3, "Epic", "New", Some(1), "q4")).await;
    azure_item(&server, 1, 200, work_item(&server, 1, "Epic", "New", None, "level:okr; q4")).await;
    let chain = walk(&azure(&server), "AB#123", &azure_levels()).await;
    assert_eq!(keys(&chain), vec!["AB#123", "AB#7", "AB#3", "AB#1"]);
    // The policy maps Epic to prd; the top epic's tag level:okr says otherwise, and wins.
    assert_eq!(levels_of(&chain), vec![Some(0), Some(1), Some(2), Some(3)]);
    assert_eq!(chain.links[0].state.as_ref().map(|s| s.category), Some(StateCategory::InProgress));
    assert_eq!(chain.links[0].url.as_deref(), Some("https://dev.azure.com/acme/shop/_workitems/edit/123"));
    let auth = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!(":{AZ_PAT}")));
    let requests = server.received_requests().await.unwrap_or_default();
    assert!(requests.iter().all(|r| r.headers.get("authorization").is_some_and(|v| v == auth.as_str())));
    assert!(requests.iter().all(|r| r.url.query().is_some_and(|q| q.contains("$expand=relations"))));
}

#[tokio::test]
async fn azure_cycles_deleted_parents_and_refused_tokens() {
    let server = MockServer::start().await;
    azure_item(&server, 1, 200, work_item(&server, 1, "User Story", "New", Some(2), "")).await;
    azure_item(&server, 2, 200, work_item(&server, 2, "Feature", "New", Some(1), "")).await;
    azure_item(&server, 5, 200, work_item(&server, 5, "User Story", "Closed", Some(404), "")).await;
    azure_item(&server, 404, 404, json!({"message": "TF401232: Work item 404 does not exist."})).await;
    Mock::given(method("GET"))
        .and(path("/_apis/wit/workitems/9"))
        .respond_with(ResponseTemplate::new(203).set_body_string("<html>Sign in</html>"))
        .mount(&server)
        .await;
    let az = azure(&server);
    assert_eq!(walk(&az, "AB#1", &azure_levels()).await.end, ChainEnd::Cycle { key: "AB#1".into() });
    let deleted = walk(&az, "AB#5", &azure_levels()).await;
    assert_eq!(deleted.end, ChainEnd::Missing { key: "AB#404".into(), child: Some("AB#5".into()) });
    assert_eq!(deleted.links[0].state.as_ref().map(|s| s.category), Some(StateCategory::Done));
    assert!(matches!(az.lookup("AB#9").await, Err(TrackerError::Permission { status: 203, .. })));
}

// ---- one PR, end to end ----

const POLICY: &str = r#"
version: 1
tiers:
  red: { paths: ["src/auth/**"] }
  yellow: { default: true }
  green: { paths: ["docs/**"] }
linkage:
  required: true
  trackers: { jira: { projects: [ABC] }, github: {} }
  chain:
    require: { red: okr, yellow: epic, green: none }
  on_tracker_error: pending
"#;

fn red_pr(title: &str) -> flowgate::PrFacts {
    flowgate::PrFacts {
        repo: Some("acme/shop".into()),
        title: title.into(),
        files: vec![flowgate::model::FileChange::new("src/auth/login.rs", flowgate::model::FileStatus::Modified, 3, 1)],
        ..flowgate::PrFacts::default()
    }
}

async fn gate(trackers: &Trackers, title: &str) -> flowgate::Verdict {
    let policy = flowgate::policy::load::load_text(POLICY, std::path::Path::new("flowgate.yml")).expect("policy");
    let mut facts = red_pr(title);
    let keys = flowgate::policy::evaluate::needs(&facts, &policy).keys;
    flowgate::gate::chains::gather(&mut facts, &policy, &keys, trackers, None).await;
    flowgate::evaluate(&facts, &policy)
}

#[tokio::test]
async fn a_red_pr_is_gated_on_its_jira_chain() {
    let server = jira_chain(vec![prd_link(), okr_link()]).await;
    let trackers = Trackers { jira: Some(jira(&server)), ..Trackers::default() };
    let verdict = gate(&trackers, "ABC-123: pay with saved cards").await;
    let text = flowgate::report::text::render(&verdict, false);
    assert_eq!(verdict.state, flowgate::State::Pass, "{text}");
    assert!(text.contains("ABC-123 Story -> ABC-7 Epic -> PRD-3 -> OKR-2026-Q4-2 'Cut churn 10%'"), "{text}");
    // Cold: the story, the epic, and the epic's remote links (the story has a parent, so its
    // remote links are not read). Warm: the same trackers answer the same PR from the cache.
    let cold = trackers.usage();
    assert_eq!((cold.requests, cold.cache_hits), (3, 0));
    let again = gate(&trackers, "ABC-123: pay with saved cards").await;
    assert_eq!(again.linkage, verdict.linkage);
    let warm = trackers.usage();
    assert_eq!((warm.requests - cold.requests, warm.cache_hits - cold.cache_hits), (0, 3));

    let broken = jira_chain(vec![okr_link()]).await;
    let trackers = Trackers { jira: Some(jira(&broken)), ..Trackers::default() };
    let verdict = gate(&trackers, "ABC-123: pay with saved cards").await;
    let json = flowgate::report::json::to_value(&verdict);
    assert_eq!(json["state"], "fail");
    assert_eq!(json["linkage"]["broken_at"]["reason"], "ABC-7 has no parent PRD");
}

#[tokio::test]
async fn a_pr_whose_tracker_cannot_be_reached_is_pending_with_the_reason() {
    // Jira is not configured at all.
    let trackers =
        Trackers { jira_missing: Some("set FLOWGATE_JIRA_URL, FLOWGATE_JIRA_TOKEN".into()), ..Trackers::default() };
    let verdict = gate(&trackers, "ABC-123: pay").await;
    let json = flowgate::report::json::to_value(&verdict);
    assert_eq!(json["state"], "pending");
    assert_eq!(json["linkage"]["state"], "pending");
    let reason = json["linkage"]["tracker_error"]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("no jira connection is configured (set FLOWGATE_JIRA_URL, FLOWGATE_JIRA_TOKEN)"),
        "{reason}"
    );
}

// ---- the CLI, configured from the environment ----

/// `flowgate check` on the bundled auth-login snapshot (title `ABC-123: ...`, red) with the
/// example policy asking red PRs for a chain up to an OKR, and `env` for the trackers.
fn check_auth_login(env: &[(&str, &str)]) -> common::Run {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let example = std::fs::read_to_string(common::root().join("examples/flowgate.yml")).expect("example policy");
    let policy =
        example.replacen("linkage:\n", "linkage:\n  chain: { require: { red: okr } }\n  on_tracker_error: fail\n", 1);
    assert_ne!(policy, example, "the example policy has a linkage section");
    let policy_path = dir.path().join("flowgate.yml");
    std::fs::write(&policy_path, policy).expect("policy written");
    let snapshot = common::root().join("examples/auth-login");
    let mut cmd = assert_cmd::Command::cargo_bin("flowgate").expect("binary");
    cmd.env("NO_COLOR", "1");
    for var in ["FLOWGATE_JIRA_URL", "FLOWGATE_JIRA_EMAIL", "FLOWGATE_JIRA_TOKEN", "FLOWGATE_TRACKER_TIMEOUT_MS"] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    cmd.args([
        "check",
        "--snapshot",
        common::path_str(&snapshot),
        "--policy",
        common::path_str(&policy_path),
        "--format",
        "json",
    ]);
    common::Run::of(&mut cmd)
}

#[tokio::test(flavor = "multi_thread")]
async fn flowgate_check_reads_jira_from_the_environment() {
    let server = jira_chain(vec![prd_link(), okr_link()]).await;
    let uri = server.uri();
    let run = check_auth_login(&[
        ("FLOWGATE_JIRA_URL", &uri),
        ("FLOWGATE_JIRA_EMAIL", EMAIL),
        ("FLOWGATE_JIRA_TOKEN", JIRA_TOKEN),
    ]);
    let json = run.json();
    assert_eq!(json["linkage"]["state"], "pass", "{}", run.stderr);
    let chain: Vec<&str> =
        json["linkage"]["chain"].as_array().into_iter().flatten().filter_map(|l| l["key"].as_str()).collect();
    assert_eq!(chain, vec!["ABC-123", "ABC-7", "PRD-3", "OKR-2026-Q4-2"]);
    assert!(!run.stdout.contains(JIRA_TOKEN) && !run.stderr.contains(JIRA_TOKEN), "the token is never printed");

    // Without Jira's variables the story cannot be verified, and this policy fails on that.
    let run = check_auth_login(&[]);
    let json = run.json();
    assert_eq!((json["state"].as_str(), json["linkage"]["state"].as_str()), (Some("fail"), Some("fail")));
    let reason = json["linkage"]["tracker_error"]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("FLOWGATE_JIRA_URL, FLOWGATE_JIRA_EMAIL, FLOWGATE_JIRA_TOKEN"), "{reason}");
}

#[tokio::test]
async fn a_chain_that_takes_too_long_in_all_is_a_timeout_though_each_answer_is_in_time() {
    let server = MockServer::start().await;
    let slow = |body: Value| ResponseTemplate::new(200).set_delay(Duration::from_millis(200)).set_body_json(body);
    for (key, parent) in [("ABC-1", Some("ABC-2")), ("ABC-2", Some("ABC-3")), ("ABC-3", Some("ABC-4")), ("ABC-4", None)]
    {
        Mock::given(method("GET"))
            .and(path(format!("/rest/api/3/issue/{key}")))
            .respond_with(slow(jira_issue(key, key, "Story", parent, "new")))
            .mount(&server)
            .await;
    }
    let trackers =
        Trackers { jira: Some(jira(&server)), chain_budget: Some(Duration::from_millis(500)), ..Trackers::default() };
    let chains = trackers.chains(&[(flowgate::policy::linkage::keys::Tracker::Jira, "ABC-1".into())], &levels()).await;
    assert_eq!(
        chains["ABC-1"].end,
        ChainEnd::Error { key: "ABC-1".into(), error: TrackerError::Timeout { after_ms: 500 } }
    );
}
