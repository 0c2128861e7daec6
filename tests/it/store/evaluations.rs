//! Table `evaluations` on both backends: each PR counts by its latest evaluation in the span,
//! whatever the case of its repository's name; the digest built from the store counts the PRs
//! that would have failed in shadow mode, and why; a repository's latest enforcement, and each
//! repository's last evaluation, are found.

use chrono::DateTime;
use flowgate::latency::{BusinessCalendar, Clock, ClockMode, LatencyConfig, Window};
use flowgate::model::{Enforcement, FailReason};
use flowgate::store::{Evaluation, Store};

use crate::support::db::Db;

const DAY: i64 = 86_400_000;

async fn evaluated(store: &Store, repo: &str, pr: u64, at_ms: i64, enforcement: Enforcement, reasons: &[FailReason]) {
    let state = if reasons.is_empty() { "pass" } else { "fail" };
    let evaluation = Evaluation { repo, pr, at_ms, enforcement, state, reasons };
    store.record_evaluation(&evaluation).await.expect("records");
}

/// acme/api is in shadow mode: #1 failed, then was fixed; #2 fails for two reasons; acme/web's #3
/// is too large; acme/core enforces and #4 fails there; #5 failed after the span.
async fn a_week(store: &Store) {
    use Enforcement::{Enforce, Evaluate};
    use FailReason::{AiUndeclared, NoStory, TooLarge};
    evaluated(store, "Acme/API", 1, DAY, Evaluate, &[NoStory]).await;
    evaluated(store, "acme/api", 1, 2 * DAY, Evaluate, &[]).await;
    evaluated(store, "acme/api", 2, DAY, Evaluate, &[AiUndeclared, NoStory]).await;
    evaluated(store, "acme/web", 3, 3 * DAY, Evaluate, &[TooLarge]).await;
    evaluated(store, "acme/core", 4, 3 * DAY, Enforce, &[NoStory]).await;
    evaluated(store, "acme/api", 5, 20 * DAY, Evaluate, &[NoStory]).await;
}

pub async fn each_pr_counts_by_its_latest_evaluation_in_the_span(db: Db) {
    let store = db.store().await;
    a_week(&store).await;
    // The same PR evaluated twice in one millisecond keeps the first, without an error.
    evaluated(&store, "acme/api", 2, DAY, Enforcement::Evaluate, &[]).await;
    let week = store.latest_evaluations(0, 7 * DAY, None).await.expect("reads");
    let seen: Vec<(String, u64, bool, usize)> =
        week.iter().map(|e| (e.repo.clone(), e.pr, e.failed, e.reasons.len())).collect();
    assert_eq!(
        seen,
        [
            ("acme/api".to_string(), 1, false, 0),
            ("acme/api".to_string(), 2, true, 2),
            ("acme/core".to_string(), 4, true, 1),
            ("acme/web".to_string(), 3, true, 1),
        ],
        "#1 fixed, #5 after the span"
    );
    let early = store.latest_evaluations(0, DAY + 1, None).await.expect("reads");
    assert!(early.iter().any(|e| e.pr == 1 && e.failed), "before its fix #1 fails: {early:?}");
    let api = ["ACME/api".to_string()];
    let only_api = store.latest_evaluations(0, 7 * DAY, Some(&api)).await.expect("reads");
    assert_eq!(only_api.iter().map(|e| e.pr).collect::<Vec<_>>(), [1, 2], "a repository named in any case");
    assert_eq!(store.latest_enforcement("ACME/Api").await.expect("reads"), Some(Enforcement::Evaluate));
    assert_eq!(store.latest_enforcement("acme/core").await.expect("reads"), Some(Enforcement::Enforce));
    assert_eq!(store.latest_enforcement("acme/none").await.expect("reads"), None);
}

pub async fn the_digest_counts_the_prs_that_would_have_failed_in_shadow_mode(db: Db) {
    let store = db.store().await;
    a_week(&store).await;
    let at = |ms: i64| DateTime::from_timestamp_millis(ms).expect("a time");
    let calendar = BusinessCalendar::office_hours("UTC").expect("UTC");
    let config = LatencyConfig::new(Clock { calendar, mode: ClockMode::Calendar });
    let window = Window::new(at(0), at(7 * DAY));
    let builder = flowgate::gate::digest::builder(&store, config, window, at(7 * DAY), None).await.expect("reads");
    let digest = builder.finish();
    let shadow = digest.shadow.clone().expect("PRs were evaluated in shadow mode");
    assert_eq!(shadow.repos, ["acme/api", "acme/web"]);
    assert_eq!((shadow.prs_evaluated, shadow.would_fail), (3, 2), "acme/core enforces; #1 was fixed in time");
    let reasons: Vec<(FailReason, usize)> = shadow.reasons.iter().map(|r| (r.reason, r.prs)).collect();
    assert_eq!(reasons, [(FailReason::NoStory, 1), (FailReason::AiUndeclared, 1), (FailReason::TooLarge, 1)]);
    let json: serde_json::Value =
        serde_json::from_str(&flowgate::report::digest::render(flowgate::report::digest::Format::Json, &digest))
            .expect("the digest's JSON");
    assert_eq!(json["shadow"]["would_fail"], 2);
    assert_eq!(json["shadow"]["reasons"][0]["reason"], "no_story");

    let enforced = [String::from("acme/core")];
    let config = LatencyConfig::new(Clock {
        calendar: BusinessCalendar::office_hours("UTC").expect("UTC"),
        mode: ClockMode::Calendar,
    });
    let only_core =
        flowgate::gate::digest::builder(&store, config, window, at(7 * DAY), Some(&enforced)).await.expect("reads");
    assert_eq!(only_core.finish().shadow, None, "no section for repositories that enforce");
}

pub async fn old_evaluations_are_pruned_but_each_repositorys_newest_is_kept(db: Db) {
    let store = db.store().await;
    a_week(&store).await;
    // Everything before day 10 is old: acme/api keeps only #5 (day 20), acme/web and acme/core
    // keep their one (and newest) evaluation, so that their shadow mode is still known.
    let mut deleted = 0;
    loop {
        let n = store.prune_evaluations(10 * DAY, 2).await.expect("prunes");
        deleted += n;
        if n < 2 {
            break;
        }
    }
    assert_eq!(deleted, 3, "acme/api's three evaluations before day 10, two at a time");
    let left = store.latest_evaluations(0, 30 * DAY, None).await.expect("reads");
    let left: Vec<(String, u64)> = left.iter().map(|e| (e.repo.clone(), e.pr)).collect();
    assert_eq!(left, [("acme/api".to_string(), 5), ("acme/core".to_string(), 4), ("acme/web".to_string(), 3)]);
    assert_eq!(store.latest_enforcement("acme/web").await.expect("reads"), Some(Enforcement::Evaluate));
    assert_eq!(store.prune_evaluations(10 * DAY, 2).await.expect("prunes"), 0, "nothing more to delete");
}

/// `flowgate org status`'s last evaluation: each repository's newest, whatever PR it was.
pub async fn each_repositorys_last_evaluation_is_its_newest(db: Db) {
    let store = db.store().await;
    a_week(&store).await;
    let last = store.last_evaluation_by_repo().await.expect("reads");
    let seen: Vec<(&str, u64, i64, &str, Enforcement)> =
        last.iter().map(|(repo, (pr, at, state, e))| (repo.as_str(), *pr, *at, state.as_str(), *e)).collect();
    assert_eq!(
        seen,
        [
            ("acme/api", 5, 20 * DAY, "fail", Enforcement::Evaluate),
            ("acme/core", 4, 3 * DAY, "fail", Enforcement::Enforce),
            ("acme/web", 3, 3 * DAY, "fail", Enforcement::Evaluate),
        ]
    );
}
