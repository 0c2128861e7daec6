//! The SQLite backend, for a single server: one file in WAL mode, written by one transaction at a
//! time (a lock in this process, `BEGIN IMMEDIATE` and a busy timeout between processes), so a
//! claim is atomic simply because nothing else writes while it runs.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite as Db, Transaction};
use tokio::sync::{Mutex, MutexGuard};

use super::error::{StoreError, redact, scrub};
use super::events::{EventRow, StoredRow};
use super::{
    CLAIM_LIMIT, ClaimedRow, Insert, MAX_ATTEMPTS, NewDelivery, PARK_STOPPED, PRUNABLE, ParkedDelivery, ParkedRow,
    QueueDepth, Work, attach_bodies, depth_from_counts, finish, work_from_rows, work_ids,
};

/// How long a writer waits for another process's write to finish before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Readers run alongside the writer in WAL mode; a few are plenty for one server.
const MAX_CONNECTIONS: u32 = 4;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

#[derive(Clone)]
pub(super) struct Sqlite {
    pool: SqlitePool,
    /// Serialises this process's writes: waiting on a lock here is cheap and fair, where SQLite's
    /// busy handler polls with growing sleeps.
    writer: Arc<Mutex<()>>,
}

/// The key of the oldest ready delivery whose PR is not leased. An in_progress delivery whose key
/// has no live lease belongs to a worker that lost it.
const READY_KEY: &str = "SELECT d.work_key FROM deliveries d
                 WHERE d.state IN ('queued', 'in_progress')
                   AND (d.state = 'in_progress' OR d.next_attempt_ms <= $1)
                   AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.work_key = d.work_key AND l.until_ms > $1)
                 ORDER BY d.received_at_ms, d.id
                 LIMIT 1";

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
    pub(super) async fn connect(url: &str) -> Result<Sqlite, StoreError> {
        let invalid = |e: sqlx::Error| StoreError::InvalidUrl { url: redact(url), reason: scrub(&e.to_string(), url) };
        let options = SqliteConnectOptions::from_str(url).map_err(invalid)?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let pool = if in_memory {
            // An in-memory database lives as long as its connection: keep exactly one, forever.
            SqlitePoolOptions::new().max_connections(1).min_connections(1).idle_timeout(None).max_lifetime(None)
        } else {
            SqlitePoolOptions::new().max_connections(MAX_CONNECTIONS)
        };
        let options = if in_memory {
            options
        } else {
            // FULL: a delivery GitHub was told is stored survives a power cut, not only a crash.
            options
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(BUSY_TIMEOUT)
        };
        let pool = pool
            .acquire_timeout(BUSY_TIMEOUT * 2)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Unreachable { url: redact(url), reason: scrub(&e.to_string(), url) })?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Migrate { url: redact(url), reason: scrub(&e.to_string(), url) })?;
        Ok(Sqlite { pool, writer: Arc::new(Mutex::new(())) })
    }

    /// Starts this process's one write transaction, holding SQLite's write lock from the first
    /// statement (`BEGIN IMMEDIATE`): a transaction that reads first and then writes would have to
    /// upgrade its lock, which fails at once whatever the busy timeout. Keep the guard until the
    /// transaction ends.
    async fn begin(&self, doing: &'static str) -> Result<(MutexGuard<'_, ()>, Transaction<'static, Db>), StoreError> {
        let guard = self.writer.lock().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(StoreError::query(doing))?;
        Ok((guard, tx))
    }

    pub(super) async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(StoreError::query("checking the database"))?;
        Ok(())
    }

    /// Stores a batch in one transaction, so one commit (one `fsync`) and one turn of the writer
    /// lock serve every delivery in it. An id already stored, or earlier in the batch, is a
    /// duplicate.
    pub(super) async fn insert_batch(&self, batch: &[(&NewDelivery, String)]) -> Result<Vec<Insert>, StoreError> {
        const DOING: &str = "storing a delivery";
        let (_write, mut tx) = self.begin(DOING).await?;
        let result: Result<_, StoreError> = async {
            let tx = &mut tx;
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
        }
        .await;
        finish(tx, DOING, result).await
    }

    pub(super) async fn contains(&self, id: &str) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM deliveries WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::query("looking up a delivery"))?;
        Ok(found.is_some())
    }

    pub(super) async fn claim(&self, worker: &str, now_ms: i64, until_ms: i64) -> Result<Option<Work>, StoreError> {
        // Look without the write lock first: a worker woken while every ready PR is leased
        // (a burst for one PR) then costs readers nothing and keeps the one writer free for
        // the inserts that acknowledge deliveries. WAL readers never block the writer.
        // A key another worker took between our look and our lock is passed over and the look
        // repeated: that worker's lease is committed, so the next look skips it.
        for _ in 0..MAX_CLAIM_TRIES {
            match self.try_claim(worker, now_ms, until_ms).await? {
                Attempt::Claimed(work) => return Ok(Some(work)),
                Attempt::Nothing => return Ok(None),
                Attempt::Passed => {}
            }
        }
        Ok(None)
    }

    /// One look and, if it found a key, one claim of it; `None` if nothing was ready or the key
    /// was taken meanwhile.
    async fn try_claim(&self, worker: &str, now_ms: i64, until_ms: i64) -> Result<Attempt, StoreError> {
        const DOING: &str = "claiming work";
        let candidate: Option<String> = sqlx::query_scalar(READY_KEY)
            .bind(now_ms)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::query(DOING))?;
        let Some(key) = candidate else {
            return Ok(Attempt::Nothing);
        };
        let (_write, mut tx) = self.begin(DOING).await?;
        let result: Result<_, StoreError> = async {
            let tx = &mut tx;
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
            let rows: Vec<ClaimedRow> = sqlx::query_as(
                "UPDATE deliveries SET state = 'in_progress', claimed_by = $2, attempts = attempts + 1
                 WHERE id IN (SELECT id FROM deliveries
                              WHERE work_key = $1 AND state IN ('queued', 'in_progress')
                                AND (state = 'in_progress' OR next_attempt_ms <= $3)
                              ORDER BY received_at_ms, id
                              LIMIT $4)
                 RETURNING id, event, action, attempts - 1 AS attempts, received_at_ms, installation_id, repo, pr",
            )
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
                    sqlx::query("DELETE FROM leases WHERE work_key = $1")
                        .bind(&key)
                        .execute(&mut **tx)
                        .await
                        .map_err(StoreError::query(DOING))?;
                    Ok(Attempt::Passed)
                }
            }
        }
        .await;
        let mut attempt = finish(tx, DOING, result).await?;
        // Bodies are read after the commit: a WAL reader never holds up the writer.
        if let Attempt::Claimed(work) = &mut attempt {
            self.fill_bodies(work).await?;
        }
        Ok(attempt)
    }

    async fn fill_bodies(&self, work: &mut Work) -> Result<(), StoreError> {
        let ids = work_ids(work);
        if ids.is_empty() {
            return Ok(());
        }
        let placeholders = vec!["?"; ids.len()].join(", ");
        let sql = format!("SELECT id, body FROM delivery_bodies WHERE id IN ({placeholders})");
        let mut query = sqlx::query_as::<_, (String, Vec<u8>)>(&sql);
        for id in &ids {
            query = query.bind(id);
        }
        let bodies = query.fetch_all(&self.pool).await.map_err(StoreError::query("reading delivery bodies"))?;
        attach_bodies(work, bodies);
        Ok(())
    }

    /// Checks, inside `tx`, that `work`'s worker still holds its key: the lease may have expired,
    /// but nobody else may have taken it over.
    async fn check_lease(
        tx: &mut Transaction<'static, Db>,
        work: &Work,
        doing: &'static str,
    ) -> Result<(), StoreError> {
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

    async fn end_lease(tx: &mut Transaction<'static, Db>, work: &Work, doing: &'static str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM leases WHERE work_key = $1")
            .bind(&work.key)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(doing))?;
        Ok(())
    }

    pub(super) async fn complete(&self, work: &Work, now_ms: i64) -> Result<(), StoreError> {
        const DOING: &str = "marking work done";
        let (_write, mut tx) = self.begin(DOING).await?;
        let result: Result<_, StoreError> = async {
            let tx = &mut tx;
            Self::check_lease(tx, work, DOING).await?;
            // One statement for the whole unit: the rows in progress under this key and this worker
            // are exactly the work's (the lease was checked above), and a row at a time would hold
            // SQLite's one write lock for as long as a burst is large.
            sqlx::query(
                "UPDATE deliveries
                 SET state = 'done', times_completed = times_completed + 1, done_at_ms = $3, claimed_by = NULL
                 WHERE work_key = $1 AND state = 'in_progress' AND claimed_by = $2",
            )
            .bind(&work.key)
            .bind(&work.worker)
            .bind(now_ms)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(DOING))?;
            Self::end_lease(tx, work, DOING).await
        }
        .await;
        finish(tx, DOING, result).await
    }

    pub(super) async fn retry_later(
        &self,
        work: &Work,
        error: &str,
        next_attempt_ms: i64,
        max_attempts: i32,
    ) -> Result<Vec<String>, StoreError> {
        const DOING: &str = "recording a failed attempt";
        let (_write, mut tx) = self.begin(DOING).await?;
        let result: Result<_, StoreError> = async {
            let tx = &mut tx;
            Self::check_lease(tx, work, DOING).await?;
            let mut parked = Vec::new();
            for id in work_ids(work) {
                let state: Option<String> = sqlx::query_scalar(
                    "UPDATE deliveries
                     SET last_error = $3, next_attempt_ms = $4, claimed_by = NULL,
                         state = CASE WHEN attempts >= $5 THEN 'parked' ELSE 'queued' END
                     WHERE id = $1 AND state = 'in_progress' AND claimed_by = $2
                     RETURNING state",
                )
                .bind(&id)
                .bind(&work.worker)
                .bind(error)
                .bind(next_attempt_ms)
                .bind(max_attempts)
                .fetch_optional(&mut **tx)
                .await
                .map_err(StoreError::query(DOING))?;
                if state.as_deref() == Some("parked") {
                    parked.push(id);
                }
            }
            Self::end_lease(tx, work, DOING).await?;
            Ok(parked)
        }
        .await;
        finish(tx, DOING, result).await
    }

    pub(super) async fn renew(&self, work: &Work, until_ms: i64) -> Result<(), StoreError> {
        const DOING: &str = "renewing a lease";
        let (_write, mut tx) = self.begin(DOING).await?;
        let result: Result<_, StoreError> = async {
            let tx = &mut tx;
            Self::check_lease(tx, work, DOING).await?;
            sqlx::query("UPDATE leases SET until_ms = $2 WHERE work_key = $1")
                .bind(&work.key)
                .bind(until_ms)
                .execute(&mut **tx)
                .await
                .map_err(StoreError::query(DOING))?;
            Ok(())
        }
        .await;
        finish(tx, DOING, result).await
    }

    pub(super) async fn release(&self, work: &Work) -> Result<(), StoreError> {
        const DOING: &str = "giving work back";
        let (_write, mut tx) = self.begin(DOING).await?;
        let result: Result<_, StoreError> = async {
            let tx = &mut tx;
            Self::check_lease(tx, work, DOING).await?;
            sqlx::query(
                "UPDATE deliveries SET state = 'queued', claimed_by = NULL, 
                     attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END
                 WHERE work_key = $1 AND state = 'in_progress' AND claimed_by = $2",
            )
            .bind(&work.key)
            .bind(&work.worker)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(DOING))?;
            Self::end_lease(tx, work, DOING).await
        }
        .await;
        finish(tx, DOING, result).await
    }

    pub(super) async fn depth(&self) -> Result<QueueDepth, StoreError> {
        let counts: Vec<(String, i64)> = sqlx::query_as("SELECT state, COUNT(*) FROM deliveries GROUP BY state")
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::query("counting the queue"))?;
        Ok(depth_from_counts(counts))
    }

    pub(super) async fn parked(&self) -> Result<Vec<ParkedDelivery>, StoreError> {
        sqlx::query_as(
            "SELECT id, event, action, repo, pr, attempts, last_error, received_at_ms FROM deliveries
             WHERE state = 'parked' ORDER BY received_at_ms, id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("listing parked deliveries"))
    }

    pub(super) async fn requeue_parked(&self, id: Option<&str>, now_ms: i64) -> Result<u64, StoreError> {
        let _write = self.writer.lock().await;
        let done = sqlx::query(
            "UPDATE deliveries SET state = 'queued', attempts = 0, next_attempt_ms = $2
             WHERE state = 'parked' AND ($1 IS NULL OR id = $1)",
        )
        .bind(id)
        .bind(now_ms)
        .execute(&self.pool)
        .await
        .map_err(StoreError::query("requeueing parked deliveries"))?;
        Ok(done.rows_affected())
    }

    pub(super) async fn prune_done(&self, done_before_ms: i64, limit: i64) -> Result<u64, StoreError> {
        const DOING: &str = "deleting old deliveries";
        let (_write, mut tx) = self.begin(DOING).await?;
        let result: Result<_, StoreError> = async {
            let tx = &mut tx;
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
        }
        .await;
        finish(tx, DOING, result).await
    }

    pub(super) async fn set_away(&self, login: &str, until_ms: Option<i64>) -> Result<(), StoreError> {
        let _write = self.writer.lock().await;
        sqlx::query(
            "INSERT INTO away (login, until_ms) VALUES ($1, $2)
             ON CONFLICT (login) DO UPDATE SET until_ms = excluded.until_ms",
        )
        .bind(login)
        .bind(until_ms)
        .execute(&self.pool)
        .await
        .map_err(StoreError::query("recording an absence"))?;
        Ok(())
    }

    pub(super) async fn clear_away(&self, login: &str) -> Result<(), StoreError> {
        let _write = self.writer.lock().await;
        sqlx::query("DELETE FROM away WHERE login = $1")
            .bind(login)
            .execute(&self.pool)
            .await
            .map_err(StoreError::query("ending an absence"))?;
        Ok(())
    }

    pub(super) async fn away(&self, now_ms: i64) -> Result<Vec<(String, Option<i64>)>, StoreError> {
        sqlx::query_as("SELECT login, until_ms FROM away WHERE until_ms IS NULL OR until_ms > $1 ORDER BY login")
            .bind(now_ms)
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::query("reading absences"))
    }

    pub(super) async fn insert_digest_claim(
        &self,
        repo: &str,
        week: &str,
        claimant: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let _write = self.writer.lock().await;
        let done = sqlx::query(
            "INSERT INTO digest_issues (repo, week, issue_number, claimed_by, claimed_at_ms) VALUES ($1, $2, NULL, $3, $4)
             ON CONFLICT (repo, week) DO NOTHING",
        )
        .bind(repo)
        .bind(week)
        .bind(claimant)
        .bind(now_ms)
        .execute(&self.pool)
        .await
        .map_err(StoreError::query("claiming the week's digest issue"))?;
        Ok(done.rows_affected() == 1)
    }

    pub(super) async fn digest_issue_row(
        &self,
        repo: &str,
        week: &str,
    ) -> Result<Option<(Option<i64>, i64)>, StoreError> {
        sqlx::query_as("SELECT issue_number, claimed_at_ms FROM digest_issues WHERE repo = $1 AND week = $2")
            .bind(repo)
            .bind(week)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::query("reading the week's digest issue"))
    }

    pub(super) async fn take_over_digest_claim(
        &self,
        repo: &str,
        week: &str,
        claimant: &str,
        claimed_at_ms: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let _write = self.writer.lock().await;
        let done = sqlx::query(
            "UPDATE digest_issues SET claimed_by = $3, claimed_at_ms = $5
             WHERE repo = $1 AND week = $2 AND issue_number IS NULL AND claimed_at_ms = $4",
        )
        .bind(repo)
        .bind(week)
        .bind(claimant)
        .bind(claimed_at_ms)
        .bind(now_ms)
        .execute(&self.pool)
        .await
        .map_err(StoreError::query("taking over the week's digest issue"))?;
        Ok(done.rows_affected() == 1)
    }

    pub(super) async fn set_digest_issue(&self, repo: &str, week: &str, number: i64) -> Result<(), StoreError> {
        let _write = self.writer.lock().await;
        sqlx::query("UPDATE digest_issues SET issue_number = $3 WHERE repo = $1 AND week = $2")
            .bind(repo)
            .bind(week)
            .bind(number)
            .execute(&self.pool)
            .await
            .map_err(StoreError::query("recording the week's digest issue"))?;
        Ok(())
    }

    pub(super) async fn delete_digest_claim(&self, repo: &str, week: &str, claimant: &str) -> Result<(), StoreError> {
        let _write = self.writer.lock().await;
        sqlx::query(
            "DELETE FROM digest_issues WHERE repo = $1 AND week = $2 AND claimed_by = $3 AND issue_number IS NULL",
        )
        .bind(repo)
        .bind(week)
        .bind(claimant)
        .execute(&self.pool)
        .await
        .map_err(StoreError::query("releasing the week's digest issue"))?;
        Ok(())
    }

    pub(super) async fn newest_event_at(&self) -> Result<Option<i64>, StoreError> {
        sqlx::query_scalar("SELECT MAX(at_ms) FROM review_events")
            .fetch_one(&self.pool)
            .await
            .map_err(StoreError::query("reading the newest review event"))
    }

    pub(super) async fn newest_received_at(&self) -> Result<Option<i64>, StoreError> {
        sqlx::query_scalar("SELECT MAX(received_at_ms) FROM deliveries")
            .fetch_one(&self.pool)
            .await
            .map_err(StoreError::query("reading the newest delivery"))
    }

    pub(super) async fn times_completed(&self, id: &str) -> Result<i64, StoreError> {
        let times: Option<i64> = sqlx::query_scalar("SELECT times_completed FROM deliveries WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::query("reading a delivery"))?;
        Ok(times.unwrap_or(0))
    }

    pub(super) async fn record_events(&self, rows: &[EventRow]) -> Result<u64, StoreError> {
        const DOING: &str = "recording review events";
        let (_write, mut tx) = self.begin(DOING).await?;
        let result: Result<_, StoreError> = async {
            let tx = &mut tx;
            let mut stored = 0;
            for row in rows {
                let done = sqlx::query(
                    "INSERT INTO review_events (id, repo, pr, at_ms, event) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(&row.id)
                .bind(&row.repo)
                .bind(row.pr)
                .bind(row.at_ms)
                .bind(&row.json)
                .execute(&mut **tx)
                .await
                .map_err(StoreError::query(DOING))?;
                stored += done.rows_affected();
            }
            Ok(stored)
        }
        .await;
        finish(tx, DOING, result).await
    }

    pub(super) async fn active_prs(
        &self,
        since_ms: i64,
        repos: Option<&[String]>,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let filter = match repos {
            Some(repos) => {
                let placeholders: Vec<String> = (0..repos.len()).map(|i| format!("${}", i + 2)).collect();
                format!("WHERE lower(repo) IN ({})", placeholders.join(", "))
            }
            None => String::new(),
        };
        let sql = format!(
            "SELECT repo, pr FROM review_events {filter}
             GROUP BY repo, pr
             HAVING MAX(at_ms) >= $1
                 OR COALESCE(MAX(CASE WHEN json_extract(event, '$.event') IN ('merged', 'closed') THEN at_ms END), -1)
                    < COALESCE(MAX(CASE WHEN json_extract(event, '$.event') = 'reopened' THEN at_ms END), 0)
             ORDER BY repo, pr"
        );
        let mut query = sqlx::query_as::<_, (String, i64)>(&sql).bind(since_ms);
        for repo in repos.unwrap_or_default() {
            query = query.bind(repo);
        }
        query.fetch_all(&self.pool).await.map_err(StoreError::query("finding the PRs active in the digest's span"))
    }

    pub(super) async fn events_of_prs(&self, keys: &[(String, i64)]) -> Result<Vec<StoredRow>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        // An OR of equalities, which SQLite answers from the (repo, pr, at_ms) index.
        let matches: Vec<String> =
            (0..keys.len()).map(|i| format!("(repo = ${} AND pr = ${})", 2 * i + 1, 2 * i + 2)).collect();
        let sql = format!(
            "SELECT repo, pr, id, event FROM review_events WHERE {} ORDER BY repo, pr, at_ms, id",
            matches.join(" OR ")
        );
        let mut query = sqlx::query_as::<_, StoredRow>(&sql);
        for (repo, pr) in keys {
            query = query.bind(repo).bind(pr);
        }
        query.fetch_all(&self.pool).await.map_err(StoreError::query("reading review events"))
    }

    pub(super) async fn latest_event(&self, repo: &str, pr: i64) -> Result<Option<(String, String)>, StoreError> {
        sqlx::query_as(
            "SELECT id, event FROM review_events WHERE repo = $1 AND pr = $2 ORDER BY at_ms DESC, id DESC LIMIT 1",
        )
        .bind(repo)
        .bind(pr)
        .fetch_optional(&self.pool)
        .await
        .map_err(StoreError::query("reading a PR's latest review event"))
    }

    pub(super) async fn events_since(&self, repo: &str, since_ms: i64) -> Result<Vec<(String, String)>, StoreError> {
        sqlx::query_as(
            "SELECT id, event FROM review_events WHERE lower(repo) = lower($1) AND at_ms >= $2 ORDER BY at_ms, id",
        )
        .bind(repo)
        .bind(since_ms)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("reading a repository's recent review events"))
    }

    pub(super) async fn record_pr_paths(
        &self,
        repo: &str,
        pr: i64,
        paths: &[&str],
        at_ms: i64,
    ) -> Result<(), StoreError> {
        const DOING: &str = "recording a PR's changed paths";
        let (_write, mut tx) = self.begin(DOING).await?;
        let result: Result<_, StoreError> = async {
            let tx = &mut tx;
            sqlx::query("DELETE FROM pr_paths WHERE repo = $1 AND pr = $2")
                .bind(repo)
                .bind(pr)
                .execute(&mut **tx)
                .await
                .map_err(StoreError::query(DOING))?;
            for path in paths {
                sqlx::query(
                    "INSERT INTO pr_paths (repo, pr, path, at_ms) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                )
                .bind(repo)
                .bind(pr)
                .bind(path)
                .bind(at_ms)
                .execute(&mut **tx)
                .await
                .map_err(StoreError::query(DOING))?;
            }
            Ok(())
        }
        .await;
        finish(tx, DOING, result).await
    }

    pub(super) async fn prs_touching(&self, repo: &str, paths: &[&str]) -> Result<Vec<i64>, StoreError> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (0..paths.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT DISTINCT pr FROM pr_paths WHERE repo = $1 AND path IN ({}) ORDER BY pr",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_scalar::<_, i64>(&sql).bind(repo);
        for path in paths {
            query = query.bind(*path);
        }
        query.fetch_all(&self.pool).await.map_err(StoreError::query("finding the PRs that touched a PR's paths"))
    }
}
