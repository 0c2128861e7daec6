//! `flowgate backfill` and `flowgate digest` end to end: review history imported from a fake GitHub
//! (pull listing and issue timelines) or from snapshots into a store, once per happening however
//! often it runs, and the digest's figures computed from what the store holds.

use crate::support::common;
use crate::support::fake_github;

use chrono::{DateTime, Duration, Utc};
use flowgate::latency::{Actor, Event, EventKind, PrContext, ReviewOutcome, Reviewer};
use flowgate::model::Login;
use flowgate::store::Store;
use serde_json::{Value, json};

use common::{Run, path_str, root};
use fake_github::{FakeGitHub, Pr, TOKEN};

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn pull(number: u64, title: &str, created: DateTime<Utc>, updated: DateTime<Utc>) -> Value {
    json!({ "number": number, "title": title, "state": "open", "draft": false,
            "created_at": stamp(created), "updated_at": stamp(updated),
            "user": { "login": "ann", "type": "User" }, "labels": [],
            "head": { "ref": format!("change-{number}"), "sha": format!("{number:040}") }, "base": { "ref": "main" } })
}

fn item(kind: &str, id: u64, at: DateTime<Utc>, extra: Value) -> Value {
    let mut item = json!({ "event": kind, "id": id, "actor": { "login": "ann", "type": "User" },
                           "created_at": stamp(at) });
    if let (Some(item), Some(extra)) = (item.as_object_mut(), extra.as_object()) {
        item.extend(extra.clone());
    }
    item
}

fn backfill(fake: &FakeGitHub, db: &str) -> Run {
    Run::of(assert_cmd::Command::cargo_bin("flowgate").expect("binary").args([
        "backfill",
        "--repo",
        "acme/shop",
        "--since",
        "30d",
        "--token",
        TOKEN,
        "--api-url",
        &fake.uri(),
        "--database-url",
        db,
    ]))
}

async fn stored(db: &str) -> Vec<Event> {
    let store = Store::connect(db).await.expect("connects");
    let mut all = Vec::new();
    store.events_for_prs_active_since(0, None, &mut |events| all.extend_from_slice(events)).await.expect("reads");
    all
}

/// Two PRs updated in the span are imported with their timelines; one updated before it is not
/// even asked for. Running again adds nothing.
#[tokio::test(flavor = "multi_thread")]
async fn backfill_imports_each_happening_once() {
    let now = Utc::now();
    let fake = FakeGitHub::start("acme/shop").await;
    let policy = std::fs::read_to_string(root().join("examples/flowgate.yml")).expect("policy");
    let (opened, old) = (now - Duration::days(3), now - Duration::days(400));
    fake.with(|s| {
        s.contents.insert(("main".into(), ".github/flowgate.yml".into()), policy);
        for (n, title, created, updated) in
            [(1, "ABC-12 login", opened, now - Duration::days(1)), (2, "docs", opened, opened), (3, "old", old, old)]
        {
            s.pulls.insert(n, Pr { pull: pull(n, title, created, updated), ..Pr::default() });
        }
        s.timelines.insert(
            1,
            vec![
                item(
                    "review_requested",
                    11,
                    opened,
                    json!({ "requested_reviewer": { "login": "bob", "type": "User" } }),
                ),
                json!({ "event": "reviewed", "id": 21, "user": { "login": "bob", "type": "User" },
                        "state": "APPROVED", "submitted_at": stamp(opened + Duration::hours(2)) }),
                item("labeled", 12, opened, json!({})),
                item("merged", 13, opened + Duration::hours(3), json!({})),
                item("closed", 14, opened + Duration::hours(3), json!({})),
            ],
        );
    });
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = format!("sqlite://{}", path_str(&dir.path().join("flowgate.db")));

    let first = backfill(&fake, &db);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(first.stdout, "acme/shop: 2 PRs, 5 review events, 5 new (0 already recorded)\n");
    let timelines: Vec<String> =
        fake.with(|s| s.log.iter().filter(|l| l.url.contains("/timeline")).map(|l| l.url.clone()).collect());
    assert_eq!(timelines.len(), 2, "PR 3 was updated before the span: {timelines:?}");
    assert!(timelines.iter().all(|u| !u.contains("/issues/3/")), "{timelines:?}");

    let again = backfill(&fake, &db);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.stdout, "acme/shop: 2 PRs, 5 review events, 0 new (5 already recorded)\n");

    let events = stored(&db).await;
    let one: Vec<&EventKind> = events.iter().filter(|e| e.pr == 1).map(|e| &e.kind).collect();
    assert_eq!(
        one,
        vec![
            &EventKind::Opened { draft: false },
            &EventKind::ReviewRequested { reviewer: Reviewer::user("bob") },
            &EventKind::ReviewSubmitted { outcome: ReviewOutcome::Approved },
            &EventKind::Merged,
        ]
    );
    let context = &events.iter().find(|e| e.pr == 1).expect("PR 1").context;
    assert_eq!((context.tier, context.story_keys.clone()), (None, vec!["ABC-12".to_string()]));
}

/// Snapshot directories import the same way, and again add nothing.
#[test]
fn backfill_imports_snapshots_once() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = format!("sqlite://{}", path_str(&dir.path().join("flowgate.db")));
    let snapshots = root().join("examples");
    let run = |expected: &str| {
        let run = Run::of(assert_cmd::Command::cargo_bin("flowgate").expect("binary").args([
            "backfill",
            "--from-snapshots",
            path_str(&snapshots.join("auth-login")),
            "--database-url",
            &db,
        ]));
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.ends_with(expected), "{}", run.stdout);
    };
    run("1 PRs, 4 review events, 4 new (0 already recorded)\n");
    run("1 PRs, 4 review events, 0 new (4 already recorded)\n");
    let empty = tempfile::tempdir().expect("temporary directory");
    let none = Run::of(assert_cmd::Command::cargo_bin("flowgate").expect("binary").args([
        "backfill",
        "--from-snapshots",
        path_str(empty.path()),
        "--database-url",
        &db,
    ]));
    none.assert_bad_input("holds no snapshot");
}

/// Writes a saved PR of acme/shop under `dir/name`: its pull.json (`pull` over the fields every
/// PR has) and each `(file, JSON)` beside it.
fn save_pr(dir: &std::path::Path, name: &str, number: u64, pull: Value, lists: &[(&str, Value)]) {
    let snapshot = dir.join(name);
    std::fs::create_dir_all(&snapshot).expect("snapshot directory");
    let mut whole = json!({ "number": number, "title": format!("change {number}"), "draft": false,
        "user": { "login": "ann", "type": "User" }, "labels": [],
        "head": { "ref": format!("change-{number}"), "sha": format!("{number:040}") },
        "base": { "ref": "main", "repo": { "full_name": "acme/shop" } } });
    if let (Some(whole), Some(pull)) = (whole.as_object_mut(), pull.as_object()) {
        whole.extend(pull.clone());
    }
    std::fs::write(snapshot.join("pull.json"), whole.to_string()).expect("pull.json");
    for (file, list) in lists {
        std::fs::write(snapshot.join(file), list.to_string()).expect("list file");
    }
}

fn review(id: u64, login: &str, state: &str, submitted: &str) -> Value {
    json!({ "id": id, "user": { "login": login, "type": "User" }, "state": state, "submitted_at": submitted })
}

fn backfill_snapshots(dir: &std::path::Path, db: &str) -> Run {
    Run::of(assert_cmd::Command::cargo_bin("flowgate").expect("binary").args([
        "backfill",
        "--from-snapshots",
        path_str(dir),
        "--database-url",
        db,
    ]))
}

/// Saved PRs replay as they happened, without an events.json: a merge or close from pull.json's
/// own times, AI found by the gate's detection in the commits, and a dismissed review still the
/// PR's first answer (its approval withdrawn). The digest shows it; importing again adds nothing.
#[tokio::test(flavor = "multi_thread")]
async fn backfill_replays_saved_prs_as_they_ended() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let saved = dir.path().join("saved");
    let approved = |id, login, at| review(id, login, "APPROVED", at);
    // Opened 09:00, approved 13:00, merged 15:00: 4 hours to the first review, 6 to the merge.
    save_pr(
        &saved,
        "pr-1",
        1,
        json!({ "state": "closed", "created_at": "2025-03-04T09:00:00Z",
        "merged_at": "2025-03-04T15:00:00Z", "closed_at": "2025-03-04T15:00:00Z" }),
        &[("reviews.json", json!([approved(100, "bob", "2025-03-04T13:00:00Z")]))],
    );
    // Closed unmerged a day after it opened.
    save_pr(
        &saved,
        "pr-2",
        2,
        json!({ "state": "closed", "created_at": "2025-03-04T09:00:00Z",
        "merged_at": null, "closed_at": "2025-03-05T09:00:00Z" }),
        &[],
    );
    // Open, its commit co-authored by Claude Code.
    let commit = json!([{ "sha": "c".repeat(40), "commit": { "message": "Add the cache\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
        "author": { "name": "Ann", "email": "ann@example.com" }, "committer": { "name": "Ann", "email": "ann@example.com" } } }]);
    save_pr(
        &saved,
        "pr-3",
        3,
        json!({ "state": "open", "created_at": "2025-03-05T09:00:00Z" }),
        &[("commits.json", commit)],
    );
    // Approved at 11:00, the approval dismissed at 12:00 (events.json says so), merged at 15:00.
    let dismissal = json!([{ "event": "review_dismissed", "id": 41, "actor": { "login": "ann", "type": "User" },
        "created_at": "2025-03-06T12:00:00Z", "dismissed_review": { "review_id": 400, "state": "approved" } }]);
    save_pr(
        &saved,
        "pr-4",
        4,
        json!({ "state": "closed", "created_at": "2025-03-06T09:00:00Z",
        "merged_at": "2025-03-06T15:00:00Z", "closed_at": "2025-03-06T15:00:00Z" }),
        &[
            ("reviews.json", json!([review(400, "carol", "DISMISSED", "2025-03-06T11:00:00Z")])),
            ("events.json", dismissal),
        ],
    );
    // Reviewed an hour after it opened; the review was dismissed, and no events.json says when.
    save_pr(
        &saved,
        "pr-5",
        5,
        json!({ "state": "open", "created_at": "2025-03-07T09:00:00Z" }),
        &[("reviews.json", json!([review(500, "dave", "DISMISSED", "2025-03-07T10:00:00Z")]))],
    );
    let db = format!("sqlite://{}", path_str(&dir.path().join("flowgate.db")));

    let first = backfill_snapshots(&saved, &db);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(!first.stderr.contains("warning"), "{}", first.stderr);
    let again = backfill_snapshots(&saved, &db);
    assert!(again.stdout.ends_with("5 PRs, 13 review events, 0 new (13 already recorded)\n"), "{}", again.stdout);

    let mut cmd = assert_cmd::Command::cargo_bin("flowgate").expect("binary");
    cmd.args(["digest", "--since", "7d", "--until", "2025-03-08T00:00:00Z", "--clock", "calendar"]);
    let digest = Run::of(cmd.args(["--format", "json", "--database-url", &db]));
    assert_eq!(digest.code, 0, "{}", digest.stderr);
    let json = digest.json();
    let totals = &json["totals"];
    let counts = ["opened", "merged", "closed_unmerged", "open_at_end", "first_reviews"].map(|k| totals[k].as_u64());
    assert_eq!(counts, [Some(5), Some(2), Some(1), Some(2), Some(3)], "{totals}");
    let overall = &json["overall"];
    assert_eq!(overall["open_to_merge_hours"]["count"], 2, "{overall}");
    assert_eq!(overall["open_to_merge_hours"]["median"].as_f64(), Some(6.0), "{overall}");
    assert_eq!(overall["first_review_hours"]["median"].as_f64(), Some(2.0), "4, 2 and 1 hours: {overall}");
    assert_eq!(overall["approval_to_merge_hours"]["count"], 1, "PR 4's approval was withdrawn: {overall}");
    let ai = json["by_ai"].as_array().and_then(|g| g.iter().find(|g| g["group"] == "ai").cloned());
    assert_eq!(ai.map(|g| g["prs"].clone()), Some(json!(1)), "{}", json["by_ai"]);

    let events = stored(&db).await;
    let context = &events.iter().find(|e| e.pr == 3).expect("PR 3").context;
    assert!(context.ai_detected && context.ai_tools == ["claude-code"], "{context:?}");
    assert!(events.iter().filter(|e| e.pr != 3).all(|e| !e.context.ai_touched()));
}

/// A saved PR that says it is closed but not when is imported as still open, and the import says
/// which one.
#[test]
fn backfill_names_a_saved_pr_closed_without_a_time() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let saved = dir.path().join("saved");
    save_pr(&saved, "pr-6", 6, json!({ "state": "closed", "created_at": "2025-03-04T09:00:00Z" }), &[]);
    let db = format!("sqlite://{}", path_str(&dir.path().join("flowgate.db")));
    let run = backfill_snapshots(&saved, &db);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.ends_with("1 PRs, 1 review events, 1 new (0 already recorded)\n"), "{}", run.stdout);
    let named =
        format!("{}/pull.json: the PR is closed but neither merged_at nor closed_at", path_str(&saved.join("pr-6")));
    assert!(run.stderr.contains("warning: ") && run.stderr.contains(&named), "{}", run.stderr);
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("a time").with_timezone(&Utc)
}

fn event(id: &str, pr: u64, when: &str, actor: &str, kind: EventKind) -> Event {
    Event {
        id: id.into(),
        repo: if pr < 100 { "acme/shop" } else { "acme/api" }.into(),
        pr,
        at: at(when),
        actor: Actor::login(actor),
        context: PrContext { author: Login::new("ann"), ..PrContext::default() },
        kind,
    }
}

/// Events recorded in the store come out as the digest's figures, on the wall clock so that the
/// hours are exact; a PR merged long before the span is not in it; `--repo` narrows it.
#[tokio::test(flavor = "multi_thread")]
async fn digest_reports_the_stored_events_of_the_span() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = format!("sqlite://{}", path_str(&dir.path().join("flowgate.db")));
    let approved = EventKind::ReviewSubmitted { outcome: ReviewOutcome::Approved };
    let events = vec![
        // Opened in the span, first reviewed 4 hours later, merged.
        event("1a", 1, "2025-03-04T09:00:00Z", "ann", EventKind::Opened { draft: false }),
        event("1b", 1, "2025-03-04T09:00:00Z", "ann", EventKind::ReviewRequested { reviewer: Reviewer::user("bob") }),
        event("1c", 1, "2025-03-04T13:00:00Z", "bob", approved.clone()),
        event("1d", 1, "2025-03-04T15:00:00Z", "ann", EventKind::Merged),
        // Opened before the span, reviewed 2 hours into it (a 26-hour wait), still open.
        event("2a", 2, "2025-03-02T08:00:00Z", "ann", EventKind::Opened { draft: false }),
        event("2b", 2, "2025-03-03T10:00:00Z", "bob", approved),
        // Merged a month before.
        event("3a", 3, "2025-02-01T09:00:00Z", "ann", EventKind::Opened { draft: false }),
        event("3b", 3, "2025-02-01T10:00:00Z", "ann", EventKind::Merged),
        // Another repository.
        event("4a", 104, "2025-03-05T09:00:00Z", "ann", EventKind::Opened { draft: false }),
    ];
    let store = Store::connect(&db).await.expect("connects");
    assert_eq!(store.record_events(&events).await.expect("records"), 9);
    drop(store);

    let out = dir.path().join("digest.json");
    let digest = |repos: &[&str], out: Option<&std::path::Path>| {
        let mut cmd = assert_cmd::Command::cargo_bin("flowgate").expect("binary");
        cmd.args(["digest", "--since", "7d", "--until", "2025-03-08T00:00:00Z", "--clock", "calendar"]);
        cmd.args(["--format", "json", "--database-url", &db]);
        for repo in repos {
            cmd.args(["--repo", repo]);
        }
        if let Some(out) = out {
            cmd.args(["--out", path_str(out)]);
        }
        Run::of(&mut cmd)
    };
    let run = digest(&["acme/shop"], Some(&out));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "written to the file: {}", run.stdout);
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("JSON");
    assert_eq!(json["window"], json!({ "start": "2025-03-01T00:00:00Z", "end": "2025-03-08T00:00:00Z" }));
    assert_eq!(json["clock"], "calendar");
    let totals = &json["totals"];
    assert_eq!((totals["prs_active"].as_u64(), totals["opened"].as_u64()), (Some(2), Some(2)), "{totals}");
    assert_eq!((totals["merged"].as_u64(), totals["open_at_end"].as_u64()), (Some(1), Some(1)), "{totals}");
    let first = &json["overall"]["first_review_hours"];
    assert_eq!(first["count"], 2, "{first}");
    assert_eq!(first["median"].as_f64(), Some(15.0), "the middle of 4 and 26 hours: {first}");
    assert_eq!(json["overall"]["open_to_merge_hours"]["median"].as_f64(), Some(6.0));

    let every = digest(&[], None);
    assert_eq!(every.code, 0, "{}", every.stderr);
    assert_eq!(every.json()["totals"]["prs_active"], 3, "both repositories");

    // The same figures in the formats people read: Markdown (the default) and HTML.
    let formatted = |format: Option<&str>| {
        let mut cmd = assert_cmd::Command::cargo_bin("flowgate").expect("binary");
        cmd.args(["digest", "--since", "7d", "--until", "2025-03-08T00:00:00Z", "--clock", "calendar"]);
        cmd.args(["--database-url", &db, "--repo", "acme/shop"]);
        if let Some(format) = format {
            cmd.args(["--format", format]);
        }
        Run::of(&mut cmd)
    };
    let markdown = formatted(None);
    assert_eq!(markdown.code, 0, "{}", markdown.stderr);
    assert!(markdown.stdout.starts_with('#') && markdown.stdout.contains("```mermaid"), "{}", markdown.stdout);
    assert!(markdown.stdout.contains("15"), "the median first review: {}", markdown.stdout);
    let html = formatted(Some("html"));
    assert!(html.stdout.contains("<svg") && html.stdout.contains("</html>"), "{}", html.stdout);
    let slack = formatted(Some("slack"));
    let blocks: Value = serde_json::from_str(&slack.stdout).expect("Slack's JSON");
    assert!(blocks["blocks"].as_array().is_some_and(|b| !b.is_empty()), "{blocks}");
}

#[test]
fn digest_names_a_bad_span_or_time_zone() {
    let run = |args: &[&str]| {
        let mut cmd = assert_cmd::Command::cargo_bin("flowgate").expect("binary");
        cmd.args(["digest", "--database-url", "sqlite::memory:"]).args(args);
        Run::of(&mut cmd)
    };
    let span = run(&["--since", "7 days"]);
    assert_eq!(span.code, 2);
    assert!(span.stderr.contains("is not a span"), "{}", span.stderr);
    run(&["--timezone", "Mars/Olympus"]).assert_bad_input("unknown time zone `Mars/Olympus`");
}

fn red(mut e: Event) -> Event {
    e.context.tier = Some(flowgate::Tier::Red);
    e
}

/// Three red PRs first reviewed after 5, 2 and 10 hours; an AI tool commented on the first after
/// one hour. The policy's targets and AI reviewers decide how many breached, and the flags win.
#[tokio::test(flavor = "multi_thread")]
async fn digest_counts_breaches_against_the_policys_targets() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = format!("sqlite://{}", path_str(&dir.path().join("flowgate.db")));
    let approved = || EventKind::ReviewSubmitted { outcome: ReviewOutcome::Approved };
    let commented = EventKind::ReviewSubmitted { outcome: ReviewOutcome::Commented };
    let events: Vec<Event> = vec![
        event("1a", 1, "2025-03-04T09:00:00Z", "ann", EventKind::Opened { draft: false }),
        event("1b", 1, "2025-03-04T10:00:00Z", "coderabbitai", commented),
        event("1c", 1, "2025-03-04T14:00:00Z", "bob", approved()),
        event("2a", 2, "2025-03-04T09:00:00Z", "ann", EventKind::Opened { draft: false }),
        event("2b", 2, "2025-03-04T11:00:00Z", "bob", approved()),
        event("3a", 3, "2025-03-04T09:00:00Z", "ann", EventKind::Opened { draft: false }),
        event("3b", 3, "2025-03-04T19:00:00Z", "bob", approved()),
    ]
    .into_iter()
    .map(red)
    .collect();
    let store = Store::connect(&db).await.expect("connects");
    store.record_events(&events).await.expect("records");
    drop(store);

    let write_policy = |name: &str, latency: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, format!("extends: default\nlatency: {latency}\n")).expect("policy written");
        path
    };
    let strict = write_policy("strict.yml", "{ targets: { red: 4h }, ai_reviewers: [coderabbitai] }");
    let relaxed = write_policy("relaxed.yml", "{ targets: { red: 8h }, ai_reviewers: [coderabbitai] }");
    let breached = |policy: &std::path::Path, flags: &[&str]| {
        let mut cmd = assert_cmd::Command::cargo_bin("flowgate").expect("binary");
        cmd.args(["digest", "--since", "7d", "--until", "2025-03-08T00:00:00Z", "--clock", "calendar"]);
        cmd.args(["--format", "json", "--database-url", &db, "--policy", path_str(policy)]).args(flags);
        let run = Run::of(&mut cmd);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let json = run.json();
        let red = json["targets"].as_array().and_then(|t| t.iter().find(|t| t["tier"] == "red").cloned());
        let red = red.unwrap_or_else(|| panic!("a red target: {}", json["targets"]));
        (red["first_reviews"].as_u64(), red["breached"].as_u64())
    };
    assert_eq!(breached(&strict, &[]), (Some(3), Some(2)), "5 and 10 hours are over 4");
    assert_eq!(breached(&relaxed, &[]), (Some(3), Some(1)), "only 10 hours is over 8");
    assert_eq!(breached(&strict, &["--target", "red=12h"]), (Some(3), Some(0)), "the flag wins");
    assert_eq!(
        breached(&strict, &["--ai-reviewer", "copilot"]),
        (Some(3), Some(1)),
        "coderabbitai's comment after 1 hour counts once the flag replaces the policy's list"
    );

    let bad = write_policy("bad.yml", "{ targets: { red: 8 hours } }");
    let validate = Run::of(assert_cmd::Command::cargo_bin("flowgate").expect("binary").args([
        "policy",
        "validate",
        path_str(&bad),
    ]));
    validate.assert_bad_input("latency");
    assert!(validate.stderr.contains("not a review-time target"), "{}", validate.stderr);
    let zone = write_policy("zone.yml", "{ timezone: Mars/Olympus }");
    let validate = Run::of(assert_cmd::Command::cargo_bin("flowgate").expect("binary").args([
        "policy",
        "validate",
        path_str(&zone),
    ]));
    validate.assert_bad_input("unknown time zone \"Mars/Olympus\"");
    let flag = breached_flag_error(&db, &strict, "purple=8h");
    assert!(flag.contains("`purple` is not a tier"), "{flag}");
}

fn breached_flag_error(db: &str, policy: &std::path::Path, target: &str) -> String {
    let mut cmd = assert_cmd::Command::cargo_bin("flowgate").expect("binary");
    cmd.args(["digest", "--database-url", db, "--policy", path_str(policy), "--target", target]);
    let run = Run::of(&mut cmd);
    assert_eq!(run.code, 2, "{}", run.stderr);
    run.stderr
}

/// `--post` sends the Slack message to the webhook in the environment; Slack's refusal, or no
/// webhook at all, is one line and exit 2, and the URL (a secret) is never printed.
#[tokio::test(flavor = "multi_thread")]
async fn digest_posts_to_the_slack_webhook() {
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = format!("sqlite://{}", path_str(&dir.path().join("flowgate.db")));
    let store = Store::connect(&db).await.expect("connects");
    store
        .record_events(&[event("1a", 1, "2025-03-04T09:00:00Z", "ann", EventKind::Opened { draft: false })])
        .await
        .expect("records");
    drop(store);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/services/T1/B1/good-secret"))
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/services/T1/B1/gone-secret"))
        .respond_with(ResponseTemplate::new(404).set_body_string("no_service"))
        .mount(&server)
        .await;
    let post = |url: Option<&str>, format: &str| {
        let mut cmd = assert_cmd::Command::cargo_bin("flowgate").expect("binary");
        cmd.args(["digest", "--until", "2025-03-08T00:00:00Z", "--database-url", &db, "--format", format, "--post"]);
        match url {
            Some(url) => cmd.env("FLOWGATE_SLACK_WEBHOOK_URL", url),
            None => cmd.env_remove("FLOWGATE_SLACK_WEBHOOK_URL"),
        };
        Run::of(&mut cmd)
    };

    let good = format!("{}/services/T1/B1/good-secret", server.uri());
    let posted = post(Some(&good), "slack");
    assert_eq!(posted.code, 0, "{}", posted.stderr);
    assert!(posted.stdout.is_empty(), "posted, not printed: {}", posted.stdout);
    assert!(posted.stderr.contains("posted the digest to Slack") && !posted.stderr.contains("secret"));
    let received = server.received_requests().await.expect("recorded");
    assert_eq!(received.len(), 1);
    let blocks: Value = serde_json::from_slice(&received[0].body).expect("Block Kit JSON");
    assert!(blocks["blocks"].as_array().is_some_and(|b| !b.is_empty()), "{blocks}");

    let gone = post(Some(&format!("{}/services/T1/B1/gone-secret", server.uri())), "slack");
    gone.assert_bad_input("Slack refused the message: 404 (no_service)");
    assert_eq!(gone.stderr.lines().count(), 1, "{}", gone.stderr);
    assert!(!gone.stderr.contains("secret") && !gone.stderr.contains(&server.uri()), "{}", gone.stderr);

    post(None, "slack").assert_bad_input("FLOWGATE_SLACK_WEBHOOK_URL is not set");
    post(Some(&good), "markdown").assert_bad_input("add --format slack");
    assert_eq!(server.received_requests().await.expect("recorded").len(), 2, "nothing sent for the refusals");
}
