//! The queue on PostgreSQL, for replicas sharing one queue. A key's lease is a row in `leases`;
//! whoever holds that row's lock may change the key's deliveries, and every transaction takes the
//! lease row before any delivery row, so transactions never deadlock; batch inserts go in id
//! order for the same reason. Claims lock it with `FOR UPDATE SKIP LOCKED`, so claimers never
//! wait on each other either.

use std::collections::HashSet;

use sqlx::Transaction;

use super::claim::{
    CLAIM_LIMIT, ClaimedRow, PARK_STOPPED, ParkedRow, READY_KEY, READY_ORDER, TAKE_READY, lane_condition,
    work_from_rows,
};
use super::{COMPLETE_SET, END_LEASE, Insert, Lanes, MAX_ATTEMPTS, NewDelivery, PRUNABLE, RELEASE_SET, Work, work_ids};
use crate::store::StoreError;
use crate::store::backend::{Postgres, transaction};

type Tx = Transaction<'static, sqlx::Postgres>;

/// One try at claiming, in its own transaction.
enum Attempt {
    Claimed(Work),
    /// Nothing is ready.
    Nothing,
    /// Another worker got to this key first; try the next one.
    Passed(String),
}

impl Postgres {
    /// Stores a batch with one statement and one commit, so one WAL flush serves every delivery
    /// in it. An id already stored, or earlier in the batch, is a duplicate.
    pub(super) async fn insert_batch(&self, batch: &[(&NewDelivery, String)]) -> Result<Vec<Insert>, StoreError> {
        // One row per id: the statement below may not insert a body twice.
        let mut seen = HashSet::new();
        let mut fresh: Vec<&(&NewDelivery, String)> =
            batch.iter().filter(|(d, _)| seen.insert(d.id.as_str())).collect();
        // In id order: two committers storing the same ids (a redelivery racing its original)
        // then wait on each other's uncommitted rows in one order, never in a cycle, which
        // PostgreSQL would break by failing one batch with "deadlock detected".
        fresh.sort_by(|(a, _), (b, _)| a.id.cmp(&b.id));
        let column = |f: fn(&NewDelivery) -> Option<String>| fresh.iter().map(|(d, _)| f(d)).collect::<Vec<_>>();
        let stored: Vec<String> = sqlx::query_scalar(
            "WITH stored AS (
                 INSERT INTO deliveries (id, event, action, installation_id, repo, pr, work_key, received_at_ms,
                                         next_attempt_ms)
                 SELECT id, event, action, installation_id, repo, pr, work_key, received_at_ms, received_at_ms
                 FROM UNNEST($1::text[], $2::text[], $3::text[], $4::int8[], $5::text[], $6::int8[], $7::text[],
                             $8::int8[])
                      AS t (id, event, action, installation_id, repo, pr, work_key, received_at_ms)
                 ON CONFLICT (id) DO NOTHING
                 RETURNING id
             ), bodies AS (
                 INSERT INTO delivery_bodies (id, body)
                 SELECT b.id, b.body FROM UNNEST($1::text[], $9::bytea[]) AS b (id, body) JOIN stored USING (id)
                 ON CONFLICT (id) DO UPDATE SET body = excluded.body
             )
             SELECT id FROM stored",
        )
        .bind(column(|d| Some(d.id.clone())))
        .bind(column(|d| Some(d.event.clone())))
        .bind(column(|d| d.action.clone()))
        .bind(fresh.iter().map(|(d, _)| d.installation_id).collect::<Vec<_>>())
        .bind(column(|d| d.repo.clone()))
        .bind(fresh.iter().map(|(d, _)| d.pr).collect::<Vec<_>>())
        .bind(fresh.iter().map(|(_, key)| key.as_str()).collect::<Vec<_>>())
        .bind(fresh.iter().map(|(d, _)| d.received_at_ms).collect::<Vec<_>>())
        .bind(fresh.iter().map(|(d, _)| d.body.as_slice()).collect::<Vec<_>>())
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("storing a delivery"))?;
        let mut stored: HashSet<String> = stored.into_iter().collect();
        // The first of several with one id is the one stored; `remove` makes the rest duplicates.
        Ok(batch.iter().map(|(d, _)| if stored.remove(&d.id) { Insert::Stored } else { Insert::Duplicate }).collect())
    }

    pub(super) async fn claim(
        &self,
        worker: &str,
        now_ms: i64,
        until_ms: i64,
        lanes: Lanes,
    ) -> Result<Option<Work>, StoreError> {
        const DOING: &str = "claiming work";
        // Keys another worker took while we looked: skipped, so that every try makes progress.
        let mut passed: Vec<String> = Vec::new();
        loop {
            match transaction!(self, DOING, |tx| try_claim(tx, worker, now_ms, until_ms, lanes, &passed).await)? {
                Attempt::Claimed(work) => return Ok(Some(work)),
                Attempt::Nothing => return Ok(None),
                Attempt::Passed(key) => passed.push(key),
            }
        }
    }

    /// Locks the key's lease row, inside `tx`, and checks that `work`'s worker still holds it: it
    /// may have expired, but nobody else may have taken it over. The row lock keeps it so until
    /// `tx` ends.
    pub(super) async fn hold_lease(&self, tx: &mut Tx, work: &Work, doing: &'static str) -> Result<(), StoreError> {
        let holder: Option<String> = sqlx::query_scalar("SELECT worker FROM leases WHERE work_key = $1 FOR UPDATE")
            .bind(&work.key)
            .fetch_optional(&mut **tx)
            .await
            .map_err(StoreError::query(doing))?;
        if holder.as_deref() != Some(work.worker.as_str()) {
            return Err(StoreError::LeaseLost { key: work.key.clone(), worker: work.worker.clone() });
        }
        Ok(())
    }

    pub(super) async fn complete(&self, work: &Work, now_ms: i64) -> Result<(), StoreError> {
        const DOING: &str = "marking work done";
        transaction!(self, DOING, |tx| {
            self.hold_lease(tx, work, DOING).await?;
            sqlx::query(&format!(
                "UPDATE deliveries {COMPLETE_SET} WHERE id = ANY($1) AND state = 'in_progress' AND claimed_by = $2"
            ))
            .bind(work_ids(work))
            .bind(&work.worker)
            .bind(now_ms)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(DOING))?;
            end_lease(tx, work, DOING).await
        })
    }

    pub(super) async fn release(&self, work: &Work) -> Result<(), StoreError> {
        const DOING: &str = "giving work back";
        transaction!(self, DOING, |tx| {
            self.hold_lease(tx, work, DOING).await?;
            sqlx::query(&format!(
                "UPDATE deliveries {RELEASE_SET} WHERE id = ANY($1) AND state = 'in_progress' AND claimed_by = $2"
            ))
            .bind(work_ids(work))
            .bind(&work.worker)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(DOING))?;
            end_lease(tx, work, DOING).await
        })
    }

    /// One statement: a data-modifying `WITH` deletes the bodies of exactly the deliveries it
    /// deletes, where SQLite, which has none, selects them twice in one transaction.
    pub(super) async fn prune_done(&self, done_before_ms: i64, limit: i64) -> Result<u64, StoreError> {
        let deleted: i64 = sqlx::query_scalar(&format!(
            "WITH gone AS (DELETE FROM deliveries WHERE id IN ({PRUNABLE}) RETURNING id),
                  bodies AS (DELETE FROM delivery_bodies WHERE id IN (SELECT id FROM gone))
             SELECT COUNT(*) FROM gone"
        ))
        .bind(done_before_ms)
        .bind(limit)
        .fetch_one(&self.pool)
        .await
        .map_err(StoreError::query("deleting old deliveries"))?;
        Ok(u64::try_from(deleted).unwrap_or(0))
    }
}

/// Picks the key of the oldest ready delivery (skipping `passed`), takes its lease without waiting,
/// then takes its ready deliveries.
async fn try_claim(
    tx: &mut Tx,
    worker: &str,
    now_ms: i64,
    until_ms: i64,
    lanes: Lanes,
    passed: &[String],
) -> Result<Attempt, StoreError> {
    const DOING: &str = "claiming work";
    // No lock yet: the lease below decides.
    let key: Option<String> =
        sqlx::query_scalar(&format!("{READY_KEY} AND d.work_key <> ALL($2){}{READY_ORDER}", lane_condition(lanes)))
            .bind(now_ms)
            .bind(passed)
            .fetch_optional(&mut **tx)
            .await
            .map_err(StoreError::query(DOING))?;
    let Some(key) = key else {
        return Ok(Attempt::Nothing);
    };

    // A lease row locked by someone else is being claimed or ended right now: pass, don't wait.
    let lease: Option<i64> =
        sqlx::query_scalar("SELECT until_ms FROM leases WHERE work_key = $1 FOR UPDATE SKIP LOCKED")
            .bind(&key)
            .fetch_optional(&mut **tx)
            .await
            .map_err(StoreError::query(DOING))?;
    let leased = match lease {
        Some(until) if until > now_ms => false,
        Some(_) => {
            // Expired: a crashed or stalled worker's; take it over.
            sqlx::query("UPDATE leases SET worker = $2, until_ms = $3 WHERE work_key = $1")
                .bind(&key)
                .bind(worker)
                .bind(until_ms)
                .execute(&mut **tx)
                .await
                .map_err(StoreError::query(DOING))?;
            true
        }
        None => {
            // No row, or one locked by another transaction: DO NOTHING tells the two apart, and two
            // claimers inserting at once get one row between them.
            let inserted: Option<String> = sqlx::query_scalar(
                "INSERT INTO leases (work_key, worker, until_ms) VALUES ($1, $2, $3)
                 ON CONFLICT (work_key) DO NOTHING RETURNING work_key",
            )
            .bind(&key)
            .bind(worker)
            .bind(until_ms)
            .fetch_optional(&mut **tx)
            .await
            .map_err(StoreError::query(DOING))?;
            inserted.is_some()
        }
    };
    if !leased {
        return Ok(Attempt::Passed(key));
    }

    let parked: Vec<ParkedRow> = sqlx::query_as(PARK_STOPPED)
        .bind(&key)
        .bind(MAX_ATTEMPTS)
        .fetch_all(&mut **tx)
        .await
        .map_err(StoreError::query(DOING))?;
    let rows: Vec<ClaimedRow> = sqlx::query_as(TAKE_READY)
        .bind(&key)
        .bind(worker)
        .bind(now_ms)
        .bind(CLAIM_LIMIT)
        .fetch_all(&mut **tx)
        .await
        .map_err(StoreError::query(DOING))?;
    match work_from_rows(key.clone(), worker, rows, parked) {
        Some(work) => Ok(Attempt::Claimed(work)),
        None => {
            // Its holder finished between our look and our lease: nothing left, so no lease either.
            sqlx::query(END_LEASE).bind(&key).execute(&mut **tx).await.map_err(StoreError::query(DOING))?;
            Ok(Attempt::Passed(key))
        }
    }
}

async fn end_lease(tx: &mut Tx, work: &Work, doing: &'static str) -> Result<(), StoreError> {
    sqlx::query(END_LEASE).bind(&work.key).execute(&mut **tx).await.map_err(StoreError::query(doing))?;
    Ok(())
}
