//! Onboarding work in the queue: rows of `deliveries` that no webhook sent, which the App adds when
//! it is installed, given repositories, or a repository's policy changes. They wait behind every
//! live delivery (priority 1), are added once each (their ids are made from what asked for them,
//! and a PR that already waits for an evaluation gets no second one), and are counted for
//! `/metrics`.

use super::super::backend::{in_transaction, placeholders, reading};
use super::super::{Store, StoreError};
use super::{NewDelivery, RELEASE_SET, Work, work_ids, work_key};

/// The event of an onboarding evaluation of one PR.
pub const ONBOARD_PR: &str = "onboarding";
/// The event of onboarding one repository: list its open PRs and queue an evaluation of each.
pub const ONBOARD_REPOSITORY: &str = "onboarding_repository";

/// The onboarding evaluations of PRs in each state, as the queue holds them (done ones are
/// counted as long as they are kept: `retain_days`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OnboardingCounts {
    /// Queued or in progress.
    pub pending: i64,
    pub done: i64,
    pub parked: i64,
}

impl Store {
    /// Queues onboarding work behind every live delivery. A row whose id is stored already (asked
    /// for before, done or not) is not added again, nor one whose key (its PR) already has a
    /// queued delivery: that evaluation reads the PR as it is then. Returns how many were added.
    pub async fn enqueue_onboarding(&self, rows: &[NewDelivery]) -> Result<u64, StoreError> {
        self.enqueue_unless_waiting(rows, 1, "queueing onboarding work").await
    }

    /// Queues rows no webhook sent (onboarding, review SLO looks) at `priority` (0 live, 1 behind
    /// every live delivery): a row whose id is stored already is not added again, nor one whose
    /// key (its PR) already has a queued delivery. Returns how many were added.
    pub(super) async fn enqueue_unless_waiting(
        &self,
        rows: &[NewDelivery],
        priority: i32,
        doing: &'static str,
    ) -> Result<u64, StoreError> {
        in_transaction!(&self.backend, doing, |db, tx| {
            let mut added = 0;
            for d in rows {
                let key = work_key(d);
                let done = sqlx::query(
                    "INSERT INTO deliveries (id, event, action, installation_id, repo, pr, work_key, received_at_ms,
                                             next_attempt_ms, priority)
                     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $8, $9
                     WHERE NOT EXISTS (SELECT 1 FROM deliveries WHERE work_key = $7 AND state = 'queued')
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(&d.id)
                .bind(&d.event)
                .bind(&d.action)
                .bind(d.installation_id)
                .bind(&d.repo)
                .bind(d.pr)
                .bind(&key)
                .bind(d.received_at_ms)
                .bind(priority)
                .execute(&mut **tx)
                .await
                .map_err(StoreError::query(doing))?;
                if done.rows_affected() == 0 {
                    continue;
                }
                sqlx::query("INSERT INTO delivery_bodies (id, body) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING")
                    .bind(&d.id)
                    .bind(&d.body)
                    .execute(&mut **tx)
                    .await
                    .map_err(StoreError::query(doing))?;
                added += 1;
            }
            Ok(added)
        })
    }

    /// The onboarding evaluations of PRs, by state.
    pub async fn onboarding_counts(&self) -> Result<OnboardingCounts, StoreError> {
        self.onboarding_counted(None).await
    }

    /// The onboarding evaluations whose ids start with `prefix` (one repository's onboarding), by
    /// state.
    pub async fn onboarding_counts_of(&self, prefix: &str) -> Result<OnboardingCounts, StoreError> {
        self.onboarding_counted(Some(prefix)).await
    }

    async fn onboarding_counted(&self, prefix: Option<&str>) -> Result<OnboardingCounts, StoreError> {
        // `substr`, not `LIKE`: a repository's name may hold `_`, which `LIKE` reads as any letter.
        let length = prefix.map_or(0, |p| i32::try_from(p.chars().count()).unwrap_or(i32::MAX));
        let counts: Vec<(String, i64)> = reading!(&self.backend, |pool| {
            sqlx::query_as(
                "SELECT state, COUNT(*) FROM deliveries
                 WHERE event = $1 AND (CAST($2 AS TEXT) IS NULL OR substr(id, 1, $3) = $2)
                 GROUP BY state",
            )
            .bind(ONBOARD_PR)
            .bind(prefix)
            .bind(length)
            .fetch_all(pool)
            .await
        })
        .map_err(StoreError::query("counting onboarding work"))?;
        let mut found = OnboardingCounts::default();
        for (state, n) in counts {
            match state.as_str() {
                "queued" | "in_progress" => found.pending += n,
                "done" => found.done += n,
                "parked" => found.parked += n,
                _ => {}
            }
        }
        Ok(found)
    }

    /// Gives the work back without counting the attempt its claim made, ready no sooner than
    /// `until_ms` (onboarding that waits for an installation's rate limit to reset). `LeaseLost`
    /// as for `complete`.
    pub async fn defer(&self, work: &Work, until_ms: i64) -> Result<(), StoreError> {
        const DOING: &str = "putting work off";
        let ids = work_ids(work);
        let sql = format!(
            "UPDATE deliveries {RELEASE_SET}, next_attempt_ms = $2
             WHERE id IN ({}) AND state = 'in_progress' AND claimed_by = $1",
            placeholders(3, ids.len())
        );
        in_transaction!(&self.backend, DOING, |db, tx| {
            db.hold_lease(tx, work, DOING).await?;
            if !ids.is_empty() {
                let mut query = sqlx::query(&sql).bind(&work.worker).bind(until_ms);
                for id in &ids {
                    query = query.bind(id);
                }
                query.execute(&mut **tx).await.map_err(StoreError::query(DOING))?;
            }
            sqlx::query(super::END_LEASE).bind(&work.key).execute(&mut **tx).await.map_err(StoreError::query(DOING))?;
            Ok(())
        })
    }
}
