//! Whose turn a gated PR is, as the App shows it: `/flowgate snooze` recorded (only from someone
//! whose review is requested and unanswered; anyone else's is refused the way the App refuses a
//! command, by not acting and saying why in the log), then the PR's recorded events and running
//! snoozes read from the store for `gate::turn`, whose result the worker's plan shows on the check
//! run and, with `[slo] label = true`, as the waiting label.

use anyhow::Context;
use jiff::Timestamp;

use super::events::{Command, SNOOZE_MAX_HOURS};
use super::{App, now_ms};
use crate::gate::turn::{self, Turn};
use crate::github::RepoName;
use crate::github::parse::webhook::CommentJson;
use crate::model::Login;
use crate::slo::Snooze;
use crate::store::QueuedDelivery;

/// Records the unit's snoozes, then says whose turn the PR is now; `None` when the store holds no
/// event of it yet. Call after the unit's events are recorded.
pub(crate) async fn snooze_and_turn(
    app: &App,
    repo: &RepoName,
    pr: u64,
    commands: &[(Command, &QueuedDelivery, CommentJson)],
) -> anyhow::Result<Option<Turn>> {
    let repo_name = repo.to_string();
    let mut current = read_turn(app, &repo_name, pr, &[]).await?;
    let mut changed = false;
    for (command, delivery, comment) in commands {
        let who = comment.user.login.as_str();
        match command {
            Command::Snooze { hours } => {
                if !current.as_ref().is_some_and(|t| t.is_requested(who)) {
                    tracing::info!(reason = %crate::wording::slo::snooze_refused(who), "command not answered");
                    continue;
                }
                // From when the comment arrived, so a retried unit records the same end.
                let until =
                    delivery.received_at_ms.saturating_add(i64::from((*hours).min(SNOOZE_MAX_HOURS)) * 3_600_000);
                app.store
                    .set_snooze(&repo_name, pr, who, until)
                    .await
                    .with_context(|| format!("recording /flowgate snooze by {who}"))?;
                changed = true;
            }
            Command::SnoozeOff => {
                app.store
                    .clear_snooze(&repo_name, pr, who)
                    .await
                    .with_context(|| format!("recording /flowgate snooze off by {who}"))?;
                changed = true;
            }
            _ => {}
        }
    }
    if changed {
        current = read_turn(app, &repo_name, pr, &[]).await?;
    }
    Ok(current)
}

/// The PR's turn from the store: its events and its snoozes (ended ones too: a reviewer's wait
/// starts again from the end of their snooze). The ladder (`serve::slo`) reads it with the
/// policy's AI reviewers; the "waiting on" line, read before the policy is, without them.
pub(crate) async fn read_turn(app: &App, repo: &str, pr: u64, ai_reviewers: &[String]) -> anyhow::Result<Option<Turn>> {
    let now = now_ms();
    let events = app.store.events_of_pr(repo, pr).await.with_context(|| format!("{repo}#{pr}: reading its events"))?;
    let snoozes: Vec<Snooze> = app
        .store
        .snoozes(repo, pr, i64::MIN)
        .await
        .with_context(|| format!("{repo}#{pr}: reading its snoozes"))?
        .into_iter()
        .filter_map(|(login, until_ms)| {
            Some(Snooze { login: Login::new(login), until: Timestamp::from_millisecond(until_ms).ok()? })
        })
        .collect();
    let now = Timestamp::from_millisecond(now).unwrap_or(Timestamp::UNIX_EPOCH);
    Ok(turn::turn(&events, &snoozes, now, ai_reviewers))
}
