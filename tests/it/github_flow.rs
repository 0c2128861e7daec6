//! The gate against a stateful fake GitHub over real HTTP, through the real octocrab client: a
//! first evaluation, a re-evaluation after a review, a push that makes an approval stale, a PR
//! over GitHub's 3,000-file cap, a secondary rate limit, a lost answer to "create check run",
//! a read-only token, an App's JWT and installation token, and what each costs in requests.

use crate::support::fake_github;

use std::time::Duration;

use fake_github::{AppAuth, FakeGitHub, TOKEN, example_repo};
use flowgate::State;
use flowgate::gate::remote::{self, Gated, Published};
use flowgate::github::checks::Write;
use flowgate::github::retry::RetryPolicy;
use flowgate::github::{AppKey, Credentials, GitHub, RepoName, Token};
use flowgate::policy::verdict::LimitProblem;
use flowgate::report::check_run::{Annotation, CheckRunReport};
use serde_json::{Value, json};

fn repo() -> RepoName {
    RepoName::parse("acme/shop").expect("repo")
}

fn client(fake: &FakeGitHub) -> GitHub {
    GitHub::new(&fake.uri(), Credentials::Token(Token::new(TOKEN).expect("token"))).expect("client")
}

async fn gate(gh: &GitHub, number: u64) -> Gated {
    remote::gate(gh, &repo(), number, None).await.expect("gates")
}

async fn gate_and_publish(gh: &GitHub, number: u64) -> (Gated, Published) {
    let gated = gate(gh, number).await;
    let published = remote::publish(gh, &repo(), &gated).await.expect("publishes");
    (gated, published)
}

/// The requests the fake saw since the log was cleared, as `METHOD path` without the query.
fn requests(fake: &FakeGitHub) -> Vec<String> {
    fake.with(|s| {
        s.log.iter().map(|l| format!("{} {}", l.method, l.url.split('?').next().unwrap_or_default())).collect()
    })
}

fn approve(fake: &FakeGitHub, login: &str, sha: &str) {
    fake.with(|s| {
        let reviews = &mut s.pr(42).reviews;
        let id = 900 + reviews.len() as u64;
        reviews.push(json!({
            "id": id, "user": { "login": login, "type": "User" }, "state": "APPROVED",
            "commit_id": sha, "submitted_at": "2026-11-03T10:00:00Z", "body": ""
        }));
    });
}

const HEAD: &str = "1111111111111111111111111111111111111111";

#[tokio::test]
async fn a_first_evaluation_posts_one_pending_run_and_the_tier_label() {
    let fake = example_repo().await;
    let gh = client(&fake);
    let (gated, published) = gate_and_publish(&gh, 42).await;
    assert_eq!(gated.verdict.state, State::Pending);
    let Published::Posted { check_run, label, .. } = published else { panic!("posted: {published:?}") };
    assert!(check_run.created);
    assert_eq!(label.added.as_deref(), Some("flowgate:red"));

    fake.with(|s| {
        let runs = s.runs_on(HEAD);
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].status, "in_progress", "pending keeps the run in progress");
        assert_eq!(runs[0].conclusion, None);
        assert!(runs[0].title.starts_with("Waiting for review: 1 more approval"), "{}", runs[0].title);
        assert!(runs[0].summary.contains("ABC-123"), "the summary is the Markdown report");
        assert_eq!(s.pr_labels(42), ["flowgate:red", "ai:claude-code"]);
    });
    // Reads: the PR, the policy on the base branch, then files, commits and reviews at once, then
    // the AI provenance sources at once (the notes refs' listing, empty, and the trace directory's 404). Writes: look for a run, create it, add the tier label, create the Claude Code label in the
    // repository and add it. No label events (no override label), no team (the policy lists its
    // members).
    let mut seen = requests(&fake);
    seen[2..5].sort();
    seen[5..7].sort();
    assert_eq!(
        seen,
        [
            "GET /repos/acme/shop/pulls/42",
            "GET /repos/acme/shop/contents/.github%2Fflowgate.yml",
            "GET /repos/acme/shop/pulls/42/commits",
            "GET /repos/acme/shop/pulls/42/files",
            "GET /repos/acme/shop/pulls/42/reviews",
            "GET /repos/acme/shop/contents/.agent-trace",
            "GET /repos/acme/shop/git/matching-refs/notes",
            "GET /repos/acme/shop/commits/1111111111111111111111111111111111111111/check-runs",
            "POST /repos/acme/shop/check-runs",
            "POST /repos/acme/shop/issues/42/labels",
            "POST /repos/acme/shop/labels",
            "POST /repos/acme/shop/issues/42/labels",
        ]
    );
    assert_eq!(gh.usage().requests, 12);
}

#[tokio::test]
async fn a_review_completes_the_same_run_and_unchanged_reads_cost_nothing() {
    let fake = example_repo().await;
    let gh = client(&fake);
    gate_and_publish(&gh, 42).await;
    let before = gh.usage();

    approve(&fake, "alice", HEAD);
    fake.clear_log();
    let (gated, published) = gate_and_publish(&gh, 42).await;
    assert_eq!(gated.verdict.state, State::Pass, "alice's approval on the head makes two");
    let Published::Posted { check_run, label, ai_labels, .. } = published else { panic!("{published:?}") };
    assert!(!check_run.created, "updated, not created again");
    assert_eq!(label, Default::default(), "the label was right already: nothing sent");
    assert_eq!(ai_labels, Ok(Default::default()), "the AI tool label is on the PR already: nothing sent");

    fake.with(|s| {
        let runs = s.runs_on(HEAD);
        assert_eq!(runs.len(), 1, "still one run on the head");
        assert_eq!((runs[0].status.as_str(), runs[0].conclusion.as_deref()), ("completed", Some("success")));
    });
    let after = gh.usage();
    let (sent, free) = (after.requests - before.requests, after.not_modified - before.not_modified);
    // The policy, files and commits are unchanged: conditional requests answered 304. The PR
    // changed (it carries the label now) and so did its reviews. Of the provenance lookups, the
    // notes refs' listing comes back 304; the trace directory's 404 carries no ETag and costs one.
    assert_eq!((sent, free), (9, 4), "{:?}", requests(&fake));
    assert_eq!(
        requests(&fake).iter().filter(|r| !r.starts_with("GET")).collect::<Vec<_>>(),
        ["PATCH /repos/acme/shop/check-runs/1000"]
    );
}

#[tokio::test]
async fn a_push_makes_approvals_stale_and_gets_a_run_of_its_own() {
    let fake = example_repo().await;
    let gh = client(&fake);
    approve(&fake, "alice", HEAD);
    let (first, _) = gate_and_publish(&gh, 42).await;
    assert_eq!(first.verdict.state, State::Pass);

    let new_head = "2222222222222222222222222222222222222222";
    fake.with(|s| {
        let pr = s.pr(42);
        pr.pull["head"]["sha"] = json!(new_head);
        pr.pull["commits"] = json!(3);
        let mut commit = pr.commits[1].clone();
        commit["sha"] = json!(new_head);
        pr.commits.push(commit);
    });
    let (second, _) = gate_and_publish(&gh, 42).await;
    assert_eq!(second.verdict.state, State::Pending, "red approvals count only on the head");
    fake.with(|s| {
        assert_eq!(s.runs_on(HEAD)[0].conclusion.as_deref(), Some("success"), "the old head's run stays");
        let runs = s.runs_on(new_head);
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].status, "in_progress");
        assert!(runs[0].title.contains("approval"), "{}", runs[0].title);
    });
}

#[tokio::test]
async fn a_pr_over_githubs_file_cap_fails_closed_and_its_report_fits_the_run() {
    let fake = example_repo().await;
    fake.with(|s| {
        let mut pr = s.pr(42).clone();
        pr.pull["number"] = json!(7);
        pr.pull["changed_files"] = json!(3_100);
        pr.files = (0..3_100)
            .map(|i| {
                json!({ "filename": format!("src/module_{i:04}/mod.rs"), "status": "added", "additions": 1,
                        "deletions": 0, "changes": 1, "patch": "@@ -0,0 +1 @@\n+pub fn f() {}" })
            })
            .collect();
        s.pulls.insert(7, pr);
    });
    let gh = client(&fake);
    let (gated, published) = gate_and_publish(&gh, 7).await;
    assert_eq!(gated.verdict.state, State::Fail, "files flowgate never saw cannot pass");
    assert!(
        gated
            .verdict
            .limits
            .iter()
            .any(|p| matches!(p, LimitProblem::FilesCapped { listed: 3_000, total: Some(3_100) })),
        "{:?}",
        gated.verdict.limits
    );
    let pages = requests(&fake).iter().filter(|r| r.ends_with("/pulls/7/files")).count();
    assert_eq!(pages, 30, "every page up to GitHub's cap, and not one more");
    assert!(matches!(published, Published::Posted { .. }));
    fake.with(|s| {
        let run = &s.check_runs[0];
        assert!(run.summary.len() <= 65_535);
        assert!(run.summary.contains("more\n"), "the report lists some files of each tier and counts the rest");
    });
}

#[tokio::test]
async fn a_secondary_rate_limit_is_waited_out() {
    let fake = example_repo().await;
    fake.with(|s| s.rate_limit_next = 2);
    let gh = client(&fake);
    let gated = gate(&gh, 42).await;
    assert_eq!(gated.verdict.state, State::Pending);
    assert_eq!(gh.usage().retries, 2);
    fake.with(|s| {
        let limited: Vec<u16> = s.log.iter().take(3).map(|l| l.status).collect();
        assert_eq!(limited, [403, 403, 200], "the same request, sent again after retry-after");
    });
}

#[tokio::test]
async fn a_server_error_on_a_read_is_retried() {
    let fake = example_repo().await;
    fake.with(|s| s.bad_gateway_next = 1);
    let gh = client(&fake);
    let gated = gate(&gh, 42).await;
    assert_eq!(gated.verdict.state, State::Pending);
    assert_eq!(gh.usage().retries, 1);
    let first_two: Vec<(String, u16)> =
        fake.with(|s| s.log.iter().take(2).map(|l| (l.url.clone(), l.status)).collect());
    assert_eq!(first_two, [("/repos/acme/shop/pulls/42".into(), 502), ("/repos/acme/shop/pulls/42".into(), 200)]);
}

#[tokio::test]
async fn a_rate_limit_longer_than_flowgate_waits_is_a_clear_error() {
    let fake = example_repo().await;
    fake.with(|s| s.rate_limit_next = 10);
    let policy = RetryPolicy { max_wait: Duration::from_millis(500), ..RetryPolicy::default() };
    let gh = client(&fake).with_retry_policy(policy);
    let error = remote::gate(&gh, &repo(), 42, None).await.err().expect("gives up").to_string();
    assert!(error.contains("rate limit") && error.contains("1 s"), "{error}");
    assert!(!error.contains(TOKEN));
}

#[tokio::test]
async fn a_lost_answer_to_create_check_run_does_not_make_a_second_run() {
    let fake = example_repo().await;
    fake.with(|s| s.fail_after_create = 1);
    let gh = client(&fake);
    let (_, published) = gate_and_publish(&gh, 42).await;
    assert!(matches!(published, Published::Posted { .. }), "{published:?}");
    fake.with(|s| assert_eq!(s.check_runs.len(), 1, "the 500 came after the run was made: look, don't repeat"));
    let writes: Vec<String> = requests(&fake).into_iter().filter(|r| r.contains("check-runs")).collect();
    assert_eq!(
        writes,
        [
            "GET /repos/acme/shop/commits/1111111111111111111111111111111111111111/check-runs",
            "POST /repos/acme/shop/check-runs",
            "GET /repos/acme/shop/commits/1111111111111111111111111111111111111111/check-runs",
        ]
    );
}

#[tokio::test]
async fn a_read_only_token_posts_nothing_and_says_why() {
    let fake = example_repo().await;
    fake.with(|s| s.read_only = true);
    let gh = client(&fake);
    let (gated, published) = gate_and_publish(&gh, 42).await;
    assert_eq!(gated.verdict.state, State::Pending, "the verdict does not depend on posting");
    match published {
        Published::NotPosted(why) => assert!(why.contains("Resource not accessible by integration"), "{why}"),
        other => panic!("{other:?}"),
    }
    fake.with(|s| assert!(s.check_runs.is_empty()));
}

#[tokio::test]
async fn annotations_go_fifty_a_request_and_are_not_sent_twice() {
    let fake = example_repo().await;
    let gh = client(&fake);
    let report = CheckRunReport {
        conclusion: Some("failure"),
        title: "t".into(),
        summary: "s".into(),
        annotations: (1..=120)
            .map(|i| Annotation {
                path: "src/lib.rs".into(),
                start_line: i,
                end_line: i,
                level: "warning",
                title: "flowgate: process-exec".into(),
                message: format!("finding {i}"),
            })
            .collect(),
    };
    let posted = gh.post_check_run(&repo(), HEAD, &report).await.expect("posts");
    let Write::Done(posted) = posted else { panic!("{posted:?}") };
    assert_eq!(posted.annotations_sent, 120);
    fake.with(|s| assert_eq!(s.check_runs[0].annotations.len(), 120));
    let writes = fake.with(|s| s.writes().len());
    assert_eq!(writes, 3, "one create with 50, then two updates of 50 and 20");

    let again = gh.post_check_run(&repo(), HEAD, &report).await.expect("posts");
    assert!(matches!(again, Write::Done(ref p) if p.annotations_sent == 0 && !p.created), "{again:?}");
    fake.with(|s| {
        assert_eq!(s.check_runs.len(), 1);
        assert_eq!(s.check_runs[0].annotations.len(), 120, "GitHub appends: the same findings are not sent again");
    });
}

#[tokio::test]
async fn teams_the_policy_does_not_list_are_asked_of_github() {
    let fake = example_repo().await;
    fake.with(|s| {
        let policy = s.contents.get_mut(&("main".to_string(), ".github/flowgate.yml".to_string())).expect("policy");
        *policy = policy.replace(r#"  "@acme/security": [alice, bob]"#, r#"  "@acme/leads": [dana]"#);
        s.teams.insert(("acme".into(), "security".into()), vec!["alice".into(), "bob".into()]);
    });
    approve(&fake, "alice", HEAD);
    let gh = client(&fake);
    let gated = gate(&gh, 42).await;
    assert_eq!(gated.verdict.state, State::Pass, "alice and bob are known as @acme/security from GitHub");
    assert!(requests(&fake).contains(&"GET /orgs/acme/teams/security/members".to_string()));
    fake.clear_log();
    gate(&gh, 42).await;
    let team = fake.with(|s| s.log.iter().find(|l| l.url.starts_with("/orgs/")).map(|l| l.status));
    assert_eq!(team, Some(304), "asked again, an unchanged team costs nothing");
}

#[tokio::test]
async fn an_app_signs_a_short_jwt_and_caches_its_installation_token() {
    let fake = example_repo().await;
    fake.with(|s| s.app = Some(AppAuth { installation_id: 77, ..AppAuth::default() }));
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/app");
    let pem = std::fs::read(root.join("test-app-key.pem")).expect("key");
    let app = AppKey::from_pem(12345, &pem).expect("key parses");

    let lookup = GitHub::new(&fake.uri(), Credentials::App(app.clone())).expect("client");
    let installation_id = lookup.installation_for(&repo()).await.expect("installation");
    assert_eq!(installation_id, 77);
    let gh = GitHub::new(&fake.uri(), Credentials::Installation { app, installation_id }).expect("client");
    let (gated, published) = gate_and_publish(&gh, 42).await;
    assert_eq!(gated.verdict.state, State::Pending);
    assert!(matches!(published, Published::Posted { .. }));
    fake.with(|s| assert_eq!(s.app.as_ref().map(|a| a.tokens_issued), Some(1), "one token for all requests"));

    // The JWT: RS256, signed by the App's key, issued a minute in the past, living ten minutes.
    let jwt = fake.with(|s| s.app.as_ref().and_then(|a| a.last_jwt.clone())).expect("a JWT was sent");
    let public = std::fs::read(root.join("test-app-key.pub.pem")).expect("public key");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_required_spec_claims(&["exp", "iat", "iss"]);
    let claims: Value =
        jsonwebtoken::decode(&jwt, &jsonwebtoken::DecodingKey::from_rsa_pem(&public).expect("pem"), &validation)
            .expect("a valid signature")
            .claims;
    let now = chrono::Utc::now().timestamp() as u64;
    let (iat, exp) = (claims["iat"].as_u64().expect("iat"), claims["exp"].as_u64().expect("exp"));
    assert_eq!(claims["iss"], "12345");
    assert_eq!(exp - iat, 600);
    assert!(iat <= now - 59 && iat >= now - 70, "iat {iat}, now {now}");
}

#[tokio::test]
async fn a_missing_pr_and_a_bad_token_are_errors_that_name_them() {
    let fake = example_repo().await;
    let gh = client(&fake);
    let missing = remote::gate(&gh, &repo(), 99, None).await.err().expect("error").to_string();
    assert!(missing.contains("acme/shop#99 was not found"), "{missing}");
    let stranger = GitHub::new(&fake.uri(), Credentials::Token(Token::new("ghp_wrong").expect("t"))).expect("client");
    let refused = remote::gate(&stranger, &repo(), 42, None).await.err().expect("error").to_string();
    assert!(
        refused.contains("401") && refused.contains("Bad credentials") && !refused.contains("ghp_wrong"),
        "{refused}"
    );
}

#[tokio::test]
async fn codeowners_is_read_from_the_base_branch_where_github_looks_first() {
    let fake = example_repo().await;
    fake.with(|s| {
        s.contents.insert(("main".into(), "CODEOWNERS".into()), "* @acme/root\n".into());
        s.contents.insert(("main".into(), "docs/CODEOWNERS".into()), "* @acme/docs\n".into());
        s.contents.insert(("feature".into(), ".github/CODEOWNERS".into()), "* @someone/else\n".into());
    });
    let gh = client(&fake);
    let text = gh.codeowners(&repo(), "main").await.expect("reads");
    assert_eq!(text.as_deref(), Some("* @acme/root\n"), "the branch's own file; .github/ has none on main");
    assert_eq!(gh.codeowners(&repo(), "nowhere").await.expect("reads"), None);
}

#[tokio::test]
async fn a_comment_is_posted_once_however_often_it_is_asked_for() {
    let fake = example_repo().await;
    let gh = client(&fake);
    for _ in 0..3 {
        let done =
            gh.comment_once(&repo(), 42, "<!-- flowgate:explain:d-1 -->", "2026-11-21T00:00:00Z", "the report").await;
        assert!(matches!(done, Ok(Write::Done(()))), "{done:?}");
    }
    let comments = fake.with(|s| s.comments(42));
    assert_eq!(comments, ["the report\n\n<!-- flowgate:explain:d-1 -->"]);
    assert_eq!(fake.with(|s| s.writes().len()), 1, "the second and third time only look");
}

/// An issue of acme/shop as GitHub serves it, of `kind` (an issue type) or with `labels`.
fn work_item(base: &str, number: u64, title: &str, kind: Option<&str>, labels: &[&str]) -> Value {
    json!({
        "number": number, "title": title, "state": "open",
        "html_url": format!("https://github.com/acme/shop/issues/{number}"),
        "repository_url": format!("{base}/repos/acme/shop"),
        "type": kind.map(|k| json!({ "name": k })),
        "labels": labels.iter().map(|l| json!({ "name": l })).collect::<Vec<_>>(),
    })
}

#[tokio::test]
async fn a_red_pr_is_traced_through_sub_issues_to_an_okr_and_a_second_evaluation_uses_the_cache() {
    let fake = example_repo().await;
    let base = fake.uri();
    fake.with(|s| {
        let key = ("main".to_string(), ".github/flowgate.yml".to_string());
        let policy = s.contents[&key].replacen("linkage:\n", "linkage:\n  chain: { require: { red: okr } }\n", 1);
        s.contents.insert(key, policy);
        // The branch still names ABC-123, a Jira key no tracker is configured for here.
        s.pr(42).pull["title"] = json!("Rate-limit failed logins (#12)");
        s.issues.insert(12, (work_item(&base, 12, "Lock out brute force", Some("Story"), &[]), Some(7)));
        s.issues.insert(7, (work_item(&base, 7, "Account security", Some("Epic"), &[]), Some(3)));
        s.issues.insert(3, (work_item(&base, 3, "Login hardening PRD", None, &["prd"]), Some(1)));
        s.issues.insert(1, (work_item(&base, 1, "Zero account takeovers", None, &["level:okr"]), None));
    });
    let gh = client(&fake);
    let first = gate(&gh, 42).await;
    let chain = first.verdict.linkage.chain.as_ref().expect("a red PR is traced");
    assert_eq!(chain.key, "acme/shop#12");
    assert_eq!(
        chain.links.iter().map(|l| (l.key.as_str(), l.level.as_deref())).collect::<Vec<_>>(),
        vec![
            ("acme/shop#12", Some("story")),
            ("acme/shop#7", Some("epic")),
            ("acme/shop#3", Some("prd")),
            ("acme/shop#1", Some("okr"))
        ]
    );
    assert_eq!(first.verdict.linkage.state, flowgate::policy::verdict::LinkageState::Pass);
    let cold = first.tracker_usage.expect("trackers were asked");
    assert_eq!((cold.requests, cold.cache_hits), (8, 0), "an issue and its parent for each of four items");
    assert!(requests(&fake).contains(&"GET /repos/acme/shop/issues/12/parent".to_string()));

    fake.clear_log();
    let second = gate(&gh, 42).await;
    let warm = second.tracker_usage.expect("trackers were asked");
    assert_eq!((warm.requests, warm.cache_hits), (0, 8), "the second evaluation asks no tracker");
    assert_eq!(second.verdict.linkage, first.verdict.linkage);
    assert!(!requests(&fake).iter().any(|r| r.contains("/issues/")), "{:?}", requests(&fake));
}

/// An App installation reads the story chain with its own installation token: the fake GitHub
/// answers nothing without it, as GitHub does for a private repository's issues.
#[tokio::test]
async fn an_app_traces_sub_issues_with_its_installation_token() {
    let fake = example_repo().await;
    let base = fake.uri();
    fake.with(|s| {
        s.app = Some(AppAuth { installation_id: 77, ..AppAuth::default() });
        let key = ("main".to_string(), ".github/flowgate.yml".to_string());
        let policy = s.contents[&key].replacen("linkage:\n", "linkage:\n  chain: { require: { red: okr } }\n", 1);
        s.contents.insert(key, policy);
        s.pr(42).pull["title"] = json!("Rate-limit failed logins (#12)");
        s.issues.insert(12, (work_item(&base, 12, "Lock out brute force", Some("Story"), &[]), Some(7)));
        s.issues.insert(7, (work_item(&base, 7, "Account security", Some("Epic"), &[]), Some(3)));
        s.issues.insert(3, (work_item(&base, 3, "Login hardening PRD", None, &["prd"]), Some(1)));
        s.issues.insert(1, (work_item(&base, 1, "Zero account takeovers", None, &["level:okr"]), None));
    });
    let pem =
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/app/test-app-key.pem"))
            .expect("key");
    let app = AppKey::from_pem(12345, &pem).expect("key parses");
    let gh = GitHub::new(&fake.uri(), Credentials::Installation { app, installation_id: 77 }).expect("client");
    let gated = gate(&gh, 42).await;
    let chain = gated.verdict.linkage.chain.as_ref().expect("a red PR is traced");
    assert_eq!(
        chain.links.iter().map(|l| l.key.as_str()).collect::<Vec<_>>(),
        vec!["acme/shop#12", "acme/shop#7", "acme/shop#3", "acme/shop#1"],
        "{:?}",
        gated.verdict.linkage
    );
    assert_eq!(gated.verdict.linkage.state, flowgate::policy::verdict::LinkageState::Pass);
    let issue_reads: Vec<u16> =
        fake.with(|s| s.log.iter().filter(|l| l.url.contains("/issues/12")).map(|l| l.status).collect());
    assert!(!issue_reads.is_empty() && issue_reads.iter().all(|s| *s == 200 || *s == 404), "{issue_reads:?}");
    assert_eq!(gated.tracker_usage.map(|u| u.requests), Some(8), "an issue and its parent for each of four items");
}

/// The labels a test PR carries, with the example's Claude Code commit on it.
fn with_labels(fake: &FakeGitHub, labels: &[&str]) {
    fake.with(|s| s.pr(42).pull["labels"] = labels.iter().map(|l| json!({ "name": l })).collect());
}

fn label_writes(fake: &FakeGitHub) -> Vec<String> {
    requests(fake).into_iter().filter(|r| !r.starts_with("GET") && r.contains("labels")).collect()
}

#[tokio::test]
async fn a_tool_label_is_created_once_added_once_and_never_again() {
    let fake = example_repo().await;
    let gh = client(&fake);
    let (_, published) = gate_and_publish(&gh, 42).await;
    let Published::Posted { ai_labels, .. } = published else { panic!("{published:?}") };
    let change = ai_labels.expect("allowed");
    assert_eq!(
        (change.created, change.added),
        (vec!["ai:claude-code".to_string()], vec!["ai:claude-code".to_string()])
    );
    fake.with(|s| {
        let label = s.label("ai:claude-code").expect("created in the repository").clone();
        assert_eq!(label["color"], "8250df");
        assert_eq!(label["description"], "flowgate found markers of Claude Code on this pull request");
    });

    // Evaluated again and again (a review, an edit): the label is there, nothing is sent.
    for _ in 0..2 {
        fake.clear_log();
        gate_and_publish(&gh, 42).await;
        assert_eq!(label_writes(&fake), Vec::<String>::new());
    }
    fake.with(|s| {
        assert_eq!(s.pr_labels(42).iter().filter(|l| *l == "ai:claude-code").count(), 1);
        assert_eq!(s.labels.iter().filter(|l| l["name"] == "ai:claude-code").count(), 1);
    });
}

#[tokio::test]
async fn a_label_the_repository_has_already_is_added_without_changing_it() {
    let fake = example_repo().await;
    fake.with(|s| s.labels.push(json!({ "name": "AI:Claude-Code", "color": "000000", "description": "ours" })));
    let gh = client(&fake);
    let (_, published) = gate_and_publish(&gh, 42).await;
    let Published::Posted { ai_labels, .. } = published else { panic!("{published:?}") };
    let change = ai_labels.expect("allowed");
    assert!(change.created.is_empty(), "GitHub said it exists: {change:?}");
    assert_eq!(change.added, ["ai:claude-code"]);
    fake.with(|s| {
        assert_eq!(s.labels.len(), 2, "the tier label was made by adding it; the tool label kept: {:?}", s.labels);
        assert_eq!(s.label("ai:claude-code").expect("kept")["color"], "000000");
    });
    // A PR carrying the label under another case has it: GitHub compares names without case.
    with_labels(&fake, &["flowgate:red", "AI:Claude-Code"]);
    fake.clear_log();
    gate_and_publish(&gh, 42).await;
    assert_eq!(label_writes(&fake), Vec::<String>::new());
}

#[tokio::test]
async fn the_authors_declaration_labels_are_never_added_or_removed() {
    for declared in ["ai:none", "ai:assisted", "ai:generated"] {
        let fake = example_repo().await;
        with_labels(&fake, &[declared]);
        let gh = client(&fake);
        gate_and_publish(&gh, 42).await;
        gate_and_publish(&gh, 42).await;
        let labels = fake.with(|s| s.pr_labels(42));
        assert_eq!(labels, [declared, "flowgate:red", "ai:claude-code"], "{declared}");
        let touched: Vec<String> =
            label_writes(&fake).into_iter().filter(|w| w.starts_with("DELETE") || w.contains(declared)).collect();
        assert_eq!(touched, Vec::<String>::new(), "{declared}");
        let sent = fake.with(|s| s.log.iter().filter(|l| l.method == "POST" && l.url.ends_with("/labels")).count());
        assert_eq!(sent, 3, "{declared}: tier label, create the tool label, add it; the second evaluation sends none");
    }
    // Without markers, nothing AI is added, whatever the author declared.
    let fake = example_repo().await;
    fake.with(|s| {
        for c in &mut s.pr(42).commits {
            c["commit"]["message"] = json!("Plain work");
        }
    });
    with_labels(&fake, &["ai:assisted"]);
    gate_and_publish(&client(&fake), 42).await;
    assert_eq!(fake.with(|s| s.pr_labels(42)), ["ai:assisted", "flowgate:red"]);
}

#[tokio::test]
async fn tool_labels_follow_the_policy_names_and_can_be_turned_off() {
    let fake = example_repo().await;
    let original = fake.with(|s| s.contents[&("main".to_string(), ".github/flowgate.yml".to_string())].clone());
    assert!(original.contains("\nai:\n"), "the example policy has an ai: section");
    fake.with(|s| {
        let policy = s.contents.get_mut(&("main".to_string(), ".github/flowgate.yml".to_string())).expect("policy");
        *policy = original
            .replace("\nai:\n", "\nai:\n  labels: { names: { claude-code: \"AI: Claude\" }, color: \"#00FF00\" }\n");
    });
    let gh = client(&fake);
    gate_and_publish(&gh, 42).await;
    fake.with(|s| {
        assert!(s.pr_labels(42).contains(&"AI: Claude".to_string()), "{:?}", s.pr_labels(42));
        assert_eq!(s.label("AI: Claude").expect("created")["color"], "00ff00");
    });

    let fake = example_repo().await;
    fake.with(|s| {
        let policy = s.contents.get_mut(&("main".to_string(), ".github/flowgate.yml".to_string())).expect("policy");
        *policy = original.replace("\nai:\n", "\nai:\n  labels: { enabled: false }\n");
    });
    gate_and_publish(&client(&fake), 42).await;
    assert_eq!(fake.with(|s| s.pr_labels(42)), ["flowgate:red"]);
}

#[tokio::test]
async fn a_token_that_may_not_create_labels_still_posts_the_run_and_says_why() {
    let fake = example_repo().await;
    let gh = client(&fake);
    // A token that can write checks and PR labels but is refused on the repository's labels.
    fake.with(|s| s.labels_read_only = true);
    let (_, published) = gate_and_publish(&gh, 42).await;
    let Published::Posted { ai_labels, check_run, .. } = published else { panic!("{published:?}") };
    assert!(check_run.created);
    let why = ai_labels.expect_err("refused");
    assert!(why.contains("Resource not accessible"), "{why}");
    assert_eq!(fake.with(|s| s.pr_labels(42)), ["flowgate:red"]);
}
