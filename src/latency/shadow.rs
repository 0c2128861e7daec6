//! Shadow mode in the digest: of the PRs whose latest evaluation in the window was in shadow mode
//! (`enforcement: evaluate`), how many would have failed, and why. Pure: the store hands over
//! each PR's latest evaluation of the window.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{Enforcement, FailReason};

/// A PR's latest evaluation in the window, as the App recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestEvaluation {
    pub repo: String,
    pub pr: u64,
    pub enforcement: Enforcement,
    /// Its state was `fail`.
    pub failed: bool,
    pub reasons: Vec<FailReason>,
}

/// What shadow mode saw in the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShadowFigures {
    /// The repositories with a PR whose latest evaluation was in shadow mode, by name.
    pub repos: Vec<String>,
    /// PRs whose latest evaluation in the window was in shadow mode.
    pub prs_evaluated: usize,
    /// Of those, the PRs that would have failed had the policy been enforced.
    pub would_fail: usize,
    /// Each reason with the PRs it would have failed, most first (a PR with two reasons counts
    /// under both).
    pub reasons: Vec<ReasonCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonCount {
    pub reason: FailReason,
    pub prs: usize,
}

/// The figures of the PRs evaluated in shadow mode; `None` when none was, so a digest of
/// enforced repositories shows nothing about it. A PR counts by its latest evaluation only: one
/// fixed before the window ended would not have been blocked.
pub fn figures(latest: &[LatestEvaluation]) -> Option<ShadowFigures> {
    let shadow: Vec<&LatestEvaluation> = latest.iter().filter(|e| e.enforcement.is_shadow()).collect();
    if shadow.is_empty() {
        return None;
    }
    let repos: BTreeSet<&str> = shadow.iter().map(|e| e.repo.as_str()).collect();
    let failed: Vec<&&LatestEvaluation> = shadow.iter().filter(|e| e.failed).collect();
    let mut by_reason: BTreeMap<FailReason, usize> = BTreeMap::new();
    for e in &failed {
        let distinct: BTreeSet<FailReason> = e.reasons.iter().copied().collect();
        for reason in distinct {
            *by_reason.entry(reason).or_default() += 1;
        }
    }
    let mut reasons: Vec<ReasonCount> =
        by_reason.into_iter().map(|(reason, prs)| ReasonCount { reason, prs }).collect();
    // Most PRs first; a tie keeps the report's order of the rules.
    reasons.sort_by(|a, b| b.prs.cmp(&a.prs).then(a.reason.cmp(&b.reason)));
    Some(ShadowFigures {
        repos: repos.into_iter().map(String::from).collect(),
        prs_evaluated: shadow.len(),
        would_fail: failed.len(),
        reasons,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evaluated(repo: &str, pr: u64, enforcement: Enforcement, reasons: &[FailReason]) -> LatestEvaluation {
        LatestEvaluation { repo: repo.into(), pr, enforcement, failed: !reasons.is_empty(), reasons: reasons.to_vec() }
    }

    #[test]
    fn only_shadow_mode_prs_count_each_reason_once_per_pr_most_first() {
        use Enforcement::{Enforce, Evaluate};
        use FailReason::{AiUndeclared, NoStory, TooLarge};
        let latest = [
            evaluated("acme/api", 1, Evaluate, &[NoStory]),
            evaluated("acme/api", 2, Evaluate, &[AiUndeclared, NoStory]),
            evaluated("acme/api", 3, Evaluate, &[]),
            evaluated("acme/web", 4, Evaluate, &[TooLarge, TooLarge]),
            evaluated("acme/core", 5, Enforce, &[NoStory]),
        ];
        let figures = figures(&latest).expect("shadow PRs were evaluated");
        assert_eq!(figures.repos, ["acme/api", "acme/web"]);
        assert_eq!((figures.prs_evaluated, figures.would_fail), (4, 3), "the enforced PR is not shadow mode's");
        let reasons: Vec<(FailReason, usize)> = figures.reasons.iter().map(|r| (r.reason, r.prs)).collect();
        assert_eq!(reasons, [(NoStory, 2), (AiUndeclared, 1), (TooLarge, 1)]);
    }

    #[test]
    fn a_window_without_shadow_mode_has_no_figures() {
        assert_eq!(figures(&[]), None);
        assert_eq!(figures(&[evaluated("acme/core", 5, Enforcement::Enforce, &[FailReason::NoStory])]), None);
        let passing = figures(&[evaluated("acme/api", 1, Enforcement::Evaluate, &[])]).expect("evaluated");
        assert_eq!((passing.prs_evaluated, passing.would_fail, passing.reasons.len()), (1, 0, 0));
    }
}
