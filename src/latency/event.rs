//! The review-flow event: what happened to a PR, when, by whom, and the PR's context at that moment.
//!
//! Events are stored as JSON rows and imported from history, so the serde shape here is a storage
//! format: a flat object whose `event` field names the kind in snake_case.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::Login;
use crate::model::Tier;

/// One thing that happened to one pull request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Stable across re-imports (a webhook delivery id, or the API object's id on backfill), so
    /// that importing the same history twice adds nothing: the metrics skip a repeated id.
    pub id: String,
    /// `owner/name`.
    pub repo: String,
    pub pr: u64,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    /// The PR as flowgate saw it when the event happened; the latest one wins for grouping.
    pub context: PrContext,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// Who did it. Bots never count as reviewers, so the flag travels with the login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub login: Login,
    pub bot: bool,
}

impl Actor {
    /// `account_type` is GitHub's `user.type` ("User", "Bot", "Organization").
    pub fn new(login: impl Into<String>, account_type: &str) -> Self {
        let login = Login::new(login);
        let bot = account_type.eq_ignore_ascii_case("bot") || login.is_bot();
        Actor { login, bot }
    }

    /// An account known only by its login: a bot when it ends with `[bot]`.
    pub fn login(login: impl Into<String>) -> Self {
        let login = Login::new(login);
        let bot = login.is_bot();
        Actor { login, bot }
    }
}

/// What the PR declared about AI use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AiDeclared {
    None,
    Assisted,
    Generated,
    #[default]
    Undeclared,
}

/// The PR's context when the event happened.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PrContext {
    pub author: Login,
    /// `None` when no policy was evaluated (history imported from before flowgate).
    pub tier: Option<Tier>,
    pub ai_declared: AiDeclared,
    /// A known tool's marker was found, whatever the declaration says.
    pub ai_detected: bool,
    pub ai_tools: Vec<String>,
    pub story_keys: Vec<String>,
    /// The PR's title, head branch and labels, for the digest's exclusions. Rows stored before
    /// flowgate recorded them have none: they read as `None` and no labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_branch: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

impl PrContext {
    /// Declared or detected: a declaration of "none" never hides a detected marker.
    pub fn ai_touched(&self) -> bool {
        self.ai_detected || matches!(self.ai_declared, AiDeclared::Assisted | AiDeclared::Generated)
    }

    /// Whether the title, head branch and labels were recorded with it (rows from before they
    /// were have no title).
    pub fn described(&self) -> bool {
        self.title.is_some() || self.head_branch.is_some()
    }
}

/// Whom a review was requested from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Reviewer {
    User {
        login: String,
    },
    /// A team slug (`org/team` or `team`): any eligible person's review answers it.
    Team {
        slug: String,
    },
}

impl Reviewer {
    pub fn user(login: impl Into<String>) -> Self {
        Reviewer::User { login: login.into() }
    }

    pub fn team(slug: impl Into<String>) -> Self {
        Reviewer::Team { slug: slug.into() }
    }

    /// The name as people write it: `login` or `@team`.
    pub fn name(&self) -> String {
        match self {
            Reviewer::User { login } => login.clone(),
            Reviewer::Team { slug } => format!("@{slug}"),
        }
    }

    /// Logins compare case-insensitively, as on GitHub.
    pub(crate) fn same(&self, other: &Reviewer) -> bool {
        match (self, other) {
            (Reviewer::User { login: a }, Reviewer::User { login: b }) => a.eq_ignore_ascii_case(b),
            (Reviewer::Team { slug: a }, Reviewer::Team { slug: b }) => a.eq_ignore_ascii_case(b),
            _ => false,
        }
    }
}

/// A submitted review's verdict. Pending reviews are drafts nobody else sees, so they are not events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    Approved,
    ChangesRequested,
    Commented,
}

/// What happened. The reviewer of a submitted review is the event's actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    Opened {
        draft: bool,
    },
    ReadyForReview,
    ConvertedToDraft,
    ReviewRequested {
        reviewer: Reviewer,
    },
    ReviewRequestRemoved {
        reviewer: Reviewer,
    },
    ReviewSubmitted {
        outcome: ReviewOutcome,
    },
    /// The actor dismissed `reviewer`'s latest review.
    ReviewDismissed {
        reviewer: Login,
    },
    /// New commits on the head branch (a push or a force-push).
    Synchronize,
    Merged,
    Closed,
    Reopened,
    /// flowgate accepted the policy's override label, applied by the actor: recorded once per
    /// PR, label and person, for the digest's hygiene section. A note, not a review-flow step:
    /// no wait starts or ends with it.
    OverrideAccepted {
        label: String,
        /// Why, as the PR's description says on an `Override-Reason:` line; `None` when it does not.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The PR needed no story under this `linkage.exempt` rule when flowgate evaluated it:
    /// recorded once per PR and rule. A note, like `OverrideAccepted`.
    LinkageExempt {
        exemption: LinkageExemption,
    },
}

impl EventKind {
    /// Notes flowgate records about its own judgement, which no waiting-time figure reads.
    pub fn is_note(&self) -> bool {
        matches!(self, EventKind::OverrideAccepted { .. } | EventKind::LinkageExempt { .. })
    }
}

/// Which `linkage.exempt` rule let a PR go without a story, and the value that matched (the
/// author's login, the label, the tier, or the title or branch pattern).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkageExemption {
    pub rule: ExemptRule,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExemptRule {
    Author,
    Label,
    Tier,
    Title,
    Branch,
}
