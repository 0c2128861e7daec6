//! Review SLOs in the store on both backends: a PR's watch is set, moved and ended, and listed
//! when due; a step is claimed by one caller only (the insert is the claim), however many try at
//! once, and its outcome is recorded; a PR with no snoozes has none; an SLO look is queued once
//! at live priority.

use flowgate::store::{CLAIMED, NewDelivery, SLO_EVENT, StepKey};

use crate::support::db::Db;

pub async fn a_watch_is_set_moved_ended_and_listed_when_due(db: Db) {
    let store = db.store().await;
    store.watch_slo("acme/shop", 1, Some(7), 1_000).await.expect("watches");
    store.watch_slo("acme/shop", 2, Some(7), 5_000).await.expect("watches");
    store.watch_slo("acme/web", 3, None, 500).await.expect("watches");
    let due: Vec<(String, i64)> =
        store.due_slo_watches(1_000, 10).await.expect("lists").into_iter().map(|w| (w.repo, w.pr)).collect();
    assert_eq!(due, [("acme/web".to_string(), 3), ("acme/shop".to_string(), 1)], "{}: most overdue first", db.name);
    store.watch_slo("acme/shop", 1, Some(7), 9_000).await.expect("moves");
    assert_eq!(store.slo_watch("acme/shop", 1).await.expect("reads").map(|w| w.next_due_ms), Some(9_000));
    store.unwatch_slo("acme/web", 3).await.expect("ends");
    assert!(store.due_slo_watches(1_000, 10).await.expect("lists").is_empty(), "{}", db.name);
    assert_eq!(store.due_slo_watches(10_000, 1).await.expect("lists").len(), 1, "the limit holds");
}

pub async fn a_step_is_claimed_once_and_its_outcome_recorded(db: Db) {
    let store = db.store().await;
    let key = StepKey { repo: "acme/shop", pr: 4, login: "Bob", step: "remind", period_ms: 1_000 };
    // Eight callers at once (replicas, a retried unit): exactly one inserts the row.
    let tries = (0..8).map(|_| {
        let store = store.clone();
        tokio::spawn(async move {
            let key = StepKey { repo: "acme/shop", pr: 4, login: "bob", step: "remind", period_ms: 1_000 };
            store.claim_slo_step(key, CLAIMED, 2_000).await.expect("claims")
        })
    });
    let mut won = 0;
    for t in tries {
        won += usize::from(t.await.expect("runs"));
    }
    assert_eq!(won, 1, "{}: one claim", db.name);
    assert!(!store.claim_slo_step(key, CLAIMED, 3_000).await.expect("claims"), "any case of the login");
    store.record_slo_outcome(key, "sent", Some("comment"), 2_500).await.expect("records");
    // Another wait of the same reviewer is another step.
    let later = StepKey { period_ms: 50_000, ..key };
    assert!(store.claim_slo_step(later, "skipped: overtaken by reassign", 60_000).await.expect("claims"));
    let steps = store.slo_steps("acme/shop", 4).await.expect("reads");
    let seen: Vec<(&str, &str, i64, &str, Option<&str>)> = steps
        .iter()
        .map(|s| (s.login.as_str(), s.step.as_str(), s.period_ms, s.outcome.as_str(), s.via.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            ("bob", "remind", 1_000, "sent", Some("comment")),
            ("bob", "remind", 50_000, "skipped: overtaken by reassign", None)
        ],
        "{}",
        db.name
    );
    assert!(store.snoozes("acme/shop", 4, i64::MIN).await.expect("reads").is_empty(), "no snoozes");
}

pub async fn an_slo_look_is_queued_once_at_live_priority(db: Db) {
    let store = db.store().await;
    let look = NewDelivery {
        id: "slo:acme/shop#5@1000".into(),
        event: SLO_EVENT.into(),
        action: None,
        installation_id: Some(7),
        repo: Some("acme/shop".into()),
        pr: Some(5),
        received_at_ms: 100,
        body: b"{}".to_vec(),
    };
    assert!(store.enqueue_slo(&look).await.expect("queues"), "{}", db.name);
    assert!(!store.enqueue_slo(&look).await.expect("queues"), "a second sweep adds nothing");
    let other = NewDelivery { id: "slo:acme/shop#5@2000".into(), ..look.clone() };
    assert!(!store.enqueue_slo(&other).await.expect("queues"), "the PR already waits for a look");
    let work = store.claim_in("w", 200, 60_000, flowgate::store::Lanes::LiveOnly).await.expect("claims");
    let work = work.expect("a live claim takes it");
    assert_eq!((work.pr, work.deliveries[0].event.as_str()), (Some(5), SLO_EVENT), "{}", db.name);
    store.complete(&work, 300).await.expect("completes");
    assert!(!store.enqueue_slo(&look).await.expect("queues"), "done, its id is still known");
}
