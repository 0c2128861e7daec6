//! What the App's store adds to reviewer assignment: the review history of the last weeks
//! (reviews given, last requested, recent work on the changed paths), and each evaluated PR's
//! changed paths, recorded so that later PRs can find who worked on the same paths.

use std::collections::BTreeSet;

use jiff::Timestamp;

use crate::assign::history::window_start;
use crate::assign::{PeopleFacts, ReviewHistory, Unread};
use crate::github::RepoName;
use crate::model::Login;
use crate::store::{Store, StoreError};

/// Records the PR's changed paths as of now. A failure is logged, not fatal: it costs later PRs
/// only this PR's share of expertise, and the evaluation itself does not depend on it.
pub async fn record_paths(store: &Store, repo: &RepoName, pr: u64, paths: &[String], now: Timestamp) {
    if let Err(e) = store.record_pr_paths(&repo.to_string(), pr, paths, now.as_millisecond()).await {
        tracing::warn!(error = %e, "cannot record the changed paths for later reviewer expertise");
    }
}

/// Fills the people facts from the store's review history of the policy's fairness window. When
/// the store cannot be read, the choice is made without the history and says so (a note in the
/// assignment, shown in the check run) rather than failing the check or pretending to know.
pub async fn add_to(
    store: &Store,
    repo: &RepoName,
    pr: u64,
    paths: &[String],
    weeks: u32,
    people: &mut PeopleFacts,
    now: Timestamp,
) {
    match read(store, repo, paths, now, weeks).await {
        Ok((events, touching)) => ReviewHistory::read(&events, now, weeks, &touching, pr).apply(people),
        Err(e) => {
            tracing::warn!(error = %e, "reviewers chosen without the review history");
            people.unknown.push(Unread::ReviewHistory { error: e.to_string(), weeks });
        }
    }
}

/// Who is away (`/flowgate unavailable`), and until when; someone away with no end date is away
/// until they say otherwise.
pub async fn away(store: &Store, now: Timestamp) -> Result<std::collections::HashMap<Login, Timestamp>, StoreError> {
    Ok(store
        .away(now.as_millisecond())
        .await?
        .into_iter()
        .map(|(login, until)| {
            let until = until.and_then(|ms| Timestamp::from_millisecond(ms).ok());
            (Login::new(login), until.unwrap_or(Timestamp::MAX))
        })
        .collect())
}

async fn read(
    store: &Store,
    repo: &RepoName,
    paths: &[String],
    now: Timestamp,
    weeks: u32,
) -> Result<(Vec<crate::latency::Event>, BTreeSet<u64>), StoreError> {
    let name = repo.to_string();
    let events = store.events_since(&name, window_start(now, weeks).as_millisecond()).await?;
    let touching = store.prs_touching(&name, paths).await?;
    Ok((events, touching))
}
