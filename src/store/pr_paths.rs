//! Table `pr_paths`: the paths each evaluated PR changes, so that reviewer assignment can find the
//! people who recently worked on the same paths. Repository names are stored in lower case.

use std::collections::BTreeSet;

use sqlx::Transaction;

use super::backend::{Postgres, Sqlite, in_transaction, placeholders, reading};
use super::{Store, StoreError};

/// Paths asked about in one statement by `prs_touching`: a statement's parameters are limited
/// (SQLite: 32766), and a PR may change thousands of files.
const PATHS_PER_READ: usize = 500;

const RECORDING: &str = "recording a PR's changed paths";

impl Store {
    /// Records the paths a PR changes as of this evaluation, replacing what was recorded before,
    /// in one transaction.
    pub async fn record_pr_paths(&self, repo: &str, pr: u64, paths: &[String], at_ms: i64) -> Result<(), StoreError> {
        let pr = i64::try_from(pr).map_err(|_| StoreError::InvalidEvent {
            id: format!("{repo}#{pr}"),
            reason: format!("PR number {pr} is too large"),
        })?;
        let mut paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        paths.sort_unstable();
        paths.dedup();
        let repo = repo.to_ascii_lowercase();
        in_transaction!(&self.backend, RECORDING, |db, tx| {
            sqlx::query("DELETE FROM pr_paths WHERE repo = $1 AND pr = $2")
                .bind(&repo)
                .bind(pr)
                .execute(&mut **tx)
                .await
                .map_err(StoreError::query(RECORDING))?;
            db.insert_pr_paths(tx, &repo, pr, &paths, at_ms).await
        })
    }

    /// The PRs of the repository recorded as changing any of `paths`.
    pub async fn prs_touching(&self, repo: &str, paths: &[String]) -> Result<BTreeSet<u64>, StoreError> {
        let repo = repo.to_ascii_lowercase();
        let mut prs = BTreeSet::new();
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        for chunk in paths.chunks(PATHS_PER_READ) {
            let sql = format!(
                "SELECT DISTINCT pr FROM pr_paths WHERE repo = $1 AND path IN ({}) ORDER BY pr",
                placeholders(2, chunk.len())
            );
            let found: Vec<i64> = reading!(&self.backend, |pool| {
                let mut query = sqlx::query_scalar(&sql).bind(&repo);
                for path in chunk {
                    query = query.bind(*path);
                }
                query.fetch_all(pool).await
            })
            .map_err(StoreError::query("finding the PRs that touched a PR's paths"))?;
            prs.extend(found.into_iter().filter_map(|pr| u64::try_from(pr).ok()));
        }
        Ok(prs)
    }
}

// Writing a list of paths is where the two databases differ: SQLite inserts a row at a time inside
// the transaction, PostgreSQL inserts them all in one statement over an array.

impl Sqlite {
    async fn insert_pr_paths(
        &self,
        tx: &mut Transaction<'static, sqlx::Sqlite>,
        repo: &str,
        pr: i64,
        paths: &[&str],
        at_ms: i64,
    ) -> Result<(), StoreError> {
        for path in paths {
            sqlx::query("INSERT INTO pr_paths (repo, pr, path, at_ms) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                .bind(repo)
                .bind(pr)
                .bind(path)
                .bind(at_ms)
                .execute(&mut **tx)
                .await
                .map_err(StoreError::query(RECORDING))?;
        }
        Ok(())
    }
}

impl Postgres {
    async fn insert_pr_paths(
        &self,
        tx: &mut Transaction<'static, sqlx::Postgres>,
        repo: &str,
        pr: i64,
        paths: &[&str],
        at_ms: i64,
    ) -> Result<(), StoreError> {
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
        .map_err(StoreError::query(RECORDING))?;
        Ok(())
    }
}
