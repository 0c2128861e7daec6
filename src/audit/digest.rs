//! The digest's chain coverage: the story keys recorded for the PRs merged in its window, traced
//! at digest time with the audit's own lookups and judge, and handed to the digest builder as
//! data. Used by `flowgate digest` and by the App's weekly digest.

use std::collections::BTreeMap;

use super::Judge;
use super::fetch::walk_each_once;
use crate::latency::{ChainTracing, MergedStory};
use crate::policy::Policy;
use crate::policy::linkage::keys::{Tracker as KeyTracker, tracker_of};
use crate::trackers::TrackerError;
use crate::trackers::chain::Chain;
use crate::trackers::config::{MAX_KEYS, Trackers};

/// Why the digest has no full-chain share when the policy names no levels.
pub const NO_CHAIN: &str =
    "the policy has no linkage.chain, so there is no top level to trace to (see docs/trackers.md)";

/// Traces `merged` with `trackers` (`Err` says why none is configured) up to the top of the
/// policy's `linkage.chain.levels`. Each distinct key is walked once. A key whose tracker the
/// policy does not enable is not verified, never traced.
pub async fn trace(policy: &Policy, trackers: Result<&Trackers, String>, merged: &[MergedStory]) -> ChainTracing {
    let Some(rules) = policy.linkage.chain.as_ref() else {
        return ChainTracing::NotComputed(NO_CHAIN.to_string());
    };
    let trackers = match trackers {
        Ok(trackers) => trackers,
        Err(why) => return ChainTracing::NotComputed(why),
    };
    let mut wanted: Vec<(KeyTracker, String)> = Vec::new();
    let mut unknown: BTreeMap<String, Chain> = BTreeMap::new();
    for story in merged {
        for key in story.keys.iter().take(MAX_KEYS) {
            match tracker_of(key, &policy.linkage.trackers, Some(&story.repo)) {
                Some(tracker) if !wanted.iter().any(|(_, k)| k == key) => wanted.push((tracker, key.clone())),
                Some(_) => {}
                None => {
                    let error = TrackerError::NotConfigured {
                        tracker: "tracker".to_string(),
                        hint: "the policy's linkage.trackers enables no tracker for this key".to_string(),
                    };
                    unknown.insert(key.clone(), Chain::unreachable(key, error));
                }
            }
        }
    }
    let mut chains = walk_each_once(trackers, &wanted, &rules.levels).await;
    chains.extend(unknown);
    let judge = Judge::new(rules);
    let outcomes =
        merged.iter().map(|story| ((story.repo.clone(), story.pr), judge.trace(&story.keys, &chains).0)).collect();
    ChainTracing::Traced { levels: judge.levels().to_vec(), outcomes }
}
