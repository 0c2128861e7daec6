//! The durable store behind `flowgate serve`, on SQLite for a single server or PostgreSQL for
//! several replicas sharing one queue, with one behaviour. One module per group of tables, each
//! holding the `Store` methods over its tables and each statement once for both databases:
//!
//! - `queue`: webhook deliveries, their bodies and the leases on them;
//! - `events`: review events, for the digest and reviewer assignment;
//! - `away`: reviewers who said they are away;
//! - `digest_claims`: the weekly digest issue each repository gets;
//! - `pr_paths`: the paths each evaluated PR changes;
//! - `evaluations`: each evaluation's state and enforcement, for shadow mode's digest;
//! - `slo`: review SLOs while a PR waits: the PRs watched, the steps of their ladders taken, snoozes;
//! - `snooze`: reviewers who stepped out of a PR's turn for a while (`/flowgate snooze`);
//! - `slo_report`: the review SLO ladder's steps of a span, read for the digest.
//!
//! `backend` opens the databases and runs a statement written once on either. What is written
//! per database is where they really differ: the claim and how a lease is held (`queue::sqlite`
//! with its one writer, `queue::postgres` with row locks), and writes of many rows (a row at a
//! time in one SQLite transaction, one statement over arrays on PostgreSQL), which sit side by
//! side in their table's module. Every time is passed in, never read from the clock here, so that
//! tests control it.

mod away;
mod backend;
mod batch;
mod digest_claims;
mod error;
mod evaluations;
mod events;
mod merge_gate;
mod pr_paths;
mod queue;
mod slo;
mod slo_report;
mod snooze;

use std::fmt;

pub use digest_claims::DigestClaim;
pub use error::StoreError;
pub(crate) use error::redact;
pub use evaluations::Evaluation;
pub use queue::{
    Insert, Lanes, MAX_ATTEMPTS, NewDelivery, ONBOARD_PR, ONBOARD_REPOSITORY, OnboardingCounts, ParkedDelivery,
    QueueDepth, QueuedDelivery, SLO_EVENT, Work, work_key,
};
pub use slo::{CLAIMED, SloStepRow, SloWatch, StepKey};

use backend::{Backend, reading};

/// The store: cheap to clone, every clone shares one pool.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    /// Shared by every clone; `None` only inside the committing tasks' own handle.
    inserter: Option<batch::Inserter>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend()).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the database and creates or updates its tables. `url` is `sqlite://PATH` (the file is
    /// created if missing), `sqlite::memory:` (one connection, so every user sees the same
    /// database), or `postgres://...`.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite(backend::Sqlite::connect(url).await?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres(backend::Postgres::connect(url).await?)
        } else {
            return Err(StoreError::UnsupportedUrl { url: redact(url) });
        };
        // SQLite has one writer, so a second committer would only wait; PostgreSQL overlaps one
        // batch's flush with the next one's statement.
        let committers = match backend {
            Backend::Sqlite(_) => 1,
            Backend::Postgres(_) => 2,
        };
        let inner = Store { backend, inserter: None };
        let inserter = batch::Inserter::spawn(inner.clone(), committers);
        Ok(Store { inserter: Some(inserter), ..inner })
    }

    /// "sqlite" or "postgres".
    pub fn backend(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Whether the database answers, for readiness checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        reading!(&self.backend, |pool| sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))
            .map_err(StoreError::query("checking the database"))?;
        Ok(())
    }
}
