//! Table `evaluations`: each evaluation of a PR by the App, with its state, why it fails and
//! whether the policy enforced it or only showed it (shadow mode), so that the digest counts the
//! PRs that would have failed in shadow mode, and a check run that says flowgate gave up knows
//! whether the repository's policy would block. Repository names are stored in lower case.

use super::backend::{each_backend, placeholders, reading, writing};
use super::{Store, StoreError};
use crate::latency::LatestEvaluation;
use crate::model::{Enforcement, FailReason};

/// One evaluation to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation<'a> {
    pub repo: &'a str,
    pub pr: u64,
    pub at_ms: i64,
    pub enforcement: Enforcement,
    /// `pass`, `pending` or `fail`, after any override.
    pub state: &'a str,
    /// Why it fails; empty unless it does.
    pub reasons: &'a [FailReason],
}

/// A row as read back: repository, PR, enforcement, state, reasons.
type Row = (String, i64, String, String, String);

impl Store {
    /// Records one evaluation. The same PR evaluated twice in one millisecond keeps the first.
    pub async fn record_evaluation(&self, e: &Evaluation<'_>) -> Result<(), StoreError> {
        let pr = i64::try_from(e.pr).map_err(|_| StoreError::InvalidEvent {
            id: format!("{}#{}", e.repo, e.pr),
            reason: format!("PR number {} is too large", e.pr),
        })?;
        let reasons: Vec<&str> = e.reasons.iter().map(|r| r.id()).collect();
        let repo = e.repo.to_ascii_lowercase();
        writing!(&self.backend, |pool| {
            sqlx::query(
                "INSERT INTO evaluations (repo, pr, at_ms, enforcement, state, reasons)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            )
            .bind(&repo)
            .bind(pr)
            .bind(e.at_ms)
            .bind(e.enforcement.id())
            .bind(e.state)
            .bind(reasons.join(","))
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(StoreError::query("recording an evaluation"))
    }

    /// Each PR's latest evaluation in `[start_ms, end_ms)`, by repository and number; `repos`
    /// (any case) limits the repositories.
    pub async fn latest_evaluations(
        &self,
        start_ms: i64,
        end_ms: i64,
        repos: Option<&[String]>,
    ) -> Result<Vec<LatestEvaluation>, StoreError> {
        let repos: Option<Vec<String>> = repos.map(|r| r.iter().map(|n| n.to_ascii_lowercase()).collect());
        let rows: Vec<Row> = each_backend!(&self.backend, |db| {
            let filter = match &repos {
                Some(repos) => format!("AND repo IN ({})", placeholders(3, repos.len())),
                None => String::new(),
            };
            let sql = format!(
                "SELECT e.repo, e.pr, e.enforcement, e.state, e.reasons FROM evaluations e
                 JOIN (SELECT repo, pr, MAX(at_ms) AS last FROM evaluations
                       WHERE at_ms >= $1 AND at_ms < $2 {filter} GROUP BY repo, pr) l
                   ON e.repo = l.repo AND e.pr = l.pr AND e.at_ms = l.last
                 ORDER BY e.repo{}, e.pr",
                db.dialect().bytewise
            );
            let mut query = sqlx::query_as(&sql).bind(start_ms).bind(end_ms);
            for repo in repos.iter().flatten() {
                query = query.bind(repo);
            }
            query.fetch_all(&db.pool).await
        })
        .map_err(StoreError::query("reading the span's evaluations"))?;
        Ok(rows
            .into_iter()
            .filter_map(|(repo, pr, enforcement, state, reasons)| {
                Some(LatestEvaluation {
                    repo,
                    pr: u64::try_from(pr).ok()?,
                    enforcement: Enforcement::from_id(&enforcement),
                    failed: state == "fail",
                    // A kind this flowgate does not know (a later one wrote it) is left out; the PR
                    // still counts as failed.
                    reasons: reasons.split(',').filter_map(FailReason::from_id).collect(),
                })
            })
            .collect())
    }

    /// The enforcement of the repository's latest recorded evaluation (any case of its name), for
    /// a check run written without reading the policy; `None` before any.
    pub async fn latest_enforcement(&self, repo: &str) -> Result<Option<Enforcement>, StoreError> {
        let repo = repo.to_ascii_lowercase();
        let found: Option<String> = reading!(&self.backend, |pool| {
            sqlx::query_scalar("SELECT enforcement FROM evaluations WHERE repo = $1 ORDER BY at_ms DESC LIMIT 1")
                .bind(&repo)
                .fetch_optional(pool)
                .await
        })
        .map_err(StoreError::query("reading a repository's latest evaluation"))?;
        Ok(found.as_deref().map(Enforcement::from_id))
    }

    /// Deletes up to `limit` evaluations made before `before_ms`, keeping each repository's newest
    /// one (a check run written without reading the policy asks it whether the repository is in
    /// shadow mode, however long ago it was evaluated). Returns how many were deleted.
    pub async fn prune_evaluations(&self, before_ms: i64, limit: i64) -> Result<u64, StoreError> {
        writing!(&self.backend, |pool| {
            sqlx::query(
                "DELETE FROM evaluations WHERE (repo, pr, at_ms) IN (
                     SELECT e.repo, e.pr, e.at_ms FROM evaluations e
                     WHERE e.at_ms < $1
                       AND e.at_ms < (SELECT MAX(n.at_ms) FROM evaluations n WHERE n.repo = e.repo)
                     ORDER BY e.at_ms LIMIT $2)",
            )
            .bind(before_ms)
            .bind(limit)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })
        .map_err(StoreError::query("deleting old evaluations"))
    }

    /// Each repository's latest recorded evaluation: repository (lower case) to (PR, when in ms
    /// since the epoch, state, enforcement).
    pub async fn last_evaluation_by_repo(
        &self,
    ) -> Result<std::collections::BTreeMap<String, (u64, i64, String, Enforcement)>, StoreError> {
        let rows: Vec<(String, i64, i64, String, String)> = reading!(&self.backend, |pool| {
            sqlx::query_as(
                "SELECT e.repo, e.pr, e.at_ms, e.state, e.enforcement FROM evaluations e
                 JOIN (SELECT repo, MAX(at_ms) AS last FROM evaluations GROUP BY repo) l
                   ON e.repo = l.repo AND e.at_ms = l.last",
            )
            .fetch_all(pool)
            .await
        })
        .map_err(StoreError::query("reading each repository's latest evaluation"))?;
        Ok(rows
            .into_iter()
            .filter_map(|(repo, pr, at_ms, state, enforcement)| {
                Some((repo, (u64::try_from(pr).ok()?, at_ms, state, Enforcement::from_id(&enforcement))))
            })
            .collect())
    }
}
