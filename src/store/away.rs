//! Table `away`: reviewers who said they are away (`/flowgate unavailable [until DATE]`), so that
//! reviewer assignment passes them over until then. Logins are stored in lower case.

use super::backend::{reading, writing};
use super::{Store, StoreError};

impl Store {
    /// Records that `login` is away until `until_ms` (exclusive), or until they say otherwise.
    pub async fn set_away(&self, login: &str, until_ms: Option<i64>) -> Result<(), StoreError> {
        let login = login.to_lowercase();
        writing!(&self.backend, |pool| {
            sqlx::query(
                "INSERT INTO away (login, until_ms) VALUES ($1, $2)
                 ON CONFLICT (login) DO UPDATE SET until_ms = excluded.until_ms",
            )
            .bind(&login)
            .bind(until_ms)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })
        .map_err(StoreError::query("recording an absence"))?;
        Ok(())
    }

    /// `login` is back.
    pub async fn clear_away(&self, login: &str) -> Result<(), StoreError> {
        let login = login.to_lowercase();
        writing!(&self.backend, |pool| {
            sqlx::query("DELETE FROM away WHERE login = $1")
                .bind(&login)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })
        .map_err(StoreError::query("ending an absence"))?;
        Ok(())
    }

    /// Everyone away at `now_ms`, in lower case, with the end of their absence if they gave one.
    pub async fn away(&self, now_ms: i64) -> Result<Vec<(String, Option<i64>)>, StoreError> {
        reading!(&self.backend, |pool| {
            sqlx::query_as("SELECT login, until_ms FROM away WHERE until_ms IS NULL OR until_ms > $1 ORDER BY login")
                .bind(now_ms)
                .fetch_all(pool)
                .await
        })
        .map_err(StoreError::query("reading absences"))
    }
}
