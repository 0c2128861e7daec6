//! Conformance: the requests flowgate sends to GitHub's REST API, checked against GitHub's own
//! OpenAPI description by a Prism mock server (`.ci/conformance/README.md`).
//!
//! Needs `FLOWGATE_PRISM_URL` and `FLOWGATE_PRISM_LOG`, which `.ci/conformance/start-prism` prints:
//!
//! ```text
//! eval "$(.ci/conformance/start-prism)" && cargo test --test it conformance::; kill "$FLOWGATE_PRISM_PID"
//! ```
//!
//! Without them each test says loudly on stderr that it did not run, and passes.
//!
//! How a violation is seen: Prism answers a request that breaks the description with 422 (bad
//! body, query or path parameter), 404 (no such route), 405 (no such method) or 406 (an Accept it
//! cannot serve), and logs why. Status codes alone are not enough, because flowgate reads a 404 as
//! "not there" and goes on, so the tests read Prism's log: every error or warning line that is not
//! about Prism's own example answers ("Violation: response...", where GitHub's examples break
//! GitHub's schemas) is a violation.

use crate::support::common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use assert_cmd::Command;

use common::{Run, path_str, root};

/// Prism's log is one stream for all requests: the tests take turns, so that each reads its own.
static TURN: Mutex<()> = Mutex::new(());

/// The Accept header flowgate's JSON requests send: Prism answers 406 to the first alone.
const ACCEPT_JSON: &str = "application/vnd.github+json, application/json";

/// A running Prism: where it answers and where it logs.
struct Prism {
    url: String,
    /// `HOST:PORT`, for the tests' own requests.
    address: String,
    log: PathBuf,
}

/// The Prism the environment names, or `None` after saying loudly that `test` did not run.
fn prism(test: &str) -> Option<Prism> {
    let url = match std::env::var("FLOWGATE_PRISM_URL") {
        Ok(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_string(),
        _ => {
            // Straight to the stream: libtest captures eprintln! of a passing test, not this.
            let _ = writeln!(
                std::io::stderr(),
                "\n*** {test}: conformance test DID NOT RUN: set FLOWGATE_PRISM_URL \
                 (.ci/conformance/start-prism starts prism) ***\n"
            );
            return None;
        }
    };
    let log =
        std::env::var_os("FLOWGATE_PRISM_LOG").filter(|v| !v.is_empty()).map(PathBuf::from).unwrap_or_else(|| {
            panic!(
                "FLOWGATE_PRISM_URL is set but FLOWGATE_PRISM_LOG is not: the test reads Prism's violations \
                 from its log (.ci/conformance/start-prism prints both)"
            )
        });
    assert!(log.is_file(), "FLOWGATE_PRISM_LOG={} is not a file", log.display());
    let address = url
        .strip_prefix("http://")
        .and_then(|rest| rest.split('/').next())
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| panic!("FLOWGATE_PRISM_URL must be http://HOST:PORT, got {url:?}"))
        .to_string();
    Some(Prism { url, address, log })
}

impl Prism {
    /// One request from the test itself, over a plain socket: (status, body).
    fn send(&self, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.address)
            .unwrap_or_else(|e| panic!("cannot connect to Prism at {}: {e}", self.address));
        stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAccept: {ACCEPT_JSON}\r\nX-GitHub-Api-Version: 2022-11-28\r\n\
             Authorization: Bearer x\r\nUser-Agent: flowgate-conformance\r\nConnection: close\r\n",
            self.address
        );
        match body {
            Some(body) => request
                .push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len())),
            None => request.push_str("\r\n"),
        }
        stream.write_all(request.as_bytes()).expect("send to Prism");
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).unwrap_or_else(|e| {
            panic!("Prism did not answer {method} {path} (it hangs on bodies that are not JSON): {e}")
        });
        let answer = String::from_utf8_lossy(&answer).into_owned();
        let status = answer
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP answer from Prism:\n{answer}"));
        let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
        (status, body)
    }

    /// Runs `f` and returns what it returned with what Prism logged meanwhile.
    fn watch<T>(&self, f: impl FnOnce() -> T) -> (T, Seen) {
        let start = std::fs::metadata(&self.log).map(|m| m.len()).expect("Prism's log") as usize;
        let result = f();
        // Prism writes its log asynchronously: a request of our own marks the end of the window,
        // and once its line is in the file, so is every line before it.
        static MARKS: AtomicUsize = AtomicUsize::new(0);
        let mark = format!(
            "/repos/flowgate-conformance/mark-{}-{}/installation",
            std::process::id(),
            MARKS.fetch_add(1, Ordering::Relaxed)
        );
        let (status, _) = self.send("GET", &mark, None);
        assert_eq!(status, 200, "Prism answered the end-of-window mark GET {mark} with {status}");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let bytes = std::fs::read(&self.log).expect("Prism's log");
            let window = String::from_utf8_lossy(bytes.get(start..).unwrap_or_default()).into_owned();
            if let Some(end) = window.find(&format!("get {mark} ")) {
                return (result, Seen::read(&window[..end]));
            }
            assert!(
                Instant::now() < deadline,
                "the mark GET {mark} never reached Prism's log {}: is FLOWGATE_PRISM_LOG the log of the Prism \
                 at FLOWGATE_PRISM_URL?",
                self.log.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// What Prism logged over a stretch of time.
#[derive(Debug, Default)]
struct Seen {
    /// Each request received, as `GET /path` (Prism logs no query).
    requests: Vec<String>,
    /// Each request-side complaint, with the request it follows.
    violations: Vec<String>,
}

impl Seen {
    /// Prism marks errors ✖ and warnings ⚠. Kept as violations: "Request terminated with error"
    /// (404 no route, 405 no method, 406 not acceptable, 422 invalid), the validator's "Request
    /// did not pass the validation rules" and its reasons, the negotiator's "Unable to find content
    /// for ...". Left out: "Violation: response...", GitHub's example failing GitHub's schema.
    fn read(log: &str) -> Seen {
        let mut seen = Seen::default();
        for line in log.lines() {
            // "[3:07:03 PM] › [HTTP SERVER] get /repos/o/r/pulls/1 ℹ  info      Request received"
            let text = line.split_once(" › ").map_or(line, |(_, rest)| rest).trim();
            if let Some(rest) = text.strip_prefix("[HTTP SERVER] ")
                && rest.ends_with("Request received")
            {
                let what = rest.split(" ℹ").next().unwrap_or(rest);
                seen.requests.push(match what.split_once(' ') {
                    Some((method, path)) => format!("{} {path}", method.to_uppercase()),
                    None => what.to_string(),
                });
                continue;
            }
            if (text.contains('✖') || text.contains('⚠')) && !text.contains("Violation: response") {
                let request = seen.requests.last().map_or("(before any request)", String::as_str);
                seen.violations.push(format!("after {request}: {text}"));
            }
        }
        seen
    }

    /// "N × GET /path" lines, most frequent first.
    fn tally(&self) -> String {
        let mut counts: Vec<(usize, &str)> = Vec::new();
        for request in &self.requests {
            match counts.iter_mut().find(|(_, r)| *r == request) {
                Some((n, _)) => *n += 1,
                None => counts.push((1, request)),
            }
        }
        counts.sort_by_key(|&(n, _)| std::cmp::Reverse(n));
        counts.iter().map(|(n, r)| format!("  {n:>3} × {r}\n")).collect()
    }

    fn assert_no_violations(&self, what: &str) {
        assert!(
            self.violations.is_empty(),
            "{what}: Prism found requests that GitHub's OpenAPI description does not allow:\n{}",
            self.violations.join("\n")
        );
    }
}

/// What a flowgate run against Prism cost, on the stream (libtest would hide it otherwise).
fn report(what: &str, elapsed: Duration, seen: &Seen, run: &Run) {
    let _ = writeln!(
        std::io::stderr(),
        "conformance: {what}: exit {}, {elapsed:.1?}, {} requests:\n{}",
        run.code,
        seen.requests.len(),
        seen.tally()
    );
}

/// `flowgate check` of a live PR against Prism, with `extra` arguments.
fn check(prism: &Prism, extra: &[&str]) -> Run {
    let mut cmd = Command::cargo_bin("flowgate").expect("the flowgate binary");
    cmd.current_dir(root())
        .args(["check", "--repo", "octocat/hello-world", "--pr", "1", "--token", "x", "--format", "json"])
        .args(["--api-url", &prism.url, "--color", "never"])
        .args(extra)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GITHUB_API_URL")
        .timeout(Duration::from_secs(300));
    Run::of(&mut cmd)
}

/// `flowgate action` on a `pull_request_target` event for PR 1 of octocat/hello-world, against
/// Prism, with `auth` arguments: what the step summary and outputs got, and the run.
fn action(prism: &Prism, auth: &[&str]) -> (Run, String, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let event = dir.path().join("event.json");
    let same = serde_json::json!({ "full_name": "octocat/hello-world" });
    let payload = serde_json::json!({
        "action": "opened",
        "number": 1,
        "pull_request": { "number": 1, "head": { "repo": same }, "base": { "repo": same } },
    });
    std::fs::write(&event, payload.to_string()).expect("event");
    let (summary, output) = (dir.path().join("summary.md"), dir.path().join("output"));
    let policy = root().join("examples/flowgate.yml");
    let mut cmd = Command::cargo_bin("flowgate").expect("the flowgate binary");
    cmd.current_dir(dir.path())
        .args(["action", "--policy", path_str(&policy), "--api-url", &prism.url])
        .args(auth)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GITHUB_API_URL")
        .env_remove("FLOWGATE_APP_ID")
        .env_remove("FLOWGATE_APP_PRIVATE_KEY_PATH")
        .env("GITHUB_EVENT_NAME", "pull_request_target")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_REPOSITORY", "octocat/hello-world")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &output)
        .timeout(Duration::from_secs(300));
    let run = Run::of(&mut cmd);
    let read = |path: &std::path::Path| std::fs::read_to_string(path).unwrap_or_default();
    (run, read(&summary), read(&output))
}

/// The harness can fail: a check run without head_sha and with a made-up conclusion is refused
/// and logged, and a good request next to it is not.
#[test]
fn prism_refuses_a_request_that_breaks_the_description() {
    let Some(prism) = prism("prism_refuses_a_request_that_breaks_the_description") else { return };
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());

    let bad = r#"{"name":"flowgate","status":"completed","conclusion":"passed"}"#;
    let ((status, body), seen) = prism.watch(|| prism.send("POST", "/repos/o/r/check-runs", Some(bad)));
    assert_eq!(status, 422, "Prism should refuse a check run without head_sha: {body}");
    let all = seen.violations.join("\n");
    assert!(all.contains("head_sha") && all.contains("conclusion"), "the log should say why:\n{all}");

    let good = r#"{"labels":["flowgate:red"]}"#;
    let ((status, body), seen) = prism.watch(|| prism.send("POST", "/repos/o/r/issues/1/labels", Some(good)));
    assert_eq!(status, 200, "{body}");
    seen.assert_no_violations("POST labels");

    // The body `add_tool_labels` sends to create a missing AI tool label.
    let create = r#"{"name":"ai:claude-code","color":"8250df","description":"flowgate found markers of Claude Code on this pull request"}"#;
    let ((status, body), seen) = prism.watch(|| prism.send("POST", "/repos/o/r/labels", Some(create)));
    assert_eq!(status, 201, "{body}");
    seen.assert_no_violations("POST repository labels");
}

/// The App's requests that choose a repository's baseline, as `github::org` sends them: the
/// repository's custom properties, and the organisation's baselines file on the default branch of
/// its `.github` repository (no `ref`).
#[test]
fn choosing_a_baseline_uses_requests_the_description_allows() {
    let Some(prism) = prism("choosing_a_baseline_uses_requests_the_description_allows") else { return };
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());

    let ((status, body), seen) = prism.watch(|| prism.send("GET", "/repos/o/r/properties/values", None));
    assert_eq!(status, 200, "{body}");
    seen.assert_no_violations("GET custom properties");

    let org_file = "/repos/o/.github/contents/.github%2Fflowgate-baselines.yml";
    let ((_, _), seen) = prism.watch(|| prism.send("GET", org_file, None));
    seen.assert_no_violations("GET the organisation's baselines file");
}

/// Onboarding lists a repository's open pull requests, oldest first, a page of 100 at a time (only
/// those on a branch after a push changed its policy), and asks for one past its cap: each form
/// of `GitHub::open_pull_numbers`'s request as the description allows it.
#[test]
fn onboarding_lists_open_pulls_with_requests_the_description_allows() {
    let Some(prism) = prism("onboarding_lists_open_pulls_with_requests_the_description_allows") else { return };
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    for path in [
        "/repos/o/r/pulls?state=open&sort=created&direction=asc&per_page=100&page=1",
        "/repos/o/r/pulls?state=open&base=release%2F2.x&sort=created&direction=asc&per_page=100&page=3",
        "/repos/o/r/pulls?state=open&sort=created&direction=asc&per_page=1&page=1001",
    ] {
        let ((status, body), seen) = prism.watch(|| prism.send("GET", path, None));
        assert_eq!(status, 200, "{path}: {body}");
        seen.assert_no_violations(path);
    }
}

/// `flowgate check --repo --pr` with a policy on disk: the PR, its files, commits and reviews are
/// read with requests the description allows, and Prism's example PR gets a verdict.
#[test]
fn check_reads_a_pr_with_requests_the_description_allows() {
    let Some(prism) = prism("check_reads_a_pr_with_requests_the_description_allows") else { return };
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let policy = root().join("examples/flowgate.yml");

    let started = Instant::now();
    let (run, seen) = prism.watch(|| check(&prism, &["--policy", path_str(&policy)]));
    report("check --policy", started.elapsed(), &seen, &run);
    seen.assert_no_violations("flowgate check --policy");
    run.assert_gated();
    assert_eq!(run.json()["pr"]["title"], "Amazing new feature", "the verdict is about Prism's example PR");
}

/// `flowgate check --repo --pr` without --policy also reads .github/flowgate.yml from the base
/// branch through the contents API: that request must match the description too.
///
/// Prism cannot answer it as GitHub would: the description has no raw media type for contents,
/// so Prism sends its JSON example (a base64 README), which is no policy. Exit 2 naming the policy
/// file is that, not a bad request; an error about GitHub's answer is a failure.
#[test]
fn check_reads_the_base_branch_policy_with_requests_the_description_allows() {
    let Some(prism) = prism("check_reads_the_base_branch_policy_with_requests_the_description_allows") else {
        return;
    };
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());

    let started = Instant::now();
    let (run, seen) = prism.watch(|| check(&prism, &[]));
    report("check (policy from the base branch)", started.elapsed(), &seen, &run);
    seen.assert_no_violations("flowgate check (policy from the base branch)");
    assert!(
        seen.requests.iter().any(|r| r.starts_with("GET ") && r.ends_with("/contents/.github%2Fflowgate.yml")),
        "the policy was not read through the contents API as one encoded segment:\n{}",
        seen.tally()
    );
    if run.code == 2 {
        assert!(
            run.stderr.contains(".github/flowgate.yml") && !run.stderr.contains("flowgate: error: GitHub"),
            "exit 2 should only come from Prism's example README not being a policy:\n{}",
            run.stderr
        );
    } else {
        run.assert_gated();
    }
}

/// `flowgate action` with a token: reads the PR, lists the commit's check runs, creates the check
/// run with its annotations and sets the tier label, all as the description allows.
#[test]
fn action_publishes_with_requests_the_description_allows() {
    let Some(prism) = prism("action_publishes_with_requests_the_description_allows") else { return };
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());

    let started = Instant::now();
    let ((run, summary, output), seen) = prism.watch(|| action(&prism, &["--token", "x"]));
    report("action --token", started.elapsed(), &seen, &run);
    seen.assert_no_violations("flowgate action --token");
    run.assert_gated();
    assert!(output.contains("state<<"), "no step outputs:\n{output}\nstderr:\n{}", run.stderr);
    assert!(!summary.is_empty(), "no step summary; stderr:\n{}", run.stderr);
    assert!(seen.requests.iter().any(|r| r.ends_with("/check-runs")), "no check run was written:\n{}", seen.tally());
}

/// `flowgate action` as a GitHub App: finds the installation and gets its token (both with the
/// App's JWT), then publishes as the installation.
#[test]
fn action_as_an_app_uses_requests_the_description_allows() {
    let Some(prism) = prism("action_as_an_app_uses_requests_the_description_allows") else { return };
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let key = root().join("tests/fixtures/app/test-app-key.pem");

    let started = Instant::now();
    let ((run, _, output), seen) = prism.watch(|| action(&prism, &["--app-id", "1", "--app-key", path_str(&key)]));
    report("action --app-id", started.elapsed(), &seen, &run);
    seen.assert_no_violations("flowgate action --app-id");
    run.assert_gated();
    assert!(output.contains("state<<"), "no step outputs:\n{output}\nstderr:\n{}", run.stderr);
    assert!(
        seen.requests.iter().any(|r| r == "GET /repos/octocat/hello-world/installation")
            && seen.requests.iter().any(|r| r.starts_with("POST /app/installations/")),
        "the App did not look up its installation and token:\n{}",
        seen.tally()
    );
}

/// `flowgate policy update` of a policy extending `octocat/hello-world:base.yml@main`, against
/// Prism: the ref is resolved with `GET /repos/{owner}/{repo}/commits/{ref}` as the description
/// allows, and the answer's `sha` is read (`--check` exits 1: the file is not pinned yet, and
/// writes nothing).
#[test]
fn policy_update_resolves_a_ref_with_requests_the_description_allows() {
    let Some(prism) = prism("policy_update_resolves_a_ref_with_requests_the_description_allows") else { return };
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = dir.path().join("flowgate.yml");
    let text = "version: 1\nextends: octocat/hello-world:flowgate/base.yml@main\n";
    std::fs::write(&policy, text).expect("policy");

    let started = Instant::now();
    let (run, seen) = prism.watch(|| {
        let mut cmd = Command::cargo_bin("flowgate").expect("the flowgate binary");
        cmd.current_dir(dir.path())
            .args(["policy", "update", "--policy", path_str(&policy), "--check", "--token", "x"])
            .args(["--api-url", &prism.url])
            .env_remove("GITHUB_TOKEN")
            .env_remove("GITHUB_API_URL")
            .timeout(Duration::from_secs(300));
        Run::of(&mut cmd)
    });
    report("policy update --check", started.elapsed(), &seen, &run);
    seen.assert_no_violations("flowgate policy update --check");
    assert!(
        seen.requests.iter().any(|r| r == "GET /repos/octocat/hello-world/commits/main"),
        "the ref was not resolved through the commits API:\n{}",
        seen.tally()
    );
    assert_eq!(run.code, 1, "an unpinned remote is stale; stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("octocat/hello-world:flowgate/base.yml@main: not pinned -> "), "{}", run.stdout);
    assert_eq!(std::fs::read_to_string(&policy).expect("policy"), text, "--check writes nothing");
}

/// `flowgate doctor` of `octocat/hello-world` against Prism, with `auth` arguments.
fn doctor(prism: &Prism, auth: &[&str]) -> Run {
    let mut cmd = Command::cargo_bin("flowgate").expect("the flowgate binary");
    cmd.current_dir(root())
        .args(["doctor", "--repo", "octocat/hello-world", "--branch", "release/1.0", "--format", "json"])
        .args(["--api-url", &prism.url])
        .args(auth)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GITHUB_API_URL")
        .env_remove("FLOWGATE_APP_ID")
        .env_remove("FLOWGATE_APP_PRIVATE_KEY_PATH")
        .timeout(Duration::from_secs(300));
    Run::of(&mut cmd)
}

/// `flowgate doctor`, with a token and as the App: the repository, each branch's classic
/// protection and rules, and the App's installation are read with requests the description
/// allows, and GitHub's example answers parse (exit 1, not ready: the example protection requires
/// another check; 2 would be an answer doctor cannot read). The reads Prism's examples do not lead
/// to (the rulesets' names, a branch's workflow listing) are sent as doctor sends them.
#[test]
fn doctor_reads_with_requests_the_description_allows() {
    let Some(prism) = prism("doctor_reads_with_requests_the_description_allows") else { return };
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());

    let started = Instant::now();
    let (run, seen) = prism.watch(|| doctor(&prism, &["--token", "x"]));
    report("doctor --token", started.elapsed(), &seen, &run);
    seen.assert_no_violations("flowgate doctor --token");
    assert_eq!(run.code, 1, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    let report_json = run.json();
    assert_eq!(report_json["branches"], serde_json::json!(["master", "release/1.0"]), "Prism's repository example");
    assert_eq!(report_json["findings"][0]["kind"], "not_required");
    assert_eq!(report_json["findings"][0]["others"], serde_json::json!(["continuous-integration/travis-ci"]));
    for request in [
        "GET /repos/octocat/hello-world/branches/release%2F1.0/protection",
        "GET /repos/octocat/hello-world/rules/branches/master",
    ] {
        assert!(seen.requests.iter().any(|r| r == request), "no {request}:\n{}", seen.tally());
    }

    let key = root().join("tests/fixtures/app/test-app-key.pem");
    let started = Instant::now();
    let (run, seen) = prism.watch(|| doctor(&prism, &["--app-id", "1", "--app-key", path_str(&key)]));
    report("doctor --app-id", started.elapsed(), &seen, &run);
    seen.assert_no_violations("flowgate doctor --app-id");
    assert_eq!(run.code, 1, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(
        run.json()["findings"].as_array().is_some_and(|f| f.iter().any(|f| f["kind"] == "app_permission_missing")),
        "Prism's example installation lacks most of the manifest:\n{}",
        run.stdout
    );

    for path in [
        "/repos/octocat/hello-world/rulesets?includes_parents=true&per_page=100&page=1",
        "/repos/octocat/hello-world/contents/.github%2Fworkflows?ref=release%2F1.0",
    ] {
        let ((status, body), seen) = prism.watch(|| prism.send("GET", path, None));
        assert_eq!(status, 200, "GET {path}: {body}");
        seen.assert_no_violations(&format!("GET {path}"));
    }
}

/// `flowgate action` on a `merge_group` event: the group's range (compare), the queue's branches
/// (matching refs), each member PR, and the check run on the group's head.
#[test]
fn action_on_a_merge_group_uses_requests_the_description_allows() {
    let Some(prism) = prism("action_on_a_merge_group_uses_requests_the_description_allows") else { return };
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());

    let dir = tempfile::tempdir().expect("temp dir");
    let event = dir.path().join("event.json");
    let mut payload: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/webhooks/merge_group.checks_requested.payload.json"))
            .expect("the octokit merge_group payload"),
    )
    .expect("json");
    payload["repository"]["full_name"] = serde_json::json!("octocat/hello-world");
    std::fs::write(&event, payload.to_string()).expect("event");
    let (summary, output) = (dir.path().join("summary.md"), dir.path().join("output"));
    let policy = root().join("examples/flowgate.yml");
    let started = Instant::now();
    let (run, seen) = prism.watch(|| {
        let mut cmd = Command::cargo_bin("flowgate").expect("the flowgate binary");
        cmd.current_dir(dir.path())
            .args(["action", "--policy", path_str(&policy), "--api-url", &prism.url, "--token", "x"])
            .env_remove("GITHUB_TOKEN")
            .env_remove("GITHUB_API_URL")
            .env("GITHUB_EVENT_NAME", "merge_group")
            .env("GITHUB_EVENT_PATH", &event)
            .env("GITHUB_REPOSITORY", "octocat/hello-world")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_OUTPUT", &output)
            .timeout(Duration::from_secs(300));
        Run::of(&mut cmd)
    });
    report("action on merge_group", started.elapsed(), &seen, &run);
    seen.assert_no_violations("flowgate action on merge_group");
    let written = std::fs::read_to_string(&summary).unwrap_or_default();
    assert!(written.contains("Merge group"), "no group summary:\n{written}\nstderr:\n{}", run.stderr);
    for request in [
        "GET /repos/octocat/hello-world/compare/380387fbc80638b734a49e1be1c4dfec1c01b33c...2ffea6db159f6b6c47a24e778fb9ef40cf6b1c7d",
        "GET /repos/octocat/hello-world/git/matching-refs/heads%2Fgh-readonly-queue%2Fmain%2F",
        "GET /repos/octocat/hello-world/pulls/104",
        "POST /repos/octocat/hello-world/check-runs",
    ] {
        assert!(seen.requests.iter().any(|r| r == request), "no {request}:\n{}", seen.tally());
    }
}

/// `flowgate app setup`: the page is read and GitHub's redirect followed as a browser would, and
/// flowgate trades the code (`POST /app-manifests/{code}/conversions`, without credentials) as
/// the description allows; Prism's example App is written down.
#[test]
fn app_setup_trades_the_code_with_a_request_the_description_allows() {
    use crate::cli::app_setup::{attribute, finish, get, start};
    let Some(prism) = prism("app_setup_trades_the_code_with_a_request_the_description_allows") else { return };
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());

    let dir = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    let (run, seen) = prism.watch(|| {
        let (child, url) = start(dir.path(), &prism.url, &[]);
        let (_, page) = get(&url);
        let action = attribute(&page, "<form action=\"");
        let state = action.rsplit('=').next().expect("the state").to_string();
        let (status, done) = get(&format!("{url}callback?code=0123456789abcdef0123&state={state}"));
        assert_eq!(status, 200, "{done}");
        finish(child)
    });
    report("app setup", started.elapsed(), &seen, &run);
    seen.assert_no_violations("flowgate app setup");
    assert_eq!(run.code, 0, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert_eq!(seen.requests, ["POST /app-manifests/0123456789abcdef0123/conversions"], "{}", seen.tally());
    assert!(dir.path().join("flowgate.toml").is_file() && dir.path().join("flowgate-app.pem").is_file());
}

/// `flowgate org status` as the App: its installation on the organization (App JWT), the
/// organization's repositories and the installation's, then each installed repository's policy
/// file and doctor's reads, with requests the description allows.
#[test]
fn org_status_reads_with_requests_the_description_allows() {
    let Some(prism) = prism("org_status_reads_with_requests_the_description_allows") else { return };
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("flowgate.toml");
    let key = root().join("tests/fixtures/app/test-app-key.pem");
    std::fs::write(
        &config,
        format!(
            "app_id = 1\napp_private_key_path = {:?}\nwebhook_secret = \"s\"\ngithub_api_url = {:?}\n\
             database_url = \"sqlite://{}/none.db\"\n",
            path_str(&key),
            prism.url,
            path_str(dir.path())
        ),
    )
    .expect("config");

    let started = Instant::now();
    let (run, seen) = prism.watch(|| {
        let mut cmd = Command::cargo_bin("flowgate").expect("the flowgate binary");
        cmd.current_dir(dir.path())
            .args(["org", "status", "--org", "octo-org", "--format", "json", "--config", path_str(&config)])
            .env_clear()
            .timeout(Duration::from_secs(300));
        Run::of(&mut cmd)
    });
    report("org status", started.elapsed(), &seen, &run);
    seen.assert_no_violations("flowgate org status");
    assert_eq!(run.code, 0, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(
        run.json()["repos"].as_array().is_some_and(|r| !r.is_empty()),
        "Prism's example repositories:\n{}",
        run.stdout
    );
    for request in ["GET /orgs/octo-org/installation", "GET /orgs/octo-org/repos", "GET /installation/repositories"] {
        assert!(seen.requests.iter().any(|r| r == request), "no {request}:\n{}", seen.tally());
    }
}

/// The log reader, on lines Prism 5.16 wrote (runs without Prism).
#[test]
fn violations_are_read_from_prisms_log() {
    let log = "\
[3:06:46 PM] › [CLI] …  awaiting  Starting Prism…
[3:07:03 PM] › [HTTP SERVER] get /repos/o/r/pulls/1 ℹ  info      Request received
[3:07:03 PM] ›     [NEGOTIATOR] ℹ  info      Request contains an accept header: application/vnd.github+json, application/json
[3:07:03 PM] ›     [VALIDATOR] ✔  success   The request passed the validation rules. Looking for the best response
[3:07:03 PM] ›     [VALIDATOR] ✖  error     Violation: response.body.requested_teams.0 Response body property requested_teams.0 must have required property 'type'
[3:07:04 PM] › [HTTP SERVER] get /repos/o/r/pulls/2 ℹ  info      Request received
[3:07:04 PM] ›     [NEGOTIATOR] ⚠  warning   Unable to find content for application/vnd.github+json
[3:07:04 PM] › [HTTP SERVER] get /repos/o/r/pulls/2 ✖  error     Request terminated with error: https://stoplight.io/prism/errors#NOT_ACCEPTABLE: The server cannot produce a representation for your accept header
[3:07:05 PM] › [HTTP SERVER] get /repos/o/r/contents/.github/flowgate.yml ℹ  info      Request received
[3:07:05 PM] › [HTTP SERVER] get /repos/o/r/contents/.github/flowgate.yml ✖  error     Request terminated with error: https://stoplight.io/prism/errors#NO_PATH_MATCHED_ERROR: Route not resolved, no path matched
[3:07:06 PM] › [HTTP SERVER] post /repos/o/r/issues/1/labels ℹ  info      Request received
[3:07:06 PM] ›     [VALIDATOR] ⚠  warning   Request did not pass the validation rules
[3:07:06 PM] ›     [VALIDATOR] ✖  error     Violation: request.body.labels Request body property labels must be array
[3:07:07 PM] › [HTTP SERVER] get /repos/o/r/pulls/1 ℹ  info      Request received
";
    let seen = Seen::read(log);
    let found = &seen.violations;
    assert_eq!(found.len(), 5, "{found:#?}");
    assert!(found[0].starts_with("after GET /repos/o/r/pulls/2: [NEGOTIATOR] ⚠"), "{found:#?}");
    assert!(found[2].contains("NO_PATH_MATCHED_ERROR"), "{found:#?}");
    assert!(found[4].starts_with("after POST /repos/o/r/issues/1/labels: [VALIDATOR] ✖"), "{found:#?}");
    assert!(found.iter().all(|v| !v.contains("Violation: response")), "{found:#?}");
    assert_eq!(seen.requests.len(), 5);
    assert!(seen.tally().starts_with("    2 × GET /repos/o/r/pulls/1\n"), "{}", seen.tally());
}
