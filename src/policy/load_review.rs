//! A tier's review rule as the policy file writes it, read into `ReviewRule`: approvals, who
//! must approve, CODEOWNERS, and when an approval on an older commit still counts (`stale`,
//! `stale_keeps`, or the older `dismiss_stale`).

use std::collections::BTreeSet;

use super::schema::ReviewFile;
use super::{ReviewRule, StaleMode, StaleRule, Tier};
use crate::model::since::ChangeKind;

/// Reads one review rule; `key` names it in errors (`tiers.red.review`).
pub(super) fn review_rule(key: &str, tier: Tier, file: Option<&ReviewFile>) -> Result<ReviewRule, String> {
    let Some(r) = file else { return Ok(ReviewRule::default()) };
    Ok(ReviewRule {
        approvals: r.approvals.unwrap_or(0),
        from: r.from.clone().unwrap_or_default(),
        stale: stale_rule(key, tier, r)?,
        codeowners: r.codeowners.unwrap_or_default(),
    })
}

/// `stale` and `stale_keeps`, or the older `dismiss_stale`. New policies default to `diff`.
fn stale_rule(key: &str, tier: Tier, r: &ReviewFile) -> Result<StaleRule, String> {
    let mode = match (r.stale, r.dismiss_stale) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "`{key}` sets both `stale` and `dismiss_stale`; keep `stale` (`dismiss_stale: true` is `stale: head`)"
            ));
        }
        (Some(mode), None) => mode,
        (None, Some(true)) => StaleMode::Head,
        (None, Some(false)) => StaleMode::Never,
        (None, None) => StaleMode::Diff,
    };
    let keeps: BTreeSet<ChangeKind> = match &r.stale_keeps {
        Some(kinds) => {
            if kinds.contains(&ChangeKind::Rework) {
                return Err(format!(
                    "`{key}.stale_keeps` lists `rework`: an approval that survives any change is `stale: never`"
                ));
            }
            if !matches!(mode, StaleMode::Diff | StaleMode::Owners) {
                return Err(format!(
                    "`{key}.stale_keeps` has no effect with `stale: {}`; it applies to `diff` and `owners`",
                    mode_name(mode)
                ));
            }
            kinds.iter().copied().collect()
        }
        None if tier == Tier::Red => {
            [ChangeKind::NoChange, ChangeKind::MessageOnly, ChangeKind::TrivialRebase].into_iter().collect()
        }
        None => ChangeKind::ALL.into_iter().filter(|k| *k != ChangeKind::Rework).collect(),
    };
    Ok(StaleRule { mode, keeps })
}

fn mode_name(mode: StaleMode) -> &'static str {
    match mode {
        StaleMode::Never => "never",
        StaleMode::Owners => "owners",
        StaleMode::Diff => "diff",
        StaleMode::Head => "head",
    }
}
