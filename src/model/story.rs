//! What a tracker says about a work item: its state, its parent and links, and why a lookup gave
//! nothing. Plain facts the tracker clients fill and the policy engine judges.

use std::fmt;

/// Where a tracker puts an item in its workflow, reduced to what a policy can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StateCategory {
    /// Not started (Jira "To Do", an open GitHub issue).
    Open,
    /// Being worked on (Jira's "In Progress" category).
    InProgress,
    /// Done, closed, resolved or won't do.
    Done,
}

impl StateCategory {
    pub const ALL: [StateCategory; 3] = [StateCategory::Open, StateCategory::InProgress, StateCategory::Done];

    pub fn id(self) -> &'static str {
        match self {
            StateCategory::Open => "open",
            StateCategory::InProgress => "in_progress",
            StateCategory::Done => "done",
        }
    }
}

/// An item's state: the category policies reason about and the tracker's own word for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemState {
    pub category: StateCategory,
    pub name: String,
}

/// One work item as a tracker describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The normalised key (`ABC-123`, `owner/repo#12`).
    pub key: String,
    pub title: String,
    /// What the tracker says the item is: its type first (`Story`, `Epic`), then its labels.
    /// The policy's `linkage.chain.levels` are matched against these.
    pub kinds: Vec<String>,
    pub state: ItemState,
    pub url: Option<String>,
    /// The key of its parent in the tracker's hierarchy, when it has one.
    pub parent: Option<String>,
    /// Other items it points at that may sit higher in the chain (a PRD, an OKR): Jira issue
    /// links and remote links.
    pub links: Vec<Related>,
}

/// An item linked from another, as far as the link itself describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub key: String,
    pub title: String,
    pub url: Option<String>,
    /// What the link says the target is (its issue type, a remote link's relationship or title prefix).
    pub kinds: Vec<String>,
    /// Whether the target is an item of the same tracker that can be looked up in turn; a
    /// remote link (a Confluence PRD, an OKR tool's page) is taken as the link describes it.
    pub lookup: bool,
}

/// Why a lookup gave no item. Every variant except `NotFound` means flowgate could not see,
/// so the linkage cannot pass on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrackerError {
    /// The tracker says there is no such item (never created, deleted, or hidden from this identity).
    NotFound,
    /// The credentials are missing, wrong or lack a permission.
    Permission { status: u16, message: String },
    /// The tracker asked to slow down; seconds to wait when it said.
    RateLimited { retry_after: Option<u64> },
    /// No answer within the time allowed.
    Timeout { after_ms: u64 },
    /// The tracker could not be reached or answered with a server error.
    Down { reason: String },
    /// The tracker answered something that is not what its API documents.
    BadAnswer { reason: String },
    /// No connection to this tracker is configured (and what to set).
    NotConfigured { tracker: String, hint: String },
}

impl fmt::Display for TrackerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrackerError::NotFound => f.write_str("no such item"),
            TrackerError::Permission { status, message } if message.is_empty() => {
                write!(f, "permission denied (HTTP {status}): check the tracker credentials")
            }
            TrackerError::Permission { status, message } => {
                write!(f, "permission denied (HTTP {status}: {message}): check the tracker credentials")
            }
            TrackerError::RateLimited { retry_after: Some(s) } => {
                write!(f, "rate limited; the tracker asks to retry after {s}s")
            }
            TrackerError::RateLimited { retry_after: None } => f.write_str("rate limited by the tracker"),
            TrackerError::Timeout { after_ms } => write!(f, "no answer within {after_ms} ms"),
            TrackerError::Down { reason } => write!(f, "the tracker is unreachable or failing: {reason}"),
            TrackerError::BadAnswer { reason } => write!(f, "unexpected answer: {reason}"),
            TrackerError::NotConfigured { tracker, hint } => {
                write!(f, "no {tracker} connection is configured ({hint})")
            }
        }
    }
}
