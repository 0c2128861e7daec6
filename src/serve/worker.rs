//! A worker: takes a PR's stored deliveries from the queue, gates the PR against GitHub's current
//! state, publishes, and marks the deliveries done; on failure it retries with backoff and parks
//! a delivery that keeps failing. On shutdown it finishes what it holds or gives it back.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::events::{self, Command};
use super::record;
use super::{App, now_ms};
use crate::error::UserError;
use crate::gate::apply::{Published, apply};
use crate::gate::assign::Reassign;
use crate::gate::plan::Comment;
use crate::gate::remote;
use crate::github::RepoName;
use crate::github::parse::webhook;
use crate::model::Login;
use crate::report::check_run::CannotEvaluate;
use crate::report::markdown;
use crate::store::{StoreError, Work};

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
        match app.store.claim(&name, now_ms(), app.config.lease.as_millis() as i64).await {
            Ok(Some(work)) => {
                let key = work.key.clone();
                if let Ok(mut held) = app.held.lock() {
                    held.insert(key.clone());
                }
                handle(&app, work, claimed_at, &mut shutdown).await;
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
                eprintln!("flowgate: worker {name}: cannot take work: {e}");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
    app.workers_running.fetch_sub(1, Ordering::Relaxed);
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
        eprintln!(
            "flowgate: {}: parked {} after {MAX_ATTEMPTS} attempts whose worker stopped before finishing",
            work.key,
            work.parked_at_claim.join(", ")
        );
        let why = CannotEvaluate::GaveUp { attempts: MAX_ATTEMPTS };
        let error = "each attempt stopped before finishing: the process crashed or was killed, or the \
                     evaluation lost its lease";
        if tokio::time::timeout(limit, say_cannot_evaluate(app, &work, why, error)).await.is_err() {
            eprintln!("flowgate: {}: cannot say so on the PR: no answer within {} s", work.key, limit.as_secs());
        }
        if work.deliveries.is_empty() {
            // Nothing else to do for this PR: end the lease.
            if let Err(e) = app.store.complete(&work, now_ms()).await {
                eprintln!("flowgate: {}: cannot end the lease: {e}; it ends on its own", work.key);
            }
            return;
        }
    }
    let job = async {
        match tokio::time::timeout(limit, process(app, &work)).await {
            Ok(result) => result,
            Err(_) => Err(UserError::Usage(format!(
                "the evaluation took longer than its limit of {} s (evaluation_timeout_seconds) and was abandoned",
                limit.as_secs()
            ))),
        }
    };
    tokio::pin!(job);
    let heartbeat = keep_lease(app, &work, claimed_at);
    tokio::pin!(heartbeat);
    let grace = async {
        let _ = shutdown.wait_for(|s| *s).await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    let result = tokio::select! {
        r = &mut job => Ok(r),
        _ = grace => Err(Stopped::Shutdown),
        lost = &mut heartbeat => Err(Stopped::LeaseLost(lost)),
    };
    let result = match result {
        Ok(r) => Some(r),
        Err(Stopped::Shutdown) => None,
        Err(Stopped::LeaseLost(why)) => {
            // Dropping `job` above stopped the evaluation before the lease could lapse, so no other
            // worker runs this PR while this one still does. The claim counted the attempt; the
            // PR comes back when the lease ends.
            app.metrics.evaluation("abandoned", started.elapsed());
            eprintln!("flowgate: {}: gave the work up: {why}", work.key);
            return;
        }
    };
    match result {
        None => {
            // Shutting down and not finished: give it back for another worker or the next start.
            if let Err(e) = app.store.release(&work).await {
                eprintln!("flowgate: cannot give back {}: {e}; it returns when its lease ends", work.key);
            }
        }
        Some(Ok(())) => {
            app.metrics.evaluation("done", started.elapsed());
            if let Err(e) = app.store.complete(&work, now_ms()).await {
                eprintln!("flowgate: {}: evaluated, but cannot mark done: {e}", work.key);
            }
        }
        Some(Err(e)) => {
            // Attempts before this one; the claim counted this one.
            let attempts = work.deliveries.iter().map(|d| d.attempts).max().unwrap_or(0);
            let next = now_ms() + backoff(app.config.retry_backoff, attempts).as_millis() as i64;
            match app.store.retry_later(&work, &e.to_string(), next, MAX_ATTEMPTS).await {
                Ok(parked) if !parked.is_empty() => {
                    app.metrics.evaluation("parked", started.elapsed());
                    eprintln!("flowgate: {}: parked after {MAX_ATTEMPTS} attempts: {e}", work.key);
                    let why = CannotEvaluate::GaveUp { attempts: MAX_ATTEMPTS };
                    // Under the same limit: what hung the evaluation may well hang this too.
                    let error = e.to_string();
                    if tokio::time::timeout(limit, say_cannot_evaluate(app, &work, why, &error)).await.is_err() {
                        eprintln!(
                            "flowgate: {}: cannot say so on the PR: no answer within {} s",
                            work.key,
                            limit.as_secs()
                        );
                    }
                }
                Ok(_) => {
                    app.metrics.evaluation("retry", started.elapsed());
                    eprintln!("flowgate: {}: will retry: {e}", work.key);
                }
                Err(store) => eprintln!("flowgate: {}: failed ({e}) and cannot record it: {store}", work.key),
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
    loop {
        tokio::time::sleep(lease / 4).await;
        let asked = tokio::time::Instant::now();
        let renewing = app.store.renew(work, now_ms() + lease.as_millis() as i64);
        match tokio::time::timeout_at(held_until - margin, renewing).await {
            Ok(Ok(())) => held_until = asked + lease,
            Ok(Err(e @ StoreError::LeaseLost { .. })) => return e.to_string(),
            Ok(Err(e)) => eprintln!("flowgate: {}: cannot renew the lease: {e}", work.key),
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
        return;
    };
    let posted = async {
        let repo = RepoName::parse(repo)?;
        let (_, gh) = app.client(work.installation_id, &repo).await?;
        remote::publish_cannot_evaluate(&gh, &repo, pr, why, error).await
    }
    .await;
    match posted {
        Ok(remote::Published::Posted { .. }) => {}
        Ok(remote::Published::NotPosted(reason)) => {
            eprintln!("flowgate: {}: cannot say so on the PR: {reason}", work.key)
        }
        Err(e) => eprintln!("flowgate: {}: cannot say so on the PR: {e}", work.key),
    }
}

/// One unit of work: every delivery for one PR becomes one evaluation of its current state.
async fn process(app: &App, work: &Work) -> Result<(), UserError> {
    let (Some(repo), Some(pr)) = (work.repo.as_deref(), work.pr) else {
        for d in &work.deliveries {
            match webhook::Event::parse(&d.event, &d.body) {
                Ok(webhook::Event::Installation(change)) => app.installation_changed(&d.event, &change).await,
                Ok(_) => {}
                // Nothing to retry: the same body reads the same way next time.
                Err(why) => eprintln!("flowgate: {}: delivery {} changes no installation: {why}", work.key, d.id),
            }
        }
        return Ok(());
    };
    let repo = RepoName::parse(repo)?;
    let pr = u64::try_from(pr).map_err(|_| UserError::GitHub(format!("{repo}: PR number {pr} is not valid")))?;
    let closed =
        work.deliveries.last().is_some_and(|d| d.event == "pull_request" && d.action.as_deref() == Some("closed"));
    if closed {
        // Not evaluated again, but its last events are the ones the digest needs most.
        record(app, work, None).await?;
        return Ok(());
    }
    let (installation, gh) = app.client(work.installation_id, &repo).await?;
    let result = async {
        // The commands first: who just said they are away changes whom the gathering chooses.
        let comment_commands = comment_commands(work);
        let reassign = record_commands(app, &comment_commands).await?;
        let facts = remote::AppFacts { store: &app.store, reassign };
        // Gather, evaluate once, choose reviewers once.
        let gated = match remote::gate_with(&gh, &repo, pr, None, Some(facts)).await {
            Ok(gated) => gated,
            Err(e @ (UserError::PolicySyntax { .. } | UserError::Policy { .. })) => {
                record(app, work, None).await?;
                // Trying again changes nothing until someone fixes the base branch: say so on
                // the PR now, and count the work as done.
                eprintln!("flowgate: {repo}#{pr}: the policy does not load: {e}");
                let posted =
                    remote::publish_cannot_evaluate(&gh, &repo, pr, CannotEvaluate::PolicyBroken, &e.to_string())
                        .await?;
                if let remote::Published::NotPosted(why) = posted {
                    eprintln!("flowgate: {repo}#{pr}: cannot say so on the PR: {why}");
                }
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        // Plan: the gate's writes, the requests a reassignment took back, and /flowgate explain's
        // answers (as many as the limits allow).
        let mut plan = gated.plan()?;
        let head = gated.facts.head_sha.as_ref().map(|h| h.as_str().to_string()).unwrap_or_default();
        let repo_name = repo.to_string();
        let mut explained = Vec::new();
        for (_, d, comment) in comment_commands.iter().filter(|(c, _, _)| *c == Command::Explain) {
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
                    eprintln!("flowgate: {repo}#{pr}: /flowgate explain by {} not answered: {why}", request.login);
                }
            }
        }
        // Before applying: a failed apply retries the unit, and recording again adds nothing.
        record(app, work, Some(&gated.verdict)).await?;
        match apply(&gh, &repo, &plan).await? {
            Published::NotPosted(why) => eprintln!(
                "flowgate: {repo}#{pr}: {} but nothing was posted: {why}",
                crate::report::wording::summary(&gated.verdict)
            ),
            Published::Posted { reviewers, ai_labels, withdrawn, comments, .. } => {
                if let Err(why) = reviewers {
                    eprintln!("flowgate: {repo}#{pr}: cannot request reviewers: {why}")
                }
                if let Err(why) = ai_labels {
                    eprintln!("flowgate: {repo}#{pr}: cannot add the AI tool labels: {why}")
                }
                if let Err(why) = withdrawn {
                    eprintln!("flowgate: {repo}#{pr}: cannot withdraw review requests to reassign: {why}")
                }
                for (request, posted) in explained.iter().zip(comments) {
                    match posted {
                        Ok(()) => app.commands.answered(request),
                        Err(why) => eprintln!("flowgate: {repo}#{pr}: cannot answer /flowgate explain: {why}"),
                    }
                }
            }
        }
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
) -> Result<Reassign, UserError> {
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
        recorded.map_err(|e| UserError::Usage(format!("recording /flowgate {command:?} by {who}: {e}")))?;
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
            Err(why) => eprintln!("flowgate: {}: delivery {} gives no command: {why}", work.key, d.id),
        }
    }
    found
}

/// Records the unit's review events. A store that cannot take them fails the unit, which is then
/// retried: an event lost here would be missing from every digest.
async fn record(app: &App, work: &Work, verdict: Option<&crate::policy::verdict::Verdict>) -> Result<(), UserError> {
    record::record_unit(&app.store, work, verdict)
        .await
        .map(|_| ())
        .map_err(|e| UserError::Usage(format!("{}: cannot record its review events: {e}", work.key)))
}
