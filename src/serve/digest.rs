//! The App's weekly digest: once the configured moment of the week has passed, the digest of the
//! seven days before it becomes one issue in the configured repository (created by exactly one
//! replica, updated when run again), optionally a Slack message, and each routed team's own
//! message in its channel (each sent once a week by one replica). Also the latest digest that
//! `GET /digest` shows. The figures of every repository together measure with the `latency:` and
//! `teams:` of the digest repository's policy; the issue also measures each repository under its
//! own policy (`per_repo`), whose figures the teams' messages take. Policies are read from GitHub
//! each time.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::watch;

use super::App;
use super::config::DigestSchedule;
use anyhow::Context;

use crate::error::UserError;
use crate::gate::POLICY_PATH;
use crate::gate::digest_settings::Overrides;
use crate::latency::{ClockMode, Digest, LatencyConfig, Window};
use crate::policy::load::load_bundled;
use crate::report::digest::{self as render, Format, Notice};
use crate::store::DigestClaim;

/// How often the App looks whether the week's digest is due.
pub(crate) const EVERY: Duration = Duration::from_secs(600);
/// The label every digest issue carries, by which an issue made before a crash is found again.
pub const LABEL: &str = "flowgate-digest";
/// A claim not finished within this long was left by a replica that died creating the issue.
pub(super) const STALE_CLAIM: Duration = Duration::from_secs(600);

/// The week whose digest is due: its ISO name (`2026-W47`) and the moment it became due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub week: String,
    pub at: DateTime<Utc>,
}

impl Due {
    pub fn title(&self) -> String {
        crate::wording::digest::issue_title(&self.week)
    }

    /// The seven days before the moment.
    pub fn window(&self) -> Window {
        Window::new(self.at - TimeDelta::days(7), self.at)
    }
}

/// The digest due at `now`: the configured weekday and hour of the local ISO week holding `now`,
/// once it has passed; `None` before it. Pure, for tests.
pub fn due(schedule: &DigestSchedule, now: DateTime<Utc>) -> Option<Due> {
    let tz = jiff::tz::TimeZone::get(&schedule.timezone).ok()?;
    let local = jiff::Timestamp::from_second(now.timestamp()).ok()?.to_zoned(tz.clone());
    let today = local.date();
    let from_monday = i64::from(today.weekday().to_monday_zero_offset());
    let day = today
        .checked_sub(jiff::Span::new().days(from_monday))
        .ok()?
        .checked_add(jiff::Span::new().days(i64::from(schedule.weekday.num_days_from_monday())))
        .ok()?;
    let hour = i8::try_from(schedule.hour).ok()?;
    let moment = tz.to_ambiguous_timestamp(day.at(hour, 0, 0, 0)).compatible().ok()?;
    let at = DateTime::<Utc>::from_timestamp(moment.as_second(), 0)?;
    if now < at {
        return None;
    }
    let iso = day.iso_week_date();
    Some(Due { week: format!("{:04}-W{:02}", iso.year(), iso.week()), at })
}

/// What one run did about the week's issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posted {
    Created(u64),
    Updated(u64),
    /// Another replica holds the claim and is creating the issue.
    Busy,
}

/// The digest's settings, and why the policy could not be read when it could not.
struct Settings {
    config: LatencyConfig,
    /// The policy the settings came from, whose `linkage.chain` the chain coverage traces to.
    policy: crate::policy::Policy,
    /// Set when the policy did not load: the bundled default policy's settings were used, and
    /// the digest says so.
    unread: Option<String>,
    /// Where the settings came from, as the digest names them.
    origin: String,
}

impl Settings {
    /// What the digest says when the policy could not be read; `None` when it was.
    fn notice(&self) -> Option<Notice> {
        self.unread.as_ref().map(|why| Notice(crate::wording::digest::policy_unread(why)))
    }
}

/// The settings `flowgate digest` would build from the policy on the default branch of the
/// digest's repository (`.github/flowgate.yml` with its `extends:`, else the bundled default),
/// with `[digest] timezone`, when set, over the policy's calendar as `--timezone` is. Without a
/// `[digest]` table there is no repository: the bundled default policy in UTC.
async fn settings(app: &App, schedule: Option<&DigestSchedule>) -> Result<Settings, UserError> {
    let overrides = Overrides {
        timezone: schedule.filter(|s| s.timezone_given).map(|s| s.timezone.clone()),
        ..Overrides::default()
    };
    let build = |policy: &crate::policy::Policy| {
        crate::gate::digest_settings::config(policy, &overrides, ClockMode::Business)
            .map_err(|e| UserError::Usage(e.to_string()))
    };
    let bundled = || {
        let policy = load_bundled("default")?;
        Ok::<_, UserError>((build(&policy)?, policy))
    };
    let Some(schedule) = schedule else {
        let (config, policy) = bundled()?;
        let origin = crate::wording::digest::repos::BUNDLED.to_string();
        return Ok(Settings { config, policy, unread: None, origin });
    };
    let origin = |origin: &str| crate::wording::digest::repos::overall_origin(origin, overrides.timezone.as_deref());
    let read = async {
        let (_, gh) = app.client(None, &schedule.repo).await?;
        let branch = gh.default_branch(&schedule.repo).await?;
        let chosen = crate::gate::remote::policy_on_base(&gh, &schedule.repo, &branch).await?;
        Ok::<_, crate::gate::Error>((build(&chosen.policy)?, chosen.policy, chosen.origin))
    };
    match read.await {
        Ok((config, policy, from)) => Ok(Settings { config, policy, unread: None, origin: origin(&from) }),
        Err(e) => {
            let why = format!("{POLICY_PATH} of {}: {e}", schedule.repo);
            tracing::warn!(
                "the digest cannot read the policy's latency settings ({why}); it uses the bundled default policy's and says so in the digest"
            );
            let (config, policy) = bundled()?;
            let from = origin(crate::wording::digest::repos::BUNDLED);
            Ok(Settings { config, policy, unread: Some(why), origin: from })
        }
    }
}

/// The digest of `window` from the store's review events, with the merged PRs' stories traced
/// through the gate's shared tracker clients when the policy has a `linkage.chain`.
async fn compute(app: &App, settings: &Settings, window: Window, now: DateTime<Utc>) -> anyhow::Result<Digest> {
    let request = crate::gate::digest::Request {
        config: settings.config.clone(),
        policy: &settings.policy,
        window,
        now,
        repos: None,
    };
    // As for the gate's evaluations: GitHub Issues at the App's API, with no token of its own
    // unless FLOWGATE_GITHUB_ISSUES_TOKEN gives one. Clients that cannot be built leave the digest
    // without its full-chain share, saying why, rather than without a digest.
    let trackers =
        || Ok(crate::gate::chains::shared_trackers(&app.config.github_api_url, None).map_err(|e| e.to_string()));
    Ok(crate::gate::digest::compute(&app.store, request, trackers).await?.0)
}

/// The digest of the seven days before `now` as the HTML page of `GET /digest`, saying so when
/// the policy could not be read; `None` while no review event is stored at all.
pub(crate) async fn latest_page(app: &App, now: DateTime<Utc>) -> anyhow::Result<Option<String>> {
    // Held while computing, so concurrent requests wait for one digest instead of each making one.
    let mut cached = app.digest_page.lock().await;
    if let Some((_, page)) = cached.as_ref().filter(|(at, _)| at.elapsed() < PAGE_REUSE) {
        return Ok(Some(page.clone()));
    }
    if app.store.newest_event_at().await.context("reading the newest review event")?.is_none() {
        return Ok(None);
    }
    let settings = settings(app, app.config.digest.as_ref()).await?;
    let digest = compute(app, &settings, Window::new(now - TimeDelta::days(7), now), now).await?;
    let page = render::render_with(Format::Html, &digest, settings.notice().as_ref());
    *cached = Some((std::time::Instant::now(), page.clone()));
    Ok(Some(page))
}

/// How long a computed `/digest` page is served again: the digest covers seven days, so a minute
/// changes little, and each computation reads a week of events and asks GitHub for the policy.
const PAGE_REUSE: std::time::Duration = std::time::Duration::from_secs(60);

/// Writes the week's digest issue: creates it when this replica wins the week's claim (or
/// finds one made before a crash), updates it when it exists, and leaves it to another replica
/// that is creating it. `claimant` names this process.
pub async fn post_week(
    app: &App,
    schedule: &DigestSchedule,
    due: &Due,
    now: DateTime<Utc>,
    claimant: &str,
) -> anyhow::Result<Posted> {
    let settings = settings(app, Some(schedule)).await?;
    let notice = settings.notice();
    let mut digest = compute(app, &settings, due.window(), now.min(due.at)).await?;
    digest.per_repo = Some(super::digest_repos::per_repo(app, schedule, &settings.origin, &digest).await?);
    let body = render::render_with(Format::Markdown, &digest, notice.as_ref());
    let title = due.title();
    let repo = schedule.repo.to_string();
    let claim = app
        .store
        .claim_digest_issue(&repo, &due.week, claimant, now.timestamp_millis(), STALE_CLAIM.as_millis() as i64)
        .await
        .context("claiming the week's digest issue")?;
    let number = match claim {
        DigestClaim::Busy => return Ok(Posted::Busy),
        DigestClaim::Update(number) => {
            let number = u64::try_from(number).unwrap_or(0);
            let (_, gh) = app.client(None, &schedule.repo).await?;
            gh.update_issue(&schedule.repo, number, &title, &body).await?;
            super::digest_repos::post_teams(app, schedule, due, &digest, now, claimant).await;
            return Ok(Posted::Updated(number));
        }
        DigestClaim::Create => {
            let created = async {
                let (_, gh) = app.client(None, &schedule.repo).await?;
                let number = match gh.find_issue(&schedule.repo, LABEL, &title).await? {
                    Some(number) => gh.update_issue(&schedule.repo, number, &title, &body).await.map(|()| number)?,
                    None => gh.create_issue(&schedule.repo, &title, &body, LABEL).await?,
                };
                Ok::<_, UserError>(number)
            }
            .await;
            match created {
                Ok(number) => number,
                Err(e) => {
                    // Let the next run, here or on another replica, try again at once.
                    let _ = app.store.release_digest_claim(&repo, &due.week, claimant).await;
                    return Err(e.into());
                }
            }
        }
    };
    app.store
        .digest_issue_created(&repo, &due.week, number as i64)
        .await
        .context("recording the week's digest issue")?;
    if let Some(url) = &schedule.slack_webhook_url {
        let message = render::render_with(Format::Slack, &digest, notice.as_ref());
        if let Err(e) = crate::slack::post(url, &message, crate::slack::TIMEOUT).await {
            tracing::warn!(week = %due.week, error = %e, "the digest was not posted to Slack");
        }
    }
    super::digest_repos::post_teams(app, schedule, due, &digest, now, claimant).await;
    Ok(Posted::Created(number))
}

/// How often a replica tries again the teams' messages Slack did not take, once the week's issue
/// exists: each try computes the digest again and reads every repository's policy.
const TEAM_RETRY: Duration = Duration::from_secs(3600);

/// Every `EVERY`, posts the week's digest once it is due and not yet posted; once it is, tries
/// again the teams' messages that failed, at most every `TEAM_RETRY`.
pub async fn run(app: Arc<App>, claimant: String, mut shutdown: watch::Receiver<bool>) {
    let Some(schedule) = app.config.digest.clone() else { return };
    let mut teams_tried: Option<std::time::Instant> = None;
    loop {
        let now = Utc::now();
        if let Some(due) = due(&schedule, now) {
            let wanted = async {
                if app.store.digest_issue(&schedule.repo.to_string(), &due.week).await?.is_none() {
                    return Ok(true);
                }
                let pending = super::digest_repos::teams_pending(&app, &schedule, &due.week).await?;
                Ok::<_, crate::store::StoreError>(
                    !pending.is_empty() && teams_tried.is_none_or(|at| at.elapsed() >= TEAM_RETRY),
                )
            };
            match wanted.await {
                Ok(false) => {}
                Ok(true) => {
                    teams_tried = Some(std::time::Instant::now());
                    match post_week(&app, &schedule, &due, now, &claimant).await {
                        Ok(Posted::Created(n)) => {
                            tracing::info!(week = %due.week, "posted the digest as {}#{n}", schedule.repo)
                        }
                        Ok(Posted::Updated(n)) => {
                            tracing::info!(week = %due.week, "updated the digest in {}#{n}", schedule.repo)
                        }
                        Ok(Posted::Busy) => {}
                        Err(e) => tracing::error!(week = %due.week, error = %e, "cannot post the digest"),
                    }
                }
                Err(e) => tracing::error!(error = %e, "cannot read the digest's issue"),
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(EVERY) => {}
            _ = shutdown.wait_for(|s| *s) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;

    fn schedule(weekday: Weekday, hour: u32, timezone: &str) -> DigestSchedule {
        DigestSchedule {
            repo: crate::github::RepoName::parse("acme/eng").unwrap(),
            weekday,
            hour,
            timezone: timezone.into(),
            timezone_given: true,
            slack_webhook_url: None,
            team_slack: Default::default(),
            max_repos: 100,
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_digest_is_due_once_the_weeks_moment_has_passed_in_its_time_zone() {
        // Monday 09:00 in Berlin (UTC+1 in November) is 08:00 UTC.
        let monday_nine = schedule(Weekday::Mon, 9, "Europe/Berlin");
        assert_eq!(due(&monday_nine, at("2026-11-23T07:59:00Z")), None, "not yet this week");
        let due_now = due(&monday_nine, at("2026-11-23T08:00:00Z")).expect("due");
        assert_eq!((due_now.week.as_str(), due_now.at), ("2026-W48", at("2026-11-23T08:00:00Z")));
        assert_eq!(due_now.window(), Window::new(at("2026-11-16T08:00:00Z"), at("2026-11-23T08:00:00Z")));
        assert_eq!(due_now.title(), "Review digest 2026-W48");
        // Later in the week, the same week's digest.
        assert_eq!(due(&monday_nine, at("2026-11-29T22:00:00Z")).map(|d| d.week), Some("2026-W48".into()));
        // Sunday 23:30 UTC is already Monday 00:30 in Berlin: the next week, not yet due.
        assert_eq!(due(&monday_nine, at("2026-11-29T23:30:00Z")), None);

        let friday = schedule(Weekday::Fri, 16, "UTC");
        assert_eq!(due(&friday, at("2026-11-26T12:00:00Z")), None);
        assert_eq!(due(&friday, at("2026-11-27T16:00:00Z")).map(|d| d.week), Some("2026-W48".into()));
        // The ISO year differs from the calendar year around New Year.
        assert_eq!(
            due(&schedule(Weekday::Mon, 0, "UTC"), at("2026-12-30T00:00:00Z")).map(|d| d.week),
            Some("2026-W53".into())
        );
    }
}
