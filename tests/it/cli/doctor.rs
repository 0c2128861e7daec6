//! `flowgate doctor` end to end against the stateful fake GitHub: a ready repository (as the
//! App, with its installation checked), flowgate not required, a merge queue with a required check
//! whose workflow skips merge_group, an installation that has not accepted merge queues, and a
//! token that may not read branch protection. Asserts the exit code, the lines, and that nothing
//! is written.

use crate::support::common;
use crate::support::fake_github;

use serde_json::{Value, json};

use common::{Run, root};
use fake_github::{AppAuth, FakeGitHub, Ruleset, TOKEN, classic_protection, merge_queue_rule, required_checks_rule};
use flowgate::serve::manifest;

async fn doctor(fake: &FakeGitHub, args: &[&str]) -> Run {
    let mut all: Vec<String> = ["doctor", "--repo", "acme/shop", "--api-url", &fake.uri()].map(String::from).to_vec();
    all.extend(args.iter().map(|a| a.to_string()));
    tokio::task::spawn_blocking(move || {
        Run::of(
            assert_cmd::Command::cargo_bin("flowgate")
                .expect("binary")
                .args(&all)
                .env_remove("GITHUB_TOKEN")
                .env_remove("GITHUB_API_URL")
                .env_remove("FLOWGATE_APP_ID")
                .env_remove("FLOWGATE_APP_PRIVATE_KEY_PATH"),
        )
    })
    .await
    .expect("joins")
}

fn app_args() -> Vec<String> {
    let key = root().join("tests/fixtures/app/test-app-key.pem");
    vec!["--app-id".into(), "42".into(), "--app-key".into(), key.display().to_string()]
}

/// The App installed with what its manifest asks for, except `left_out`, and Administration: read
/// (which classic branch protection needs).
fn installed(left_out: &[&str]) -> AppAuth {
    let mut permissions: serde_json::Map<String, Value> = manifest::PERMISSIONS
        .iter()
        .filter(|(name, _)| !left_out.contains(name))
        .map(|(name, level)| (name.to_string(), json!(level)))
        .collect();
    permissions.insert("administration".into(), json!("read"));
    AppAuth {
        installation_id: 7,
        app_id: 42,
        permissions,
        events: manifest::EVENTS.iter().filter(|e| !left_out.contains(e)).map(|e| e.to_string()).collect(),
        ..AppAuth::default()
    }
}

fn lines(run: &Run) -> Vec<&str> {
    run.stdout.lines().collect()
}

#[tokio::test]
async fn a_repository_that_requires_flowgate_is_ready_and_the_apps_installation_has_what_it_needs() {
    let fake = FakeGitHub::start("acme/shop").await;
    fake.with(|s| {
        s.app = Some(installed(&[]));
        s.protection.insert("main".into(), classic_protection(&["flowgate", "test"]));
        s.rulesets.push(Ruleset::active(
            5,
            "Protect main",
            &["~DEFAULT_BRANCH"],
            vec![required_checks_rule(&["flowgate"])],
        ));
    });
    let run = doctor(&fake, &app_args().iter().map(String::as_str).collect::<Vec<_>>()).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        lines(&run),
        [
            "acme/shop: ready: flowgate can be the required check on main",
            "  ok       main: flowgate is a required check (branch protection, ruleset \"Protect main\")",
            "  ok       main: no merge queue",
            "  ok       the App's installation has the 7 permissions and 7 events flowgate needs",
        ]
    );
    // Read-only: the one POST is the installation token the reads are made with.
    let writes: Vec<String> = fake.with(|s| s.writes().iter().map(|w| format!("{} {}", w.method, w.url)).collect());
    assert_eq!(writes, ["POST /app/installations/7/access_tokens"]);

    let mut json_args = app_args();
    json_args.extend(["--format".into(), "json".into()]);
    let run = doctor(&fake, &json_args.iter().map(String::as_str).collect::<Vec<_>>()).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["outcome"], "ready");
    assert_eq!(report["branches"], json!(["main"]));
    assert_eq!(report["findings"][0]["sources"][1], json!({ "by": "ruleset", "id": 5, "name": "Protect main" }));
}

#[tokio::test]
async fn flowgate_missing_from_the_required_checks_is_not_ready_on_each_branch_asked() {
    let fake = FakeGitHub::start("acme/shop").await;
    fake.with(|s| {
        s.protection.insert("main".into(), classic_protection(&["test", "lint"]));
    });
    let run = doctor(&fake, &["--token", TOKEN, "--branch", "release/1.0"]).await;
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let out = &run.stdout;
    assert!(out.starts_with("acme/shop: not ready: 2 things to fix\n"), "{out}");
    assert!(
        out.contains(
            "fix      main: flowgate is not among the required checks (\"test\", \"lint\"), so a pull request can merge while it fails"
        ),
        "{out}"
    );
    assert!(out.contains("fix      release/1.0: flowgate is not a required check"), "{out}");
    assert!(out.contains("note     the App's permissions (Checks, Pull requests,"), "{out}");
    assert!(
        fake.with(|s| s.log.iter().any(|l| l.url == "/repos/acme/shop/branches/release%2F1.0/protection")),
        "the branch travels as one path segment"
    );
}

const CI: &str = "name: CI\non:\n  pull_request:\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: [{ run: cargo test }]\n";
const LINT: &str =
    "on: [pull_request, merge_group]\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps: [{ run: cargo clippy }]\n";
const FLOWGATE: &str = "on:\n  pull_request_target:\n  merge_group:\n    types: [checks_requested]\njobs:\n  gate:\n    steps:\n      - uses: acme/flowgate@0123456789abcdef0123456789abcdef01234567\n";

#[tokio::test]
async fn a_merge_queue_with_a_required_check_that_skips_merge_group_is_not_ready() {
    let fake = FakeGitHub::start("acme/shop").await;
    fake.with(|s| {
        s.rulesets.push(Ruleset::active(
            9,
            "Queue",
            &["~DEFAULT_BRANCH"],
            vec![required_checks_rule(&["flowgate", "test", "lint", "ci/circleci"]), merge_queue_rule()],
        ));
        for (file, text) in [("ci.yml", CI), ("lint.yml", LINT), ("flowgate.yml", FLOWGATE)] {
            s.contents.insert(("main".into(), format!(".github/workflows/{file}")), text.into());
        }
        s.contents.insert(("main".into(), ".github/workflows/README.md".into()), "not a workflow".into());
    });
    let run = doctor(&fake, &["--token", TOKEN]).await;
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let out = &run.stdout;
    assert!(out.starts_with("acme/shop: not ready: 1 thing to fix\n"), "{out}");
    assert!(out.contains("ok       main: merges through a merge queue (ruleset \"Queue\")"), "{out}");
    assert!(
        out.contains(
            "fix      main: the required check \"test\" will stall the merge queue: job test in .github/workflows/ci.yml \
             (on: pull_request, push) does not run on merge_group"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "ok       main: the required check \"lint\" runs on merge_group (job lint in .github/workflows/lint.yml)"
        ),
        "{out}"
    );
    assert!(out.contains("note     main: flowgate cannot tell whether the required check \"ci/circleci\""), "{out}");
    assert!(!out.contains("flowgate Action"), "flowgate's own workflow runs on merge_group: {out}");

    let run = doctor(&fake, &["--token", TOKEN, "--format", "json"]).await;
    let kinds: Vec<String> = run.json()["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["kind"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(kinds, ["required", "merge_queue", "queue_stalls", "queue_ready", "queue_unknown", "app_not_checked"]);
}

#[tokio::test]
async fn an_installation_that_has_not_accepted_merge_queues_is_not_ready() {
    let fake = FakeGitHub::start("acme/shop").await;
    fake.with(|s| {
        s.app = Some(installed(&["merge_queues", "merge_group"]));
        s.protection.insert("main".into(), classic_protection(&["flowgate"]));
    });
    let run = doctor(&fake, &app_args().iter().map(String::as_str).collect::<Vec<_>>()).await;
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("fix      the App's installation lacks Merge queues: read"), "{}", run.stdout);
    assert!(
        run.stdout.contains("fix      the App's installation does not receive merge_group events"),
        "{}",
        run.stdout
    );
}

#[tokio::test]
async fn a_token_that_cannot_read_branch_protection_cannot_tell_and_names_the_permission() {
    let fake = FakeGitHub::start("acme/shop").await;
    fake.with(|s| {
        s.protection_forbidden = true;
        s.protection.insert("main".into(), classic_protection(&["flowgate"]));
    });
    let run = doctor(&fake, &["--token", TOKEN]).await;
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.starts_with("acme/shop: cannot tell: 1 thing could not be read\n"), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "unknown  main: cannot read its branch protection: GitHub answered 403 (Resource not accessible by personal \
             access token); the token needs Administration: read"
        ),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("not a required check"), "an unread protection may be the one that requires it");

    // The same as the App's installation, which the manifest does not give Administration: read.
    let mut app = installed(&[]);
    app.permissions.remove("administration");
    fake.with(|s| s.app = Some(app));
    let run = doctor(&fake, &app_args().iter().map(String::as_str).collect::<Vec<_>>()).await;
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "GitHub answered 403 (Resource not accessible by integration); the token needs Administration: read"
        ),
        "{}",
        run.stdout
    );
}
