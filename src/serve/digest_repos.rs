//! The weekly digest per repository: each repository with activity in the window measured under
//! its own policy (read from its default branch, at most `[digest] max_repos` a run, the rest
//! named), and each routed team's figures posted to its own Slack channel, once a week across
//! replicas (claimed as the issue is, under the target `slack:@org/team`).

use chrono::{DateTime, Utc};

use super::App;
use super::config::DigestSchedule;
use super::digest::{Due, STALE_CLAIM};
use crate::gate::digest_settings::Overrides;
use crate::github::RepoName;
use crate::latency::{ClockMode, Digest, LatencyConfig, PerRepo, RepoFigures, UnreadRepo, team_digest};
use crate::store::{DigestClaim, StoreError};

/// What a team's message is claimed under in the table of digest issues: no repository is named
/// so (GitHub names hold no `:`).
fn target(team: &str) -> String {
    format!("slack:{team}")
}

/// Each repository of `overall` (the digest of them all) measured under its own policy. The
/// repositories with the most active PRs are read first when more than the cap had activity.
pub(super) async fn per_repo(
    app: &App,
    schedule: &DigestSchedule,
    overall_settings: &str,
    overall: &Digest,
) -> anyhow::Result<PerRepo> {
    let mut names: Vec<(usize, String)> = overall.by_repo.iter().map(|g| (g.prs, g.group.clone())).collect();
    names.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let cap = schedule.max_repos;
    let mut over_cap: Vec<String> = names.iter().skip(cap).map(|(_, n)| n.clone()).collect();
    over_cap.sort();
    if !over_cap.is_empty() {
        tracing::warn!(
            cap,
            left_out = over_cap.len(),
            "more repositories had activity than [digest] max_repos; the digest names those not measured"
        );
    }
    let mut per_repo = PerRepo {
        overall_settings: overall_settings.to_string(),
        repos: Vec::new(),
        unread: Vec::new(),
        over_cap,
        cap,
    };
    for (_, name) in names.into_iter().take(cap) {
        match settings_of(app, &name).await {
            Ok((config, origin)) => {
                let only = [name.clone()];
                let builder =
                    crate::gate::digest::builder(&app.store, config, overall.window, overall.now, Some(&only)).await?;
                per_repo.repos.push(RepoFigures::of(&name, &origin, &builder.finish()));
            }
            Err(reason) => {
                tracing::warn!(repo = %name, error = %reason, "the digest cannot read the repository's policy; it names it, unmeasured");
                per_repo.unread.push(UnreadRepo { repo: name, reason });
            }
        }
    }
    per_repo.repos.sort_by(|a, b| a.repo.cmp(&b.repo));
    Ok(per_repo)
}

/// The repository's digest settings from the policy the App gates its default branch with (its
/// policy file over its baseline, or either alone; the bundled default when it has neither, which
/// its origin says), or why they cannot be read.
async fn settings_of(app: &App, name: &str) -> Result<(LatencyConfig, String), String> {
    let repo = RepoName::parse(name).map_err(|_| format!("{name} is not OWNER/NAME"))?;
    let read = async {
        let (_, gh) = app.client(None, &repo).await?;
        let branch = gh.default_branch(&repo).await?;
        let chosen = match crate::gate::baseline::policy_for_app(&gh, &repo, &branch, &app.config.baselines).await? {
            Some(chosen) => chosen,
            None => crate::gate::remote::policy_on_base(&gh, &repo, &branch).await?,
        };
        Ok::<_, crate::gate::Error>(chosen)
    };
    let chosen = read.await.map_err(|e| e.to_string())?;
    let config = crate::gate::digest_settings::config(&chosen.policy, &Overrides::default(), ClockMode::Business)
        .map_err(|e| e.to_string())?;
    Ok((config, chosen.origin))
}

/// Posts each routed team's figures to its channel, unless this week's message was sent or
/// another replica is sending it. One team's failure leaves the others to go; it is logged,
/// counted, and its claim given back so the next run tries again.
pub(super) async fn post_teams(
    app: &App,
    schedule: &DigestSchedule,
    due: &Due,
    digest: &Digest,
    now: DateTime<Utc>,
    claimant: &str,
) {
    let Some(per_repo) = &digest.per_repo else { return };
    for (team, url) in &schedule.team_slack {
        let target = target(team);
        let stale = STALE_CLAIM.as_millis() as i64;
        match app.store.claim_digest_issue(&target, &due.week, claimant, now.timestamp_millis(), stale).await {
            Ok(DigestClaim::Create) => {}
            Ok(DigestClaim::Update(_) | DigestClaim::Busy) => continue,
            Err(e) => {
                tracing::error!(team, week = %due.week, error = %e, "cannot claim the team's digest message");
                continue;
            }
        }
        let message = crate::report::digest::team::render(&team_digest(team, per_repo), digest).to_string();
        match crate::slack::post(url, &message, crate::slack::TIMEOUT).await {
            Ok(()) => {
                app.metrics.digest_team_message(true);
                if let Err(e) = app.store.digest_issue_created(&target, &due.week, 0).await {
                    tracing::error!(team, week = %due.week, error = %e, "cannot record the team's digest message");
                }
            }
            Err(e) => {
                app.metrics.digest_team_message(false);
                tracing::warn!(team, week = %due.week, error = %e, "the team's digest was not posted to Slack; the next run tries again");
                let _ = app.store.release_digest_claim(&target, &due.week, claimant).await;
            }
        }
    }
}

/// The routed teams whose message for `week` is not sent yet.
pub(super) async fn teams_pending<'a>(
    app: &App,
    schedule: &'a DigestSchedule,
    week: &str,
) -> Result<Vec<&'a str>, StoreError> {
    let mut pending = Vec::new();
    for team in schedule.team_slack.keys() {
        if app.store.digest_issue(&target(team), week).await?.is_none() {
            pending.push(team.as_str());
        }
    }
    Ok(pending)
}
