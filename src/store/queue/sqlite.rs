//! The queue on SQLite: one writer at a time (this process's writer lock, `BEGIN IMMEDIATE` and a
//! busy timeout between processes), so a claim is atomic simply because nothing else writes while
//! it runs. The work is to keep that one writer free: look for a key before taking the lock, and
//! do as little as possible while holding it.

use sqlx::Transaction;

use super::claim::{
    CLAIM_LIMIT, ClaimedRow, PARK_STOPPED, ParkedRow, READY_KEY, READY_ORDER, TAKE_READY, lane_condition,
    work_from_rows,
};
use super::{COMPLETE_SET, END_LEASE, Insert, Lanes, MAX_ATTEMPTS, NewDelivery, PRUNABLE, RELEASE_SET, Work};
use crate::store::StoreError;
use crate::store::backend::{Sqlite, transaction};

type Tx = Transaction<'static, sqlx::Sqlite>;

/// Looks a claim may take when other workers keep taking the key it found.
const MAX_CLAIM_TRIES: usize = 4;

/// One try at claiming.
enum Attempt {
    Claimed(Work),
    /// Nothing is ready.
    Nothing,
    /// The key found was taken, or emptied, before the claim could lease it.
    Passed,
}

impl Sqlite {
    /// Stores a batch in one transaction, so one commit (one `fsync`) and one turn of the writer
    /// lock serve every delivery in it. An id already stored, or earlier in the batch, is a
    /// duplicate.
    pub(super) async fn insert_batch(&self, batch: &[(&NewDelivery, String)]) -> Result<Vec<Insert>, StoreError> {
        const DOING: &str = "storing a delivery";
        transaction!(self, DOING, |tx| {
            let mut answers = Vec::with_capacity(batch.len());
            for (d, key) in batch {
                let done = sqlx::query(
                    "INSERT INTO deliveries (id, event, action, installation_id, repo, pr, work_key, received_at_ms,
                                         next_attempt_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
                 ON CONFLICT (id) DO NOTHING",
                )
                .bind(&d.id)
                .bind(&d.event)
                .bind(&d.action)
                .bind(d.installation_id)
                .bind(&d.repo)
                .bind(d.pr)
                .bind(key)
                .bind(d.received_at_ms)
                .execute(&mut **tx)
                .await
                .map_err(StoreError::query(DOING))?;
                if done.rows_affected() == 0 {
                    answers.push(Insert::Duplicate);
                    continue;
                }
                sqlx::query(
                    "INSERT INTO delivery_bodies (id, body) VALUES ($1, $2)
                 ON CONFLICT (id) DO UPDATE SET body = excluded.body",
                )
                .bind(&d.id)
                .bind(&d.body)
                .execute(&mut **tx)
                .await
                .map_err(StoreError::query(DOING))?;
                answers.push(Insert::Stored);
            }
            Ok(answers)
        })
    }

    pub(super) async fn claim(
        &self,
        worker: &str,
        now_ms: i64,
        until_ms: i64,
        lanes: Lanes,
    ) -> Result<Option<Work>, StoreError> {
        // Look without the write lock first: a worker woken while every ready PR is leased
        // (a burst for one PR) then costs readers nothing and keeps the one writer free for
        // the inserts that acknowledge deliveries. WAL readers never block the writer.
        // A key another worker took between our look and our lock is passed over and the look
        // repeated: that worker's lease is committed, so the next look skips it.
        for _ in 0..MAX_CLAIM_TRIES {
            match self.try_claim(worker, now_ms, until_ms, lanes).await? {
                Attempt::Claimed(work) => return Ok(Some(work)),
                Attempt::Nothing => return Ok(None),
                Attempt::Passed => {}
            }
        }
        Ok(None)
    }

    /// One look and, if it found a key, one claim of it; `None` if nothing was ready or the key
    /// was taken meanwhile.
    async fn try_claim(&self, worker: &str, now_ms: i64, until_ms: i64, lanes: Lanes) -> Result<Attempt, StoreError> {
        const DOING: &str = "claiming work";
        let candidate: Option<String> =
            sqlx::query_scalar(&format!("{READY_KEY}{}{READY_ORDER}", lane_condition(lanes)))
                .bind(now_ms)
                .fetch_optional(&self.pool)
                .await
                .map_err(StoreError::query(DOING))?;
        let Some(key) = candidate else {
            return Ok(Attempt::Nothing);
        };
        transaction!(self, DOING, |tx| {
            // Under the lock, only check the key found above rather than search again: with a
            // deep queue behind one held PR, that search reads every one of its deliveries, and
            // the inserts acknowledging deliveries would wait for it. A key leased meanwhile is
            // left alone; a key with nothing ready left claims nothing below.
            let leased: Option<i64> = sqlx::query_scalar("SELECT 1 FROM leases WHERE work_key = $1 AND until_ms > $2")
                .bind(&key)
                .bind(now_ms)
                .fetch_optional(&mut **tx)
                .await
                .map_err(StoreError::query(DOING))?;
            if leased.is_some() {
                return Ok(Attempt::Passed);
            }
            sqlx::query(
                "INSERT INTO leases (work_key, worker, until_ms) VALUES ($1, $2, $3)
             ON CONFLICT (work_key) DO UPDATE SET worker = excluded.worker, until_ms = excluded.until_ms",
            )
            .bind(&key)
            .bind(worker)
            .bind(until_ms)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(DOING))?;
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
                    // Its holder finished between the look and the lock: nothing to do, no lease.
                    sqlx::query(END_LEASE).bind(&key).execute(&mut **tx).await.map_err(StoreError::query(DOING))?;
                    Ok(Attempt::Passed)
                }
            }
        })
    }

    /// Checks, inside `tx`, that `work`'s worker still holds its key: the lease may have expired,
    /// but nobody else may have taken it over. The writer lock keeps it so until `tx` ends.
    pub(super) async fn hold_lease(&self, tx: &mut Tx, work: &Work, doing: &'static str) -> Result<(), StoreError> {
        let holder: Option<String> = sqlx::query_scalar("SELECT worker FROM leases WHERE work_key = $1")
            .bind(&work.key)
            .fetch_optional(&mut **tx)
            .await
            .map_err(StoreError::query(doing))?;
        if holder.as_deref() != Some(work.worker.as_str()) {
            return Err(StoreError::LeaseLost { key: work.key.clone(), worker: work.worker.clone() });
        }
        Ok(())
    }

    async fn end_lease(tx: &mut Tx, work: &Work, doing: &'static str) -> Result<(), StoreError> {
        sqlx::query(END_LEASE).bind(&work.key).execute(&mut **tx).await.map_err(StoreError::query(doing))?;
        Ok(())
    }

    pub(super) async fn complete(&self, work: &Work, now_ms: i64) -> Result<(), StoreError> {
        const DOING: &str = "marking work done";
        transaction!(self, DOING, |tx| {
            self.hold_lease(tx, work, DOING).await?;
            // One statement for the whole unit: the rows in progress under this key and this worker
            // are exactly the work's (the lease was checked above), and a row at a time would hold
            // SQLite's one write lock for as long as a burst is large.
            sqlx::query(&format!(
                "UPDATE deliveries {COMPLETE_SET} WHERE work_key = $1 AND state = 'in_progress' AND claimed_by = $2"
            ))
            .bind(&work.key)
            .bind(&work.worker)
            .bind(now_ms)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(DOING))?;
            Self::end_lease(tx, work, DOING).await
        })
    }

    pub(super) async fn release(&self, work: &Work) -> Result<(), StoreError> {
        const DOING: &str = "giving work back";
        transaction!(self, DOING, |tx| {
            self.hold_lease(tx, work, DOING).await?;
            sqlx::query(&format!(
                "UPDATE deliveries {RELEASE_SET} WHERE work_key = $1 AND state = 'in_progress' AND claimed_by = $2"
            ))
            .bind(&work.key)
            .bind(&work.worker)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(DOING))?;
            Self::end_lease(tx, work, DOING).await
        })
    }

    pub(super) async fn prune_done(&self, done_before_ms: i64, limit: i64) -> Result<u64, StoreError> {
        const DOING: &str = "deleting old deliveries";
        transaction!(self, DOING, |tx| {
            // The same ordered selection twice in one transaction picks the same deliveries.
            sqlx::query(&format!("DELETE FROM delivery_bodies WHERE id IN ({PRUNABLE})"))
                .bind(done_before_ms)
                .bind(limit)
                .execute(&mut **tx)
                .await
                .map_err(StoreError::query(DOING))?;
            let done = sqlx::query(&format!("DELETE FROM deliveries WHERE id IN ({PRUNABLE})"))
                .bind(done_before_ms)
                .bind(limit)
                .execute(&mut **tx)
                .await
                .map_err(StoreError::query(DOING))?;
            Ok(done.rows_affected())
        })
    }
}
