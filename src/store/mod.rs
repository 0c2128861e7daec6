//! The durable store of webhook deliveries behind `flowgate serve`: a delivery is stored before
//! GitHub is answered, then workers claim the deliveries of one key (one PR) at a time under a
//! lease, and mark them done, retry them later, park them, or give them back.
//!
//! Two backends with one behaviour: SQLite for a single server (`sqlite`), PostgreSQL for
//! several replicas sharing one queue (`postgres`). Every time is passed in, never read from the
//! clock here, so that tests control it.

mod batch;
mod error;
mod events;
mod postgres;
mod sqlite;

use std::fmt;

use sqlx::Transaction;

pub use error::{StoreError, redact};

use crate::latency::{Event, PrContext};

/// What a replica may do about a week's digest issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestClaim {
    /// This replica holds the claim: it creates the issue (or finds one made before a crash).
    Create,
    /// The issue exists: update it.
    Update(i64),
    /// Another replica is creating it right now.
    Busy,
}

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

/// The store: cheap to clone, every clone shares one pool.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    /// Shared by every clone; `None` only inside the committing tasks' own handle.
    inserter: Option<batch::Inserter>,
}

#[derive(Clone)]
enum Backend {
    Sqlite(sqlite::Sqlite),
    Postgres(postgres::Postgres),
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend()).finish_non_exhaustive()
    }
}

/// Calls the same method on whichever backend the store has.
macro_rules! dispatch {
    ($self:ident.$method:ident($($arg:expr),*)) => {
        match &$self.backend {
            Backend::Sqlite(db) => db.$method($($arg),*).await,
            Backend::Postgres(db) => db.$method($($arg),*).await,
        }
    };
}

impl Store {
    /// Opens the database and creates or updates its tables. `url` is `sqlite://PATH` (the file is
    /// created if missing), `sqlite::memory:` (one connection, so every user sees the same
    /// database), or `postgres://...`.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite(sqlite::Sqlite::connect(url).await?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres(postgres::Postgres::connect(url).await?)
        } else {
            return Err(StoreError::UnsupportedUrl { url: redact(url) });
        };
        // SQLite has one writer, so a second committer would only wait; PostgreSQL overlaps one
        // batch's flush with the next one's statement.
        let committers = match backend {
            Backend::Sqlite(_) => 1,
            Backend::Postgres(_) => 2,
        };
        let inner = Store { backend, inserter: None };
        let inserter = batch::Inserter::spawn(inner.clone(), committers);
        Ok(Store { inserter: Some(inserter), ..inner })
    }

    /// "sqlite" or "postgres".
    pub fn backend(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Whether the database answers, for readiness checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        dispatch!(self.ping())
    }

    /// Stores a delivery, committed when this returns; a known id changes nothing. Deliveries
    /// stored at the same moment share one transaction (see `batch`).
    pub async fn insert(&self, d: NewDelivery) -> Result<Insert, StoreError> {
        match &self.inserter {
            Some(inserter) => inserter.insert(d).await,
            None => Ok(self.insert_batch(&[(&d, work_key(&d))]).await?.pop().unwrap_or(Insert::Duplicate)),
        }
    }

    /// Stores several deliveries in one transaction, committed when this returns.
    pub(crate) async fn insert_batch(&self, batch: &[(&NewDelivery, String)]) -> Result<Vec<Insert>, StoreError> {
        dispatch!(self.insert_batch(batch))
    }

    /// Deletes up to `limit` deliveries that were done before `done_before_ms`, with their bodies,
    /// oldest first; returns how many. A delivery id is remembered only while its row is kept, so
    /// keep them longer than GitHub may redeliver (three days).
    pub async fn prune_done(&self, done_before_ms: i64, limit: i64) -> Result<u64, StoreError> {
        dispatch!(self.prune_done(done_before_ms, limit))
    }

    /// Whether a delivery with this id is stored, in any state.
    pub async fn contains(&self, id: &str) -> Result<bool, StoreError> {
        dispatch!(self.contains(id))
    }

    /// Leases to `worker`, until `now_ms + lease_ms`, the key of the oldest ready delivery whose
    /// key nobody else holds, with every ready delivery of that key. Ready: queued and due, or in
    /// progress under a lease that has expired (its worker crashed or stalled). Claiming counts an
    /// attempt for each delivery; one whose worker stopped during its last attempt is parked here.
    pub async fn claim(&self, worker: &str, now_ms: i64, lease_ms: i64) -> Result<Option<Work>, StoreError> {
        dispatch!(self.claim(worker, now_ms, now_ms.saturating_add(lease_ms)))
    }

    /// Marks the work's deliveries done and ends the lease. `LeaseLost` if another worker took the
    /// key over meanwhile; a lease that expired but was not taken over still completes.
    pub async fn complete(&self, work: &Work, now_ms: i64) -> Result<(), StoreError> {
        dispatch!(self.complete(work, now_ms))
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
        let error = truncate(error, MAX_ERROR_LEN);
        dispatch!(self.retry_later(work, error, next_attempt_ms, max_attempts))
    }

    /// Extends the work's lease to `until_ms` while it is still being done, so a long evaluation
    /// (a rate limit waited out) is not taken over. `LeaseLost` as for `complete`.
    pub async fn renew(&self, work: &Work, until_ms: i64) -> Result<(), StoreError> {
        dispatch!(self.renew(work, until_ms))
    }

    /// Gives the work back, ready at once, and takes back the attempt its claim counted (for a
    /// graceful shutdown).
    /// `LeaseLost` as for `complete`.
    pub async fn release(&self, work: &Work) -> Result<(), StoreError> {
        dispatch!(self.release(work))
    }

    pub async fn depth(&self) -> Result<QueueDepth, StoreError> {
        dispatch!(self.depth())
    }

    /// The parked deliveries, oldest first.
    pub async fn parked(&self) -> Result<Vec<ParkedDelivery>, StoreError> {
        dispatch!(self.parked())
    }

    /// Queues parked deliveries again, ready at `now_ms` with no attempts counted: the one with
    /// this id, or all of them. Returns how many.
    pub async fn requeue_parked(&self, id: Option<&str>, now_ms: i64) -> Result<u64, StoreError> {
        dispatch!(self.requeue_parked(id, now_ms))
    }

    /// Records that `login` is away until `until_ms` (exclusive), or until they say otherwise.
    pub async fn set_away(&self, login: &str, until_ms: Option<i64>) -> Result<(), StoreError> {
        dispatch!(self.set_away(&login.to_lowercase(), until_ms))
    }

    /// `login` is back.
    pub async fn clear_away(&self, login: &str) -> Result<(), StoreError> {
        dispatch!(self.clear_away(&login.to_lowercase()))
    }

    /// Everyone away at `now_ms`, in lower case, with the end of their absence if they gave one.
    pub async fn away(&self, now_ms: i64) -> Result<Vec<(String, Option<i64>)>, StoreError> {
        dispatch!(self.away(now_ms))
    }

    /// Claims the digest issue of `repo` for `week` (an ISO week such as `2026-W47`) for
    /// `claimant`, in one statement so that of several replicas exactly one may create the issue.
    /// A claim left unfinished for `stale_ms` (its holder died before creating the issue) is taken
    /// over.
    pub async fn claim_digest_issue(
        &self,
        repo: &str,
        week: &str,
        claimant: &str,
        now_ms: i64,
        stale_ms: i64,
    ) -> Result<DigestClaim, StoreError> {
        let repo = repo.to_lowercase();
        let inserted = dispatch!(self.insert_digest_claim(&repo, week, claimant, now_ms))?;
        if inserted {
            return Ok(DigestClaim::Create);
        }
        match dispatch!(self.digest_issue_row(&repo, week))? {
            Some((Some(number), _)) => Ok(DigestClaim::Update(number)),
            Some((None, claimed_at)) if claimed_at <= now_ms - stale_ms => {
                let taken = dispatch!(self.take_over_digest_claim(&repo, week, claimant, claimed_at, now_ms))?;
                Ok(if taken { DigestClaim::Create } else { DigestClaim::Busy })
            }
            _ => Ok(DigestClaim::Busy),
        }
    }

    /// Records the issue the claimant created (or found) for the week.
    pub async fn digest_issue_created(&self, repo: &str, week: &str, number: i64) -> Result<(), StoreError> {
        dispatch!(self.set_digest_issue(&repo.to_lowercase(), week, number))
    }

    /// Gives up an unfinished claim (creating the issue failed), so the next run tries again.
    pub async fn release_digest_claim(&self, repo: &str, week: &str, claimant: &str) -> Result<(), StoreError> {
        dispatch!(self.delete_digest_claim(&repo.to_lowercase(), week, claimant))
    }

    /// The issue recorded for the week, if it was created.
    pub async fn digest_issue(&self, repo: &str, week: &str) -> Result<Option<i64>, StoreError> {
        Ok(dispatch!(self.digest_issue_row(&repo.to_lowercase(), week))?.and_then(|(n, _)| n))
    }

    /// When the newest review event happened, if any is stored.
    pub async fn newest_event_at(&self) -> Result<Option<i64>, StoreError> {
        dispatch!(self.newest_event_at())
    }

    /// When the newest stored delivery was received, if any is stored.
    pub async fn newest_received_at(&self) -> Result<Option<i64>, StoreError> {
        dispatch!(self.newest_received_at())
    }

    /// Stores review events in one transaction, committed when this returns; an id already stored
    /// (or earlier in `events`) is skipped, so recording the same history again adds nothing.
    /// Returns how many were new.
    pub async fn record_events(&self, events: &[Event]) -> Result<u64, StoreError> {
        let rows = events.iter().map(events::EventRow::from_event).collect::<Result<Vec<_>, _>>()?;
        let mut seen = std::collections::HashSet::new();
        let rows: Vec<events::EventRow> = rows.into_iter().filter(|r| seen.insert(r.id.clone())).collect();
        let mut stored = 0;
        for chunk in rows.chunks(events::EVENTS_PER_WRITE) {
            stored += dispatch!(self.record_events(chunk))?;
        }
        Ok(stored)
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
        let repos = events::lowercase(repos);
        let keys: Vec<(String, i64)> = dispatch!(self.active_prs(since_ms, repos.as_deref()))?;
        for chunk in keys.chunks(events::PRS_PER_READ) {
            let rows = dispatch!(self.events_of_prs(chunk))?;
            events::hand_out_by_pr(rows, each_pr)?;
        }
        Ok(keys.len())
    }

    /// The PR's context as of its latest recorded event, for events recorded without a fresh
    /// evaluation (a closed PR is not evaluated again). `None` when nothing is recorded for it.
    pub async fn latest_context(&self, repo: &str, pr: u64) -> Result<Option<PrContext>, StoreError> {
        let Ok(pr) = i64::try_from(pr) else {
            return Ok(None);
        };
        let latest: Option<(String, String)> = dispatch!(self.latest_event(repo, pr))?;
        match latest {
            None => Ok(None),
            Some((id, json)) => serde_json::from_str::<Event>(&json)
                .map(|e| Some(e.context))
                .map_err(|e| StoreError::UnreadableEvent { id, reason: e.to_string() }),
        }
    }

    /// The repository's review events (any case of its name) at or after `since_ms`, oldest first.
    pub async fn events_since(&self, repo: &str, since_ms: i64) -> Result<Vec<Event>, StoreError> {
        let rows: Vec<(String, String)> = dispatch!(self.events_since(repo, since_ms))?;
        rows.into_iter()
            .map(|(id, json)| {
                serde_json::from_str::<Event>(&json)
                    .map_err(|e| StoreError::UnreadableEvent { id, reason: e.to_string() })
            })
            .collect()
    }

    /// Records the paths a PR changes as of this evaluation, replacing what was recorded before.
    pub async fn record_pr_paths(&self, repo: &str, pr: u64, paths: &[String], at_ms: i64) -> Result<(), StoreError> {
        let pr = i64::try_from(pr).map_err(|_| StoreError::InvalidEvent {
            id: format!("{repo}#{pr}"),
            reason: format!("PR number {pr} is too large"),
        })?;
        let mut paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        paths.sort_unstable();
        paths.dedup();
        let repo = repo.to_ascii_lowercase();
        dispatch!(self.record_pr_paths(&repo, pr, &paths, at_ms))
    }

    /// The PRs of the repository recorded as changing any of `paths`.
    pub async fn prs_touching(
        &self,
        repo: &str,
        paths: &[String],
    ) -> Result<std::collections::BTreeSet<u64>, StoreError> {
        let repo = repo.to_ascii_lowercase();
        let mut prs = std::collections::BTreeSet::new();
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        // A statement's parameters are limited (SQLite: 32766), and a PR may change thousands of files.
        for chunk in paths.chunks(PATHS_PER_READ) {
            let found: Vec<i64> = dispatch!(self.prs_touching(&repo, chunk))?;
            prs.extend(found.into_iter().filter_map(|pr| u64::try_from(pr).ok()));
        }
        Ok(prs)
    }

    /// How many times `complete` marked this delivery done (0 for an unknown id): exactly once
    /// is the promise that tests check.
    pub async fn times_completed(&self, id: &str) -> Result<i64, StoreError> {
        dispatch!(self.times_completed(id))
    }
}

/// Paths asked about in one statement by `prs_touching`.
const PATHS_PER_READ: usize = 500;

/// The most deliveries one claim takes. A burst for one PR still becomes one evaluation per this
/// many, and a claim never holds the database (SQLite's one writer) for long.
const CLAIM_LIMIT: i64 = 500;

/// Attempts a delivery gets before it is parked for an operator (`flowgate queue`). An attempt is
/// counted when it is claimed, before any work starts, so an attempt whose worker never reports
/// back (the process crashed or was killed, or the evaluation was abandoned) counts too: a delivery
/// that crashes the server every time is parked after this many starts instead of looping.
pub const MAX_ATTEMPTS: i32 = 6;

/// Run while claiming `$1` (its lease just taken): parks the key's deliveries still in progress
/// under the lapsed lease that have used all `$2` attempts. Their worker stopped during the last
/// one, so evaluating them again would most likely stop this worker too.
const PARK_STOPPED: &str = "UPDATE deliveries
     SET state = 'parked', claimed_by = NULL,
         last_error = substr('its worker stopped before finishing (the process crashed or was killed, or its lease lapsed) in attempt '
             || attempts || COALESCE('; before that: ' || last_error, ''), 1, 4000)
     WHERE work_key = $1 AND state = 'in_progress' AND attempts >= $2
     RETURNING id, installation_id, repo, pr";

/// The done deliveries that `prune_done` deletes: `$1` done before, `$2` at most.
const PRUNABLE: &str =
    "SELECT id FROM deliveries WHERE state = 'done' AND done_at_ms < $1 ORDER BY done_at_ms, id LIMIT $2";

/// Puts each body read back into its delivery; a delivery whose body is missing keeps an empty
/// one, which its worker reads as an unusable payload.
fn attach_bodies(work: &mut Work, bodies: Vec<(String, Vec<u8>)>) {
    let mut bodies: std::collections::HashMap<String, Vec<u8>> = bodies.into_iter().collect();
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

/// A claimed delivery as both backends read it back, with the key's own fields.
#[derive(sqlx::FromRow)]
struct ClaimedRow {
    #[sqlx(flatten)]
    delivery: QueuedDelivery,
    installation_id: Option<i64>,
    repo: Option<String>,
    pr: Option<i64>,
}

/// A delivery that a claim parked (see `PARK_STOPPED`), with its key's fields.
#[derive(sqlx::FromRow)]
struct ParkedRow {
    id: String,
    installation_id: Option<i64>,
    repo: Option<String>,
    pr: Option<i64>,
}

/// The claimed rows of `key` as one unit of work, oldest first, with what the claim parked;
/// `None` if there is neither.
fn work_from_rows(key: String, worker: &str, rows: Vec<ClaimedRow>, parked: Vec<ParkedRow>) -> Option<Work> {
    let (installation_id, repo, pr) = match (rows.first(), parked.first()) {
        (Some(r), _) => (r.installation_id, r.repo.clone(), r.pr),
        (None, Some(p)) => (p.installation_id, p.repo.clone(), p.pr),
        (None, None) => return None,
    };
    let mut deliveries: Vec<QueuedDelivery> = rows.into_iter().map(|r| r.delivery).collect();
    deliveries.sort_by(|a, b| (a.received_at_ms, &a.id).cmp(&(b.received_at_ms, &b.id)));
    let parked_at_claim = parked.into_iter().map(|p| p.id).collect();
    Some(Work { key, worker: worker.to_string(), installation_id, repo, pr, deliveries, parked_at_claim })
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

/// Commits `tx` if `result` is a success, else rolls it back at once: a transaction merely
/// dropped is rolled back only when its connection is next used, holding its locks until then.
/// Callers run their statements in an `async` block and pass its result here; a helper taking an
/// async closure instead would make every store future fail to be `Send` (a compiler limitation
/// with closures over borrowed arguments), and the server spawns them.
async fn finish<Db: sqlx::Database, T>(
    tx: Transaction<'static, Db>,
    doing: &'static str,
    result: Result<T, StoreError>,
) -> Result<T, StoreError> {
    match result {
        Ok(value) => {
            tx.commit().await.map_err(StoreError::query(doing))?;
            Ok(value)
        }
        Err(e) => {
            // The error that made us roll back is the one to report; a failed rollback ends
            // with the connection anyway.
            let _ = tx.rollback().await;
            Err(e)
        }
    }
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
