//! Table `digest_issues`: the weekly digest issue of each repository, and each team's weekly
//! Slack message, claimed in the database before it is made so that of several replicas exactly
//! one makes it. The `repo` column names the target: a repository (`owner/name`), or a team's
//! message (`slack:@org/team`, recorded with the number 0 once sent; no repository name holds a
//! `:`). Targets are stored in lower case.

use super::backend::{reading, writing};
use super::{Store, StoreError};

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

impl Store {
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
        let inserted = writing!(&self.backend, |pool| {
            sqlx::query(
                "INSERT INTO digest_issues (repo, week, issue_number, claimed_by, claimed_at_ms)
                 VALUES ($1, $2, NULL, $3, $4)
                 ON CONFLICT (repo, week) DO NOTHING",
            )
            .bind(&repo)
            .bind(week)
            .bind(claimant)
            .bind(now_ms)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })
        .map_err(StoreError::query("claiming the week's digest issue"))?;
        if inserted == 1 {
            return Ok(DigestClaim::Create);
        }
        match self.digest_issue_row(&repo, week).await? {
            Some((Some(number), _)) => Ok(DigestClaim::Update(number)),
            Some((None, claimed_at)) if claimed_at <= now_ms - stale_ms => {
                // Only if the claim is still the stale one read above: of several replicas taking
                // it over at once, one wins.
                let taken = writing!(&self.backend, |pool| {
                    sqlx::query(
                        "UPDATE digest_issues SET claimed_by = $3, claimed_at_ms = $5
                         WHERE repo = $1 AND week = $2 AND issue_number IS NULL AND claimed_at_ms = $4",
                    )
                    .bind(&repo)
                    .bind(week)
                    .bind(claimant)
                    .bind(claimed_at)
                    .bind(now_ms)
                    .execute(pool)
                    .await
                    .map(|done| done.rows_affected())
                })
                .map_err(StoreError::query("taking over the week's digest issue"))?;
                Ok(if taken == 1 { DigestClaim::Create } else { DigestClaim::Busy })
            }
            _ => Ok(DigestClaim::Busy),
        }
    }

    /// Records the issue the claimant created (or found) for the week.
    pub async fn digest_issue_created(&self, repo: &str, week: &str, number: i64) -> Result<(), StoreError> {
        let repo = repo.to_lowercase();
        writing!(&self.backend, |pool| {
            sqlx::query("UPDATE digest_issues SET issue_number = $3 WHERE repo = $1 AND week = $2")
                .bind(&repo)
                .bind(week)
                .bind(number)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })
        .map_err(StoreError::query("recording the week's digest issue"))?;
        Ok(())
    }

    /// Gives up an unfinished claim (creating the issue failed), so the next run tries again.
    pub async fn release_digest_claim(&self, repo: &str, week: &str, claimant: &str) -> Result<(), StoreError> {
        let repo = repo.to_lowercase();
        writing!(&self.backend, |pool| {
            sqlx::query(
                "DELETE FROM digest_issues WHERE repo = $1 AND week = $2 AND claimed_by = $3 AND issue_number IS NULL",
            )
            .bind(&repo)
            .bind(week)
            .bind(claimant)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })
        .map_err(StoreError::query("releasing the week's digest issue"))?;
        Ok(())
    }

    /// The issue recorded for the week, if it was created.
    pub async fn digest_issue(&self, repo: &str, week: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.digest_issue_row(&repo.to_lowercase(), week).await?.and_then(|(n, _)| n))
    }

    /// The week's issue number, if created, and when it was claimed; `repo` in lower case.
    async fn digest_issue_row(&self, repo: &str, week: &str) -> Result<Option<(Option<i64>, i64)>, StoreError> {
        reading!(&self.backend, |pool| {
            sqlx::query_as("SELECT issue_number, claimed_at_ms FROM digest_issues WHERE repo = $1 AND week = $2")
                .bind(repo)
                .bind(week)
                .fetch_optional(pool)
                .await
        })
        .map_err(StoreError::query("reading the week's digest issue"))
    }
}
