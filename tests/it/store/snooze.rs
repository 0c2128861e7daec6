//! Table `snoozes` on both backends: a reviewer's snooze on one PR is set, replaced, ended, and
//! read back only while it runs, whatever the case of their login.

use crate::support::db::Db;

const HOUR: i64 = 3_600_000;

pub async fn a_snooze_is_set_replaced_listed_while_it_runs_and_ended(db: Db) {
    let store = db.store().await;
    store.set_snooze("acme/web", 12, "Carol", 10 * HOUR).await.expect("records");
    store.set_snooze("acme/web", 12, "bob", 2 * HOUR).await.expect("records");
    store.set_snooze("acme/web", 13, "carol", 50 * HOUR).await.expect("another PR");
    assert_eq!(
        store.snoozes("acme/web", 12, HOUR).await.expect("reads"),
        [("bob".to_string(), 2 * HOUR), ("carol".to_string(), 10 * HOUR)],
        "logins in lower case, by login"
    );
    assert_eq!(
        store.snoozes("acme/web", 12, 3 * HOUR).await.expect("reads"),
        [("carol".to_string(), 10 * HOUR)],
        "bob's has ended"
    );
    store.set_snooze("acme/web", 12, "CAROL", 20 * HOUR).await.expect("replaces");
    assert_eq!(store.snoozes("acme/web", 12, 3 * HOUR).await.expect("reads"), [("carol".to_string(), 20 * HOUR)]);
    store.clear_snooze("acme/web", 12, "Carol").await.expect("ends");
    store.clear_snooze("acme/web", 12, "nobody").await.expect("none is no error");
    assert!(store.snoozes("acme/web", 12, 3 * HOUR).await.expect("reads").is_empty());
    assert_eq!(store.snoozes("acme/web", 13, 3 * HOUR).await.expect("reads").len(), 1, "the other PR keeps its own");
}
