//! What the two backends' claims share: the statements that find a ready key, park what its
//! stopped worker left behind and take its ready deliveries, and the rows they read back.

use super::{QueuedDelivery, Work};

/// The most deliveries one claim takes. A burst for one PR still becomes one evaluation per this
/// many, and a claim never holds the database (SQLite's one writer) for long.
pub(super) const CLAIM_LIMIT: i64 = 500;

/// The key of the oldest ready delivery whose key is not leased at `$1`, before any condition a
/// backend adds. An in_progress delivery whose key has no live lease belongs to a worker that
/// lost it.
pub(super) const READY_KEY: &str = "SELECT d.work_key FROM deliveries d
         WHERE d.state IN ('queued', 'in_progress')
           AND (d.state = 'in_progress' OR d.next_attempt_ms <= $1)
           AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.work_key = d.work_key AND l.until_ms > $1)";

/// Added to `READY_KEY` when onboarding work must wait (its pace is spent): live deliveries only.
pub(super) const LIVE_ONLY: &str = " AND d.priority = 0";

/// How `READY_KEY`'s keys are ranked: live deliveries before onboarding work, then the oldest.
pub(super) const READY_ORDER: &str = " ORDER BY d.priority, d.received_at_ms, d.id LIMIT 1";

/// The condition a claim adds to `READY_KEY` for `lanes`.
pub(super) fn lane_condition(lanes: super::Lanes) -> &'static str {
    match lanes {
        super::Lanes::All => "",
        super::Lanes::LiveOnly => LIVE_ONLY,
    }
}

/// Run while claiming `$1` (its lease just taken): parks the key's deliveries still in progress
/// under the lapsed lease that have used all `$2` attempts. Their worker stopped during the last
/// one, so evaluating them again would most likely stop this worker too.
pub(super) const PARK_STOPPED: &str = "UPDATE deliveries
     SET state = 'parked', claimed_by = NULL,
         last_error = substr('its worker stopped before finishing (the process crashed or was killed, or its lease lapsed) in attempt '
             || attempts || COALESCE('; before that: ' || last_error, ''), 1, 4000)
     WHERE work_key = $1 AND state = 'in_progress' AND attempts >= $2
     RETURNING id, installation_id, repo, pr";

/// Run while claiming `$1` for worker `$2` at `$3` (its lease just taken): takes up to `$4` of the
/// key's ready deliveries, oldest first, counting an attempt for each.
pub(super) const TAKE_READY: &str =
    "UPDATE deliveries SET state = 'in_progress', claimed_by = $2, attempts = attempts + 1
     WHERE id IN (SELECT id FROM deliveries
                  WHERE work_key = $1 AND state IN ('queued', 'in_progress')
                    AND (state = 'in_progress' OR next_attempt_ms <= $3)
                  ORDER BY received_at_ms, id
                  LIMIT $4)
     RETURNING id, event, action, attempts - 1 AS attempts, received_at_ms, installation_id, repo, pr";

/// A claimed delivery as both backends read it back, with the key's own fields.
#[derive(sqlx::FromRow)]
pub(super) struct ClaimedRow {
    #[sqlx(flatten)]
    delivery: QueuedDelivery,
    installation_id: Option<i64>,
    repo: Option<String>,
    pr: Option<i64>,
}

/// A delivery that a claim parked (see `PARK_STOPPED`), with its key's fields.
#[derive(sqlx::FromRow)]
pub(super) struct ParkedRow {
    id: String,
    installation_id: Option<i64>,
    repo: Option<String>,
    pr: Option<i64>,
}

/// The claimed rows of `key` as one unit of work, oldest first, with what the claim parked;
/// `None` if there is neither.
pub(super) fn work_from_rows(key: String, worker: &str, rows: Vec<ClaimedRow>, parked: Vec<ParkedRow>) -> Option<Work> {
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
