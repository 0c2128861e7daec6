//! Gating a live pull request: fetch what the policy needs (and no more), evaluate, and publish
//! the check run and tier label. The CLI, the Action and the App all come through here.

use std::path::Path;

use crate::error::UserError;
use crate::github::checks::{AiLabelChange, CheckRunPosted, LabelChange, TIER_LABEL_PREFIX, ToolLabel, Write};
use crate::github::{self, GitHub, RepoName};
use crate::model::PrFacts;
use crate::policy::evaluate::evaluate;
use crate::policy::load::{PolicyFiles, load_bundled, load_file, load_from};
use crate::policy::verdict::Verdict;
use crate::report::check_run::{self, CannotEvaluate};
use crate::snapshot::RawSnapshot;

use super::{ChosenPolicy, POLICY_PATH, analyze, assign};
use crate::assign::{PeopleFacts, ReviewerPolicy};

/// A live PR, gated.
pub struct Gated {
    pub chosen: ChosenPolicy,
    pub facts: PrFacts,
    pub verdict: Verdict,
    /// The PR's labels as fetched, to change the tier label only when it differs.
    pub labels: Vec<String>,
    /// What reviewers were chosen from, when the policy has a `reviewers:` section.
    pub assignment: Option<assign::AssignInputs>,
    /// What asking the trackers cost, when the PR's tier needed a story chain. Concurrent
    /// evaluations share the clients, so under the App this may count a neighbour's requests.
    pub tracker_usage: Option<crate::trackers::http::HttpUsage>,
}

/// Reads a live PR and its policy from the base branch, and evaluates it. Posts nothing.
///
/// Requests: the PR, the policy (and each file it extends), the files (a page per 100), the
/// commits and reviews (a page each per 100); the label events only when the override label is
/// on the PR, and team members only for teams the policy names without listing their members.
#[tracing::instrument(name = "evaluation", skip_all, fields(repo = %repo, pr = number))]
pub async fn gate(
    gh: &GitHub,
    repo: &RepoName,
    number: u64,
    explicit_policy: Option<&Path>,
) -> Result<Gated, UserError> {
    let pull = gh.pull(repo, number).await?;
    let header: serde_json::Value = serde_json::from_str(&pull)
        .map_err(|e| github::Error::bad_answer(format!("{repo}#{number}: the pull request is not JSON: {e}")))?;
    let base = header["base"]["ref"]
        .as_str()
        .ok_or_else(|| github::Error::bad_answer(format!("{repo}#{number}: the pull request names no base branch")))?
        .to_string();
    let labels: Vec<String> = header["labels"]
        .as_array()
        .map(|ls| ls.iter().filter_map(|l| l["name"].as_str().map(String::from)).collect())
        .unwrap_or_default();

    let mut chosen = match explicit_policy {
        Some(path) => ChosenPolicy { policy: load_file(path)?, origin: path.display().to_string() },
        None => policy_on_base(gh, repo, &base).await?,
    };

    let (files, commits, reviews) =
        tokio::try_join!(gh.files(repo, number), gh.commits(repo, number), gh.reviews(repo, number))?;
    let override_on = chosen.policy.override_.as_ref().is_some_and(|o| labels.contains(&o.label));
    // The events also say who took their own review request off, which assignment respects.
    let assigning = chosen.policy.reviewers.is_some();
    let events = if override_on || assigning { gh.label_events(repo, number).await? } else { None };
    let raw = RawSnapshot { pull, files, commits, reviews, events: events.clone() };
    let mut facts = crate::snapshot::parse(&raw, Path::new(&format!("GitHub {repo}#{number}")))?;
    analyze::analyze(&mut facts, &chosen.policy, &mut analyze::NoContents);
    let mut verdict = evaluate(&facts, &chosen.policy);

    // Teams the policy names but does not list: ask GitHub, then judge again with their members.
    let mut teams: Vec<String> = verdict.review.requirements.iter().flat_map(|r| r.unknown_teams.clone()).collect();
    if override_on && let Some(o) = &chosen.policy.override_ {
        teams.extend(chosen.policy.unknown_teams(&o.allowed).into_iter().map(String::from));
    }
    teams.sort();
    teams.dedup();
    let mut learned = false;
    for team in teams {
        let Some((org, slug)) = team.trim_start_matches('@').split_once('/') else { continue };
        if let Some(members) = gh.team_members(org, slug).await? {
            chosen.policy.teams.insert(team.clone(), members);
            learned = true;
        }
    }
    if learned {
        verdict = evaluate(&facts, &chosen.policy);
    }
    let mut tracker_usage = None;
    if !crate::policy::linkage::keys_to_trace(&chosen.policy.linkage, &verdict.linkage, verdict.tier).is_empty() {
        let token = match gh.credentials() {
            crate::github::auth::Credentials::Token(t) => Some(t.expose().to_string()),
            _ => None,
        };
        let trackers = super::chains::shared_trackers(gh.api_url(), token.as_deref())?;
        // An App reads GitHub Issues as its installation, which sees the installation's private
        // repositories; the shared client has no token of its own then.
        let installation_issues = match gh.installation_token().await? {
            Some(token) => {
                trackers.github_with_token(&token).map_err(|e| UserError::Usage(format!("trackers: {e}")))?
            }
            None => None,
        };
        let before = trackers.usage();
        verdict =
            super::chains::trace_using(&mut facts, &chosen.policy, verdict, &trackers, installation_issues.as_ref())
                .await;
        let after = trackers.usage();
        let own = installation_issues.as_ref().map(crate::trackers::Tracker::usage).unwrap_or_default();
        tracker_usage = Some(crate::trackers::http::HttpUsage {
            requests: after.requests - before.requests + own.requests,
            cache_hits: after.cache_hits - before.cache_hits + own.cache_hits,
            not_modified: after.not_modified - before.not_modified + own.not_modified,
        });
    }
    let mut assignment = None;
    if let Some(reviewers) = chosen.policy.reviewers.clone() {
        let people = people_facts(gh, repo, &base, number, &chosen, &reviewers, &facts).await?;
        let on = assign::OnPr::read(&header, events.as_deref());
        assignment = Some(assign::assign(&mut verdict, &reviewers, &facts, &on, &people, jiff::Timestamp::now()));
    }
    Ok(Gated { chosen, facts, verdict, labels, assignment, tracker_usage })
}

/// What assignment needs to know about people: the teams its pools name (from the policy, else
/// from GitHub), CODEOWNERS on the base branch, and the review requests open on the repository.
async fn people_facts(
    gh: &GitHub,
    repo: &RepoName,
    base: &str,
    number: u64,
    chosen: &ChosenPolicy,
    reviewers: &ReviewerPolicy,
    facts: &PrFacts,
) -> Result<PeopleFacts, UserError> {
    let mut people = PeopleFacts { teams: chosen.policy.teams.clone(), ..PeopleFacts::default() };
    let mut teams: Vec<&str> = reviewers
        .pools
        .values()
        .flat_map(|p| p.members.iter())
        .map(|m| m.0.as_str())
        .filter(|m| m.starts_with('@') && !people.teams.contains_key(*m))
        .collect();
    teams.sort_unstable();
    teams.dedup();
    for team in teams {
        let Some((org, slug)) = team.trim_start_matches('@').split_once('/') else { continue };
        if let Some(members) = gh.team_members(org, slug).await? {
            people.teams.insert(team.to_string(), members);
        }
    }
    let candidates = assign::pool_candidates(reviewers, &people);
    let candidates: Vec<&str> = candidates.iter().map(|l| l.as_str()).collect();
    let (codeowners, open, busy) =
        tokio::join!(gh.codeowners(repo, base), gh.open_pulls(repo), gh.busy_statuses(&candidates));
    people.codeowners = assign::owners_of_paths(codeowners?.as_deref(), facts);
    people.load = assign::load_from_open_pulls(open?.as_deref().unwrap_or_default(), Some(number));
    // An optional signal: without it the choice is still made, and says what it could not see.
    match busy {
        Ok(busy) => people.busy = busy,
        Err(e) => {
            tracing::warn!("{repo}#{number}: GitHub's busy status could not be read: {e}");
            people
                .unknown
                .push(format!("GitHub's busy status could not be read ({e}), so nobody was passed over for it"));
        }
    }
    Ok(people)
}

/// `.github/flowgate.yml` and every file it extends, as they are on the base branch, else the
/// bundled default policy.
pub async fn policy_on_base(gh: &GitHub, repo: &RepoName, base: &str) -> Result<ChosenPolicy, UserError> {
    let Some(text) = gh.file_at(repo, base, POLICY_PATH).await? else {
        return Ok(ChosenPolicy {
            policy: load_bundled("default")?,
            origin: format!("the bundled default policy ({repo}@{base} has no {POLICY_PATH})"),
        });
    };
    // The loader reads files synchronously; fetch each file it asks for and load again, which
    // for an `extends:` chain of n files costs n requests and n loads.
    let mut files =
        Fetched { repo: repo.clone(), rev: base.to_string(), files: Default::default(), wanted: Default::default() };
    files.files.insert(POLICY_PATH.to_string(), Some(text));
    // An extends chain longer than this is refused by the loader anyway.
    for _ in 0..32 {
        let (back, loaded) = load_off_runtime(files).await?;
        files = back;
        match loaded {
            Ok(policy) => {
                return Ok(ChosenPolicy { policy, origin: format!("{POLICY_PATH} on {repo}@{base}") });
            }
            Err(e) => {
                let Some(path) = files.wanted.take() else { return Err(e) };
                let text = gh.file_at(repo, base, &path).await?;
                files.files.insert(path, text);
            }
        }
    }
    Err(UserError::Policy { file: format!("{repo}@{base}:{POLICY_PATH}"), message: "extends too many files".into() })
}

/// Parsing a policy and compiling its queries is CPU work that the limits bound but do not make
/// free: it runs on a blocking thread, so the runtime's threads keep acknowledging deliveries.
async fn load_off_runtime(files: Fetched) -> Result<(Fetched, Result<crate::policy::Policy, UserError>), UserError> {
    tokio::task::spawn_blocking(move || {
        let loaded = load_from(&files, Path::new(POLICY_PATH));
        (files, loaded)
    })
    .await
    .map_err(|e| UserError::Policy {
        file: POLICY_PATH.to_string(),
        message: format!("the policy could not be loaded: the loader stopped ({e})"),
    })
}

/// Policy files fetched so far from the base branch; a read of one not yet fetched is recorded
/// in `wanted` so the caller can fetch it and load again.
struct Fetched {
    repo: RepoName,
    rev: String,
    files: std::collections::HashMap<String, Option<String>>,
    wanted: std::cell::RefCell<Option<String>>,
}

impl PolicyFiles for Fetched {
    fn read(&self, path: &Path) -> Result<String, String> {
        let path = path.to_string_lossy().replace('\\', "/");
        match self.files.get(&path) {
            Some(Some(text)) => Ok(text.clone()),
            Some(None) => Err(format!("no such file on {}", self.rev)),
            None => {
                self.wanted.replace(Some(path));
                Err("not fetched yet".to_string())
            }
        }
    }
    fn describe(&self, path: &Path) -> String {
        format!("{}@{}:{}", self.repo, self.rev, path.display())
    }
}

/// Posts a failed check run saying why the PR could not be judged, on the PR's current head.
pub async fn publish_cannot_evaluate(
    gh: &GitHub,
    repo: &RepoName,
    number: u64,
    why: CannotEvaluate,
    error: &str,
) -> Result<Published, UserError> {
    let pull = gh.pull(repo, number).await?;
    let header: serde_json::Value = serde_json::from_str(&pull)
        .map_err(|e| github::Error::bad_answer(format!("{repo}#{number}: the pull request is not JSON: {e}")))?;
    let head = header["head"]["sha"]
        .as_str()
        .ok_or_else(|| github::Error::bad_answer(format!("{repo}#{number}: the pull request names no head commit")))?;
    match gh.post_check_run(repo, head, &check_run::cannot_evaluate(why, error)).await? {
        Write::Done(check_run) => Ok(Published::Posted {
            check_run,
            label: LabelChange::default(),
            ai_labels: Ok(AiLabelChange::default()),
            reviewers: Ok(Vec::new()),
        }),
        Write::Denied(why) => Ok(Published::NotPosted(format!("GitHub refused the check run: {why}"))),
    }
}

/// What publishing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Published {
    Posted {
        check_run: CheckRunPosted,
        label: LabelChange,
        /// The AI tool labels created and added now, or GitHub's reason for refusing them.
        ai_labels: Result<AiLabelChange, String>,
        /// The reviewers requested now, or GitHub's reason for refusing the request.
        reviewers: Result<Vec<String>, String>,
    },
    /// Nothing could be posted; the reason is for the job summary.
    NotPosted(String),
}

/// Posts the check run on the head commit and sets the tier label.
pub async fn publish(gh: &GitHub, repo: &RepoName, gated: &Gated) -> Result<Published, UserError> {
    let head = gated
        .facts
        .head_sha
        .as_ref()
        .ok_or_else(|| github::Error::bad_answer("the pull request names no head commit to put a check run on"))?;
    let report = check_run::check_run(&gated.verdict);
    let check_run = match gh.post_check_run(repo, head.as_str(), &report).await? {
        Write::Done(posted) => posted,
        Write::Denied(why) => return Ok(Published::NotPosted(format!("GitHub refused the check run: {why}"))),
    };
    let number = gated.facts.number.unwrap_or_default();
    let wanted = format!("{TIER_LABEL_PREFIX}{}", gated.verdict.tier);
    let label = match gh.set_tier_label(repo, number, &gated.labels, &wanted).await? {
        Write::Done(change) => change,
        Write::Denied(why) => {
            return Ok(Published::NotPosted(format!(
                "the check run was posted, but GitHub refused the {wanted} label: {why}"
            )));
        }
    };
    let tools = tool_labels(gated);
    let ai_labels = match gh.add_tool_labels(repo, number, &gated.labels, &tools).await? {
        Write::Done(change) => Ok(change),
        Write::Denied(why) => Err(why),
    };
    // Only the shortfall is in `requested`: people already asked or who reviewed count toward the
    // need, so evaluating again requests nobody twice.
    let wanted: Vec<&str> =
        gated.verdict.reviewers.iter().flat_map(|a| a.requested.iter()).map(|r| r.login.as_str()).collect();
    let reviewers = if wanted.is_empty() {
        Ok(Vec::new())
    } else {
        match gh.request_reviewers(repo, number, &wanted).await? {
            Write::Done(asked) => Ok(asked),
            Write::Denied(why) => Err(why),
        }
    };
    Ok(Published::Posted { check_run, label, ai_labels, reviewers })
}

/// The label of each tool whose markers the verdict found, as the policy names them. The
/// author's declaration labels are never among them (the policy refuses such names).
pub fn tool_labels(gated: &Gated) -> Vec<ToolLabel> {
    let labels = &gated.chosen.policy.ai.labels;
    gated
        .verdict
        .ai
        .detected()
        .into_iter()
        .filter_map(|tool| {
            let name = labels.name(tool)?;
            Some(ToolLabel {
                name: name.to_string(),
                color: labels.color.clone(),
                description: crate::report::wording::tool_label_description(tool),
            })
        })
        .collect()
}
