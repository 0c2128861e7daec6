//! The App's commands as an operator runs them: `serve --check-config`, `app manifest`, and
//! `queue parked|retry`.

use crate::support::common;

use common::{Run, root};
use tempfile::TempDir;

fn flowgate(args: &[&str], env: &[(&str, String)]) -> Run {
    let mut cmd = assert_cmd::Command::cargo_bin("flowgate").expect("binary");
    cmd.args(args).env_clear();
    for (k, v) in env {
        cmd.env(k, v);
    }
    Run::of(&mut cmd)
}

fn settings(dir: &TempDir) -> Vec<(&'static str, String)> {
    vec![
        ("FLOWGATE_APP_ID", "12345".into()),
        ("FLOWGATE_APP_PRIVATE_KEY_PATH", root().join("tests/fixtures/app/test-app-key.pem").display().to_string()),
        ("FLOWGATE_WEBHOOK_SECRET", "hush-hush".into()),
        ("FLOWGATE_DATABASE_URL", format!("sqlite://{}", dir.path().join("flowgate.db").display())),
    ]
}

#[test]
fn check_config_checks_the_key_and_the_database_and_prints_no_secret() {
    let dir = TempDir::new().expect("tempdir");
    let run = flowgate(&["serve", "--check-config"], &settings(&dir));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("configuration ok"), "{}", run.stdout);
    assert!(run.stdout.contains("App 12345") && run.stdout.contains("1 webhook secret"), "{}", run.stdout);
    assert!(!run.stdout.contains("hush-hush"));
    assert!(dir.path().join("flowgate.db").exists(), "the database was created and migrated");
}

#[test]
fn a_missing_or_bad_setting_is_one_line_naming_it() {
    let dir = TempDir::new().expect("tempdir");
    let mut env = settings(&dir);
    env.retain(|(k, _)| *k != "FLOWGATE_WEBHOOK_SECRET");
    let run = flowgate(&["serve", "--check-config"], &env);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("FLOWGATE_WEBHOOK_SECRET") && run.stderr.lines().count() == 1, "{}", run.stderr);

    let mut env = settings(&dir);
    env.push(("FLOWGATE_DATABASE_URL", "postgres://flowgate:s3cret@127.0.0.1:1/flowgate".into()));
    let run = flowgate(&["serve", "--check-config"], &env);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("FLOWGATE_DATABASE_URL") && run.stderr.contains("127.0.0.1:1"), "{}", run.stderr);
    assert!(!run.stderr.contains("s3cret"), "{}", run.stderr);
}

#[test]
fn the_manifest_points_github_at_the_webhook() {
    let run = flowgate(&["app", "manifest", "--url", "https://gate.example.com"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let manifest: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(manifest["hook_attributes"]["url"], "https://gate.example.com/webhook");
    assert_eq!(manifest["default_permissions"]["checks"], "write");
}

#[test]
fn the_queue_lists_parked_deliveries_and_takes_them_back() {
    let dir = TempDir::new().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("q.db").display());
    let run = flowgate(&["queue", "parked", "--database-url", &url], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "0 parked\n");
    let run = flowgate(&["queue", "retry", "--all", "--database-url", &url], &[]);
    assert_eq!((run.code, run.stdout.as_str()), (0, "0 parked deliveries back in the queue\n"));
    let run = flowgate(&["queue", "retry"], &[("FLOWGATE_DATABASE_URL", url)]);
    assert_eq!(run.code, 2, "an id or --all is required");
}

/// `flowgate queue` finds the database where `flowgate serve` would: the configuration file
/// (`--config` or `FLOWGATE_CONFIG`), overridden by `FLOWGATE_DATABASE_URL`, overridden by the flag.
#[test]
fn the_queue_reads_the_database_from_the_servers_configuration() {
    let dir = TempDir::new().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("served.db").display());
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let store = flowgate::store::Store::connect(&url).await.expect("opens");
        let d = flowgate::store::NewDelivery {
            id: "d-parked".into(),
            event: "pull_request".into(),
            action: Some("opened".into()),
            installation_id: Some(1),
            repo: Some("acme/shop".into()),
            pr: Some(7),
            received_at_ms: 1,
            body: b"{}".to_vec(),
        };
        store.insert(d).await.expect("stores");
        let work = store.claim("w", 10, 60_000).await.expect("claims").expect("work");
        store.retry_later(&work, "GitHub said 502", 20, 1).await.expect("parks");
    });
    let config = dir.path().join("flowgate.toml");
    std::fs::write(&config, format!("database_url = \"{url}\"\n")).expect("writes");
    let config = config.display().to_string();

    let run = flowgate(&["queue", "parked", "--config", &config], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("d-parked  pull_request.opened  acme/shop#7  1 attempts  GitHub said 502"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.ends_with("1 parked\n"), "{}", run.stdout);
    let run = flowgate(&["queue", "parked"], &[("FLOWGATE_CONFIG", config.clone())]);
    assert!(run.stdout.ends_with("1 parked\n"), "{}{}", run.stdout, run.stderr);

    let elsewhere = format!("sqlite://{}", dir.path().join("other.db").display());
    let run = flowgate(&["queue", "parked", "--config", &config], &[("FLOWGATE_DATABASE_URL", elsewhere.clone())]);
    assert_eq!(run.stdout, "0 parked\n", "the environment wins over the file");
    let run = flowgate(
        &["queue", "parked", "--config", &config, "--database-url", &url],
        &[("FLOWGATE_DATABASE_URL", elsewhere.clone())],
    );
    assert!(run.stdout.ends_with("1 parked\n"), "the flag wins over both: {}", run.stdout);

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "database_ulr = \"sqlite://x.db\"\n").expect("writes");
    let run = flowgate(&["queue", "parked", "--config", &bad.display().to_string()], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown setting `database_ulr`"), "{}", run.stderr);
}
