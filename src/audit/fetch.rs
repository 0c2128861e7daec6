//! Reading what the audit judges: the repository's merged PRs in the span from GitHub (the closed
//! pulls listing, then each PR's size and timeline), their story keys found as the gate finds
//! them, and each distinct key's chain looked up once with the gate's tracker clients.

use std::collections::BTreeMap;

use super::{Audit, MergedPr, audit, ready_at};
use crate::error::UserError;
use crate::github::parse::shapes::PullJson;
use crate::github::parse::time;
use crate::github::{GitHub, RepoName};
use crate::policy::linkage::keys::{self, Source, Tracker as KeyTracker};
use crate::policy::{ChainRules, LinkSource, Policy};
use crate::trackers::StateCategory;
use crate::trackers::chain::Levels;
use crate::trackers::config::Trackers;
use chrono::{DateTime, Utc};

/// What to audit.
pub struct Request<'a> {
    pub repo: &'a RepoName,
    /// Merged at or after the first, at or before the second.
    pub span: (DateTime<Utc>, DateTime<Utc>),
    /// `--policy`; without it, the policy on the base branch of the newest merged PR.
    pub policy: Option<Policy>,
    /// How many PRs to sample, and the seed.
    pub sample: Option<(usize, u64)>,
}

/// Runs the audit: GitHub and the trackers are read here, everything else is [`audit`]. Its
/// errors are the gate's: the policy on the base branch, GitHub, what a person gave.
pub async fn run(gh: &GitHub, trackers: &Trackers, request: Request<'_>) -> Result<Audit, crate::gate::Error> {
    let repo = request.repo;
    let name = repo.to_string();
    let (since, until) = request.span;
    let listed = gh.closed_pulls_updated_since(repo, since).await?;
    let merged: Vec<&PullJson> =
        listed.iter().filter(|p| time(p.merged_at.as_deref()).is_some_and(|t| t >= since && t <= until)).collect();
    let policy = match (request.policy, merged.first()) {
        (Some(policy), _) => Some(policy),
        (None, Some(newest)) => Some(crate::gate::remote::policy_on_base(gh, repo, &newest.base.ref_).await?.policy),
        (None, None) => None,
    };
    let rules = chain_rules(policy.as_ref());
    let mut prs = Vec::new();
    let mut wanted: Vec<(KeyTracker, String)> = Vec::new();
    for pull in merged {
        let found = story_keys(pull, policy.as_ref(), &name);
        for key in &found {
            if !wanted.contains(key) {
                wanted.push(key.clone());
            }
        }
        let mut pr = merged_pr(gh, repo, pull, found.into_iter().map(|(_, k)| k).collect()).await?;
        pr.exempt = policy.as_ref().and_then(|p| exemption(pull, p));
        prs.push(pr);
    }
    let chains = crate::gate::story_trace::walk_each_once(trackers, &wanted, &rules.levels).await;
    Ok(audit(&name, (since, until), &rules, &prs, &chains, request.sample))
}

/// The policy's chain rules, or the default levels (story, epic, prd, okr) when it has none: the
/// audit traces every PR whatever its tier, so it needs the levels, not the `require` table.
fn chain_rules(policy: Option<&Policy>) -> ChainRules {
    if let Some(rules) = policy.and_then(|p| p.linkage.chain.as_ref()) {
        return rules.clone();
    }
    let levels = Levels::plain(["story", "epic", "prd", "okr"].map(String::from).to_vec());
    ChainRules { levels, require: BTreeMap::new(), story_states: StateCategory::ALL.to_vec() }
}

/// The distinct keys in the PR's title, branch and body (as the policy's `linkage.sources` allow;
/// commits are not read), with the trackers the policy enables.
pub fn story_keys(pull: &PullJson, policy: Option<&Policy>, repo: &str) -> Vec<(KeyTracker, String)> {
    let default_trackers = crate::policy::TrackerSet {
        jira: Some(Vec::new()),
        linear: Some(Vec::new()),
        shortcut: true,
        azure: true,
        github: true,
    };
    let trackers = policy.map(|p| &p.linkage.trackers).unwrap_or(&default_trackers);
    let all = [LinkSource::Title, LinkSource::Branch, LinkSource::Body];
    let sources: Vec<LinkSource> = match policy {
        Some(p) => p.linkage.sources.iter().copied().filter(|s| all.contains(s)).collect(),
        None => all.to_vec(),
    };
    let mut out: Vec<(KeyTracker, String)> = Vec::new();
    for source in sources {
        let (text, source) = match source {
            LinkSource::Title => (pull.title.as_deref(), Source::Title),
            LinkSource::Branch => (Some(pull.head.ref_.as_str()), Source::Branch),
            _ => (pull.body.as_deref(), Source::Body),
        };
        for r in keys::extract(text.unwrap_or_default(), source, trackers, Some(repo)) {
            if !out.iter().any(|(_, k)| *k == r.key) {
                out.push((r.tracker, r.key));
            }
        }
    }
    // The gate looks up at most this many keys of one PR; so does the audit.
    out.truncate(crate::trackers::config::MAX_KEYS);
    out
}

/// Why the policy's `linkage.exempt` lets this PR name no story: its author, a label, its title or
/// branch (exempt tiers need the PR's files, which the audit does not read).
fn exemption(pull: &PullJson, policy: &Policy) -> Option<String> {
    let facts = crate::model::PrFacts {
        title: pull.title.clone().unwrap_or_default(),
        branch: pull.head.ref_.clone(),
        author: crate::model::Login::new(pull.user.as_ref().map(|u| u.login.as_str()).unwrap_or_default()),
        labels: pull.labels.iter().map(|l| crate::model::Label { name: l.name.clone(), applied_by: None }).collect(),
        ..crate::model::PrFacts::default()
    };
    let exemption = crate::policy::linkage::exemption_of_pr(&policy.linkage, &facts)?;
    Some(crate::wording::verdict::exemption(&exemption, crate::wording::Flavor::Plain))
}

/// The PR with its size (from the single PR when the listing lacks it) and review time (from its timeline).
async fn merged_pr(gh: &GitHub, repo: &RepoName, pull: &PullJson, keys: Vec<String>) -> Result<MergedPr, UserError> {
    let number = pull.number.ok_or_else(|| {
        crate::github::error::Error::bad_answer(format!("{repo}: a merged pull request without a number"))
    })?;
    let size = |p: &PullJson| Some(p.additions? + p.deletions?);
    let changed_lines = match size(pull) {
        Some(lines) => lines,
        None => {
            let text = gh.pull(repo, number).await?;
            let full: PullJson = crate::github::parse::one(&text)
                .map_err(|e| UserError::github(format!("{repo}#{number}: not a pull request: {e}")))?;
            size(&full).unwrap_or_default()
        }
    };
    let merged_at = time(pull.merged_at.as_deref()).unwrap_or_default();
    let timeline = gh.timeline(repo, number).await?;
    let review_hours = ready_at(pull, &timeline)
        .filter(|ready| *ready <= merged_at)
        .map(|ready| (merged_at - ready).num_seconds() as f64 / 3600.0);
    Ok(MergedPr {
        number,
        title: pull.title.clone().unwrap_or_default(),
        url: pull.html_url.clone().unwrap_or_default(),
        author: pull.user.as_ref().map(|u| u.login.clone()).unwrap_or_default(),
        merged_at,
        keys,
        exempt: None,
        changed_lines,
        review_hours,
    })
}
