//! `flowgate check --repo --pr` and `flowgate snapshot` against a fake GitHub served over HTTP:
//! the live PR gates exactly like its saved snapshot, pages are followed, the policy comes from
//! the base branch, requests are counted, and GitHub's errors reach the user without the token.

use crate::support::common;

use std::path::Path;

use serde_json::Value;
use tempfile::TempDir;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::Run;

const TOKEN: &str = "ghp_not_a_real_token_0123456789";

fn example(file: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/auth-login").join(file))
        .expect("example")
}

/// GitHub answers `GET pulls/{n}` with the pull request object the webhook payload carries.
fn pull_object() -> String {
    let hook: Value = serde_json::from_str(&example("pull.json")).expect("json");
    hook["pull_request"].to_string()
}

/// The fake GitHub: the auth-login example PR, its files over two pages, and a policy on `main`.
async fn fake_github(policy_on_base: Option<&str>) -> MockServer {
    let server = MockServer::start().await;
    let base = "/repos/acme/shop/pulls/42";
    Mock::given(method("GET"))
        .and(path(base))
        .respond_with(ResponseTemplate::new(200).set_body_string(pull_object()))
        .mount(&server)
        .await;
    let files: Vec<Value> = serde_json::from_str(&example("files.json")).expect("files");
    let (first, second) = files.split_at(2);
    let next = format!("<{}{base}/files?per_page=100&page=2>; rel=\"next\"", server.uri());
    Mock::given(method("GET"))
        .and(path(format!("{base}/files")))
        .and(query_param("page", "1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(Value::from(first.to_vec()).to_string())
                .insert_header("link", next.as_str()),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{base}/files")))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_string(Value::from(second.to_vec()).to_string()))
        .mount(&server)
        .await;
    for (route, body) in [("commits", example("commits.json")), ("reviews", example("reviews.json"))] {
        Mock::given(method("GET"))
            .and(path(format!("{base}/{route}")))
            .respond_with(ResponseTemplate::new(200).set_body_string(body))
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/repos/acme/shop/issues/42/events"))
        .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
        .mount(&server)
        .await;
    let contents = Mock::given(method("GET"))
        .and(path("/repos/acme/shop/contents/.github%2Fflowgate.yml"))
        .and(query_param("ref", "main"));
    match policy_on_base {
        Some(text) => contents.respond_with(ResponseTemplate::new(200).set_body_string(text)).mount(&server).await,
        None => {
            contents
                .respond_with(ResponseTemplate::new(404).set_body_string(r#"{"message":"Not Found"}"#))
                .mount(&server)
                .await
        }
    }
    server
}

/// Runs the binary off the runtime's thread, so the fake GitHub keeps answering meanwhile.
async fn flowgate(args: Vec<String>) -> Run {
    tokio::task::spawn_blocking(move || {
        Run::of(
            assert_cmd::Command::cargo_bin("flowgate")
                .expect("binary")
                .args(&args)
                .env_remove("GITHUB_TOKEN")
                .env_remove("GITHUB_API_URL"),
        )
    })
    .await
    .expect("joins")
}

fn args(server: &MockServer, rest: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
    v.extend(["--repo", "acme/shop", "--pr", "42", "--api-url", &server.uri(), "--token", TOKEN].map(String::from));
    v
}

#[tokio::test]
async fn a_live_pr_gates_like_its_snapshot_with_the_policy_from_the_base_branch() {
    let policy =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/flowgate.yml")).expect("policy");
    let server = fake_github(Some(&policy)).await;
    let run = flowgate(args(&server, &["check", "--format", "json"])).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let live: Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(live["state"], "pending");
    assert_eq!(live["tier"], "red");
    assert_eq!(live["linkage"]["keys"], serde_json::json!(["ABC-123"]));
    assert_eq!(live["review"]["approved_by"], serde_json::json!(["bob"]));
    assert_eq!(live["files"].as_array().map(Vec::len), Some(4), "both pages of files were read");
    assert!(run.stderr.contains(".github/flowgate.yml on acme/shop@main"), "{}", run.stderr);

    // One request each for the PR, its two pages of files, commits, reviews and the policy, and
    // the two AI provenance lookups (the notes refs' listing, the trace directory); the label events
    // only matter when the override label is on the PR, and it is not.
    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(requests.len(), 8, "{:?}", requests.iter().map(|r| r.url.to_string()).collect::<Vec<_>>());
    assert!(run.stderr.contains("8 GitHub API requests"), "{}", run.stderr);
    assert!(
        requests
            .iter()
            .all(|r| r.headers.get("authorization").is_some_and(|v| v.to_str().is_ok_and(|v| v.ends_with(TOKEN))))
    );

    // The saved snapshot gates the same way, offline.
    let dir = TempDir::new().expect("tempdir");
    let out = dir.path().join("pr42");
    let saved = flowgate(args(&server, &["snapshot", "--out", &out.to_string_lossy()])).await;
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    let policy_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/flowgate.yml");
    let offline = flowgate(vec![
        "check".into(),
        "--snapshot".into(),
        out.to_string_lossy().into(),
        "--policy".into(),
        policy_path.to_string_lossy().into(),
        "--format".into(),
        "json".into(),
    ])
    .await;
    let offline: Value = serde_json::from_str(&offline.stdout).expect("json");
    for key in ["state", "tier", "linkage", "ai", "review", "files"] {
        assert_eq!(offline[key], live[key], "{key} differs between the live PR and its snapshot");
    }
}

#[tokio::test]
async fn without_a_policy_on_the_base_branch_the_bundled_default_applies() {
    let server = fake_github(None).await;
    let run = flowgate(args(&server, &["check", "--format", "summary"])).await;
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    assert!(run.stderr.contains("bundled default policy"), "{}", run.stderr);
}

#[tokio::test]
async fn github_errors_are_clear_and_never_show_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/shop/pulls/42"))
        .respond_with(ResponseTemplate::new(401).set_body_string(r#"{"message":"Bad credentials"}"#))
        .mount(&server)
        .await;
    let run = flowgate(args(&server, &["check"])).await;
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("401") && run.stderr.contains("Bad credentials") && run.stderr.contains("token"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(TOKEN) && !run.stdout.contains(TOKEN));

    let missing = MockServer::start().await;
    let run = flowgate(args(&missing, &["check"])).await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("acme/shop#42 was not found"), "{}", run.stderr);

    let limited = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429).insert_header("retry-after", "1").set_body_string(r#"{"message":"slow down"}"#),
        )
        .mount(&limited)
        .await;
    let run = flowgate(args(&limited, &["check"])).await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("still rate limited after 3 retries"), "{}", run.stderr);
    let asked = limited.received_requests().await.expect("recorded").len();
    assert_eq!(asked, 4, "the first request and three retries, each after the retry-after second");
}

#[tokio::test]
async fn a_pr_whose_files_json_is_truncated_is_bad_input() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/shop/pulls/42"))
        .respond_with(ResponseTemplate::new(200).set_body_string(pull_object()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/shop/pulls/42/files"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"[{"filename":"a.rs","#))
        .mount(&server)
        .await;
    let run = flowgate(args(&server, &["check"])).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("files.json") && run.stderr.contains("truncated"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"));
}

#[tokio::test]
async fn the_plan_of_a_live_pr_is_printed_and_nothing_is_posted() {
    let policy =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/flowgate.yml")).expect("policy");
    let server = fake_github(Some(&policy)).await;
    let run = flowgate(args(&server, &["check", "--plan"])).await;
    assert_eq!(run.code, 0, "pending fails nothing: {}", run.stderr);
    assert_eq!(
        run.stdout,
        "check run: pending on 1111111 \"Waiting for review: 1 more approval (red tier)\", 2 annotations\n\
         label: add flowgate:red\n\
         AI tool labels: add ai:claude-code\n"
    );
    let requests = server.received_requests().await.expect("recorded");
    assert!(requests.iter().all(|r| r.method == wiremock::http::Method::GET), "read-only: {requests:?}");

    let run = flowgate(vec!["check".into(), "--plan".into()]).await;
    assert_eq!(run.code, 2, "--plan needs a live PR: {}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mergify_queue_pr_is_checked_as_the_group_it_holds() {
    use crate::support::fake_github::queue::{self, Method};
    use crate::support::fake_github::{FakeGitHub, Pr, TOKEN as FAKE_TOKEN};
    let fake = FakeGitHub::start("acme/shop").await;
    let head = queue::sha("mergify draft head");
    fake.with(|s| {
        s.contents.insert((queue::BASE.into(), ".github/flowgate.yml".into()), example("../flowgate.yml"));
        s.ready_pr(1, "carol");
        s.ready_pr(2, "carol");
        let group = s.queue(&[1, 2], Method::Squash);
        let range = s.range(&group).clone();
        s.pulls.insert(
            9,
            Pr {
                pull: serde_json::json!({
                    "number": 9, "state": "open", "draft": true,
                    "title": "merge queue: embarking main (b0b0b0b), #1 and #2 together",
                    "user": { "login": "mergify[bot]" },
                    "head": { "ref": "mergify/merge-queue/0c7f4ad7cd", "sha": head },
                    "base": { "ref": "main", "sha": queue::BASE_SHA },
                    "labels": [],
                }),
                files: range["files"].as_array().cloned().unwrap_or_default(),
                commits: range["commits"].as_array().cloned().unwrap_or_default(),
                ..Pr::default()
            },
        );
    });
    let run = |pr: &str| {
        let uri = fake.uri();
        let args: Vec<String> = ["check", "--repo", "acme/shop", "--pr", pr, "--api-url", &uri, "--token", FAKE_TOKEN]
            .map(String::from)
            .to_vec();
        flowgate(args)
    };
    let out = run("9").await;
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.starts_with("Merge group verified: 2 pull requests"), "{}", out.stdout);

    // The same PR by someone else is an ordinary PR: no story, no AI disclosure.
    fake.with(|s| s.pr(9).pull["user"]["login"] = serde_json::json!("mallory"));
    let out = run("9").await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(!out.stdout.contains("Merge group"), "{}", out.stdout);

    // Another queue tool's draft PR, named in the base branch's policy by account and branch.
    fake.with(|s| {
        let policy = format!(
            "{}merge_queue:\n  queue_prs:\n    - {{ author: \"aviator-app[bot]\", branch: \"mq-tmp-\" }}\n",
            example("../flowgate.yml")
        );
        s.contents.insert((queue::BASE.into(), ".github/flowgate.yml".into()), policy);
        let pull = &mut s.pr(9).pull;
        pull["user"]["login"] = serde_json::json!("aviator-app[bot]");
        pull["head"]["ref"] = serde_json::json!("mq-tmp-7");
        pull["title"] = serde_json::json!("MergeQueue: testing #1 and #2");
    });
    let out = run("9").await;
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.starts_with("Merge group verified: 2 pull requests"), "{}", out.stdout);
}
