//! Tables `slo_watch` and `slo_steps`: review SLOs while a PR waits (snoozes are `snooze`). A watch says when
//! an open PR's escalation ladder next needs a look; the sweeper lists the due ones. A step row is
//! both the claim and the record of a step of the ladder for one reviewer's wait: only the caller
//! whose insert made the row sends the step, so it is sent at most once whatever the number of
//! replicas or restarts. A crash between the claim and the send loses that one message, which is
//! preferred to sending it twice. Logins are stored in lower case.

use super::backend::{reading, writing};
use super::{Store, StoreError};

/// An open PR whose ladder has a step ahead, and when it next needs a look.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SloWatch {
    pub repo: String,
    pub pr: i64,
    pub installation_id: Option<i64>,
    pub next_due_ms: i64,
}

/// One step of the ladder for one reviewer's wait, as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SloStepRow {
    pub login: String,
    /// `remind`, `channel`, `reassign`.
    pub step: String,
    /// When the wait began.
    pub period_ms: i64,
    /// `claimed` (taken, its sending not yet recorded), `sent`, `skipped: <why>` or `failed: <why>`.
    pub outcome: String,
    /// How it was sent: `slack_dm`, `comment`, `channel`, `reassign`.
    pub via: Option<String>,
    pub at_ms: i64,
}

/// Names one step of one reviewer's wait on one PR.
#[derive(Debug, Clone, Copy)]
pub struct StepKey<'a> {
    pub repo: &'a str,
    pub pr: i64,
    pub login: &'a str,
    pub step: &'a str,
    pub period_ms: i64,
}

/// The outcome a claimed step has until its sending is recorded.
pub const CLAIMED: &str = "claimed";

impl Store {
    /// Watches the PR: its ladder next needs a look at `next_due_ms`.
    pub async fn watch_slo(
        &self,
        repo: &str,
        pr: i64,
        installation_id: Option<i64>,
        next_due_ms: i64,
    ) -> Result<(), StoreError> {
        writing!(&self.backend, |pool| {
            sqlx::query(
                "INSERT INTO slo_watch (repo, pr, installation_id, next_due_ms) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (repo, pr) DO UPDATE
                 SET installation_id = excluded.installation_id, next_due_ms = excluded.next_due_ms",
            )
            .bind(repo)
            .bind(pr)
            .bind(installation_id)
            .bind(next_due_ms)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })
        .map_err(StoreError::query("watching a PR's review SLO"))?;
        Ok(())
    }

    /// Stops watching the PR (closed, merged, no SLO, or nothing left on its ladder).
    pub async fn unwatch_slo(&self, repo: &str, pr: i64) -> Result<(), StoreError> {
        writing!(&self.backend, |pool| {
            sqlx::query("DELETE FROM slo_watch WHERE repo = $1 AND pr = $2")
                .bind(repo)
                .bind(pr)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })
        .map_err(StoreError::query("ending a PR's review SLO watch"))?;
        Ok(())
    }

    /// The PR's watch, if it has one.
    pub async fn slo_watch(&self, repo: &str, pr: i64) -> Result<Option<SloWatch>, StoreError> {
        reading!(&self.backend, |pool| {
            sqlx::query_as("SELECT repo, pr, installation_id, next_due_ms FROM slo_watch WHERE repo = $1 AND pr = $2")
                .bind(repo)
                .bind(pr)
                .fetch_optional(pool)
                .await
        })
        .map_err(StoreError::query("reading a PR's review SLO watch"))
    }

    /// Up to `limit` watches due at `now_ms`, the most overdue first.
    pub async fn due_slo_watches(&self, now_ms: i64, limit: i64) -> Result<Vec<SloWatch>, StoreError> {
        reading!(&self.backend, |pool| {
            sqlx::query_as(
                "SELECT repo, pr, installation_id, next_due_ms FROM slo_watch WHERE next_due_ms <= $1
                 ORDER BY next_due_ms, repo, pr LIMIT $2",
            )
            .bind(now_ms)
            .bind(limit)
            .fetch_all(pool)
            .await
        })
        .map_err(StoreError::query("listing the review SLO watches due"))
    }

    /// Claims a step, recording it with `outcome` (`CLAIMED` for one about to be sent, or a
    /// settled `skipped: ...`). True when this call inserted the row: only then may the caller act.
    /// A row already there (another replica, an earlier run) leaves everything as it is.
    pub async fn claim_slo_step(&self, key: StepKey<'_>, outcome: &str, at_ms: i64) -> Result<bool, StoreError> {
        let login = key.login.to_lowercase();
        let inserted = writing!(&self.backend, |pool| {
            sqlx::query(
                "INSERT INTO slo_steps (repo, pr, login, step, period_ms, outcome, via, at_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)
                 ON CONFLICT (repo, pr, login, step, period_ms) DO NOTHING",
            )
            .bind(key.repo)
            .bind(key.pr)
            .bind(&login)
            .bind(key.step)
            .bind(key.period_ms)
            .bind(outcome)
            .bind(at_ms)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })
        .map_err(StoreError::query("claiming a review SLO step"))?;
        Ok(inserted == 1)
    }

    /// Records what became of a claimed step: `sent` (with `via`) or `failed: <why>`.
    pub async fn record_slo_outcome(
        &self,
        key: StepKey<'_>,
        outcome: &str,
        via: Option<&str>,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let login = key.login.to_lowercase();
        writing!(&self.backend, |pool| {
            sqlx::query(
                "UPDATE slo_steps SET outcome = $6, via = $7, at_ms = $8
                 WHERE repo = $1 AND pr = $2 AND login = $3 AND step = $4 AND period_ms = $5",
            )
            .bind(key.repo)
            .bind(key.pr)
            .bind(&login)
            .bind(key.step)
            .bind(key.period_ms)
            .bind(outcome)
            .bind(via)
            .bind(at_ms)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })
        .map_err(StoreError::query("recording a review SLO step"))?;
        Ok(())
    }

    /// Every step taken or settled on the PR, oldest wait first.
    pub async fn slo_steps(&self, repo: &str, pr: i64) -> Result<Vec<SloStepRow>, StoreError> {
        reading!(&self.backend, |pool| {
            sqlx::query_as(
                "SELECT login, step, period_ms, outcome, via, at_ms FROM slo_steps WHERE repo = $1 AND pr = $2
                 ORDER BY period_ms, login, step",
            )
            .bind(repo)
            .bind(pr)
            .fetch_all(pool)
            .await
        })
        .map_err(StoreError::query("reading a PR's review SLO steps"))
    }
}
