//! Sending a review SLO step that asks a person: the reminder to the reviewer, and the message to
//! their pool's channel. `serve::slo` decides what is due and records what was sent; this only
//! sends. Here the reminder is a PR comment that mentions the reviewer once (posted once per wait:
//! its marker names the reviewer and the wait), and no pool has a channel yet.

use super::App;
use crate::github::checks::Write;
use crate::github::{GitHub, RepoName};
use crate::model::Tier;
use crate::slo::{self, SloRule};

/// How a step reached people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code, reason = "a Slack DM and a channel message are sent once Slack is set up")]
pub(crate) enum Via {
    SlackDm,
    PrComment,
    Channel,
    /// The reviewer's pool has no channel: nothing was sent.
    NoChannel,
}

/// Reminds the reviewer of `due` that the PR waits for them.
pub(crate) async fn remind(
    _app: &App,
    gh: &GitHub,
    repo: &RepoName,
    pr: u64,
    tier: Tier,
    rule: &SloRule,
    due: &slo::Due,
) -> anyhow::Result<Via> {
    let login = due.login.as_str();
    let marker = format!("<!-- flowgate:slo remind {} {} -->", login.to_lowercase(), due.period.as_second());
    let body = crate::wording::slo::reminder(login, tier, due.worked, rule.first_response);
    match gh.comment_once(repo, pr, &marker, &due.period.to_string(), &body).await? {
        Write::Done(()) => Ok(Via::PrComment),
        Write::Denied(why) => Err(anyhow::anyhow!("GitHub refused the reminder comment: {why}")),
    }
}

/// Tells the channel of the reviewer's pool that the PR waits.
pub(crate) async fn to_channel(
    _app: &App,
    _gh: &GitHub,
    _repo: &RepoName,
    _pr: u64,
    _tier: Tier,
    _rule: &SloRule,
    _due: &slo::Due,
) -> anyhow::Result<Via> {
    Ok(Via::NoChannel)
}
