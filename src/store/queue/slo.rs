//! Review SLO work in the queue: when a watched PR's ladder falls due, the sweeper adds a row of
//! `deliveries` that no webhook sent, event `slo`, at live priority (a reminder is as urgent as a
//! webhook). Its id is made from the PR and the moment it fell due, so replicas sweeping at once
//! add it once, and a PR that already waits for an evaluation gets no second one: that
//! evaluation looks at the ladder too.

use super::super::{Store, StoreError};
use super::NewDelivery;

/// The event of a review SLO look at one PR.
pub const SLO_EVENT: &str = "slo";

impl Store {
    /// Queues one SLO look at a PR, at live priority. True when it was added; false when its id
    /// is stored already (another replica's sweep) or the PR already has a queued delivery.
    pub async fn enqueue_slo(&self, d: &NewDelivery) -> Result<bool, StoreError> {
        let added = self.enqueue_unless_waiting(std::slice::from_ref(d), 0, "queueing a review SLO look").await?;
        Ok(added == 1)
    }
}
