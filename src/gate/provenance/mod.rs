//! Line-level AI provenance of a live PR, read through GitHub's API: git-ai notes
//! (`refs/notes/ai`), whogitit notes (`refs/notes/whogitit`) and Agent Trace records kept at the
//! head, fetched into `RawProvenance` for the mapper. Fail-open: a source that cannot be read is
//! `Unreadable` with its reason, never the gate's error.
//!
//! Cost: a repository without notes pays one listing of its notes refs (answered 304, free, when
//! asked again while nothing changed) and one directory lookup, nothing
//! more; commits' notes and patches are read only when a notes ref exists and a PR commit has a
//! note. Every request goes through the client (pacing, retries, ETags, its request count).

mod notes;
mod traces;

use crate::github::{GitHub, RepoName};
use crate::model::PrFacts;
use crate::model::provenance::{Provenance, RawProvenance};
use crate::policy::{Disclosure, Policy};

/// A PR with more commits than this has its notes sources `Unreadable`, and none of its notes read.
pub const MAX_COMMITS: usize = 100;
/// A note larger than this makes its source `Unreadable`.
pub const MAX_NOTE_BYTES: u64 = 1024 * 1024;
/// Notes and commits' patches read for one PR, together.
pub const MAX_TOTAL_BYTES: u64 = 64 * 1024 * 1024;
/// Where Agent Trace records are kept at the head: the spec leaves storage to tools, and its
/// reference trace store appends to `.agent-trace/traces.jsonl`.
pub const TRACE_DIR: &str = ".agent-trace";
/// Trace files read from `TRACE_DIR`, and the size of each.
pub const MAX_TRACE_FILES: usize = 16;
pub const MAX_TRACE_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Whether the policy has any AI rule (disclosure, AI tiers' review, tool labels, the AI spot
/// check) that line-level provenance could inform; a policy with none pays no request for it.
pub fn wanted(policy: &Policy) -> bool {
    let ai = &policy.ai;
    ai.disclosure != Disclosure::Off
        || !ai.tier_review.is_empty()
        || ai.labels.enabled
        || policy.reviewers.as_ref().is_some_and(|r| r.spot_check.is_some())
}

/// The PR's provenance from GitHub, at its head; `None` when the facts name no head commit.
pub async fn on_github(gh: &GitHub, repo: &RepoName, facts: &PrFacts) -> Option<Provenance> {
    let head = facts.head_sha.as_ref()?;
    let raw = read(gh, repo, head.as_str(), facts).await;
    Some(crate::provenance::map(&raw, &facts.files))
}

/// Everything the mapper needs, as GitHub has it: the PR's commits (oldest first) with their notes
/// and, when a note was found, their own patches; the trace files at `head`; each source's state
/// when it is not simply read (`Missing`, `Unreadable`, `Corrupt`).
pub async fn read(gh: &GitHub, repo: &RepoName, head: &str, facts: &PrFacts) -> RawProvenance {
    let (notes, traces) = tokio::join!(notes::read(gh, repo, &facts.commits), traces::read(gh, repo, head));
    let mut raw = notes;
    raw.trace_files = traces.files;
    raw.sources.extend(traces.state);
    raw
}
