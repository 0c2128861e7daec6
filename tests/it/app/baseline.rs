//! Baselines in the App: one baseline gates 50 repositories that have no policy of their own; a
//! repository policy that loosens its baseline fails at its file:line:column, one that tightens
//! it gates under its stricter rule; a repository with neither a policy nor a baseline gets no
//! check at all; the organisation's `.github` repository picks a baseline by custom property
//! and names one in a repository, and a baseline that cannot be read fails closed, naming it.

use crate::support::fake_github;
use crate::support::server;

use fake_github::{AppAuth, FakeGitHub, HEAD, hello_world, payload};
use flowgate::policy::baseline::BaselineRule;
use serde_json::{Value, json};
use server::{Server, databases};

const POLICY_PATH: &str = ".github/flowgate.yml";

/// Codertocat's organisation: Hello-World#2 (with its policy), and siblings named `names`
/// holding the same PR without a policy file.
async fn organisation(names: &[String]) -> FakeGitHub {
    let fake = hello_world("Update the greeting", &["ai:none"]).await;
    fake.with(|s| {
        s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() });
        for name in names {
            let sibling = s.sibling(name, &[POLICY_PATH]);
            s.others.insert(name.clone(), sibling);
        }
    });
    fake
}

fn rule(entry: Value) -> BaselineRule {
    serde_json::from_value(entry).expect("a baseline entry")
}

/// The `pull_request.opened` delivery of PR #2 in `repo`.
fn opened(repo: &str) -> Value {
    let mut body = payload("pull_request.opened.payload.json");
    let name = repo.split_once('/').map_or(repo, |(_, n)| n);
    body["repository"]["full_name"] = json!(repo);
    body["repository"]["name"] = json!(name);
    body
}

/// The check runs on PR #2's head in the sibling `repo`.
fn runs(fake: &FakeGitHub, repo: &str) -> Vec<fake_github::CheckRun> {
    fake.with(|s| s.others[repo].check_runs.iter().filter(|r| r.head_sha == HEAD).cloned().collect())
}

async fn deliver_all(server: &Server, repos: &[String]) {
    for (i, repo) in repos.iter().enumerate() {
        let (status, _) = server.deliver("pull_request", &format!("d-{i}"), &opened(repo)).await;
        assert_eq!(status, 202);
    }
    let n = repos.len() as i64;
    // Fifty evaluations on a busy test machine take longer than one: a deadline of their own.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(180);
    while server.depth().await.done < n {
        assert!(std::time::Instant::now() < deadline, "{} of {n} deliveries done", server.depth().await.done);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_baseline_gates_fifty_repositories_and_a_repository_with_neither_gets_no_check() {
    for db in databases("serve_baseline_fifty").await {
        let services: Vec<String> = (0..50).map(|i| format!("Codertocat/svc-{i:02}")).collect();
        let mut repos = services.clone();
        repos.push("Codertocat/notes".into());
        let fake = organisation(&repos).await;
        let mut config = server::config(&fake, &db.url);
        config.baselines = vec![rule(json!({ "policy": "strict", "repositories": ["Codertocat/svc-*"] }))];
        config.workers = 4;
        let server = Server::start_with(config).await;
        deliver_all(&server, &repos).await;

        let gated = services.iter().filter(|repo| runs(&fake, repo).len() == 1).count();
        assert_eq!(gated, 50, "{}: each service has the baseline's one check run", db.name);
        let run = &runs(&fake, "Codertocat/svc-07")[0];
        assert_eq!(run.conclusion.as_deref(), Some("failure"), "strict needs an approval: {}", run.title);
        assert_eq!(runs(&fake, "Codertocat/notes").len(), 0, "{}: no policy, no baseline: no check", db.name);
        assert_eq!(server.app.metrics.without_policy_total(), 1);
        server.stop().await;
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_loosening_policy_fails_at_its_line_and_a_tightening_one_gates_by_its_stricter_rule() {
    for db in databases("serve_baseline_loosen").await {
        let repos = ["Codertocat/loose".to_string(), "Codertocat/tight".to_string()];
        let fake = organisation(&repos).await;
        fake.with(|s| {
            let policy = |approvals: u32| format!("tiers:\n  yellow:\n    review: {{ approvals: {approvals} }}\n");
            s.others
                .get_mut("Codertocat/loose")
                .expect("repo")
                .contents
                .insert(("master".into(), POLICY_PATH.into()), policy(0));
            s.others
                .get_mut("Codertocat/tight")
                .expect("repo")
                .contents
                .insert(("master".into(), POLICY_PATH.into()), policy(3));
        });
        let mut config = server::config(&fake, &db.url);
        config.baselines = vec![rule(json!({ "policy": "strict" }))];
        let server = Server::start_with(config).await;
        deliver_all(&server, &repos).await;

        let loose = &runs(&fake, "Codertocat/loose")[0];
        assert_eq!(loose.conclusion.as_deref(), Some("failure"), "{}", db.name);
        assert!(
            loose.summary.contains(
                "Codertocat/loose@master:.github/flowgate.yml:3:15: tiers.yellow.review.approvals loosens the baseline \
                 (strict): the baseline requires at least 1, this policy has 0"
            ),
            "{}",
            loose.summary
        );
        let tight = &runs(&fake, "Codertocat/tight")[0];
        assert_eq!(tight.conclusion.as_deref(), Some("failure"), "{}: {}", db.name, tight.title);
        assert!(!tight.summary.contains("loosens"), "{}", tight.summary);
        assert!(tight.summary.contains("0 of 3") || tight.summary.contains("3 approvals"), "{}", tight.summary);
        server.stop().await;
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_organisation_picks_a_baseline_by_custom_property_and_an_unreadable_one_fails_closed() {
    for db in databases("serve_baseline_properties").await {
        let repos = ["Codertocat/pay".to_string(), "Codertocat/blog".to_string(), "Codertocat/ledger".to_string()];
        let fake = organisation(&repos).await;
        fake.with(|s| {
            let property = |value: &str| vec![json!({ "property_name": "criticality", "value": value })];
            s.others.get_mut("Codertocat/pay").expect("repo").properties = property("high");
            s.others.get_mut("Codertocat/blog").expect("repo").properties = property("low");
            s.others.get_mut("Codertocat/ledger").expect("repo").properties = property("critical");
            let mut org = fake_github::State { repo: "Codertocat/.github".into(), ..Default::default() };
            let file = "baselines:\n  - policy: Codertocat/.github:baselines/high.yml@main\n    properties: { criticality: high }\n  \
                        - policy: Codertocat/.github:baselines/gone.yml@main\n    properties: { criticality: critical }\n";
            org.contents.insert(("main".into(), ".github/flowgate-baselines.yml".into()), file.into());
            let high = "version: 1\nextends: strict\ntiers:\n  yellow:\n    review: { approvals: 4, stale: head }\n";
            org.contents.insert(("main".into(), "baselines/high.yml".into()), high.into());
            s.others.insert("Codertocat/.github".into(), org);
        });
        let server = Server::start(&fake, &db.url).await;
        deliver_all(&server, &repos).await;

        let pay = &runs(&fake, "Codertocat/pay")[0];
        assert!(pay.summary.contains("0 of 4") || pay.summary.contains("4 approvals"), "{}: {}", db.name, pay.summary);
        assert_eq!(runs(&fake, "Codertocat/blog").len(), 0, "{}: criticality low matches no baseline", db.name);
        let ledger = &runs(&fake, "Codertocat/ledger")[0];
        assert_eq!(ledger.conclusion.as_deref(), Some("failure"), "{}", db.name);
        assert!(
            ledger.summary.contains("the baseline Codertocat/.github:baselines/gone.yml@main cannot be used"),
            "{}",
            ledger.summary
        );
        server.stop().await;
        db.drop_database().await;
    }
}

/// A PR that edits its repository's policy into one that loosens the baseline fails, with the
/// loosening at its line in the edited file; the base branch's policy, which tightens, still
/// judges the rest.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_edit_that_would_loosen_the_baseline_fails_the_pr_that_makes_it() {
    for db in databases("serve_baseline_edit").await {
        let repos = ["Codertocat/api".to_string()];
        let fake = organisation(&repos).await;
        fake.with(|s| {
            let api = s.others.get_mut("Codertocat/api").expect("repo");
            let on_base = "tiers:\n  yellow:\n    review: { approvals: 2 }\n";
            api.contents.insert(("master".into(), POLICY_PATH.into()), on_base.into());
            let at_head = "# loosened\ntiers:\n  yellow:\n    review: { approvals: 0 }\n";
            api.contents.insert((HEAD.into(), POLICY_PATH.into()), at_head.into());
            api.pr(2)
                .files
                .push(json!({ "filename": POLICY_PATH, "status": "modified", "additions": 1, "deletions": 1,
                "changes": 2, "patch": "@@ -1,3 +1,4 @@\n+# loosened\n" }));
        });
        let mut config = server::config(&fake, &db.url);
        config.baselines = vec![rule(json!({ "policy": "strict" }))];
        let server = Server::start_with(config).await;
        deliver_all(&server, &repos).await;

        let run = &runs(&fake, "Codertocat/api")[0];
        assert_eq!(run.conclusion.as_deref(), Some("failure"), "{}", db.name);
        assert!(
            run.summary.contains("tiers.yellow.review.approvals loosens the baseline (strict)"),
            "{}: {}",
            db.name,
            run.summary
        );
        let lines: Vec<(String, u64)> = run
            .annotations
            .iter()
            .map(|a| (a["path"].as_str().unwrap_or_default().to_string(), a["start_line"].as_u64().unwrap_or_default()))
            .collect();
        assert!(lines.contains(&(POLICY_PATH.to_string(), 4)), "an annotation on the line that loosens: {lines:?}");
        server.stop().await;
        db.drop_database().await;
    }
}
