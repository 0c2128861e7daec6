//! Table `review_events`: review-flow events recorded once per id, and read back a PR's whole
//! history at a time for the digest, or a repository's recent events for reviewer assignment.

use std::collections::HashSet;

use super::backend::{Postgres, Sqlite, each_backend, placeholders, reading, transaction};
use super::{Store, StoreError};
use crate::latency::{Event, PrContext};

/// An event as a row of `review_events`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct EventRow {
    id: String,
    repo: String,
    pr: i64,
    at_ms: i64,
    /// The whole event as JSON.
    json: String,
}

/// A stored event as read back: the PR it belongs to, its id (to name it in errors), its JSON.
type StoredRow = (String, i64, String, String);

/// PRs whose events are read in one statement: enough to keep round trips few, few enough that one
/// batch of histories stays small however many PRs the digest spans.
const PRS_PER_READ: usize = 100;
/// Events written per statement, so that a backfill of a large repository never builds one
/// statement of unbounded size.
const EVENTS_PER_WRITE: usize = 1000;

impl EventRow {
    fn from_event(event: &Event) -> Result<EventRow, StoreError> {
        let invalid = |reason: String| StoreError::InvalidEvent { id: event.id.clone(), reason };
        let pr = i64::try_from(event.pr).map_err(|_| invalid(format!("PR number {} is too large", event.pr)))?;
        let json = serde_json::to_string(event).map_err(|e| invalid(e.to_string()))?;
        Ok(EventRow { id: event.id.clone(), repo: event.repo.clone(), pr, at_ms: event.at.timestamp_millis(), json })
    }
}

const RECORDING: &str = "recording review events";
const READING: &str = "reading review events";

/// The event column as text: SQLite stores the JSON as text, PostgreSQL as `jsonb`.
const EVENT_TEXT: &str = "CAST(event AS TEXT)";

impl Store {
    /// Stores review events in one transaction, committed when this returns; an id already stored
    /// (or earlier in `events`) is skipped, so recording the same history again adds nothing.
    /// Returns how many were new.
    pub async fn record_events(&self, events: &[Event]) -> Result<u64, StoreError> {
        let rows = events.iter().map(EventRow::from_event).collect::<Result<Vec<_>, _>>()?;
        let mut seen = HashSet::new();
        let rows: Vec<EventRow> = rows.into_iter().filter(|r| seen.insert(r.id.clone())).collect();
        let mut stored = 0;
        for chunk in rows.chunks(EVENTS_PER_WRITE) {
            stored += each_backend!(&self.backend, |db| db.insert_events(chunk).await)?;
        }
        Ok(stored)
    }

    /// When the newest review event happened, if any is stored.
    pub async fn newest_event_at(&self) -> Result<Option<i64>, StoreError> {
        reading!(&self.backend, |pool| sqlx::query_scalar("SELECT MAX(at_ms) FROM review_events").fetch_one(pool).await)
            .map_err(StoreError::query("reading the newest review event"))
    }

    /// Hands `each_pr` the whole history of every PR that was active since `since_ms` (the full
    /// history, because waits that end in the span began before it), one PR at a time, ordered by
    /// (repo, pr), each history by (time, id). Active: an event since `since_ms`, or still open
    /// (no `merged` or `closed` after its latest `reopened`), since a PR waiting for weeks has no
    /// recent event but is just what a digest must show. `repos` (any case) limits the
    /// repositories. Histories are read a batch of PRs at a time, so memory follows the largest
    /// batch, not the store. Returns how many PRs were handed out.
    pub async fn events_for_prs_active_since(
        &self,
        since_ms: i64,
        repos: Option<&[String]>,
        each_pr: &mut (dyn FnMut(&[Event]) + Send),
    ) -> Result<usize, StoreError> {
        let repos = lowercase(repos);
        let keys: Vec<(String, i64)> = each_backend!(&self.backend, |db| {
            let filter = match &repos {
                Some(repos) => format!("WHERE lower(repo) IN ({})", placeholders(2, repos.len())),
                None => String::new(),
            };
            let sql = format!(
                "SELECT repo, pr FROM review_events {filter}
                 GROUP BY repo, pr
                 HAVING MAX(at_ms) >= $1
                     OR COALESCE(MAX(CASE WHEN event ->> 'event' IN ('merged', 'closed') THEN at_ms END), -1)
                        < COALESCE(MAX(CASE WHEN event ->> 'event' = 'reopened' THEN at_ms END), 0)
                 ORDER BY repo{}, pr",
                db.dialect().bytewise
            );
            let mut query = sqlx::query_as(&sql).bind(since_ms);
            for repo in repos.iter().flatten() {
                query = query.bind(repo);
            }
            query.fetch_all(&db.pool).await
        })
        .map_err(StoreError::query("finding the PRs active in the digest's span"))?;
        for chunk in keys.chunks(PRS_PER_READ) {
            let rows = each_backend!(&self.backend, |db| db.events_of_prs(chunk).await)?;
            hand_out_by_pr(rows, each_pr)?;
        }
        Ok(keys.len())
    }

    /// The PR's context as of its latest recorded event, for events recorded without a fresh
    /// evaluation (a closed PR is not evaluated again). `None` when nothing is recorded for it.
    pub async fn latest_context(&self, repo: &str, pr: u64) -> Result<Option<PrContext>, StoreError> {
        let Ok(pr) = i64::try_from(pr) else {
            return Ok(None);
        };
        let latest: Option<(String, String)> = each_backend!(&self.backend, |db| {
            let sql = format!(
                "SELECT id, {EVENT_TEXT} FROM review_events WHERE repo = $1 AND pr = $2
                 ORDER BY at_ms DESC, id{} DESC LIMIT 1",
                db.dialect().bytewise
            );
            sqlx::query_as(&sql).bind(repo).bind(pr).fetch_optional(&db.pool).await
        })
        .map_err(StoreError::query("reading a PR's latest review event"))?;
        match latest {
            None => Ok(None),
            Some((id, json)) => read_event(id, &json).map(|e| Some(e.context)),
        }
    }

    /// One PR's whole history (its repository in any case), oldest first: whose turn it is now.
    pub async fn pr_events(&self, repo: &str, pr: u64) -> Result<Vec<Event>, StoreError> {
        let Ok(pr) = i64::try_from(pr) else {
            return Ok(Vec::new());
        };
        let rows: Vec<(String, String)> = each_backend!(&self.backend, |db| {
            let sql = format!(
                "SELECT id, {EVENT_TEXT} FROM review_events WHERE lower(repo) = lower($1) AND pr = $2
                 ORDER BY at_ms, id{}",
                db.dialect().bytewise
            );
            sqlx::query_as(&sql).bind(repo).bind(pr).fetch_all(&db.pool).await
        })
        .map_err(StoreError::query("reading a PR's review events"))?;
        rows.into_iter().map(|(id, json)| read_event(id, &json)).collect()
    }

    /// The repository's review events (any case of its name) at or after `since_ms`, oldest first.
    pub async fn events_since(&self, repo: &str, since_ms: i64) -> Result<Vec<Event>, StoreError> {
        let rows: Vec<(String, String)> = each_backend!(&self.backend, |db| {
            let sql = format!(
                "SELECT id, {EVENT_TEXT} FROM review_events WHERE lower(repo) = lower($1) AND at_ms >= $2
                 ORDER BY at_ms, id{}",
                db.dialect().bytewise
            );
            sqlx::query_as(&sql).bind(repo).bind(since_ms).fetch_all(&db.pool).await
        })
        .map_err(StoreError::query("reading a repository's recent review events"))?;
        rows.into_iter().map(|(id, json)| read_event(id, &json)).collect()
    }
}

/// A stored event's JSON read back; `id` names it if it does not read.
fn read_event(id: String, json: &str) -> Result<Event, StoreError> {
    serde_json::from_str::<Event>(json).map_err(|e| StoreError::UnreadableEvent { id, reason: e.to_string() })
}

// Lists of events and of PRs are where the two databases differ: SQLite writes a row at a time
// inside one transaction and matches PRs with an OR of equalities, PostgreSQL writes and matches
// over arrays in one statement.

impl Sqlite {
    async fn insert_events(&self, rows: &[EventRow]) -> Result<u64, StoreError> {
        transaction!(self, RECORDING, |tx| {
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
                .map_err(StoreError::query(RECORDING))?;
                stored += done.rows_affected();
            }
            Ok(stored)
        })
    }

    async fn events_of_prs(&self, keys: &[(String, i64)]) -> Result<Vec<StoredRow>, StoreError> {
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
        query.fetch_all(&self.pool).await.map_err(StoreError::query(READING))
    }
}

impl Postgres {
    /// One statement for the batch: one round trip and one WAL flush.
    async fn insert_events(&self, rows: &[EventRow]) -> Result<u64, StoreError> {
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
        .map_err(StoreError::query(RECORDING))?;
        Ok(done.rows_affected())
    }

    async fn events_of_prs(&self, keys: &[(String, i64)]) -> Result<Vec<StoredRow>, StoreError> {
        sqlx::query_as(
            "SELECT e.repo, e.pr, e.id, e.event::text FROM review_events e
             JOIN UNNEST($1::text[], $2::int8[]) AS k (repo, pr) ON e.repo = k.repo AND e.pr = k.pr
             ORDER BY e.repo COLLATE \"C\", e.pr, e.at_ms, e.id COLLATE \"C\"",
        )
        .bind(keys.iter().map(|(repo, _)| repo.as_str()).collect::<Vec<_>>())
        .bind(keys.iter().map(|(_, pr)| *pr).collect::<Vec<_>>())
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query(READING))
    }
}

/// Rows (ordered by PR, then time) as events, handed to `each_pr` one PR's history at a time.
fn hand_out_by_pr(rows: Vec<StoredRow>, each_pr: &mut (dyn FnMut(&[Event]) + Send)) -> Result<(), StoreError> {
    let mut history: Vec<Event> = Vec::new();
    let mut current: Option<(String, i64)> = None;
    for (repo, pr, id, json) in rows {
        if current.as_ref().is_some_and(|(r, p)| (r, *p) != (&repo, pr)) && !history.is_empty() {
            each_pr(&history);
            history.clear();
        }
        history.push(read_event(id, &json)?);
        current = Some((repo, pr));
    }
    if !history.is_empty() {
        each_pr(&history);
    }
    Ok(())
}

/// Repository names compare case-insensitively, as on GitHub.
fn lowercase(repos: Option<&[String]>) -> Option<Vec<String>> {
    repos.map(|repos| repos.iter().map(|r| r.to_ascii_lowercase()).collect())
}
