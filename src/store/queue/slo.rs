//! Review SLO work in the queue: when a watched PR's ladder falls due, the sweeper adds a row of
//! `deliveries` that no webhook sent, event `slo`, at live priority (a reminder is as urgent as a
//! webhook). Its id is made from the PR and the moment it fell due, so replicas sweeping at once
//! add it once, and a PR that already waits for an evaluation gets no second one: that
//! evaluation looks at the ladder too.

use super::super::backend::in_transaction;
use super::super::{Store, StoreError};
use super::{NewDelivery, work_key};

/// The event of a review SLO look at one PR.
pub const SLO_EVENT: &str = "slo";

impl Store {
    /// Queues one SLO look at a PR, at live priority. True when it was added; false when its id
    /// is stored already (another replica's sweep) or the PR already has a queued delivery.
    pub async fn enqueue_slo(&self, d: &NewDelivery) -> Result<bool, StoreError> {
        const DOING: &str = "queueing a review SLO look";
        let key = work_key(d);
        let added = in_transaction!(&self.backend, DOING, |db, tx| {
            let done = sqlx::query(
                "INSERT INTO deliveries (id, event, action, installation_id, repo, pr, work_key, received_at_ms,
                                         next_attempt_ms, priority)
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $8, 0
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
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(DOING))?;
            if done.rows_affected() == 1 {
                sqlx::query("INSERT INTO delivery_bodies (id, body) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING")
                    .bind(&d.id)
                    .bind(&d.body)
                    .execute(&mut **tx)
                    .await
                    .map_err(StoreError::query(DOING))?;
            }
            Ok(done.rows_affected())
        })?;
        Ok(added == 1)
    }
}
