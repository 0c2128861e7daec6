//! Review SLOs acting while a PR waits: after the worker gates an open PR, its escalation ladder
//! (`slo::plan`) is worked out from the PR's recorded review events, the steps due are taken
//! (a reminder, the pool's channel, reassignment) and the PR is watched until its next step; the
//! sweeper queues a watched PR when that time comes, and the worker gates it again (so GitHub's
//! state then decides) before looking at the ladder.
//!
//! At most once: a step is claimed by inserting its row in `slo_steps` before it is sent, and
//! only the inserter sends it, so replicas and restarts never send a step twice. A crash between
//! the claim and the send loses that one message, which is preferred to a duplicate.

use std::sync::Arc;

use anyhow::Context;
use jiff::Timestamp;
use tokio::sync::watch;

use super::slo_notify::{self, Via};
use super::{App, now_ms};
use crate::gate::apply::{Published, apply};
use crate::gate::assign::Reassign;
use crate::gate::gather::Gated;
use crate::gate::plan::Comment;
use crate::gate::{self, remote};
use crate::github::{GitHub, RepoName};
use crate::model::{Login, Tier};
use crate::slo::{self, Due, Held, Sent, SloRule, Step, WaitingOn};
use crate::store::{CLAIMED, NewDelivery, SLO_EVENT, StepKey, StoreError};

/// Watches queued per sweep at most; the rest wait for the next one, most overdue first.
const SWEEP_BATCH: i64 = 500;

/// The sweeper: every `[slo] sweep_seconds`, queues each watched PR whose ladder fell due.
pub async fn run(app: Arc<App>, mut shutdown: watch::Receiver<bool>) {
    loop {
        match sweep(&app, now_ms()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!("queued {n} PRs whose review SLO ladder has a step due"),
            Err(e) => tracing::error!(error = %e, "cannot look for review SLO steps due"),
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(app.config.slo.sweep_seconds)) => {}
            _ = shutdown.wait_for(|s| *s) => return,
        }
    }
}

/// Queues one `slo` look at each PR whose watch is due at `now_ms`, at live priority. Its id,
/// `slo:{repo}#{pr}@{next_due_ms}`, is the same on every replica, so the look is queued once.
/// Returns how many were queued now.
pub async fn sweep(app: &App, now_ms: i64) -> Result<usize, StoreError> {
    let due = app.store.due_slo_watches(now_ms, SWEEP_BATCH).await?;
    let mut queued = 0;
    for watch in due {
        let row = NewDelivery {
            id: format!("slo:{}#{}@{}", watch.repo, watch.pr, watch.next_due_ms),
            event: SLO_EVENT.to_string(),
            action: None,
            installation_id: watch.installation_id,
            repo: Some(watch.repo.clone()),
            pr: Some(watch.pr),
            received_at_ms: now_ms,
            body: b"{}".to_vec(),
        };
        if app.store.enqueue_slo(&row).await? {
            queued += 1;
        }
    }
    if queued > 0 {
        app.work.notify_waiters();
    }
    Ok(queued)
}

/// The PR is closed or merged: nothing is left to escalate.
pub async fn closed(app: &App, repo: &RepoName, pr: u64) -> anyhow::Result<()> {
    let repo = repo.to_string();
    app.store.unwatch_slo(&repo, pr as i64).await.with_context(|| format!("{repo}#{pr}: ending its SLO watch"))
}

/// Looks at the ladder of a PR the worker just gated and published: takes the steps due, records
/// the ones settled without acting, and watches the PR until its next step (or stops watching it).
pub async fn after_gate(
    app: &App,
    gh: &GitHub,
    repo: &RepoName,
    pr: u64,
    installation: i64,
    gated: &Gated,
) -> anyhow::Result<()> {
    let name = repo.to_string();
    let number = pr as i64;
    let tier = gated.verdict.tier;
    // No ladder for a closed PR, a queue tool's PR, in shadow mode (which writes nothing but the
    // check run), or for a tier without an SLO.
    let rule = match gated.chosen.policy.latency.slo.get(&tier) {
        Some(rule) if gated.open && gated.queue.is_none() && !gated.enforcement().is_shadow() => rule,
        _ => return closed(app, repo, pr).await,
    };
    let now = Timestamp::now();
    let ladder = ladder(app, &name, pr, gated, rule, now).await?;
    for (due, held) in ladder.plan.held.iter().filter(|(_, held)| held.settles()) {
        let outcome = crate::wording::slo::skipped(&held_reason(*held));
        if app.store.claim_slo_step(step_key(&name, number, due), &outcome, now_ms()).await? {
            app.metrics.slo_step(due.step.id(), "skipped");
        }
    }
    let mut reassign = Vec::new();
    for due in &ladder.plan.act {
        if !app.store.claim_slo_step(step_key(&name, number, due), CLAIMED, now_ms()).await? {
            continue;
        }
        let sent = match due.step {
            Step::Remind => slo_notify::remind(app, gh, repo, pr, tier, rule, due).await,
            Step::Channel => slo_notify::to_channel(app, gh, repo, pr, tier, rule, due).await,
            Step::Reassign => {
                reassign.push(due.clone());
                continue;
            }
        };
        settle(app, &name, number, due, sent.map(Via::id)).await?;
    }
    if !reassign.is_empty() {
        hand_on(app, gh, repo, pr, tier, rule, &reassign).await?;
    }
    let wake = [ladder.plan.next_wake, ladder.snooze_ends].into_iter().flatten().min();
    match wake {
        Some(at) => app
            .store
            .watch_slo(&name, number, Some(installation), at.as_millisecond())
            .await
            .with_context(|| format!("{name}#{pr}: watching its SLO")),
        None => closed(app, repo, pr).await,
    }
}

/// A PR's ladder now: the plan, and when the first snooze on it ends (a wait starts again then).
struct Ladder {
    plan: slo::Plan,
    snooze_ends: Option<Timestamp>,
}

/// Replays the PR's recorded events to see whose turn it is (with its snoozes), keeps the
/// reviewers GitHub still shows as asked and not answered, and plans the ladder for them.
async fn ladder(
    app: &App,
    repo: &str,
    pr: u64,
    gated: &Gated,
    rule: &SloRule,
    now: Timestamp,
) -> anyhow::Result<Ladder> {
    let number = pr as i64;
    let policy = &gated.chosen.policy;
    let Some(turn) = super::slo_turn::read_turn(app, repo, pr, &policy.latency.ai_reviewers).await? else {
        return Ok(Ladder { plan: slo::Plan::default(), snooze_ends: None });
    };
    let turn = turn.on;
    let snooze_ends = match &turn {
        WaitingOn::Reviewers { snoozed, .. } => snoozed.iter().map(|s| s.until).min(),
        _ => None,
    };
    let waiting: Vec<(Login, Timestamp)> =
        turn.waiting_users().into_iter().filter(|(login, since)| still_waiting(gated, login, *since)).collect();
    let away: Vec<String> = app.store.away(now.as_millisecond()).await?.into_iter().map(|(login, _)| login).collect();
    let waiters = gate::slo::waiters(&waiting, policy, gated.verdict.reviewers.as_ref(), &away);
    let candidates: Vec<slo::Candidate<'_>> = waiters.iter().map(|w| w.candidate()).collect();
    let sent: Vec<Sent> = app
        .store
        .slo_steps(repo, number)
        .await?
        .into_iter()
        .filter_map(|row| {
            Some(Sent {
                login: Login::new(row.login),
                step: Step::from_id(&row.step)?,
                period: Timestamp::from_millisecond(row.period_ms).ok()?,
            })
        })
        .collect();
    Ok(Ladder { plan: slo::plan(rule, &candidates, &sent, now), snooze_ends })
}

/// Whether GitHub, as just read, agrees that `login` still owes the PR an answer: asked (when the
/// policy's reviewer choice read the requests), and no review from them since the wait began. A
/// review whose webhook has not come yet is seen here, so nobody is reminded of a PR they just
/// reviewed.
fn still_waiting(gated: &Gated, login: &Login, since: Timestamp) -> bool {
    let reviewed = gated.facts.reviews.iter().any(|r| {
        &r.reviewer == login
            && r.submitted_at.as_deref().and_then(|t| t.parse::<Timestamp>().ok()).is_none_or(|at| at >= since)
    });
    let asked = gated.assignment.as_ref().is_none_or(|a| a.pr.requested_users.contains(login));
    asked && !reviewed
}

fn step_key<'a>(repo: &'a str, pr: i64, due: &'a Due) -> StepKey<'a> {
    StepKey { repo, pr, login: due.login.as_str(), step: due.step.id(), period_ms: due.period.as_millisecond() }
}

/// Why a step is settled without being taken, as recorded after `skipped: `.
fn held_reason(held: Held) -> String {
    match held {
        Held::Unavailable => "unavailable".to_string(),
        Held::Overtaken { by } => format!("overtaken by {}", by.id()),
        Held::OutsideHours { .. } => "outside working hours".to_string(),
    }
}

/// Records what became of a claimed step and counts it. A channel step for a pool without a
/// channel sent nothing: it is recorded as skipped.
async fn settle(app: &App, repo: &str, pr: i64, due: &Due, sent: anyhow::Result<&'static str>) -> anyhow::Result<()> {
    let (outcome, via, counted) = match sent {
        Ok("no_channel") => (crate::wording::slo::skipped("no channel for the pool"), None, "skipped"),
        Ok(via) => ("sent".to_string(), Some(via), "sent"),
        Err(e) => {
            tracing::warn!(step = due.step.id(), reviewer = %due.login, error = %format!("{e:#}"), "a review SLO step failed");
            (format!("failed: {e:#}"), None, "failed")
        }
    };
    app.metrics.slo_step(due.step.id(), counted);
    app.store
        .record_slo_outcome(step_key(repo, pr, due), &outcome, via, now_ms())
        .await
        .with_context(|| format!("{repo}#{pr}: recording a review SLO step"))
}

/// The reassignment step: gates the PR again asking the reviewer choice to hand these reviewers'
/// requests to the next best (`/flowgate unavailable`'s mechanism: only requests not yet
/// answered move, and nobody who reviewed is removed), and says why in a PR comment.
async fn hand_on(
    app: &App,
    gh: &GitHub,
    repo: &RepoName,
    pr: u64,
    tier: Tier,
    rule: &SloRule,
    dues: &[Due],
) -> anyhow::Result<()> {
    let name = repo.to_string();
    let number = pr as i64;
    let logins: Vec<Login> = dues.iter().map(|d| d.login.clone()).collect();
    let facts = remote::AppFacts {
        store: &app.store,
        reassign: Reassign::TheseIfWaiting(logins),
        baselines: &app.config.baselines,
    };
    let gated = match remote::gate_with(gh, repo, pr, None, Some(facts)).await {
        Ok(Some(gated)) => gated,
        Ok(None) => {
            for due in dues {
                settle(app, &name, number, due, Err(anyhow::anyhow!("the repository is no longer gated"))).await?;
            }
            return Ok(());
        }
        Err(e) => {
            let e = anyhow::Error::from(e);
            for due in dues {
                settle(app, &name, number, due, Err(anyhow::anyhow!("cannot gate the PR again: {e:#}"))).await?;
            }
            return Ok(());
        }
    };
    let share = rule.reassign_at.map_or(0, |s| s.0);
    let after = rule.reassign_at.map_or(rule.first_response, |s| s.of(rule.first_response));
    let mut plan = gated.plan()?;
    let mut handed = Vec::new();
    for due in dues {
        if !gated.withdraw.contains(&due.login) {
            let why = if gated.assignment.is_none() {
                "the policy has no reviewers section to choose another reviewer from"
            } else {
                "no longer asked, or already reviewed"
            };
            settle(app, &name, number, due, Err(anyhow::anyhow!("{why}"))).await?;
            continue;
        }
        let marker =
            format!("<!-- flowgate:slo reassign {} {} -->", due.login.as_str().to_lowercase(), due.period.as_second());
        let body = crate::wording::slo::reassigned(due.login.as_str(), tier, after, share, rule.first_response);
        plan = plan.commenting(Comment { marker, since: due.period.to_string(), body });
        handed.push(due);
    }
    if handed.is_empty() {
        return Ok(());
    }
    let published = apply(gh, repo, &plan).await.map_err(gate::Error::from);
    let withdrawn: anyhow::Result<()> = match published {
        Ok(Published::Posted { withdrawn: Ok(_), .. }) => Ok(()),
        Ok(Published::Posted { withdrawn: Err(why), .. }) => {
            Err(anyhow::anyhow!("GitHub refused the withdrawal: {why}"))
        }
        Ok(Published::NotPosted(why)) => Err(anyhow::anyhow!("nothing was posted: {why}")),
        Err(e) => Err(anyhow::Error::from(e)),
    };
    let failed = withdrawn.as_ref().err().map(|e| format!("{e:#}"));
    for due in handed {
        let sent = match &failed {
            None => Ok("reassign"),
            Some(why) => Err(anyhow::anyhow!("{why}")),
        };
        settle(app, &name, number, due, sent).await?;
    }
    Ok(())
}
