//! The review digest of a span, from the stored review events, with the stories of the PRs
//! merged in it traced: the one computation behind `flowgate digest` and the App's weekly digest
//! and `/digest` page, so the two cannot drift apart.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use anyhow::Context;

use crate::latency::{Digest, DigestBuilder, LatencyConfig, Window};
use crate::policy::Policy;
use crate::store::{Store, StoreError};
use crate::trackers::config::Trackers;

/// What a digest covers and how it measures.
pub struct Request<'a> {
    pub config: LatencyConfig,
    /// The policy whose `linkage.chain` the merged PRs' stories are traced to.
    pub policy: &'a Policy,
    pub window: Window,
    /// The moment the PRs still open are measured at.
    pub now: DateTime<Utc>,
    /// Only these repositories (`OWNER/NAME`); every one recorded when `None`.
    pub repos: Option<&'a [String]>,
}

/// The digest of `request` from the events in `store`. Only when the policy has a
/// `linkage.chain` does it ask `trackers` for the clients to trace with (an inner `Err` says why
/// there are none, and the digest says so instead of a full-chain share); those clients are
/// handed back, for their usage.
pub async fn compute(
    store: &Store,
    request: Request<'_>,
    trackers: impl FnOnce() -> Result<Result<Arc<Trackers>, String>, super::Error>,
) -> anyhow::Result<(Digest, Option<Arc<Trackers>>)> {
    let Request { config, policy, window, now, repos } = request;
    let mut builder = builder(store, config, window, now, repos).await.context("reading the span's review events")?;
    let trackers = match policy.linkage.chain {
        Some(_) => trackers()?,
        None => Err(String::new()),
    };
    let tracing =
        crate::gate::story_trace::trace(policy, trackers.as_deref().map_err(Clone::clone), builder.merged_stories())
            .await;
    builder.chain_tracing(tracing);
    Ok((builder.finish(), trackers.ok()))
}

/// The digest builder with every stored PR of the window added, so the caller can trace its
/// [`DigestBuilder::merged_stories`] before it finishes. The PRs read reach back to the trend's
/// first week.
pub async fn builder(
    store: &Store,
    config: LatencyConfig,
    window: Window,
    now: DateTime<Utc>,
    repos: Option<&[String]>,
) -> Result<DigestBuilder, StoreError> {
    let since = crate::latency::history_read_from(config.trend_weeks, &window);
    let mut builder = DigestBuilder::new(config, window, now);
    store.events_for_prs_active_since(since.timestamp_millis(), repos, &mut |events| builder.add_pr(events)).await?;
    let latest =
        store.latest_evaluations(window.start.timestamp_millis(), window.end.timestamp_millis(), repos).await?;
    builder.evaluations(&latest);
    let steps = store.slo_steps_between(window.start.timestamp_millis(), window.end.timestamp_millis(), repos).await?;
    builder.ladder_steps(&steps);
    let gates = store.gates_at_merge(builder.hygiene().merges()).await?;
    // Only a store where flowgate evaluated PRs can say a merge went unjudged.
    if !latest.is_empty() || !gates.is_empty() {
        builder.hygiene().gates_at_merge(gates);
    }
    Ok(builder)
}
