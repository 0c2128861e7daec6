//! The gate's state at each merge: a merged PR's latest evaluation before its merge, read from
//! table `evaluations` for the digest's hygiene section (merges past a pending or failing gate).

use super::backend::each_backend;
use super::{Store, StoreError};
use crate::latency::{GateAtMerge, GateState, MergeSeen};
use crate::model::Enforcement;

/// Merges looked up per digest: a week's merges stay far below it; past it the rest count as
/// not evaluated, never as passed.
const MAX_MERGES: usize = 5000;

impl Store {
    /// For each merge, the PR's latest evaluation at or before the merge, if flowgate made one.
    pub async fn gates_at_merge(&self, merges: &[MergeSeen]) -> Result<Vec<GateAtMerge>, StoreError> {
        let mut out = Vec::new();
        for merge in merges.iter().take(MAX_MERGES) {
            let Ok(pr) = i64::try_from(merge.pr) else { continue };
            let repo = merge.repo.to_ascii_lowercase();
            let at_ms = merge.at.timestamp_millis();
            let row: Option<(i64, String, String)> = each_backend!(&self.backend, |db| {
                sqlx::query_as(
                    "SELECT at_ms, enforcement, state FROM evaluations
                     WHERE repo = $1 AND pr = $2 AND at_ms <= $3 ORDER BY at_ms DESC LIMIT 1",
                )
                .bind(&repo)
                .bind(pr)
                .bind(at_ms)
                .fetch_optional(&db.pool)
                .await
            })
            .map_err(StoreError::query("reading the gate's state at a merge"))?;
            let Some((evaluated_ms, enforcement, state)) = row else { continue };
            let state = match state.as_str() {
                "pass" => GateState::Pass,
                "pending" => GateState::Pending,
                // Anything else (a state a later flowgate wrote) is not a pass.
                _ => GateState::Fail,
            };
            out.push(GateAtMerge {
                repo: merge.repo.clone(),
                pr: merge.pr,
                evaluated_at: chrono::DateTime::from_timestamp_millis(evaluated_ms).unwrap_or_default(),
                enforced: !Enforcement::from_id(&enforcement).is_shadow(),
                state,
            });
        }
        Ok(out)
    }
}
