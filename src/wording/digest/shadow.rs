//! The digest's shadow-mode section: how many PRs of the repositories in shadow mode
//! (`enforcement: evaluate`) would have failed, and why.

use crate::latency::ShadowFigures;
use crate::wording::{count, plural};

pub const SHADOW: &str = "Shadow mode";
pub const COL_REASON: &str = "why it would have failed";

/// The section in one sentence: `In shadow mode: 3 PRs would have failed (2 distinct reasons), of
/// 5 evaluated in 2 repositories whose policy says enforcement: evaluate.`
pub fn summary(f: &ShadowFigures) -> String {
    let failed = match f.would_fail {
        0 => "no PR would have failed".to_string(),
        n => format!(
            "{} would have failed ({} distinct {})",
            count(n as u64, "PR", "PRs"),
            f.reasons.len(),
            plural(f.reasons.len() as u64, "reason", "reasons")
        ),
    };
    format!(
        "In shadow mode: {failed}, of {} evaluated in {} whose policy says enforcement: evaluate ({}).",
        f.prs_evaluated,
        count(f.repos.len() as u64, "repository", "repositories"),
        f.repos.join(", ")
    )
}

/// What the section says about the checks themselves.
pub const NEVER_BLOCKED: &str =
    "Their flowgate check runs were neutral and blocked nothing; each counts by its latest evaluation in this window.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::latency::ReasonCount;
    use crate::model::FailReason;

    #[test]
    fn the_sentence_counts_prs_reasons_and_repositories() {
        let reasons = vec![
            ReasonCount { reason: FailReason::NoStory, prs: 2 },
            ReasonCount { reason: FailReason::AiUndeclared, prs: 1 },
        ];
        let some = ShadowFigures {
            repos: vec!["acme/api".into(), "acme/web".into()],
            prs_evaluated: 5,
            would_fail: 3,
            reasons,
        };
        insta::assert_snapshot!(summary(&some), @"In shadow mode: 3 PRs would have failed (2 distinct reasons), of 5 evaluated in 2 repositories whose policy says enforcement: evaluate (acme/api, acme/web).");
        let one = ShadowFigures {
            repos: vec!["acme/api".into()],
            prs_evaluated: 1,
            would_fail: 1,
            reasons: vec![ReasonCount { reason: FailReason::NoStory, prs: 1 }],
        };
        insta::assert_snapshot!(summary(&one), @"In shadow mode: 1 PR would have failed (1 distinct reason), of 1 evaluated in 1 repository whose policy says enforcement: evaluate (acme/api).");
        let none = ShadowFigures { repos: vec!["acme/api".into()], prs_evaluated: 4, would_fail: 0, reasons: vec![] };
        insta::assert_snapshot!(summary(&none), @"In shadow mode: no PR would have failed, of 4 evaluated in 1 repository whose policy says enforcement: evaluate (acme/api).");
        insta::assert_snapshot!(format!("{SHADOW} | {COL_REASON} | {NEVER_BLOCKED}"), @"Shadow mode | why it would have failed | Their flowgate check runs were neutral and blocked nothing; each counts by its latest evaluation in this window.");
    }
}
