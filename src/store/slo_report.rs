//! Reading table `slo_steps` for the digest: the steps of the review SLO ladder recorded in a
//! span, without who they were for (the digest shows team figures only).

use super::backend::{each_backend, placeholders};
use super::{Store, StoreError};
use crate::latency::LadderStep;

type Row = (String, i64, String, String, Option<String>);

impl Store {
    /// The steps recorded (`at_ms`) in `[start_ms, end_ms)`, by repository and PR; `repos` (any
    /// case) limits the repositories.
    pub async fn slo_steps_between(
        &self,
        start_ms: i64,
        end_ms: i64,
        repos: Option<&[String]>,
    ) -> Result<Vec<LadderStep>, StoreError> {
        let repos: Option<Vec<String>> = repos.map(|r| r.iter().map(|n| n.to_ascii_lowercase()).collect());
        let rows: Vec<Row> = each_backend!(&self.backend, |db| {
            let filter = match &repos {
                Some(repos) => format!("AND lower(repo) IN ({})", placeholders(3, repos.len())),
                None => String::new(),
            };
            let sql = format!(
                "SELECT repo, pr, step, outcome, via FROM slo_steps WHERE at_ms >= $1 AND at_ms < $2 {filter}
                 ORDER BY repo{}, pr, at_ms",
                db.dialect().bytewise
            );
            let mut query = sqlx::query_as(&sql).bind(start_ms).bind(end_ms);
            for repo in repos.iter().flatten() {
                query = query.bind(repo);
            }
            query.fetch_all(&db.pool).await
        })
        .map_err(StoreError::query("reading the span's review SLO steps"))?;
        Ok(rows
            .into_iter()
            .filter_map(|(repo, pr, step, outcome, via)| {
                Some(LadderStep { repo, pr: u64::try_from(pr).ok()?, step, outcome, via })
            })
            .collect())
    }
}
