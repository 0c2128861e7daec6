//! Tracing merged PRs' story keys up to the policy's top level, shared by `flowgate audit` and the
//! digest's chain coverage: each distinct key walked once with the gate's tracker clients, and
//! one judge of the chains found.

use std::collections::BTreeMap;

use crate::latency::{ChainTracing, MergedStory};
use crate::model::Trace;
use crate::policy::linkage::chain::judge;
use crate::policy::linkage::keys::{Tracker as KeyTracker, tracker_of};
use crate::policy::verdict::{ChainBreak, ChainItem, ChainOutcome};
use crate::policy::{ChainRules, Policy};
use crate::trackers::StateCategory;
use crate::trackers::TrackerError;
use crate::trackers::chain::{Chain, Levels};
use crate::trackers::config::{MAX_KEYS, Trackers};

/// How the audit judges a merged PR's keys, shared with the digest's chain coverage: the gate's
/// own rules with the top level required and any story state allowed (a merged PR's story is
/// often closed by then, and that is no gap in its trace).
pub struct Judge {
    rules: ChainRules,
    top: usize,
}

impl Judge {
    pub fn new(rules: &ChainRules) -> Judge {
        let rules = ChainRules { story_states: StateCategory::ALL.to_vec(), ..rules.clone() };
        let top = rules.levels.names().len().saturating_sub(1);
        Judge { rules, top }
    }

    /// The level names, lowest first; a full chain reaches the last.
    pub fn levels(&self) -> &[String] {
        self.rules.levels.names()
    }

    /// The outcome of a PR that names `keys` (at least one), and the chain found from the
    /// deciding key. A key missing from `chains` was not looked up: not verified, never traced.
    pub fn trace(&self, keys: &[String], chains: &BTreeMap<String, Chain>) -> (Trace, Vec<ChainItem>) {
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let verdict = judge(&self.rules, self.top, &keys, chains);
        let top_name = self.rules.levels.names().get(self.top).cloned();
        let trace = match &verdict.outcome {
            ChainOutcome::Complete => {
                let okr = verdict.links.iter().rev().find(|l| l.level == top_name).map(|l| l.key.clone());
                Trace::Traced { key: verdict.key.clone(), okr: okr.unwrap_or_default() }
            }
            ChainOutcome::Unseen { key, why } => {
                Trace::NotVerified { key: key.clone(), reason: crate::wording::verdict::not_seen(why) }
            }
            ChainOutcome::Broken(ChainBreak::NotFound { key }) => Trace::NotFound { key: key.clone() },
            ChainOutcome::Broken(why) => Trace::Broken {
                key: verdict.key.clone(),
                at: why.key().map(String::from),
                missing: why.missing_level().map(String::from),
                reason: crate::wording::verdict::chain_break(why, crate::wording::Flavor::Plain),
            },
        };
        (trace, verdict.links)
    }
}

/// The chain from each distinct key in `wanted`, each walked once however many PRs name it, with
/// the gate's tracker clients (cache, pacing, time limits). Shared by the audit and the digest.
pub async fn walk_each_once(
    trackers: &Trackers,
    wanted: &[(KeyTracker, String)],
    levels: &Levels,
) -> BTreeMap<String, Chain> {
    let mut chains: BTreeMap<String, Chain> = BTreeMap::new();
    for key in wanted {
        if !chains.contains_key(&key.1) {
            chains.extend(trackers.chains(std::slice::from_ref(key), levels).await);
        }
    }
    chains
}

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
