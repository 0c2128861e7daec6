//! Onboarding work in the queue on both backends: it waits behind every live delivery, a claim
//! that may take live deliveries only leaves it alone, it is added once (by id, and not for a PR
//! that already waits for an evaluation), it is counted by state, and it can be put off until a
//! rate limit resets without counting an attempt.

use flowgate::store::{Lanes, NewDelivery, ONBOARD_PR, Store};

use crate::support::db::Db;

const LEASE: i64 = 60_000;

fn live(id: &str, pr: i64, received_at_ms: i64) -> NewDelivery {
    NewDelivery {
        id: id.into(),
        event: "pull_request".into(),
        action: Some("opened".into()),
        installation_id: Some(7),
        repo: Some("acme/shop".into()),
        pr: Some(pr),
        received_at_ms,
        body: b"{}".to_vec(),
    }
}

fn onboarding(pr: i64, received_at_ms: i64) -> NewDelivery {
    NewDelivery {
        id: format!("onboarding:install-1:acme/shop#{pr}"),
        event: ONBOARD_PR.into(),
        action: None,
        received_at_ms,
        body: Vec::new(),
        ..live("", pr, received_at_ms)
    }
}

async fn claimed_prs(store: &Store, lanes: Lanes) -> Vec<Option<i64>> {
    let mut prs = Vec::new();
    while let Some(work) = store.claim_in(&format!("w{}", prs.len()), 100, LEASE, lanes).await.expect("claims") {
        prs.push(work.pr);
    }
    prs
}

pub async fn onboarding_waits_behind_live_deliveries_and_is_added_once(db: Db) {
    let store = db.store().await;
    // Onboarding for PRs 1 to 3, queued before a live delivery for PR 9 arrives.
    let queued = store.enqueue_onboarding(&[onboarding(1, 10), onboarding(2, 10), onboarding(3, 10)]).await;
    assert_eq!(queued.expect("queues"), 3);
    store.insert(live("live-9", 9, 50)).await.expect("stores");
    assert_eq!(claimed_prs(&store, Lanes::LiveOnly).await, [Some(9)], "live only: the onboarding waits");
    assert_eq!(claimed_prs(&store, Lanes::All).await, [Some(1), Some(2), Some(3)]);

    // Asked again (a restart re-listing the repository): nothing is added twice.
    let store = db.store().await;
    let again = store.enqueue_onboarding(&[onboarding(1, 10), onboarding(4, 10)]).await.expect("queues");
    assert_eq!(again, 1, "only PR 4 is new");
    let counts = store.onboarding_counts().await.expect("counts");
    assert_eq!((counts.pending, counts.done), (4, 0), "three in progress and one queued");

    // A PR that already waits for a live evaluation gets no onboarding of its own.
    store.insert(live("live-5", 5, 60)).await.expect("stores");
    assert_eq!(store.enqueue_onboarding(&[onboarding(5, 10)]).await.expect("queues"), 0);
}

pub async fn a_live_delivery_for_a_pr_with_onboarding_takes_both_in_one_evaluation(db: Db) {
    let store = db.store().await;
    store.enqueue_onboarding(&[onboarding(1, 10), onboarding(2, 10)]).await.expect("queues");
    store.insert(live("live-2", 2, 50)).await.expect("stores");
    let work = store.claim_in("w1", 100, LEASE, Lanes::LiveOnly).await.expect("claims").expect("the live PR");
    assert_eq!(work.pr, Some(2), "the live delivery first, though its onboarding is older");
    let events: Vec<&str> = work.deliveries.iter().map(|d| d.event.as_str()).collect();
    assert_eq!(events, [ONBOARD_PR, "pull_request"], "one evaluation answers both");
    store.complete(&work, 200).await.expect("completes");
    let counts = store.onboarding_counts().await.expect("counts");
    assert_eq!((counts.pending, counts.done), (1, 1));
    let of_shop = store.onboarding_counts_of("onboarding:install-1:acme/shop#").await.expect("counts");
    assert_eq!((of_shop.pending, of_shop.done), (1, 1));
    let of_other = store.onboarding_counts_of("onboarding:install-1:acme/sho#").await.expect("counts");
    assert_eq!((of_other.pending, of_other.done), (0, 0), "another repository's prefix counts none");
}

pub async fn onboarding_put_off_for_a_rate_limit_returns_then_with_no_attempt_counted(db: Db) {
    let store = db.store().await;
    store.enqueue_onboarding(&[onboarding(1, 10)]).await.expect("queues");
    let work = store.claim_in("w1", 100, LEASE, Lanes::All).await.expect("claims").expect("work");
    store.defer(&work, 5_000).await.expect("puts off");
    assert!(store.claim_in("w2", 4_999, LEASE, Lanes::All).await.expect("claims").is_none(), "not before the reset");
    let again = store.claim_in("w2", 5_000, LEASE, Lanes::All).await.expect("claims").expect("at the reset");
    assert_eq!(again.deliveries[0].attempts, 0, "waiting for a rate limit is no failed attempt");
}
