//! Every sentence a digest says about its findings, so Markdown, HTML and Slack say the same thing.

use super::findings::FindingKind;

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

/// The label of PRs no policy put in a tier.
pub const UNTIERED: &str = "untiered";

fn tier_prs(tier: &str) -> String {
    if tier == UNTIERED { "untiered PRs".to_string() } else { format!("{tier}-tier PRs") }
}

/// `3.1x`.
pub fn times(ratio: f64) -> String {
    format!("{ratio:.1}x")
}

/// `62%` from a share in 0..=1.
pub fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// `45 min` under an hour, `3.1 h` under two days' worth, whole hours above.
pub fn hours(value: f64) -> String {
    if value < 1.0 {
        format!("{:.0} min", value * 60.0)
    } else if value < 48.0 {
        format!("{value:.1} h")
    } else {
        format!("{value:.0} h")
    }
}
