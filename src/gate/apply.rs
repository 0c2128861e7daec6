//! Carrying out a `Plan` on GitHub: the check run first, and if GitHub takes it, the labels,
//! review requests and comments, each best effort, with what happened to each for the caller.

use crate::github::checks::{CheckRunPosted, Write};
use crate::github::{self, GitHub, RepoName};

use super::plan::{Plan, TierLabelPlan, ToolLabel};

/// What publishing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Published {
    Posted {
        check_run: CheckRunPosted,
        label: LabelChange,
        /// The AI tool labels created and added now, or GitHub's reason for refusing them.
        ai_labels: Result<AiLabelChange, String>,
        /// The reviewers requested now, or GitHub's reason for refusing the request.
        reviewers: Result<Vec<String>, String>,
        /// The review requests taken back now, or GitHub's reason for refusing.
        withdrawn: Result<Vec<String>, String>,
        /// For each of the plan's comments in order: posted (now or before), or GitHub's refusal.
        comments: Vec<Result<(), String>>,
        /// GitHub's refusal of the waiting label, if it refused (boxed: rarely there).
        turn_label_refused: Option<Box<String>>,
    },
    /// Nothing could be posted; the reason is for the job summary.
    NotPosted(String),
}

/// What happened to the tier label.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LabelChange {
    pub added: Option<String>,
    pub removed: Vec<String>,
}

/// What happened to the AI tool labels.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AiLabelChange {
    /// Labels created in the repository now (they did not exist).
    pub created: Vec<String>,
    /// Labels added to the PR now.
    pub added: Vec<String>,
}

/// Makes the plan's writes, in order. A check run GitHub refuses (a fork's read-only token) ends
/// it: nothing was posted. A refused tier label ends it too, reported as not posted. After that
/// it is best effort: each refusal is reported and the next write still made. Any other failure
/// is an error, so the caller can make the whole plan again: every write is idempotent.
pub async fn apply(gh: &GitHub, repo: &RepoName, plan: &Plan) -> Result<Published, github::Error> {
    let check_run = match gh.post_check_run(repo, &plan.check_run.head_sha, &plan.check_run.report).await? {
        Write::Done(posted) => posted,
        Write::Denied(why) => return Ok(Published::NotPosted(crate::wording::action::check_run_refused(&why))),
    };
    let label = match &plan.tier_label {
        None => LabelChange::default(),
        Some(tier) => match set_tier_label(gh, repo, plan.number, tier).await? {
            Write::Done(change) => change,
            Write::Denied(why) => {
                return Ok(Published::NotPosted(crate::wording::action::tier_label_refused(&tier.label, &why)));
            }
        },
    };
    let turn_label_refused = match &plan.turn_label {
        None => None,
        Some(turn) => match set_turn_label(gh, repo, plan.number, turn).await? {
            Write::Done(_) => None,
            Write::Denied(why) => Some(Box::new(why)),
        },
    };
    let ai_labels = match add_tool_labels(gh, repo, plan.number, &plan.tool_labels).await? {
        Write::Done(change) => Ok(change),
        Write::Denied(why) => Err(why),
    };
    let withdrawn = if plan.withdraw.is_empty() {
        Ok(Vec::new())
    } else {
        let logins: Vec<&str> = plan.withdraw.iter().map(String::as_str).collect();
        match gh.withdraw_reviewers(repo, plan.number, &logins).await? {
            Write::Done(()) => Ok(plan.withdraw.clone()),
            Write::Denied(why) => Err(why),
        }
    };
    let reviewers = if plan.request.is_empty() {
        Ok(Vec::new())
    } else {
        let logins: Vec<&str> = plan.request.iter().map(String::as_str).collect();
        match gh.request_reviewers(repo, plan.number, &logins).await? {
            Write::Done(asked) => Ok(asked),
            Write::Denied(why) => Err(why),
        }
    };
    let mut comments = Vec::new();
    for comment in &plan.comments {
        comments.push(
            match gh.comment_once(repo, plan.number, &comment.marker, &comment.since, &comment.body).await? {
                Write::Done(()) => Ok(()),
                Write::Denied(why) => Err(why),
            },
        );
    }
    Ok(Published::Posted { check_run, label, ai_labels, reviewers, withdrawn, comments, turn_label_refused })
}

/// Adds the tier's label, then takes the other tier labels off; one that is gone already is no
/// error.
async fn set_tier_label(
    gh: &GitHub,
    repo: &RepoName,
    number: u64,
    tier: &TierLabelPlan,
) -> Result<Write<LabelChange>, github::Error> {
    let mut change = LabelChange::default();
    if tier.add {
        if let Write::Denied(why) = gh.add_labels(repo, number, &[tier.label.as_str()]).await? {
            return Ok(Write::Denied(why));
        }
        change.added = Some(tier.label.clone());
    }
    for old in &tier.remove {
        match gh.remove_label(repo, number, old).await? {
            Write::Done(true) => change.removed.push(old.clone()),
            Write::Done(false) => {}
            Write::Denied(why) => return Ok(Write::Denied(why)),
        }
    }
    Ok(Write::Done(change))
}

/// Puts the waiting label on (creating it in the repository first, with its colour and
/// description, when it is not on the PR), then takes the other one off.
async fn set_turn_label(
    gh: &GitHub,
    repo: &RepoName,
    number: u64,
    turn: &TierLabelPlan,
) -> Result<Write<LabelChange>, github::Error> {
    if turn.add {
        let (color, description) =
            (crate::wording::slo::LABEL_COLOR, crate::wording::slo::label_description(&turn.label));
        if let Write::Denied(why) = gh.create_label(repo, &turn.label, color, description).await? {
            return Ok(Write::Denied(why));
        }
    }
    set_tier_label(gh, repo, number, turn).await
}

/// Creates each missing tool label in the repository (with its colour and description), then
/// adds them all to the PR in one request.
async fn add_tool_labels(
    gh: &GitHub,
    repo: &RepoName,
    number: u64,
    labels: &[ToolLabel],
) -> Result<Write<AiLabelChange>, github::Error> {
    let mut change = AiLabelChange::default();
    if labels.is_empty() {
        return Ok(Write::Done(change));
    }
    for label in labels {
        match gh.create_label(repo, &label.name, &label.color, &label.description).await? {
            Write::Done(true) => change.created.push(label.name.clone()),
            Write::Done(false) => {}
            Write::Denied(why) => return Ok(Write::Denied(why)),
        }
    }
    let names: Vec<&str> = labels.iter().map(|l| l.name.as_str()).collect();
    if let Write::Denied(why) = gh.add_labels(repo, number, &names).await? {
        return Ok(Write::Denied(why));
    }
    change.added = names.iter().map(|n| n.to_string()).collect();
    Ok(Write::Done(change))
}
