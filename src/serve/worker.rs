//! A worker: takes a PR's stored deliveries from the queue, gates the PR against GitHub's current
//! state, publishes, and marks the deliveries done. A failure is handled by its kind: a PR,
//! repository or installation GitHub no longer has ends the work; a permission GitHub refuses
//! parks it at once and says so on the PR; a rate limit is retried once it lifts; anything else is
//! retried with backoff and parked when it keeps failing. On shutdown it finishes what it holds or
//! gives it back. Each unit of work runs in a `work` span naming its deliveries, repository, PR,
//! installation and worker.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::sync::watch;
use tracing::Instrument;

use super::events::{self, Command};
use super::{App, now_ms};
use super::{onboarding, record};
use crate::gate::apply::{Published, apply};
use crate::gate::assign::Reassign;
use crate::gate::plan::Comment;
use crate::gate::{self, remote};
use crate::github::parse::webhook;
use crate::github::{self, RepoName};
use crate::model::{Enforcement, FailReason, Login};
use crate::policy::verdict::State;
use crate::report::check_run::CannotEvaluate;
use crate::report::markdown;
use crate::store::{Lanes, ONBOARD_REPOSITORY, StoreError, Work};
use crate::wording;

/// Attempts before a delivery is parked for an operator (`flowgate queue`); counted at the claim.
pub use crate::store::MAX_ATTEMPTS;
/// How long a worker may take to finish its evaluation after shutdown begins.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// The wait before attempt `attempts + 1`: `first` (30 s unless configured), doubling, at most an hour.
pub fn backoff(first: Duration, attempts: i32) -> Duration {
    first.saturating_mul(1 << attempts.clamp(0, 16)).min(Duration::from_secs(3600))
}

pub async fn run(app: Arc<App>, name: String, mut shutdown: watch::Receiver<bool>) {
    app.workers_running.fetch_add(1, Ordering::Relaxed);
    while !*shutdown.borrow() {
        // Taken before asking: the lease the store grants ends no sooner than this plus its length.
        let claimed_at = tokio::time::Instant::now();
        // Onboarding work only when its pace allows one more start now; live deliveries always.
        let start = app.onboarding.try_take();
        let lanes = if start.is_some() { Lanes::All } else { Lanes::LiveOnly };
        let claimed = app.store.claim_in(&name, now_ms(), app.config.lease.as_millis() as i64, lanes).await;
        let onboarding = matches!(&claimed, Ok(Some(work)) if onboarding::is_onboarding(work));
        if let (Some(start), false) = (start, onboarding) {
            app.onboarding.give_back(start);
        }
        match claimed {
            Ok(Some(work)) => {
                let key = work.key.clone();
                if let Ok(mut held) = app.held.lock() {
                    held.insert(key.clone());
                }
                let span = work_span(&work, &name);
                handle(&app, work, claimed_at, &mut shutdown).instrument(span).await;
                if let Ok(mut held) = app.held.lock() {
                    held.remove(&key);
                }
            }
            Ok(None) => {
                tokio::select! {
                    _ = app.work.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = shutdown.changed() => {}
                }
            }
            Err(e) => {
                tracing::error!(worker = %name, error = %e, "cannot take work");
                app.handler_failed("cannot take work", &e);
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
    app.workers_running.fetch_sub(1, Ordering::Relaxed);
}

/// The span of one unit of work: its key, its deliveries' ids, the PR and who works on it.
fn work_span(work: &Work, worker: &str) -> tracing::Span {
    let ids: Vec<&str> =
        work.deliveries.iter().map(|d| d.id.as_str()).chain(work.parked_at_claim.iter().map(String::as_str)).collect();
    tracing::info_span!(
        "work",
        key = %work.key,
        delivery = %ids.join(","),
        repo = work.repo.as_deref(),
        pr = work.pr,
        installation = work.installation_id,
        worker = %worker,
    )
}

/// What a failed evaluation's error says to do with its unit.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    /// Try again after the backoff, and no sooner than `not_before_ms` (when a rate limit lifts).
    Retry { not_before_ms: Option<i64> },
    /// GitHub refused a permission: asking again changes nothing until someone grants it. Parked
    /// at once (an operator queues it again once granted), and said on the PR.
    Park,
    /// GitHub has no such PR, repository or installation any more (deleted, or the App was
    /// uninstalled): nothing is left to gate, and the work is done.
    Complete,
}

/// Reads the GitHub error in `e`'s chain, if any, for what to do next. Anything else (the store,
/// a timeout, GitHub's 5xx and broken connections after the client's own retries) is retried.
fn next_step(e: &anyhow::Error) -> Next {
    let kind = e.chain().find_map(github_failure).map(github::Error::kind);
    match kind {
        Some(github::error::Kind::NotFound) => Next::Complete,
        Some(github::error::Kind::Forbidden { .. }) => Next::Park,
        Some(github::error::Kind::RateLimited { reset }) => Next::Retry {
            not_before_ms: reset
                .and_then(|r| r.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_millis() as i64),
        },
        _ => Next::Retry { not_before_ms: None },
    }
}

/// The GitHub failure `cause` is or carries, the gate's error included.
fn github_failure<'a>(cause: &'a (dyn std::error::Error + 'static)) -> Option<&'a github::Error> {
    match cause.downcast_ref::<gate::Error>() {
        Some(gated) => gated.github(),
        None => github::Error::find(cause),
    }
}

/// Why a worker stopped working on a unit before it finished.
enum Stopped {
    /// Shutting down and the grace period ran out.
    Shutdown,
    /// The lease could not be renewed in time, or another worker holds it now.
    LeaseLost(String),
}

async fn handle(app: &App, work: Work, claimed_at: tokio::time::Instant, shutdown: &mut watch::Receiver<bool>) {
    let started = Instant::now();
    let limit = app.config.evaluation_timeout;
    if !work.parked_at_claim.is_empty() {
        // Each of these stopped its worker every time (a crash, a kill, a lost lease): the PR
        // must not wait for a check that never comes. Said before anything else is tried, since
        // what follows may stop this worker the same way.
        app.metrics.evaluation("parked", started.elapsed());
        tracing::warn!(
            parked = %work.parked_at_claim.join(", "),
            "parked after {MAX_ATTEMPTS} attempts whose worker stopped before finishing"
        );
        let why = CannotEvaluate::Stopped { attempts: MAX_ATTEMPTS };
        app.handler_failed(&format!("parked after {MAX_ATTEMPTS} attempts"), &wording::app::EVERY_ATTEMPT_STOPPED);
        if tokio::time::timeout(limit, say_cannot_evaluate(app, &work, why, "")).await.is_err() {
            tracing::warn!("cannot say so on the PR: no answer within {} s", limit.as_secs());
            app.handler_failed("cannot say so on the PR", &format!("no answer within {} s", limit.as_secs()));
        }
        if work.deliveries.is_empty() {
            // Nothing else to do for this PR: end the lease.
            if let Err(e) = app.store.complete(&work, now_ms()).await {
                tracing::warn!(error = %e, "cannot end the lease; it ends on its own");
                app.handler_failed("cannot end the lease", &e);
            }
            return;
        }
    }
    if let Some(until) = onboarding::paused_until(app, &work).await {
        // Onboarding waits for the installation's rate limit: the work returns then, no attempt
        // counted.
        if let Err(e) = app.store.defer(&work, until).await {
            tracing::warn!(error = %e, "cannot put the onboarding off; it returns when its lease ends");
        }
        return;
    }
    // The evaluation, the lease's heartbeat and the shutdown grace race in a scope of their own:
    // the ones that lose are dropped at its end, before anything below writes to the store. One
    // kept (suspended, no longer polled) in the middle of a store write would hold SQLite's one
    // writer lock, and the write below would wait for it forever.
    let result = {
        let job = async {
            match tokio::time::timeout(limit, process(app, &work)).await {
                Ok(result) => result,
                Err(_) => Err(anyhow::anyhow!(wording::app::evaluation_timed_out(limit.as_secs()))),
            }
        };
        tokio::pin!(job);
        let heartbeat = keep_lease(app, &work, claimed_at);
        tokio::pin!(heartbeat);
        let grace = async {
            let _ = shutdown.wait_for(|s| *s).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        };
        tokio::select! {
            r = &mut job => Ok(r),
            _ = grace => Err(Stopped::Shutdown),
            lost = &mut heartbeat => Err(Stopped::LeaseLost(lost)),
        }
    };
    let result = match result {
        Ok(r) => Some(r),
        Err(Stopped::Shutdown) => None,
        Err(Stopped::LeaseLost(why)) => {
            // Dropping `job` above stopped the evaluation before the lease could lapse, so no other
            // worker runs this PR while this one still does. The claim counted the attempt; the
            // PR comes back when the lease ends.
            app.metrics.evaluation("abandoned", started.elapsed());
            tracing::warn!(reason = %why, "gave the work up");
            // Not a handler error: the lease did its job (a slow renewal on a busy machine, or
            // another worker's claim), the work is given back whole and retried, and the log and
            // the `abandoned` count say so. Counted as one, a test's short lease on a loaded
            // machine would fail a test whose App behaved as designed.
            return;
        }
    };
    match result {
        None => {
            // Shutting down and not finished: give it back for another worker or the next start.
            if let Err(e) = app.store.release(&work).await {
                tracing::warn!(error = %e, "cannot give the work back; it returns when its lease ends");
                app.handler_failed("cannot give the work back", &e);
            }
        }
        Some(Ok(())) => {
            app.metrics.evaluation("done", started.elapsed());
            tracing::info!(outcome = "done", elapsed_ms = started.elapsed().as_millis() as u64, "evaluated");
            match app.store.complete(&work, now_ms()).await {
                Ok(()) => onboarding::after_done(app, &work).await,
                Err(e) => {
                    tracing::error!(error = %e, "evaluated, but cannot mark done");
                    app.handler_failed("evaluated, but cannot mark done", &e);
                }
            }
        }
        Some(Err(e)) => {
            // The whole chain: what was being done, and what failed.
            let error = format!("{e:#}");
            app.handler_failed("the evaluation failed", &error);
            // Attempts before this one; the claim counted this one.
            let attempts = work.deliveries.iter().map(|d| d.attempts).max().unwrap_or(0);
            let next = now_ms() + backoff(app.config.retry_backoff, attempts).as_millis() as i64;
            let (next, max_attempts) = match next_step(&e) {
                Next::Complete => {
                    app.metrics.evaluation("gone", started.elapsed());
                    tracing::warn!(outcome = "gone", error = %error, "GitHub has no such pull request, repository or installation any more: nothing to gate, not retried");
                    if let Err(e) = app.store.complete(&work, now_ms()).await {
                        tracing::error!(error = %e, "cannot mark the work done");
                        app.handler_failed("cannot mark the work done", &e);
                    }
                    return;
                }
                // A limit of no attempts parks the deliveries now.
                Next::Park => (now_ms(), 0),
                Next::Retry { not_before_ms } => (next.max(not_before_ms.unwrap_or(0)), MAX_ATTEMPTS),
            };
            match app.store.retry_later(&work, &error, next, max_attempts).await {
                Ok(parked) if !parked.is_empty() => {
                    app.metrics.evaluation("parked", started.elapsed());
                    let why = if max_attempts == 0 {
                        tracing::warn!(outcome = "parked", error = %error, "parked: GitHub refused a permission, which retrying does not grant");
                        CannotEvaluate::Forbidden
                    } else {
                        tracing::warn!(outcome = "parked", error = %error, "parked after {MAX_ATTEMPTS} attempts");
                        CannotEvaluate::GaveUp { attempts: MAX_ATTEMPTS }
                    };
                    // Under the same limit: what hung the evaluation may well hang this too.
                    if tokio::time::timeout(limit, say_cannot_evaluate(app, &work, why, &error)).await.is_err() {
                        tracing::warn!("cannot say so on the PR: no answer within {} s", limit.as_secs());
                        let late = format!("no answer within {} s", limit.as_secs());
                        app.handler_failed("cannot say so on the PR", &late);
                    }
                }
                Ok(_) => {
                    app.metrics.evaluation("retry", started.elapsed());
                    let in_ms = next - now_ms();
                    tracing::warn!(outcome = "retry", retry_in_ms = in_ms.max(0), error = %error, "will retry");
                }
                Err(store) => {
                    tracing::error!(error = %error, store_error = %store, "failed, and cannot record it");
                    app.handler_failed("failed, and cannot record it", &store);
                }
            }
        }
    }
}

/// Renews the work's lease every quarter of its length for as long as the work goes on, and
/// returns (the work must stop) when it can no longer be sure to hold it: another worker took it
/// over, or renewing has failed until a quarter of the lease is left. That quarter is the margin
/// for the work to stop before another worker may claim the PR; a renewal that hangs counts as
/// failed when the margin starts.
///
/// Why short leases renewed while the work runs, rather than releasing a dead replica's leases
/// when it is proven dead: the proof differs by database and host (a file lock beside SQLite, a
/// PostgreSQL session lock, and neither covers a replica restarted on another machine), while a
/// lease that lapses a few seconds after its holder stops works the same on both databases and
/// every host, and costs one small write per PR in progress every quarter lease.
async fn keep_lease(app: &App, work: &Work, claimed_at: tokio::time::Instant) -> String {
    let lease = app.config.lease;
    let margin = lease / 4;
    // The lease as this worker knows it holds it, by its own monotonic clock.
    let mut held_until = claimed_at + lease;
    // Only the key and the worker name the lease; the bodies stay out of the renewals' tasks.
    let holder = work.clone_without_deliveries();
    loop {
        tokio::time::sleep(lease / 4).await;
        let asked = tokio::time::Instant::now();
        // Each renewal is a task of its own, so it always finishes its transaction. When the work
        // ends while a renewal is in flight, this heartbeat is no longer polled: a renewal run
        // inline would then stay suspended inside its transaction, holding SQLite's one writer
        // lock, and every later write (this work's own retry or completion, every other PR's
        // claim) would wait for it forever.
        let renewing = tokio::spawn({
            let (store, holder) = (app.store.clone(), holder.clone());
            let until = now_ms() + lease.as_millis() as i64;
            async move { store.renew(&holder, until).await }
        });
        match tokio::time::timeout_at(held_until - margin, renewing).await {
            Ok(Ok(Ok(()))) => held_until = asked + lease,
            Ok(Ok(Err(e @ StoreError::LeaseLost { .. }))) => return e.to_string(),
            Ok(Ok(Err(e))) => tracing::warn!(error = %e, "cannot renew the lease"),
            Ok(Err(e)) => tracing::error!(error = %e, "the lease renewal stopped"),
            Err(_) => {}
        }
        if tokio::time::Instant::now() + margin >= held_until {
            return format!("its lease could not be renewed for {} s", (lease - margin).as_secs_f32());
        }
    }
}

/// The end of `day` in UTC, in milliseconds: "unavailable until 2026-12-24" includes the 24th.
fn end_of_day_ms(day: chrono::NaiveDate) -> i64 {
    day.succ_opt().and_then(|d| d.and_hms_opt(0, 0, 0)).map_or(i64::MAX, |t| t.and_utc().timestamp_millis())
}

/// Best effort, after the last attempt failed: a failed check run saying that flowgate gave up,
/// so the PR shows it rather than a check that never comes. GitHub may well refuse this too.
async fn say_cannot_evaluate(app: &App, work: &Work, why: CannotEvaluate, error: &str) {
    let (Some(repo), Some(pr)) = (work.repo.as_deref(), work.pr.and_then(|n| u64::try_from(n).ok())) else {
        return super::merge_group::say_cannot_evaluate(app, work, why, error).await;
    };
    let posted = async {
        let repo = RepoName::parse(repo)?;
        let (_, gh) = app.client(work.installation_id, &repo).await?;
        let enforcement = last_enforcement(app, &repo.to_string()).await;
        // The failure may have come before the PR was read: its head is asked for.
        remote::publish_cannot_evaluate(&gh, &repo, pr, None, why, error, enforcement).await
    }
    .await;
    match posted {
        Ok(remote::Published::Posted { .. }) => {}
        Ok(remote::Published::NotPosted(reason)) => tracing::warn!(reason = %reason, "cannot say so on the PR"),
        Err(e) => {
            tracing::warn!(error = %e, "cannot say so on the PR");
            app.handler_failed("cannot say so on the PR", &e);
        }
    }
}

/// One unit of work: every delivery for one PR becomes one evaluation of its current state.
async fn process(app: &App, work: &Work) -> anyhow::Result<()> {
    let (Some(repo), Some(pr)) = (work.repo.as_deref(), work.pr) else {
        for asked in super::merge_group::groups(work) {
            super::merge_group::check(app, work.installation_id, &asked).await?;
        }
        for d in &work.deliveries {
            match d.event.as_str() {
                "push" => {
                    onboarding::policy_pushed(app, work, d).await?;
                    continue;
                }
                ONBOARD_REPOSITORY => {
                    onboarding::repository(app, work, d).await?;
                    continue;
                }
                _ => {}
            }
            match webhook::Event::parse(&d.event, &d.body) {
                Ok(webhook::Event::Installation(change)) => {
                    app.installation_changed(&d.event, &change).await;
                    onboarding::installed(app, d, &change).await?;
                }
                Ok(_) => {}
                // Nothing to retry: the same body reads the same way next time.
                Err(why) => tracing::warn!(delivery = %d.id, reason = %why, "the delivery changes no installation"),
            }
        }
        return Ok(());
    };
    let repo = RepoName::parse(repo)?;
    let pr = u64::try_from(pr).map_err(|_| anyhow::anyhow!("{repo}: PR number {pr} is not valid"))?;
    let closed =
        work.deliveries.last().is_some_and(|d| d.event == "pull_request" && d.action.as_deref() == Some("closed"));
    if closed {
        // Not evaluated again, but its last events are the ones the digest needs most.
        record(app, work, None).await?;
        super::slo::closed(app, &repo, pr).await?;
        return Ok(());
    }
    let (installation, gh) = app.client(work.installation_id, &repo).await?;
    let result = async {
        // The commands first: who just said they are away changes whom the gathering chooses.
        let comment_commands = comment_commands(work);
        let reassign = record_commands(app, &comment_commands).await?;
        let facts = remote::AppFacts { store: &app.store, reassign, baselines: &app.config.baselines };
        // Gather, evaluate once, choose reviewers once.
        let gated = match remote::gate_with(&gh, &repo, pr, None, Some(facts)).await {
            Ok(Some(gated)) => gated,
            Ok(None) => {
                // Installed where nobody asked for a gate: no check run, which nothing requires.
                app.metrics.without_policy();
                tracing::info!("not gated: the repository has neither {} nor a baseline", gate::POLICY_PATH);
                return Ok(());
            }
            Err(gate::Error::Policy { error, head, enforcement }) => {
                record(app, work, None).await?;
                // Enforced, a PR flowgate cannot judge fails: shadow mode's digest counts it so.
                record_evaluation(app, &repo, pr, enforcement, State::Fail, &[FailReason::CannotEvaluate]).await?;
                // Trying again changes nothing until someone fixes the base branch: say so on
                // the PR now, and count the work as done.
                tracing::warn!(error = %error, "the policy does not load");
                let (why, error) = (CannotEvaluate::PolicyBroken, error.to_string());
                // On the head the gate read with the PR: not asked for again.
                let posted =
                    remote::publish_cannot_evaluate(&gh, &repo, pr, head.as_deref(), why, &error, enforcement).await?;
                if let remote::Published::NotPosted(why) = posted {
                    tracing::warn!(reason = %why, "cannot say so on the PR");
                }
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        };
        // Plan: the gate's writes, the requests a reassignment took back, and /flowgate explain's
        // answers (as many as the limits allow).
        let mut plan = gated.plan()?;
        let head = gated.facts.head_sha.as_ref().map(|h| h.as_str().to_string()).unwrap_or_default();
        let repo_name = repo.to_string();
        let mut explained = Vec::new();
        let shadow = gated.enforcement().is_shadow();
        for (_, d, comment) in comment_commands.iter().filter(|(c, _, _)| *c == Command::Explain && !shadow) {
            let request = super::commands::Explain {
                repo: &repo_name,
                pr,
                delivery_id: &d.id,
                received_at_ms: d.received_at_ms,
                login: &comment.user.login,
                author_association: &comment.author_association,
                head_sha: &head,
            };
            match app.commands.explain(&request) {
                super::commands::Answer::Post { marker, since } => {
                    plan = plan.commenting(Comment { marker, since, body: markdown::render(&gated.verdict) });
                    explained.push(request);
                }
                super::commands::Answer::Skip(why) => {
                    tracing::info!(reason = %why, "/flowgate explain by {} not answered", request.login);
                }
            }
        }
        if shadow && comment_commands.iter().any(|(c, _, _)| *c == Command::Explain) {
            // Shadow mode writes nothing but the check run, whose summary holds the report.
            tracing::info!("/flowgate explain not answered: the policy is in shadow mode (enforcement: evaluate)");
        }
        // Before applying: a failed apply retries the unit, and recording again adds nothing.
        record(app, work, Some(&gated.verdict)).await?;
        if gated.queue.is_none() {
            // Whose turn, from the events just recorded and the snoozes the commands set.
            if let Some(turn) = super::slo_turn::snooze_and_turn(app, &repo, pr, &comment_commands).await? {
                plan = plan.showing_turn(&turn, app.config.slo.label, &gated.labels);
            }
        }
        if gated.queue.is_none() {
            let verdict = &gated.verdict;
            let reasons = if verdict.state == State::Fail { verdict.fail_reasons() } else { Vec::new() };
            record_evaluation(app, &repo, pr, gated.enforcement(), verdict.state, &reasons).await?;
        }
        // Said as the gate says GitHub's failures, for the record and the check run that gives up.
        match apply(&gh, &repo, &plan).await.map_err(gate::Error::from)? {
            Published::NotPosted(why) => tracing::warn!(
                reason = %why,
                "{} but nothing was posted",
                crate::report::wording::summary(&gated.verdict)
            ),
            Published::Posted { reviewers, ai_labels, withdrawn, comments, turn_label_refused, .. } => {
                if let Some(why) = turn_label_refused {
                    tracing::warn!(reason = %why, "cannot change the waiting label")
                }
                if let Err(why) = reviewers {
                    tracing::warn!(reason = %why, "cannot request reviewers")
                }
                if let Err(why) = ai_labels {
                    tracing::warn!(reason = %why, "cannot add the AI tool labels")
                }
                if let Err(why) = withdrawn {
                    tracing::warn!(reason = %why, "cannot withdraw review requests to reassign")
                }
                for (request, posted) in explained.iter().zip(comments) {
                    match posted {
                        Ok(()) => app.commands.answered(request),
                        Err(why) => tracing::warn!(reason = %why, "cannot answer /flowgate explain"),
                    }
                }
            }
        }
        // With GitHub's state just read and published: the review SLO's steps due now.
        super::slo::after_gate(app, &gh, &repo, pr, installation, &gated).await?;
        Ok(())
    }
    .await;
    app.metrics.github(installation, gh.usage().requests, gh.rate_limit_remaining());
    result
}

/// Records what the commands say about their authors (`unavailable`, `available`) and returns
/// the reassignment they ask for: `/flowgate reassign` hands on every request nobody answered;
/// someone asked to review who just said they are away hands on theirs.
async fn record_commands(
    app: &App,
    commands: &[(Command, &crate::store::QueuedDelivery, webhook::CommentJson)],
) -> anyhow::Result<Reassign> {
    let mut newly_away = Vec::new();
    for (command, _, comment) in commands {
        let who = comment.user.login.as_str();
        let recorded = match command {
            Command::Unavailable { until } => {
                newly_away.push(Login::new(who));
                app.store.set_away(who, until.map(end_of_day_ms)).await
            }
            Command::Available => app.store.clear_away(who).await,
            _ => Ok(()),
        };
        recorded.with_context(|| format!("recording /flowgate {command:?} by {who}"))?;
    }
    Ok(if commands.iter().any(|(c, _, _)| *c == Command::Reassign) {
        Reassign::AllWaiting
    } else if newly_away.is_empty() {
        Reassign::Nobody
    } else {
        Reassign::TheseIfWaiting(newly_away)
    })
}

/// The `/flowgate` commands among the unit's comment deliveries, each with its delivery and
/// comment, in the order received. The route took only comments with a command from someone
/// allowed to give it; a body that no longer reads as a comment is left out, and said.
fn comment_commands(work: &Work) -> Vec<(Command, &crate::store::QueuedDelivery, webhook::CommentJson)> {
    let mut found = Vec::new();
    for d in work.deliveries.iter().filter(|d| d.event == "issue_comment") {
        match webhook::Event::parse(&d.event, &d.body) {
            Ok(webhook::Event::Comment(c)) => {
                if let Some(command) = events::command(&c.comment.body) {
                    found.push((command, d, c.comment));
                }
            }
            Ok(_) => {}
            Err(why) => tracing::warn!(delivery = %d.id, reason = %why, "the delivery gives no command"),
        }
    }
    found
}

/// Records one evaluation: its state, why it fails and its enforcement, for shadow mode's digest.
/// A store that cannot take it fails the unit, which is then retried, as for the review events.
async fn record_evaluation(
    app: &App,
    repo: &RepoName,
    pr: u64,
    enforcement: Enforcement,
    state: State,
    reasons: &[FailReason],
) -> anyhow::Result<()> {
    let repo = repo.to_string();
    let evaluation =
        crate::store::Evaluation { repo: &repo, pr, at_ms: now_ms(), enforcement, state: state.id(), reasons };
    app.store.record_evaluation(&evaluation).await.with_context(|| format!("{repo}#{pr}: cannot record its evaluation"))
}

/// Whether a check run written without reading the policy (flowgate gave up, or was refused a
/// permission) blocks: as the repository's latest evaluation was enforced, and enforced when
/// none is recorded or the store cannot say.
pub(super) async fn last_enforcement(app: &App, repo: &str) -> Enforcement {
    match app.store.latest_enforcement(repo).await {
        Ok(found) => found.unwrap_or_default(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the repository's enforcement; the check run is enforced");
            Enforcement::Enforce
        }
    }
}

/// Records the unit's review events. A store that cannot take them fails the unit, which is then
/// retried: an event lost here would be missing from every digest.
async fn record(app: &App, work: &Work, verdict: Option<&crate::policy::verdict::Verdict>) -> anyhow::Result<()> {
    record::record_unit(&app.store, work, verdict)
        .await
        .map(|_| ())
        .with_context(|| format!("{}: cannot record its review events", work.key))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use anyhow::Context;

    use super::*;
    use crate::github::error::{Error, Kind};

    /// A GitHub error as the worker meets it: inside the gate's error, under some context.
    fn met(kind: Kind) -> anyhow::Error {
        let gated: gate::Error = Error::new(kind, "GET /repos/o/r/pulls/9: ...").into();
        Err::<(), _>(gated).context("gating o/r#9").unwrap_err()
    }

    #[test]
    fn the_next_step_follows_what_github_answered() {
        assert_eq!(next_step(&met(Kind::NotFound)), Next::Complete);
        assert_eq!(next_step(&met(Kind::Forbidden { message: "Resource not accessible".into() })), Next::Park);
        let reset = UNIX_EPOCH + Duration::from_millis(1_700_000_123_456);
        assert_eq!(
            next_step(&met(Kind::RateLimited { reset: Some(reset) })),
            Next::Retry { not_before_ms: Some(1_700_000_123_456) }
        );
        assert_eq!(next_step(&met(Kind::RateLimited { reset: None })), Next::Retry { not_before_ms: None });
        let status = http::StatusCode::BAD_GATEWAY;
        assert_eq!(next_step(&met(Kind::Server { status })), Next::Retry { not_before_ms: None });
        assert_eq!(next_step(&met(Kind::Transport)), Next::Retry { not_before_ms: None });
        let store = anyhow::anyhow!("the database is locked").context("recording the review events");
        assert_eq!(next_step(&store), Next::Retry { not_before_ms: None });
        // Found without the gate's error around it too (a write's error), inside a `UserError`
        // (the App's client for an installation), and in a `UserError` the gate passed on.
        assert_eq!(next_step(&anyhow::Error::from(Error::not_found("o/r#9"))), Next::Complete);
        let user: crate::error::UserError = Error::not_found("o/r#9").into();
        assert_eq!(next_step(&anyhow::Error::from(user).context("gating o/r#9")), Next::Complete);
        let passed_on = gate::Error::User(Error::new(Kind::Forbidden { message: "no".into() }, "o/r").into());
        assert_eq!(next_step(&anyhow::Error::from(passed_on)), Next::Park);
    }
}
