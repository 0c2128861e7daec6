//! Each finding's sentence and what to do about it, figures included.

use super::figures::{hours, percent, times};
use crate::latency::digest::UNTIERED;
use crate::latency::findings::FindingKind;

/// The finding as one sentence, figure included.
pub fn headline(kind: &FindingKind) -> String {
    match kind {
        FindingKind::TierGap { slow, fast, ratio, slow_median_hours, fast_median_hours, .. } => format!(
            "{} wait {} longer for a first review than {} ({} against {} median)",
            tier_prs(slow),
            times(*ratio),
            tier_prs(fast),
            hours(*slow_median_hours),
            hours(*fast_median_hours)
        ),
        FindingKind::AiGap { ratio, ai_median_hours, other_median_hours, .. } => format!(
            "AI-assisted PRs wait {} longer for a first review than the others ({} against {} median)",
            times(*ratio),
            hours(*ai_median_hours),
            hours(*other_median_hours)
        ),
        FindingKind::NoReviewerRequested { ratio, unrequested_median_hours, requested_median_hours, .. } => format!(
            "PRs with no reviewer requested wait {} longer for a first review ({} against {} median)",
            times(*ratio),
            hours(*unrequested_median_hours),
            hours(*requested_median_hours)
        ),
        FindingKind::AuthorWait { share, author_hours, reviewer_hours } => format!(
            "{} of the waiting was on authors ({} on authors, {} on reviewers)",
            percent(*share),
            hours(*author_hours),
            hours(*reviewer_hours)
        ),
        FindingKind::TargetMissed { tier, target_hours, breached, measured, .. } => format!(
            "{breached} of {measured} {} missed the {} first-review target",
            tier_prs(tier.id()),
            hours(*target_hours)
        ),
        FindingKind::SlowMerge { median_hours, .. } => {
            format!("approved PRs waited a median {} to be merged", hours(*median_hours))
        }
        FindingKind::ReviewConcentration { tier, share, .. } => {
            format!("{} of {}-tier reviews went to two people", percent(*share), tier)
        }
        FindingKind::RepoGap { repo, ratio, repo_median_hours, overall_median_hours, .. } => format!(
            "first reviews in {repo} take {} the overall median ({} against {})",
            times(*ratio),
            hours(*repo_median_hours),
            hours(*overall_median_hours)
        ),
        FindingKind::LowChainCoverage { top, traced, merged, share, .. } => {
            format!("only {traced} of {merged} merged PRs ({}) trace all the way up to {top}", percent(*share))
        }
    }
}

/// What to do about it.
pub fn suggestion(kind: &FindingKind) -> String {
    match kind {
        FindingKind::TierGap { slow, top_two_share: Some(share), .. } if *share >= 0.5 => {
            format!("{} of {slow} reviews went to two people: add reviewers to the {slow} pool", percent(*share))
        }
        FindingKind::TierGap { slow, .. } if slow == UNTIERED => {
            "let flowgate tier these PRs so they reach a reviewer pool".to_string()
        }
        FindingKind::TierGap { slow, .. } => {
            format!("give {} a reviewer pool with review time set aside each day", tier_prs(slow))
        }
        FindingKind::AiGap { .. } => {
            "name a reviewer for AI-assisted PRs as they open, and keep them small enough to review in one sitting"
                .to_string()
        }
        FindingKind::NoReviewerRequested { .. } => {
            "request a reviewer as the PR opens; flowgate can assign one from the pool".to_string()
        }
        FindingKind::AuthorWait { .. } => {
            "answer change requests sooner: push the fix or re-request review the same day".to_string()
        }
        FindingKind::TargetMissed { tier, target_hours, .. } => format!(
            "add reviewers to the {tier} pool or set review time aside so {} get a first review within {}",
            tier_prs(tier.id()),
            hours(*target_hours)
        ),
        FindingKind::SlowMerge { .. } => "merge soon after approval, or turn on auto-merge".to_string(),
        FindingKind::ReviewConcentration { tier, .. } => {
            format!("add reviewers to the {tier} pool so its reviews do not wait on two people")
        }
        FindingKind::RepoGap { repo, .. } => {
            format!("check who reviews in {repo}: give it a reviewer pool or CODEOWNERS")
        }
        FindingKind::LowChainCoverage { not_verified, broken, .. } if not_verified > broken => format!(
            "{not_verified} could not be verified: check the trackers' credentials and that they answer, then run flowgate audit"
        ),
        FindingKind::LowChainCoverage { top, .. } => {
            format!("link stories to their epics and up to {top}; flowgate audit lists the broken chains")
        }
    }
}

fn tier_prs(tier: &str) -> String {
    if tier == UNTIERED { "untiered PRs".to_string() } else { format!("{tier}-tier PRs") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Tier;

    fn every_kind() -> Vec<FindingKind> {
        vec![
            FindingKind::TierGap {
                slow: "red".into(),
                fast: "yellow".into(),
                ratio: 3.6,
                slow_median_hours: 9.0,
                fast_median_hours: 2.5,
                prs: 3,
                top_two_share: Some(0.75),
            },
            FindingKind::TierGap {
                slow: "red".into(),
                fast: "green".into(),
                ratio: 2.0,
                slow_median_hours: 0.5,
                fast_median_hours: 0.25,
                prs: 3,
                top_two_share: Some(0.4),
            },
            FindingKind::TierGap {
                slow: UNTIERED.into(),
                fast: "yellow".into(),
                ratio: 2.0,
                slow_median_hours: 50.0,
                fast_median_hours: 25.0,
                prs: 3,
                top_two_share: None,
            },
            FindingKind::AiGap { ratio: 1.8, ai_median_hours: 7.2, other_median_hours: 4.0, prs: 5 },
            FindingKind::NoReviewerRequested {
                ratio: 4.0,
                unrequested_median_hours: 12.0,
                requested_median_hours: 3.0,
                prs: 4,
            },
            FindingKind::AuthorWait { share: 0.61, author_hours: 172.0, reviewer_hours: 112.0 },
            FindingKind::TargetMissed { tier: Tier::Yellow, target_hours: 24.0, breached: 1, measured: 5 },
            FindingKind::SlowMerge { median_hours: 6.5, prs: 4 },
            FindingKind::ReviewConcentration { tier: "red".into(), share: 0.8, reviews: 10 },
            FindingKind::RepoGap {
                repo: "acme/shop".into(),
                ratio: 2.2,
                repo_median_hours: 9.0,
                overall_median_hours: 4.0,
                prs: 3,
            },
            FindingKind::LowChainCoverage {
                top: "okr".into(),
                traced: 1,
                merged: 5,
                share: 0.2,
                not_verified: 2,
                broken: 1,
            },
            FindingKind::LowChainCoverage {
                top: "okr".into(),
                traced: 1,
                merged: 5,
                share: 0.2,
                not_verified: 0,
                broken: 3,
            },
        ]
    }

    #[test]
    fn each_findings_headline() {
        let lines: Vec<String> = every_kind().iter().map(headline).collect();
        insta::assert_snapshot!(lines.join("\n"), @r"
        red-tier PRs wait 3.6x longer for a first review than yellow-tier PRs (9.0 h against 2.5 h median)
        red-tier PRs wait 2.0x longer for a first review than green-tier PRs (30 min against 15 min median)
        untiered PRs wait 2.0x longer for a first review than yellow-tier PRs (50 h against 25.0 h median)
        AI-assisted PRs wait 1.8x longer for a first review than the others (7.2 h against 4.0 h median)
        PRs with no reviewer requested wait 4.0x longer for a first review (12.0 h against 3.0 h median)
        61% of the waiting was on authors (172 h on authors, 112 h on reviewers)
        1 of 5 yellow-tier PRs missed the 24.0 h first-review target
        approved PRs waited a median 6.5 h to be merged
        80% of red-tier reviews went to two people
        first reviews in acme/shop take 2.2x the overall median (9.0 h against 4.0 h)
        only 1 of 5 merged PRs (20%) trace all the way up to okr
        only 1 of 5 merged PRs (20%) trace all the way up to okr
        ");
    }

    #[test]
    fn each_findings_suggestion() {
        let lines: Vec<String> = every_kind().iter().map(suggestion).collect();
        insta::assert_snapshot!(lines.join("\n"), @r"
        75% of red reviews went to two people: add reviewers to the red pool
        give red-tier PRs a reviewer pool with review time set aside each day
        let flowgate tier these PRs so they reach a reviewer pool
        name a reviewer for AI-assisted PRs as they open, and keep them small enough to review in one sitting
        request a reviewer as the PR opens; flowgate can assign one from the pool
        answer change requests sooner: push the fix or re-request review the same day
        add reviewers to the yellow pool or set review time aside so yellow-tier PRs get a first review within 24.0 h
        merge soon after approval, or turn on auto-merge
        add reviewers to the red pool so its reviews do not wait on two people
        check who reviews in acme/shop: give it a reviewer pool or CODEOWNERS
        2 could not be verified: check the trackers' credentials and that they answer, then run flowgate audit
        link stories to their epics and up to okr; flowgate audit lists the broken chains
        ");
    }
}
