//! Which tier each changed file takes, and why: path globs, the default tier, renames.

use super::verdict::{FileVerdict, TierReason};
use super::{Tier, TierRules};
use crate::model::FileChange;

/// Classifies every file. A renamed file is judged by both its old and its new path, so moving a
/// file out of `src/auth/` is as red as changing it there.
pub fn classify(rules: &TierRules, files: &[FileChange]) -> Vec<FileVerdict> {
    let mut hits = Vec::new();
    files
        .iter()
        .map(|file| {
            let mut tier: Option<Tier> = None;
            let mut reasons = Vec::new();
            let paths =
                std::iter::once((file.path.as_str(), false)).chain(file.previous_path.as_deref().map(|p| (p, true)));
            for (path, previous) in paths {
                rules.set.matches_into(path, &mut hits);
                for &i in &hits {
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
            }
            let tier = tier.unwrap_or_else(|| {
                reasons.push(TierReason::Default);
                rules.default
            });
            FileVerdict {
                path: file.path.clone(),
                previous_path: file.previous_path.clone(),
                tier,
                reasons,
                ai_touched: false,
            }
        })
        .collect()
}
