//! Table `snoozes`: reviewers who stepped out of one PR's turn until a time (`/flowgate snooze
//! 1d`), so that its SLO reminds nobody who asked for quiet and its "waiting on" line says until
//! when. Logins are stored in lower case; the repository as GitHub names it.

use super::backend::{reading, writing};
use super::{Store, StoreError};

impl Store {
    /// Records that `login` snoozes `repo#pr` until `until_ms` (exclusive), replacing their
    /// earlier snooze on it.
    pub async fn set_snooze(&self, repo: &str, pr: u64, login: &str, until_ms: i64) -> Result<(), StoreError> {
        let (login, pr) = (login.to_lowercase(), pr_number(pr)?);
        writing!(&self.backend, |pool| {
            sqlx::query(
                "INSERT INTO snoozes (repo, pr, login, until_ms) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (repo, pr, login) DO UPDATE SET until_ms = excluded.until_ms",
            )
            .bind(repo)
            .bind(pr)
            .bind(&login)
            .bind(until_ms)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })
        .map_err(StoreError::query("recording a snooze"))?;
        Ok(())
    }

    /// Ends `login`'s snooze on `repo#pr` (`/flowgate snooze off`); none is no error.
    pub async fn clear_snooze(&self, repo: &str, pr: u64, login: &str) -> Result<(), StoreError> {
        let (login, pr) = (login.to_lowercase(), pr_number(pr)?);
        writing!(&self.backend, |pool| {
            sqlx::query("DELETE FROM snoozes WHERE repo = $1 AND pr = $2 AND login = $3")
                .bind(repo)
                .bind(pr)
                .bind(&login)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })
        .map_err(StoreError::query("ending a snooze"))?;
        Ok(())
    }

    /// The snoozes on `repo#pr` still running at `now_ms` (all of them with `i64::MIN`: a wait
    /// starts again from the end of a snooze), by login (lower case), with their end.
    pub async fn snoozes(&self, repo: &str, pr: u64, now_ms: i64) -> Result<Vec<(String, i64)>, StoreError> {
        let pr = pr_number(pr)?;
        reading!(&self.backend, |pool| {
            sqlx::query_as(
                "SELECT login, until_ms FROM snoozes WHERE repo = $1 AND pr = $2 AND until_ms > $3 ORDER BY login",
            )
            .bind(repo)
            .bind(pr)
            .bind(now_ms)
            .fetch_all(pool)
            .await
        })
        .map_err(StoreError::query("reading a PR's snoozes"))
    }
}

fn pr_number(pr: u64) -> Result<i64, StoreError> {
    i64::try_from(pr)
        .map_err(|_| StoreError::Query { doing: "a PR's snoozes", reason: format!("PR number {pr} is too large") })
}
