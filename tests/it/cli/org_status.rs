//! `flowgate org status` against the stateful fake GitHub: an organisation with a repository the
//! App gates in shadow mode with `flowgate` required by a ruleset, an installed repository whose
//! reads fail (its error in its row, the table still printed), and an archived one the App is not
//! installed on; the last evaluation comes from the App's database, the baseline from the App's
//! settings, and a repository with neither a policy nor a baseline is shown as not gated.

use crate::support::common;
use crate::support::fake_github;

use serde_json::{Value, json};
use tempfile::TempDir;

use common::{Run, root};
use fake_github::{AppAuth, FakeGitHub, Ruleset, required_checks_rule};
use flowgate::serve::manifest;

fn installed_app() -> AppAuth {
    let mut permissions: serde_json::Map<String, Value> =
        manifest::PERMISSIONS.iter().map(|(name, level)| (name.to_string(), json!(level))).collect();
    permissions.insert("administration".into(), json!("read"));
    AppAuth {
        installation_id: 7,
        app_id: 42,
        permissions,
        events: manifest::EVENTS.iter().map(|e| e.to_string()).collect(),
        org: Some("acme".into()),
        ..AppAuth::default()
    }
}

fn repo(name: &str, archived: bool) -> Value {
    json!({ "full_name": format!("acme/{name}"), "name": name, "default_branch": "main", "archived": archived })
}

/// The App's settings, with its database holding one evaluation of acme/shop.
async fn settings(dir: &TempDir, api: &str) -> std::path::PathBuf {
    let database = format!("sqlite://{}", dir.path().join("flowgate.db").display());
    let store = flowgate::store::Store::connect(&database).await.expect("the database");
    store
        .record_evaluation(&flowgate::store::Evaluation {
            repo: "acme/shop",
            pr: 12,
            at_ms: 1_764_583_200_000,
            enforcement: flowgate::model::Enforcement::Evaluate,
            state: "fail",
            reasons: &[],
        })
        .await
        .expect("recorded");
    let key = root().join("tests/fixtures/app/test-app-key.pem");
    let config = dir.path().join("flowgate.toml");
    std::fs::write(
        &config,
        format!(
            "app_id = 42\napp_private_key_path = {:?}\nwebhook_secret = \"s\"\ngithub_api_url = {api:?}\ndatabase_url = {database:?}\n\n\
             [[baseline]]\npolicy = \"strict\"\nrepositories = [\"acme/shop\"]\n",
            key.display().to_string()
        ),
    )
    .expect("config");
    config
}

async fn status(config: &std::path::Path, args: &[&str]) -> Run {
    let mut all: Vec<String> = vec!["org".into(), "status".into(), "--config".into(), config.display().to_string()];
    all.extend(args.iter().map(|a| a.to_string()));
    tokio::task::spawn_blocking(move || {
        Run::of(assert_cmd::Command::cargo_bin("flowgate").expect("binary").args(&all).env_clear())
    })
    .await
    .expect("joins")
}

#[tokio::test]
async fn one_row_per_repository_with_errors_in_their_row() {
    let fake = FakeGitHub::start("acme/shop").await;
    fake.with(|s| {
        s.app = Some(installed_app());
        s.org_repos = vec![repo("shop", false), repo("api", false), repo("legacy", true)];
        s.installation_repos = vec![repo("shop", false), repo("api", false)];
        s.contents
            .insert(("main".into(), ".github/flowgate.yml".into()), "extends: strict\nenforcement: evaluate\n".into());
        s.rulesets.push(Ruleset::active(
            5,
            "Protect main",
            &["~DEFAULT_BRANCH"],
            vec![required_checks_rule(&["flowgate"])],
        ));
    });
    let dir = TempDir::new().expect("dir");
    let config = settings(&dir, &fake.uri()).await;

    let run = status(&config, &["--org", "acme"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout, @r#"
    ## acme: 3 repositories, the App installed on 2

    | repository | installed | policy | baseline | enforcement | flowgate required by | merge queue | doctor | last evaluation |
    |---|---|---|---|---|---|---|---|---|
    | acme/shop | yes | .github/flowgate.yml, extends strict | strict | evaluate (shadow) | ruleset "Protect main" | none | ready | #12 fail (2025-12-01T10:00:00Z, evaluate) |
    | acme/api | yes | no .github/flowgate.yml | none: not gated (no policy file, no baseline) | - | - | - | could not be read: GitHub: acme/api was not found (or the token cannot see it) | - |
    | acme/legacy | no (archived) | - | - | - | - | - | - | - |
    "#);

    let run = status(&config, &["--org", "acme", "--format", "json"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["installed"], true);
    assert_eq!(report["repos"][0]["policy"], json!({ "kind": "file", "extends": ["strict"] }));
    assert_eq!(report["repos"][0]["enforcement"], "evaluate");
    assert_eq!(report["repos"][0]["baseline"], "strict");
    assert_eq!((&report["repos"][0]["gated"], &report["repos"][1]["gated"]), (&json!(true), &json!(false)));
    assert_eq!(report["repos"][0]["required_by"], json!([{ "by": "ruleset", "id": 5, "name": "Protect main" }]));
    assert_eq!(report["repos"][0]["last_evaluation"]["pr"], 12);
    assert!(report["repos"][1]["error"].as_str().is_some_and(|e| e.contains("acme/api")), "{report}");
    assert_eq!(report["repos"][2]["installed"], false);

    let writes: Vec<String> = fake.with(|s| s.writes().iter().map(|w| w.url.clone()).collect());
    assert!(writes.iter().all(|w| w.ends_with("/access_tokens")), "read-only: {writes:?}");
}

#[tokio::test]
async fn an_organisation_without_the_app_says_so_and_one_that_cannot_be_read_fails_loudly() {
    let fake = FakeGitHub::start("acme/shop").await;
    fake.with(|s| s.app = Some(installed_app()));
    let dir = TempDir::new().expect("dir");
    let config = settings(&dir, &fake.uri()).await;

    let run = status(&config, &["--org", "other"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "## other: the App is not installed on this organization\n\n");

    fake.with(|s| s.bad_gateway_next = 100);
    let run = status(&config, &["--org", "acme"]).await;
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("/orgs/acme/installation") && run.stdout.is_empty(), "{}", run.stderr);
}
