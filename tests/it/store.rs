//! The delivery store behind `flowgate serve`, on both backends: every scenario runs once against
//! a fresh SQLite file and once against a fresh PostgreSQL database (`FLOWGATE_TEST_DATABASE_URL`,
//! e.g. postgres://postgres@127.0.0.1:5432/test; without it the PostgreSQL half says loudly that it
//! did not run). Times are passed in, so leases and backoff are tested without sleeping.

use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use flowgate::store::{Insert, NewDelivery, QueueDepth, Store, StoreError};

use crate::support::db::{Db, with_database};
use sqlx::Connection;
use sqlx::postgres::PgConnection;

const LEASE: i64 = 60_000;

// ---- Harness -------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

/// Runs `body` on a fresh database of `backend`, then drops the database, even if `body` panicked.
async fn run<F, Fut>(backend: Backend, body: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let db = match backend {
        Backend::Sqlite => Db::sqlite(),
        Backend::Postgres => match Db::postgres("store").await {
            Some(db) => db,
            None => return,
        },
    };
    let outcome = tokio::spawn(body(db.clone())).await;
    db.drop_database().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// One test per backend for each scenario: `name::sqlite` and `name::postgres`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                crate::store::run(crate::store::Backend::Sqlite, super::$name).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                crate::store::run(crate::store::Backend::Postgres, super::$name).await
            }
        }
    )*};
}

on_both_backends!(
    a_known_id_is_a_duplicate_and_changes_nothing,
    deliveries_survive_a_restart,
    a_claim_takes_every_ready_delivery_of_one_pr,
    a_leased_pr_is_not_claimed_twice,
    an_expired_lease_is_taken_over_and_its_holder_cannot_complete,
    an_expired_lease_not_taken_over_still_completes,
    deliveries_arriving_during_work_wait_for_the_next_claim,
    a_failure_backs_off_then_parks_and_an_operator_requeues,
    a_released_claim_is_ready_at_once_without_an_attempt,
    a_delivery_whose_worker_keeps_stopping_is_parked_and_others_go_on,
    depth_counts_every_state,
    newest_received_at_is_the_latest_reception,
    many_workers_complete_every_delivery_exactly_once,
    a_renewed_lease_is_not_taken_over,
    concurrent_inserts_share_commits_and_each_gets_its_own_answer,
    a_claim_takes_at_most_500_and_the_rest_wait_for_the_next,
    old_done_deliveries_are_deleted_with_their_bodies_and_nothing_else,
    a_database_of_the_first_schema_keeps_its_queued_bodies,
);

fn delivery(id: &str, pr: Option<i64>, received_at_ms: i64) -> NewDelivery {
    NewDelivery {
        id: id.to_string(),
        event: if pr.is_some() { "pull_request" } else { "installation" }.to_string(),
        action: Some("synchronize".to_string()),
        installation_id: Some(7),
        repo: pr.map(|_| "acme/shop".to_string()),
        pr,
        received_at_ms,
        body: format!("{{\"delivery\":\"{id}\"}}").into_bytes(),
    }
}

async fn insert(store: &Store, d: NewDelivery) {
    assert_eq!(store.insert(d.clone()).await.expect("inserts"), Insert::Stored, "{} is new", d.id);
}

fn ids(work: &flowgate::store::Work) -> Vec<&str> {
    work.deliveries.iter().map(|d| d.id.as_str()).collect()
}

// ---- Scenarios -----------------------------------------------------------------------------

async fn a_known_id_is_a_duplicate_and_changes_nothing(db: Db) {
    let store = db.store().await;
    insert(&store, delivery("d1", Some(1), 10)).await;
    let mut again = delivery("d1", Some(2), 20);
    again.body = b"something else".to_vec();
    assert_eq!(store.insert(again).await.expect("inserts"), Insert::Duplicate);
    assert!(store.contains("d1").await.expect("looks up"));
    assert!(!store.contains("d2").await.expect("looks up"));

    let work = store.claim("w1", 100, LEASE).await.expect("claims").expect("work");
    assert_eq!(work.pr, Some(1), "the first delivery's PR, not the duplicate's");
    assert_eq!(work.deliveries.len(), 1);
    assert_eq!(work.deliveries[0].body, b"{\"delivery\":\"d1\"}".to_vec());
    assert_eq!(work.deliveries[0].received_at_ms, 10);
}

async fn deliveries_survive_a_restart(db: Db) {
    let store = db.store().await;
    insert(&store, delivery("d1", Some(1), 10)).await;
    drop(store);

    let store = db.store().await;
    assert_eq!(store.depth().await.expect("counts").queued, 1);
    let work = store.claim("w1", 100, LEASE).await.expect("claims").expect("the stored delivery");
    assert_eq!(ids(&work), ["d1"]);
    assert_eq!(work.deliveries[0].body, b"{\"delivery\":\"d1\"}".to_vec());
}

async fn a_claim_takes_every_ready_delivery_of_one_pr(db: Db) {
    let store = db.store().await;
    insert(&store, delivery("pr1-a", Some(1), 10)).await;
    insert(&store, delivery("pr2-a", Some(2), 11)).await;
    insert(&store, delivery("install", None, 12)).await;
    insert(&store, delivery("pr1-c", Some(1), 14)).await;
    insert(&store, delivery("pr1-b", Some(1), 13)).await;

    let work = store.claim("w1", 100, LEASE).await.expect("claims").expect("work");
    assert_eq!(work.worker, "w1");
    assert_eq!((work.installation_id, work.repo.as_deref(), work.pr), (Some(7), Some("acme/shop"), Some(1)));
    assert_eq!(ids(&work), ["pr1-a", "pr1-b", "pr1-c"], "the whole PR, oldest first");
    assert!(work.deliveries.iter().all(|d| d.attempts == 0 && d.event == "pull_request"));

    let next = store.claim("w2", 100, LEASE).await.expect("claims").expect("work");
    assert_eq!(ids(&next), ["pr2-a"], "the other PR is left for another worker");
    let alone = store.claim("w3", 100, LEASE).await.expect("claims").expect("work");
    assert_eq!(ids(&alone), ["install"], "a delivery about no PR is a unit of its own");
    assert_eq!((alone.repo, alone.pr), (None, None));
    assert!(store.claim("w4", 100, LEASE).await.expect("claims").is_none());
}

async fn a_leased_pr_is_not_claimed_twice(db: Db) {
    let store = db.store().await;
    insert(&store, delivery("pr1-a", Some(1), 10)).await;
    insert(&store, delivery("pr2-a", Some(2), 11)).await;

    let first = store.claim("w1", 100, LEASE).await.expect("claims").expect("work");
    assert_eq!(first.pr, Some(1));
    // A new delivery for the leased PR is ready, but the PR is w1's until its lease ends.
    insert(&store, delivery("pr1-b", Some(1), 12)).await;
    let second = store.claim("w2", 200, LEASE).await.expect("claims").expect("work");
    assert_eq!(second.pr, Some(2), "w2 takes the other PR");
    assert!(store.claim("w3", 300, LEASE).await.expect("claims").is_none(), "both PRs are leased");

    store.complete(&first, 400).await.expect("completes");
    let third = store.claim("w3", 500, LEASE).await.expect("claims").expect("work");
    assert_eq!(ids(&third), ["pr1-b"]);
}

async fn an_expired_lease_is_taken_over_and_its_holder_cannot_complete(db: Db) {
    let store = db.store().await;
    insert(&store, delivery("d1", Some(1), 10)).await;
    insert(&store, delivery("d2", Some(1), 11)).await;

    let stalled = store.claim("w1", 1_000, 1_000).await.expect("claims").expect("work");
    assert!(store.claim("w2", 1_999, 1_000).await.expect("claims").is_none(), "the lease runs until 2000");
    let rescued = store.claim("w2", 2_000, 1_000).await.expect("claims").expect("the stalled work comes back");
    assert_eq!(ids(&rescued), ["d1", "d2"]);
    assert_eq!(rescued.worker, "w2");
    // The stalled worker's attempt was counted when it claimed, so a worker that never reports back
    // still uses up attempts.
    assert!(rescued.deliveries.iter().all(|d| d.attempts == 1), "the stopped worker's attempt counts");

    let lost = store.complete(&stalled, 2_100).await.expect_err("w1 no longer holds the PR");
    assert!(matches!(lost, StoreError::LeaseLost { .. }), "{lost}");
    assert!(lost.to_string().contains("w1"), "{lost}");
    let lost = store.retry_later(&stalled, "boom", 9_000, 5).await.expect_err("w1 no longer holds the PR");
    assert!(matches!(lost, StoreError::LeaseLost { .. }), "{lost}");
    assert!(matches!(store.release(&stalled).await, Err(StoreError::LeaseLost { .. })));
    assert_eq!(store.depth().await.expect("counts"), QueueDepth { in_progress: 2, ..QueueDepth::default() });

    store.complete(&rescued, 2_200).await.expect("w2 completes");
    assert_eq!(store.times_completed("d1").await.expect("reads"), 1);
    assert_eq!(store.times_completed("d2").await.expect("reads"), 1);
    let late = store.complete(&stalled, 2_300).await.expect_err("the lease is gone");
    assert!(matches!(late, StoreError::LeaseLost { .. }), "{late}");
    assert_eq!(store.times_completed("d1").await.expect("reads"), 1);
}

async fn a_renewed_lease_is_not_taken_over(db: Db) {
    let store = db.store().await;
    insert(&store, delivery("d1", Some(1), 10)).await;
    let long = store.claim("w1", 1_000, 1_000).await.expect("claims").expect("work");
    store.renew(&long, 5_000).await.expect("the holder renews");
    assert!(store.claim("w2", 2_500, 1_000).await.expect("claims").is_none(), "renewed until 5000");
    let rescued = store.claim("w2", 5_000, 1_000).await.expect("claims").expect("after the renewal ends");
    let lost = store.renew(&long, 9_000).await.expect_err("w1 lost it");
    assert!(matches!(lost, StoreError::LeaseLost { .. }), "{lost}");
    store.complete(&rescued, 5_100).await.expect("w2 completes");
}

async fn an_expired_lease_not_taken_over_still_completes(db: Db) {
    let store = db.store().await;
    insert(&store, delivery("d1", Some(1), 10)).await;
    let slow = store.claim("w1", 1_000, 1_000).await.expect("claims").expect("work");
    store.complete(&slow, 5_000).await.expect("nobody took it over");
    assert_eq!(store.times_completed("d1").await.expect("reads"), 1);
    assert!(store.claim("w2", 6_000, 1_000).await.expect("claims").is_none());
}

async fn deliveries_arriving_during_work_wait_for_the_next_claim(db: Db) {
    let store = db.store().await;
    insert(&store, delivery("d1", Some(1), 10)).await;
    insert(&store, delivery("d2", Some(1), 11)).await;
    let work = store.claim("w1", 100, LEASE).await.expect("claims").expect("work");
    insert(&store, delivery("d3", Some(1), 120)).await;
    store.complete(&work, 200).await.expect("completes");

    assert_eq!(store.times_completed("d3").await.expect("reads"), 0);
    assert_eq!(store.depth().await.expect("counts"), QueueDepth { queued: 1, done: 2, ..QueueDepth::default() });
    let next = store.claim("w2", 300, LEASE).await.expect("claims").expect("work");
    assert_eq!(ids(&next), ["d3"]);
}

async fn a_failure_backs_off_then_parks_and_an_operator_requeues(db: Db) {
    let store = db.store().await;
    insert(&store, delivery("d1", Some(1), 10)).await;
    insert(&store, delivery("other", Some(2), 20)).await;
    let max = 3;

    let work = store.claim("w1", 100, LEASE).await.expect("claims").expect("work");
    assert_eq!(ids(&work), ["d1"]);
    assert!(store.retry_later(&work, "GitHub said 502", 1_000, max).await.expect("records").is_empty());
    // Backing off, d1 is passed over for younger work.
    let other = store.claim("w2", 999, LEASE).await.expect("claims").expect("work");
    assert_eq!(ids(&other), ["other"]);
    store.complete(&other, 999).await.expect("completes");
    assert!(store.claim("w2", 999, LEASE).await.expect("claims").is_none(), "not before its next attempt");

    let work = store.claim("w2", 1_000, LEASE).await.expect("claims").expect("due again");
    assert_eq!(work.deliveries[0].attempts, 1);
    assert!(store.retry_later(&work, "GitHub said 502", 2_000, max).await.expect("records").is_empty());
    let work = store.claim("w3", 2_000, LEASE).await.expect("claims").expect("due again");
    assert_eq!(work.deliveries[0].attempts, 2);
    let parked = store.retry_later(&work, "GitHub said 500", 3_000, max).await.expect("records");
    assert_eq!(parked, ["d1"], "parked at the third failure");

    assert!(store.claim("w1", i64::MAX / 2, LEASE).await.expect("claims").is_none(), "parked is never claimed");
    let listed = store.parked().await.expect("lists");
    assert_eq!(listed.len(), 1);
    let p = &listed[0];
    assert_eq!((p.id.as_str(), p.attempts, p.last_error.as_deref()), ("d1", 3, Some("GitHub said 500")));
    assert_eq!((p.repo.as_deref(), p.pr, p.received_at_ms), (Some("acme/shop"), Some(1), 10));
    assert_eq!(store.depth().await.expect("counts"), QueueDepth { parked: 1, done: 1, ..QueueDepth::default() });

    assert_eq!(store.requeue_parked(Some("nope"), 4_000).await.expect("requeues"), 0);
    assert_eq!(store.requeue_parked(Some("d1"), 4_000).await.expect("requeues"), 1);
    assert!(store.parked().await.expect("lists").is_empty());
    let work = store.claim("w1", 4_000, LEASE).await.expect("claims").expect("requeued");
    assert_eq!(work.deliveries[0].attempts, 0, "requeueing starts the count again");

    // Requeue all: two PRs parked at once (max 1), both come back.
    insert(&store, delivery("d2", Some(2), 30)).await;
    assert_eq!(store.retry_later(&work, "again", 5_000, 1).await.expect("records"), ["d1"]);
    let work = store.claim("w1", 5_000, LEASE).await.expect("claims").expect("d2");
    assert_eq!(store.retry_later(&work, "again", 6_000, 1).await.expect("records"), ["d2"]);
    assert_eq!(store.parked().await.expect("lists").len(), 2);
    assert_eq!(store.requeue_parked(None, 7_000).await.expect("requeues"), 2);
    assert_eq!(store.depth().await.expect("counts"), QueueDepth { queued: 2, done: 1, ..QueueDepth::default() });
}

async fn a_delivery_whose_worker_keeps_stopping_is_parked_and_others_go_on(db: Db) {
    let store = db.store().await;
    insert(&store, delivery("poison", Some(1), 10)).await;
    insert(&store, delivery("fine", Some(2), 20)).await;
    let lease = 1_000;
    let mut now = 100;
    // Each claim of the poison delivery "crashes" its worker: it never completes, fails or gives
    // the work back, and its lease lapses.
    for attempt in 0..flowgate::store::MAX_ATTEMPTS {
        let work = store.claim(&format!("crashing-{attempt}"), now, lease).await.expect("claims").expect("work");
        assert_eq!(ids(&work), ["poison"], "attempt {attempt}");
        assert_eq!(work.deliveries[0].attempts, attempt, "earlier attempts, crashed ones included");
        now += lease;
    }
    // The next claim parks it instead of handing it out again, and says so (for the worker to
    // tell the PR) without a delivery to evaluate; then the other PR comes.
    let parked_now = store.claim("w", now, lease).await.expect("claims").expect("the parked PR");
    assert!(parked_now.deliveries.is_empty(), "nothing of it is evaluated again");
    assert_eq!(parked_now.parked_at_claim, ["poison"]);
    assert_eq!(parked_now.pr, Some(1), "with the PR to tell");
    store.complete(&parked_now, now).await.expect("ends the lease");
    let other = store.claim("w", now, lease).await.expect("claims").expect("the other PR");
    assert_eq!(ids(&other), ["fine"]);
    store.complete(&other, now).await.expect("completes");
    let parked = store.parked().await.expect("lists");
    assert_eq!(parked.len(), 1);
    assert_eq!((parked[0].id.as_str(), parked[0].attempts), ("poison", flowgate::store::MAX_ATTEMPTS));
    let why = parked[0].last_error.as_deref().unwrap_or_default();
    assert!(why.contains("its worker stopped before finishing"), "{why}");
    assert!(store.claim("w", now + 10 * lease, lease).await.expect("claims").is_none(), "parked stays parked");
    assert_eq!(store.depth().await.expect("counts"), QueueDepth { parked: 1, done: 1, ..QueueDepth::default() });
}

async fn a_released_claim_is_ready_at_once_without_an_attempt(db: Db) {
    let store = db.store().await;
    insert(&store, delivery("d1", Some(1), 10)).await;
    let work = store.claim("w1", 100, LEASE).await.expect("claims").expect("work");
    store.release(&work).await.expect("releases");
    assert_eq!(store.depth().await.expect("counts"), QueueDepth { queued: 1, ..QueueDepth::default() });

    let again = store.claim("w2", 100, LEASE).await.expect("claims").expect("ready at once");
    assert_eq!(ids(&again), ["d1"]);
    assert_eq!(again.deliveries[0].attempts, 0);
    let lost = store.complete(&work, 200).await.expect_err("w1 gave it away");
    assert!(matches!(lost, StoreError::LeaseLost { .. }), "{lost}");
    store.complete(&again, 200).await.expect("completes");
    assert_eq!(store.times_completed("d1").await.expect("reads"), 1);
}

async fn depth_counts_every_state(db: Db) {
    let store = db.store().await;
    assert_eq!(store.depth().await.expect("counts"), QueueDepth::default());
    for (i, pr) in [1, 2, 3, 4, 4].into_iter().enumerate() {
        insert(&store, delivery(&format!("d{i}"), Some(pr), i as i64)).await;
    }
    let done = store.claim("w1", 100, LEASE).await.expect("claims").expect("PR 1");
    store.complete(&done, 100).await.expect("completes");
    let parked = store.claim("w1", 100, LEASE).await.expect("claims").expect("PR 2");
    store.retry_later(&parked, "broken", 100, 1).await.expect("parks");
    let _held = store.claim("w1", 100, LEASE).await.expect("claims").expect("PR 3");
    assert_eq!(store.depth().await.expect("counts"), QueueDepth { queued: 2, in_progress: 1, parked: 1, done: 1 });
}

async fn newest_received_at_is_the_latest_reception(db: Db) {
    let store = db.store().await;
    assert_eq!(store.newest_received_at().await.expect("reads"), None);
    insert(&store, delivery("late", Some(1), 1_700_000_000_500)).await;
    insert(&store, delivery("early", Some(1), 1_700_000_000_100)).await;
    assert_eq!(store.newest_received_at().await.expect("reads"), Some(1_700_000_000_500));
    let work = store.claim("w1", 1_800_000_000_000, LEASE).await.expect("claims").expect("work");
    store.complete(&work, 1_800_000_000_000).await.expect("completes");
    assert_eq!(store.newest_received_at().await.expect("reads"), Some(1_700_000_000_500), "done ones count");
}

/// 500 deliveries over 25 PRs, half stored before and half while 8 workers claim and complete,
/// through two stores (two pools, as two replicas or, for SQLite, two processes would have). No PR
/// is ever held by two workers, and every delivery is claimed once and completed once.
async fn many_workers_complete_every_delivery_exactly_once(db: Db) {
    const DELIVERIES: i64 = 500;
    const PRS: i64 = 25;
    const WORKERS: usize = 8;
    const NOW: i64 = 1_000_000;
    let stores = [db.store().await, db.store().await];
    let d = |i: i64| delivery(&format!("d{i:03}"), Some(i % PRS), i);
    for i in 0..DELIVERIES / 2 {
        insert(&stores[0], d(i)).await;
    }
    let held = Arc::new(Mutex::new(HashSet::<String>::new()));
    let claimed = Arc::new(Mutex::new(HashSet::<String>::new()));
    let all_stored = Arc::new(AtomicBool::new(false));

    let producer = {
        let (store, all_stored) = (stores[1].clone(), all_stored.clone());
        tokio::spawn(async move {
            for i in DELIVERIES / 2..DELIVERIES {
                insert(&store, d(i)).await;
                if i % 50 == 0 {
                    tokio::task::yield_now().await;
                }
            }
            all_stored.store(true, Ordering::SeqCst);
        })
    };
    let workers: Vec<_> = (0..WORKERS)
        .map(|n| {
            let store = stores[n % stores.len()].clone();
            let (held, claimed, all_stored) = (held.clone(), claimed.clone(), all_stored.clone());
            tokio::spawn(async move {
                let name = format!("worker-{n}");
                let mut units = 0;
                loop {
                    let Some(work) = store.claim(&name, NOW, LEASE).await.expect("claims") else {
                        let depth = store.depth().await.expect("counts");
                        if all_stored.load(Ordering::SeqCst) && depth.queued == 0 && depth.in_progress == 0 {
                            return units;
                        }
                        tokio::time::sleep(Duration::from_millis(2)).await;
                        continue;
                    };
                    assert!(held.lock().expect("lock").insert(work.key.clone()), "{} held by two workers", work.key);
                    for d in &work.deliveries {
                        assert!(claimed.lock().expect("lock").insert(d.id.clone()), "{} claimed twice", d.id);
                    }
                    // Give the others a chance to try for the same PR while it is held.
                    tokio::task::yield_now().await;
                    held.lock().expect("lock").remove(&work.key);
                    store.complete(&work, NOW).await.expect("completes");
                    units += 1;
                }
            })
        })
        .collect();

    producer.await.expect("producer");
    let mut units = 0;
    for worker in workers {
        units += worker.await.expect("worker");
    }
    let store = &stores[0];
    assert_eq!(claimed.lock().expect("lock").len(), DELIVERIES as usize);
    for i in 0..DELIVERIES {
        let id = format!("d{i:03}");
        assert_eq!(store.times_completed(&id).await.expect("reads"), 1, "{id}");
    }
    assert_eq!(store.depth().await.expect("counts"), QueueDepth { done: DELIVERIES, ..QueueDepth::default() });
    eprintln!("{} units of work for {DELIVERIES} deliveries", units);
}

// ---- Either backend, or neither --------------------------------------------------------------

#[tokio::test]
async fn an_in_memory_sqlite_database_is_shared_by_every_clone() {
    let store = Store::connect("sqlite::memory:").await.expect("connects");
    assert_eq!(store.backend(), "sqlite");
    store.ping().await.expect("pings");
    insert(&store, delivery("d1", Some(1), 10)).await;
    let other = store.clone();
    let work = other.claim("w1", 100, LEASE).await.expect("claims").expect("the same database");
    assert_eq!(ids(&work), ["d1"]);
}

#[tokio::test]
async fn backend_and_ping() {
    let db = Db::sqlite();
    let store = db.store().await;
    assert_eq!(store.backend(), "sqlite");
    store.ping().await.expect("pings");
    if let Some(db) = Db::postgres("store").await {
        let store = db.store().await;
        assert_eq!(store.backend(), "postgres");
        store.ping().await.expect("pings");
        drop(store);
        db.drop_database().await;
    }
}

#[tokio::test]
async fn a_url_of_another_scheme_names_the_accepted_forms() {
    let err = Store::connect("mysql://app:hunter2@db/flowgate").await.expect_err("mysql is not supported");
    let message = err.to_string();
    assert!(matches!(err, StoreError::UnsupportedUrl { .. }), "{message}");
    for form in ["sqlite://PATH", "sqlite::memory:", "postgres://"] {
        assert!(message.contains(form), "{message}");
    }
    assert!(!message.contains("hunter2"), "{message}");
}

#[tokio::test]
async fn an_unreachable_database_is_named_quickly_without_its_password() {
    for (url, shown) in [
        ("postgres://postgres@127.0.0.1:1/x", "postgres://postgres@127.0.0.1:1/x"),
        ("postgres://postgres:hunter2@127.0.0.1:1/x", "postgres://postgres:***@127.0.0.1:1/x"),
        ("postgresql://127.0.0.1:1/x?user=app&password=hunter2", "postgresql://127.0.0.1:1/x?user=app&password=***"),
    ] {
        let started = Instant::now();
        let err = Store::connect(url).await.expect_err("nothing listens on port 1");
        let message = err.to_string();
        assert!(started.elapsed() < Duration::from_secs(6), "took {:?}", started.elapsed());
        eprintln!("{message} ({:?})", started.elapsed());
        assert!(message.starts_with(&format!("cannot reach the database at {shown}: ")), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
    }

    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("missing/dir/flowgate.db").display());
    let message = Store::connect(&url).await.expect_err("the directory does not exist").to_string();
    assert!(message.starts_with(&format!("cannot reach the database at {url}: ")), "{message}");
}

#[test]
fn a_test_database_url_is_the_server_with_another_database() {
    assert_eq!(with_database("postgres://postgres@127.0.0.1:5432/test", "t1"), "postgres://postgres@127.0.0.1:5432/t1");
    assert_eq!(with_database("postgres://h/test?sslmode=disable", "t1"), "postgres://h/t1?sslmode=disable");
    assert_eq!(with_database("postgres://h", "t1"), "postgres://h/t1");
}

/// 300 deliveries stored at once, 30 of them twice: the inserts share transactions, yet each
/// caller hears about its own delivery, one of each pair is stored, and every body is its own.
async fn concurrent_inserts_share_commits_and_each_gets_its_own_answer(db: Db) {
    let store = db.store().await;
    let sends: Vec<_> = (0..330)
        .map(|i| {
            let store = store.clone();
            // 300..330 repeat the ids of 0..30, for PRs of their own.
            let d = delivery(&format!("d{:03}", i % 300), Some(i % 7), i);
            tokio::spawn(async move { (d.id.clone(), store.insert(d).await.expect("inserts")) })
        })
        .collect();
    let mut stored = HashSet::new();
    let mut duplicates = 0;
    for send in sends {
        let (id, answer) = send.await.expect("insert task");
        match answer {
            Insert::Stored => assert!(stored.insert(id.clone()), "{id} stored twice"),
            Insert::Duplicate => duplicates += 1,
        }
    }
    assert_eq!((stored.len(), duplicates), (300, 30));
    let mut seen = 0;
    while let Some(work) = store.claim("w1", 1_000_000, LEASE).await.expect("claims") {
        for d in &work.deliveries {
            assert_eq!(d.body, format!("{{\"delivery\":\"{}\"}}", d.id).into_bytes(), "{}'s own body", d.id);
        }
        seen += work.deliveries.len();
        store.complete(&work, 1_000_000).await.expect("completes");
    }
    assert_eq!(seen, 300);
}

/// A burst of 520 deliveries for one PR: the first claim takes the oldest 500, so no claim holds
/// the database for long, and the other 20 are the next claim's.
async fn a_claim_takes_at_most_500_and_the_rest_wait_for_the_next(db: Db) {
    let store = db.store().await;
    let sends: Vec<_> = (0..520)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.insert(delivery(&format!("d{i:03}"), Some(1), i)).await.expect("inserts") })
        })
        .collect();
    for send in sends {
        send.await.expect("insert task");
    }
    let first = store.claim("w1", 10_000, LEASE).await.expect("claims").expect("work");
    assert_eq!(first.deliveries.len(), 500);
    assert_eq!((ids(&first)[0], ids(&first)[499]), ("d000", "d499"), "the oldest, in order");
    assert!(store.claim("w2", 10_000, LEASE).await.expect("claims").is_none(), "the PR is held");
    store.complete(&first, 10_000).await.expect("completes");
    let rest = store.claim("w2", 10_000, LEASE).await.expect("claims").expect("the rest");
    assert_eq!(rest.deliveries.len(), 20);
    assert_eq!(ids(&rest)[0], "d500");
}

/// Pruning deletes done deliveries older than the cut-off, with their bodies, and never a newer
/// done one, a queued one or a parked one.
async fn old_done_deliveries_are_deleted_with_their_bodies_and_nothing_else(db: Db) {
    let store = db.store().await;
    insert(&store, delivery("old", Some(1), 10)).await;
    let work = store.claim("w1", 100, LEASE).await.expect("claims").expect("work");
    store.complete(&work, 100).await.expect("completes");
    insert(&store, delivery("recent", Some(1), 200)).await;
    let work = store.claim("w1", 300, LEASE).await.expect("claims").expect("work");
    store.complete(&work, 300).await.expect("completes");
    insert(&store, delivery("parked", Some(2), 20)).await;
    let work = store.claim("w1", 400, LEASE).await.expect("claims").expect("work");
    assert_eq!(store.retry_later(&work, "boom", 500, 1).await.expect("parks"), vec!["parked".to_string()]);
    insert(&store, delivery("queued", Some(3), 30)).await;

    assert_eq!(store.prune_done(250, 1000).await.expect("prunes"), 1);
    assert!(!store.contains("old").await.expect("looks up"), "deleted");
    for kept in ["recent", "parked", "queued"] {
        assert!(store.contains(kept).await.expect("looks up"), "{kept} is kept");
    }
    assert_eq!(store.prune_done(250, 1000).await.expect("prunes"), 0, "nothing more to delete");
    let queued = store.claim("w1", 1_000, LEASE).await.expect("claims").expect("the queued one");
    assert_eq!(queued.deliveries[0].body, b"{\"delivery\":\"queued\"}".to_vec(), "its body is kept");
    assert_eq!(store.requeue_parked(Some("parked"), 1_000).await.expect("requeues"), 1);
    store.complete(&queued, 1_000).await.expect("completes");
    let parked = store.claim("w1", 1_000, LEASE).await.expect("claims").expect("the requeued one");
    assert_eq!(parked.deliveries[0].body, b"{\"delivery\":\"parked\"}".to_vec(), "its body is kept");
}

/// A database made by an earlier flowgate (the first schema, bodies in the queue's rows) with a
/// queued delivery: after an upgrade the delivery is still claimed, with its body.
async fn a_database_of_the_first_schema_keeps_its_queued_bodies(db: Db) {
    db.unmigrated().await;
    let backend = db.name;
    let first_only = tempfile::tempdir().expect("temporary directory");
    let name = "0001_deliveries.sql";
    std::fs::copy(format!("{}/migrations/{backend}/{name}", env!("CARGO_MANIFEST_DIR")), first_only.path().join(name))
        .expect("copies the first migration");
    let migrator = sqlx::migrate::Migrator::new(first_only.path()).await.expect("reads the migration");
    let insert_v1 = "INSERT INTO deliveries (id, event, action, installation_id, repo, pr, work_key, received_at_ms,
                                             body, next_attempt_ms)
                     VALUES ('v1', 'pull_request', 'opened', 7, 'acme/shop', 1, 'pr:7:acme/shop#1', 10, $1, 10)";
    let body = b"{\"delivery\":\"v1\"}".to_vec();
    if db.name == "postgres" {
        let pool = sqlx::PgPool::connect(&db.url).await.expect("connects");
        migrator.run(&pool).await.expect("creates the first schema");
        sqlx::query(insert_v1).bind(&body).execute(&pool).await.expect("stores a v1 delivery");
        pool.close().await;
    } else {
        let options = db.url.parse::<sqlx::sqlite::SqliteConnectOptions>().expect("url").create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.expect("connects");
        migrator.run(&pool).await.expect("creates the first schema");
        sqlx::query(insert_v1).bind(&body).execute(&pool).await.expect("stores a v1 delivery");
        pool.close().await;
    }
    let store = db.store().await;
    let work = store.claim("w1", 100, LEASE).await.expect("claims").expect("the v1 delivery");
    assert_eq!((ids(&work), &work.deliveries[0].body), (vec!["v1"], &body));
}

/// `sslmode=require` encrypts the connection when the server offers TLS (Debian's PostgreSQL does,
/// with its own certificate), and when it does not, the error says that TLS is what failed.
/// `verify-full` refuses a certificate that no trusted authority signed, naming the reason.
#[tokio::test]
async fn a_postgres_url_may_require_tls() {
    let Some(db) = Db::postgres("store").await else { return };
    let with = |mode: &str| format!("{}{}sslmode={mode}", db.url, if db.url.contains('?') { '&' } else { '?' });
    let mut plain = PgConnection::connect(&db.url).await.expect("connects");
    let offered: String = sqlx::query_scalar("SHOW ssl").fetch_one(&mut plain).await.expect("reads the setting");
    plain.close().await.expect("closes");
    match offered.as_str() {
        "on" => {
            let store = Store::connect(&with("require")).await.expect("connects over TLS");
            insert(&store, delivery("tls", Some(1), 10)).await;
            assert!(store.contains("tls").await.expect("looks up"));
            let mut check = PgConnection::connect(&with("require")).await.expect("connects over TLS");
            let encrypted: bool = sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                .fetch_one(&mut check)
                .await
                .expect("reads pg_stat_ssl");
            assert!(encrypted, "the connection is encrypted");
            // A server on 127.0.0.1 with a certificate a public authority signed for that address
            // does not exist; Debian's is self-signed.
            let message = Store::connect(&with("verify-full")).await.expect_err("an untrusted certificate").to_string();
            eprintln!("{message}");
            assert!(message.starts_with("cannot reach the database at "), "{message}");
            assert!(message.to_lowercase().contains("certificate"), "names the certificate: {message}");
        }
        _ => {
            let message = Store::connect(&with("require")).await.expect_err("no TLS offered").to_string();
            assert!(message.to_lowercase().contains("tls") || message.contains("SSL"), "{message}");
        }
    }
    db.drop_database().await;
}

// ---- Evaluations (shadow mode's digest) ------------------------------------------------------

mod evaluations;
use evaluations::{
    each_pr_counts_by_its_latest_evaluation_in_the_span, each_repositorys_last_evaluation_is_its_newest,
    old_evaluations_are_pruned_but_each_repositorys_newest_is_kept,
    the_digest_counts_the_prs_that_would_have_failed_in_shadow_mode,
};

on_both_backends!(
    each_pr_counts_by_its_latest_evaluation_in_the_span,
    each_repositorys_last_evaluation_is_its_newest,
    old_evaluations_are_pruned_but_each_repositorys_newest_is_kept,
    the_digest_counts_the_prs_that_would_have_failed_in_shadow_mode,
);

mod merge_gate;
use merge_gate::merges_past_a_failing_or_unjudged_gate_are_listed_from_the_store;

on_both_backends!(merges_past_a_failing_or_unjudged_gate_are_listed_from_the_store);

// ---- Onboarding ----------------------------------------------------------------------------

mod onboarding;
use onboarding::{
    a_live_delivery_for_a_pr_with_onboarding_takes_both_in_one_evaluation,
    onboarding_put_off_for_a_rate_limit_returns_then_with_no_attempt_counted,
    onboarding_waits_behind_live_deliveries_and_is_added_once,
};

on_both_backends!(
    onboarding_waits_behind_live_deliveries_and_is_added_once,
    a_live_delivery_for_a_pr_with_onboarding_takes_both_in_one_evaluation,
    onboarding_put_off_for_a_rate_limit_returns_then_with_no_attempt_counted,
);

// ---- Snoozes ---------------------------------------------------------------------------------

mod snooze;
use snooze::a_snooze_is_set_replaced_listed_while_it_runs_and_ended;

on_both_backends!(a_snooze_is_set_replaced_listed_while_it_runs_and_ended);

mod slo_report;
use slo_report::the_digest_counts_what_the_slo_ladder_did_per_tier_and_names_nobody;

on_both_backends!(the_digest_counts_what_the_slo_ladder_did_per_tier_and_names_nobody);

// ---- Review events -------------------------------------------------------------------------

on_both_backends!(
    recording_the_same_events_again_adds_nothing,
    histories_come_back_per_pr_in_time_order,
    the_digest_reads_whole_histories_of_prs_active_or_open_in_its_span,
    a_closed_prs_latest_context_is_the_one_recorded_last,
    a_repositorys_events_since_a_time_come_back_oldest_first,
    a_prs_paths_are_replaced_at_each_evaluation_and_found_by_path,
);

mod review_events {
    use chrono::{DateTime, Utc};
    use flowgate::latency::{Actor, Event, EventKind, PrContext, ReviewOutcome, Reviewer};
    use flowgate::model::Login;
    use flowgate::store::Store;

    pub const DAY: i64 = 86_400_000;

    pub fn at(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(ms).expect("a time")
    }

    pub fn event(id: &str, repo: &str, pr: u64, at_ms: i64, kind: EventKind) -> Event {
        Event {
            id: id.to_string(),
            repo: repo.to_string(),
            pr,
            at: at(at_ms),
            actor: Actor::login("ann"),
            context: PrContext { author: Login::new("ann"), ..PrContext::default() },
            kind,
        }
    }

    pub fn opened(id: &str, repo: &str, pr: u64, at_ms: i64) -> Event {
        event(id, repo, pr, at_ms, EventKind::Opened { draft: false })
    }

    pub fn approved(id: &str, repo: &str, pr: u64, at_ms: i64) -> Event {
        let mut e = event(id, repo, pr, at_ms, EventKind::ReviewSubmitted { outcome: ReviewOutcome::Approved });
        e.actor = Actor::login("bob");
        e
    }

    pub fn requested(id: &str, repo: &str, pr: u64, at_ms: i64) -> Event {
        event(id, repo, pr, at_ms, EventKind::ReviewRequested { reviewer: Reviewer::user("bob") })
    }

    /// Every history handed out, as `repo#pr: id id id`.
    pub async fn histories(store: &Store, since_ms: i64, repos: Option<&[String]>) -> Vec<String> {
        let mut seen = Vec::new();
        let prs = store
            .events_for_prs_active_since(since_ms, repos, &mut |events: &[Event]| {
                let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
                seen.push(format!("{}#{}: {}", events[0].repo, events[0].pr, ids.join(" ")));
            })
            .await
            .expect("reads events");
        assert_eq!(prs, seen.len(), "one history per PR");
        seen
    }
}

/// Re-importing history (a backfill run twice, a redelivered webhook) stores each event once.
async fn recording_the_same_events_again_adds_nothing(db: Db) {
    use review_events::*;
    let store = db.store().await;
    let events = vec![opened("a", "acme/shop", 1, DAY), requested("b", "acme/shop", 1, DAY + 1)];
    assert_eq!(store.record_events(&events).await.expect("records"), 2);
    assert_eq!(store.record_events(&events).await.expect("records again"), 0);
    // A repeated id within one call counts once; the new one is stored.
    let more = vec![approved("c", "acme/shop", 1, DAY + 2), approved("c", "acme/shop", 1, DAY + 2), events[0].clone()];
    assert_eq!(store.record_events(&more).await.expect("records"), 1);
    assert_eq!(histories(&store, 0, None).await, vec!["acme/shop#1: a b c"]);
    assert_eq!(store.record_events(&[]).await.expect("records nothing"), 0);
}

/// PRs by repository then number, byte-wise on both backends; each history by time, then id.
async fn histories_come_back_per_pr_in_time_order(db: Db) {
    use review_events::*;
    let store = db.store().await;
    let events = vec![
        approved("z-late", "acme/shop", 10, 3 * DAY),
        opened("m-first", "acme/shop", 10, DAY),
        // The same instant: the id decides.
        requested("b-same", "acme/shop", 10, 2 * DAY),
        requested("a-same", "acme/shop", 10, 2 * DAY),
        opened("x", "acme/shop", 9, DAY),
        opened("y", "Acme/api", 3, DAY),
        opened("w", "acme/api", 3, DAY),
    ];
    store.record_events(&events).await.expect("records");
    assert_eq!(
        histories(&store, 0, None).await,
        vec!["Acme/api#3: y", "acme/api#3: w", "acme/shop#9: x", "acme/shop#10: m-first a-same b-same z-late"]
    );
    let shop = ["ACME/Shop".to_string()];
    assert_eq!(
        histories(&store, 0, Some(&shop)).await,
        vec!["acme/shop#9: x", "acme/shop#10: m-first a-same b-same z-late"],
        "a repository named in any case"
    );
    // Many PRs: read in batches, each handed out whole and once.
    let many: Vec<_> = (1..=250).map(|n| opened(&format!("many-{n}"), "acme/many", n, DAY)).collect();
    store.record_events(&many).await.expect("records");
    let many_repo = ["acme/many".to_string()];
    assert_eq!(histories(&store, 0, Some(&many_repo)).await.len(), 250);
}

/// A PR with any event since the start comes back with its earlier events too; a PR closed before
/// the start does not; a PR still open comes back however old its last event.
async fn the_digest_reads_whole_histories_of_prs_active_or_open_in_its_span(db: Db) {
    use flowgate::latency::EventKind;
    use review_events::*;
    let store = db.store().await;
    let since = 10 * DAY;
    let closed = |id: &str, pr: u64, at_ms: i64| event(id, "acme/shop", pr, at_ms, EventKind::Closed);
    let merged = |id: &str, pr: u64, at_ms: i64| event(id, "acme/shop", pr, at_ms, EventKind::Merged);
    let reopened = |id: &str, pr: u64, at_ms: i64| event(id, "acme/shop", pr, at_ms, EventKind::Reopened);
    let events = vec![
        // Active: opened long before, reviewed in the span.
        opened("1-open", "acme/shop", 1, DAY),
        approved("1-review", "acme/shop", 1, 11 * DAY),
        // Merged before the span.
        opened("2-open", "acme/shop", 2, DAY),
        merged("2-merged", 2, 5 * DAY),
        // Open and waiting since before the span, nothing since.
        opened("3-open", "acme/shop", 3, 2 * DAY),
        requested("3-request", "acme/shop", 3, 2 * DAY),
        // Closed, reopened, nothing since: open.
        opened("4-open", "acme/shop", 4, DAY),
        closed("4-closed", 4, 2 * DAY),
        reopened("4-reopened", 4, 3 * DAY),
        // Reopened and closed again before the span.
        opened("5-open", "acme/shop", 5, DAY),
        reopened("5-reopened", 5, 2 * DAY),
        closed("5-closed", 5, 3 * DAY),
        // Exactly at the start counts.
        opened("6-open", "acme/shop", 6, since),
        merged("6-merged", 6, since + 1),
    ];
    store.record_events(&events).await.expect("records");
    assert_eq!(
        histories(&store, since, None).await,
        vec![
            "acme/shop#1: 1-open 1-review",
            "acme/shop#3: 3-open 3-request",
            "acme/shop#4: 4-open 4-closed 4-reopened",
            "acme/shop#6: 6-open 6-merged",
        ]
    );
    let other = ["acme/other".to_string()];
    assert!(histories(&store, since, Some(&other)).await.is_empty(), "another repository has none");
}

/// A closed PR is not evaluated again: its events take the context recorded last.
async fn a_closed_prs_latest_context_is_the_one_recorded_last(db: Db) {
    use flowgate::Tier;
    use review_events::*;
    let store = db.store().await;
    assert_eq!(store.latest_context("acme/shop", 1).await.expect("reads"), None);
    let mut first = opened("a", "acme/shop", 1, DAY);
    first.context.tier = Some(Tier::Green);
    let mut later = requested("b", "acme/shop", 1, 2 * DAY);
    later.context.tier = Some(Tier::Red);
    later.context.story_keys = vec!["ABC-1".into()];
    store.record_events(&[later.clone(), first]).await.expect("records");
    assert_eq!(store.latest_context("acme/shop", 1).await.expect("reads"), Some(later.context));
}

/// Reviewer assignment reads one repository's events of the last weeks: from `since` on, oldest
/// first, whatever the case of the repository's name, and nothing of other repositories.
async fn a_repositorys_events_since_a_time_come_back_oldest_first(db: Db) {
    use review_events::*;
    let store = db.store().await;
    let events = vec![
        approved("late", "acme/shop", 2, 5 * DAY),
        opened("old", "acme/shop", 1, DAY - 1),
        opened("edge", "Acme/Shop", 1, DAY),
        opened("other", "acme/tools", 1, 3 * DAY),
        requested("mid", "acme/shop", 1, 2 * DAY),
    ];
    store.record_events(&events).await.expect("records");
    let ids = |events: Vec<flowgate::latency::Event>| events.into_iter().map(|e| e.id).collect::<Vec<_>>();
    assert_eq!(ids(store.events_since("acme/SHOP", DAY).await.expect("reads")), vec!["edge", "mid", "late"]);
    assert_eq!(ids(store.events_since("acme/shop", 6 * DAY).await.expect("reads")), Vec::<String>::new());
    let read = store.events_since("acme/shop", 0).await.expect("reads");
    assert_eq!(read[3], events[0], "an event reads back as it was recorded");
}

/// Each evaluation replaces the PR's recorded paths; PRs are found by any path they changed.
async fn a_prs_paths_are_replaced_at_each_evaluation_and_found_by_path(db: Db) {
    let store = db.store().await;
    let paths = |list: &[&str]| list.iter().map(|p| p.to_string()).collect::<Vec<_>>();
    store.record_pr_paths("Acme/Shop", 1, &paths(&["src/a.rs", "src/b.rs", "src/a.rs"]), 10).await.expect("records");
    store.record_pr_paths("acme/shop", 2, &paths(&["src/b.rs"]), 20).await.expect("records");
    store.record_pr_paths("acme/tools", 3, &paths(&["src/a.rs"]), 20).await.expect("records");
    let touching = async |list: &[&str]| -> Vec<u64> {
        store.prs_touching("acme/shop", &paths(list)).await.expect("reads").into_iter().collect()
    };
    assert_eq!(touching(&["src/a.rs"]).await, vec![1], "another repository's PR 3 is not counted");
    assert_eq!(touching(&["src/b.rs", "README.md"]).await, vec![1, 2]);
    assert_eq!(touching(&[]).await, Vec::<u64>::new());
    // A push that drops src/b.rs from PR 1.
    store.record_pr_paths("acme/shop", 1, &paths(&["src/a.rs"]), 30).await.expect("records again");
    assert_eq!(touching(&["src/b.rs"]).await, vec![2]);
    // More paths than one statement asks about.
    let many: Vec<String> = (0..1200).map(|i| format!("gen/{i}.rs")).collect();
    store.record_pr_paths("acme/shop", 4, &many, 40).await.expect("records many");
    let asked: Vec<String> = ["src/a.rs".to_string()].into_iter().chain(many.iter().rev().take(700).cloned()).collect();
    let found: Vec<u64> = store.prs_touching("acme/shop", &asked).await.expect("reads").into_iter().collect();
    assert_eq!(found, vec![1, 4]);
}

// ---- Review SLOs ---------------------------------------------------------------------------

mod slo;
use slo::{
    a_step_is_claimed_once_and_its_outcome_recorded, a_watch_is_set_moved_ended_and_listed_when_due,
    an_slo_look_is_queued_once_at_live_priority,
};

on_both_backends!(
    a_watch_is_set_moved_ended_and_listed_when_due,
    a_step_is_claimed_once_and_its_outcome_recorded,
    an_slo_look_is_queued_once_at_live_priority,
);
