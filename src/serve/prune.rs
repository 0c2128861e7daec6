//! Deleting processed deliveries and old evaluations once they are old enough, so the tables stay
//! the size of recent traffic rather than of the App's whole life.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::{App, now_ms};

pub const EVERY: Duration = Duration::from_secs(3600);
/// Deliveries deleted per transaction: small enough that inserts never wait long behind one.
const BATCH: i64 = 1000;
/// Evaluations are kept at least this long, whatever `retain_days` says: the digest counts a
/// week's would-be failures in shadow mode, and compares weeks with the eight before them.
const EVALUATIONS_AT_LEAST: Duration = Duration::from_secs(9 * 7 * 86_400);

pub async fn run(app: Arc<App>, mut shutdown: watch::Receiver<bool>) {
    loop {
        match prune(&app).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                "deleted {n} deliveries processed over {} days ago",
                app.config.retain.as_secs() / 86_400
            ),
            Err(e) => tracing::error!(error = %e, "cannot delete old deliveries"),
        }
        match prune_evaluations(&app).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                "deleted {n} evaluations made over {} days ago",
                evaluations_retained(&app).as_secs() / 86_400
            ),
            Err(e) => tracing::error!(error = %e, "cannot delete old evaluations"),
        }
        tokio::select! {
            _ = tokio::time::sleep(EVERY) => {}
            _ = shutdown.wait_for(|s| *s) => return,
        }
    }
}

/// Deletes every delivery done before the retention period, a batch at a time.
pub async fn prune(app: &App) -> Result<u64, crate::store::StoreError> {
    let before = now_ms() - app.config.retain.as_millis() as i64;
    let mut total = 0;
    loop {
        let n = app.store.prune_done(before, BATCH).await?;
        total += n;
        if n < BATCH as u64 {
            return Ok(total);
        }
    }
}

fn evaluations_retained(app: &App) -> Duration {
    app.config.retain.max(EVALUATIONS_AT_LEAST)
}

/// Deletes the evaluations made before their retention period (each repository's newest stays),
/// a batch at a time.
pub async fn prune_evaluations(app: &App) -> Result<u64, crate::store::StoreError> {
    let before = now_ms() - evaluations_retained(app).as_millis() as i64;
    let mut total = 0;
    loop {
        let n = app.store.prune_evaluations(before, BATCH).await?;
        total += n;
        if n < BATCH as u64 {
            return Ok(total);
        }
    }
}
