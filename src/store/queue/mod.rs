//! Tables `deliveries`, `delivery_bodies` and `leases`: the queue of webhook deliveries. A
//! delivery is stored before GitHub is answered, then workers claim the deliveries of one key (one
//! PR) at a time under a lease, and mark them done, retry them later, park them, or give them back.
//!
//! The statements both databases accept are here, once. How a claim takes a lease without two
//! workers getting the same key, and how the lease is held while the work's rows change, is where
//! the databases really differ: `sqlite` serialises writers, `postgres` locks the lease row.

mod claim;
mod onboarding;
mod postgres;
mod slo;
mod sqlite;

pub use onboarding::{ONBOARD_PR, ONBOARD_REPOSITORY, OnboardingCounts};
pub use slo::SLO_EVENT;

use std::collections::HashMap;

use super::backend::{each_backend, in_transaction, placeholders, reading, writing};
use super::{Store, StoreError};

/// A webhook delivery as received, to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    /// The `X-GitHub-Delivery` GUID; GitHub redelivers with the same one.
    pub id: String,
    pub event: String,
    pub action: Option<String>,
    pub installation_id: Option<i64>,
    /// "owner/name".
    pub repo: Option<String>,
    pub pr: Option<i64>,
    pub received_at_ms: i64,
    pub body: Vec<u8>,
}

/// What `Store::insert` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Insert {
    Stored,
    /// A delivery with this id exists already; nothing changed.
    Duplicate,
}

/// Which work a claim may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lanes {
    /// Live deliveries first, then onboarding work.
    All,
    /// Live deliveries only.
    LiveOnly,
}

/// A delivery handed to a worker.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct QueuedDelivery {
    pub id: String,
    pub event: String,
    pub action: Option<String>,
    /// Attempts before this one: each failed, or its worker stopped before finishing.
    pub attempts: i32,
    pub received_at_ms: i64,
    /// Read after the claim, from `delivery_bodies`.
    #[sqlx(default)]
    pub body: Vec<u8>,
}

/// A unit of work: all ready deliveries of one key (one PR: installation+repo+pr; a delivery with
/// no PR is a key of its own), leased to one worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Work {
    pub key: String,
    pub worker: String,
    pub installation_id: Option<i64>,
    pub repo: Option<String>,
    pub pr: Option<i64>,
    /// Oldest first.
    pub deliveries: Vec<QueuedDelivery>,
    /// Deliveries of this key that the claim parked because their worker stopped (crashed, was
    /// killed, or lost its lease) in each of their attempts: the worker says on the PR that
    /// flowgate gave up, since no attempt of theirs ever will.
    pub parked_at_claim: Vec<String>,
}

impl Work {
    /// The same unit without its deliveries: what names its lease (the key and the worker).
    pub fn clone_without_deliveries(&self) -> Work {
        Work {
            key: self.key.clone(),
            worker: self.worker.clone(),
            installation_id: self.installation_id,
            repo: self.repo.clone(),
            pr: self.pr,
            deliveries: Vec::new(),
            parked_at_claim: Vec::new(),
        }
    }
}

/// How many deliveries are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueDepth {
    pub queued: i64,
    pub in_progress: i64,
    pub parked: i64,
    pub done: i64,
}

/// A delivery that failed too often and waits for an operator (`requeue_parked`).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ParkedDelivery {
    pub id: String,
    pub event: String,
    pub action: Option<String>,
    pub repo: Option<String>,
    pub pr: Option<i64>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub received_at_ms: i64,
}

impl Store {
    /// Stores a delivery, committed when this returns; a known id changes nothing. Deliveries
    /// stored at the same moment share one transaction (see `batch`).
    pub async fn insert(&self, d: NewDelivery) -> Result<Insert, StoreError> {
        match &self.inserter {
            Some(inserter) => inserter.insert(d).await,
            None => Ok(self.insert_batch(&[(&d, work_key(&d))]).await?.pop().unwrap_or(Insert::Duplicate)),
        }
    }

    /// Stores several deliveries in one transaction, committed when this returns. An id already
    /// stored, or earlier in the batch, is a duplicate.
    pub(crate) async fn insert_batch(&self, batch: &[(&NewDelivery, String)]) -> Result<Vec<Insert>, StoreError> {
        each_backend!(&self.backend, |db| db.insert_batch(batch).await)
    }

    /// Deletes up to `limit` deliveries that were done before `done_before_ms`, with their bodies,
    /// oldest first; returns how many. A delivery id is remembered only while its row is kept, so
    /// keep them longer than GitHub may redeliver (three days).
    pub async fn prune_done(&self, done_before_ms: i64, limit: i64) -> Result<u64, StoreError> {
        each_backend!(&self.backend, |db| db.prune_done(done_before_ms, limit).await)
    }

    /// Whether a delivery with this id is stored, in any state.
    pub async fn contains(&self, id: &str) -> Result<bool, StoreError> {
        reading!(&self.backend, |pool| {
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM deliveries WHERE id = $1)").bind(id).fetch_one(pool).await
        })
        .map_err(StoreError::query("looking up a delivery"))
    }

    /// Leases to `worker`, until `now_ms + lease_ms`, the key of the oldest ready delivery whose
    /// key nobody else holds, with every ready delivery of that key. Ready: queued and due, or in
    /// progress under a lease that has expired (its worker crashed or stalled). Claiming counts an
    /// attempt for each delivery; one whose worker stopped during its last attempt is parked here.
    pub async fn claim(&self, worker: &str, now_ms: i64, lease_ms: i64) -> Result<Option<Work>, StoreError> {
        self.claim_in(worker, now_ms, lease_ms, Lanes::All).await
    }

    /// `claim`, from the given lanes: live deliveries always come before onboarding work, and
    /// `Lanes::LiveOnly` leaves onboarding work alone (its pace is spent).
    pub async fn claim_in(
        &self,
        worker: &str,
        now_ms: i64,
        lease_ms: i64,
        lanes: Lanes,
    ) -> Result<Option<Work>, StoreError> {
        let until_ms = now_ms.saturating_add(lease_ms);
        let Some(mut work) = each_backend!(&self.backend, |db| db.claim(worker, now_ms, until_ms, lanes).await)? else {
            return Ok(None);
        };
        // Read after the claim commits, so that it stays short (and a SQLite reader never holds
        // up the writer).
        let ids = work_ids(&work);
        let bodies: Vec<(String, Vec<u8>)> = if ids.is_empty() {
            Vec::new()
        } else {
            let sql = format!("SELECT id, body FROM delivery_bodies WHERE id IN ({})", placeholders(1, ids.len()));
            reading!(&self.backend, |pool| {
                let mut query = sqlx::query_as(&sql);
                for id in &ids {
                    query = query.bind(id);
                }
                query.fetch_all(pool).await
            })
            .map_err(StoreError::query("reading delivery bodies"))?
        };
        attach_bodies(&mut work, bodies);
        Ok(Some(work))
    }

    /// Marks the work's deliveries done and ends the lease. `LeaseLost` if another worker took the
    /// key over meanwhile; a lease that expired but was not taken over still completes.
    pub async fn complete(&self, work: &Work, now_ms: i64) -> Result<(), StoreError> {
        // Per backend, like `release`: SQLite picks the work's rows by key, PostgreSQL by id.
        each_backend!(&self.backend, |db| db.complete(work, now_ms).await)
    }

    /// Records a failed attempt (counted when it was claimed) for each of the work's deliveries and
    /// ends the lease: each is queued again for `next_attempt_ms`, or parked once it has used
    /// `max_attempts` attempts. Returns the
    /// ids parked now. `LeaseLost` as for `complete`.
    pub async fn retry_later(
        &self,
        work: &Work,
        error: &str,
        next_attempt_ms: i64,
        max_attempts: i32,
    ) -> Result<Vec<String>, StoreError> {
        const DOING: &str = "recording a failed attempt";
        let error = truncate(error, MAX_ERROR_LEN);
        let ids = work_ids(work);
        // One statement for the whole unit, so a burst does not hold SQLite's one writer a row at
        // a time. A claim may take no delivery (it only parked some), and `IN ()` is not SQL.
        let sql = format!(
            "UPDATE deliveries
             SET last_error = $2, next_attempt_ms = $3, claimed_by = NULL,
                 state = CASE WHEN attempts >= $4 THEN 'parked' ELSE 'queued' END
             WHERE id IN ({}) AND state = 'in_progress' AND claimed_by = $1
             RETURNING id, state",
            placeholders(5, ids.len())
        );
        let changed: Vec<(String, String)> = in_transaction!(&self.backend, DOING, |db, tx| {
            db.hold_lease(tx, work, DOING).await?;
            let mut changed = Vec::new();
            if !ids.is_empty() {
                let mut query =
                    sqlx::query_as(&sql).bind(&work.worker).bind(error).bind(next_attempt_ms).bind(max_attempts);
                for id in &ids {
                    query = query.bind(id);
                }
                changed = query.fetch_all(&mut **tx).await.map_err(StoreError::query(DOING))?;
            }
            sqlx::query(END_LEASE).bind(&work.key).execute(&mut **tx).await.map_err(StoreError::query(DOING))?;
            Ok(changed)
        })?;
        // In the work's order, oldest first, whatever order the rows came back in.
        let parked: Vec<&str> = changed.iter().filter(|(_, s)| s == "parked").map(|(id, _)| id.as_str()).collect();
        Ok(ids.into_iter().filter(|id| parked.contains(&id.as_str())).collect())
    }

    /// Extends the work's lease to `until_ms` while it is still being done, so a long evaluation
    /// (a rate limit waited out) is not taken over. `LeaseLost` as for `complete`.
    pub async fn renew(&self, work: &Work, until_ms: i64) -> Result<(), StoreError> {
        const DOING: &str = "renewing a lease";
        in_transaction!(&self.backend, DOING, |db, tx| {
            db.hold_lease(tx, work, DOING).await?;
            sqlx::query("UPDATE leases SET until_ms = $2 WHERE work_key = $1")
                .bind(&work.key)
                .bind(until_ms)
                .execute(&mut **tx)
                .await
                .map_err(StoreError::query(DOING))?;
            Ok(())
        })
    }

    /// Gives the work back, ready at once, and takes back the attempt its claim counted (for a
    /// graceful shutdown).
    /// `LeaseLost` as for `complete`.
    pub async fn release(&self, work: &Work) -> Result<(), StoreError> {
        each_backend!(&self.backend, |db| db.release(work).await)
    }

    pub async fn depth(&self) -> Result<QueueDepth, StoreError> {
        let counts: Vec<(String, i64)> = reading!(&self.backend, |pool| {
            sqlx::query_as("SELECT state, COUNT(*) FROM deliveries GROUP BY state").fetch_all(pool).await
        })
        .map_err(StoreError::query("counting the queue"))?;
        Ok(depth_from_counts(counts))
    }

    /// The parked deliveries, oldest first.
    pub async fn parked(&self) -> Result<Vec<ParkedDelivery>, StoreError> {
        reading!(&self.backend, |pool| {
            sqlx::query_as(
                "SELECT id, event, action, repo, pr, attempts, last_error, received_at_ms FROM deliveries
                 WHERE state = 'parked' ORDER BY received_at_ms, id",
            )
            .fetch_all(pool)
            .await
        })
        .map_err(StoreError::query("listing parked deliveries"))
    }

    /// Queues parked deliveries again, ready at `now_ms` with no attempts counted: the one with
    /// this id, or all of them. Returns how many.
    pub async fn requeue_parked(&self, id: Option<&str>, now_ms: i64) -> Result<u64, StoreError> {
        let done = writing!(&self.backend, |pool| {
            // The cast gives PostgreSQL the parameter's type, which `IS NULL` alone does not.
            sqlx::query(
                "UPDATE deliveries SET state = 'queued', attempts = 0, next_attempt_ms = $2
                 WHERE state = 'parked' AND (CAST($1 AS TEXT) IS NULL OR id = $1)",
            )
            .bind(id)
            .bind(now_ms)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })
        .map_err(StoreError::query("requeueing parked deliveries"))?;
        Ok(done)
    }

    /// When the newest stored delivery was received, if any is stored.
    pub async fn newest_received_at(&self) -> Result<Option<i64>, StoreError> {
        reading!(&self.backend, |pool| {
            sqlx::query_scalar("SELECT MAX(received_at_ms) FROM deliveries").fetch_one(pool).await
        })
        .map_err(StoreError::query("reading the newest delivery"))
    }

    /// How many times `complete` marked this delivery done (0 for an unknown id): exactly once
    /// is the promise that tests check.
    pub async fn times_completed(&self, id: &str) -> Result<i64, StoreError> {
        let times: Option<i64> = reading!(&self.backend, |pool| {
            sqlx::query_scalar("SELECT times_completed FROM deliveries WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await
        })
        .map_err(StoreError::query("reading a delivery"))?;
        Ok(times.unwrap_or(0))
    }
}

/// Attempts a delivery gets before it is parked for an operator (`flowgate queue`). An attempt is
/// counted when it is claimed, before any work starts, so an attempt whose worker never reports
/// back (the process crashed or was killed, or the evaluation was abandoned) counts too: a delivery
/// that crashes the server every time is parked after this many starts instead of looping.
pub const MAX_ATTEMPTS: i32 = 6;

/// Ends the lease on key `$1`.
const END_LEASE: &str = "DELETE FROM leases WHERE work_key = $1";

/// The done deliveries that `prune_done` deletes: `$1` done before, `$2` at most.
const PRUNABLE: &str =
    "SELECT id FROM deliveries WHERE state = 'done' AND done_at_ms < $1 ORDER BY done_at_ms, id LIMIT $2";

/// The `SET` of `complete`: done at `$3`.
const COMPLETE_SET: &str =
    "SET state = 'done', times_completed = times_completed + 1, done_at_ms = $3, claimed_by = NULL";

/// The `SET` of `release`: ready again, with the claim's attempt taken back.
const RELEASE_SET: &str =
    "SET state = 'queued', claimed_by = NULL, attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END";

/// Puts each body read back into its delivery; a delivery whose body is missing keeps an empty
/// one, which its worker reads as an unusable payload.
fn attach_bodies(work: &mut Work, bodies: Vec<(String, Vec<u8>)>) {
    let mut bodies: HashMap<String, Vec<u8>> = bodies.into_iter().collect();
    for d in &mut work.deliveries {
        d.body = bodies.remove(&d.id).unwrap_or_default();
    }
}

/// A stored error is for an operator to read, not a log: it is cut to this many bytes.
const MAX_ERROR_LEN: usize = 4000;

/// The key that groups deliveries into one unit of work: one PR of one installation, or, for a
/// delivery about no PR, the delivery alone. Repository names cannot contain `:` or `#`, so the two
/// forms never collide.
pub fn work_key(d: &NewDelivery) -> String {
    match (&d.repo, d.pr) {
        (Some(repo), Some(pr)) => {
            let installation = d.installation_id.map_or_else(|| "-".to_string(), |i| i.to_string());
            format!("pr:{installation}:{repo}#{pr}")
        }
        _ => format!("delivery:{}", d.id),
    }
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn work_ids(work: &Work) -> Vec<String> {
    work.deliveries.iter().map(|d| d.id.clone()).collect()
}

/// Per-state counts as `SELECT state, COUNT(*) ... GROUP BY state` returns them.
fn depth_from_counts(counts: Vec<(String, i64)>) -> QueueDepth {
    let mut depth = QueueDepth::default();
    for (state, count) in counts {
        match state.as_str() {
            "queued" => depth.queued = count,
            "in_progress" => depth.in_progress = count,
            "parked" => depth.parked = count,
            "done" => depth.done = count,
            // The schema's CHECK admits no other state.
            _ => {}
        }
    }
    depth
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(repo: Option<&str>, pr: Option<i64>) -> NewDelivery {
        NewDelivery {
            id: "guid-1".into(),
            event: "pull_request".into(),
            action: None,
            installation_id: Some(7),
            repo: repo.map(String::from),
            pr,
            received_at_ms: 0,
            body: Vec::new(),
        }
    }

    #[test]
    fn a_pr_is_one_key_and_anything_else_is_its_own() {
        assert_eq!(work_key(&delivery(Some("acme/shop"), Some(42))), "pr:7:acme/shop#42");
        assert_eq!(work_key(&delivery(Some("acme/shop"), None)), "delivery:guid-1");
        assert_eq!(work_key(&delivery(None, None)), "delivery:guid-1");
    }

    #[test]
    fn truncates_on_a_char_boundary() {
        assert_eq!(truncate("héllo", 2), "h");
        assert_eq!(truncate("héllo", 3), "hé");
        assert_eq!(truncate("hi", 10), "hi");
    }
}
