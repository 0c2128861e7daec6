//! Findings: the few patterns in a window's figures worth acting on, each with the waiting time it
//! explains, so the digest can lead with the ones that cost the most.

use serde::Serialize;

use super::stats::{percentile, round2};
use crate::model::Tier;

/// At most this many findings: a digest is read in a minute.
pub const MAX_FINDINGS: usize = 5;
/// A group needs this many samples before its median is compared with another's.
const MIN_SAMPLES: usize = 3;
/// A gap smaller than this is noise at digest scale.
const MIN_RATIO: f64 = 1.5;
/// Ratios treat medians under 15 minutes as 15 minutes, so a near-instant group does not turn a
/// small absolute gap into a huge ratio.
const RATIO_FLOOR_SECS: f64 = 900.0;

/// One finding: the pattern and its figures. Its sentence and suggestion are worded where it is
/// shown (`crate::wording::digest`), never stored here.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Flattened: the finding's `kind` and its figures are the finding's fields in JSON.
    #[serde(flatten)]
    pub kind: FindingKind,
    /// The waiting time (hours on the digest's clock) that the pattern accounts for; findings
    /// are ordered by it.
    pub explained_hours: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FindingKind {
    /// One tier's median time to first review against the fastest tier's.
    TierGap {
        slow: String,
        fast: String,
        ratio: f64,
        slow_median_hours: f64,
        fast_median_hours: f64,
        prs: usize,
        /// Share of the slow tier's reviews given by its two busiest reviewers.
        top_two_share: Option<f64>,
    },
    AiGap {
        ratio: f64,
        ai_median_hours: f64,
        other_median_hours: f64,
        prs: usize,
    },
    /// First reviews that came without any review request, against those that had one.
    NoReviewerRequested {
        ratio: f64,
        unrequested_median_hours: f64,
        requested_median_hours: f64,
        prs: usize,
    },
    AuthorWait {
        share: f64,
        author_hours: f64,
        reviewer_hours: f64,
    },
    TargetMissed {
        tier: Tier,
        target_hours: f64,
        breached: usize,
        measured: usize,
    },
    SlowMerge {
        median_hours: f64,
        prs: usize,
    },
    ReviewConcentration {
        tier: String,
        share: f64,
        reviews: usize,
    },
    RepoGap {
        repo: String,
        ratio: f64,
        repo_median_hours: f64,
        overall_median_hours: f64,
        prs: usize,
    },
    /// Under half of the merged PRs trace all the way to the policy's top level. It explains no
    /// waiting, so it comes after the findings that do.
    LowChainCoverage {
        top: String,
        traced: usize,
        merged: usize,
        share: f64,
        not_verified: usize,
        broken: usize,
    },
}

/// Below this share of merged PRs with a full chain, the digest says so.
const LOW_CHAIN_SHARE: f64 = 0.5;

/// What the builder hands over: sorted samples in seconds and a few sums.
pub(crate) struct Evidence<'a> {
    pub tiers: Vec<TierEvidence<'a>>,
    pub ai: &'a [i64],
    pub no_ai: &'a [i64],
    pub requested: &'a [i64],
    pub unrequested: &'a [i64],
    pub overall: &'a [i64],
    pub repos: Vec<(&'a str, &'a [i64])>,
    pub on_author_secs: i64,
    pub on_reviewers_secs: i64,
    pub approval_to_merge: &'a [i64],
    pub targets: Vec<TargetEvidence>,
}

pub(crate) struct TierEvidence<'a> {
    pub label: &'a str,
    pub first_review: &'a [i64],
    pub on_reviewers_secs: i64,
    /// Reviews given on the tier's PRs, per reviewer.
    pub review_counts: Vec<usize>,
}

/// How far the window's merged PRs trace up the policy's levels, when that was computed.
pub(crate) struct ChainEvidence<'a> {
    /// The level a full chain reaches.
    pub top: &'a str,
    pub traced: usize,
    pub merged: usize,
    /// `traced / merged`, `None` when nothing merged.
    pub traced_share: Option<f64>,
    pub not_verified: usize,
    pub broken: usize,
}

pub(crate) struct TargetEvidence {
    pub tier: Tier,
    pub target_secs: i64,
    pub breached: usize,
    pub measured: usize,
    /// Seconds beyond the target, summed over breaches (given and still waiting).
    pub excess_secs: i64,
}

/// Every candidate that clears its threshold, the most waiting explained first, at most five.
pub(crate) fn select(evidence: &Evidence<'_>, chains: Option<ChainEvidence<'_>>) -> Vec<Finding> {
    let mut found = Vec::new();
    let tier_gap = tier_gap(evidence);
    let gap_tier = match &tier_gap {
        Some((FindingKind::TierGap { slow, .. }, _)) => Some(slow.clone()),
        _ => None,
    };
    found.extend(tier_gap);
    found.extend(gap(evidence.ai, evidence.no_ai).map(|g| {
        (
            FindingKind::AiGap {
                ratio: g.ratio,
                ai_median_hours: g.slow_hours,
                other_median_hours: g.fast_hours,
                prs: evidence.ai.len(),
            },
            g.explained,
        )
    }));
    found.extend(gap(evidence.unrequested, evidence.requested).map(|g| {
        (
            FindingKind::NoReviewerRequested {
                ratio: g.ratio,
                unrequested_median_hours: g.slow_hours,
                requested_median_hours: g.fast_hours,
                prs: evidence.unrequested.len(),
            },
            g.explained,
        )
    }));
    found.extend(author_wait(evidence));
    found.extend(targets(evidence));
    found.extend(slow_merge(evidence));
    // A tier whose gap is already a finding carries its concentration in the suggestion.
    found.extend(evidence.tiers.iter().filter(|t| gap_tier.as_deref() != Some(t.label)).filter_map(concentration));
    found.extend(repo_gap(evidence));

    let mut findings: Vec<Finding> = found
        .into_iter()
        .filter(|(_, explained)| *explained > 0)
        .map(|(kind, explained)| Finding { explained_hours: round2(explained as f64 / 3600.0), kind })
        .collect();
    // Stable: equal waits keep the order above, which puts review-side causes first.
    findings.sort_by(|a, b| b.explained_hours.total_cmp(&a.explained_hours));
    let coverage = chains.and_then(|chains| low_chain_coverage(&chains));
    findings.truncate(MAX_FINDINGS - usize::from(coverage.is_some()));
    findings.extend(coverage.map(|kind| Finding { explained_hours: 0.0, kind }));
    findings
}

/// Under half of at least `MIN_SAMPLES` merged PRs trace to the top level.
fn low_chain_coverage(chains: &ChainEvidence<'_>) -> Option<FindingKind> {
    let share = chains.traced_share?;
    if chains.merged < MIN_SAMPLES || share >= LOW_CHAIN_SHARE {
        return None;
    }
    Some(FindingKind::LowChainCoverage {
        top: chains.top.to_string(),
        traced: chains.traced,
        merged: chains.merged,
        share,
        not_verified: chains.not_verified,
        broken: chains.broken,
    })
}

struct Gap {
    ratio: f64,
    slow_hours: f64,
    fast_hours: f64,
    explained: i64,
}

/// `slow` against `fast`: a finding when both have enough samples and `slow`'s median is at
/// least `MIN_RATIO` times `fast`'s. It explains the time `slow`'s PRs waited beyond `fast`'s median.
fn gap(slow: &[i64], fast: &[i64]) -> Option<Gap> {
    if slow.len() < MIN_SAMPLES || fast.len() < MIN_SAMPLES {
        return None;
    }
    let slow_median = percentile(slow, 0.5)?;
    let fast_median = percentile(fast, 0.5)?;
    let ratio = slow_median.max(RATIO_FLOOR_SECS) / fast_median.max(RATIO_FLOOR_SECS);
    if ratio < MIN_RATIO {
        return None;
    }
    let explained = slow.iter().map(|&s| (s as f64 - fast_median).max(0.0)).sum::<f64>() as i64;
    Some(Gap {
        ratio: round2(ratio),
        slow_hours: round2(slow_median / 3600.0),
        fast_hours: round2(fast_median / 3600.0),
        explained,
    })
}

/// The slowest tier against the fastest, when the gap is wide enough.
fn tier_gap(evidence: &Evidence<'_>) -> Option<(FindingKind, i64)> {
    let measured: Vec<&TierEvidence<'_>> =
        evidence.tiers.iter().filter(|t| t.first_review.len() >= MIN_SAMPLES).collect();
    let median = |t: &TierEvidence<'_>| percentile(t.first_review, 0.5).unwrap_or(0.0);
    let slow = measured.iter().max_by(|a, b| median(a).total_cmp(&median(b)))?;
    let fast = measured.iter().min_by(|a, b| median(a).total_cmp(&median(b)))?;
    if slow.label == fast.label {
        return None;
    }
    let g = gap(slow.first_review, fast.first_review)?;
    Some((
        FindingKind::TierGap {
            slow: slow.label.to_string(),
            fast: fast.label.to_string(),
            ratio: g.ratio,
            slow_median_hours: g.slow_hours,
            fast_median_hours: g.fast_hours,
            prs: slow.first_review.len(),
            top_two_share: top_two_share(&slow.review_counts),
        },
        g.explained,
    ))
}

fn top_two_share(counts: &[usize]) -> Option<f64> {
    let total: usize = counts.iter().sum();
    if total == 0 {
        return None;
    }
    let mut sorted = counts.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let top: usize = sorted.iter().take(2).sum();
    Some(round2(top as f64 / total as f64))
}

/// Reviews of a tier concentrated on two people: the tier's reviewer-side waiting is at stake.
fn concentration(tier: &TierEvidence<'_>) -> Option<(FindingKind, i64)> {
    let reviews: usize = tier.review_counts.iter().sum();
    let share = top_two_share(&tier.review_counts)?;
    // With two reviewers or fewer the share is trivially whole; it is still a pool of two.
    if reviews < 5 || share < 0.6 {
        return None;
    }
    Some((FindingKind::ReviewConcentration { tier: tier.label.to_string(), share, reviews }, tier.on_reviewers_secs))
}

fn author_wait(evidence: &Evidence<'_>) -> Option<(FindingKind, i64)> {
    let total = evidence.on_author_secs + evidence.on_reviewers_secs;
    if total <= 0 {
        return None;
    }
    let share = evidence.on_author_secs as f64 / total as f64;
    if share < 0.5 {
        return None;
    }
    Some((
        FindingKind::AuthorWait {
            share: round2(share),
            author_hours: round2(evidence.on_author_secs as f64 / 3600.0),
            reviewer_hours: round2(evidence.on_reviewers_secs as f64 / 3600.0),
        },
        evidence.on_author_secs,
    ))
}

fn targets(evidence: &Evidence<'_>) -> Vec<(FindingKind, i64)> {
    evidence
        .targets
        .iter()
        .filter(|t| t.breached > 0)
        .map(|t| {
            (
                FindingKind::TargetMissed {
                    tier: t.tier,
                    target_hours: round2(t.target_secs as f64 / 3600.0),
                    breached: t.breached,
                    measured: t.measured,
                },
                t.excess_secs,
            )
        })
        .collect()
}

/// Approved PRs that sit: a median of half a working day or more.
fn slow_merge(evidence: &Evidence<'_>) -> Option<(FindingKind, i64)> {
    let samples = evidence.approval_to_merge;
    if samples.len() < MIN_SAMPLES {
        return None;
    }
    let median = percentile(samples, 0.5)?;
    if median < 4.0 * 3600.0 {
        return None;
    }
    let explained = samples.iter().sum();
    Some((FindingKind::SlowMerge { median_hours: round2(median / 3600.0), prs: samples.len() }, explained))
}

/// The slowest repository against everyone, when there is more than one repository.
fn repo_gap(evidence: &Evidence<'_>) -> Option<(FindingKind, i64)> {
    if evidence.repos.len() < 2 {
        return None;
    }
    let (repo, samples) = evidence
        .repos
        .iter()
        .filter(|(_, s)| s.len() >= MIN_SAMPLES)
        .max_by(|a, b| percentile(a.1, 0.5).unwrap_or(0.0).total_cmp(&percentile(b.1, 0.5).unwrap_or(0.0)))?;
    let g = gap(samples, evidence.overall)?;
    if g.ratio < 2.0 {
        return None;
    }
    Some((
        FindingKind::RepoGap {
            repo: repo.to_string(),
            ratio: g.ratio,
            repo_median_hours: g.slow_hours,
            overall_median_hours: g.fast_hours,
            prs: samples.len(),
        },
        g.explained,
    ))
}
