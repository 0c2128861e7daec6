//! The gate's state at each merge: a merged PR's latest evaluation before its merge, read from
//! table `evaluations` for the digest's hygiene section (merges past a pending or failing gate).

use std::collections::{BTreeMap, HashMap};

use super::backend::{each_backend, placeholders};
use super::{Store, StoreError};
use crate::latency::{GateAtMerge, GateState, MergeSeen};
use crate::model::Enforcement;

/// Merged PRs of one repository whose evaluations one statement reads.
const PRS_PER_READ: usize = 100;

/// One stored evaluation: when, under which enforcement, with which state.
type Evaluation = (i64, String, String);

impl Store {
    /// For each merge, the PR's latest evaluation at or before the merge, if flowgate made one, in
    /// the order of `merges`. One statement per repository and hundred merged PRs, not per merge.
    pub async fn gates_at_merge(&self, merges: &[MergeSeen]) -> Result<Vec<GateAtMerge>, StoreError> {
        let mut by_repo: BTreeMap<String, Vec<(i64, i64)>> = BTreeMap::new();
        for merge in merges {
            let Ok(pr) = i64::try_from(merge.pr) else { continue };
            by_repo.entry(merge.repo.to_ascii_lowercase()).or_default().push((pr, merge.at.timestamp_millis()));
        }
        let mut latest: HashMap<(String, i64, i64), Evaluation> = HashMap::new();
        for (repo, merged) in &by_repo {
            for chunk in merged.chunks(PRS_PER_READ) {
                let until = chunk.iter().map(|(_, at)| *at).max().unwrap_or(i64::MIN);
                let sql = format!(
                    "SELECT pr, at_ms, enforcement, state FROM evaluations
                     WHERE repo = $1 AND at_ms <= $2 AND pr IN ({})",
                    placeholders(3, chunk.len())
                );
                let rows: Vec<(i64, i64, String, String)> = each_backend!(&self.backend, |db| {
                    let mut query = sqlx::query_as(&sql).bind(repo).bind(until);
                    for (pr, _) in chunk {
                        query = query.bind(*pr);
                    }
                    query.fetch_all(&db.pool).await
                })
                .map_err(StoreError::query("reading the gate's state at the merges"))?;
                for &(pr, merged_ms) in chunk {
                    let before = rows.iter().filter(|r| r.0 == pr && r.1 <= merged_ms).max_by_key(|r| r.1);
                    if let Some((_, at, enforcement, state)) = before {
                        latest.insert((repo.clone(), pr, merged_ms), (*at, enforcement.clone(), state.clone()));
                    }
                }
            }
        }
        let mut out = Vec::new();
        for merge in merges {
            let Ok(pr) = i64::try_from(merge.pr) else { continue };
            let key = (merge.repo.to_ascii_lowercase(), pr, merge.at.timestamp_millis());
            let Some((evaluated_ms, enforcement, state)) = latest.get(&key) else { continue };
            let state = match state.as_str() {
                "pass" => GateState::Pass,
                "pending" => GateState::Pending,
                // Anything else (a state a later flowgate wrote) is not a pass.
                _ => GateState::Fail,
            };
            out.push(GateAtMerge {
                repo: merge.repo.clone(),
                pr: merge.pr,
                evaluated_at: chrono::DateTime::from_timestamp_millis(*evaluated_ms).unwrap_or_default(),
                enforced: !Enforcement::from_id(enforcement).is_shadow(),
                state,
            });
        }
        Ok(out)
    }
}
