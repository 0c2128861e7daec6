//! `flowgate app setup` as a person runs it: the real binary serves its page, the test plays the
//! browser (reads the form, follows GitHub's redirect back to `/callback`), and the stateful fake
//! GitHub trades the code. Asserts the form GitHub would receive, that a redirect with another
//! state writes nothing, the files written and their permissions, and that `flowgate serve
//! --check-config` takes the settings as they are.

use crate::support::common;
use crate::support::fake_github;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tempfile::TempDir;

use common::{Run, root};
use fake_github::FakeGitHub;
use flowgate::serve::manifest;

const CODE: &str = "a1b2c3d4e5f6a7b8c9d0";
const WEBHOOK_SECRET: &str = "whsec-from-github-7f3a";

fn key_pem() -> String {
    std::fs::read_to_string(root().join("tests/fixtures/app/test-app-key.pem")).expect("the test key")
}

/// What GitHub answers the conversion with: the App, its key and secret.
fn created_app() -> Value {
    json!({
        "id": 4242,
        "slug": "acme-flowgate",
        "node_id": "A_kwHOAAAB",
        "name": "acme flowgate",
        "owner": { "login": "acme", "type": "Organization" },
        "html_url": "https://github.com/apps/acme-flowgate",
        "client_id": "Iv23liabc",
        "client_secret": "client-secret-not-to-be-written",
        "webhook_secret": WEBHOOK_SECRET,
        "pem": key_pem(),
        "permissions": {}, "events": [],
    })
}

/// `flowgate app setup` started in `dir`, and the page's address it printed (also for the
/// conformance test).
pub fn start(dir: &Path, api_url: &str, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("flowgate"))
        .current_dir(dir)
        .args(["app", "setup", "--webhook-url", "https://gate.acme.dev/webhook", "--listen", "127.0.0.1:0"])
        .args(["--api-url", api_url, "--github-url", "https://github.test"])
        .args(extra)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("flowgate runs");
    let mut first = String::new();
    BufReader::new(child.stdout.as_mut().expect("stdout")).read_line(&mut first).expect("the first line");
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_string();
    (child, url)
}

/// One GET, as a browser sends it: (status, body).
pub fn get(url: &str) -> (u16, String) {
    let rest = url.strip_prefix("http://").expect("http");
    let (host, path) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}"))).unwrap_or((rest, "/".into()));
    let mut stream = TcpStream::connect(host).expect("the setup page listens");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("an answer");
    let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status");
    (status, answer.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default())
}

/// An attribute's value in `html`, after `before`, unescaped.
pub fn attribute(html: &str, before: &str) -> String {
    let start = html.find(before).unwrap_or_else(|| panic!("no {before} in\n{html}")) + before.len();
    let value = &html[start..start + html[start..].find('"').expect("closing quote")];
    value.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// Waits for the run to end: its exit code, stdout after the first line, and stderr.
pub fn finish(mut child: Child) -> Run {
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        assert!(started.elapsed() < Duration::from_secs(60), "flowgate app setup did not end");
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("written").permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_posts_the_manifest_takes_githubs_answer_and_writes_a_config_serve_accepts() {
    let fake = FakeGitHub::start("acme/shop").await;
    fake.with(|s| s.manifest_codes.insert(CODE.into(), created_app()));
    let dir = TempDir::new().expect("dir");
    let (dir_path, api) = (dir.path().to_path_buf(), fake.uri());
    let run = tokio::task::spawn_blocking(move || {
        let (child, url) = start(&dir_path, &api, &["--org", "acme", "--name", "acme-flowgate"]);

        let (status, page) = get(&url);
        assert_eq!(status, 200, "{page}");
        let action = attribute(&page, "<form action=\"");
        let state = action
            .strip_prefix("https://github.test/organizations/acme/settings/apps/new?state=")
            .unwrap_or_else(|| panic!("the form posts to the organization's new-App page: {action}"))
            .to_string();
        assert_eq!(state.len(), 32, "a random state: {state}");
        let manifest: Value = serde_json::from_str(&attribute(&page, "name=\"manifest\" value=\"")).expect("JSON");
        assert_eq!(manifest["redirect_url"], format!("{url}callback"));
        assert_eq!(manifest["name"], "acme-flowgate");
        assert_eq!(manifest["url"], "https://gate.acme.dev");
        assert_eq!(manifest["hook_attributes"]["url"], "https://gate.acme.dev/webhook");
        assert_eq!(manifest["default_events"], json!(manifest::EVENTS));
        let permissions: serde_json::Map<String, Value> =
            manifest::PERMISSIONS.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
        assert_eq!(manifest["default_permissions"], Value::Object(permissions));
        assert_eq!(manifest["public"], false);

        // A redirect that did not start from this page: refused, nothing traded or written.
        let (status, refused) = get(&format!("{url}callback?code={CODE}&state=0123456789abcdef0123456789abcdef"));
        assert_eq!(status, 403, "{refused}");
        assert!(refused.contains("state does not match"), "{refused}");
        let (status, _) = get(&format!("{url}callback?code={CODE}"));
        assert_eq!(status, 403, "no state at all");
        assert!(std::fs::read_dir(&dir_path).expect("dir").next().is_none(), "nothing was written");

        let (status, done) = get(&format!("{url}callback?code={CODE}&state={state}"));
        assert_eq!(status, 200, "{done}");
        assert!(done.contains("href=\"https://github.com/apps/acme-flowgate/installations/new\""), "{done}");
        finish(child)
    })
    .await
    .expect("joins");
    assert_eq!(run.code, 0, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("GitHub created the App \"acme flowgate\" (App id 4242)"), "{}", run.stdout);
    assert!(run.stdout.contains("https://github.com/apps/acme-flowgate/installations/new"), "{}", run.stdout);
    for secret in [WEBHOOK_SECRET, "PRIVATE KEY", "client-secret", CODE] {
        assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret), "{secret} was printed");
    }
    let conversions: Vec<String> =
        fake.with(|s| s.log.iter().filter(|l| l.method == "POST").map(|l| l.url.clone()).collect());
    assert_eq!(conversions, [format!("/app-manifests/{CODE}/conversions")], "traded once, and only the good one");

    let (config, key) = (dir.path().join("flowgate.toml"), dir.path().join("flowgate-app.pem"));
    assert_eq!(std::fs::read_to_string(&key).expect("the key"), key_pem());
    let settings: toml::Table = std::fs::read_to_string(&config).expect("the settings").parse().expect("TOML");
    assert_eq!(settings["app_id"].as_integer(), Some(4242));
    assert_eq!(settings["webhook_secret"].as_str(), Some(WEBHOOK_SECRET));
    assert_eq!(settings["app_private_key_path"].as_str(), key.to_str());
    assert_eq!(settings["github_api_url"].as_str(), Some(fake.uri().as_str()), "not the default API, so written");
    assert!(!settings.contains_key("client_secret"));
    #[cfg(unix)]
    assert_eq!((mode(&config), mode(&key)), (0o600, 0o600), "owner-only");

    let check = Run::of(
        assert_cmd::Command::cargo_bin("flowgate")
            .expect("binary")
            .current_dir(dir.path())
            .args(["serve", "--check-config", "--config"])
            .arg(&config)
            .env_clear()
            .env("FLOWGATE_DATABASE_URL", format!("sqlite://{}", dir.path().join("flowgate.db").display())),
    );
    assert_eq!(check.code, 0, "serve takes the written settings:\n{}", check.stderr);
    assert!(check.stdout.contains("App 4242"), "{}", check.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_code_is_named_and_nothing_is_written() {
    let fake = FakeGitHub::start("acme/shop").await;
    let dir = TempDir::new().expect("dir");
    let (dir_path, api) = (dir.path().to_path_buf(), fake.uri());
    let run = tokio::task::spawn_blocking(move || {
        let (child, url) = start(&dir_path, &api, &[]);
        let (_, page) = get(&url);
        let action = attribute(&page, "<form action=\"");
        assert!(action.starts_with("https://github.test/settings/apps/new?state="), "the account's page: {action}");
        let state = action.rsplit('=').next().expect("state").to_string();
        let (status, failed) = get(&format!("{url}callback?code=0000expired&state={state}"));
        assert_eq!(status, 502, "{failed}");
        assert!(failed.contains("one hour and one use"), "{failed}");
        finish(child)
    })
    .await
    .expect("joins");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("GitHub no longer knows the code it sent back (404)"), "{}", run.stderr);
    assert!(!run.stderr.contains("0000expired"), "the code is never printed:\n{}", run.stderr);
    assert!(std::fs::read_dir(dir.path()).expect("dir").next().is_none(), "nothing was written");
}

#[test]
fn existing_files_are_named_before_anything_is_served() {
    let dir = TempDir::new().expect("dir");
    std::fs::write(dir.path().join("flowgate.toml"), "app_id = 1\n").expect("an old config");
    let run = Run::of(
        assert_cmd::Command::cargo_bin("flowgate")
            .expect("binary")
            .current_dir(dir.path())
            .args(["app", "setup", "--webhook-url", "https://gate.acme.dev/webhook", "--listen", "127.0.0.1:0"])
            .env_clear()
            .timeout(Duration::from_secs(60)),
    );
    run.assert_bad_input("flowgate.toml already exists");
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(dir.path().join("flowgate.toml")).expect("kept"), "app_id = 1\n");

    let run = Run::of(
        assert_cmd::Command::cargo_bin("flowgate")
            .expect("binary")
            .current_dir(dir.path())
            .args(["app", "setup", "--webhook-url", "gate.acme.dev", "--config", "other.toml"])
            .env_clear()
            .timeout(Duration::from_secs(60)),
    );
    run.assert_bad_input("--webhook-url \"gate.acme.dev\"");
}
