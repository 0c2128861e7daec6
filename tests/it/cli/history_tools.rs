//! The digest's figures per AI tool end to end: saved PRs imported with
//! `flowgate backfill --from-snapshots` (the gate's AI detection naming each PR's tool on the
//! way), then `flowgate digest --format json`, checked against a table worked out by hand.

use crate::support::common;

use flowgate::latency::{AiDeclared, Event};
use flowgate::store::Store;
use serde_json::{Value, json};

use common::{Run, path_str};

/// Writes a saved PR of acme/shop under `dir/pr-N`: its pull.json (`pull` over the fields every
/// PR has) and each `(file, JSON)` beside it.
fn save_pr(dir: &std::path::Path, number: u64, pull: Value, lists: &[(&str, Value)]) {
    let snapshot = dir.join(format!("pr-{number}"));
    std::fs::create_dir_all(&snapshot).expect("snapshot directory");
    let mut whole = json!({ "number": number, "title": format!("change {number}"), "draft": false, "body": "",
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

/// The author asks `login` again: the answer to a changes request that makes a review round.
fn rerequest(id: u64, login: &str, at: &str) -> Value {
    json!({ "event": "review_requested", "id": id, "actor": { "login": "ann", "type": "User" }, "created_at": at,
            "requested_reviewer": { "login": login, "type": "User" } })
}

fn merged(created: &str, at: &str) -> Value {
    json!({ "state": "closed", "created_at": created, "merged_at": at, "closed_at": at })
}

fn commit(message: &str) -> Value {
    json!([{ "sha": "c".repeat(40), "commit": { "message": message,
        "author": { "name": "Ann", "email": "ann@example.com" },
        "committer": { "name": "Ann", "email": "ann@example.com" } } }])
}

/// Six saved PRs, the week of Monday 3 March 2025, on wall-clock hours:
///
/// | PR | made with | opened | first review | round | ended | open |
/// |---|---|---|---|---|---|---|
/// | 1 | Claude Code (co-author) | Mon 09:00 | changes 11:00 (2 h) | re-request 13:00 | merged 17:00 | 8 h |
/// | 2 | Claude Code (co-author) | Tue 09:00 | approved 13:00 (4 h) | – | merged 15:00 | 6 h |
/// | 3 | Copilot (branch copilot/) | Wed 09:00 | comment 10:00 (1 h) | – | closed 21:00 | 12 h |
/// | 4 | no AI | Mon 10:00 | approved 13:00 (3 h) | – | merged 20:00 | 10 h |
/// | 5 | no AI | Tue 10:00 | changes 11:00 (1 h) | re-request 14:00 | merged Wed 10:00 | 24 h |
/// | 6 | `AI: assisted`, no tool | Thu 09:00 | – | – | still open | – |
fn save_week(dir: &std::path::Path) {
    let claude = commit("Add the cache\n\nCo-authored-by: Claude <noreply@anthropic.com>\n");
    save_pr(
        dir,
        1,
        merged("2025-03-03T09:00:00Z", "2025-03-03T17:00:00Z"),
        &[
            ("commits.json", claude.clone()),
            (
                "reviews.json",
                json!([
                    review(101, "bob", "CHANGES_REQUESTED", "2025-03-03T11:00:00Z"),
                    review(102, "bob", "APPROVED", "2025-03-03T15:00:00Z")
                ]),
            ),
            ("events.json", json!([rerequest(11, "bob", "2025-03-03T13:00:00Z")])),
        ],
    );
    save_pr(
        dir,
        2,
        merged("2025-03-04T09:00:00Z", "2025-03-04T15:00:00Z"),
        &[
            ("commits.json", claude),
            ("reviews.json", json!([review(201, "alice", "APPROVED", "2025-03-04T13:00:00Z")])),
        ],
    );
    save_pr(
        dir,
        3,
        json!({ "state": "closed", "created_at": "2025-03-05T09:00:00Z", "merged_at": null,
                "closed_at": "2025-03-05T21:00:00Z", "head": { "ref": "copilot/fix-cache", "sha": "3".repeat(40) } }),
        &[("reviews.json", json!([review(301, "bob", "COMMENTED", "2025-03-05T10:00:00Z")]))],
    );
    save_pr(
        dir,
        4,
        merged("2025-03-03T10:00:00Z", "2025-03-03T20:00:00Z"),
        &[("reviews.json", json!([review(401, "carol", "APPROVED", "2025-03-03T13:00:00Z")]))],
    );
    save_pr(
        dir,
        5,
        merged("2025-03-04T10:00:00Z", "2025-03-05T10:00:00Z"),
        &[
            (
                "reviews.json",
                json!([
                    review(501, "carol", "CHANGES_REQUESTED", "2025-03-04T11:00:00Z"),
                    review(502, "carol", "APPROVED", "2025-03-04T16:00:00Z")
                ]),
            ),
            ("events.json", json!([rerequest(51, "carol", "2025-03-04T14:00:00Z")])),
        ],
    );
    save_pr(dir, 6, json!({ "state": "open", "created_at": "2025-03-06T09:00:00Z", "body": "AI: assisted" }), &[]);
}

async fn stored(db: &str) -> Vec<Event> {
    let store = Store::connect(db).await.expect("connects");
    let mut all = Vec::new();
    store.events_for_prs_active_since(0, None, &mut |events| all.extend_from_slice(events)).await.expect("reads");
    all
}

/// `(count, median)` of a spread in the JSON.
fn spread(value: &Value) -> (Option<u64>, Option<f64>) {
    (value["count"].as_u64(), value["median"].as_f64())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_json_digest_has_each_tools_figures_from_imported_snapshots() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let saved = dir.path().join("saved");
    save_week(&saved);
    let db = format!("sqlite://{}", path_str(&dir.path().join("flowgate.db")));
    let import = Run::of(assert_cmd::Command::cargo_bin("flowgate").expect("binary").args([
        "backfill",
        "--from-snapshots",
        path_str(&saved),
        "--database-url",
        &db,
    ]));
    assert_eq!(import.code, 0, "{}", import.stderr);

    // The import carries each PR's tool, as the gate's detection found it.
    let events = stored(&db).await;
    let context = |pr: u64| &events.iter().find(|e| e.pr == pr).expect("the PR's events").context;
    assert_eq!(context(1).ai_tools, ["claude-code"]);
    assert_eq!(context(3).ai_tools, ["copilot"]);
    assert!(context(4).ai_tools.is_empty() && !context(4).ai_touched());
    assert!(context(6).ai_tools.is_empty() && context(6).ai_declared == AiDeclared::Assisted);

    let mut cmd = assert_cmd::Command::cargo_bin("flowgate").expect("binary");
    cmd.args(["digest", "--since", "7d", "--until", "2025-03-08T00:00:00Z", "--clock", "calendar"]);
    let digest = Run::of(cmd.args(["--format", "json", "--database-url", &db]));
    assert_eq!(digest.code, 0, "{}", digest.stderr);
    let json = digest.json();
    let groups = json["by_tool"].as_array().expect("by_tool");
    let names: Vec<&str> = groups.iter().filter_map(|g| g["group"].as_str()).collect();
    assert_eq!(names, ["claude-code", "copilot", "ai_unknown", "human"], "a fixed order: {}", json["by_tool"]);
    let [claude, copilot, unknown, human] = [0, 1, 2, 3].map(|i| &groups[i]);

    // Claude Code: #1 and #2, both merged. Open 8 and 6 h: median 7. First reviews after 2 and
    // 4 h: median 3. Rounds 1 (#1's re-request after the changes request) and 0: median 0.5.
    assert_eq!((claude["prs"].as_u64(), claude["merge_rate"].as_f64()), (Some(2), Some(1.0)), "{claude}");
    assert_eq!(claude["merged"]["prs"], 2, "{claude}");
    assert_eq!(spread(&claude["merged"]["open_hours"]), (Some(2), Some(7.0)), "{claude}");
    assert_eq!(spread(&claude["merged"]["first_review_hours"]), (Some(2), Some(3.0)), "{claude}");
    assert_eq!(spread(&claude["merged"]["review_rounds"]), (Some(2), Some(0.5)), "{claude}");
    assert_eq!(claude["closed_unmerged"]["prs"], 0, "{claude}");

    // Copilot: #3 alone, closed unmerged after 12 h, first review after 1 h, no round.
    assert_eq!((copilot["prs"].as_u64(), copilot["merge_rate"].as_f64()), (Some(1), Some(0.0)), "{copilot}");
    assert_eq!(copilot["merged"]["prs"], 0, "{copilot}");
    assert_eq!(copilot["closed_unmerged"]["prs"], 1, "{copilot}");
    assert_eq!(spread(&copilot["closed_unmerged"]["open_hours"]), (Some(1), Some(12.0)), "{copilot}");
    assert_eq!(spread(&copilot["closed_unmerged"]["first_review_hours"]), (Some(1), Some(1.0)), "{copilot}");
    assert_eq!(spread(&copilot["closed_unmerged"]["review_rounds"]), (Some(1), Some(0.0)), "{copilot}");

    // AI declared, no tool: #6, open at the end, so no merge rate.
    assert_eq!((unknown["prs"].as_u64(), unknown["merge_rate"].as_f64()), (Some(1), None), "{unknown}");
    assert_eq!((unknown["merged"]["prs"].as_u64(), unknown["closed_unmerged"]["prs"].as_u64()), (Some(0), Some(0)));

    // Without AI: #4 and #5, both merged. Open 10 and 24 h: median 17. First reviews after 3 and
    // 1 h: median 2. Rounds 0 and 1 (#5's re-request after the changes request): median 0.5.
    assert_eq!((human["prs"].as_u64(), human["merge_rate"].as_f64()), (Some(2), Some(1.0)), "{human}");
    assert_eq!(spread(&human["merged"]["open_hours"]), (Some(2), Some(17.0)), "{human}");
    assert_eq!(spread(&human["merged"]["first_review_hours"]), (Some(2), Some(2.0)), "{human}");
    assert_eq!(spread(&human["merged"]["review_rounds"]), (Some(2), Some(0.5)), "{human}");
    assert_eq!(human["closed_unmerged"]["prs"], 0, "{human}");

    // The same figures in the Markdown digest, with the note on how a PR is counted.
    let mut cmd = assert_cmd::Command::cargo_bin("flowgate").expect("binary");
    cmd.args(["digest", "--since", "7d", "--until", "2025-03-08T00:00:00Z", "--clock", "calendar"]);
    let markdown = Run::of(cmd.args(["--database-url", &db]));
    assert_eq!(markdown.code, 0, "{}", markdown.stderr);
    assert!(
        markdown.stdout.contains("| Claude Code | 2 | 100% | merged | 2 | 7.0 | 3.0 | 0.5 |"),
        "{}",
        markdown.stdout
    );
    assert!(markdown.stdout.contains("|  |  |  | closed unmerged | 1 | 12.0 | 1.0 | 0.0 |"), "{}", markdown.stdout);
    assert!(markdown.stdout.contains("A PR made with two tools counts under each."), "{}", markdown.stdout);
}
