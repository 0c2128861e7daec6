//! Onboarding: installing the App (`installation` `created`), giving it repositories
//! (`installation_repositories` `added`), or changing a policy file on a branch (`push`) gates
//! every open PR it concerns, without waiting for each PR's next event. All of it is work in the
//! durable queue, so a restart continues where it stopped: one job per repository lists its open
//! PRs (up to a cap) and queues one evaluation per PR, which the workers then take behind every
//! live delivery, at a configured pace, and not while the installation's rate limit runs low.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::events;
use super::{App, now_ms};
use crate::github::RepoName;
use crate::github::parse::webhook::InstallationEvent;
use crate::store::{NewDelivery, ONBOARD_PR, ONBOARD_REPOSITORY, QueuedDelivery, StoreError, Work};

/// How fast onboarding goes, from `flowgate.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnboardingLimits {
    /// Onboarding jobs (a repository's listing, a PR's evaluation) started a minute, per process.
    pub per_minute: u32,
    /// Open PRs gated per repository; past it, the log and `/metrics` say so.
    pub max_prs_per_repository: usize,
    /// Onboarding waits for the rate limit's reset while an installation has fewer requests
    /// left than this, which stay for live work.
    pub rate_limit_reserve: i64,
}

impl Default for OnboardingLimits {
    /// 30 a minute: an evaluation costs some 10 to 20 requests, so onboarding alone stays near
    /// 600 requests a minute, which a 5,000-an-hour installation meets with the reserve's pauses.
    fn default() -> Self {
        OnboardingLimits { per_minute: 30, max_prs_per_repository: 1000, rate_limit_reserve: 1000 }
    }
}

/// Onboarding's pace and pauses in this process.
pub struct Onboarding {
    limits: OnboardingLimits,
    /// When the next onboarding job may start.
    next: Mutex<Instant>,
    /// Installations whose onboarding waits for their rate limit, until when (ms), so that the
    /// pause is logged once.
    paused: Mutex<HashMap<i64, i64>>,
}

/// A start taken from the pace, to give back when the claim brought no onboarding job.
pub struct Taken {
    before: Instant,
    after: Instant,
}

impl Onboarding {
    pub fn new(limits: OnboardingLimits) -> Onboarding {
        Onboarding { limits, next: Mutex::new(Instant::now()), paused: Mutex::new(HashMap::new()) }
    }

    pub fn limits(&self) -> OnboardingLimits {
        self.limits
    }

    fn interval(&self) -> Duration {
        Duration::from_secs(60) / self.limits.per_minute.max(1)
    }

    /// A start, if one is due now: the claim may then take onboarding work.
    pub fn try_take(&self) -> Option<Taken> {
        let mut next = self.next.lock().ok()?;
        let now = Instant::now();
        if now < *next {
            return None;
        }
        let taken = Taken { before: *next, after: now + self.interval() };
        *next = taken.after;
        Some(taken)
    }

    /// Gives back a start that was not used, unless another worker has taken one since.
    pub fn give_back(&self, taken: Taken) {
        if let Ok(mut next) = self.next.lock()
            && *next == taken.after
        {
            *next = taken.before;
        }
    }
}

/// Whether the unit is onboarding work only (no live delivery came with it).
pub fn is_onboarding(work: &Work) -> bool {
    !work.deliveries.is_empty()
        && work.deliveries.iter().all(|d| d.event == ONBOARD_PR || d.event == ONBOARD_REPOSITORY)
}

/// When an onboarding unit may run, if not now: its installation has fewer requests left than
/// the reserve, so it waits for the reset GitHub named.
pub async fn paused_until(app: &App, work: &Work) -> Option<i64> {
    if !is_onboarding(work) {
        return None;
    }
    let repo = RepoName::parse(work.repo.as_deref()?).ok()?;
    let (installation, gh) = app.client(work.installation_id, &repo).await.ok()?;
    let remaining = gh.rate_limit_remaining()?;
    if remaining >= app.onboarding.limits.rate_limit_reserve {
        return None;
    }
    // Once the reset GitHub named has passed, the hour's budget is whole again, though this
    // client has made no request since to hear so.
    let until = gh.rate_limit_reset()?.duration_since(UNIX_EPOCH).ok()?.as_millis() as i64;
    let now = now_ms();
    if until <= now {
        return None;
    }
    let newly = app.onboarding.paused.lock().is_ok_and(|mut paused| {
        let was = paused.insert(installation, until);
        was.is_none_or(|w| w <= now)
    });
    if newly {
        tracing::info!(
            installation,
            remaining,
            reserve = app.onboarding.limits.rate_limit_reserve,
            resume_in_s = (until - now) / 1000,
            "onboarding pauses until the installation's rate limit resets"
        );
    }
    Some(until)
}

/// What a repository's onboarding job carries: the branch whose PRs it gates (all when `None`).
#[derive(Debug, Serialize, Deserialize)]
struct RepositoryJob {
    base: Option<String>,
}

/// A repository's onboarding job, named after the delivery that asked for it.
fn repository_job(
    origin: &QueuedDelivery,
    installation_id: Option<i64>,
    repo: &str,
    base: Option<&str>,
) -> NewDelivery {
    let body = serde_json::to_vec(&RepositoryJob { base: base.map(String::from) }).unwrap_or_default();
    NewDelivery {
        id: format!("onboarding:{}:{repo}", origin.id),
        event: ONBOARD_REPOSITORY.into(),
        action: None,
        installation_id,
        repo: Some(repo.to_string()),
        pr: None,
        // Its origin's time: the queue's newest delivery stays one GitHub sent (redelivery asks
        // for what came after it).
        received_at_ms: origin.received_at_ms,
        body,
    }
}

/// Queues a job per repository that an installation's creation, or the repositories added to
/// it, brought; other installation changes gate nothing.
pub async fn installed(app: &App, d: &QueuedDelivery, change: &InstallationEvent) -> Result<(), StoreError> {
    let repos = match (d.event.as_str(), change.action.as_str()) {
        ("installation", "created") => &change.repositories,
        ("installation_repositories", "added") => &change.repositories_added,
        _ => return Ok(()),
    };
    let installation = Some(change.installation.id);
    let jobs: Vec<NewDelivery> = repos.iter().map(|r| repository_job(d, installation, &r.full_name, None)).collect();
    let added = app.store.enqueue_onboarding(&jobs).await?;
    tracing::info!(
        installation = change.installation.id,
        repositories = jobs.len(),
        queued = added,
        "onboarding queued"
    );
    app.work.notify_waiters();
    Ok(())
}

/// Queues the job that gates a branch's open PRs again after a push changed a policy file on it.
/// A push to the default branch of an organisation's `.github` repository may have changed the
/// baselines of every repository: each repository of the installation is gated again.
pub async fn policy_pushed(app: &App, work: &Work, d: &QueuedDelivery) -> anyhow::Result<()> {
    let Some(repo) = work.repo.as_deref() else { return Ok(()) };
    let envelope = serde_json::from_slice::<events::Envelope>(&d.body).ok();
    let Some(branch) = envelope.as_ref().and_then(events::policy_push) else {
        tracing::warn!(delivery = %d.id, "the push no longer reads as a policy change; nothing gated again");
        return Ok(());
    };
    let default_branch =
        envelope.as_ref().and_then(|e| e.repository.as_ref()).and_then(|r| r.default_branch.as_deref());
    if events::is_org_config_repo(repo) && default_branch == Some(branch.as_str()) {
        return baselines_pushed(app, work, d, repo).await;
    }
    let added = app.store.enqueue_onboarding(&[repository_job(d, work.installation_id, repo, Some(&branch))]).await?;
    tracing::info!(repo, branch, queued = added, "a policy file changed: the branch's open PRs are gated again");
    app.work.notify_waiters();
    Ok(())
}

/// Queues a job per repository the installation may read (as for a new installation), after the
/// organisation's `.github` repository changed on its default branch.
async fn baselines_pushed(app: &App, work: &Work, d: &QueuedDelivery, repo: &str) -> anyhow::Result<()> {
    let (installation, gh) = app.client(work.installation_id, &RepoName::parse(repo)?).await?;
    let listing = gh.installation_repos().await?;
    if listing.truncated {
        tracing::warn!(
            installation,
            shown = listing.repos.len(),
            "the installation lists more repositories than are read; the rest are gated at their next event"
        );
    }
    let jobs: Vec<NewDelivery> =
        listing.repos.iter().map(|r| repository_job(d, Some(installation), &r.full_name, None)).collect();
    let added = app.store.enqueue_onboarding(&jobs).await?;
    tracing::info!(
        repo,
        installation,
        repositories = jobs.len(),
        queued = added,
        "the organisation's .github repository changed: every repository's open PRs are gated again"
    );
    app.work.notify_waiters();
    Ok(())
}

/// A repository's onboarding job: lists its open PRs (on the job's branch, if any) up to the cap
/// and queues an evaluation of each, once.
pub async fn repository(app: &App, work: &Work, d: &QueuedDelivery) -> anyhow::Result<()> {
    let Some(name) = work.repo.as_deref() else { return Ok(()) };
    let repo = RepoName::parse(name)?;
    let job: RepositoryJob = match serde_json::from_slice(&d.body) {
        Ok(job) => job,
        Err(why) => {
            tracing::warn!(delivery = %d.id, reason = %why, "the onboarding job is unreadable; nothing gated");
            return Ok(());
        }
    };
    let (installation, gh) = app.client(work.installation_id, &repo).await?;
    let cap = app.onboarding.limits.max_prs_per_repository;
    let listed = gh.open_pull_numbers(&repo, job.base.as_deref(), cap).await;
    app.metrics.github(installation, gh.usage().requests, gh.rate_limit_remaining());
    let (numbers, capped) = listed?;
    if capped {
        app.metrics.onboarding_capped(name);
        tracing::warn!(repo = name, cap, "onboarding: more than {cap} open PRs; the first {cap} are gated");
    }
    let evaluations: Vec<NewDelivery> = numbers
        .iter()
        .map(|n| NewDelivery {
            id: format!("{}#{n}", d.id),
            event: ONBOARD_PR.into(),
            action: None,
            installation_id: Some(installation),
            repo: Some(name.to_string()),
            pr: Some(*n as i64),
            received_at_ms: d.received_at_ms,
            body: Vec::new(),
        })
        .collect();
    let added = app.store.enqueue_onboarding(&evaluations).await?;
    tracing::info!(
        repo = name,
        base = job.base.as_deref(),
        open = numbers.len(),
        queued = added,
        already_waiting = numbers.len() as u64 - added.min(numbers.len() as u64),
        capped,
        "onboarding started"
    );
    if numbers.is_empty() {
        tracing::info!(repo = name, gated = 0, "onboarding finished");
    }
    app.work.notify_waiters();
    Ok(())
}

/// After a unit with onboarding evaluations is done: says when it was the last of its
/// repository's onboarding, with the counts.
pub async fn after_done(app: &App, work: &Work) {
    let mut seen = Vec::new();
    for d in work.deliveries.iter().filter(|d| d.event == ONBOARD_PR) {
        let Some((job, _)) = d.id.rsplit_once('#') else { continue };
        if seen.contains(&job) {
            continue;
        }
        seen.push(job);
        match app.store.onboarding_counts_of(&format!("{job}#")).await {
            Ok(counts) if counts.pending == 0 => tracing::info!(
                repo = work.repo.as_deref(),
                gated = counts.done,
                parked = counts.parked,
                "onboarding finished"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot count what is left of the onboarding"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pace_lets_one_job_start_an_interval_and_takes_back_an_unused_start() {
        let pace = Onboarding::new(OnboardingLimits { per_minute: 1, ..OnboardingLimits::default() });
        let first = pace.try_take().expect("the first start is due at once");
        assert!(pace.try_take().is_none(), "the next waits a minute");
        pace.give_back(first);
        assert!(pace.try_take().is_some(), "a start given back is due again");
    }

    fn delivery(event: &str) -> QueuedDelivery {
        QueuedDelivery {
            id: "x".into(),
            event: event.into(),
            action: None,
            attempts: 0,
            received_at_ms: 0,
            body: Vec::new(),
        }
    }

    #[test]
    fn a_unit_is_onboarding_only_without_a_live_delivery() {
        let work = |events: &[&str]| Work {
            key: "k".into(),
            worker: "w".into(),
            installation_id: Some(1),
            repo: Some("a/b".into()),
            pr: Some(1),
            deliveries: events.iter().map(|e| delivery(e)).collect(),
            parked_at_claim: Vec::new(),
        };
        assert!(is_onboarding(&work(&[ONBOARD_PR])));
        assert!(is_onboarding(&work(&[ONBOARD_REPOSITORY])));
        assert!(!is_onboarding(&work(&[ONBOARD_PR, "pull_request"])), "a live event makes it live work");
        assert!(!is_onboarding(&work(&[])));
    }
}
