//! Review events in the store: what both backends share when recording events and reading them
//! back a PR at a time for the digest. The SQL itself is in `sqlite` and `postgres`.

use super::StoreError;
use crate::latency::Event;

/// An event as a row of `review_events`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct EventRow {
    pub id: String,
    pub repo: String,
    pub pr: i64,
    pub at_ms: i64,
    /// The whole event as JSON.
    pub json: String,
}

/// A stored event as read back: the PR it belongs to, its id (to name it in errors), its JSON.
pub(super) type StoredRow = (String, i64, String, String);

/// PRs whose events are read in one statement: enough to keep round trips few, few enough that one
/// batch of histories stays small however many PRs the digest spans.
pub(super) const PRS_PER_READ: usize = 100;
/// Events written per statement, so that a backfill of a large repository never builds one
/// statement of unbounded size.
pub(super) const EVENTS_PER_WRITE: usize = 1000;

impl EventRow {
    pub(super) fn from_event(event: &Event) -> Result<EventRow, StoreError> {
        let invalid = |reason: String| StoreError::InvalidEvent { id: event.id.clone(), reason };
        let pr = i64::try_from(event.pr).map_err(|_| invalid(format!("PR number {} is too large", event.pr)))?;
        let json = serde_json::to_string(event).map_err(|e| invalid(e.to_string()))?;
        Ok(EventRow { id: event.id.clone(), repo: event.repo.clone(), pr, at_ms: event.at.timestamp_millis(), json })
    }
}

/// Rows (ordered by PR, then time) as events, handed to `each_pr` one PR's history at a time.
pub(super) fn hand_out_by_pr(
    rows: Vec<StoredRow>,
    each_pr: &mut (dyn FnMut(&[Event]) + Send),
) -> Result<(), StoreError> {
    let mut history: Vec<Event> = Vec::new();
    let mut current: Option<(String, i64)> = None;
    for (repo, pr, id, json) in rows {
        if current.as_ref().is_some_and(|(r, p)| (r, *p) != (&repo, pr)) && !history.is_empty() {
            each_pr(&history);
            history.clear();
        }
        let event: Event =
            serde_json::from_str(&json).map_err(|e| StoreError::UnreadableEvent { id, reason: e.to_string() })?;
        history.push(event);
        current = Some((repo, pr));
    }
    if !history.is_empty() {
        each_pr(&history);
    }
    Ok(())
}

/// Repository names compare case-insensitively, as on GitHub.
pub(super) fn lowercase(repos: Option<&[String]>) -> Option<Vec<String>> {
    repos.map(|repos| repos.iter().map(|r| r.to_ascii_lowercase()).collect())
}
