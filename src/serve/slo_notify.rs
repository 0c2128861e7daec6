//! Sending what a review SLO's ladder decided: the reminder to a waiting reviewer (a Slack
//! direct message when their Slack user is known, else one PR comment that mentions them), and
//! the message to their pool's channel (an incoming webhook), which names the PR and the pool and
//! never the person: per-person figures go only to that person. Every Slack call is bounded by
//! `slack::TIMEOUT`; the token and the webhooks never appear in an error.

use anyhow::Context;

use super::App;
use crate::github::checks::Write;
use crate::github::{GitHub, RepoName};
use crate::model::Tier;
use crate::report::digest::pr_url;
use crate::slo::{self, SloRule};
use crate::wording::slo as words;

/// How a step reached people, as stored with it (`Via::id`).
// Used by the sweeper (`serve::slo`), which executes the ladder's plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    SlackDm,
    PrComment,
    Channel,
    /// The pool has no channel in `[slo.channels]` (or the reviewer no pool): nothing was sent.
    NoChannel,
}

impl Via {
    /// `slack_dm`, `comment`, `channel`, `no_channel` (as `slo_steps.via` holds them).
    pub(crate) fn id(self) -> &'static str {
        match self {
            Via::SlackDm => "slack_dm",
            Via::PrComment => "comment",
            Via::Channel => "channel",
            Via::NoChannel => "no_channel",
        }
    }
}

/// Reminds the waiting reviewer `due.login`: by Slack when `[slo.slack_users]` knows them and a
/// bot token is set, else by one comment on the PR that mentions them (a comment carrying this
/// reminder's marker counts as sent, so a retried step comments once).
pub(crate) async fn remind(
    app: &App,
    gh: &GitHub,
    repo: &RepoName,
    pr: u64,
    tier: Tier,
    rule: &SloRule,
    due: &slo::Due,
) -> anyhow::Result<Via> {
    let settings = &app.config.slo;
    let login = due.login.as_str();
    let repo_name = repo.to_string();
    if let (Some(user), Some(token)) = (settings.slack_user(login), settings.slack_token.as_deref()) {
        let url = pr_url(&repo_name, pr);
        let text = words::reminder_dm(url.as_deref(), &repo_name, pr, tier, due.worked, rule.first_response);
        crate::slack::post_message(&settings.slack_api_url, token, user, &text, crate::slack::TIMEOUT)
            .await
            .with_context(|| format!("{repo}#{pr}: cannot remind {login} on Slack"))?;
        return Ok(Via::SlackDm);
    }
    let body = words::reminder_comment(login, tier, due.worked, rule.first_response);
    let marker = format!("<!-- flowgate:slo-remind:{}:{} -->", login.to_ascii_lowercase(), due.period.as_second());
    // Comments since the wait began: the reminder belongs to this wait, and a later wait's
    // reminder has a marker of its own.
    let since = due.period.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    match gh
        .comment_once(repo, pr, &marker, &since, &body)
        .await
        .with_context(|| format!("{repo}#{pr}: cannot remind {login} in a comment"))?
    {
        Write::Done(()) => Ok(Via::PrComment),
        Write::Denied(why) => Err(anyhow::anyhow!("{repo}#{pr}: cannot remind {login} in a comment: {why}")),
    }
}

/// Asks the reviewer's pool (`due.pool`) to pick the PR up, through the pool's channel in
/// `[slo.channels]`; `NoChannel` when there is none. The message never names the reviewer.
pub(crate) async fn to_channel(
    app: &App,
    _gh: &GitHub,
    repo: &RepoName,
    pr: u64,
    tier: Tier,
    rule: &SloRule,
    due: &slo::Due,
) -> anyhow::Result<Via> {
    let Some((pool, webhook)) = due.pool.as_deref().and_then(|pool| Some((pool, app.config.slo.channels.get(pool)?)))
    else {
        return Ok(Via::NoChannel);
    };
    let repo_name = repo.to_string();
    let url = pr_url(&repo_name, pr);
    let text = words::channel_message(url.as_deref(), &repo_name, pr, tier, due.worked, rule.first_response, pool);
    let json = serde_json::json!({ "text": text }).to_string();
    crate::slack::post(webhook, &json, crate::slack::TIMEOUT)
        .await
        .with_context(|| format!("{repo}#{pr}: cannot write to the channel of pool {pool}"))?;
    Ok(Via::Channel)
}

#[cfg(test)]
mod tests;
