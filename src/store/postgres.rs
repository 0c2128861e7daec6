//! The PostgreSQL backend, for replicas sharing one queue. A key's lease is a row in `leases`;
//! whoever holds that row's lock may change the key's deliveries, and every transaction takes the
//! lease row before any delivery row, so transactions never deadlock; batch inserts go in id
//! order for the same reason. Claims lock it with `FOR UPDATE SKIP LOCKED`, so claimers never
//! wait on each other either.

use std::collections::HashSet;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{Connection, Postgres as Db, Transaction};

use super::error::{StoreError, redact, scrub};
use super::events::{EventRow, StoredRow};
use super::{
    CLAIM_LIMIT, ClaimedRow, Insert, MAX_ATTEMPTS, NewDelivery, PARK_STOPPED, PRUNABLE, ParkedDelivery, ParkedRow,
    QueueDepth, Work, attach_bodies, depth_from_counts, finish, work_from_rows, work_ids,
};

/// How long connecting may take before the database counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a query waits for a free connection when every one is busy.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_CONNECTIONS: u32 = 10;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Clone)]
pub(super) struct Postgres {
    pool: PgPool,
}

/// One try at claiming, in its own transaction.
enum Attempt {
    Claimed(Work),
    /// Nothing is ready.
    Nothing,
    /// Another worker got to this key first; try the next one.
    Passed(String),
}

impl Postgres {
    pub(super) async fn connect(url: &str) -> Result<Postgres, StoreError> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::InvalidUrl { url: redact(url), reason: scrub(&e.to_string(), url) })?;
        let unreachable = |reason: String| StoreError::Unreachable { url: redact(url), reason: scrub(&reason, url) };
        // One connection first, under a deadline: the pool retries a refused connection until its
        // acquire timeout and then says only that it timed out, which hides the reason.
        match tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options)).await {
            Err(_) => return Err(unreachable(format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()))),
            Ok(Err(e)) => return Err(unreachable(e.to_string())),
            Ok(Ok(conn)) => {
                // Only a probe; failing to say goodbye politely changes nothing.
                let _ = conn.close().await;
            }
        }
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        // The migrator takes an advisory lock, so replicas starting together migrate once.
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Migrate { url: redact(url), reason: scrub(&e.to_string(), url) })?;
        Ok(Postgres { pool })
    }

    async fn begin(&self, doing: &'static str) -> Result<Transaction<'static, Db>, StoreError> {
        self.pool.begin().await.map_err(StoreError::query(doing))
    }

    pub(super) async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(StoreError::query("checking the database"))?;
        Ok(())
    }

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

    pub(super) async fn contains(&self, id: &str) -> Result<bool, StoreError> {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM deliveries WHERE id = $1)")
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map_err(StoreError::query("looking up a delivery"))
    }

    pub(super) async fn claim(&self, worker: &str, now_ms: i64, until_ms: i64) -> Result<Option<Work>, StoreError> {
        const DOING: &str = "claiming work";
        // Keys another worker took while we looked: skipped, so that every try makes progress.
        let mut passed: Vec<String> = Vec::new();
        loop {
            let mut tx = self.begin(DOING).await?;
            let attempt = try_claim(&mut tx, worker, now_ms, until_ms, &passed).await;
            let attempt = finish(tx, DOING, attempt).await?;
            match attempt {
                Attempt::Claimed(mut work) => {
                    // Read after the commit, so the claim's transaction stays short.
                    let ids = work_ids(&work);
                    let bodies: Vec<(String, Vec<u8>)> =
                        sqlx::query_as("SELECT id, body FROM delivery_bodies WHERE id = ANY($1)")
                            .bind(ids)
                            .fetch_all(&self.pool)
                            .await
                            .map_err(StoreError::query("reading delivery bodies"))?;
                    attach_bodies(&mut work, bodies);
                    return Ok(Some(work));
                }
                Attempt::Nothing => return Ok(None),
                Attempt::Passed(key) => passed.push(key),
            }
        }
    }

    pub(super) async fn complete(&self, work: &Work, now_ms: i64) -> Result<(), StoreError> {
        const DOING: &str = "marking work done";
        let mut tx = self.begin(DOING).await?;
        let result: Result<_, StoreError> = async {
            let tx = &mut tx;
            lock_own_lease(tx, work, DOING).await?;
            sqlx::query(
                "UPDATE deliveries
                 SET state = 'done', times_completed = times_completed + 1, done_at_ms = $3, claimed_by = NULL
                 WHERE id = ANY($1) AND state = 'in_progress' AND claimed_by = $2",
            )
            .bind(work_ids(work))
            .bind(&work.worker)
            .bind(now_ms)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(DOING))?;
            end_lease(tx, work, DOING).await
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
        let mut tx = self.begin(DOING).await?;
        let result: Result<_, StoreError> = async {
            let tx = &mut tx;
            lock_own_lease(tx, work, DOING).await?;
            let changed: Vec<(String, String)> = sqlx::query_as(
                "UPDATE deliveries
                 SET last_error = $3, next_attempt_ms = $4, claimed_by = NULL,
                     state = CASE WHEN attempts >= $5 THEN 'parked' ELSE 'queued' END
                 WHERE id = ANY($1) AND state = 'in_progress' AND claimed_by = $2
                 RETURNING id, state",
            )
            .bind(work_ids(work))
            .bind(&work.worker)
            .bind(error)
            .bind(next_attempt_ms)
            .bind(max_attempts)
            .fetch_all(&mut **tx)
            .await
            .map_err(StoreError::query(DOING))?;
            end_lease(tx, work, DOING).await?;
            // In the work's order, oldest first, whatever order the rows came back in.
            let parked: Vec<&str> = changed.iter().filter(|(_, s)| s == "parked").map(|(id, _)| id.as_str()).collect();
            Ok(work_ids(work).into_iter().filter(|id| parked.contains(&id.as_str())).collect())
        }
        .await;
        finish(tx, DOING, result).await
    }

    pub(super) async fn renew(&self, work: &Work, until_ms: i64) -> Result<(), StoreError> {
        const DOING: &str = "renewing a lease";
        let mut tx = self.begin(DOING).await?;
        let result: Result<_, StoreError> = async {
            let tx = &mut tx;
            lock_own_lease(tx, work, DOING).await?;
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
        let mut tx = self.begin(DOING).await?;
        let result: Result<_, StoreError> = async {
            let tx = &mut tx;
            lock_own_lease(tx, work, DOING).await?;
            sqlx::query(
                "UPDATE deliveries SET state = 'queued', claimed_by = NULL, 
                     attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END
                 WHERE id = ANY($1) AND state = 'in_progress' AND claimed_by = $2",
            )
            .bind(work_ids(work))
            .bind(&work.worker)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(DOING))?;
            end_lease(tx, work, DOING).await
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
        let done = sqlx::query(
            "UPDATE deliveries SET state = 'queued', attempts = 0, next_attempt_ms = $2
             WHERE state = 'parked' AND ($1::text IS NULL OR id = $1)",
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
        let deleted: i64 = sqlx::query_scalar(&format!(
            "WITH gone AS (DELETE FROM deliveries WHERE id IN ({PRUNABLE}) RETURNING id),
                  bodies AS (DELETE FROM delivery_bodies WHERE id IN (SELECT id FROM gone))
             SELECT COUNT(*) FROM gone"
        ))
        .bind(done_before_ms)
        .bind(limit)
        .fetch_one(&self.pool)
        .await
        .map_err(StoreError::query(DOING))?;
        Ok(u64::try_from(deleted).unwrap_or(0))
    }

    pub(super) async fn set_away(&self, login: &str, until_ms: Option<i64>) -> Result<(), StoreError> {
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
}

impl Postgres {
    /// One statement for the batch: one round trip and one WAL flush.
    pub(super) async fn record_events(&self, rows: &[EventRow]) -> Result<u64, StoreError> {
        // In id order, so that replicas recording the same events never wait on each other in a cycle.
        let mut rows: Vec<&EventRow> = rows.iter().collect();
        rows.sort_by(|a, b| a.id.cmp(&b.id));
        let done = sqlx::query(
            "INSERT INTO review_events (id, repo, pr, at_ms, event)
             SELECT id, repo, pr, at_ms, event::jsonb
             FROM UNNEST($1::text[], $2::text[], $3::int8[], $4::int8[], $5::text[]) AS t (id, repo, pr, at_ms, event)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.repo.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.pr).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.at_ms).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.json.as_str()).collect::<Vec<_>>())
        .execute(&self.pool)
        .await
        .map_err(StoreError::query("recording review events"))?;
        Ok(done.rows_affected())
    }

    /// Ordered byte-wise (`COLLATE "C"`), as SQLite orders, whatever the database's locale.
    pub(super) async fn active_prs(
        &self,
        since_ms: i64,
        repos: Option<&[String]>,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        sqlx::query_as(
            "SELECT repo, pr FROM review_events
             WHERE $2::text[] IS NULL OR lower(repo) = ANY($2)
             GROUP BY repo, pr
             HAVING MAX(at_ms) >= $1
                 OR COALESCE(MAX(CASE WHEN event->>'event' IN ('merged', 'closed') THEN at_ms END), -1)
                    < COALESCE(MAX(CASE WHEN event->>'event' = 'reopened' THEN at_ms END), 0)
             ORDER BY repo COLLATE \"C\", pr",
        )
        .bind(since_ms)
        .bind(repos)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("finding the PRs active in the digest's span"))
    }

    pub(super) async fn events_of_prs(&self, keys: &[(String, i64)]) -> Result<Vec<StoredRow>, StoreError> {
        sqlx::query_as(
            "SELECT e.repo, e.pr, e.id, e.event::text FROM review_events e
             JOIN UNNEST($1::text[], $2::int8[]) AS k (repo, pr) ON e.repo = k.repo AND e.pr = k.pr
             ORDER BY e.repo COLLATE \"C\", e.pr, e.at_ms, e.id COLLATE \"C\"",
        )
        .bind(keys.iter().map(|(repo, _)| repo.as_str()).collect::<Vec<_>>())
        .bind(keys.iter().map(|(_, pr)| *pr).collect::<Vec<_>>())
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("reading review events"))
    }

    pub(super) async fn latest_event(&self, repo: &str, pr: i64) -> Result<Option<(String, String)>, StoreError> {
        sqlx::query_as(
            "SELECT id, event::text FROM review_events WHERE repo = $1 AND pr = $2
             ORDER BY at_ms DESC, id COLLATE \"C\" DESC LIMIT 1",
        )
        .bind(repo)
        .bind(pr)
        .fetch_optional(&self.pool)
        .await
        .map_err(StoreError::query("reading a PR's latest review event"))
    }

    pub(super) async fn events_since(&self, repo: &str, since_ms: i64) -> Result<Vec<(String, String)>, StoreError> {
        sqlx::query_as(
            "SELECT id, event::text FROM review_events WHERE lower(repo) = lower($1) AND at_ms >= $2
             ORDER BY at_ms, id COLLATE \"C\"",
        )
        .bind(repo)
        .bind(since_ms)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("reading a repository's recent review events"))
    }

    /// One transaction: the PR's old paths out, its current ones in.
    pub(super) async fn record_pr_paths(
        &self,
        repo: &str,
        pr: i64,
        paths: &[&str],
        at_ms: i64,
    ) -> Result<(), StoreError> {
        const DOING: &str = "recording a PR's changed paths";
        let mut tx = self.pool.begin().await.map_err(StoreError::query(DOING))?;
        let result: Result<_, StoreError> = async {
            let tx = &mut tx;
            sqlx::query("DELETE FROM pr_paths WHERE repo = $1 AND pr = $2")
                .bind(repo)
                .bind(pr)
                .execute(&mut **tx)
                .await
                .map_err(StoreError::query(DOING))?;
            sqlx::query(
                "INSERT INTO pr_paths (repo, pr, path, at_ms)
                 SELECT $1, $2, path, $4 FROM UNNEST($3::text[]) AS t (path)
                 ON CONFLICT DO NOTHING",
            )
            .bind(repo)
            .bind(pr)
            .bind(paths)
            .bind(at_ms)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(DOING))?;
            Ok(())
        }
        .await;
        finish(tx, DOING, result).await
    }

    pub(super) async fn prs_touching(&self, repo: &str, paths: &[&str]) -> Result<Vec<i64>, StoreError> {
        sqlx::query_scalar("SELECT DISTINCT pr FROM pr_paths WHERE repo = $1 AND path = ANY($2) ORDER BY pr")
            .bind(repo)
            .bind(paths)
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::query("finding the PRs that touched a PR's paths"))
    }
}

/// Picks the key of the oldest ready delivery (skipping `passed`), takes its lease without waiting,
/// then takes its ready deliveries.
async fn try_claim(
    tx: &mut Transaction<'static, Db>,
    worker: &str,
    now_ms: i64,
    until_ms: i64,
    passed: &[String],
) -> Result<Attempt, StoreError> {
    const DOING: &str = "claiming work";
    // No lock yet: the lease below decides. An in_progress delivery whose key has no live lease
    // belongs to a worker that lost it.
    let key: Option<String> = sqlx::query_scalar(
        "SELECT d.work_key FROM deliveries d
         WHERE d.state IN ('queued', 'in_progress')
           AND (d.state = 'in_progress' OR d.next_attempt_ms <= $1)
           AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.work_key = d.work_key AND l.until_ms > $1)
           AND d.work_key <> ALL($2)
         ORDER BY d.received_at_ms, d.id
         LIMIT 1",
    )
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
            // Its holder finished between our look and our lease: nothing left, so no lease either.
            sqlx::query("DELETE FROM leases WHERE work_key = $1")
                .bind(&key)
                .execute(&mut **tx)
                .await
                .map_err(StoreError::query(DOING))?;
            Ok(Attempt::Passed(key))
        }
    }
}

/// Locks the key's lease row, inside `tx`, and checks that `work`'s worker still holds it: it may
/// have expired, but nobody else may have taken it over.
async fn lock_own_lease(tx: &mut Transaction<'static, Db>, work: &Work, doing: &'static str) -> Result<(), StoreError> {
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

async fn end_lease(tx: &mut Transaction<'static, Db>, work: &Work, doing: &'static str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM leases WHERE work_key = $1")
        .bind(&work.key)
        .execute(&mut **tx)
        .await
        .map_err(StoreError::query(doing))?;
    Ok(())
}
