//! Judging the chains the trackers returned against `linkage.chain`: does the PR's item exist,
//! is it in an allowed state, and does it trace without a gap up to the level its tier needs.
//! Pure: the chains arrive as facts.

use std::collections::BTreeMap;

use crate::model::chain::{Chain, ChainEnd};
use crate::model::story::TrackerError;
use crate::policy::ChainRules;
use crate::policy::verdict::{ChainBreak, ChainItem, ChainOutcome, ChainVerdict, NotSeen};

/// At most this many keys of one PR are judged (and looked up).
pub const MAX_KEYS: usize = crate::trackers::config::MAX_KEYS;

/// The verdict over the PR's keys: the first complete chain, else the first that could not be
/// seen (it might be complete), else the first broken one.
pub fn judge(rules: &ChainRules, required: usize, keys: &[&str], chains: &BTreeMap<String, Chain>) -> ChainVerdict {
    let verdicts: Vec<ChainVerdict> =
        keys.iter().take(MAX_KEYS).map(|key| judge_one(rules, required, key, chains.get(*key))).collect();
    let rank = |v: &ChainVerdict| match v.outcome {
        ChainOutcome::Complete => 0,
        ChainOutcome::Unseen { .. } => 1,
        ChainOutcome::Broken(_) => 2,
    };
    let best = verdicts.iter().enumerate().min_by_key(|(i, v)| (rank(v), *i)).map(|(i, _)| i);
    match best {
        Some(i) => verdicts.into_iter().nth(i).unwrap_or_else(|| unseen(rules, required, "", NotSeen::NoKey)),
        None => unseen(rules, required, "", NotSeen::NoKey),
    }
}

fn unseen(rules: &ChainRules, required: usize, key: &str, why: NotSeen) -> ChainVerdict {
    ChainVerdict {
        key: key.to_string(),
        links: Vec::new(),
        required_level: level_name(rules, required),
        outcome: ChainOutcome::Unseen { key: key.to_string(), why },
    }
}

fn level_name(rules: &ChainRules, index: usize) -> String {
    rules.levels.names().get(index).cloned().unwrap_or_default()
}

fn judge_one(rules: &ChainRules, required: usize, key: &str, chain: Option<&Chain>) -> ChainVerdict {
    let Some(chain) = chain else {
        return unseen(rules, required, key, NotSeen::NotLookedUp);
    };
    let links: Vec<ChainItem> = chain
        .links
        .iter()
        .map(|l| ChainItem {
            key: l.key.clone(),
            title: l.title.clone(),
            url: l.url.clone(),
            kind: l.kind.clone(),
            level: l.level.map(|i| level_name(rules, i)),
            state: l.state.as_ref().map(|s| s.name.clone()),
        })
        .collect();
    let outcome = outcome(rules, required, chain);
    ChainVerdict { key: key.to_string(), links, required_level: level_name(rules, required), outcome }
}

fn outcome(rules: &ChainRules, required: usize, chain: &Chain) -> ChainOutcome {
    let Some(first) = chain.links.first() else {
        return match &chain.end {
            ChainEnd::Error { key, error } => tracker_error(key, error),
            _ => ChainOutcome::Broken(ChainBreak::NotFound { key: chain.start.clone() }),
        };
    };
    if let Some(state) = &first.state
        && !rules.story_states.contains(&state.category)
    {
        return ChainOutcome::Broken(ChainBreak::StoryState { key: first.key.clone(), state: state.name.clone() });
    }
    // The PR's item counts as the lowest level unless its type says otherwise (a Task, a Bug).
    let start = first.level.unwrap_or(0);
    let levels: Vec<usize> = chain
        .links
        .iter()
        .enumerate()
        .map(|(i, l)| l.level.unwrap_or(if i == 0 { start } else { usize::MAX }))
        .collect();
    let Some(missing) = (start..=required).find(|level| !levels.contains(level)) else {
        return ChainOutcome::Complete;
    };
    let missing_name = level_name(rules, missing);
    // The last item below the gap is where the chain breaks.
    let before = chain
        .links
        .iter()
        .zip(&levels)
        .rev()
        .find(|(_, level)| **level < missing)
        .map(|(l, _)| l.key.clone())
        .unwrap_or_else(|| first.key.clone());
    let passed_gap = levels.iter().any(|l| *l > missing && *l != usize::MAX);
    if passed_gap {
        return ChainOutcome::Broken(ChainBreak::NoParent { key: before, missing: missing_name });
    }
    let last = chain.links.last().map(|l| l.key.clone()).unwrap_or_default();
    match &chain.end {
        ChainEnd::Top => ChainOutcome::Broken(ChainBreak::NoParent { key: last, missing: missing_name }),
        ChainEnd::Cycle { key } => {
            ChainOutcome::Broken(ChainBreak::Cycle { key: last, repeated: key.clone(), missing: missing_name })
        }
        ChainEnd::Missing { key, .. } => {
            ChainOutcome::Broken(ChainBreak::ParentMissing { key: last, parent: key.clone(), missing: missing_name })
        }
        ChainEnd::TooDeep => ChainOutcome::Broken(ChainBreak::TooDeep { missing: missing_name }),
        ChainEnd::Error { key, error } => tracker_error(key, error),
    }
}

fn tracker_error(key: &str, error: &TrackerError) -> ChainOutcome {
    ChainOutcome::Unseen { key: key.to_string(), why: NotSeen::Tracker(error.clone()) }
}

#[cfg(test)]
mod tests;
