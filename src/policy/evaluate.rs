//! The engine: PR facts and a policy in, a verdict out. Pure: no I/O, no clock, no randomness.

use super::verdict::{
    AiState, FileVerdict, Gap, LimitProblem, LinkageState, NotReviewed, OverrideVerdict, PrIdentity, RequirementSource,
    ReviewStatus, State, UncountedFile, Verdict,
};
use super::{Policy, ReviewRule, StaleMode, StaleRule, Tier, ai, codeowners, linkage, review, tiers};
use crate::analysis::lang::Lang;
use crate::analysis::{ChangeKind, FileAnalysis, SkipReason, effort, skip};
use crate::model::{FileChange, GITHUB_COMMITS_CAP, GITHUB_FILES_CAP, PrFacts};

/// What a PR's evaluation must be given from outside the PR, found before it is evaluated so that
/// everything is gathered first and the PR is evaluated once: the members of the teams its review
/// rules (and, when the override label is on, the override) name without listing, the teams owning
/// its changed files when code owners must approve, and the work-item keys whose chains its tier
/// requires.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// `@org/slug`, sorted, each once.
    pub teams: Vec<String>,
    pub keys: Vec<(linkage::keys::Tracker, String)>,
    /// Commits approvals were given on, other than the head, to compare with the head (the
    /// tier's `stale` rule lets an approval outlive its commit).
    pub compare: Vec<crate::model::CommitSha>,
}

/// What the evaluation needs from outside the PR (see [`Needs`]). Pure: the same reading of tier,
/// AI and linkage as [`evaluate`], without judging review.
pub fn needs(facts: &PrFacts, policy: &Policy) -> Needs {
    let judged = Judged::of(facts, policy);
    let mut teams: Vec<String> =
        judged.requirements.iter().flat_map(|(_, rule)| policy.unknown_teams(&rule.from)).map(String::from).collect();
    if let Some(o) = &policy.override_
        && facts.labels.iter().any(|l| l.name.eq_ignore_ascii_case(&o.label))
    {
        teams.extend(policy.unknown_teams(&o.allowed).into_iter().map(String::from));
    }
    let stale_owners =
        super::StaleRule::strictest(judged.requirements.iter().map(|(_, r)| &r.stale)).mode == super::StaleMode::Owners;
    if codeowners::in_play(&judged.requirements) || stale_owners {
        teams.extend(codeowners::teams_needed(policy, facts));
    }
    teams.sort();
    teams.dedup();
    Needs {
        teams,
        keys: linkage::keys_to_trace(&policy.linkage, &judged.linkage, judged.tier),
        compare: review::commits_to_compare(facts, &judged.requirements),
    }
}

/// The part of the evaluation that needs nothing from outside the PR: files and tier, size limits,
/// AI, linkage, and which review rules apply.
struct Judged<'p> {
    files: Vec<FileVerdict>,
    not_counted: Vec<UncountedFile>,
    changed_lines: u64,
    reviewed_lines: u64,
    limits: Vec<LimitProblem>,
    tier: Tier,
    ai: super::verdict::AiVerdict,
    linkage: super::verdict::LinkageVerdict,
    requirements: Vec<(RequirementSource, &'p ReviewRule)>,
}

/// Every tier without a review rule requires none.
static NO_REVIEW: std::sync::LazyLock<ReviewRule> = std::sync::LazyLock::new(ReviewRule::default);

impl<'p> Judged<'p> {
    fn of(facts: &PrFacts, policy: &'p Policy) -> Judged<'p> {
        let mut files = tiers::classify(&policy.tiers, &facts.files);
        let not_counted: Vec<UncountedFile> = facts
            .files
            .iter()
            .filter_map(|f| {
                let why = not_reviewed(f)?;
                Some(UncountedFile { path: f.path.clone(), lines: f.additions + f.deletions, why })
            })
            .collect();
        let changed_lines: u64 = facts.files.iter().map(|f| f.additions + f.deletions).sum();
        let reviewed_lines = changed_lines - not_counted.iter().map(|u| u.lines).sum::<u64>();
        let limits = limit_problems(policy, facts, reviewed_lines);
        let mut tier = files.iter().map(|f| f.tier).max().unwrap_or(policy.tiers.default);
        // A PR too big to judge, or bigger than GitHub lets us see, gets the deepest review.
        if !limits.is_empty() {
            tier = Tier::Red;
        }

        let mut ai = ai::evaluate(&policy.ai, facts);
        mark_ai_touched(&mut files, &ai.files);
        ai.lines.shares = ai::lines::share_checks(&policy.ai.max_ai_share, facts, &files);
        let linkage = linkage::evaluate(&policy.linkage, facts, tier);

        let tier_rule: &'p ReviewRule = policy.tiers.review.get(&tier).unwrap_or(&NO_REVIEW);
        let mut requirements: Vec<(RequirementSource, &'p ReviewRule)> =
            vec![(RequirementSource::Tier(tier), tier_rule)];
        for (ai_tier, rule) in &policy.ai.tier_review {
            // With `max_ai_share`, the tier's share check decides; else any AI-touched file.
            let applies = match ai.lines.shares.iter().find(|c| c.tier == *ai_tier) {
                Some(check) => check.applies(),
                None => files.iter().any(|f| f.ai_touched && f.tier == *ai_tier),
            };
            if applies {
                requirements.push((RequirementSource::AiTier(*ai_tier), rule));
            }
        }
        Judged { files, not_counted, changed_lines, reviewed_lines, limits, tier, ai, linkage, requirements }
    }
}

pub fn evaluate(facts: &PrFacts, policy: &Policy) -> Verdict {
    let Judged { files, not_counted, changed_lines, reviewed_lines, limits, tier, ai, linkage, requirements } =
        Judged::of(facts, policy);
    let mut review = review::evaluate(policy, facts, &requirements, &files);
    codeowners::apply(&mut review, policy, facts, &requirements);
    let stale_counts = StaleRule::strictest(requirements.iter().map(|(_, r)| &r.stale)).mode != StaleMode::Never;
    let mut gaps = gaps(facts, stale_counts);
    if policy.tiers.reads_code() {
        let unread: Vec<(String, SkipReason)> = facts
            .files
            .iter()
            .filter_map(|f| match &f.analysis {
                None if Lang::for_path(&f.path).is_some() => Some((f.path.clone(), SkipReason::NoContents)),
                Some(FileAnalysis { skipped: Some(why), .. }) if why.hides_code() => {
                    Some((f.path.clone(), why.clone()))
                }
                _ => None,
            })
            .collect();
        if !unread.is_empty() {
            gaps.push(Gap::CodeNotRead { files: unread });
        }
    }
    let mut rules_state = State::Pass;
    if review.state == ReviewStatus::Pending || !gaps.is_empty() || linkage.state == LinkageState::Pending {
        rules_state = State::Pending;
    }
    let policy_broken = super::edited::fails(facts.edited_policy.as_ref());
    if linkage.state == LinkageState::Fail || ai.state == AiState::Fail || !limits.is_empty() || policy_broken {
        rules_state = State::Fail;
    }

    let override_ = policy.override_.as_ref().and_then(|o| {
        let label = facts.labels.iter().find(|l| l.name.eq_ignore_ascii_case(&o.label))?;
        let accepted = label.applied_by.as_ref().is_some_and(|by| policy.principal_includes(&o.allowed, by));
        Some(OverrideVerdict { label: label.name.clone(), applied_by: label.applied_by.clone(), accepted })
    });
    let overridden = override_.as_ref().is_some_and(|o| o.accepted);
    // An override lets this PR through its own gate; it cannot let a policy that does not load
    // through to every PR after it.
    let state = if overridden && !policy_broken { State::Pass } else { rules_state };
    let effort_minutes = effort(facts, &files, &not_counted);

    Verdict {
        state,
        rules_state,
        tier,
        pr: PrIdentity {
            repo: facts.repo.clone(),
            number: facts.number,
            title: facts.title.clone(),
            author: facts.author.clone(),
            branch: facts.branch.clone(),
            base_branch: facts.base_branch.clone(),
            head_sha: facts.head_sha.clone(),
        },
        files,
        changed_lines,
        reviewed_lines,
        not_counted,
        effort_minutes,
        linkage,
        ai,
        review,
        limits,
        gaps,
        override_,
        reviewers: None,
        edited_policy: facts.edited_policy.clone(),
    }
}

/// Review minutes per file from its analysis (or its line count when unread), summed; the lines
/// of files a reviewer does not read line by line count as none.
fn effort(facts: &PrFacts, files: &[FileVerdict], not_counted: &[UncountedFile]) -> u32 {
    let unread = FileAnalysis::skipped(SkipReason::NoContents, None);
    effort::pr_minutes(facts.files.iter().zip(files).map(|(f, v)| {
        let uncounted = not_counted.iter().find(|u| u.path == f.path);
        let lines = if uncounted.is_none() { f.additions + f.deletions } else { 0 };
        // Vendored code is checked against its upstream, not read: it costs what a generated file does.
        if let Some(UncountedFile { why: NotReviewed::Vendored(dir), .. }) = uncounted {
            let vendored = FileAnalysis::skipped(SkipReason::Generated { why: format!("vendored under {dir}") }, None);
            return effort::file_minutes(&vendored, lines, v.tier == Tier::Red);
        }
        effort::file_minutes(f.analysis.as_ref().unwrap_or(&unread), lines, v.tier == Tier::Red)
    }))
}

/// Why a reviewer does not read a file's changed lines one by one, if so: a lock, generated,
/// vendored or binary file, or a change of comments or formatting only. Code-aware tiers still
/// judge the file; only the size limit and the effort estimate leave its lines out.
fn not_reviewed(f: &FileChange) -> Option<NotReviewed> {
    if let Some(why) = skip::generated_by_path(&f.path) {
        return Some(NotReviewed::Generated(why));
    }
    if let Some(dir) = skip::vendored_by_path(&f.path) {
        return Some(NotReviewed::Vendored(dir));
    }
    match &f.analysis {
        Some(a) => match (&a.skipped, a.change) {
            (Some(SkipReason::Generated { why }), _) => Some(NotReviewed::Generated(why.clone())),
            (Some(SkipReason::Binary), _) => Some(NotReviewed::Binary),
            (None, kind @ (ChangeKind::Comments | ChangeKind::Formatting)) => Some(NotReviewed::Change(kind)),
            _ => None,
        },
        None => skip::binary_by_path(&f.path).then_some(NotReviewed::Binary),
    }
}

fn mark_ai_touched(files: &mut [FileVerdict], touched: &[String]) {
    for file in files {
        file.ai_touched = touched.contains(&file.path);
    }
}

fn limit_problems(policy: &Policy, facts: &PrFacts, reviewed_lines: u64) -> Vec<LimitProblem> {
    let mut problems = Vec::new();
    let listed_files = facts.files.len() as u64;
    let files = facts.visibility.files_total.unwrap_or(0).max(listed_files);
    if let Some(max) = policy.limits.max_files
        && files > max
    {
        problems.push(LimitProblem::TooManyFiles { files, max });
    }
    let lines = reviewed_lines;
    if let Some(max) = policy.limits.max_changed_lines
        && lines > max
    {
        problems.push(LimitProblem::TooManyLines { lines, max });
    }
    let total = facts.visibility.files_total;
    if total.is_some_and(|t| t > GITHUB_FILES_CAP)
        || (listed_files >= GITHUB_FILES_CAP && total.is_none_or(|t| t > listed_files))
    {
        problems.push(LimitProblem::FilesCapped { listed: listed_files, total });
    }
    let listed_commits = facts.commits.len() as u64;
    let total = facts.visibility.commits_total;
    if total.is_some_and(|t| t > GITHUB_COMMITS_CAP)
        || (listed_commits >= GITHUB_COMMITS_CAP && total.is_none_or(|t| t > listed_commits))
    {
        problems.push(LimitProblem::CommitsCapped { listed: listed_commits, total });
    }
    problems
}

fn gaps(facts: &PrFacts, stale_counts: bool) -> Vec<Gap> {
    let mut gaps = Vec::new();
    let v = &facts.visibility;
    let listed_files = facts.files.len() as u64;
    if let Some(total) = v.files_total
        && listed_files < total
        && total <= GITHUB_FILES_CAP
    {
        gaps.push(Gap::FilesIncomplete { listed: listed_files, total });
    }
    if v.commits_missing {
        gaps.push(Gap::CommitsMissing);
    } else if let Some(total) = v.commits_total
        && (facts.commits.len() as u64) < total
        && total <= GITHUB_COMMITS_CAP
    {
        gaps.push(Gap::CommitsIncomplete { listed: facts.commits.len() as u64, total });
    }
    if v.reviews_missing {
        gaps.push(Gap::ReviewsMissing);
    }
    if stale_counts && facts.head_sha.is_none() {
        gaps.push(Gap::HeadUnknown);
    }
    gaps
}
