//! The gate's state at each merge, read from table `evaluations` on both backends: the digest
//! built from the store lists the merges made past a failing gate or a head it never judged, and
//! counts the merges it never evaluated; an override recorded as a note comes back with its reason.

use chrono::DateTime;
use flowgate::latency::{BusinessCalendar, Clock, ClockMode, Event, LatencyConfig, Window};
use flowgate::model::Enforcement;
use flowgate::store::{Evaluation, Store};
use serde_json::json;

use crate::support::db::Db;

const HOUR: i64 = 3_600_000;

fn event(pr: u64, n: u32, at_ms: i64, actor: &str, kind: serde_json::Value) -> Event {
    let mut value = json!({
        "id": format!("acme/api#{pr}/{n}"), "repo": "acme/api", "pr": pr,
        "at": DateTime::from_timestamp_millis(at_ms).expect("a time").to_rfc3339(),
        "actor": { "login": actor, "bot": false },
        "context": { "author": "ann", "tier": "yellow", "ai_declared": "undeclared", "ai_detected": false,
                     "ai_tools": [], "story_keys": ["API-1"] },
    });
    if let (Some(v), Some(k)) = (value.as_object_mut(), kind.as_object()) {
        v.extend(k.clone());
    }
    serde_json::from_value(value).expect("a stored event")
}

async fn evaluated(store: &Store, pr: u64, at_ms: i64, state: &str) {
    let evaluation = Evaluation { repo: "Acme/API", pr, at_ms, enforcement: Enforcement::Enforce, state, reasons: &[] };
    store.record_evaluation(&evaluation).await.expect("records");
}

pub async fn merges_past_a_failing_or_unjudged_gate_are_listed_from_the_store(db: Db) {
    let store = db.store().await;
    let opened = json!({ "event": "opened", "draft": false });
    let merged = json!({ "event": "merged" });
    let events = [
        // #1: failing when bob merged it.
        event(1, 0, HOUR, "ann", opened.clone()),
        event(1, 1, 5 * HOUR, "bob", merged.clone()),
        // #2: passed, then new commits nobody evaluated before the queue merged it.
        event(2, 0, HOUR, "ann", opened.clone()),
        event(2, 1, 3 * HOUR, "ann", json!({ "event": "synchronize" })),
        event(2, 2, 4 * HOUR, "github-merge-queue[bot]", merged.clone()),
        // #3: passed by an override alice applied, with its reason; #4: never evaluated.
        event(3, 0, HOUR, "ann", opened.clone()),
        event(3, 1, 2 * HOUR, "alice", json!({ "event": "override_accepted", "label": "ship-it", "reason": "INC-7" })),
        event(3, 2, 4 * HOUR, "alice", merged.clone()),
        event(4, 0, HOUR, "ann", opened),
        event(4, 1, 4 * HOUR, "ann", merged),
    ];
    store.record_events(&events).await.expect("records");
    evaluated(&store, 1, 2 * HOUR, "fail").await;
    // An evaluation after the merge says nothing about the merge.
    evaluated(&store, 1, 6 * HOUR, "pass").await;
    evaluated(&store, 2, 2 * HOUR, "pass").await;
    evaluated(&store, 3, 2 * HOUR, "pass").await;

    let calendar = BusinessCalendar::office_hours("UTC").expect("UTC");
    let config = LatencyConfig::new(Clock { calendar, mode: ClockMode::Calendar });
    let at = |ms| DateTime::from_timestamp_millis(ms).expect("a time");
    let window = Window::new(at(0), at(24 * HOUR));
    let builder = flowgate::gate::digest::builder(&store, config, window, at(24 * HOUR), None).await.expect("reads");
    let digest: serde_json::Value = serde_json::from_str(&flowgate::report::digest::render(
        flowgate::report::digest::Format::Json,
        &builder.finish(),
    ))
    .expect("the digest's JSON");
    let hygiene = &digest["hygiene"];
    let bypasses: Vec<(u64, &str, &str, &str, bool)> = hygiene["bypasses"]
        .as_array()
        .expect("bypasses")
        .iter()
        .map(|b| {
            let s = |k: &str| b[k].as_str().unwrap_or_default();
            (b["pr"].as_u64().unwrap_or(0), s("merged_by"), s("via"), s("gate"), b["head_unevaluated"] == true)
        })
        .collect();
    assert_eq!(
        bypasses,
        [(1, "bob", "direct", "fail", false), (2, "github-merge-queue[bot]", "merge_queue", "pending", true)]
    );
    assert_eq!(hygiene["merges_unseen"], 1, "#4 was never evaluated");
    assert_eq!(hygiene["overrides"][0]["by"], "alice");
    assert_eq!(hygiene["overrides"][0]["reason"], "INC-7");
}
