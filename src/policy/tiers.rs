//! Which tier each changed file takes, and why: path globs, the default tier, renames, the
//! constructs the change adds (detectors, policy queries), and relaxing comment- or test-only
//! changes.

use super::verdict::{FileVerdict, RelaxRefused, TierReason};
use super::{Tier, TierRules};
use crate::analysis::ChangeKind;
use crate::model::FileChange;

/// Classifies every file. A renamed file takes the higher tier of its old and its new path, the
/// default tier included: moving a file out of `src/auth/` is as red as changing it there, and
/// moving shipped code from `src/main/` into a green `src/test/` keeps the review it needed.
pub fn classify(rules: &TierRules, files: &[FileChange]) -> Vec<FileVerdict> {
    let mut hits = Vec::new();
    files
        .iter()
        .map(|file| {
            let (mut path_tier, mut reasons) = path_tier(rules, &file.path, false, &mut hits);
            if let Some(old) = file.previous_path.as_deref() {
                let (old_tier, old_reasons) = path_tier_of_previous(rules, old, &mut hits);
                if old_tier > path_tier {
                    (path_tier, reasons) = (old_tier, old_reasons);
                } else if old_tier == path_tier {
                    reasons.extend(old_reasons.into_iter().filter(|r| *r != TierReason::DefaultPreviousPath));
                    reasons.dedup();
                }
            }
            let tier = by_code(rules, file, path_tier, &mut reasons);
            FileVerdict {
                path: file.path.clone(),
                previous_path: file.previous_path.clone(),
                tier,
                reasons,
                ai_touched: false,
                analysis: file.analysis.clone(),
            }
        })
        .collect()
}

fn path_tier_of_previous(rules: &TierRules, path: &str, hits: &mut Vec<usize>) -> (Tier, Vec<TierReason>) {
    path_tier(rules, path, true, hits)
}

/// The tier one path takes by the globs (the highest that matches) or, when none does, the
/// default tier; with the globs that decided it.
fn path_tier(rules: &TierRules, path: &str, previous: bool, hits: &mut Vec<usize>) -> (Tier, Vec<TierReason>) {
    let mut tier: Option<Tier> = None;
    let mut reasons = Vec::new();
    rules.set.matches_into(path, hits);
    for &i in hits.iter() {
        let (glob_tier, glob) = &rules.owners[i];
        match tier {
            Some(t) if t > *glob_tier => continue,
            Some(t) if t < *glob_tier => reasons.clear(),
            _ => {}
        }
        tier = Some(*glob_tier);
        let reason = TierReason::Glob { glob: glob.clone(), previous_path: previous };
        if !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }
    match tier {
        Some(tier) => (tier, reasons),
        None if previous => (rules.default, vec![TierReason::DefaultPreviousPath]),
        None => (rules.default, vec![TierReason::Default]),
    }
}

/// Raises a file to the highest tier whose detectors or queries its change matches; else relaxes
/// it to green when its tier allows the kind of change it is and nothing stands in the way.
fn by_code(rules: &TierRules, file: &FileChange, path_tier: Tier, reasons: &mut Vec<TierReason>) -> Tier {
    let Some(analysis) = &file.analysis else { return path_tier };
    let mut tier = path_tier;
    let mut named_by_policy = false;
    for finding in &analysis.findings {
        let detector_tiers =
            rules.code.iter().filter(|(_, ds)| ds.iter().any(|d| d.id() == finding.detector)).map(|(t, _)| *t);
        let query_tiers = rules.queries.iter().filter(|q| q.name == finding.detector).map(|q| q.tier);
        for t in detector_tiers.chain(query_tiers) {
            named_by_policy = true;
            if t > path_tier {
                let reason = TierReason::Code {
                    tier: t,
                    detector: finding.detector.clone(),
                    line: finding.line,
                    symbol: finding.symbol.clone(),
                };
                if !reasons.contains(&reason) {
                    reasons.push(reason);
                }
            }
            tier = tier.max(t);
        }
    }
    let relaxable = rules.relax.get(&path_tier).is_some_and(|kinds| kinds.contains(&analysis.change));
    let wants_relax = rules.relax.get(&path_tier).is_some_and(|kinds| !kinds.is_empty()) && path_tier != Tier::Green;
    if !wants_relax {
        return tier;
    }
    if let Some(why) = &analysis.skipped {
        reasons.push(TierReason::NotRelaxed(RelaxRefused::NotAnalysed(why.clone())));
        return tier;
    }
    if !relaxable {
        return tier;
    }
    if named_by_policy {
        reasons.push(TierReason::NotRelaxed(RelaxRefused::Finding));
        return tier;
    }
    // A patch's fragments that do not parse cleanly may hide code inside what looks like a comment.
    if analysis.from_patch && analysis.syntax_errors && analysis.change != ChangeKind::Code {
        reasons.push(TierReason::NotRelaxed(RelaxRefused::UnclearPatch));
        return tier;
    }
    reasons.push(TierReason::Relaxed { from: path_tier, change: analysis.change });
    Tier::Green
}
