//! Reading a live PR and gating it, the building blocks: the PR's pull object, the base branch's
//! policy, and everything one evaluation needs (GitHub's facts, teams, story chains, the App's
//! facts), evaluated once with reviewers chosen once. `remote` puts them together for a PR and
//! `merge_group` for each member of a group.

use crate::github::parse::{self, ParsedPr, RawSnapshot};
use crate::github::{self, GitHub, RepoName};
use crate::model::PrFacts;
use crate::policy::evaluate::{evaluate, needs};
use crate::policy::load::load_bundled;
use crate::policy::verdict::Verdict;

use super::{ChosenPolicy, Error, POLICY_PATH, analyze, assign, base_policy, review_history};
use crate::assign::{PeopleFacts, ReviewerPolicy};
use crate::model::Login;
use crate::store::Store;

/// A live PR, gated.
pub struct Gated {
    pub chosen: ChosenPolicy,
    pub facts: PrFacts,
    pub verdict: Verdict,
    /// The PR's labels as fetched, to change the tier label only when it differs.
    pub labels: Vec<String>,
    /// Whether the PR is open (not closed or merged) as read.
    pub open: bool,
    /// When the PR is a queue tool's draft PR (Mergify's): its verification as a merge group,
    /// which is what its check run says, in place of the verdict.
    pub queue: Option<crate::merge_queue::Verified>,
    /// What reviewers were chosen from, when the policy has a `reviewers:` section.
    pub assignment: Option<assign::AssignInputs>,
    /// Review requests the choice replaced (a reassignment), to take back.
    pub withdraw: Vec<Login>,
    /// What asking the trackers cost, when the PR's tier needed a story chain. Concurrent
    /// evaluations share the clients, so under the App this may count a neighbour's requests.
    pub tracker_usage: Option<crate::trackers::http::HttpUsage>,
}

/// What the App adds to a PR's gathering: its store (who is away, the review history of the last
/// weeks; the PR's changed paths are recorded there for later PRs' expertise) and the
/// reassignment its commands asked for. With them the reviewers are chosen once, from everything.
pub struct AppFacts<'a> {
    pub store: &'a Store,
    pub reassign: assign::Reassign,
    /// The App's `[[baseline]]` entries: the PR's policy is its repository's over the baseline
    /// that applies, and a repository with neither is not gated.
    pub baselines: &'a [crate::policy::baseline::BaselineRule],
}

/// Whether the gathering chooses reviewers: a PR being gated does (with the App's facts when
/// given); a PR verified as a member of a merge group does not, since nothing is requested then.
pub enum Reviewers<'a> {
    Choose(Option<AppFacts<'a>>),
    Skip,
}

/// Gates a PR whose pull object is read and whose policy is chosen: the rest of `gate_with`.
pub async fn gate_pull(
    gh: &GitHub,
    repo: &RepoName,
    number: u64,
    pull: parse::pull::Pull,
    mut chosen: ChosenPolicy,
    reviewers: Reviewers<'_>,
) -> Result<Gated, Error> {
    let origin = origin_of(repo, number);
    let origin = origin.as_path();
    let base = pull.base().to_string();
    let labels = pull.labels();
    let open = pull.json.state.as_deref() != Some("closed");

    let (files, commits, reviews) =
        tokio::try_join!(gh.files(repo, number), gh.commits(repo, number), gh.reviews(repo, number))?;
    let override_on = chosen.policy.override_.as_ref().is_some_and(|o| labels.contains(&o.label));
    // The events also say who took their own review request off, which assignment respects.
    let app = match reviewers {
        Reviewers::Choose(app) => Some(app),
        Reviewers::Skip => None,
    };
    let assigning = chosen.policy.reviewers.is_some() && app.is_some();
    let events = if override_on || assigning { gh.label_events(repo, number).await? } else { None };
    let base_sha = pull.json.base.sha.clone();
    let mut raw = RawSnapshot { pull: String::new(), files, commits, reviews, events, compares: Default::default() };
    let ParsedPr { mut facts, on_pr, .. } = parse::pull::with_lists(pull, &raw, origin)?;
    analyze::analyze(&mut facts, &chosen.policy, &mut analyze::NoContents);
    // A PR that edits the policy has it loaded at its head, so that it cannot merge a policy that
    // does not load; the base branch's policy still judges it.
    if let Some(head) = facts.head_sha.clone()
        && super::edited_policy::touched(&facts, &chosen.policy)
    {
        let baseline = chosen.baseline.clone();
        facts.edited_policy = Some(super::edited_policy::on_github(gh, repo, head.as_str(), baseline).await?);
    }

    // Gather everything the evaluation needs from outside the PR, then evaluate once.
    if super::ai_declaration::wanted(&chosen.policy, &facts) {
        facts.ai_declaration = Some(super::ai_declaration::on_github(gh, repo, &base).await);
    }
    if crate::policy::codeowners::required_by(&chosen.policy) {
        facts.codeowners = Some(super::codeowners::on_github(gh, repo, &base).await?);
    }
    if super::provenance::wanted(&chosen.policy) {
        // Fail-open: a source that cannot be read says so in its state, never as the gate's error.
        facts.provenance = super::provenance::on_github(gh, repo, &facts).await;
    }
    let mut needed = needs(&facts, &chosen.policy);
    if facts.codeowners.is_none() && !needed.compare.is_empty() && crate::policy::stale::owners_anywhere(&chosen.policy)
    {
        // `stale: owners` keeps an approval by the approver's scope, which CODEOWNERS gives.
        facts.codeowners = Some(super::codeowners::on_github(gh, repo, &base).await?);
        needed = needs(&facts, &chosen.policy);
    }
    if !needed.compare.is_empty() {
        // A retarget after an approval drops it; the issue events say when the base changed.
        if raw.events.is_none() {
            raw.events = gh.label_events(repo, number).await?;
        }
        let base_changes = match raw.events.as_deref() {
            Some(events) => Some(parse::pull::base_changes(events, origin)?),
            None => None,
        };
        super::since::compare_approved(
            gh,
            repo,
            &mut facts,
            &needed.compare,
            base_sha.as_deref(),
            base_changes.as_deref(),
        )
        .await;
    }
    // Teams the policy names but does not list: their members, from GitHub.
    for team in &needed.teams {
        let Some((org, slug)) = team.trim_start_matches('@').split_once('/') else { continue };
        if let Some(members) = gh.team_members(org, slug).await? {
            chosen.policy.teams.insert(team.clone(), members);
        }
    }
    let mut tracker_usage = None;
    if !needed.keys.is_empty() {
        let token = match gh.credentials() {
            crate::github::auth::Credentials::Token(t) => Some(t.expose().to_string()),
            _ => None,
        };
        let trackers = super::chains::shared_trackers(gh.api_url(), token.as_deref())?;
        // An App reads GitHub Issues as its installation, which sees the installation's private
        // repositories; the shared client has no token of its own then.
        let installation_issues = match gh.installation_token().await? {
            Some(token) => trackers.github_with_token(&token).map_err(Error::Trackers)?,
            None => None,
        };
        let before = trackers.usage();
        super::chains::gather(&mut facts, &chosen.policy, &needed.keys, &trackers, installation_issues.as_ref()).await;
        let after = trackers.usage();
        let own = installation_issues.as_ref().map(crate::trackers::Tracker::usage).unwrap_or_default();
        tracker_usage = Some(crate::trackers::http::HttpUsage {
            requests: after.requests - before.requests + own.requests,
            cache_hits: after.cache_hits - before.cache_hits + own.cache_hits,
            not_modified: after.not_modified - before.not_modified + own.not_modified,
        });
    }
    let mut verdict = evaluate(&facts, &chosen.policy);

    let mut assignment = None;
    let mut withdraw = Vec::new();
    if let (Some(reviewers), Some(app)) = (chosen.policy.reviewers.clone(), app) {
        let now = jiff::Timestamp::now();
        let mut people = people_facts(gh, repo, &base, number, &chosen, &reviewers, &facts).await?;
        let mut reassign = assign::Reassign::Nobody;
        if let Some(app) = app {
            // Only a repository whose policy chooses reviewers reads the paths back, so only it
            // pays the write.
            let paths: Vec<String> = facts.files.iter().map(|f| f.path.clone()).collect();
            review_history::record_paths(app.store, repo, number, &paths, now).await;
            people.away_until = review_history::away(app.store, now)
                .await
                .map_err(|error| Error::Store { doing: format!("{repo}#{number}: cannot read who is away"), error })?;
            review_history::add_to(app.store, repo, number, &paths, reviewers.fairness_weeks, &mut people, now).await;
            reassign = app.reassign;
        }
        let (inputs, replaced) = assign::assign(&mut verdict, &reviewers, &facts, &on_pr, &people, now, &reassign);
        assignment = Some(inputs);
        withdraw = replaced;
    }
    Ok(Gated { chosen, facts, verdict, labels, open, queue: None, assignment, withdraw, tracker_usage })
}

/// Where a live PR's answers came from, named in messages as a snapshot's directory would be.
fn origin_of(repo: &RepoName, number: u64) -> std::path::PathBuf {
    std::path::PathBuf::from(format!("GitHub {repo}#{number}"))
}

/// The PR's pull object, fetched and parsed once.
pub async fn read_pull(gh: &GitHub, repo: &RepoName, number: u64) -> Result<parse::pull::Pull, Error> {
    Ok(parse::pull::pull(&gh.pull(repo, number).await?, &origin_of(repo, number).join("pull.json"))?)
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
) -> Result<PeopleFacts, Error> {
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
    // CODEOWNERS is read once: the evaluation's copy when the policy required it, else here.
    let codeowners = async {
        match &facts.codeowners {
            Some(known) => Ok(known.clone()),
            None => super::codeowners::on_github(gh, repo, base).await,
        }
    };
    let (codeowners, open, busy) = tokio::join!(codeowners, gh.open_pulls(repo), gh.busy_statuses(&candidates));
    people.codeowners = assign::owners_of_paths(codeowners?.file(), facts);
    let open = match open? {
        Some(pages) => parse::list(&pages)
            .map_err(|e| github::Error::bad_answer(format!("{repo}: the open pull requests cannot be read: {e}")))?,
        None => Vec::new(),
    };
    people.load = assign::load_from_open_pulls(&open, Some(number));
    // An optional signal: without it the choice is still made, and says what it could not see.
    match busy {
        Ok(busy) => people.busy = busy,
        Err(e) => {
            tracing::warn!("{repo}#{number}: GitHub's busy status could not be read: {e}");
            people.unknown.push(crate::assign::Unread::BusyStatus { error: e.to_string() });
        }
    }
    Ok(people)
}

/// The policy a live PR or group is judged by: the one given (`--policy`), else the base branch's.
pub async fn choose_policy(
    gh: &GitHub,
    repo: &RepoName,
    base: &str,
    explicit: Option<&std::path::Path>,
) -> Result<ChosenPolicy, Error> {
    match explicit {
        Some(path) => base_policy::load_from_disk(gh, path)
            .await
            .map(|policy| ChosenPolicy { policy, origin: path.display().to_string(), baseline: None })
            .map_err(|e| {
                let text = crate::files::read_text_capped(path, crate::policy::yaml_limits::MAX_POLICY_BYTES as u64);
                Error::from(e).in_policy_text(&text.unwrap_or_default())
            }),
        None => policy_on_base(gh, repo, base).await,
    }
}

/// `.github/flowgate.yml` and every file it extends, as they are on the base branch, else the
/// bundled default policy.
pub async fn policy_on_base(gh: &GitHub, repo: &RepoName, base: &str) -> Result<ChosenPolicy, Error> {
    let Some(text) = gh.file_at(repo, base, POLICY_PATH).await? else {
        return Ok(ChosenPolicy {
            policy: load_bundled("default")?,
            origin: crate::wording::origin::bundled_default(POLICY_PATH, Some(&format!("{repo}@{base}"))),
            baseline: None,
        });
    };
    policy_from_text(gh, repo, base, text).await
}

/// The policy whose `.github/flowgate.yml` on `base` reads `text`, with every file it extends.
pub(crate) async fn policy_from_text(
    gh: &GitHub,
    repo: &RepoName,
    base: &str,
    text: String,
) -> Result<ChosenPolicy, Error> {
    let files = base_policy::OnGitHub { gh, repo, rev: base };
    let names = base_policy::OnBranch { repo: repo.to_string(), rev: base.to_string() };
    // Kept for a policy that does not load: its own `enforcement:` says whether that blocks.
    let policy = base_policy::load(&files, names, base, text.clone()).await.map_err(|e| e.in_policy_text(&text))?;
    let origin = crate::wording::origin::on_branch(POLICY_PATH, &format!("{repo}@{base}"));
    Ok(ChosenPolicy { policy, origin, baseline: None })
}
