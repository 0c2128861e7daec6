//! A policy that extends a remote one (`acme/.github:flowgate/base.yml`, pinned to a commit), in
//! the App: the remote's rules judge the PR, read at the pinned commit through the App's
//! installation on the remote's account; a remote that cannot be read fails the check, naming it.

use crate::support::fake_github;
use crate::support::server;

use fake_github::{AppAuth, FakeGitHub, HEAD, RemoteRepo, hello_world, payload, reviewed_by_hubot};
use serde_json::Value;
use server::{Server, databases, wait_until};

const PIN: &str = "0123456789abcdef0123456789abcdef01234567";

fn example_policy() -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/flowgate.yml"))
        .expect("policy")
}

/// Hello-World#2 (changing `src/lib.rs`, approved once), whose policy on `master` extends
/// `acme/.github:flowgate/base.yml@main` pinned at `PIN`; `acme/.github` serves `remote`.
async fn pr(remote: Option<RemoteRepo>) -> FakeGitHub {
    let fake = hello_world("ABC-123: update the greeting", &["ai:none"]).await;
    let policy = format!(
        "# This repository follows the organisation's policy.\nextends:\n  from: acme/.github:flowgate/base.yml@main\n  commit: {PIN}\n"
    );
    fake.with(|s| {
        let mut app = AppAuth { installation_id: 1, ..AppAuth::default() };
        app.accounts.insert("acme".into(), 7);
        s.app = Some(app);
        s.contents.insert(("master".into(), ".github/flowgate.yml".into()), policy);
        if let Some(remote) = remote {
            s.remotes.insert("acme/.github".into(), remote);
        }
    });
    reviewed_by_hubot(&fake);
    fake
}

/// The organisation's policy: the example policy (`shared/org.yml`, which the base extends by a
/// relative path) with `src/**` red.
fn organisation() -> RemoteRepo {
    let base = "extends: ../shared/org.yml\ntiers:\n  red:\n    paths: [\"src/**\"]\n";
    RemoteRepo::at("main", PIN, &[("flowgate/base.yml", base), ("shared/org.yml", &example_policy())])
}

/// Delivers the PR, waits for its check run, and returns its conclusion and its title and summary.
async fn gate(fake: &FakeGitHub, url: &str, delivery: &str) -> (Option<String>, String) {
    let server = Server::start(fake, url).await;
    let opened: Value = payload("pull_request.opened.payload.json");
    let (status, _) = server.deliver("pull_request", delivery, &opened).await;
    assert_eq!(status, 202);
    wait_until("a check run", async || fake.with(|s| !s.runs_on(HEAD).is_empty())).await;
    wait_until("the tier label or a conclusion", async || {
        fake.with(|s| s.runs_on(HEAD)[0].conclusion.is_some() || !s.pr_labels(2).is_empty())
    })
    .await;
    server.stop().await;
    fake.with(|s| {
        let run = &s.runs_on(HEAD)[0];
        (run.conclusion.clone(), format!("{}\n{}", run.title, run.summary))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_remote_policys_red_paths_judge_the_pr_read_at_the_pinned_commit() {
    for db in databases("remote_extends_red").await {
        let fake = pr(Some(organisation())).await;
        let (conclusion, summary) = gate(&fake, &db.url, "d-remote").await;
        assert_eq!(conclusion, None, "{}: red needs another approval: {summary}", db.name);
        assert!(summary.starts_with("Waiting for review: 1 more approval"), "{summary}");
        assert!(summary.contains("(red tier)"), "the remote's red paths apply: {summary}");
        fake.with(|s| {
            assert!(s.pr_labels(2).contains(&"flowgate:red".to_string()), "{:?}", s.pr_labels(2));
            let remote_reads: Vec<&str> =
                s.log.iter().filter(|l| l.url.starts_with("/repos/acme/.github/")).map(|l| l.url.as_str()).collect();
            assert_eq!(
                remote_reads,
                [
                    "/repos/acme/.github/installation".to_string(),
                    format!("/repos/acme/.github/contents/flowgate%2Fbase.yml?ref={PIN}"),
                    format!("/repos/acme/.github/contents/shared%2Forg.yml?ref={PIN}"),
                ],
                "the App's installation on acme is looked up once, and each file read at the pinned commit"
            );
            assert!(
                s.log.iter().any(|l| l.method == "POST" && l.url == "/app/installations/7/access_tokens"),
                "the remote is read as the App's installation on acme"
            );
        });
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_remote_that_is_not_found_or_forbidden_fails_the_check_and_names_the_remote() {
    for db in databases("remote_extends_404").await {
        // acme/.github has the file, but not at the pinned commit.
        let mut moved = organisation();
        moved.contents.retain(|(rev, _), _| rev != PIN);
        let fake = pr(Some(moved)).await;
        let (conclusion, summary) = gate(&fake, &db.url, "d-404").await;
        assert_eq!(conclusion.as_deref(), Some("failure"), "{}: {summary}", db.name);
        assert!(
            summary.contains(&format!(
                "`extends: acme/.github:flowgate/base.yml@main`: cannot read acme/.github@{PIN}:flowgate/base.yml"
            )),
            "{summary}"
        );
        assert!(!summary.contains("bundled"), "never the bundled default: {summary}");

        // A remote the installation may not read (403) fails the same way.
        let mut forbidden = organisation();
        forbidden.forbidden = true;
        let fake = pr(Some(forbidden)).await;
        let (conclusion, summary) = gate(&fake, &db.url, "d-403").await;
        assert_eq!(conclusion.as_deref(), Some("failure"), "{}: {summary}", db.name);
        assert!(summary.contains(&format!("cannot read acme/.github@{PIN}:flowgate/base.yml")), "{summary}");
        assert!(summary.contains("403"), "{summary}");
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_remote_on_an_account_without_the_app_fails_the_check_saying_so() {
    for db in databases("remote_extends_not_installed").await {
        let fake = pr(Some(organisation())).await;
        fake.with(|s| s.app.as_mut().map(|a| a.accounts.clear()).unwrap_or_default());
        fake.with(|s| s.app.as_mut().map(|a| a.accounts.insert("elsewhere".into(), 9)));
        let (conclusion, summary) = gate(&fake, &db.url, "d-not-installed").await;
        assert_eq!(conclusion.as_deref(), Some("failure"), "{}: {summary}", db.name);
        assert!(summary.contains("the App is not installed on acme's account"), "{summary}");
        db.drop_database().await;
    }
}

/// A shared policy named by reference (what a baseline is), loaded with its chain through a
/// client, and one that cannot be read refused with its name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_named_by_reference_loads_with_its_chain() {
    let fake = FakeGitHub::start("acme/shop").await;
    fake.with(|s| s.remotes.insert("acme/.github".into(), organisation()));
    let token = flowgate::github::Token::new(fake_github::TOKEN).expect("a token");
    let gh = flowgate::github::GitHub::new(&fake.uri(), flowgate::github::Credentials::Token(token)).expect("client");
    let policy = flowgate::gate::remote::load_remote(&gh, &format!("acme/.github:flowgate/base.yml@{PIN}"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        policy.origin,
        [format!("acme/.github@{PIN}:flowgate/base.yml"), format!("acme/.github@{PIN}:shared/org.yml")]
    );
    assert!(policy.paths.is_empty(), "no file of the gated repository: {:?}", policy.paths);
    let e = flowgate::gate::remote::load_remote(&gh, "acme/.github:flowgate/missing.yml@main").await.expect_err("404");
    assert!(e.to_string().starts_with("acme/.github@main:flowgate/missing.yml: cannot read the policy"), "{e}");
}
